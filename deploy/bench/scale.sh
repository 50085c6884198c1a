#!/usr/bin/env bash
# Benchmark: scale of databases on demand. A 3-cluster local suite, then N CRDBs over the three clusters
# (default 100: 300 bdbs, each with its own redis-server made by its cluster's syncer-service), then
# `encryption: true` for all of them at once (N PATCHes in parallel), timed until every task is finished
# (goal <= 15 s for 100). Prints, per service: RSS and CPU while idle (10 s) and during the switch; the
# time to create them; the memory per bdb (its redis-server's RSS, and what each bdb adds to its syncer).
#   deploy/bench/scale.sh [crdbs]
# BENCH_JFR=<dir> also records JFR profiles of syncer-service-cluster-a and the coordinator while idle with all
# bdbs and during the switch, and prints where their CPU went (deploy/bench/jfr-top.sh).
# Everything it starts is stopped on exit (BENCH_KEEP=1 keeps the logs). Load generator and suite share
# the machine's cores: CPU is reported as seconds per process.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${1:-100}
work=$(mktemp -d /tmp/scale-bench.XXXXXX)
export SUITE_HOME="$work/suite" SUITE_TASK_TIMEOUT=${SUITE_TASK_TIMEOUT:-PT300S}
cleanup() {
  "$repo/deploy/local/suite" down >/dev/null 2>&1 || true
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: logs kept in $work/suite/logs"; else rm -rf "$work"; fi
}
trap cleanup EXIT
for tool in redis-server curl jq java; do
  command -v $tool >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done
hz=$(getconf CLK_TCK)

echo "== starting a 3-cluster suite"
"$repo/deploy/local/suite" up --clusters 3 --fresh > "$work/up.log" || { cat "$work/up.log"; exit 1; }
api=$(jq -r .api.url "$SUITE_HOME/suite.json")
ca=$(jq -r .ca_cert "$SUITE_HOME/suite.json")
pw=$(cat "$(jq -r .api.password_file "$SUITE_HOME/suite.json")")
call() { curl -sfS --cacert "$ca" -u "admin:$pw" -H 'Content-Type: application/json' "$@"; }
# name=pid of every service the suite runs
services=$(awk '$1 != "" {print $1 "=" $2}' "$SUITE_HOME/run/processes" | sed 's/ /_/g')
shard_pids() { jq -r '.clusters[].shards_dir' "$SUITE_HOME/suite.json" | while read -r d; do cat "$d"/bdb-*/redis.pid 2>/dev/null || true; done; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# "<label>: name rss MB, cpu s; ..." for every service over a command's run; the redis-servers summed
measure() {
  local label=$1; shift
  local -A t0; local e p redis0=0 redis1=0
  for e in $services; do t0[$e]=$(ticks "${e#*=}"); done
  for p in $(shard_pids); do redis0=$((redis0 + $(ticks "$p"))); done
  local s0; s0=$(date +%s.%N)
  "$@"
  local s1; s1=$(date +%s.%N)
  local line="$label ($(awk -v a="$s0" -v b="$s1" 'BEGIN {printf "%.1f", b - a}') s):"
  for e in $services; do
    line+=" ${e%%=*} $(awk -v k="$(rss_kb "${e#*=}")" 'BEGIN {printf "%.0f", k / 1024}') MB $(awk -v a="${t0[$e]}" -v b="$(ticks "${e#*=}")" -v hz="$hz" 'BEGIN {printf "%.1f", (b - a) / hz}') s;"
  done
  local rss=0 count=0
  for p in $(shard_pids); do redis1=$((redis1 + $(ticks "$p"))); rss=$((rss + $(rss_kb "$p"))); count=$((count + 1)); done
  line+=" redis-servers x$count $(awk -v k="$rss" 'BEGIN {printf "%.0f", k / 1024}') MB $(awk -v a="$redis0" -v b="$redis1" -v hz="$hz" 'BEGIN {printf "%.1f", (b - a) / hz}') s"
  echo "$line" | tee -a "$work/measures.txt"
}
# thread_cpu <pid>: "<ticks> <thread name, digits as N>" per thread group of that JVM (JFR samples only Java code:
# the JIT compilers, GC and native TLS show here)
thread_cpu() {
  local t
  for t in /proc/"$1"/task/*; do
    echo "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0) $(tr ' ' '_' < "$t/comm" 2>/dev/null | sed 's/^\(C[12]\)_Compiler.*/\1_compiler_threads/; t; s/[0-9a-f]\{6,\}/H/g; s/[0-9]\+/N/g')"
  done | awk '{s[$2] += $1} END {for (k in s) print s[k], k}'
}
# profile <label> <command...>: the command run under JFR recordings of syncer-a and the coordinator (BENCH_JFR)
profiled() {
  local label=$1; shift
  if [ -z "${BENCH_JFR:-}" ]; then "$@"; return; fi
  mkdir -p "$BENCH_JFR"
  local e pids=()
  for e in $services; do
    case $e in syncer-service-cluster-a=*|crdb-coordinator=*)
      jcmd "${e#*=}" JFR.start name=bench settings=default filename="$BENCH_JFR/$label-${e%%=*}.jfr" >/dev/null; pids+=("${e#*=}") ;;
    esac
  done
  "$@"
  for e in "${pids[@]}"; do jcmd "$e" JFR.stop name=bench >/dev/null; done
}
syncer_rss() { local t=0 e; for e in $services; do [[ $e == syncer-service* ]] && t=$((t + $(rss_kb "${e#*=}"))); done; echo "$t"; }
idle() { sleep 10; }
await_tasks() { # every task id in $1 finished (fails on a failed one); one list request per poll
  local ids=$1 state
  while :; do
    state=$(call "$api/v1/crdb_tasks" | jq -r --rawfile ids "$ids" '($ids | split("\n") | map(select(. != ""))) as $want
      | [.[] | select(.id as $i | $want | index($i))] as $mine
      | if any($mine[]; .status == "failed") then "failed " + ([$mine[] | select(.status == "failed") | {id, errors}] | tojson)
        elif ($mine | length) == ($want | length) and all($mine[]; .status == "finished") then "done"
        else "waiting" end')
    case $state in
      done) return 0 ;;
      failed*) echo "bench: task failed: ${state#failed }" >&2; exit 1 ;;
    esac
    sleep 0.2
  done
}
# seconds from the first task's start to the last task's end, as the coordinator recorded them
task_span() {
  call "$api/v1/crdb_tasks" | jq -r --rawfile ids "$1" '($ids | split("\n") | map(select(. != ""))) as $want
    | [.[] | select(.id as $i | $want | index($i))]
    | (map(.started | sub("\\.[0-9]+"; "") | fromdateiso8601) | min) as $s
    | (map(.ended | sub("\\.[0-9]+"; "") | fromdateiso8601) | max) as $e | ($e - $s)'
}

