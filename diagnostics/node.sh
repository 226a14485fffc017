#!/bin/sh
# @description For each Node.js process: version, memory, threads (names and states), open handles by type (sockets, pipes, files), inspector and report flags; nothing that restarts or signals the process.
# @timeoutSeconds 60
# @outputCapBytes 2097152
# @tools none required (reads /proc); readlink
# A JavaScript stack needs the inspector or --report-on-signal, which this script does not trigger.

section() { printf '\n===== %s =====\n' "$1"; }

found=0
for d in /proc/[0-9]*; do
  exe=$(readlink "$d/exe" 2>/dev/null)
  case ${exe##*/} in node | nodejs) ;; *) continue ;; esac
  found=1; pid=${d#/proc/}
  section "node pid $pid"
  cmd=$(tr '\000\n' ' ' <"$d/cmdline" 2>/dev/null)
  printf 'command: %s\n' "$cmd"
  printf 'version: %s\n' "$("$exe" --version 2>/dev/null || printf 'not available')"
  grep -E '^(State|Threads|VmRSS|VmHWM|VmSize|voluntary_ctxt_switches|nonvoluntary_ctxt_switches):' "$d/status" 2>/dev/null
  case $cmd in *--inspect*) printf 'inspector: enabled on the command line\n' ;; *) printf 'inspector: not on the command line\n' ;; esac
  case $cmd in *--report-on-signal*) printf 'diagnostic report on signal: enabled (not triggered by this script)\n' ;; esac
  section "threads of $pid (tid name state wchan)"
  for t in "$d"/task/[0-9]*; do
    printf '%s %s %s %s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" "$(grep '^State:' "$t/status" 2>/dev/null | cut -f2)" "$(cat "$t/wchan" 2>/dev/null)"
  done
  section "handles of $pid"
  s=0; p=0; f=0; o=0
  for fd in "$d"/fd/*; do
    l=$(readlink "$fd" 2>/dev/null) || continue
    case $l in socket:*) s=$((s + 1)) ;; pipe:*) p=$((p + 1)) ;; /*) f=$((f + 1)); printf 'file %s\n' "$l" ;; *) o=$((o + 1)) ;; esac
  done
  printf 'sockets %s, pipes %s, files %s, other (eventfd, epoll, timers) %s\n' "$s" "$p" "$f" "$o"
  if [ -r "$d/limits" ]; then grep -E '^Max open files' "$d/limits"; fi
done
[ "$found" = 1 ] || printf 'no node process found in this container\n'
