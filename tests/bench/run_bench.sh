#!/usr/bin/env bash
# lockstep next to SPIN on the benchmark models (issue 6). Not run by ctest.
#
# usage: tests/bench/run_bench.sh [SIZES...]   e.g. phils:12 buffers:12
#   default: phils:10 phils:12 buffers:12 buffers:14
# For each model and size it runs SPIN's BFS (../shared/bench/run.sh, when
# that folder and `spin` are there) and lockstep with 1 and 2 threads on a
# copy of models/dining_philosophers.csp or models/buffer_chain.csp with N
# changed, one after the other, and prints one table row each: states (both,
# they must match), seconds, states/s, peak RSS, bytes/state, lockstep/SPIN.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
lockstep=${LOCKSTEP:-$root/build/lockstep}
shared=${SHARED:-$root/../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sizes=${*:-phils:10 phils:12 buffers:12 buffers:14}

printf '%-8s %3s %10s %10s | %8s %9s %7s | %8s %9s %7s %6s | %8s %9s | %s\n' \
  model N states "spin st" "spin s" "spin st/s" "RSS MB" "j1 s" "j1 st/s" \
  "RSS MB" "B/st" "j2 s" "j2 st/s" "j1/spin"
for item in $sizes; do
  model=${item%%:*} n=${item##*:}
  case $model in
    phils) csp=$root/models/dining_philosophers.csp pml=phils assert=2 ;;
    buffers) csp=$root/models/buffer_chain.csp pml=buffers_sv assert=1 ;;
    *) echo "unknown model $model" >&2; continue ;;
  esac
  sed "s/^N = [0-9]*/N = $n/" "$csp" >"$tmp/m.csp"
  spin_states=- spin_s=- spin_rate=- spin_rss=-
  if command -v spin >/dev/null && [[ -x $shared/bench/run.sh ]]; then
    line=$("$shared/bench/run.sh" "$pml" "$n" bfs 1 2>/dev/null | tail -1)
    spin_states=$(cut -f5 <<<"$line") spin_s=$(cut -f10 <<<"$line")
    spin_rate=$(cut -f15 <<<"$line") spin_rss=$(cut -f13 <<<"$line")
  fi
  run() { # threads -> "seconds states rate rss bytes_per_state"
    /usr/bin/time -f '%M' -o "$tmp/rss" "$lockstep" check --quiet --stats \
      -j "$1" --assert "$assert" "$tmp/m.csp" >"$tmp/out" 2>/dev/null
    awk -v rss="$(cat "$tmp/rss")" '
      /states, .* transitions/ { states = $1; secs = $(NF - 1) }
      /states\/s/ { rate = $1; bps = $3 }
      END { printf "%s %s %s %.0f %s", secs, states, rate, rss / 1024, bps }' \
      "$tmp/out"
  }
  read -r s1 st1 r1 rss1 b1 <<<"$(run 1)"
  read -r s2 st2 r2 rss2 b2 <<<"$(run 2)"
  ratio=$(awk -v a="$r1" -v b="$spin_rate" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  printf '%-8s %3s %10s %10s | %8s %9s %7s | %8s %9.0f %7s %6s | %8s %9.0f | %s\n' \
    "$model" "$n" "$st1" "$spin_states" "$spin_s" "$spin_rate" "$spin_rss" \
    "$s1" "$r1" "$rss1" "$b1" "$s2" "$r2" "$ratio"
done
