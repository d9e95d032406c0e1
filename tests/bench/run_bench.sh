#!/usr/bin/env bash
# lockstep next to SPIN on the benchmark models (issue 6). Not run by ctest:
# it takes minutes and measures speed, which tests never assert.
#
# usage: tests/bench/run_bench.sh [SIZES...]
#   SIZES: phils:N or buffers:N (values 0..1), default: phils:12 buffers:14
#   e.g.   tests/bench/run_bench.sh phils:12 buffers:14 phils:14
# environment:
#   LOCKSTEP  the binary (default build/lockstep; build it RelWithDebInfo)
#   SHARED    the shared folder (default ../shared next to the project, or
#             ../../shared from a git worktree in a folder of its own)
#   SPIN_MODES  SPIN searches to run, of bfs and dfs (default: bfs)
#   QUIET=1   wait before each run until the machine is idle (at most
#             QUIET_MAX seconds, default 600): figures from a busy 2-core
#             machine mean little
#   REPEAT    lockstep runs of each kind per model (default 5); SPIN_REPEAT
#             the same for SPIN (default 1: SPIN takes minutes at N = 14)
#
# For each model and size, one after the other in the same run: SPIN 6.5
# (../shared/bench/run.sh on the Promela peer, -DSAFETY -DNOREDUCE; skipped
# with a message when spin or the peers are missing), then REPEAT rounds of
# lockstep `check --quiet --stats -j1`, `-j2` and two `-j1` at once, on a
# copy of
# models/dining_philosophers.csp or models/buffer_chain.csp with N changed
# (written to a temporary folder), on the assertion that explores the whole
# space. Peak RSS comes from /usr/bin/time -v. Prints one table row each:
# states of both (they must match), seconds and states/s (search only, as
# each tool reports it; lockstep's the median of its rounds), peak RSS,
# bytes/state of lockstep's store, the ratio of lockstep (1 thread) to
# SPIN's BFS, and of 2 threads to 1: of the medians, then per round (each
# -j2 run against the -j1 run just before it, so that a slow spell of the
# host, which slows both, cancels out): their median, lowest and highest
# (a wide range says the machine was noisy). The last column is this
# machine's own ceiling for that ratio: two independent -j1 runs at once,
# their summed states/s over one run's (below 2 when the cores share
# caches, memory bandwidth or a host), the median of the rounds. Then the
# round trip of a cache line between two threads (tests/bench/pingpong.c)
# just before each -j2 run: two threads sharing one store gain less when
# it is long.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
lockstep=${LOCKSTEP:-$root/build/lockstep}
shared=${SHARED:-$root/../shared}
[[ -d $shared || -n ${SHARED:-} ]] || shared=$root/../../shared # a worktree
modes=${SPIN_MODES:-bfs}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sizes=${*:-phils:12 buffers:14}

