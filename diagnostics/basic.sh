#!/bin/sh
# @description Identity, load, the container's limits and usage (ECS task metadata, cgroup), processes by CPU (measured over 1 s) and by RSS, memory, disk, descriptors per process against their limit, sockets by state, listening sockets, environment variable names (never values).
# @timeoutSeconds 60
# @outputCapBytes 4194304
# @tools id, uname, df, free, ss or netstat, curl or wget (each optional; /proc and /sys/fs/cgroup are read directly)
# Runs as POSIX sh in busybox/alpine and Debian images; a missing tool prints "not available" and the script goes on.
# @include lib/prelude.sh
# @include lib/procs.sh
snap a
section identity
printf 'hostname: %s\n' "$(cat /proc/sys/kernel/hostname 2>/dev/null)"
if have id; then id; else na id; fi
if have uname; then uname -a; else na uname; fi
[ -r /etc/os-release ] && grep -E '^(PRETTY_NAME|VERSION_ID)=' /etc/os-release
printf 'date: %s\n' "$(date -u 2>/dev/null)"
section "uptime and load"
read -r up _ </proc/uptime && printf 'uptime_seconds: %s\n' "$up"
printf 'loadavg: %s\n' "$(cat /proc/loadavg 2>/dev/null)"
printf 'cpus online: %s\n' "$(grep -c '^processor' /proc/cpuinfo 2>/dev/null)"
# @include lib/resources.sh
sleep 1
snap b
tab=$(ptable a b)
section "processes by cpu (cpu% of one core over the last second, pid ppid state rss_kb threads command)"
printf '%s\n' "$tab" | srt -k1,1rn -k2,2n
printf '(%s kernel threads left out)\n' "$kt"
section "processes by rss (same columns)"
printf '%s\n' "$tab" | srt -k5,5rn -k2,2n | head -n 30
section memory
grep -E '^(MemTotal|MemFree|MemAvailable|Buffers|Cached|SwapTotal|SwapFree|Shmem|Committed_AS):' /proc/meminfo 2>/dev/null
section disk
# df blocks on a hung network mount (NFS, EFS): each call is bounded and a hang skips the rest of df.
dfr() { lim 10 df "$@"; r=$?; if [ "$r" -ge 124 ]; then printf 'df %s: no answer within 10 s (a hung network mount?)\n' "$*"; fi; return "$r"; }
if have df; then
  dfr -h 2>/dev/null || [ "$r" -ge 124 ] || dfr
  [ "$r" -ge 124 ] || dfr -i 2>/dev/null || true
else na df; fi
section "open file descriptors per process (open limit pid command), most first"
printf 'system file-nr (allocated free max): %s\n' "$(cat /proc/sys/fs/file-nr 2>/dev/null)"
for d in /proc/[0-9]*; do
  p=${d#/proc/}; eval "k=\${fl$p:-}"
  [ "$k" = 0 ] && [ -d "$d/fd" ] || continue
  n=0; for fd in "$d"/fd/*; do [ -e "$fd" ] || [ -L "$fd" ] && n=$((n + 1)); done
  l=-; while read -r a b c s _; do [ "$a $b $c" = 'Max open files' ] && l=$s; done 2>/dev/null <"$d/limits"
  printf '%s %s %s %s\n' "$n" "$l" "$p" "$(cat "$d/comm" 2>/dev/null)"
done | srt -k1,1rn -k3,3n
section "tcp sockets by state (/proc/net/tcp, tcp6)"
for s in 01:ESTABLISHED 02:SYN_SENT 03:SYN_RECV 04:FIN_WAIT1 05:FIN_WAIT2 06:TIME_WAIT 07:CLOSE 08:CLOSE_WAIT 09:LAST_ACK 0A:LISTEN 0B:CLOSING; do
  n=0; for f in /proc/net/tcp /proc/net/tcp6; do [ -r "$f" ] && while read -r _ _ _ st _; do [ "$st" = "${s%:*}" ] && n=$((n + 1)); done <"$f"; done
  [ "$n" = 0 ] || printf '%s %s\n' "${s#*:}" "$n"
done
[ -r /proc/net/sockstat ] && cat /proc/net/sockstat
section "listening sockets"
if have ss; then ss -lntup 2>/dev/null || ss -lntu
elif have netstat; then netstat -lntup 2>/dev/null || netstat -lntu
else na "ss/netstat"; printf 'raw /proc/net/tcp (state 0A = LISTEN, addresses in hex):\n'; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -E '^ *[0-9]+: [0-9A-F:]+ [0-9A-F:]+ 0A'; fi
section "established sockets (first 200)"
if have ss; then ss -ntp state established 2>/dev/null | head -n 200
elif have netstat; then netstat -ntp 2>/dev/null | grep ESTABLISHED | head -n 200
else na "ss/netstat"; fi
section "environment variable names (values never printed)"
for p in "$$" 1; do
  printf 'process %s:\n' "$p"
  if names=$(tr '\n\000' '\036\n' 2>/dev/null <"/proc/$p/environ"); then printf '%s\n' "$names" | cut -d= -f1 | srt; else printf 'not readable by this user\n'; fi
done
