#!/usr/bin/env bash
# Throughput of `lockstep trace` (issue 9): 10^7 recorded events against a
# deterministic specification (P = a -> b -> P) and a nondeterministic one
# (Q = a -> Q |~| a -> b -> Q, which keeps two model states per step).
# usage: tests/bench/trace_throughput.sh [path/to/lockstep]  (not run by ctest)
set -eu
lockstep=${1:-build/lockstep}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/m.csp" <<'CSP'
channel a, b
P = a -> b -> P
Q = (a -> Q) |~| (a -> b -> Q)
CSP
awk 'BEGIN { for (i = 0; i < 5000000; i++) print "a\nb" }' >"$dir/ab.trace"
for proc in P Q; do
  start=$(date +%s.%N)
  "$lockstep" trace "$dir/m.csp" "$proc" "$dir/ab.trace" >/dev/null
  end=$(date +%s.%N)
  awk -v p="$proc" -v s="$start" -v e="$end" 'BEGIN {
    printf "%s: 10,000,000 events in %.2f s = %.1f M events/s\n", p, e - s, 10 / (e - s) }'
done
