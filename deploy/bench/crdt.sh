#!/usr/bin/env bash
# Benchmark (issue 19): a convergent CRDB instance against a plain bdb, in the same run.
#   deploy/bench/crdt.sh [requests]   (default 200000 per redis-benchmark test)
# Starts a 2-cluster local suite with convergent syncer-services (SUITE_CRDT_CONVERGENT=true) in its own SUITE_HOME,
# a plain bdb and a CRDB (instances on cluster-a and cluster-b) without TLS, then:
#  1. endpoint ops/s: redis-benchmark -t set,get,incr, 50 clients, -P 1 and -P 16, against the plain bdb's endpoint and
#     the CRDB instance's on cluster-a, in BENCH_ROUNDS rounds (default 3) taking turns going first; the median of each
#     and the ratio CRDB / plain; CPU per request (syncer-service-cluster-a plus the bdb's redis-server, and the
#     whole machine: the load generator shares the two cores).
#  2. channel throughput: a SET load at the source endpoint until the destination has all of it (ReplicationProbe
#     catchup, 16 clients, pipeline 8): the CRDB's channel cluster-a -> cluster-b against a Replica Of channel
#     (the plain bdb -> a bdb on cluster-b), BENCH_ROUNDS rounds.
#  3. memory per key: BENCH_KEYS (default 100000) strings of 16 bytes, counters, 4-field hashes and 4-member sets
#     written to both; used_memory growth per key, CRDB - plain = the convergence state's cost.
# Everything it starts is stopped on exit (BENCH_KEEP=1 keeps the logs).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${1:-200000}
rounds=${BENCH_ROUNDS:-3}
keys=${BENCH_KEYS:-100000}
work=$(mktemp -d /tmp/crdt-bench.XXXXXX)
export SUITE_HOME="$work/suite" SUITE_CRDT_CONVERGENT=true
cleanup() {
  "$repo/deploy/local/suite" down >/dev/null 2>&1 || true
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: logs kept in $work/suite/logs"; else rm -rf "$work"; fi
}
trap cleanup EXIT
for tool in redis-benchmark redis-cli curl jq java python3; do
  command -v $tool >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done
