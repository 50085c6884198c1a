#!/usr/bin/env bash
# Where a JVM spent its CPU: the busiest threads, hottest methods (self) and the first suite frame of every
# sample, from a JFR recording's execution samples.
#   deploy/bench/jfr-top.sh recording.jfr [rows]
# Record one with: jcmd <pid> JFR.start settings=profile duration=20s filename=/tmp/x.jfr
set -euo pipefail
file=$1 rows=${2:-15}
jfr print --stack-depth 96 --events jdk.ExecutionSample "$file" | awk -v rows="$rows" '
  /sampledThread = / { t = $0; sub(/.*sampledThread = "/, "", t); sub(/" \(.*/, "", t); gsub(/[0-9]+/, "N", t); threads[t]++; n++ }
  /stackTrace = \[/ { inStack = 1; first = 1; ours = ""; next }
  inStack && /^ *\]/ { inStack = 0; if (ours != "") suite[ours]++; else suite["(no suite frame)"]++; next }
  inStack {
    f = $0; sub(/^ */, "", f); sub(/ line: .*/, "", f); sub(/\(.*/, "", f)
    if (f == "...") next
    if (first) { self[f]++; first = 0 }
    if (ours == "" && f ~ /^org\.redissync\./) ours = f
  }
  function top(title, arr,   k, i, j, m, keys, tmp) {
    printf "%s\n", title; m = 0
    for (k in arr) keys[++m] = k
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (arr[keys[j]] > arr[keys[i]]) { tmp = keys[i]; keys[i] = keys[j]; keys[j] = tmp }
    for (i = 1; i <= m && i <= rows; i++) printf "  %5.1f%%  %s\n", 100 * arr[keys[i]] / n, keys[i]
  }
  END {
    printf "%d samples\n", n
    top("threads:", threads); top("hottest methods (self):", self); top("first suite frame:", suite)
  }'
