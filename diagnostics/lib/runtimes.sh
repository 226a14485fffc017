# The runtimes' own views of a process: jcmd for a JVM, a diagnostic report for Node, py-spy for Python.
# kind PID: java, node or python (from the executable's name), else nothing.
kind() {
  e=$(readlink "/proc/$1/exe" 2>/dev/null)
  case ${e##*/} in java) echo java ;; node | nodejs) echo node ;; python | python[23] | python[23].[0-9]*) echo python ;; esac
}
# tool NAME DIR: a JDK tool on PATH, in JAVA_HOME or in DIR (beside the running java).
tool() { for c in "$(command -v "$1" 2>/dev/null)" "${JAVA_HOME:+$JAVA_HOME/bin/$1}" "$2/$1"; do [ -n "$c" ] && [ -x "$c" ] && { printf '%s' "$c"; return 0; }; done; return 1; }
# jvm PID COMMAND...: each jcmd command; with a JRE only, what to add, and kill -3 when the container opts in.
jvm() {
  p=$1; shift; e=$(readlink "/proc/$p/exe" 2>/dev/null)
  if j=$(tool jcmd "${e%/*}"); then
    for c in "$@"; do
      section "jcmd $p $c"
      lim 20 "$j" "$p" "$c" 2>&1; r=$?
      [ "$r" -ge 124 ] && { printf 'jcmd %s: no answer within 20 s; the other jcmd commands are skipped\n' "$c"; break; }
      [ "$r" = 0 ] || printf 'jcmd %s failed (exit %s): is this shell running as the JVM user?\n' "$c" "$r"
    done
    return
  fi
  printf 'jcmd: not available in this image (%s is a JRE without it): use a JDK image or add the jdk.jcmd module (jlink --add-modules jdk.jcmd) for thread dumps and heap summaries\n' "${e%/bin/*}"
  if [ "$(conf ECSDIAG_JVM_SIGQUIT)" != 1 ]; then printf 'or set ECSDIAG_JVM_SIGQUIT=1 in the task definition: this script then sends kill -3 and the JVM prints a thread dump to its own stdout (the container log)\n'
  else case $(cmdof "$p") in *-Xrs*) printf 'ECSDIAG_JVM_SIGQUIT=1 but the JVM runs with -Xrs (SIGQUIT would end it): no signal sent\n' ;; *) kill -3 "$p" && printf 'sent kill -3 to %s (ECSDIAG_JVM_SIGQUIT=1): the thread dump is in the container log, not here\n' "$p" ;; esac; fi
}
# nodereport PID: triggers a diagnostic report where the process allows it (--report-on-signal), prints it without
# its environment and shared objects, and removes the file; else says how to enable it.
nodereport() {
  p=$1; c=" $(tr '\000' ' ' 2>/dev/null <"/proc/$p/cmdline") $(envof "$p" NODE_OPTIONS) "
  case $c in *' --report-on-signal '*) ;; *) printf 'diagnostic report: not enabled; start node with --report-on-signal (or NODE_OPTIONS=--report-on-signal) so this script can trigger one and read it back\n'; return ;; esac
  case $c in *' --report-compact '* | *' --report-filename'*) printf 'diagnostic report: --report-compact or --report-filename is set; not triggered (this script reads the default pretty report only)\n'; return ;; esac
  s=USR2; case $c in *' --report-signal='*) s=${c#* --report-signal=}; s=${s%% *}; s=${s#SIG} ;; esac
  dir=/proc/$p/cwd; case $c in *' --report-dir'*=*) dir=${c#* --report-dir*=}; dir=/proc/$p/root${dir%% *} ;; esac
  case $s$dir in *[!A-Za-z0-9/._-]*) printf 'diagnostic report: unexpected --report-signal or --report-directory; not triggered\n'; return ;; esac
  old=; for f in "$dir"/report.*."$p".*.json; do old=$f; done
  kill -s "$s" "$p" || return; i=0; new=$old
  while [ "$i" -lt 10 ]; do
    sleep 1; i=$((i + 1)); for f in "$dir"/report.*."$p".*.json; do new=$f; done
    [ "$new" != "$old" ] && [ -f "$new" ] && [ "$(tail -n 1 "$new" 2>/dev/null)" = '}' ] && break
  done
  if [ "$new" = "$old" ] || [ ! -f "$new" ]; then printf 'diagnostic report: sent SIG%s, no report in %s within 10 s (the report needs the event loop to turn: is it blocked?)\n' "$s" "$dir"; return; fi
  printf 'diagnostic report %s (environment values and shared objects left out):\n' "${new##*/}"
  if have sed; then sed -e '/^  "environmentVariables": {/,/^  }/d' -e '/^  "sharedObjects": \[/,/^  \]/d' "$new"; else na sed; fi
  if have rm && rm -f "$new"; then printf 'report file removed from the container\n'; else printf 'report file left in the container: %s\n' "$new"; fi
}
# pyspy PID: every thread's Python stack.
pyspy() {
  if have py-spy; then lim 30 py-spy dump --pid "$1" 2>&1 || printf 'py-spy failed or gave no answer within 30 s (exit %s): the task may need the SYS_PTRACE capability\n' "$?"
  else printf 'py-spy: not available in this image; add it (pip install py-spy) and the SYS_PTRACE capability (linuxParameters) for every thread'"'"'s Python stack\n'; fi
}