measure "idle, no bdbs" idle
syncers_before=$(syncer_rss)

echo "== creating $n CRDBs over cluster-a, cluster-b, cluster-c ($((3 * n)) bdbs)"
create() {
  # each request names its task (RE's X-Task-ID header)
  seq 1 "$n" | sed "s/^/scale-create-$$-/" > "$work/create-tasks"
  xargs -P 8 -I{} curl -sfS -o /dev/null -w '%{http_code}\n' --cacert "$ca" -u "admin:$pw" -H 'Content-Type: application/json' \
    -H 'X-Task-ID: {}' -X POST "$api/v1/crdbs" -d '{"default_db_config": {"name": "{}", "memory_size": 16777216},
      "instances": [{"cluster": {"url": "https://cluster-a", "name": "cluster-a"}},
                    {"cluster": {"url": "https://cluster-b", "name": "cluster-b"}},
                    {"cluster": {"url": "https://cluster-c", "name": "cluster-c"}}]}' < "$work/create-tasks" > "$work/create-codes"
  await_tasks "$work/create-tasks"
}
measure "create $n CRDBs until every task finished" create
[ "$(grep -c '^200$' "$work/create-codes")" = "$n" ] || { echo "bench: $(grep -c '^200$' "$work/create-codes") of $n creations accepted" >&2; exit 1; }
[ "$(shard_pids | wc -l)" = "$((3 * n))" ] || { echo "bench: $(shard_pids | wc -l) redis-servers for $((3 * n)) bdbs" >&2; exit 1; }
measure "idle, $((3 * n)) bdbs" profiled idle idle
syncers_after=$(syncer_rss)

echo "== encryption on for all $n CRDBs at once"
call "$api/v1/crdbs" | jq -r '.[] | select(.name | startswith("scale-")) | .guid' > "$work/guids"
sed "s/^/scale-tls-/" "$work/guids" > "$work/switch-tasks"
switch() {
  local t0=$SECONDS
  xargs -P 32 -I{} curl -sfS -o /dev/null --cacert "$ca" -u "admin:$pw" -H 'Content-Type: application/json' \
    -H 'X-Task-ID: scale-tls-{}' -X PATCH "$api/v1/crdbs/{}" -d '{"encryption": true}' < "$work/guids"
  echo "   all $n PATCHes accepted after $((SECONDS - t0)) s" | tee -a "$work/measures.txt"
  await_tasks "$work/switch-tasks"
}
syncer_a=$(awk '$1 == "syncer-service-cluster-a" {print $2}' "$SUITE_HOME/run/processes")
thread_cpu "$syncer_a" > "$work/threads0"
measure "encryption on for $n CRDBs until every task finished" profiled switch switch
thread_cpu "$syncer_a" > "$work/threads1"
echo "syncer-service-cluster-a's CPU during the switch by thread (s):" | tee -a "$work/measures.txt"
awk -v hz="$hz" 'NR == FNR {a[$2] = $1; next} {d = $1 - a[$2]; if (d > 0) printf "%.2f %s\n", d / hz, $2}' \
  "$work/threads0" "$work/threads1" | sort -rn | head -12 | sed 's/^/   /' | tee -a "$work/measures.txt"
echo "switch tasks, first start to last end (coordinator's clock, whole seconds): $(task_span "$work/switch-tasks") s" | tee -a "$work/measures.txt"
tls=$(call "$api/v1/crdbs" | jq '[.[] | select(.name | startswith("scale-")) | .encryption] | all')
[ "$tls" = true ] || { echo "bench: not every CRDB is encrypted" >&2; exit 1; }
measure "idle, $((3 * n)) bdbs encrypted" idle

redis_rss=0; count=0; for p in $(shard_pids); do redis_rss=$((redis_rss + $(rss_kb "$p"))); count=$((count + 1)); done
echo
echo "== results ($n CRDBs, $((3 * n)) bdbs, $(nproc) cores)"
cat "$work/measures.txt"
if [ -n "${BENCH_JFR:-}" ]; then
  for f in "$BENCH_JFR"/*.jfr; do echo; echo "== profile $(basename "$f" .jfr)"; "$repo/deploy/bench/jfr-top.sh" "$f" 12; done
fi
awk -v r="$redis_rss" -v c="$count" -v b="$syncers_before" -v a="$syncers_after" -v n="$((3 * n))" 'BEGIN {
  printf "memory per bdb: its redis-server %.1f MB RSS (idle, empty); its share of the syncer-services %.1f MB (RSS growth / bdbs)\n",
    r / c / 1024, (a - b) / n / 1024 }'
