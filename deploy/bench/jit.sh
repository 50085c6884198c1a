# Sourced by the benchmark scripts. JVM warm-up helpers.

# jit_settle <pid>...: waits (up to 60 s) until those JVMs' JIT has settled — fewer than 10 methods compiled
# in 3 s — and says how long it took. A JVM a minute old still compiles ~20 methods a second (C2 took
# 35-50 % of the machine, more than the event loop itself, during a measured load); a long-running one does
# not. Native Redis has no JIT: the benches compare steady states.
jit_settle() {
  command -v jstat >/dev/null || { echo "   (no jstat: JIT not waited for)"; return 0; }
  local t0=$SECONDS before after=0 sum p
  compiled() { sum=0; for p in "$@"; do sum=$((sum + $(jstat -compiler "$p" 2>/dev/null | awk 'NR==2 {print $1}' || echo 0))); done; echo "$sum"; }
  before=$(compiled "$@")
  while [ $((SECONDS - t0)) -lt 60 ]; do
    sleep 3; after=$(compiled "$@")
    [ $((after - before)) -lt 10 ] && break
    before=$after
  done
  echo "   JIT settled after $((SECONDS - t0)) s ($((after - before)) compilations in the last 3 s)"
}
