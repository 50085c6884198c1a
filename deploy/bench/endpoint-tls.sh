#!/usr/bin/env bash
# Benchmark: the syncer-service TLS endpoint vs redis-server's own TLS port, same redis-server, same run.
#   deploy/bench/endpoint-tls.sh [requests-per-run]
# Starts a one-cluster local suite in its own SUITE_HOME, a redis-server with a plain and a TLS port,
# a bdb (tls_mode enabled) whose backend is that redis-server, then runs redis-benchmark --tls
# (50 clients, SET/GET, -P 1 and -P 16) against both and prints ops/s, p50/p99 and the ratio.
# Everything it starts is stopped on exit. Needs redis-server, redis-benchmark, redis-cli, openssl, /usr/bin/time.
# The endpoint reaches its backend over the redis-server's Unix socket, as the local suite's do
# (BENCH_BACKEND=tcp: over its TCP port instead).
# BENCH_BASELINE=<git revision>: also builds that revision (git archive into /tmp/endpoint-bench-baseline-<rev>,
# kept for the next run) and starts a second one-cluster suite from it, whose endpoint fronts the same
# redis-server; every round then measures all three (native, this tree's endpoint, the baseline's endpoint),
# taking turns going first, and the summary adds endpoint ÷ baseline per round. Comparing builds in one run is
# the only comparison that holds here: this machine's speed drifts by ±15 % between runs minutes apart.
# It warms each syncer-service's JIT up (mixed SET/GET at every -P) until a whole warm-up compiles nothing new
# (a perf profile of an unwarmed syncer showed C2 with more samples than the event loops during a measured
# run; native Redis has no JIT).
# Each -P runs BENCH_ROUNDS times (default 3), the sides taking turns going first; the summary is the
# median ratio (this machine's native numbers alone vary by ±15 % from run to run).
# BENCH_CLUSTER_TLS=<json>: PUT /v1/cluster with it on this tree's suite before measuring (with BENCH_BASELINE=HEAD, a
# same-run comparison of those settings against the defaults).
# BENCH_PIPELINES picks the -P values (default "1 16"); BENCH_PERF=1 records each syncer-service with perf
# during its endpoint runs (profile kept in /tmp/perf-<side>-P<p>.data; BENCH_PERF_ARGS, default
# "-g -F 999", e.g. "-e raw_syscalls:sys_enter" to count system calls); BENCH_KEEP=1 keeps the suites' logs.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${1:-200000}
work=$(mktemp -d /tmp/endpoint-bench.XXXXXX)
redis_pid=""
baseline=${BENCH_BASELINE:-}
sides=(native endpoint); [ -n "$baseline" ] && sides+=(baseline)
declare -A home=() code=() port=() cert=() syncer=()
code[endpoint]=$repo
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  local s
  for s in "${!home[@]}"; do SUITE_HOME=${home[$s]} "${code[$s]}/deploy/local/suite" down >/dev/null 2>&1 || true; done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: logs kept in $work/*/logs"; else rm -rf "$work"; fi
}
trap cleanup EXIT
for tool in redis-server redis-benchmark redis-cli openssl /usr/bin/time; do
  command -v $tool >/dev/null || { echo "bench: $tool is required (apt-get install redis-server redis-tools openssl time)" >&2; exit 1; }
done

if [ -n "$baseline" ]; then
  rev=$(git -C "$repo" rev-parse --short "$baseline^{commit}")
  code[baseline]=/tmp/endpoint-bench-baseline-$rev
  if [ ! -f "${code[baseline]}/.built" ]; then
    echo "== building the baseline $rev in ${code[baseline]}"
    rm -rf "${code[baseline]}"; mkdir -p "${code[baseline]}"
    git -C "$repo" archive "$rev" | tar -x -C "${code[baseline]}"
    (cd "${code[baseline]}" && ./mvnw -B -q package -DskipTests > build.log 2>&1) || { tail -30 "${code[baseline]}/build.log"; exit 1; }
    touch "${code[baseline]}/.built"
  fi
fi

for s in "${sides[@]:1}"; do
  home[$s]=$work/$s
  echo "== starting a one-cluster suite for the $s side from ${code[$s]} (SUITE_SYNCER_ACCEPTORS=${SUITE_SYNCER_ACCEPTORS:-default})"
  SUITE_HOME=${home[$s]} "${code[$s]}/deploy/local/suite" up --clusters 1 > "$work/up-$s.log" || { cat "$work/up-$s.log"; exit 1; }
done

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
port[native]=$tls; cert[native]=$work/ca.pem; syncer[native]=""

backend="unix:$work/redis.sock"; [ "${BENCH_BACKEND:-unix}" = tcp ] && backend="127.0.0.1:$plain"
for s in "${sides[@]:1}"; do
  h=${home[$s]}
  echo "== $s: a bdb with tls_mode enabled in front of it (backend $backend)"
  api=$(jq -r .api.url "$h/suite.json")
  pw=$(cat "$h/state/secrets/admin-password")
  # its own port: each suite's coordinator would give its first bdb the same one
  want=$([ "$s" = endpoint ] && shuf -i 40000-44999 -n 1 || shuf -i 45000-49999 -n 1)
  bdb=$(curl -sf --cacert "$h/ca.pem" -u "admin:$pw" -H 'Content-Type: application/json' -X POST "$api/v1/bdbs" \
    -d "{\"name\":\"bench\",\"port\":$want,\"cluster\":\"cluster-a\",\"backend\":\"$backend\",\"tls_mode\":\"enabled\",\"enforce_client_authentication\":\"disabled\"}")
  uid=$(echo "$bdb" | sed -n 's/.*"uid":\([0-9]*\).*/\1/p'); port[$s]=$(echo "$bdb" | sed -n 's/.*"port":\([0-9]*\).*/\1/p')
  for _ in $(seq 1 100); do
    curl -sf --cacert "$h/ca.pem" -u "admin:$pw" "$api/v1/bdbs/$uid" | grep -q '"status":"active"' && break; sleep 0.2
  done
  [ "${port[$s]}" = "$want" ] || { echo "bench: the $s bdb was not made: $bdb" >&2; exit 1; }
  cert[$s]=$h/clusters/cluster-a/proxy_cert.pem
  syncer[$s]=$(awk '$1 == "syncer-service-cluster-a" {print $2}' "$h/run/processes")
  if [ -n "${BENCH_CLUSTER_TLS:-}" ] && [ "$s" = endpoint ]; then
    # RE's cluster TLS settings for this tree's suite only (the baseline keeps the defaults): e.g.
    # '{"data_cipher_suites_tls_1_3": "TLS_AES_256_GCM_SHA384"}', which BoringSSL cannot do (the JDK's TLS then)
    log=$h/logs/syncer-service-cluster-a.log
    before=$(grep -c 'endpoint TLS context' "$log" || true)
    curl -sf --cacert "$h/ca.pem" -u "admin:$pw" -H 'Content-Type: application/json' -X PUT "$api/v1/cluster" -d "$BENCH_CLUSTER_TLS" >/dev/null
    for _ in $(seq 1 100); do [ "$(grep -c 'endpoint TLS context' "$log" || true)" -gt "$before" ] && break; sleep 0.2; done
    echo "   cluster TLS settings $BENCH_CLUSTER_TLS: $(grep 'endpoint TLS context' "$log" | tail -1 | sed 's/.*(TLS provider/(TLS provider/')"
  fi
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
reads() { redis-cli -p "$plain" info stats 2>/dev/null | tr -d '\r' | awk -F: '$1 == "total_reads_processed" {print $2}' || echo 0; }
sys_ticks() { awk '{print $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_s() { awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (b - a) / hz}'; }
run() { # port cacert pipeline -> csv lines "test",rps,avg,min,p50,p95,p99,max
  /usr/bin/time -f '%U %S %e' -o "$work/time" \
    timeout 900 redis-benchmark -h 127.0.0.1 -p "$1" --tls --cacert "$2" -c 50 -n "$n" -P "$3" -t set,get --csv -r 100000 2>/dev/null | tail -n +2
}
# The warm-up load mixes SET and GET at once (two redis-benchmarks side by side), as real traffic does: warmed up
# with SET, then GET, alone, C2 compiled the request framer and reply scanner for one command shape, and the first
# run of the other shape hit untaken branches — PrintCompilation showed them "made not entrant" at the start of a
# measured SET run, recompiled during it (C2 had more perf samples than the event loops; SET measured 0.49-0.58x).
warm_n=$((n < 200000 ? n : 200000)) # per warm-up load: jit_warm repeats it, and gives up after 120 s
warm_up() { # side pipeline
  timeout 300 redis-benchmark -h 127.0.0.1 -p "${port[$1]}" --tls --cacert "${cert[$1]}" -c 25 -n "$warm_n" -P "$2" -t set -r 100000 -q > /dev/null 2>&1 &
  local setter=$!
  timeout 300 redis-benchmark -h 127.0.0.1 -p "${port[$1]}" --tls --cacert "${cert[$1]}" -c 25 -n "$warm_n" -P "$2" -t get -r 100000 -q > /dev/null 2>&1
  wait "$setter"
}
warm_all() { local p; for p in ${BENCH_PIPELINES:-16 1}; do warm_up "$1" "$p"; done; }
. "$repo/deploy/bench/jit.sh"
for s in "${sides[@]:1}"; do
  echo "== warming the $s side's JIT up with mixed SET/GET (not measured) until a whole warm-up compiles nothing new"
  jit_warm "${syncer[$s]}" warm_all "$s"
  grep -ho "TLS provider [A-Z]*" "${home[$s]}"/logs/syncer-service-cluster-a.log | head -1 || true
