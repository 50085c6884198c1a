# Sourced by the benchmark scripts. JVM warm-up helpers.

# jit_compiled <pid>...: how many methods those JVMs have JIT-compiled so far, together.
jit_compiled() {
  local sum=0 p
  for p in "$@"; do sum=$((sum + $(jstat -compiler "$p" 2>/dev/null | awk 'NR==2 {print $1}' || echo 0))); done
  echo "$sum"
}

# jit_settle <pid>...: waits (up to 60 s) until those JVMs' JIT has settled — fewer than 10 methods compiled
# in 3 s — and says how long it took. A JVM a minute old still compiles ~20 methods a second (C2 took
# 35-50 % of the machine, more than the event loop itself, during a measured load); a long-running one does
# not. Native Redis has no JIT: the benches compare steady states.
jit_settle() {
  command -v jstat >/dev/null || { echo "   (no jstat: JIT not waited for)"; return 0; }
  local t0=$SECONDS before after=0
  before=$(jit_compiled "$@")
  while [ $((SECONDS - t0)) -lt 60 ]; do
    sleep 3; after=$(jit_compiled "$@")
    [ $((after - before)) -lt 10 ] && break
    before=$after
  done
  echo "   JIT settled after $((SECONDS - t0)) s ($((after - before)) compilations in the last 3 s)"
}

# jit_warm <pid> <command...>: runs the command (a warm-up load) again and again until one whole run of it
# compiled fewer than 10 methods in that JVM (at least twice, at most for 120 s), and says how many runs it
# took. Waiting idle is not enough: a load that is short and early in the JVM's life queues its hot methods
# for C2 behind the start-up's compilations, HotSpot drops queued tasks whose methods went cold, and the
# first measured run then compiles them (LogCompilation: the TLS engine's wrap/unwrap and the epoll read loop
# reached C2 only during a measured -P 16 run, C2 with more CPU than the event loops).
jit_warm() {
  command -v jstat >/dev/null || { "${@:2}"; "${@:2}"; echo "   (no jstat: warmed up twice, JIT not checked)"; return 0; }
  local pid=$1 t0=$SECONDS runs=0 before after
  shift
  while :; do
    before=$(jit_compiled "$pid"); "$@"; after=$(jit_compiled "$pid"); runs=$((runs + 1))
    [ "$runs" -ge 2 ] && [ $((after - before)) -lt 10 ] && break
    [ $((SECONDS - t0)) -ge 120 ] && break
  done
  echo "   warm after $runs runs, $((SECONDS - t0)) s ($((after - before)) compilations in the last run)"
}
