# The container's resource view: ECS task metadata endpoint v4 and the cgroup's own numbers (v2 and v1).
section "resources: ecs task metadata (v4)"
# curl, wget or busybox wget, whichever the image has, 3 s per request (Debian's busybox 1.35 wget crashes on -T:
# then retried without it, still bounded by lim).
get() { return 127; }; wg=
if have curl; then get() { lim 5 curl -fsS -m 3 "$1"; }
elif have wget; then wg=wget
elif have busybox && busybox wget --help >/dev/null 2>&1; then wg='busybox wget'; fi
[ -z "$wg" ] || get() { lim 5 $wg -q -T 3 -O - "$1"; r=$?; [ "$r" = 139 ] || return "$r"; lim 5 $wg -q -O - "$1"; }
md=$(conf ECS_CONTAINER_METADATA_URI_V4)
case $md in http://*) case $md in *[!A-Za-z0-9.:/_-]*) md= ;; esac ;; *) md= ;; esac
if [ -z "$md" ]; then printf 'ECS_CONTAINER_METADATA_URI_V4 not set: not on ECS (or a platform older than Fargate 1.4 / agent 1.39)\n'
else
  for p in /task /task/stats /stats; do
    printf -- '-- %s\n' "$p"
    j=$(get "$md$p" 2>&1); r=$?
    if [ "$r" = 127 ]; then printf 'curl/wget/busybox wget: none in this image; the metadata endpoint cannot be read\n'; break; fi
    [ "$r" = 0 ] || { printf 'request failed (exit %s): %.200s\n' "$r" "$j"; continue; }
    case $p in
      /task) printf '%s' "$j" | grep -oE '"(Cluster|TaskARN|Family|Revision|LaunchType|AvailabilityZone|Name|Image|KnownStatus|Limits|CPU|Memory)":("[^"]*"|[0-9.]+|\{[^}]*\})' ;;
      *) printf '%s' "$j" | grep -oE '"(name|online_cpus|total_usage|throttling_data|usage|max_usage|limit|failcnt|eth[0-9]+)":(\{[^}]*\}|"[^"]*"|[0-9]+)' ;;
    esac | head -n 400
  done
fi
section "resources: cgroup"
# The files of this shell's own cgroup (the container's), each line prefixed with its path.
show() { for f in "$@"; do [ -r "$f" ] && while IFS= read -r l; do printf '%s: %s\n' "$f" "$l"; done <"$f"; done; return 0; }
# cpuline QUOTA PERIOD STAT: one line on the CPU limit and how often the cgroup was throttled.
cpuline() {
  case $1 in '' | max | -*) q='cpu limit: none (no CFS quota)' ;; *) q="cpu limit: $(($1 / $2)).$(($1 * 100 / $2 % 100 / 10))$(($1 * 100 / $2 % 10)) cpus ($1/$2 us)" ;; esac
  np=0; nt=0; [ -r "$3" ] && while read -r k v; do case $k in nr_periods) np=$v ;; nr_throttled) nt=$v ;; esac; done <"$3"
  printf '%s; throttled in %s of %s periods\n' "$q" "$nt" "$np"
}
# memline CURRENT LIMIT: usage against the limit (no limit above 2^62).
memline() { if [ "$2" = max ] || [ "$2" -ge 4611686018427387904 ]; then printf 'memory: %s MiB, no limit\n' $(($1 >> 20)); else printf 'memory: %s MiB of %s MiB (%s%%)\n' $(($1 >> 20)) $(($2 >> 20)) $(($1 * 100 / $2)); fi; }
cg2=; cg1m=; cg1c=
while IFS=: read -r _ ctl path; do
  [ "$path" = / ] && path=
  case $ctl in
    '') for r in /sys/fs/cgroup /sys/fs/cgroup/unified; do [ -r "$r/cgroup.controllers" ] && { cg2=$r; [ -d "$r$path" ] && cg2=$r$path; break; }; done ;;
    *memory*) cg1m=/sys/fs/cgroup/memory; [ -d "$cg1m$path" ] && cg1m=$cg1m$path ;;
    *cpu,* | cpu | *,cpu) for r in /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/cpu; do [ -d "$r" ] && { cg1c=$r; [ -d "$r$path" ] && cg1c=$r$path; break; }; done ;;
  esac
done </proc/self/cgroup
if [ -n "$cg2" ]; then
  printf 'cgroup v2: %s\n' "$cg2"
  show "$cg2/cpu.max" "$cg2/cpu.stat" "$cg2/memory.current" "$cg2/memory.max" "$cg2/memory.high" "$cg2/memory.swap.current" "$cg2/memory.events" "$cg2/pids.current" "$cg2/pids.max" "$cg2/cpu.pressure" "$cg2/memory.pressure" "$cg2/io.pressure"
  [ -r "$cg2/cpu.max" ] && read -r a b <"$cg2/cpu.max" && cpuline "$a" "$b" "$cg2/cpu.stat"
  read -r cur 2>/dev/null <"$cg2/memory.current" && read -r max 2>/dev/null <"$cg2/memory.max" && memline "$cur" "$max"
fi
if [ -n "$cg1m$cg1c" ]; then
  printf 'cgroup v1: %s %s\n' "$cg1c" "$cg1m"
  show "$cg1c/cpu.cfs_quota_us" "$cg1c/cpu.cfs_period_us" "$cg1c/cpu.stat" "$cg1m/memory.usage_in_bytes" "$cg1m/memory.limit_in_bytes" "$cg1m/memory.max_usage_in_bytes" "$cg1m/memory.failcnt" "$cg1m/memory.oom_control"
  read -r a 2>/dev/null <"$cg1c/cpu.cfs_quota_us" && read -r b 2>/dev/null <"$cg1c/cpu.cfs_period_us" && cpuline "$a" "$b" "$cg1c/cpu.stat"
  read -r cur 2>/dev/null <"$cg1m/memory.usage_in_bytes" && read -r max 2>/dev/null <"$cg1m/memory.limit_in_bytes" && memline "$cur" "$max"
fi
[ -n "$cg2$cg1m$cg1c" ] || printf '/proc/self/cgroup: no cgroup found\n'
show /proc/pressure/cpu /proc/pressure/memory /proc/pressure/io
