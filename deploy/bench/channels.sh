#!/usr/bin/env bash
# Benchmark: an encrypted Replica Of channel vs open-source Redis's own replica (tls-replication yes)
# of the same source, and the time a 3-cluster CRDB takes to switch encryption.
#   deploy/bench/channels.sh [requests]   (default 1000000 SETs of 64 bytes)
# Starts a 3-cluster local suite in its own SUITE_HOME and a source redis-server with a plain and a
# TLS port, then two replicas of that source:
#   native: redis-server --replicaof <source TLS port> --tls-replication yes (client cert of the same CA)
#   channel: a bdb on cluster-a whose backend is the source (tls_mode replica_ssl), and a bdb on
#      cluster-b with replica_sources [{uri: <that endpoint>, encryption: true}] — syncer certificates
#      and server_cert handled by the suite. The destination bdb's backend is a redis-server started
#      with the native replica's settings (no AOF, no RDB saves; the suite's own backends use AOF).
# After warm-up loads of BENCH_WARM SETs (default 500000; three for the channel, each followed by waiting for
# the syncers' JIT to settle — a syncer-service that has just started runs its hot path interpreted, and C2
# took up to half the syncers' CPU during an unwarmed load): throughput (SET load at the source, time until
# the replica holds all of it) in BENCH_ROUNDS rounds (default 3), native and channel taking turns going
# first, only the measured one attached to the source; then lag p50/p99 (probe writes under a 4-client
# load) of each; then the channel rebuilt alone ten times (its source entry changed). Then: crdb update
# --encryption true/false on a 3-cluster CRDB, five times, timed from the API call to the task's
# `finished`, with every channel's rebuild time from the syncer logs and the CPU seconds each process
# spent. The syncers reach the bdbs' backends over Unix sockets, as the local suite's do
# (BENCH_BACKEND=tcp: TCP). Everything it starts is stopped on exit (BENCH_KEEP=1 keeps the logs).
# BENCH_PARTS picks parts (default "native channel crdb"; e.g. BENCH_PARTS=channel while tuning the channel).
# BENCH_PERF=1 records both syncer-services with perf during the last round's channel load.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${1:-1000000}
warm=${BENCH_WARM:-500000}   # SETs replicated before each measurement, not measured
parts=" ${BENCH_PARTS:-native channel crdb} "
part() { [[ $parts == *" $1 "* ]]; }
native_tp=- native_lag=- channel_tp=- channel_lag=- times=() rebuilds=- single=- batches=-
work=$(mktemp -d /tmp/channels-bench.XXXXXX)
export SUITE_HOME="$work/suite"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  "$repo/deploy/local/suite" down >/dev/null 2>&1 || true
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: logs kept in $work/suite/logs"; else rm -rf "$work"; fi
}
trap cleanup EXIT
for tool in redis-server redis-benchmark redis-cli openssl curl jq java; do
  command -v $tool >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done
probe() { java "$repo/deploy/bench/ReplicationProbe.java" "$@"; }
# CPU seconds (user+system) each named process used during a command — where a load's cost went —
# appended to $work/cpu.txt, printed with the results.   cpu_during <label> "name=pid ..." -- command...
cpu_during() {
  local label=$1 spec=$2 hz; hz=$(getconf CLK_TCK); shift 3
  ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
  machine() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
  local -A before; local e m0; for e in $spec; do before[$e]=$(ticks "${e#*=}"); done; m0=$(machine)
  "$@"
  local line="$label:" m1; m1=$(machine)
  for e in $spec; do line+=" ${e%%=*} $(awk -v a="${before[$e]}" -v b="$(ticks "${e#*=}")" -v hz="$hz" 'BEGIN {printf "%.1f", (b - a) / hz}')"; done
  echo "$line; whole machine $(awk -v a="$m0" -v b="$m1" -v hz="$hz" 'BEGIN {printf "%.1f", (b - a) / hz}')" >> "$work/cpu.txt"
}
. "$repo/deploy/bench/jit.sh"   # jit_settle

echo "== starting a 3-cluster suite"
"$repo/deploy/local/suite" up --clusters 3 --fresh > "$work/up.log" || { cat "$work/up.log"; exit 1; }
api=$(jq -r .api.url "$SUITE_HOME/suite.json")
pw=$(cat "$SUITE_HOME/state/secrets/admin-password")
call() { curl -sf --cacert "$SUITE_HOME/ca.pem" -u "admin:$pw" -H 'Content-Type: application/json' "$@"; }
# GET <path> whose body contains <text> (not `call | grep -q`: with pipefail, grep's early exit fails curl)
has() { local out; out=$(call "$api$1") || return 1; [[ $out == *"$2"* ]]; }