[[ -x $lockstep ]] || { echo "no $lockstep: build first" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
# The cache-line round trip between two threads (pingpong.c), measured
# before each -j2 run: on a VM it shows how far apart the host has put
# the two virtual CPUs just then.
pingpong=$tmp/pingpong
cc -O2 -pthread -o "$pingpong" "$root/tests/bench/pingpong.c" 2>/dev/null ||
  pingpong=
have_spin=1
if ! command -v spin >/dev/null; then
  echo "# spin not installed (apt-get install spin): SPIN columns skipped"
  have_spin=0
elif [[ ! -x $shared/bench/run.sh ]]; then
  echo "# no $shared/bench/run.sh: SPIN columns skipped"
  have_spin=0
fi

# Waits (QUIET=1) until other processes use < 10% of the CPUs over 2 s.
wait_quiet() {
  [[ ${QUIET:-0} == 1 ]] || return 0
  local waited=0 a b
  while :; do
    a=$(awk '/^cpu / { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat)
    sleep 2
    b=$(awk '/^cpu / { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y)
      d = y[2] - x[2]; exit !(d > 0 && (y[1] - x[1]) / d < 0.10) }' && return 0
    waited=$((waited + 2))
    if ((waited >= ${QUIET_MAX:-600})); then
      echo "# machine still busy after ${waited}s: measuring anyway" >&2
      return 0
    fi
  done
}

# SPIN: "states seconds states/s rss_MB", or "- - - -".
spin_run() { # pml N mode
  local line k=
  [[ $1 == buffers* ]] && k=1
  wait_quiet
  line=$(REPEAT=${SPIN_REPEAT:-1} "$shared/bench/run.sh" "$1" "$2" "$3" $k \
    2>"$tmp/spin.err" | tail -1)
  if [[ -z $line ]]; then
    echo "# spin $1 $2 $3 failed: $(head -3 "$tmp/spin.err")" >&2
    echo "- - - -"
    return
  fi
  awk -F'\t' '{ printf "%s %s %s %.0f", $5, $10, $15, $13 }' <<<"$line"
}

# lockstep: "states seconds states/s rss_MB bytes/state".
lockstep_run() { # threads csp assert
  wait_quiet
  /usr/bin/time -v -o "$tmp/time" "$lockstep" check --quiet --stats \
    -j "$1" --assert "$3" "$2" >"$tmp/out" 2>&1
  local rss
  rss=$(awk -F: '/Maximum resident set size/ { print $2 / 1024 }' "$tmp/time")
  awk -v rss="$rss" '
    /states, .* transitions/ { states = $1; secs = $(NF - 1) }
    /states\/s/ { rate = $1; bps = $3 }
    END { if (states == "") print "- - - - -"
          else printf "%s %s %s %.0f %s", states, secs, rate, rss, bps }' \
    "$tmp/out"
}

# Two -j1 runs at the same time: their summed states/s.
lockstep_pair() { # csp assert
  wait_quiet
  "$lockstep" check --quiet --stats -j1 --assert "$2" "$1" >"$tmp/pa" 2>&1 &
  "$lockstep" check --quiet --stats -j1 --assert "$2" "$1" >"$tmp/pb" 2>&1
  wait
  awk '/states, .* transitions/ { sum += $1 / $(NF - 1) }
       END { printf "%.0f", sum }' "$tmp/pa" "$tmp/pb"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }

# The median of the numbers given ("-" when none).
median() {
  printf '%s\n' "$@" | grep -v '^-\?$' | sort -g | awk '{ a[NR] = $1 }
    END { if (!NR) print "-"; else if (NR % 2) print a[(NR + 1) / 2]
          else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# "median (lowest-highest)" of the ratios a[i] / b[i] of two lists.
ratio_range() { # "a1 a2 ..." "b1 b2 ..."
  awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x); split(b, y)
    for (i = 1; i <= n; i++) if (x[i] > 0 && y[i] > 0) r[++k] = x[i] / y[i]
    if (!k) { print "-"; exit }
    for (i = 2; i <= k; i++) for (j = i; j > 1 && r[j - 1] > r[j]; j--) {
      t = r[j]; r[j] = r[j - 1]; r[j - 1] = t }
    m = k % 2 ? r[(k + 1) / 2] : (r[k / 2] + r[k / 2 + 1]) / 2
    printf "%.2f (%.2f-%.2f)", m, r[1], r[k] }'
}
# "median (lowest-highest)" of the numbers given ("-" when none).
spread() {
  (($#)) || { echo -; return; }
  local sorted
  sorted=$(printf '%s\n' "$@" | sort -g)
  printf '%s (%s-%s)' "$(median "$@")" "$(head -1 <<<"$sorted")" \
    "$(tail -1 <<<"$sorted")"
}
repeat=${REPEAT:-5}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(free -g | awk '/Mem:/ { print $2 " GB" }')"
echo "# lockstep: $lockstep; spin: $(spin -V 2>/dev/null | head -1); lockstep figures: medians of $repeat rounds"
printf '| model | N | states (lockstep) | states (SPIN) | SPIN %s s | SPIN states/s | SPIN RSS MB | -j1 s | -j1 states/s | -j1 RSS MB | bytes/state | -j2 s | -j2 states/s | -j2 RSS MB | -j1 / SPIN | -j2 / -j1 | -j2 / -j1 per round, median (range) | two -j1 at once / -j1 | round trip ns, median (range) |\n' "${modes// /+}"
echo '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'
for item in $sizes; do
  model=${item%%:*} n=${item##*:}
  case $model in
    phils) csp=$root/models/dining_philosophers.csp pml=phils assert=2 ;;
    buffers) csp=$root/models/buffer_chain.csp pml=buffers_sv assert=1 ;;
    *) echo "unknown model $model (phils or buffers)" >&2; continue ;;
  esac
  sed -e "s/^N = [0-9]*/N = $n/" -e "s/^K = [0-9]*/K = 1/" "$csp" >"$tmp/m.csp"
  ss=- st= sr= sm= spin_bfs=
  for mode in $modes; do
    ((have_spin)) || break
    read -r s1 t1 r1 m1 <<<"$(spin_run "$pml" "$n" "$mode")"
    ss=$s1 st+=${st:+/}$t1 sr+=${sr:+/}$r1 sm+=${sm:+/}$m1
    [[ $mode == bfs ]] && spin_bfs=$r1
  done
  st=${st:--} sr=${sr:--} sm=${sm:--}
  T1=() R1=() M1=() T2=() R2=() M2=() CEIL=() RTT=()
  for ((round = 0; round < repeat; round++)); do
    read -r l1 t1 r1 m1 b1 <<<"$(lockstep_run 1 "$tmp/m.csp" "$assert")"
    [[ -n $pingpong ]] && RTT+=("$("$pingpong")")
    read -r l2 t2 r2 m2 b2 <<<"$(lockstep_run 2 "$tmp/m.csp" "$assert")"
    pair=$(lockstep_pair "$tmp/m.csp" "$assert")
    [[ $l1 == "$l2" ]] || echo "# MISMATCH: -j1 $l1 states, -j2 $l2" >&2
    T1+=("$t1") R1+=("$r1") M1+=("$m1") T2+=("$t2") R2+=("$r2") M2+=("$m2")
    CEIL+=("$(ratio "$pair" "$r1")")
  done
  [[ $ss == - || $ss == "$l1" ]] || echo "# MISMATCH: SPIN $ss states, lockstep $l1" >&2
  r1=$(median "${R1[@]}") r2=$(median "${R2[@]}")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %.0f | %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s |\n' \
    "$model" "$n" "$l1" "$ss" "$st" "$sr" "$sm" "$(median "${T1[@]}")" "$r1" \
    "$(median "${M1[@]}")" "$b1" "$(median "${T2[@]}")" "$r2" \
    "$(median "${M2[@]}")" "$(ratio "$r1" "$spin_bfs")" "$(ratio "$r2" "$r1")" \
    "$(ratio_range "${R2[*]}" "${R1[*]}")" "$(ratio "$(median "${CEIL[@]}")" 1)" \
    "$(spread "${RTT[@]}")"
done
