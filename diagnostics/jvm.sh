#!/bin/sh
# @description For each JVM in the container: the container's limits and usage, then via jcmd the version, uptime, flags, heap and GC summary, native memory summary (when tracking is on) and a thread dump; with a JRE only, what to add (and kill -3 when the container opts in).
# @timeoutSeconds 120
# @outputCapBytes 8388608
# @tools jcmd (from a JDK; looked up on PATH, in JAVA_HOME and beside the running java), curl or wget
# jcmd must run as the JVM's user. ECSDIAG_JVM_SIGQUIT=1 in the task definition lets a JRE-only run send kill -3:
# the JVM prints its thread dump to its own stdout (the container log), not to this output.
# Exits 97 (not applicable) when the container runs no java process.
# @include lib/prelude.sh
# @include lib/runtimes.sh
# of KIND: the pids whose executable is that runtime's.
of() { for d in /proc/[0-9]*; do [ "$(kind "${d#/proc/}")" = "$1" ] && printf '%s ' "${d#/proc/}"; done; }
pids=$(of java)
[ -n "$pids" ] || { printf 'not applicable: no process whose executable is java in this container (looked at /proc/*/exe)\n'; exit 97; }
# @include lib/resources.sh
for pid in $pids; do
  d=/proc/$pid
  section "jvm pid $pid"
  grep -E '^(Name|State|Threads|VmRSS|VmHWM|voluntary_ctxt_switches|nonvoluntary_ctxt_switches):' "$d/status" 2>/dev/null
  printf 'command: %s\n' "$(cmdof "$pid")"
  jvm "$pid" VM.version VM.uptime VM.flags GC.heap_info 'VM.native_memory summary' Thread.print
  section "threads of $pid (tid name state)"
  for t in "$d"/task/[0-9]*; do
    printf '%s %s %s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" "$(grep '^State:' "$t/status" 2>/dev/null | cut -f2)"
  done
done
