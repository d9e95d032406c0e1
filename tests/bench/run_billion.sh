#!/usr/bin/env bash
# A billion states on one machine (issue 25): models/buffer_chain.csp with
# K = 1 and N = 19, 3^19 = 1,162,261,467 states, its deadlock check
# explored whole; seconds, peak RSS (/usr/bin/time) and peak bytes a
# state, for each store asked for. Not run by ctest: it takes a quarter
# of an hour and about 12 GiB.
#
# usage: tests/bench/run_billion.sh [N] [STORE...]   (default: 19 ram)
#   e.g. tests/bench/run_billion.sh 16 ram tree     (43 M states, a minute)
#        MEMORY=8G tests/bench/run_billion.sh 20 disk:/var/tmp
#                                   (3^20 = 3,486,784,401 states on disk)
# environment:
#   LOCKSTEP  the binary (default build/lockstep)
#   THREADS   -j (default 2)
#   MEMORY    --memory (default 14G: at N = 19 the index is 6 GiB and
#             the keys 5.4; the default budget, half of this machine's
#             23 GB, is short; 13G stopped at 1.1 G states while the
#             plan counted a byte a state for the parent links' 0.3)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-19}
shift || true
stores=("$@")
[[ ${#stores[@]} -gt 0 ]] || stores=(ram)
lockstep=${LOCKSTEP:-$root/build/lockstep}
threads=${THREADS:-2}
memory=${MEMORY:-14G}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
sed -e "s/^N = [0-9]*/N = $n/" -e "s/^K = [0-9]*/K = 1/" \
  "$root/models/buffer_chain.csp" >"$tmp/chain.csp"

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 " GB" }'); buffer_chain K=1 N=$n, deadlock check, -j$threads --memory $memory"
echo "| store | states | seconds | states/s | peak RSS GiB | peak bytes/state | store bytes/state | disk bytes/state |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for store in "${stores[@]}"; do
  /usr/bin/time -f %M -o "$tmp/rss" "$lockstep" check -j"$threads" --stats \
    --memory "$memory" \
    --quiet --store "$store" --assert 1 "$tmp/chain.csp" >"$tmp/out" 2>&1
  awk -v kb="$(tail -1 "$tmp/rss")" -v store="$store" '
    /states, .* transitions/ { states = $1; secs = $(NF - 1) }
    /states\/s/ { rate = $1; bps = $3 }
    /bytes\/state on disk/ { disk = $1 }
    END { printf "| %s | %s | %s | %s | %.1f | %.1f | %s | %s |\n", store, states,
          secs, rate, kb / 1048576, kb * 1024 / states, bps, disk ? disk : "-" }' "$tmp/out"
done
