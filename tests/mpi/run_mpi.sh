#!/usr/bin/env bash
# The same checks on an MPI job (issue 24): every golden model, and every
# model of the conformance corpus with assertions when its directory (the
# third argument) exists, checked by one process and by mpirun -np 1, 2
# and 3 (and -np 2 with -j2 each), must give identical JSON (timings
# aside); refusal testing, not distributed, must say so. Then rounds,
# --max-states, pictures and the limits of a job. Open MPI needs
# --allow-run-as-root under root (CI) and --oversubscribe for more ranks
# than cores; it reports a job whose check fails (exit 1) as aborted and
# waits a second before killing ranks that have ended anyway, unless
# odls_base_sigkill_timeout is 0.
set -u
lockstep=$1 golden=$2 corpus=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
command -v mpirun >/dev/null || { echo "mpirun not found: apt-get install -y openmpi-bin"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpi=(mpirun --oversubscribe)
[[ $(id -u) -eq 0 ]] && mpi+=(--allow-run-as-root)
export OMPI_MCA_btl_vader_single_copy_mechanism=none # containers
export OMPI_MCA_odls_base_sigkill_timeout=0
failures=0 files=0
models=("$golden"/*/*.csp)
if [[ -n $corpus && -d $corpus ]]; then
  while IFS= read -r f; do models+=("$f"); done < <(grep -rl '^assert' "$corpus" --include='*.csp' | sort)
fi
for f in "${models[@]}"; do
  n=$(echo "$f" | tr '/.' '__') # no dot files: the counts below glob
  timeout 300 "$lockstep" check -j1 --format json --timeout 60 "$f" >"$tmp/$n.one" 2>/dev/null
  # ranks, then threads per rank (0: the cores shared by the ranks)
  for job in 1:0 2:0 3:0 2:2; do
    np=${job%:*} j=${job#*:} out="$tmp/$n.${job/:/.}"
    timeout 300 "${mpi[@]}" -np $np "$lockstep" check -j$j --format json --timeout 60 "$f" >"$out" 2>"$out.err"
    if ! python3 "$here/compare_json.py" "$tmp/$n.one" "$out" >"$tmp/out"; then
      failures=$((failures + 1)); cat "$tmp/out"; head -5 "$out.err"
    fi
  done
  files=$((files + 1))
done
# --max-states bounds the job: the canonically first states, as one process
# (which stops storing part way through a level of over 2^16 parents: the
# 12 counters' level 8 has 75,582; the MPI job stores the whole level)
cat >"$tmp/counters.csp" <<'EOF'
channel step : {0..11}.{0..19}
C(i, s) = step.i.s -> C(i, (s + 1) % 20)
assert (||| i : {0..11} @ C(i, 0)) :[deadlock free [F]]
assert (||| i : {0..11} @ C(i, 0)) [T= (||| i : {0..11} @ C(i, 0))
EOF
for spec in "$golden/models/phils8_counts.csp 3000" "$golden/models/deep_divergence.csp 3000" "$tmp/counters.csp 200000"; do
  f=${spec% *} limit=${spec#* }
  for j in 1 2; do
    "$lockstep" check -j$j --format json --max-states $limit "$f" >"$tmp/limit.one" 2>/dev/null
    "${mpi[@]}" -np 3 "$lockstep" check --format json --max-states $limit "$f" >"$tmp/limit.3" 2>/dev/null
    grep -q '"verdict":"limit"' "$tmp/limit.3" || { echo "FAIL $f: --max-states $limit gave no limit"; failures=$((failures + 1)); }
    python3 "$here/compare_json.py" "$tmp/limit.one" "$tmp/limit.3" >"$tmp/out" || { failures=$((failures + 1)); cat "$tmp/out"; }
  done
done
# a level in many rounds, each exchanged while the next is expanded
for f in "$golden/models/phils8_counts.csp" "$golden/models/deep_divergence.csp"; do
  "$lockstep" check -j1 --format json "$f" >"$tmp/round.one" 2>/dev/null
  LOCKSTEP_MPI_ROUND_WORDS=100 "${mpi[@]}" -x LOCKSTEP_MPI_ROUND_WORDS -np 3 "$lockstep" check -j2 --format json "$f" >"$tmp/round.3" 2>/dev/null
  python3 "$here/compare_json.py" "$tmp/round.one" "$tmp/round.3" >"$tmp/out" || { failures=$((failures + 1)); cat "$tmp/out"; }
done
# the term semantics numbers its states as each process meets them: refused
"${mpi[@]}" -np 2 "$lockstep" check --semantics terms "$golden/models/phils3.csp" >"$tmp/terms.out" 2>&1
rc=$?
if [[ $rc -ne 2 ]] || ! grep -q "semantics terms is not distributed over MPI" "$tmp/terms.out"; then
  echo "FAIL --semantics terms at 2 ranks: exit $rc (want 2 and a reason)"; head -3 "$tmp/terms.out"; failures=$((failures + 1))
fi
# the ranks keep packed keys in memory: the tree store and the store on
# disk are refused, not ignored
for store in tree disk:"$tmp"; do
  "${mpi[@]}" -np 2 "$lockstep" check --store "$store" "$golden/models/phils3.csp" >"$tmp/store.out" 2>&1
  rc=$?
  if [[ $rc -ne 2 ]] || ! grep -q "store $store is not distributed over MPI" "$tmp/store.out"; then
    echo "FAIL --store $store at 2 ranks: exit $rc (want 2 and a reason)"; head -3 "$tmp/store.out"; failures=$((failures + 1))
  fi
done
# a machine that fails on a state another rank owns: one process's error,
# located, with its reason (the ranks once called it "out of memory")
printf 'channel a, b, c\nP = a -> P\nQ = chase((b -> P ||| c -> STOP) \\ {a})\nassert Q :[deadlock free [F]]\n' >"$tmp/fails.csp"
"$lockstep" check -j1 --format json "$tmp/fails.csp" >"$tmp/fails.one" 2>/dev/null
for np in 2 3; do
  "${mpi[@]}" -np $np "$lockstep" check --format json "$tmp/fails.csp" >"$tmp/fails.n" 2>"$tmp/fails.err"
  rc=$?
  python3 "$here/compare_json.py" "$tmp/fails.one" "$tmp/fails.n" >"$tmp/out" || { failures=$((failures + 1)); cat "$tmp/out"; }
  if [[ $rc -ne 2 ]] || ! grep -q "fails.csp:4:1: error: chase: the forced taus" "$tmp/fails.err"; then
    echo "FAIL a machine error at $np ranks: exit $rc (want 2 and file:line:col)"; head -3 "$tmp/fails.err"; failures=$((failures + 1))
  fi
done
# pictures: rank 0 draws the same counterexamples as one process
mkdir -p "$tmp/g1" "$tmp/g3"
"$lockstep" check -j1 --graph "$tmp/g1" --graph-format dot "$golden/models/deep_divergence.csp" >/dev/null 2>&1
"${mpi[@]}" -np 3 "$lockstep" check --graph "$tmp/g3" --graph-format dot "$golden/models/deep_divergence.csp" >/dev/null 2>&1
if [[ -z $(ls "$tmp/g1") ]] || ! diff -r "$tmp/g1" "$tmp/g3" >/dev/null; then
  echo "FAIL pictures differ (or none): $(ls "$tmp/g1") / $(ls "$tmp/g3")"; failures=$((failures + 1))
fi
# limits bound the job: a budget too small for 4.8 M states, a deadline,
# and a rank whose allocations fail (address space capped): exit 3 each
cat >"$tmp/big.csp" <<'EOF'
channel c : {0..14}.{0,1}
BUFF(i) = c.i?x -> c.(i+1)!x -> BUFF(i)
PIPE = || i : {0..13} @ [{| c.i, c.(i+1) |}] BUFF(i)
assert PIPE :[deadlock free [F]]
assert PIPE \ {| c.i | i <- {1..13} |} :[divergence free]
EOF
expect_limit() { # what, expected text, then the command
  local what=$1 text=$2; shift 2
  "$@" >"$tmp/lim.out" 2>"$tmp/lim.err"; local rc=$?
  if [[ $rc -ne 3 ]] || ! grep -q "$text" "$tmp/lim.out" "$tmp/lim.err"; then
    echo "FAIL $what: exit $rc (want 3), '$text' expected"; head -5 "$tmp/lim.out" "$tmp/lim.err"
    failures=$((failures + 1))
  fi
}
expect_limit "--memory at 2 ranks" "memory limit reached" "${mpi[@]}" -np 2 "$lockstep" check --memory 80M "$tmp/big.csp"
expect_limit "--timeout at 2 ranks" "time limit reached" "${mpi[@]}" -np 2 "$lockstep" check --timeout 0.3 "$tmp/big.csp"
expect_limit "out of memory on a rank" "out of memory; ending the job" "${mpi[@]}" -np 2 bash -c "ulimit -v 400000; exec $lockstep check $tmp/big.csp"
identical=$(cat "$tmp"/*.3.0 | grep -c '"verdict":"\(pass\|fail\)"')
refused=$(cat "$tmp"/*.3.0 | grep -c 'is not distributed over MPI')
echo "$files models at 1, 2 and 3 ranks, and 2 ranks of 2 threads: $identical assertions identical to one process at 3 ranks, $refused not distributed (refusal testing); $failures differences"
[[ $failures -eq 0 ]]
