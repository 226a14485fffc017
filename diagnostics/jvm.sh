#!/bin/sh
# @description For each JVM in the container: thread dump, heap and GC summary, flags, via jcmd (or jstack/jstat) when present.
# @timeoutSeconds 120
# @outputCapBytes 8388608
# @tools jcmd, jstack, jstat (from the JDK; looked up on PATH, in JAVA_HOME and beside the running java)
# jcmd must run as the JVM's user; a JRE-only image prints "not available" and the /proc summary.

have() { command -v "$1" >/dev/null 2>&1; }
section() { printf '\n===== %s =====\n' "$1"; }
na() { printf '%s: not available in this image\n' "$1"; }
# Bounds a tool that can block forever (KILL, which also ends a process waiting on a hung mount); where the image
# has no timeout that takes plain seconds, the tool runs unbounded and the run's own deadline stops it.
if have timeout && timeout -s KILL 1 true >/dev/null 2>&1; then lim() { timeout -s KILL "$@"; }; else lim() { shift; "$@"; }; fi
tool() {
  for c in "$(command -v "$1" 2>/dev/null)" "${JAVA_HOME:+$JAVA_HOME/bin/$1}" "$2/$1"; do
    if [ -n "$c" ] && [ -x "$c" ]; then printf '%s' "$c"; return 0; fi
  done
  return 1
}

found=0
for d in /proc/[0-9]*; do
  exe=$(readlink "$d/exe" 2>/dev/null)
  case ${exe##*/} in java) ;; *) continue ;; esac
  found=1; pid=${d#/proc/}; bin=${exe%/*}
  section "jvm pid $pid"
  grep -E '^(Name|State|Threads|VmRSS|VmHWM|voluntary_ctxt_switches|nonvoluntary_ctxt_switches):' "$d/status" 2>/dev/null
  printf 'command: %s\n' "$(tr '\000\n' ' ' <"$d/cmdline" 2>/dev/null)"
  if jcmd=$(tool jcmd "$bin"); then
    for c in VM.version VM.uptime GC.heap_info VM.flags Thread.print; do
      section "jcmd $pid $c"
      lim 20 "$jcmd" "$pid" "$c" 2>&1; r=$?
      if [ "$r" -ge 124 ]; then printf 'jcmd %s: no answer within 20 s; the other jcmd commands are skipped\n' "$c"; break; fi
      [ "$r" = 0 ] || printf 'jcmd %s failed (exit %s): is this shell running as the JVM user?\n' "$c" "$r"
    done
  else
    na jcmd
    if jstack=$(tool jstack "$bin"); then section "jstack $pid"; lim 20 "$jstack" -l "$pid" 2>&1 || printf 'jstack failed or gave no answer within 20 s (exit %s)\n' "$?"; else na jstack; fi
  fi
  if jstat=$(tool jstat "$bin"); then section "jstat -gcutil $pid"; lim 20 "$jstat" -gcutil "$pid" 2>&1 || printf 'jstat failed or gave no answer within 20 s\n'; else na jstat; fi
  section "threads of $pid (tid name state)"
  for t in "$d"/task/[0-9]*; do
    printf '%s %s %s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" "$(grep '^State:' "$t/status" 2>/dev/null | cut -f2)"
  done
done
[ "$found" = 1 ] || printf 'no java process found in this container\n'
