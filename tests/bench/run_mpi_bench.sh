#!/usr/bin/env bash
# One check on an MPI job beside one process (issue 24). Not run by ctest:
# it measures speed, which tests never assert.
#
# usage: tests/bench/run_mpi_bench.sh [SIZES...]
#   SIZES: phils:N or buffers:N, default: phils:12 buffers:14
# environment:
#   LOCKSTEP  the binary (default build/lockstep, built with MPI)
#   REPEAT    rounds (default 3)
#
# For each model, REPEAT rounds, each running one after the other: one
# process at -j1 and -j2, then mpirun -np 1 (one rank: MPI is not joined
# for the search), -np 2 at one thread a rank, and -np 2 at two (four
# threads on this machine's cores), all on the assertion that explores
# the whole space (as tests/bench/run_bench.sh: models/dining_philosophers
# .csp's divergence freedom, models/buffer_chain.csp's deadlock freedom
# at K = 1). Prints a table row per
# model: the median wall time of each whole command (loading and MPI's
# start included), and the bytes that crossed between the ranks per
# state at -np 2 (from --stats: every rank's bytes sent, summed).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
lockstep=${LOCKSTEP:-$root/build/lockstep}
repeat=${REPEAT:-3}
sizes=${*:-phils:12 buffers:14}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[[ -x $lockstep ]] || { echo "no $lockstep: build first" >&2; exit 2; }
command -v mpirun >/dev/null || { echo "needs mpirun (apt-get install openmpi-bin)" >&2; exit 2; }
mpi=(mpirun --oversubscribe)
[[ $(id -u) -eq 0 ]] && mpi+=(--allow-run-as-root)
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_odls_base_sigkill_timeout=0

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wall() { # command...: seconds, the command's output in $tmp/out
  local s e
  s=$(date +%s.%N)
  "$@" >"$tmp/out" 2>/dev/null
  e=$(date +%s.%N)
  echo "$e - $s" | bc
}
states() { python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["statistics"]["states"])' <"$tmp/out"; }
crossed() { # bytes a state that crossed between the ranks
  python3 -c 'import json,sys
s = json.loads(sys.stdin.readline())["statistics"]
print("%.1f" % (sum(r["bytes_sent"] for r in s.get("ranks", [])) / s["states"]))' <"$tmp/out"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $("${mpi[0]}" --version | head -1)"
echo "| model | N | states | -j1 | -j2 | -np 1 | -np 2 (1 thread) | -np 2 (2 threads) | bytes crossing a state |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for size in $sizes; do
  model=${size%%:*} n=${size#*:}
  case $model in
    phils) csp=$root/models/dining_philosophers.csp assert=2 ;;
    buffers) csp=$root/models/buffer_chain.csp assert=1 ;;
    *) echo "unknown model $model (phils or buffers)" >&2; continue ;;
  esac
  sed -e "s/^N = [0-9]*/N = $n/" -e "s/^K = [0-9]*/K = 1/" "$csp" >"$tmp/m.csp"
  A=() B=() C=() D=() E=() count= bytes=
  for ((round = 0; round < repeat; round++)); do
    run=(check --format json --stats --assert "$assert" "$tmp/m.csp")
    A+=("$(wall "$lockstep" "${run[@]}" -j1)"); count=$(states)
    B+=("$(wall "$lockstep" "${run[@]}" -j2)")
    C+=("$(wall "${mpi[@]}" -np 1 "$lockstep" "${run[@]}" -j1)")
    D+=("$(wall "${mpi[@]}" -np 2 "$lockstep" "${run[@]}" -j1)")
    bytes=$(crossed)
    [[ $(states) == "$count" ]] || echo "# MISMATCH: -np 2 $(states) states, one process $count" >&2
    E+=("$(wall "${mpi[@]}" -np 2 "$lockstep" "${run[@]}" -j2)")
  done
  printf '| %s | %s | %s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %s |\n' \
    "$model" "$n" "$count" "$(median "${A[@]}")" "$(median "${B[@]}")" \
    "$(median "${C[@]}")" "$(median "${D[@]}")" "$(median "${E[@]}")" "$bytes"
done
