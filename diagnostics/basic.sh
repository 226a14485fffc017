#!/bin/sh
# @description Identity, uptime and load, processes with full command lines, memory, disk, open file descriptors per process, listening and established sockets, environment variable names (never values).
# @timeoutSeconds 60
# @outputCapBytes 4194304
# @tools id, uname, df, free, ss or netstat (each optional; /proc is read directly)
# Runs as POSIX sh in busybox/alpine and Debian images; a missing tool prints "not available" and the script goes on.

have() { command -v "$1" >/dev/null 2>&1; }
section() { printf '\n===== %s =====\n' "$1"; }
na() { printf '%s: not available in this image\n' "$1"; }
# Bounds a tool that can block forever (KILL, which also ends a process waiting on a hung mount); where the image
# has no timeout that takes plain seconds, the tool runs unbounded and the run's own deadline stops it.
if have timeout && timeout -s KILL 1 true >/dev/null 2>&1; then lim() { timeout -s KILL "$@"; }; else lim() { shift; "$@"; }; fi

section identity
printf 'hostname: %s\n' "$(cat /proc/sys/kernel/hostname 2>/dev/null)"
if have id; then id; else na id; fi
if have uname; then uname -a; else na uname; fi
if [ -r /etc/os-release ]; then grep -E '^(PRETTY_NAME|VERSION_ID)=' /etc/os-release; fi
printf 'date: %s\n' "$(date -u 2>/dev/null)"

section "uptime and load"
if [ -r /proc/uptime ]; then read -r up _ </proc/uptime; printf 'uptime_seconds: %s\n' "$up"; else na /proc/uptime; fi
if [ -r /proc/loadavg ]; then printf 'loadavg: %s\n' "$(cat /proc/loadavg)"; else na /proc/loadavg; fi
if have nproc; then printf 'cpus: %s\n' "$(nproc)"; fi
for f in /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.stat /sys/fs/cgroup/cpu/cpu.cfs_quota_us; do
  if [ -r "$f" ]; then printf '%s:\n' "$f"; cat "$f"; fi
done

section "processes (pid ppid state rss_kb threads command)"
# This script's own shells (and their subshells) are shown as one short label instead of the script text.
me=$(tr '\000\n' ' ' 2>/dev/null <"/proc/$$/cmdline")
parent=$(tr '\000\n' ' ' 2>/dev/null <"/proc/$PPID/cmdline")
case $parent in *__ECSDIAG_RC_*) ;; *) parent=/nonexistent ;; esac
list_processes() {
  for d in /proc/[0-9]*; do
    [ -d "$d" ] || continue
    pid=${d#/proc/}; ppid=-; st=-; rss=-; thr=-
    if [ -r "$d/status" ]; then
      while IFS=': 	' read -r k v _; do
        case $k in PPid) ppid=$v ;; State) st=$v ;; VmRSS) rss=$v ;; Threads) thr=$v ;; esac
      done <"$d/status"
    fi
    cmd=$(tr '\000\n' ' ' <"$d/cmdline" 2>/dev/null)
    [ -n "$cmd" ] || cmd="[$(cat "$d/comm" 2>/dev/null)]"
    if [ "$cmd" = "$me" ] || [ "$cmd" = "$parent" ]; then cmd='[ecs-diag: this diagnostic script]'; fi
    printf '%s %s %s %s %s %s\n' "$pid" "$ppid" "$st" "$rss" "$thr" "$cmd"
  done
}
# Numeric pid order when sort exists (the glob lists /proc in text order).
if command -v sort >/dev/null 2>&1; then list_processes | sort -n; else list_processes; fi

section memory
if [ -r /proc/meminfo ]; then grep -E '^(MemTotal|MemFree|MemAvailable|Buffers|Cached|SwapTotal|SwapFree|Shmem):' /proc/meminfo; else na /proc/meminfo; fi
if have free; then free; else na free; fi
for f in /sys/fs/cgroup/memory.current /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.usage_in_bytes /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.failcnt; do
  if [ -r "$f" ]; then printf '%s:\n' "$f"; cat "$f"; fi
done

section disk
# df blocks on a hung network mount (NFS, EFS): each call is bounded and a hang skips the rest of df.
dfr() { lim 10 df "$@"; r=$?; if [ "$r" -ge 124 ]; then printf 'df %s: no answer within 10 s (a hung network mount?)\n' "$*"; fi; return "$r"; }
if have df; then
  dfr -h 2>/dev/null || [ "$r" -ge 124 ] || dfr
  [ "$r" -ge 124 ] || dfr -i 2>/dev/null || true
else na df; fi

section "open file descriptors per process"
if [ -r /proc/sys/fs/file-nr ]; then printf 'system file-nr: %s\n' "$(cat /proc/sys/fs/file-nr)"; fi
for d in /proc/[0-9]*; do
  [ -d "$d/fd" ] || continue
  n=0
  for fd in "$d"/fd/*; do [ -e "$fd" ] || [ -L "$fd" ] && n=$((n + 1)); done
  lim=$(grep -E '^Max open files' "$d/limits" 2>/dev/null | tr -s ' ' | cut -d' ' -f4)
  printf 'pid %s: %s open (limit %s) %s\n' "${d#/proc/}" "$n" "${lim:-?}" "$(cat "$d/comm" 2>/dev/null)"
done

section "listening sockets"
if have ss; then ss -lntup 2>/dev/null || ss -lntu
elif have netstat; then netstat -lntup 2>/dev/null || netstat -lntu
else na "ss/netstat"; printf 'raw /proc/net/tcp (state 0A = LISTEN, addresses in hex):\n'; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -E '^ *(sl|[0-9]+: [0-9A-F:]+ [0-9A-F:]+ 0A)'; fi

section "established sockets"
if have ss; then ss -ntp state established 2>/dev/null || ss -nt
elif have netstat; then netstat -ntp 2>/dev/null || netstat -nt
else na "ss/netstat"; printf 'raw /proc/net/tcp (state 01 = ESTABLISHED):\n'; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -E '^ *[0-9]+: [0-9A-F:]+ [0-9A-F:]+ 01' | head -n 500; fi
if [ -r /proc/net/sockstat ]; then cat /proc/net/sockstat; fi

section "environment variable names (values never printed)"
for p in "$$" 1; do
  printf 'process %s:\n' "$p"
  if names=$(tr '\n\000' '\036\n' 2>/dev/null <"/proc/$p/environ"); then printf '%s\n' "$names" | cut -d= -f1 | sort; else printf 'not readable by this user\n'; fi
done
