#!/bin/sh
# @description For a memory alarm: the container's memory limit, usage and OOM kills (ECS task metadata, cgroup memory.stat and events), RSS, PSS and swap per process (smaps_rollup), and the runtimes' heap summaries where the image allows (jcmd GC.heap_info and VM.native_memory, a Node diagnostic report).
# @timeoutSeconds 90
# @outputCapBytes 8388608
# @tools curl or wget, jcmd, sed, sort (each optional; /proc and /sys/fs/cgroup are read directly)
# @include lib/prelude.sh
# @include lib/procs.sh
# @include lib/runtimes.sh
snap m
# @include lib/resources.sh
section "cgroup memory breakdown (memory.stat)"
for f in "$cg2/memory.stat" "$cg1m/memory.stat"; do [ -n "${f%/memory.stat}" ] && [ -r "$f" ] && { printf '%s:\n' "$f"; cat "$f"; }; done
section "oom history"
show "$cg2/memory.events" "$cg2/memory.events.local" "$cg1m/memory.oom_control" "$cg1m/memory.failcnt"
printf 'oom kills since boot (whole host, /proc/vmstat): %s\n' "$(grep '^oom_kill ' /proc/vmstat 2>/dev/null | cut -d' ' -f2)"
section "system memory"
grep -E '^(MemTotal|MemAvailable|Cached|SwapTotal|SwapFree|Shmem|Committed_AS|AnonPages):' /proc/meminfo 2>/dev/null
section "memory per process, by rss (rss_kb pss_kb swap_kb anon_kb pid command)"
tab=$(for d in /proc/[0-9]*; do
  p=${d#/proc/}; eval "k=\${fl$p:-}"
  [ "$k" = 0 ] || continue
  r=-; s=-; w=-; a=-
  while read -r n v _; do case $n in Rss:) r=$v ;; Pss:) s=$v ;; Swap:) w=$v ;; Anonymous:) a=$v ;; esac; done 2>/dev/null <"$d/smaps_rollup"
  [ "$r" = - ] && eval "r=\${rs$p:-0}"
  printf '%s %s %s %s %s %s\n' "$r" "$s" "$w" "$a" "$p" "$(cmdof "$p")"
done | srt -k1,1rn -k5,5n)
printf '%s\n' "$tab" | head -n 40
printf '(pss and swap read "-" where smaps_rollup is not readable: kernel older than 4.14 or another user)\n'
# The runtimes among the 5 largest processes.
for p in $(printf '%s\n' "$tab" | head -n 5 | while read -r _ _ _ _ p _; do printf '%s ' "$p"; done); do
  k=$(kind "$p")
  [ -n "$k" ] || continue
  section "$k heap of $p"
  grep -E '^(VmPeak|VmSize|VmHWM|VmRSS|RssAnon|RssFile|VmSwap|Threads):' "/proc/$p/status" 2>/dev/null
  case $k in
    java) jvm "$p" GC.heap_info 'VM.native_memory summary' ;;
    node) nodereport "$p" ;;
    python) printf 'python heap: no external view without attaching a debugger; tracemalloc (PYTHONTRACEMALLOC=1) must be enabled in the process itself\n' ;;
  esac
done
