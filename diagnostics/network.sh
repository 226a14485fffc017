#!/bin/sh
# @description The container's limits and network counters (ECS task metadata, cgroup), interfaces, routes, DNS configuration and resolution of configured names, socket states, TCP connectivity checks to configured host:port pairs (3 s timeouts).
# @timeoutSeconds 90
# @outputCapBytes 2097152
# @tools ip or ifconfig, getent or nslookup, ss or netstat, nc (each optional; /proc is read directly)
# Names and host:port pairs are configured in the container, never sent by a request:
#   ECSDIAG_DNS_NAMES="db.internal api.example.com"  ECSDIAG_CHECK_TARGETS="db.internal:5432 api.example.com:443"
# read from this shell's environment or else from PID 1's environment.

# No pathname expansion: configured names are split into words, never globbed.
set -f
# @include lib/prelude.sh
# Configured lists may be comma- or space-separated.
confl() { conf "$1" | tr ',' ' '; }
safe_host() { case $1 in '' | -* | *[!A-Za-z0-9.:_-]*) return 1 ;; esac; }
# TCP connect with a 3 s timeout: netcat with -z, else busybox nc (-e true closes at once), else bash /dev/tcp.
tcp_check() {
  if have nc && nc -h 2>&1 | grep -q -- ' -z'; then nc -z -w 3 "$1" "$2" </dev/null >/dev/null 2>&1
  elif have nc && nc -h 2>&1 | grep -q -- '-e PROG'; then nc -w 3 "$1" "$2" -e true </dev/null >/dev/null 2>&1
  elif have timeout && have bash; then timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
  else return 127; fi
}

# @include lib/resources.sh
section interfaces
if have ip; then ip addr; elif have ifconfig; then ifconfig -a; else na "ip/ifconfig"; cat /proc/net/dev 2>/dev/null; fi

section routes
if have ip; then ip route; ip -6 route 2>/dev/null; elif have route; then route -n; else na "ip/route"; cat /proc/net/route 2>/dev/null; fi

section "dns configuration"
if [ -r /etc/resolv.conf ]; then grep -vE '^[[:space:]]*(#|$)' /etc/resolv.conf; else na /etc/resolv.conf; fi
if [ -r /etc/hosts ]; then grep -vE '^[[:space:]]*(#|$)' /etc/hosts; fi

section "dns resolution"
region=$(conf AWS_REGION)
case $region in *[!a-z0-9-]* | '') region= ;; esac
names=$(confl ECSDIAG_DNS_NAMES)
[ -n "$region" ] && names="$names ssmmessages.$region.amazonaws.com ecs.$region.amazonaws.com"
[ -n "$names" ] || printf 'no names configured (set ECSDIAG_DNS_NAMES in the task definition)\n'
for n in $names; do
  if ! safe_host "$n"; then printf 'skipped a name with unexpected characters\n'; continue; fi
  printf -- '-- %s\n' "$n"
  if have getent; then lim 10 getent ahosts "$n" || printf 'resolution failed or timed out\n'
  elif have nslookup; then lim 10 nslookup "$n" 2>&1 || printf 'resolution failed or timed out\n'
  elif have host; then lim 10 host "$n" || printf 'resolution failed or timed out\n'
  else na "getent/nslookup/host"; break; fi
done

section "socket states"
if [ -r /proc/net/sockstat ]; then cat /proc/net/sockstat; fi
if [ -r /proc/net/snmp ]; then grep -E '^(Tcp|Udp):' /proc/net/snmp; fi
if have ss; then ss -s; ss -tan 2>/dev/null | tail -n +2 | cut -c1-12 | tr -s ' ' | sort | uniq -c
elif have netstat; then netstat -tan | tail -n +3 | tr -s ' ' | cut -d' ' -f6 | sort | uniq -c
else na "ss/netstat"; fi

section "connectivity checks"
targets=$(confl ECSDIAG_CHECK_TARGETS)
[ -n "$targets" ] || printf 'no host:port pairs configured (set ECSDIAG_CHECK_TARGETS in the task definition)\n'
for t in $targets; do
  h=${t%:*}; p=${t##*:}
  case $p in '' | *[!0-9]*) printf 'skipped an entry that is not host:port\n'; continue ;; esac
  if ! safe_host "$h"; then printf 'skipped a host with unexpected characters\n'; continue; fi
  tcp_check "$h" "$p"; rc=$?
  if [ "$rc" = 127 ]; then na "nc/bash"; break; fi
  if [ "$rc" = 0 ]; then r=open; else r="failed (exit $rc)"; fi
  printf '%s:%s %s\n' "$h" "$p" "$r"
done