probe() { java "$repo/deploy/bench/ReplicationProbe.java" "$@"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
machine() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
hz=$(getconf CLK_TCK)
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "== a 2-cluster suite, convergent"
"$repo/deploy/local/suite" up --clusters 2 --fresh > "$work/up.log" || { cat "$work/up.log"; exit 1; }
api=$(jq -r .api.url "$SUITE_HOME/suite.json")
pw=$(cat "$SUITE_HOME/state/secrets/admin-password")
call() { curl -sf --cacert "$SUITE_HOME/ca.pem" -u "admin:$pw" -H 'Content-Type: application/json' "$@"; }
await_task() { local s; for _ in $(seq 1 600); do s=$(call "$api/v1/crdb_tasks/$1" | jq -r .status); [ "$s" = finished ] && return 0
  [ "$s" = failed ] && { echo "bench: task $1 failed" >&2; exit 1; }; sleep 0.2; done; echo "bench: task $1 not finished" >&2; exit 1; }
redis_pid() { cat "$(find "$SUITE_HOME" -path "*bdb-$1/*" -name 'redis.pid' | head -1)"; }

plain=$(call -X POST "$api/v1/bdbs" -d '{"name":"bench-plain","memory_size":2147483648}')
plain_uid=$(jq -r .uid <<<"$plain"); plain_port=$(jq -r '.endpoints[0].port' <<<"$plain")
task=$(call -X POST "$api/v1/crdbs" -d '{"name":"bench-crdb","encryption":false,"default_db_config":{"memory_size":2147483648},"instances":[{"cluster":{"name":"cluster-a"}},{"cluster":{"name":"cluster-b"}}]}')
await_task "$(jq -r .id <<<"$task")"
guid=$(jq -r .crdb_guid <<<"$task")
crdb=$(call "$api/v1/crdbs/$guid")
crdb_a_uid=$(jq -r '.instances[] | select(.cluster.name == "cluster-a") | .db_uid' <<<"$crdb")
crdb_b_uid=$(jq -r '.instances[] | select(.cluster.name == "cluster-b") | .db_uid' <<<"$crdb")
crdb_a_port=$(call "$api/v1/bdbs/$crdb_a_uid" | jq -r '.endpoints[0].port')
crdb_b_port=$(call "$api/v1/bdbs/$crdb_b_uid" | jq -r '.endpoints[0].port')
replica=$(call -X POST "$api/v1/bdbs" -d "{\"name\":\"bench-replica\",\"cluster\":\"cluster-b\",\"memory_size\":2147483648,\"replica_sources\":[{\"uri\":\"redis://127.0.0.1:$plain_port\"}]}")
replica_port=$(jq -r '.endpoints[0].port' <<<"$replica")
for p in "$plain_port" "$crdb_a_port" "$crdb_b_port" "$replica_port"; do
  until [ "$(redis-cli -p "$p" ping 2>/dev/null)" = PONG ]; do sleep 0.2; done
done
syncer_a=$(awk '$1 == "syncer-service-cluster-a" {print $2}' "$SUITE_HOME"/run/processes)
for uid in "$plain_uid" "$crdb_a_uid"; do until [ -n "$(find "$SUITE_HOME" -path "*bdb-$uid/*" -name redis.pid 2>/dev/null)" ]; do sleep 0.2; done; done
plain_redis=$(redis_pid "$plain_uid"); crdb_redis=$(redis_pid "$crdb_a_uid")
echo "   plain bdb $plain_uid on :$plain_port (redis-server $plain_redis), CRDB $guid: cluster-a :$crdb_a_port (redis-server $crdb_redis), cluster-b :$crdb_b_port; Replica Of of the plain bdb on cluster-b :$replica_port"
echo "   (the syncer-services warm up: one unmeasured pass of every load first)"

# bench <port> <redis-pid> <test> <pipeline> -> "ops cpu_us_per_request(syncer+redis) machine_us_per_request"
bench() {
  local port=$1 rpid=$2 t=$3 p=$4 s0 r0 m0 out ops
  s0=$(ticks "$syncer_a"); r0=$(ticks "$rpid"); m0=$(machine)
  out=$(redis-benchmark -p "$port" -c 50 -n "$n" -P "$p" -r 100000 -t "$t" -q 2>/dev/null | tr '\r' '\n' | grep -E 'requests per second' | tail -1)
  ops=$(sed -E 's/.*: ([0-9.]+) requests per second.*/\1/' <<<"$out")
  awk -v ops="$ops" -v n="$n" -v s="$(( $(ticks "$syncer_a") - s0 + $(ticks "$rpid") - r0 ))" -v m="$(( $(machine) - m0 ))" -v hz="$hz" \
    'BEGIN {printf "%.0f %.2f %.2f\n", ops, s / hz * 1e6 / n, m / hz * 1e6 / n}'
}
for t in set get incr; do for p in 1 16; do bench "$plain_port" "$plain_redis" "$t" "$p" > /dev/null; bench "$crdb_a_port" "$crdb_redis" "$t" "$p" > /dev/null; done; done

echo
echo "== 1/3 endpoint ops/s, $n requests per test, 50 clients, $rounds rounds"
declare -A res
for r in $(seq 1 "$rounds"); do
  for t in set get incr; do for p in 1 16; do
    if [ $((r % 2)) = 1 ]; then order="plain crdb"; else order="crdb plain"; fi
    for side in $order; do
      if [ $side = plain ]; then line=$(bench "$plain_port" "$plain_redis" "$t" "$p"); else line=$(bench "$crdb_a_port" "$crdb_redis" "$t" "$p"); fi
      res[$side.$t.$p]+="$line"$'\n'
    done
  done; done
  echo "   round $r done"
done
printf '   %-14s %12s %12s %8s %22s %22s\n' test plain CRDB ratio "CPU us/req plain (mach)" "CPU us/req CRDB (mach)"
for t in set get incr; do for p in 1 16; do
  pl=$(printf '%s' "${res[plain.$t.$p]}" | awk '{print $1}' | median); cr=$(printf '%s' "${res[crdb.$t.$p]}" | awk '{print $1}' | median)
  plc=$(printf '%s' "${res[plain.$t.$p]}" | awk '{print $2}' | median); crc=$(printf '%s' "${res[crdb.$t.$p]}" | awk '{print $2}' | median)
  plm=$(printf '%s' "${res[plain.$t.$p]}" | awk '{print $3}' | median); crm=$(printf '%s' "${res[crdb.$t.$p]}" | awk '{print $3}' | median)
  printf '   %-14s %12.0f %12.0f %7.2fx %14.2f (%5.2f) %14.2f (%5.2f)\n' "${t^^} -P $p" "$pl" "$cr" "$(awk -v a="$cr" -v b="$pl" 'BEGIN {print a / b}')" "$plc" "$plm" "$crc" "$crm"
done; done

echo
echo "== 2/3 channel throughput: SET load at the source until the destination has it all, $rounds rounds"
chan() { probe catchup "$1" "$2" "$n" 16 8 | sed -n 's/RESULT ops_per_s=//p'; }
chan "$plain_port" "$replica_port" > /dev/null; chan "$crdb_a_port" "$crdb_b_port" > /dev/null   # warm-up
cr=(); rp=()
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then rp+=("$(chan "$plain_port" "$replica_port")"); cr+=("$(chan "$crdb_a_port" "$crdb_b_port")")
  else cr+=("$(chan "$crdb_a_port" "$crdb_b_port")"); rp+=("$(chan "$plain_port" "$replica_port")"); fi
  echo "   round $r: Replica Of ${rp[-1]} ops/s, CRDB ${cr[-1]} ops/s"
done
rpm=$(printf '%s\n' "${rp[@]}" | median); crm=$(printf '%s\n' "${cr[@]}" | median)
printf '   median: Replica Of %.0f ops/s, CRDB (convergent) %.0f ops/s: %.2fx\n' "$rpm" "$crm" "$(awk -v a="$crm" -v b="$rpm" 'BEGIN {print a / b}')"

echo
echo "== 3/3 memory per key ($keys keys of each kind)"
used() { redis-cli -p "$1" info memory | tr -d '\r' | sed -n 's/^used_memory://p'; }
load() { # <port> <kind>: the keys as one pipe of commands
  python3 - "$2" "$keys" <<'PY' | redis-cli -p "$1" --pipe > /dev/null
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def cmd(*a):
    out.write(b"*%d\r\n" % len(a))
    for x in a:
        x = x.encode() if isinstance(x, str) else x
        out.write(b"$%d\r\n%s\r\n" % (len(x), x))
for i in range(n):
    k = "mem:%s:%d" % (kind, i)
    if kind == "string": cmd("SET", k, "v" * 16)
    elif kind == "counter": cmd("INCRBY", k, "7")
    elif kind == "hash": cmd("HSET", k, "f1", "v" * 16, "f2", "v" * 16, "f3", "v" * 16, "f4", "v" * 16)
    else: cmd("SADD", k, "m1", "m2", "m3", "m4")
PY
}
printf '   %-8s %16s %16s %18s\n' kind "plain B/key" "CRDB B/key" "state B/key"
for kind in string counter hash set; do
  p0=$(used "$plain_port"); c0=$(used "$crdb_a_port")
  load "$plain_port" "$kind"; load "$crdb_a_port" "$kind"
  p1=$(used "$plain_port"); c1=$(used "$crdb_a_port")
  awk -v k="$kind" -v p=$(( p1 - p0 )) -v c=$(( c1 - c0 )) -v n="$keys" \
    'BEGIN {printf "   %-8s %16.0f %16.0f %18.0f\n", k, p / n, c / n, (c - p) / n}'
done
echo
echo "(machine: $(nproc) cores; redis-benchmark, the suite and Redis share them)"
