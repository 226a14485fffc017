#!/bin/sh
# @description For each Node.js process: the container's limits and usage, version, memory, threads, open handles by type, and a diagnostic report (JavaScript stack, heap, libuv handles, resource usage; environment values left out) when the process runs with --report-on-signal, else how to enable it.
# @timeoutSeconds 90
# @outputCapBytes 4194304
# @tools sed, curl or wget (each optional; /proc is read directly)
# The report is triggered only for a process started with --report-on-signal (command line or NODE_OPTIONS): for
# any other, the signal would end it. The report file is read back and removed from the container.
# Exits 97 (not applicable) when the container runs no node process.
# @include lib/prelude.sh
# @include lib/runtimes.sh
of() { for d in /proc/[0-9]*; do [ "$(kind "${d#/proc/}")" = "$1" ] && printf '%s ' "${d#/proc/}"; done; }
pids=$(of node)
[ -n "$pids" ] || { printf 'not applicable: no process whose executable is node or nodejs in this container (looked at /proc/*/exe)\n'; exit 97; }
# @include lib/resources.sh
for pid in $pids; do
  d=/proc/$pid
  section "node pid $pid"
  printf 'command: %s\n' "$(cmdof "$pid")"
  printf 'version: %s\n' "$("$(readlink "$d/exe")" --version 2>/dev/null || printf 'not available')"
  grep -E '^(State|Threads|VmRSS|VmHWM|VmSize|voluntary_ctxt_switches|nonvoluntary_ctxt_switches):' "$d/status" 2>/dev/null
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
  grep -E '^Max open files' "$d/limits" 2>/dev/null
  section "diagnostic report of $pid"
  nodereport "$pid"
done