done
echo
rounds=${BENCH_ROUNDS:-3}
echo "redis-benchmark --tls, 50 clients, $n requests per run, $rounds rounds, $(nproc) cores; endpoint = syncer-service (JVM) of this tree,${baseline:+ baseline = syncer-service of $rev,} native = redis-server --tls-port"
cols=""; for s in "${sides[@]}"; do cols+=$(printf ' %14s' "$s ops/s"); done
for s in "${sides[@]:1}"; do cols+=$(printf ' %9s' "$s"); done
[ -n "$baseline" ] && cols+=$(printf ' %9s' "ep÷base")
printf '%-4s %-3s %-5s%s   p50/p99 ms (%s)\n' test -P round "$cols" "${sides[*]}"
cpu_lines=()
: > "$work/ratios"
declare -A cpu_run=() redis_cpu=() syncer_cpu=()
measure() { # side pipeline: one run, its CPU ticks added up per side
  local side=$1 p=$2 spid=${syncer[$1]} reads0 r0 s0=0 rk0 sk0=0
  reads0=$(reads); r0=$(ticks "$redis_pid"); rk0=$(sys_ticks "$redis_pid")
  [ -n "$spid" ] && { s0=$(ticks "$spid"); sk0=$(sys_ticks "$spid"); }
  # with BENCH_KEEP=1 the syncer's uptime at each run's start and end, to find the run in a JIT log
  [ -n "$spid" ] && [ "${BENCH_KEEP:-0}" = 1 ] && echo "   $side -P $p starts at syncer uptime $(jcmd "$spid" VM.uptime 2>/dev/null | tail -1)" >&2
  if [ -n "$spid" ] && [ "${BENCH_PERF:-0}" = 1 ]; then  # CPU profile of the syncer-service during the endpoint run (perf)
    perf record ${BENCH_PERF_ARGS:--g -F 999} -p "$spid" -o "$work/perf-$side-P$p.data" >/dev/null 2>&1 & perf_pid=$!
  fi
  run "${port[$side]}" "${cert[$side]}" "$p" > "$work/$side.csv"
  [ -n "$spid" ] && [ "${BENCH_KEEP:-0}" = 1 ] && echo "   $side -P $p ends at syncer uptime $(jcmd "$spid" VM.uptime 2>/dev/null | tail -1)" >&2
  if [ -n "$spid" ] && [ "${BENCH_PERF:-0}" = 1 ]; then
    jcmd "$spid" Compiler.perfmap >/dev/null 2>&1 || true
    kill -INT "$perf_pid"; wait "$perf_pid" || true
    cp "$work/perf-$side-P$p.data" "/tmp/perf-$side-P$p.data"; cp "/tmp/perf-$spid.map" /tmp/ 2>/dev/null || true
  fi
  local reads1; reads1=$(reads)
  local dr=$(($(ticks "$redis_pid") - r0)) drk=$(($(sys_ticks "$redis_pid") - rk0)) ds=0 dsk=0
  [ -n "$spid" ] && { ds=$(($(ticks "$spid") - s0)); dsk=$(($(sys_ticks "$spid") - sk0)); }
  redis_cpu[$side]=$(( ${redis_cpu[$side]:-0} + dr )); syncer_cpu[$side]=$(( ${syncer_cpu[$side]:-0} + ds ))
  # this run's CPU per request (µs) of every process on the path, and how many of the cores they kept busy
  read -r bu bs el < "$work/time"
  cpu_run[$side]=$(awk -v side="$side" -v r="$dr" -v s="$ds" -v rk="$drk" -v sk="$dsk" -v bu="$bu" -v bs="$bs" -v el="$el" -v hz="$(getconf CLK_TCK)" -v n=$((2 * n)) 'BEGIN {
    us = 1e6 / n; b = (bu + bs) * us; rr = r / hz * us; ss = s / hz * us
    rs = r ? sprintf("%d%%", 100 * rk / r) : "-"; bsys = bu + bs ? sprintf("%d%%", 100 * bs / (bu + bs)) : "-"
    if (side == "native") printf "redis %.1f (sys %s) + bench %.1f (sys %s)", rr, rs, b, bsys
    else printf "syncer %.1f (sys %s) + redis %.1f (sys %s) + bench %.1f (sys %s)", ss, s ? sprintf("%d%%", 100 * sk / s) : "-", rr, rs, b, bsys
    printf " (%.2f cores)", (r / hz + s / hz + bu + bs) / el }')
  # commands per read in redis-server: how well the endpoint's shared connections batch (native: the -P)
  cpu_run[$side]+=$(awk -v n=$((2 * n)) -v d=$((reads1 - reads0)) 'BEGIN { if (d > 0) printf ", %.1f commands/read", n / d }')
  # the syncer's CPU µs per request of this run, for the summary
  [ -n "$spid" ] && awk -v s="$ds" -v hz="$(getconf CLK_TCK)" -v n=$((2 * n)) -v side="$side" -v p="$p" \
    'BEGIN { printf "cpu %s %s %.2f\n", p, side, s / hz * 1e6 / n }' >> "$work/ratios"
  return 0
}
k=${#sides[@]}
for p in ${BENCH_PIPELINES:-1 16}; do   # e.g. BENCH_PIPELINES=16 for one pipeline depth
  for s in "${sides[@]}"; do redis_cpu[$s]=0; syncer_cpu[$s]=0; done
  for round in $(seq 1 "$rounds"); do
    # The sides take turns going first: a drift of the machine's speed within a round favours none.
    for j in $(seq 0 $((k - 1))); do measure "${sides[$(((round - 1 + j) % k))]}" "$p"; done
    for t in SET GET; do
      declare -A rps=() lat=()
      for s in "${sides[@]}"; do
        IFS=, read -r _ r _ _ p50 _ p99 _ < <(grep "\"$t\"" "$work/$s.csv" | tr -d '"')
        rps[$s]=$r; lat[$s]="$p50/$p99"
      done
      line=""; for s in "${sides[@]}"; do line+=$(printf ' %14.0f' "${rps[$s]}"); done
      for s in "${sides[@]:1}"; do
        ratio=$(awk -v e="${rps[$s]}" -v n="${rps[native]}" 'BEGIN { printf "%.2f", e / n }')
        line+=$(printf ' %9s' "${ratio}x"); echo "$t $p $s $ratio" >> "$work/ratios"
      done
      if [ -n "$baseline" ]; then
        ratio=$(awk -v e="${rps[endpoint]}" -v b="${rps[baseline]}" 'BEGIN { printf "%.2f", e / b }')
        line+=$(printf ' %9s' "${ratio}x"); echo "$t $p endpoint÷baseline $ratio" >> "$work/ratios"
      fi
      lats=""; for s in "${sides[@]}"; do lats+=" ${lat[$s]}"; done
      printf '%-4s %-3s %-5s%s  %s\n' "$t" "$p" "$round" "$line" "$lats"
    done
    for s in "${sides[@]}"; do echo "      CPU µs/request  $s: ${cpu_run[$s]}"; done
  done
  [ "${BENCH_PERF:-0}" = 1 ] && echo "perf profiles (last run of each side): perf report -i /tmp/perf-<side>-P$p.data"
  line="-P $p: native redis-server $(cpu_s 0 "${redis_cpu[native]}") s"
  for s in "${sides[@]:1}"; do line+="; $s runs: redis-server $(cpu_s 0 "${redis_cpu[$s]}") s + syncer-service $(cpu_s 0 "${syncer_cpu[$s]}") s"; done
  cpu_lines+=("$line")
done
echo "median of the $rounds rounds (range): ratios of ops/s (endpoint, baseline ÷ native; endpoint÷baseline), syncer CPU µs/request"
sort -k1,1 -k2,2n -k3,3 -k4,4n "$work/ratios" | awk '
  { key = $1 " -P " $2 " " $3; v[key, ++c[key]] = $4; if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
  END { for (i = 1; i <= k; i++) { key = order[i]; n = c[key];
          m = n % 2 ? v[key, (n + 1) / 2] : (v[key, n / 2] + v[key, n / 2 + 1]) / 2;
          unit = key ~ /^cpu/ ? " µs" : "x"
          printf "  %-32s %.2f%s  (%.2f-%.2f)\n", key, m, unit, v[key, 1], v[key, n] } }'
echo "CPU seconds, all rounds (SET+GET, $n requests per run):"
printf '  %s\n' "${cpu_lines[@]}"
