# Shared by every catalog script (inlined by build/generate-catalog.ts).
have() { command -v "$1" >/dev/null 2>&1; }
section() { printf '\n===== %s =====\n' "$1"; }
na() { printf '%s: not available in this image\n' "$1"; }
# Bounds a tool that can block forever (KILL, which also ends a process waiting on a hung mount); where the image
# has no timeout that takes plain seconds, the tool runs unbounded and the run's own deadline stops it.
if have timeout && timeout -s KILL 1 true >/dev/null 2>&1; then lim() { timeout -s KILL "$@"; }; else lim() { shift; "$@"; }; fi
# A setting of the container (task definition environment): this shell's environment, else PID 1's.
envof() { tr '\000' '\n' 2>/dev/null <"/proc/$1/environ" | grep -E "^$2=" | head -n 1 | cut -d= -f2-; }
conf() { v=$(envof "$$" "$1"); [ -n "$v" ] || v=$(envof 1 "$1"); printf '%s' "$v"; }
# Our own shells, shown as one label instead of the script text.
me=$(tr '\000\n' '  ' 2>/dev/null <"/proc/$$/cmdline")
cmdof() {
  c=$(tr '\000\n' '  ' 2>/dev/null <"/proc/$1/cmdline")
  case $c in "$me" | *__ECSDIAG_RC_*) c='[ecs-diag: this diagnostic script]' ;; '') c="[$(cat "/proc/$1/comm" 2>/dev/null)]" ;; esac
  printf '%.300s' "$c"
}
