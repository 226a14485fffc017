#!/bin/sh
# @description For each Python process: the container's limits and usage, version, memory, threads, open handles, and a py-spy dump of every thread's stack when py-spy is installed (else what to add).
# @timeoutSeconds 90
# @outputCapBytes 4194304
# @tools py-spy (optional), curl or wget, readlink
# py-spy needs SYS_PTRACE in the task definition; without it the dump fails with a clear message and the rest goes on.
# Exits 97 (not applicable) when the container runs no python process.
# @include lib/prelude.sh
# @include lib/runtimes.sh
of() { for d in /proc/[0-9]*; do [ "$(kind "${d#/proc/}")" = "$1" ] && printf '%s ' "${d#/proc/}"; done; }
pids=$(of python)
[ -n "$pids" ] || { printf 'not applicable: no process whose executable is python, python2, python3 or python3.N in this container (looked at /proc/*/exe)\n'; exit 97; }
# @include lib/resources.sh
for pid in $pids; do
  d=/proc/$pid
  section "python pid $pid"
  printf 'command: %s\n' "$(cmdof "$pid")"
  printf 'version: %s\n' "$("$(readlink "$d/exe")" --version 2>&1 || printf 'not available')"
  grep -E '^(State|Threads|VmRSS|VmHWM|voluntary_ctxt_switches|nonvoluntary_ctxt_switches):' "$d/status" 2>/dev/null
  section "py-spy dump $pid"
  pyspy "$pid"
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
