#!/usr/bin/env bash
# Compilation time of systems of 1,000 parallel leaves (issue 4): 1,000
# interleaved cells and a chain of 1,000 buffers, each checked with a state
# bound of 1 so that the time is compilation, not exploration.
# usage: tests/bench/compile_1000.sh [path/to/lockstep]   (not run by ctest)
set -eu
lockstep=${1:-build/lockstep}
model=$(mktemp --suffix=.csp)
trap 'rm -f "$model"' EXIT
cat >"$model" <<'CSP'
channel c : {0..999}
CELL(i) = c.i -> CELL(i)
CELLS = ||| i : {0..999} @ CELL(i)
channel d : {0..1000}
BUF(i) = d.i -> d.(i+1) -> BUF(i)
CHAIN = || i : {0..999} @ [{d.i, d.(i+1)}] BUF(i)
assert CELLS :[deadlock free [F]]
assert CHAIN :[deadlock free [F]]
CSP
for n in 1 2; do
  start=$(date +%s.%N)
  "$lockstep" check --quiet --max-states 1 --assert "$n" "$model" >/dev/null || true
  end=$(date +%s.%N)
  printf 'assertion %d (1,000 leaves): %.3f s to load, compile and take one step\n' \
    "$n" "$(awk "BEGIN { print $end - $start }")"
done
