#!/bin/sh
# @description For a CPU alarm: the container's CPU limit and throttling (ECS task metadata, cgroup), three samples 2 s apart of the hottest processes and their hottest threads, and for a JVM, Node or Python process among them its own stacks (jcmd Thread.print, a diagnostic report, py-spy dump) where the image allows.
# @timeoutSeconds 120
# @outputCapBytes 8388608
# @tools curl or wget, jcmd, py-spy, sed, sort (each optional; /proc and /sys/fs/cgroup are read directly)
# Stacks: a JVM needs jcmd (a JDK; ECSDIAG_JVM_SIGQUIT=1 allows kill -3 instead), Node needs --report-on-signal,
# Python needs py-spy and SYS_PTRACE; without them the script says what to add.
# @include lib/prelude.sh
# @include lib/procs.sh
# @include lib/runtimes.sh
thr=1
snap s0
# @include lib/resources.sh
printf 'cpus online: %s; loadavg: %s\n' "$(grep -c '^processor' /proc/cpuinfo 2>/dev/null)" "$(cat /proc/loadavg 2>/dev/null)"
sleep 2; snap s1; sleep 2; snap s2
for w in 's0 s1 1' 's1 s2 2'; do
  set -- $w
  section "hottest processes, sample $3 of 2 (cpu% of one core over 2 s, pid ppid state rss_kb threads command)"
  ptable "$1" "$2" | srt -k1,1rn -k2,2n | head -n 15
done
printf '(%s kernel threads left out)\n' "$kt"
hot=$(ptable s0 s2 | grep -v ' \[ecs-diag: this diagnostic script\]$' | srt -k1,1rn -k2,2n | head -n 3)
pids=$(printf '%s\n' "$hot" | while read -r _ p _; do printf '%s ' "$p"; done)
for p in $pids; do
  section "hottest threads of $p over 4 s (cpu% tid state name nid: the tid in hex, as a JVM thread dump shows it)"
  for t in /proc/"$p"/task/[0-9]*; do
    read -r s 2>/dev/null <"$t/stat" || continue
    s=${s##*) }; read -r n 2>/dev/null <"$t/comm"
    printf '%s %s %s %s nid=0x%x\n' "$(cpu s0 s2 t "${t##*/}")" "${t##*/}" "${s%% *}" "$n" "${t##*/}"
  done | srt -k1,1rn -k2,2n | head -n 10
done
for p in $pids; do
  k=$(kind "$p")
  [ -n "$k" ] || continue
  section "$k stacks of $p"
  case $k in java) jvm "$p" Thread.print ;; node) nodereport "$p" ;; python) pyspy "$p" ;; esac
done
