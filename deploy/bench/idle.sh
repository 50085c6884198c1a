#!/usr/bin/env bash
# Benchmark: what the suite costs when nothing happens. Starts a 3-cluster local suite (no bdbs), waits until
# the JVMs' JIT has settled, then prints each process's CPU over BENCH_SECONDS (default 30) as % of one core.
# Idle cost is what every other workload on the machine (tests, the load generator, a restarting service)
# competes with on 2 cores.
#   deploy/bench/idle.sh
# Everything it starts is stopped on exit.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${BENCH_SECONDS:-30}
work=$(mktemp -d /tmp/idle-bench.XXXXXX)
export SUITE_HOME="$work/suite"
cleanup() { "$repo/deploy/local/suite" down >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
source "$repo/deploy/bench/jit.sh"
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

echo "== starting a 3-cluster suite"
"$repo/deploy/local/suite" up --clusters 3 --fresh > "$work/up.log" || { cat "$work/up.log"; exit 1; }
mapfile -t entries < <(awk '$1 != "" {print $1 "=" $2}' "$SUITE_HOME/run/processes")
pids=(); for e in "${entries[@]}"; do pids+=("${e#*=}"); done
jit_settle "${pids[@]}"
declare -A t0
for e in "${entries[@]}"; do t0[$e]=$(ticks "${e#*=}"); done
s0=$(date +%s.%N); sleep "$secs"; s1=$(date +%s.%N)
total=0
echo "== CPU while idle, over $secs s (% of one core)"
for e in "${entries[@]}"; do
  d=$(( $(ticks "${e#*=}") - t0[$e] )); total=$((total + d))
  awk -v n="${e%%=*}" -v d="$d" -v hz="$hz" -v a="$s0" -v b="$s1" 'BEGIN {printf "   %-28s %5.1f %%\n", n, 100 * d / hz / (b - a)}'
done
awk -v d="$total" -v hz="$hz" -v a="$s0" -v b="$s1" 'BEGIN {printf "   %-28s %5.1f %%\n", "all", 100 * d / hz / (b - a)}'