echo "== a source redis-server with a plain and a TLS port (PKI made now)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
for who in source replica; do
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$who" \
    -keyout "$work/$who.key" -out "$work/$who.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$work/san.ext"
  openssl x509 -req -in "$work/$who.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile "$work/san.ext" -out "$work/$who.pem" 2>/dev/null
done
# The syncers reach the bdbs' backends over their Unix sockets, as the local suite's do (BENCH_BACKEND=tcp: TCP).
backend() { if [ "${BENCH_BACKEND:-unix}" = tcp ]; then echo "127.0.0.1:$2"; else echo "unix:$work/$1/redis.sock"; fi; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
src=$(free_port); src_tls=$(free_port); rep=$(free_port); dst=$(free_port)
mkdir -p "$work/src" "$work/rep" "$work/dst"
redis-server --port "$src" --tls-port "$src_tls" --bind 127.0.0.1 --tls-cert-file "$work/source.pem" --tls-key-file "$work/source.key" \
  --tls-ca-cert-file "$work/ca.pem" --tls-auth-clients optional --tls-replication no --save "" --appendonly no \
  --repl-backlog-size 512mb --repl-diskless-sync yes --repl-diskless-sync-delay 0 --dir "$work/src" --logfile "$work/src/redis.log" \
  --unixsocket "$work/src/redis.sock" --unixsocketperm 700 &
src_pid=$!; pids+=($src_pid)
until redis-cli -p "$src" ping >/dev/null 2>&1; do sleep 0.1; done

# Throughput is measured in BENCH_ROUNDS rounds (default 3), native and channel taking turns going first, and
# summarised as the median ratio: native replication alone moved 231-300 k ops/s between runs of one hour, the
# channel 202-237 k, so single pairs said more about the machine's moment than about the channel. Only the side
# being measured is attached to the source (the other is detached: REPLICAOF NO ONE / replica_sync paused, both
# resume by partial resync); the source's connected_slaves shows it.
rounds=${BENCH_ROUNDS:-3}
slaves() { redis-cli -p "$src" info replication | tr -d '\r' | sed -n 's/^connected_slaves://p'; }
await_slaves() { local i; for i in $(seq 1 300); do [ "$(slaves)" = "$1" ] && return 0; sleep 0.1; done; echo "bench: source has $(slaves) replicas, expected $1" >&2; exit 1; }
native_on() { redis-cli -p "$rep" replicaof 127.0.0.1 "$src_tls" > /dev/null
  until [[ $(redis-cli -p "$rep" info replication 2>/dev/null) == *master_link_status:up* ]]; do sleep 0.1; done; }
native_off() { redis-cli -p "$rep" replicaof no one > /dev/null; }
channel_sync() { call -X PUT "$api/v1/bdbs/$duid" -d "{\"replica_sync\":\"$1\"}" > /dev/null; }
channel_on() { channel_sync enabled
  for _ in $(seq 1 600); do [ "$(call "$api/v1/bdbs/$duid" | jq -r '.replica_sources[0].status')" = in-sync ] && return 0; sleep 0.1; done
  echo "bench: the channel did not get back in sync" >&2; exit 1; }
channel_off() { channel_sync paused; }
# A marker written at the source, read back at the replica: what it missed while detached is applied (its
# CPU would otherwise count in the measured load's).
caught_up() { local v="$RANDOM$RANDOM"; redis-cli -p "$src" set bench:caught-up "$v" > /dev/null
  until [ "$(redis-cli -p "$1" get bench:caught-up)" = "$v" ]; do sleep 0.05; done; }
only() { # native|channel: attach that side alone, caught up
  if [ "$1" = native ]; then part channel && channel_off; native_on; await_slaves 1; caught_up "$rep"
  else part native && native_off; channel_on; await_slaves 1; caught_up "$dst"; fi
}
measure_native() {
  cpu_during "the measured load, native (round $1)" "source=$src_pid replica=$native_pid" -- \
    probe catchup "$src" "$rep" "$n" 16 8 | tee -a /dev/stderr | sed -n 's/RESULT ops_per_s=//p' > "$work/native.tp"
}
measure_channel() {
  redis-cli -p "$dst" config resetstat > /dev/null   # the destination's command counts cover the measured load only
  if [ "${BENCH_PERF:-0}" = 1 ] && [ "$1" = "$rounds" ]; then  # CPU profile of both syncer-services during the last load
    perf record -g -F 999 -p "$syncers" -o "$work/perf-channel.data" -- sleep 6 >/dev/null 2>&1 &
    perf_pid=$!
  fi
  cpu_during "the measured load, channel (round $1)" "source=$src_pid syncer-a(endpoint)=$syncer_a syncer-b(channel)=$syncer_b destination=$dst_pid" -- \
    probe catchup "$src" "$dst" "$n" 16 8 | tee -a /dev/stderr | sed -n 's/RESULT ops_per_s=//p' > "$work/channel.tp"
  if [ "${BENCH_PERF:-0}" = 1 ] && [ "$1" = "$rounds" ]; then
    for p in ${syncers//,/ }; do jcmd "$p" Compiler.perfmap >/dev/null 2>&1 || true; done
    wait "$perf_pid" || true
    echo "   perf profile: perf report -i $work/perf-channel.data (kept with BENCH_KEEP=1)"
  fi
  local stats execs sets data
  stats=$(redis-cli -p "$dst" info commandstats | tr -d '\r')
  execs=$(sed -n 's/^cmdstat_exec:calls=\([0-9]*\).*/\1/p' <<<"$stats"); sets=$(sed -n 's/^cmdstat_set:calls=\([0-9]*\).*/\1/p' <<<"$stats")
  data=$(( ${sets:-0} - ${execs:-0} ))   # each batch also SETs the channel's position
  echo "destination applied $data SETs in ${execs:-0} MULTI/EXEC batches (mean $(( data / (${execs:-0} > 0 ? ${execs:-1} : 1) )) per batch)" > "$work/batches"
}

echo
if part native; then
echo "== 1/3 native: redis-server --replicaof 127.0.0.1 $src_tls --tls-replication yes"
redis-server --port "$rep" --bind 127.0.0.1 --replicaof 127.0.0.1 "$src_tls" --tls-replication yes \
  --tls-cert-file "$work/replica.pem" --tls-key-file "$work/replica.key" --tls-ca-cert-file "$work/ca.pem" \
  --save "" --appendonly no --dir "$work/rep" --logfile "$work/rep/redis.log" &
native_pid=$!; pids+=($native_pid)
until [[ $(redis-cli -p "$rep" info replication 2>/dev/null) == *master_link_status:up* ]]; do sleep 0.1; done
probe catchup "$src" "$rep" "$warm" 16 8 > /dev/null   # the same warm-up load for both (not measured)
fi

echo
if part channel; then
echo "== 2/3 channel: Replica Of with encryption: true through the source's endpoint"
part native && native_off
# The destination's backend is configured exactly as the native replica (no AOF, no RDB saves): only the path differs.
redis-server --port "$dst" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/dst" --logfile "$work/dst/redis.log" \
  --unixsocket "$work/dst/redis.sock" --unixsocketperm 700 &
dst_pid=$!; pids+=($dst_pid)
until redis-cli -p "$dst" ping >/dev/null 2>&1; do sleep 0.1; done
sb=$(call -X POST "$api/v1/bdbs" -d "{\"name\":\"bench-src\",\"cluster\":\"cluster-a\",\"backend\":\"$(backend src "$src")\",\"tls_mode\":\"replica_ssl\"}")
sport=$(jq -r '.endpoints[0].port' <<<"$sb")
db=$(call -X POST "$api/v1/bdbs" -d "{\"name\":\"bench-dst\",\"cluster\":\"cluster-b\",\"backend\":\"$(backend dst "$dst")\",\"replica_sources\":[{\"uri\":\"redis://127.0.0.1:$sport\",\"encryption\":true}]}")
duid=$(jq -r .uid <<<"$db")
for _ in $(seq 1 600); do
  [ "$(call "$api/v1/bdbs/$duid" | jq -r '.replica_sources[0].status')" = in-sync ] && break; sleep 0.2
done
has "/v1/bdbs/$duid" '"status":"in-sync"' && echo "   destination bdb $duid: replica source in-sync"
# The destination's backend is read directly (as the native replica is), not through its endpoint.
syncers=$(awk '$1 ~ /^syncer-service-cluster-[ab]$/ {printf "%s,", $2}' "$SUITE_HOME"/run/processes 2>/dev/null | sed 's/,$//')
syncer_a=$(awk '$1 == "syncer-service-cluster-a" {print $2}' "$SUITE_HOME"/run/processes)
syncer_b=$(awk '$1 == "syncer-service-cluster-b" {print $2}' "$SUITE_HOME"/run/processes)
# Warm-up rounds with pauses: C2 compiles the hot path during the first load, and the first switch
# from load to idle deoptimises part of it (branches the load never took: the queue running empty…); a
# minute later the measured load would start interpreted and pay C2 again (PrintCompilation showed it).
# A long-running syncer has seen both. With two rounds the first measured round still cost the source's
# endpoint 1.2-1.6 CPU-s against 0.4-0.8 in the later ones; hence three.
for round in 1 2 3; do
  echo "   warm-up load $round/3: $warm SETs (not measured; the channel's JIT compiles its hot path)"
  probe catchup "$src" "$dst" "$warm" 16 8 > /dev/null
  jit_settle ${syncers//,/ }
done
fi

if part native || part channel; then
echo
echo "== throughput: $rounds rounds of $n SETs, native and channel taking turns going first"
: > "$work/rounds"
for r in $(seq 1 "$rounds"); do
  order="native channel"; [ $((r % 2)) = 0 ] && order="channel native"
  ntp=- ctp=-
  for side in $order; do
    part "$side" || continue
    only "$side"
    echo "   round $r: $side"
    if [ "$side" = native ]; then measure_native "$r"; ntp=$(cat "$work/native.tp"); else measure_channel "$r"; ctp=$(cat "$work/channel.tp"); fi
  done
  echo "$r $ntp $ctp" >> "$work/rounds"
done
native_tp=$(awk '{print $2}' "$work/rounds" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
channel_tp=$(awk '{print $3}' "$work/rounds" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
[ -f "$work/batches" ] && batches=$(cat "$work/batches")
if part native; then only native; native_lag=$(probe lag "$src" "$rep" 2000 | tee -a /dev/stderr | sed -n 's/RESULT //p'); fi
if part channel; then only channel; channel_lag=$(probe lag "$src" "$dst" 2000 | tee -a /dev/stderr | sed -n 's/RESULT //p'); fi
fi

if part channel; then
grep -h "streaming from" "$SUITE_HOME/logs/syncer-service-cluster-b.log" | tail -1 | sed 's/.*(\(.*\))$/   channel: \1/'
# One channel rebuilt alone (nothing else switching): its source entry's replication_tls_sni set and cleared,
# ten times; each change rebuilds it with TLS and it resumes by PSYNC. Timed from its syncer's log.
echo "   one channel rebuilt alone, 10 times (source entry changed: replication_tls_sni set/cleared)"
python3 - "$api" "$duid" "$SUITE_HOME/ca.pem" "$pw" "$sport" "$SUITE_HOME/logs/syncer-service-cluster-b.log" > "$work/single.txt" <<'PYSINGLE'
import base64, http.client, json, re, ssl, sys, time, urllib.parse, datetime
api, duid, ca, pw, sport, log = sys.argv[1:7]
u = urllib.parse.urlparse(api)
conn = http.client.HTTPSConnection(u.hostname, u.port, context=ssl.create_default_context(cafile=ca))
auth = {"Authorization": "Basic " + base64.b64encode(("admin:" + pw).encode()).decode(), "Content-Type": "application/json"}
f = open(log); f.seek(0, 2)
stamp = lambda line: datetime.datetime.strptime(" ".join(line.split(" ")[:2]), "%Y-%m-%d %H:%M:%S,%f")
for i in range(10):
    source = {"uri": "redis://127.0.0.1:" + sport, "encryption": True}
    if i % 2 == 0: source["replication_tls_sni"] = "localhost"
    conn.request("PUT", "/v1/bdbs/" + duid, body=json.dumps({"replica_sources": [source]}), headers=auth)
    r = conn.getresponse(); r.read()
    if r.status != 200: sys.exit("PUT: %d" % r.status)
    requested = None; deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        line = f.readline()
        if not line: time.sleep(0.01); continue
        if not re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", line): continue  # e.g. JVM output (SUITE_SYNCER_JAVA_OPTS)
        if "rebuild requested" in line: requested = stamp(line)
        elif "streaming from" in line and requested and "TLSv1" in line:
            print(round((stamp(line) - requested).total_seconds() * 1000)); break
    else: sys.exit("rebuild %d not seen in 10 s" % i)
PYSINGLE
single=$(sort -n "$work/single.txt" | awk '{a[NR]=$1} END {printf "p50 %d ms, max %d ms (%s)", a[int((NR+1)/2)], a[NR], NR " rebuilds"}')
echo "   $single"
fi

echo
if part crdb; then
echo "== 3/3 crdb update --encryption on a 3-cluster CRDB, timed to 'finished'"
task=$(call -X POST "$api/v1/crdbs" -d '{"name":"bench-mesh","encryption":false,"default_db_config":{"memory_size":104857600},"instances":[{"cluster":{"name":"cluster-a"}},{"cluster":{"name":"cluster-b"}},{"cluster":{"name":"cluster-c"}}]}')
guid=$(jq -r .crdb_guid <<<"$task")
tid=$(jq -r .id <<<"$task")
until has "/v1/crdb_tasks/$tid" '"status":"finished"'; do sleep 0.2; done
# One client process for all ten switches, polling the task every 10 ms over one keep-alive connection:
# a curl per poll would itself take a good part of a core on this 2-core machine during the switch.
toggle() {
  python3 - "$api" "$guid" "$SUITE_HOME/ca.pem" "$pw" > "$work/toggles.txt" <<'PYTOGGLE'
import base64, http.client, json, ssl, sys, time, urllib.parse
api, guid, ca, pw = sys.argv[1:5]
u = urllib.parse.urlparse(api)
conn = http.client.HTTPSConnection(u.hostname, u.port, context=ssl.create_default_context(cafile=ca))
auth = {"Authorization": "Basic " + base64.b64encode(("admin:" + pw).encode()).decode(), "Content-Type": "application/json"}
def call(method, path, body=None):
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=auth)
    r = conn.getresponse(); data = r.read()
    if r.status >= 300: sys.exit("%s %s: %d %s" % (method, path, r.status, data.decode()))
    return json.loads(data)
for enc in [True, False] * 5:
    t0 = time.monotonic()
    tid = call("PATCH", "/v1/crdbs/" + guid, {"encryption": enc})["id"]
    while True:
        status = call("GET", "/v1/crdb_tasks/%s" % tid)["status"]
        if status in ("finished", "failed"): break
        time.sleep(0.01)
    if status != "finished": sys.exit("task %s failed: %s" % (tid, call("GET", "/v1/crdb_tasks/%s" % tid)))
    print(enc and "true" or "false", round((time.monotonic() - t0) * 1000), flush=True)
PYTOGGLE
}
procs=$(awk '$1 != "" {printf "%s=%s ", $1, $2}' "$SUITE_HOME"/run/processes)
cpu_during "the 10 switches" "$procs" -- toggle
[ "$(wc -l < "$work/toggles.txt")" -eq 10 ] || { cat "$work/toggles.txt"; echo "bench: a switch failed" >&2; exit 1; }
times=()
while read -r enc ms; do times+=("$ms"); echo "   encryption $enc: finished in $ms ms"; done < "$work/toggles.txt"
rebuilds=$(cat "$SUITE_HOME"/logs/syncer-service-cluster-*.log | grep "$guid" | python3 -c '
import sys, re, datetime
req, out = {}, []
for line in sys.stdin:
    m = re.match(r"(\S+ \S+) .*channel (\S+): (rebuild requested|streaming from)", line)
    if not m: continue
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f")
    if m.group(3) == "rebuild requested": req[m.group(2)] = t
    elif m.group(2) in req: out.append((t - req.pop(m.group(2))).total_seconds() * 1000)
out.sort()
print("%d rebuilds: p50 %.0f ms, max %.0f ms" % (len(out), out[len(out)//2], out[-1]) if out else "no rebuilds found")')
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
fi

echo
echo "== results ($(nproc) cores, $n SETs of 64 bytes, -P 16 -c 8; lag: 2000 probes under a 4-client load)"
printf '%-44s %12s  %s\n' "replica of the same source" "ops/s (median)" "lag"
printf '%-44s %12s  %s\n' "redis-server --tls-replication yes" "$native_tp" "$native_lag"
printf '%-44s %12s  %s\n' "redis-sync channel (TLS, via the endpoint)" "$channel_tp" "$channel_lag"
[ -f "$work/cpu.txt" ] && sed 's/^/CPU seconds during /' "$work/cpu.txt"
part channel && echo "during the channel's measured load, the $batches"
part channel && echo "one channel rebuilt alone (rebuild requested -> streaming again over TLS): $single (target <= 100 ms)"
if part native && part channel; then
  echo "throughput per round (ops/s; the medians are in the table above):"
  awk '{ printf "   round %d: native %s, channel %s: %.2fx\n", $1, $2, $3, $3 / $2 }' "$work/rounds"
  awk '{print $3 / $2}' "$work/rounds" | sort -n | awk '{a[NR]=$1} END {
    m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2
    printf "channel / native throughput: %.2fx, median of %d rounds (%.2f-%.2f) (target >= 0.8x)\n", m, NR, a[1], a[NR] }'
fi
if part crdb; then
  echo "crdb update --encryption (3 clusters, 6 channels), API call to finished: median $(echo "$sorted" | sed -n 5p) ms, max $(echo "$sorted" | tail -1) ms (target <= 1000 ms)"
  echo "channel rebuilds in those switches (6 at once; rebuild requested -> streaming again, from the syncer logs): $rebuilds (target <= 100 ms)"
fi
