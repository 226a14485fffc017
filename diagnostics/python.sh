#!/bin/sh
# @description For each Python process: version, memory, threads, open handles, and a py-spy dump of every thread's stack when py-spy is installed.
# @timeoutSeconds 90
# @outputCapBytes 4194304
# @tools py-spy (optional), readlink
# py-spy needs SYS_PTRACE in the task definition; without it the dump fails with a clear message and the rest goes on.

have() { command -v "$1" >/dev/null 2>&1; }
section() { printf '\n===== %s =====\n' "$1"; }
na() { printf '%s: not available in this image\n' "$1"; }
# Bounds a tool that can block forever (KILL, which also ends a process waiting on a hung mount); where the image
# has no timeout that takes plain seconds, the tool runs unbounded and the run's own deadline stops it.
if have timeout && timeout -s KILL 1 true >/dev/null 2>&1; then lim() { timeout -s KILL "$@"; }; else lim() { shift; "$@"; }; fi

found=0
for d in /proc/[0-9]*; do
  exe=$(readlink "$d/exe" 2>/dev/null)
  case ${exe##*/} in python | python[23] | python[23].[0-9]*) ;; *) continue ;; esac
  found=1; pid=${d#/proc/}
  section "python pid $pid"
  printf 'command: %s\n' "$(tr '\000\n' ' ' <"$d/cmdline" 2>/dev/null)"
  printf 'version: %s\n' "$("$exe" --version 2>&1 || printf 'not available')"
  grep -E '^(State|Threads|VmRSS|VmHWM|voluntary_ctxt_switches|nonvoluntary_ctxt_switches):' "$d/status" 2>/dev/null
  section "py-spy dump $pid"
  if have py-spy; then lim 30 py-spy dump --pid "$pid" 2>&1 || printf 'py-spy failed or gave no answer within 30 s (exit %s): the task may need the SYS_PTRACE capability\n' "$?"; else na py-spy; fi
  section "threads of $pid (tid name state)"
  for t in "$d"/task/[0-9]*; do
    printf '%s %s %s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" "$(grep '^State:' "$t/status" 2>/dev/null | cut -f2)"
  done
  section "handles of $pid"
  s=0; p=0; f=0
  for fd in "$d"/fd/*; do
    l=$(readlink "$fd" 2>/dev/null) || continue
    case $l in socket:*) s=$((s + 1)) ;; pipe:*) p=$((p + 1)) ;; /*) f=$((f + 1)); printf 'file %s\n' "$l" ;; esac
  done
  printf 'sockets %s, pipes %s, files %s\n' "$s" "$p" "$f"
done
[ "$found" = 1 ] || printf 'no python process found in this container\n'
