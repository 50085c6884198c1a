#!/usr/bin/env bash
# Benchmark: the syncer-service TLS endpoint vs redis-server's own TLS port, same redis-server, same run.
#   deploy/bench/endpoint-tls.sh [requests-per-run]
# Starts a one-cluster local suite in its own SUITE_HOME, a redis-server with a plain and a TLS port,
# a bdb (tls_mode enabled) whose backend is that redis-server, then runs redis-benchmark --tls
# (50 clients, SET/GET, -P 1 and -P 16) against both and prints ops/s, p50/p99 and the ratio.
# Everything it starts is stopped on exit. Needs redis-server, redis-benchmark, redis-cli, openssl, /usr/bin/time.
# The endpoint reaches its backend over the redis-server's Unix socket, as the local suite's do
# (BENCH_BACKEND=tcp: over its TCP port instead).
# It warms the syncer-service's JIT up (mixed SET/GET at every -P) until a whole warm-up compiles nothing new
# (a perf profile of an unwarmed syncer showed C2 with more samples than the event loops during a measured
# run; native Redis has no JIT).
# Each -P runs BENCH_ROUNDS times (default 3), the two sides taking turns going first; the summary is the
# median ratio (this machine's native numbers alone vary by ±15 % from run to run).
# BENCH_PIPELINES picks the -P values (default "1 16"); BENCH_PERF=1 records the syncer-service with perf
# during each endpoint run (profile kept in /tmp/perf-endpoint-P<p>.data; BENCH_PERF_ARGS, default
# "-g -F 999", e.g. "-e raw_syscalls:sys_enter" to count system calls); BENCH_KEEP=1 keeps the suite's logs.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${1:-200000}
work=$(mktemp -d /tmp/endpoint-bench.XXXXXX)
export SUITE_HOME="$work/suite"
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  "$repo/deploy/local/suite" down >/dev/null 2>&1 || true
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: logs kept in $work/suite/logs"; else rm -rf "$work"; fi
}
trap cleanup EXIT
for tool in redis-server redis-benchmark redis-cli openssl /usr/bin/time; do
  command -v $tool >/dev/null || { echo "bench: $tool is required (apt-get install redis-server redis-tools openssl time)" >&2; exit 1; }
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
reads() { redis-cli -p "$plain" info stats 2>/dev/null | tr -d '\r' | awk -F: '$1 == "total_reads_processed" {print $2}' || echo 0; }
sys_ticks() { awk '{print $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_s() { awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (b - a) / hz}'; }
run() { # port cacert pipeline -> csv lines "test",rps,avg,min,p50,p95,p99,max
  /usr/bin/time -f '%U %S %e' -o "$work/time" \
    redis-benchmark -h 127.0.0.1 -p "$1" --tls --cacert "$2" -c 50 -n "$n" -P "$3" -t set,get --csv -r 100000 2>/dev/null | tail -n +2
}
# The warm-up load mixes SET and GET at once (two redis-benchmarks side by side), as real traffic does: warmed up
# with SET, then GET, alone, C2 compiled the request framer and reply scanner for one command shape, and the first
# run of the other shape hit untaken branches — PrintCompilation showed them "made not entrant" at the start of a
# measured SET run, recompiled during it (C2 had more perf samples than the event loops; SET measured 0.49-0.58x).
warm_n=$((n < 200000 ? n : 200000)) # per warm-up load: jit_warm repeats it, and gives up after 120 s
warm_up() { # pipeline
  redis-benchmark -h 127.0.0.1 -p "$endpoint" --tls --cacert "$proxy_cert" -c 25 -n "$warm_n" -P "$1" -t set -r 100000 -q > /dev/null 2>&1 &
  local setter=$!
  redis-benchmark -h 127.0.0.1 -p "$endpoint" --tls --cacert "$proxy_cert" -c 25 -n "$warm_n" -P "$1" -t get -r 100000 -q > /dev/null 2>&1
  wait "$setter"
}
warm_all() { for p in ${BENCH_PIPELINES:-16 1}; do warm_up "$p"; done; }
echo "== warming the endpoint's JIT up with mixed SET/GET (not measured) until a whole warm-up compiles nothing new"
. "$repo/deploy/bench/jit.sh"
jit_warm "$syncer_pid" warm_all
echo
grep -ho "TLS provider [A-Z]*" "$SUITE_HOME"/logs/syncer-service-cluster-a.log | head -1 || true
rounds=${BENCH_ROUNDS:-3}
echo "redis-benchmark --tls, 50 clients, $n requests per run, $rounds rounds, $(nproc) cores; endpoint = syncer-service (JVM), native = redis-server --tls-port"
printf '%-5s %-4s %-5s %14s %14s %7s %16s %16s\n' test -P round "native ops/s" "endpoint ops/s" ratio "native p50/p99" "endpoint p50/p99"
cpu_lines=()
: > "$work/ratios"
measure() { # side port cacert pipeline: one run, its CPU ticks added up per side
  local reads0; reads0=$(reads)
  local r0 s0 rk0 sk0; r0=$(ticks "$redis_pid"); s0=$(ticks "$syncer_pid"); rk0=$(sys_ticks "$redis_pid"); sk0=$(sys_ticks "$syncer_pid")
  # with BENCH_KEEP=1 the syncer's uptime at each run's start and end, to find the run in a JIT log
  [ "${BENCH_KEEP:-0}" = 1 ] && echo "   $1 -P $4 starts at syncer uptime $(jcmd "$syncer_pid" VM.uptime 2>/dev/null | tail -1)" >&2
  if [ "$1" = endpoint ] && [ "${BENCH_PERF:-0}" = 1 ]; then  # CPU profile of the syncer-service during the endpoint run (perf)
    perf record ${BENCH_PERF_ARGS:--g -F 999} -p "$syncer_pid" -o "$work/perf-endpoint-P$4.data" >/dev/null 2>&1 & perf_pid=$!
  fi
  run "$2" "$3" "$4" > "$work/$1.csv"
  [ "${BENCH_KEEP:-0}" = 1 ] && echo "   $1 -P $4 ends at syncer uptime $(jcmd "$syncer_pid" VM.uptime 2>/dev/null | tail -1)" >&2
  if [ "$1" = endpoint ] && [ "${BENCH_PERF:-0}" = 1 ]; then
    jcmd "$syncer_pid" Compiler.perfmap >/dev/null 2>&1 || true
    kill -INT "$perf_pid"; wait "$perf_pid" || true
    cp "$work/perf-endpoint-P$4.data" "/tmp/perf-endpoint-P$4.data"; cp "/tmp/perf-$syncer_pid.map" /tmp/ 2>/dev/null || true
  fi
  local reads1; reads1=$(reads)
  local dr=$(($(ticks "$redis_pid") - r0)) ds=$(($(ticks "$syncer_pid") - s0))
  local drk=$(($(sys_ticks "$redis_pid") - rk0)) dsk=$(($(sys_ticks "$syncer_pid") - sk0))
  if [ "$1" = native ]; then native_redis=$((native_redis + dr)); else
    ep_redis=$((ep_redis + dr)); ep_syncer=$((ep_syncer + ds)); fi
  # this run's CPU per request (µs) of every process on the path, and how many of the cores they kept busy
  read -r bu bs el < "$work/time"
  cpu_run[$1]=$(awk -v side="$1" -v r="$dr" -v s="$ds" -v rk="$drk" -v sk="$dsk" -v bu="$bu" -v bs="$bs" -v el="$el" -v hz="$(getconf CLK_TCK)" -v n=$((2 * n)) 'BEGIN {
    us = 1e6 / n; b = (bu + bs) * us; rr = r / hz * us; ss = s / hz * us
    rs = r ? sprintf("%d%%", 100 * rk / r) : "-"; bsys = bu + bs ? sprintf("%d%%", 100 * bs / (bu + bs)) : "-"
    if (side == "native") printf "redis %.1f (sys %s) + bench %.1f (sys %s)", rr, rs, b, bsys
    else printf "syncer %.1f (sys %s) + redis %.1f (sys %s) + bench %.1f (sys %s)", ss, s ? sprintf("%d%%", 100 * sk / s) : "-", rr, rs, b, bsys
    printf " (%.2f cores)", (r / hz + (side == "native" ? 0 : s / hz) + bu + bs) / el }')
  # commands per read in redis-server: how well the endpoint's shared connections batch (native: the -P)
  cpu_run[$1]+=$(awk -v n=$((2 * n)) -v d=$((reads1 - reads0)) 'BEGIN { if (d > 0) printf ", %.1f commands/read", n / d }')
}
declare -A cpu_run
for p in ${BENCH_PIPELINES:-1 16}; do   # e.g. BENCH_PIPELINES=16 for one pipeline depth
  native_redis=0 ep_redis=0 ep_syncer=0
  for round in $(seq 1 "$rounds"); do
    # The two sides take turns going first: a drift of the machine's speed within a round favours neither.
    if [ $((round % 2)) = 1 ]; then
      measure native "$tls" "$work/ca.pem" "$p"; measure endpoint "$endpoint" "$proxy_cert" "$p"
    else
      measure endpoint "$endpoint" "$proxy_cert" "$p"; measure native "$tls" "$work/ca.pem" "$p"
    fi
    for t in SET GET; do
      IFS=, read -r _ nrps _ _ np50 _ np99 _ < <(grep "\"$t\"" "$work/native.csv" | tr -d '"')
      IFS=, read -r _ erps _ _ ep50 _ ep99 _ < <(grep "\"$t\"" "$work/endpoint.csv" | tr -d '"')
      ratio=$(awk -v e="$erps" -v n="$nrps" 'BEGIN { printf "%.2f", e / n }')
      printf '%-5s %-4s %-5s %14.0f %14.0f %7s %16s %16s\n' "$t" "$p" "$round" "$nrps" "$erps" "${ratio}x" "$np50/$np99 ms" "$ep50/$ep99 ms"
      echo "$t $p $ratio" >> "$work/ratios"
    done
    echo "      CPU µs/request  native: ${cpu_run[native]}  endpoint: ${cpu_run[endpoint]}"
  done
  [ "${BENCH_PERF:-0}" = 1 ] && echo "perf profile (last endpoint run): perf report -i /tmp/perf-endpoint-P$p.data"
  cpu_lines+=("-P $p: native redis-server $(cpu_s 0 "$native_redis") s; endpoint runs: redis-server $(cpu_s 0 "$ep_redis") s + syncer-service $(cpu_s 0 "$ep_syncer") s")
done
echo "endpoint / native, median of the $rounds rounds (range):"
sort -k1,1 -k2,2n -k3,3n "$work/ratios" | awk '
  { key = $1 " -P " $2; v[key, ++c[key]] = $3; if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
  END { for (i = 1; i <= k; i++) { key = order[i]; n = c[key];
          m = n % 2 ? v[key, (n + 1) / 2] : (v[key, n / 2] + v[key, n / 2 + 1]) / 2;
          printf "  %-10s %.2fx  (%.2f-%.2f)\n", key, m, v[key, 1], v[key, n] } }'
echo "CPU seconds, all rounds (SET+GET, $n requests per run):"
printf '  %s\n' "${cpu_lines[@]}"
