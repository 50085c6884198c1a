#!/usr/bin/env bash
# Benchmark: what one channel TLS handshake costs with each client provider (redissync.channels.tls-provider):
# the JDK's JSSE (with FastEcdsa, as a syncer runs it) and BoringSSL through Conscrypt. Both sides in one JVM and
# thread, in memory (TlsWarmUp: the client built exactly as a channel's, the server a BoringSSL engine requiring
# a client certificate, as the endpoints are); the providers take turns, round by round; round 1 includes each
# provider's JIT warm-up.
#   deploy/bench/channel-handshakes.sh [handshakes-per-run] [rounds]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
./mvnw -B -q -pl syncer-service -am test -Dtest=TlsWarmUpTest#handshakeCostPerProvider -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.handshakes="${1:-200}" -Dbench.rounds="${2:-5}" 2>&1 | grep '^bench:' | sed 's/^bench: //'
