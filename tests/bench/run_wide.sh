#!/usr/bin/env bash
# Memory for wide states (issue 25): tests/bench/wide_counters.csp (24
# counters of 60 values, 144-bit states) explored to a budget of states,
# at -j2, with packed keys (--store ram) and tree-compressed (--store
# tree); peak RSS (/usr/bin/time) and the store's bytes a state, and the
# same for a second binary in the same run (before/after a change; run
# without --store). Not run by ctest.
#
# usage: tests/bench/run_wide.sh [STATES]   (default 20000000)
# environment:
#   LOCKSTEP       the binary (default build/lockstep)
#   LOCKSTEP_BASE  a binary to compare with (e.g. a build of main)
#   REPEAT         rounds (default 3), interleaved; medians
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
states=${1:-20000000}
repeat=${REPEAT:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
this=${LOCKSTEP:-$root/build/lockstep}
runs=("$this|--store ram" "$this|--store tree")
[[ -n ${LOCKSTEP_BASE:-} ]] && runs+=("$LOCKSTEP_BASE|")

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
run() { # "binary|options": "seconds peak_bytes_per_state store_bytes_per_state"
  # shellcheck disable=SC2086 # the options split on purpose
  /usr/bin/time -f %M -o "$tmp/rss" "${1%%|*}" check ${1#*|} -j2 --stats --max-states "$states" \
    "$root/tests/bench/wide_counters.csp" >"$tmp/out" 2>&1
  awk -v kb="$(tail -1 "$tmp/rss")" -v n="$states" '
    /states, .* transitions/ { secs = $(NF - 1) }
    /states\/s/ { bps = $3 }
    END { printf "%s %.1f %s", secs, kb * 1024 / n, bps }' "$tmp/out"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 " GB" }'); $states states of 24 counters x 60 values, -j2, medians of $repeat"
echo "| binary and store | seconds | peak RSS bytes/state | store bytes/state |"
echo "|---|---:|---:|---:|"
declare -A T P S
for ((r = 0; r < repeat; r++)); do
  for b in "${runs[@]}"; do
    read -r t p s <<<"$(run "$b")"
    T[$b]+="$t " P[$b]+="$p " S[$b]+="$s "
  done
done
for b in "${runs[@]}"; do
  printf "| %s | %s | %s | %s |\n" "${b/|/ }" "$(median ${T[$b]})" "$(median ${P[$b]})" "$(median ${S[$b]})"
done
