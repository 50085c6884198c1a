#!/usr/bin/env bash
# Benchmark: the syncer-service TLS endpoint vs redis-server's own TLS port, same redis-server, same run.
#   deploy/bench/endpoint-tls.sh [requests-per-run]
# Starts a one-cluster local suite in its own SUITE_HOME, a redis-server with a plain and a TLS port,
# a bdb (tls_mode enabled) whose backend is that redis-server, then runs redis-benchmark --tls
# (50 clients, SET/GET, -P 1 and -P 16) against both and prints ops/s, p50/p99 and the ratio.
# Everything it starts is stopped on exit. Needs redis-server, redis-benchmark, openssl.
# The endpoint reaches its backend over the redis-server's Unix socket, as the local suite's do
# (BENCH_BACKEND=tcp: over its TCP port instead).
# BENCH_PIPELINES picks the -P values (default "1 16"); BENCH_PERF=1 records the syncer-service with perf
# during each endpoint run (profile kept in /tmp/perf-endpoint-P<p>.data).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${1:-200000}
work=$(mktemp -d /tmp/endpoint-bench.XXXXXX)
export SUITE_HOME="$work/suite"
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  "$repo/deploy/local/suite" down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for tool in redis-server redis-benchmark openssl; do
  command -v $tool >/dev/null || { echo "bench: $tool is required (apt-get install redis-server redis-tools openssl)" >&2; exit 1; }
done

echo "== starting a one-cluster suite (SUITE_SYNCER_ACCEPTORS=${SUITE_SYNCER_ACCEPTORS:-default})"
"$repo/deploy/local/suite" up --clusters 1 > "$work/up.log" || { cat "$work/up.log"; exit 1; }
suite_json="$SUITE_HOME/suite.json"
api=$(sed -n 's/.*"api": {"url": "\([^"]*\)".*/\1/p' "$suite_json")
pw=$(cat "$SUITE_HOME/state/secrets/admin-password")
proxy_cert="$SUITE_HOME/clusters/cluster-a/proxy_cert.pem"

echo "== a redis-server with its own TLS port"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$work/redis.key" -out "$work/redis.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$work/san.ext"
openssl x509 -req -in "$work/redis.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
  -extfile "$work/san.ext" -out "$work/redis.pem" 2>/dev/null
plain=$(shuf -i 20000-29999 -n 1); tls=$(shuf -i 30000-39999 -n 1)
redis-server --port "$plain" --tls-port "$tls" --bind 127.0.0.1 --tls-cert-file "$work/redis.pem" --tls-key-file "$work/redis.key" \
  --tls-ca-cert-file "$work/ca.pem" --tls-auth-clients no --save "" --appendonly no --dir "$work" --logfile "$work/redis.log" \
  --unixsocket "$work/redis.sock" --unixsocketperm 700 &
redis_pid=$!
for _ in $(seq 1 50); do redis-cli -p "$plain" ping >/dev/null 2>&1 && break; sleep 0.1; done

backend="unix:$work/redis.sock"; [ "${BENCH_BACKEND:-unix}" = tcp ] && backend="127.0.0.1:$plain"
echo "== a bdb with tls_mode enabled in front of it (backend $backend)"
bdb=$(curl -sf --cacert "$SUITE_HOME/ca.pem" -u "admin:$pw" -H 'Content-Type: application/json' -X POST "$api/v1/bdbs" \
  -d "{\"name\":\"bench\",\"cluster\":\"cluster-a\",\"backend\":\"$backend\",\"tls_mode\":\"enabled\",\"enforce_client_authentication\":\"disabled\"}")
uid=$(echo "$bdb" | sed -n 's/.*"uid":\([0-9]*\).*/\1/p'); endpoint=$(echo "$bdb" | sed -n 's/.*"port":\([0-9]*\).*/\1/p')
for _ in $(seq 1 100); do
  curl -sf --cacert "$SUITE_HOME/ca.pem" -u "admin:$pw" "$api/v1/bdbs/$uid" | grep -q '"status":"active"' && break; sleep 0.2
done

syncer_pid=$(awk '$1 == "syncer-service-cluster-a" {print $2}' "$SUITE_HOME"/run/processes)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_s() { awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (b - a) / hz}'; }
run() { # port cacert pipeline -> csv lines "test",rps,avg,min,p50,p95,p99,max
  redis-benchmark -h 127.0.0.1 -p "$1" --tls --cacert "$2" -c 50 -n "$n" -P "$3" -t set,get --csv -r 100000 2>/dev/null | tail -n +2
}
echo "== warming the endpoint's JIT up (not measured)"
for p in ${BENCH_PIPELINES:-16 1}; do run "$endpoint" "$proxy_cert" "$p" > /dev/null; done
echo
grep -ho "TLS provider [A-Z]*" "$SUITE_HOME"/logs/syncer-service-cluster-a.log | head -1 || true
echo "redis-benchmark --tls, 50 clients, $n requests per run, $(nproc) cores; endpoint = syncer-service (JVM), native = redis-server --tls-port"
printf '%-5s %-4s %14s %14s %7s %16s %16s\n' test -P "native ops/s" "endpoint ops/s" ratio "native p50/p99" "endpoint p50/p99"
cpu_lines=()
for p in ${BENCH_PIPELINES:-1 16}; do   # e.g. BENCH_PIPELINES=16 for one pipeline depth
  r0=$(ticks "$redis_pid")
  run "$tls" "$work/ca.pem" "$p" > "$work/native.csv"
  r1=$(ticks "$redis_pid"); s1=$(ticks "$syncer_pid")
  if [ "${BENCH_PERF:-0}" = 1 ]; then  # CPU profile of the syncer-service during the endpoint run (perf)
    perf record -g -F 999 -p "$syncer_pid" -o "$work/perf-endpoint-P$p.data" >/dev/null 2>&1 & perf_pid=$!
  fi
  run "$endpoint" "$proxy_cert" "$p" > "$work/endpoint.csv"
  if [ "${BENCH_PERF:-0}" = 1 ]; then
    jcmd "$syncer_pid" Compiler.perfmap >/dev/null 2>&1 || true
    kill -INT "$perf_pid"; wait "$perf_pid" || true
    cp "$work/perf-endpoint-P$p.data" "/tmp/perf-endpoint-P$p.data"; cp "/tmp/perf-$syncer_pid.map" /tmp/ 2>/dev/null || true
    echo "perf profile: perf report -i /tmp/perf-endpoint-P$p.data"
  fi
  r2=$(ticks "$redis_pid"); s2=$(ticks "$syncer_pid")
  cpu_lines+=("-P $p: native redis-server $(cpu_s "$r0" "$r1") s; endpoint run: redis-server $(cpu_s "$r1" "$r2") s + syncer-service $(cpu_s "$s1" "$s2") s")
  for t in SET GET; do
    IFS=, read -r _ nrps _ _ np50 _ np99 _ < <(grep "\"$t\"" "$work/native.csv" | tr -d '"')
    IFS=, read -r _ erps _ _ ep50 _ ep99 _ < <(grep "\"$t\"" "$work/endpoint.csv" | tr -d '"')
    ratio=$(awk -v e="$erps" -v n="$nrps" 'BEGIN { printf "%.2f", e / n }')
    printf '%-5s %-4s %14.0f %14.0f %7s %16s %16s\n' "$t" "$p" "$nrps" "$erps" "${ratio}x" "$np50/$np99 ms" "$ep50/$ep99 ms"
  done
done
echo "CPU seconds per run (SET+GET, $n requests each):"
printf '  %s\n' "${cpu_lines[@]}"
