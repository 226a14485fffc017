# Per-process CPU over a measured interval, from /proc/<pid>/stat ticks (no ps needed).
hz=$(getconf CLK_TCK 2>/dev/null); case $hz in '' | *[!0-9]*) hz=100 ;; esac
pg=$(getconf PAGESIZE 2>/dev/null); case $pg in '' | *[!0-9]*) pg=4096 ;; esac
srt() { if have sort; then sort "$@"; else cat; fi; }
# snap NAME: CPU ticks of every process (NAME p<pid>) and, when thr is set, every thread (NAME t<tid>), and
# the time (NAME_up, centiseconds); the newest snapshot's state, ppid, flags, RSS and threads per process.
snap() {
  read -r up _ </proc/uptime; eval "${1}_up=${up%.*}${up#*.}"; kt=0
  for f in /proc/[0-9]*/stat ${thr:+/proc/[0-9]*/task/[0-9]*/stat}; do
    read -r s 2>/dev/null <"$f" || continue
    id=${f%/stat}; case $id in */task/*) n=t ;; *) n=p ;; esac; id=${id##*/}
    s=${s##*) }; x=$1
    set -f; set -- $s; set +f
    eval "$x$n$id=$((${12} + ${13}))"
    [ $n = p ] && eval "st$id=$1 pp$id=$2 fl$id=$(($7 & 2097152)) rs$id=$((${22} * pg / 1024)) th$id=${18}"
    [ $n = p ] && [ $(($7 & 2097152)) != 0 ] && kt=$((kt + 1))
    set -- "$x"
  done
}
# cpu NAME1 NAME2 KIND ID: CPU% of one core between two snapshots, one decimal ("-" when not in both).
cpu() {
  eval "a=\${$1$3$4:-} b=\${$2$3$4:-} u=\$((${2}_up - ${1}_up))"
  if [ -z "$a" ] || [ -z "$b" ] || [ "$u" -le 0 ]; then printf -; return; fi
  v=$(((b - a) * 100000 / (hz * u))); printf '%s.%s' $((v / 10)) $((v % 10))
}
# ptable NAME1 NAME2: "cpu% pid ppid state rss_kb threads command" per user process (kernel threads: kt, from snap).
ptable() {
  for d in /proc/[0-9]*; do
    p=${d#/proc/}; eval "k=\${fl$p:-}"
    [ "$k" = 0 ] || continue
    eval "printf '%s %s %s %s %s %s %s\n' \"\$(cpu $1 $2 p $p)\" $p \$pp$p \$st$p \$rs$p \$th$p \"\$(cmdof $p)\""
  done
}
