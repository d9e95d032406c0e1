#!/usr/bin/env bash
# Compression side by side (issue 27): models/token_ring.csp with N nodes,
# the deadlock check of the plain ring (every node's private counter
# explored) and of the ring whose nodes are compressed (normal), in one
# run, one after the other for each N. Prints states, seconds (whole
# process, /usr/bin/time) and peak RSS of each; a run over LIMIT seconds
# (default 60) is stopped and shown as such. Not run by ctest.
#
# usage: tests/bench/run_compress.sh [N...]   (default 6 7 8 9 10 100 1000)
# environment: LOCKSTEP (default build/lockstep), LIMIT (seconds)
set -u
cd "$(dirname "$0")/../.."
bin=${LOCKSTEP:-build/lockstep}
limit=${LIMIT:-60}
sizes=${*:-6 7 8 9 10 100 1000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-6s %-6s %14s %10s %10s  %s\n' N ring states seconds peak_MB verdict
for n in $sizes; do
  sed "s/^N = .*/N = $n/" models/token_ring.csp > "$tmp/ring.csp"
  for which in PlainRing Ring; do
    if [ "$which" = PlainRing ] && [ "$n" -gt 10 ]; then
      printf '%-6s %-6s %14s\n' "$n" plain "(not run: beyond 60 s at N = 10)"
      continue
    fi
    out=$( { /usr/bin/time -f '%e %M' timeout "$limit" "$bin" check --quiet \
             -j1 --assert "$which :[deadlock free [F]]" "$tmp/ring.csp"; } 2>&1 )
    rc=$?
    tm=$(echo "$out" | tail -1)
    states=$(echo "$out" | sed -n 's/^ *\([0-9]*\) states.*/\1/p' | head -1)
    verdict=$(echo "$out" | head -1 | cut -c1-5)
    [ $rc -eq 124 ] && verdict="stopped after ${limit} s"
    printf '%-6s %-6s %14s %10s %10s  %s\n' "$n" \
      "$([ $which = Ring ] && echo normal || echo plain)" "${states:--}" \
      "${tm%% *}" "$(( ${tm##* } / 1024 ))" "$verdict"
  done
done
