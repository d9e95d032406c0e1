#!/usr/bin/env bash
# The command line as a user meets it: help, version, exit codes 0/1/2/3,
# --assert, --format json, and errors for bad usage.
set -u
lockstep=$1
models=$2
. "$(dirname "$0")/harness.sh"

cat >"$tmp/good.csp" <<'CSP'
channel a, b
P = a -> b -> P
assert P :[deadlock free [F]]
assert P :[divergence free]
CSP
cat >"$tmp/bad.csp" <<'CSP'
channel a
P = a -> STOP
assert P :[deadlock free [F]]
assert P :[divergence free]
CSP

expect 0 "--help" -- "$lockstep" --help
contains out "check FILE" "--help lists the verbs"
expect 0 "--version" -- "$lockstep" --version
contains out "lockstep " "--version prints the version"
contains out "MPI" "... and whether the build has MPI"
expect 0 "check --help" -- "$lockstep" check --help
contains out "--max-states" "check --help lists options"
expect 0 "eval --help" -- "$lockstep" eval --help
contains out "--eval-depth" "eval --help lists its options"
expect 0 "lts --help" -- "$lockstep" lts --help
contains out "--max-draw" "lts --help lists --dot, --graph, --max-draw"
expect 0 "trace --help" -- "$lockstep" trace --help
contains out "--observe" "trace --help lists --observe and --hide"
expect 0 "typecheck --help" -- "$lockstep" typecheck --help
contains out "usage: lockstep typecheck" "typecheck --help is its own"
expect 2 "no verb" -- "$lockstep"
expect 2 "unknown verb" -- "$lockstep" frobnicate x.csp
expect 2 "missing file" -- "$lockstep" check "$tmp/absent.csp"
contains err "absent.csp: error: cannot read file" "missing file is named"
expect 2 "directory as file" -- "$lockstep" check "$tmp"
expect 2 "unknown option" -- "$lockstep" check --frob "$tmp/good.csp"
expect 2 "unknown leaf compression" -- "$lockstep" check --leaf-compression normal "$tmp/good.csp"
contains err "unknown leaf compression 'normal' (none, sbisim or wbisim)" "... names the choices"
expect 0 "leaf compression sbisim" -- "$lockstep" check --leaf-compression sbisim "$tmp/good.csp"
expect 2 "bad thread count" -- "$lockstep" check -j lots "$tmp/good.csp"
expect 0 "all assertions hold" -- "$lockstep" check --quiet "$tmp/good.csp"
contains out "PASS" "passing assertions print PASS"
expect 1 "an assertion fails" -- "$lockstep" check --quiet "$tmp/bad.csp"
contains out "deadlock after <a>" "the counterexample is printed"
expect 0 "--assert picks one by number" -- "$lockstep" check --quiet --assert 2 "$tmp/bad.csp"
expect 0 "--assert picks one by text" -- "$lockstep" check --quiet --assert 'P :[divergence free]' "$tmp/bad.csp"
expect 2 "--assert that does not exist" -- "$lockstep" check --quiet --assert 7 "$tmp/bad.csp"
expect 1 "--format json" -- "$lockstep" check --quiet --format json "$tmp/bad.csp"
contains out '"schema_version":1' "json carries the schema version"
contains out '"trace":["a"]' "json carries the trace"
grep -qE '"states_per_second":[0-9]+,"peak_rss_bytes":[1-9][0-9]*,' "$tmp/out" && echo "ok   json carries states/s and peak memory" || { echo "FAIL json statistics:"; cat "$tmp/out"; failures=$((failures + 1)); }
expect 0 "--stats" -- "$lockstep" check --quiet --stats "$tmp/good.csp"
grep -qE '^ +[0-9]+ states/s, [0-9.]+ bytes/state, [0-9]+ bytes store, [0-9]+ threads, [0-9.]+ MB peak memory$' "$tmp/out" && echo "ok   --stats prints states/s, bytes/state, threads, peak memory" || { echo "FAIL --stats line:"; cat "$tmp/out"; failures=$((failures + 1)); }
cat >"$tmp/wide.csp" <<'CSP'
channel c : {0..20}
channel d
SYSTEM = (c?x -> STOP) [| {| c |} |] (d -> STOP)
assert SYSTEM :[deadlock free [F]]
CSP
expect 1 "a deadlock whose component offers 21 events" -- "$lockstep" check --quiet "$tmp/wide.csp"
contains out "offers {c.0, c.1, c.2, c.3, c.4, c.5, c.6, c.7, c.8, c.9, c.10, c.11, ... (9 more)}" "text shows 12 offered events and how many more"
expect 1 "the same in JSON" -- "$lockstep" check --quiet --format json "$tmp/wide.csp"
contains out '"c.19","c.20"]' "json lists every offered event"
expect 3 "--max-states ends with exit 3" -- "$lockstep" check --quiet --max-states 2 "$models/dining_philosophers.csp"
expect 1 "the README example fails as documented" -- "$lockstep" check --quiet "$models/dining_philosophers.csp"
expect 3 "an exponential normal form hits --max-states" -- "$lockstep" check --quiet --max-states 1000 "$(dirname "$0")/models/exponential_spec.csp"
contains out "normal form exceeds" "the limit is named"
expect 0 "the same normal form within bounds" -- "$lockstep" check --quiet "$(dirname "$0")/models/exponential_spec.csp"
contains out "normal form 16384 nodes" "the normal form has 2^14 nodes"
mkdir "$tmp/graphs"
expect 1 "--graph draws the failed assertions" -- "$lockstep" check --quiet --graph "$tmp/graphs" "$tmp/bad.csp"
[[ -f $tmp/graphs/bad-1-deadlock.dot && -f $tmp/graphs/bad-1-deadlock.svg ]] && echo "ok   counterexample drawn" || { echo "FAIL no counterexample files"; ls "$tmp/graphs"; failures=$((failures + 1)); }
grep -q '<svg' "$tmp/graphs/bad-1-deadlock.svg" && echo "ok   the SVG's root element is svg" || { echo "FAIL not an svg"; failures=$((failures + 1)); }
[[ ! -e $tmp/graphs/bad-2-divergence.dot ]] && echo "ok   nothing drawn for a passing assertion" || { echo "FAIL a passing assertion was drawn"; failures=$((failures + 1)); }
expect 1 "--graph into a missing folder makes it" -- "$lockstep" check --quiet --graph "$tmp/none" "$tmp/bad.csp"
[[ -d $tmp/none ]] && echo "ok   ... and draws into it" || { echo "FAIL no folder made"; failures=$((failures + 1)); }
expect 2 "--graph into a folder whose parent is missing" -- "$lockstep" check --quiet --graph "$tmp/no/such" "$tmp/bad.csp"
contains err "cannot make the folder" "... says so"
chmod 555 "$tmp/graphs"
if [[ $(id -u) -ne 0 ]]; then
  expect 2 "--graph into an unwritable directory" -- "$lockstep" check --quiet --graph "$tmp/graphs" "$tmp/bad.csp"
fi
chmod 755 "$tmp/graphs"
expect 0 "lts --graph draws a small process" -- "$lockstep" lts --graph "$tmp/graphs" "$tmp/good.csp" P
contains out "drew P's 2 states; their terms are listed in" "... says what it drew"
grep -q "^1: b -> P$" "$tmp/graphs/P.states.txt" && echo "ok   ... and lists each state's term beside the picture" ||
  { echo "FAIL no P.states.txt listing"; failures=$((failures + 1)); }
grep -q "deadlock: no move" "$tmp/graphs/P.svg" && echo "ok   ... with a legend of its marks" ||
  { echo "FAIL no legend in P.svg"; failures=$((failures + 1)); }
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$tmp/graphs/P.svg" &&
  echo "ok   ... in well-formed SVG" || { echo "FAIL P.svg does not parse"; failures=$((failures + 1)); }
expect 0 "lts --graph above --max-draw draws the components" -- "$lockstep" lts --graph "$tmp/graphs" --max-draw 1 "$tmp/good.csp" P
contains out "drew the strongly connected components of P's 2 states" "... and says so"
printf 'channel a, b, c\nQ = a -> b -> c -> STOP\n' >"$tmp/line.csp"
expect 3 "lts --graph refuses when even the components are too many" -- "$lockstep" lts --graph "$tmp/graphs" --max-draw 1 "$tmp/line.csp" Q
contains err "more than can be drawn" "the drawing limit is explained"
expect 0 "lts --graph draws 392 states (the philosophers' table) in bounded time" -- timeout 60 "$lockstep" lts --graph "$tmp/graphs" "$models/dining_philosophers.csp" TABLE
grep -q "{| picks, putsdown |}" "$tmp/graphs/TABLE.states.txt" && echo "ok   ... sets listed by their channels" ||
  { echo "FAIL TABLE.states.txt lists sets in full"; failures=$((failures + 1)); }
printf 'channel a\nP = a -> (P ||| P)\nassert P :[deadlock free [F]]\n' >"$tmp/rec.csp"
expect 3 "recursion through ||| ends with a limit" -- "$lockstep" check --quiet --max-states 5000 "$tmp/rec.csp"
contains err "P has too many states for one sequential component" "the process is named"
printf 'f(x) = f(x + 1)\nchannel c : {0..1}\nP = c!f(0) -> STOP\nassert P :[deadlock free [F]]\n' >"$tmp/deep.csp"
expect 3 "runaway recursion ends at the evaluation depth limit" -- "$lockstep" check --quiet --eval-depth 200 "$tmp/deep.csp"
contains err "evaluation too deep (200 nested calls, the --eval-depth limit)" "the depth limit is named"
contains err "in f (called at" "the function is named"
expect 3 "the evaluation step limit" -- "$lockstep" check --quiet --eval-steps 1000 "$tmp/deep.csp"
contains err "evaluation step limit (1000) reached" "the step limit is named"
sed 's/^N = 5/N = 10/' "$models/dining_philosophers.csp" >"$tmp/phils10.csp"
expect 3 "--memory ends a check that does not fit" -- "$lockstep" check --quiet --memory 1M --assert 2 "$tmp/phils10.csp"
# (the budget bounds the whole process: a slow build may reach it while
# loading, and then the message is on stderr)
cat "$tmp/out" >>"$tmp/err"
contains err "memory limit reached" "the memory limit is named"
expect 3 "--timeout ends a long check" -- "$lockstep" check --quiet --timeout 0.01 --assert 2 "$tmp/phils10.csp"
cat "$tmp/out" >>"$tmp/err"
contains err "time limit reached" "the time limit is named"
# The finer models from the command line: revivals and refusal testing.
cat >"$tmp/revivals.csp" <<'CSP'
channel a
P = a -> STOP
assert P [V= P
assert P [RD= P
assert P [T= P
CSP
expect 0 "[V= and [RD= are checked" -- "$lockstep" check --quiet "$tmp/revivals.csp"
contains out "PASS  P [V= P" "[V= is checked"
contains out "PASS  P [RD= P" "[RD= is checked"
contains out "PASS  P [T= P" "the other assertion runs too"
cat >"$tmp/refusals.csp" <<'CSP'
channel a, b, c, d
Spec = (a -> c -> STOP) |~| (a -> d -> STOP [] b -> STOP)
assert Spec [R= a -> d -> STOP
CSP
expect 1 "a refusal-testing failure" -- "$lockstep" check --format json "$tmp/refusals.csp"
contains out '"kind":"refusal","trace":["a"],"event":"d"' "JSON names the kind, trace and event"
contains out '"refusals":[{"before":"a","offers":["a"]},{"before":"d","offers":["d"]}]' "JSON lists the refusals shown"
expect 0 "JSON with compressions" -- "$lockstep" check --format json --assert 1 "$models/token_ring.csp"
contains out '"compressions":[{"process":"normal(Node(0) \\ {local.0})","states_before":9,"transitions_before":15,"states_after":3,"transitions_after":3' "JSON gives each compression's sizes"
cat >"$tmp/misspelt.csp" <<'CSP'
channel pick, drop
PHIL = pikc -> drop -> PHIL
R = stop
CSP
expect 2 "misspelt names" -- "$lockstep" check "$tmp/misspelt.csp"
contains err "misspelt.csp:2:8: type error: 'pikc' is not defined (did you mean 'pick'?)" "did you mean, for a swap"
contains err "'stop' is not defined (did you mean 'STOP'?)" "did you mean, case aside"
cat >"$tmp/one.csp" <<'CSP'
channel a
P = a -> P
assert P :[deadlock free]
assert P [T= P
CSP
expect 0 "plural agreement" -- "$lockstep" check "$tmp/one.csp"
contains out "1 state, 1 transition, depth 1" "one state, one transition"
contains out "specification normal form 1 node" "one node"
expect 2 "JSON for a file that does not load" -- "$lockstep" check --format json "$tmp/misspelt.csp"
contains out '{"schema_version":1,"verdict":"error","kind":"type error","message":"'"'"'pikc'"'"' is not defined (did you mean '"'"'pick'"'"'?)","file":' "a type error is JSON on stdout"
cat >"$tmp/evalerr.csp" <<'CSP'
channel a
f(x) = if x > 2 then error("too big") else x
P = a -> Q(f(3))
Q(n) = a -> STOP
assert P :[deadlock free]
assert P :[divergence free]
CSP
expect 2 "an evaluation error" -- "$lockstep" check --format json "$tmp/evalerr.csp"
contains out '"verdict":"error","holds":false,"message":"the process could not be evaluated: ' "JSON says why the process could not be evaluated"
contains out 'evalerr.csp:2:27: error(' "... with the position of the error"
lines=$(grep -c 'error: error(' "$tmp/err")
[ "$lines" = 1 ] && echo "ok   an evaluation error is said once for two checks" || { echo "FAIL said $lines times"; failures=$((failures + 1)); }
cat >"$tmp/deep.csp" <<'CSP'
channel a, b
f(x) = if x > 2 then error("too big") else x
P(n) = a -> b -> P(f(n + 1))
assert P(0) :[deadlock free]
CSP
expect 2 "an evaluation error met while exploring" -- "$lockstep" check --semantics terms "$tmp/deep.csp"
contains out "the process could not be evaluated after <a, b, a, b>: " "the trace that reached it"
# the same error in a component compiled before exploring (a leaf of the
# network): the component, and its own events that reached the error
cat >"$tmp/leaf.csp" <<'CSP'
channel a, b : {0..3}
P(n) = a.n -> P(10 / (2 - n))
Q = b?x -> Q
assert P(0) ||| Q :[deadlock free]
CSP
expect 2 "an evaluation error met while compiling a component" -- "$lockstep" check "$tmp/leaf.csp"
contains out "the process could not be evaluated in P(0), after its events <a.0>: " "the component and the events that reached it"
# --timeout is each assertion's time; --total-timeout the run's
cat >"$tmp/slow.csp" <<'CSP'
channel c : {0..999}
P(n) = c!n -> P((n * 7 + 1) % 1000) [] c!((n + 1) % 1000) -> P(n)
assert ||| i : {0..5} @ P(i) :[deadlock free]
assert c!0 -> STOP :[has trace]: <c.0>
CSP
expect 3 "--timeout: the slow assertion is LIMIT" -- "$lockstep" check --quiet --timeout 1 "$tmp/slow.csp"
contains out "time limit reached (--timeout)" "... which says so"
contains out "PASS  c!0 -> STOP" "... and the next one still runs"
expect 2 "a bad --total-timeout is a usage error" -- "$lockstep" check --total-timeout 0 "$tmp/slow.csp"
contains err "bad timeout '0'" "... which says so"
expect 3 "--total-timeout: the run ends" -- "$lockstep" check --quiet --total-timeout 1 "$tmp/slow.csp"
contains out "not run: time limit of the run reached (--total-timeout)" "... and the next one is not run"
# 12 independent counters of 20 values: C(d + 11, 11) states at depth d,
# C(d + 12, 12) up to it; 125,970 up to depth 8, whose 75,582 states are
# expanded (12 transitions each) to find level 9, where 200,000 cuts: the
# explorer stops storing part way through that level (explore.c,
# level_run) and the counts are still those of the whole level
cat >"$tmp/counters.csp" <<'CSP'
channel step : {0..11}.{0..19}
C(i, s) = step.i.s -> C(i, (s + 1) % 20)
assert (||| i : {0..11} @ C(i, 0)) :[deadlock free [F]]
CSP
for j in 1 2; do
  expect 3 "--max-states inside a level of 167,960 states, -j$j" -- "$lockstep" check -j$j --max-states 200000 "$tmp/counters.csp"
  contains out "200000 states, 1511640 transitions, depth 9" "... 12 x 125,970 transitions, as derived"
done
# tests/bench/wide_counters.csp: 24 counters of 60 values, 144-bit states
# (so --store tree makes trees of 36-bit leaves). C(29, 24) = 118,755
# states up to depth 5, each with 24 transitions: 2,850,120; level 6
# (475,020 states) is cut at 200,000. The same in both stores, and the
# tree's node set grows on the way (tens of thousands of pairs).
# On disk (in a folder of its own, which must stay empty: the runs'
# files have no names) with --memory 64M: the process holds about 14 MB
# before it explores, and a quarter of the rest holds the successors
# (a sanitizer's process holds 250 MB and more at a level's end: 1G, where fewer runs spill):
# level 5 alone has 2,137,080 successors (32 bytes each: 144-bit keys in
# 3 words and a discovery), so they go to disk in sorted runs and are
# merged.
mkdir "$tmp/disk"
for store in ram tree disk:"$tmp/disk"; do
  memory=()
  [[ $store == disk:* ]] && memory=(--memory 64M)
  [[ $store == disk:* && -n ${ASAN_OPTIONS-}${TSAN_OPTIONS-} ]] && memory=(--memory 1G)
  for j in 1 2; do
    expect 3 "--store ${store%%:*}, -j$j, to --max-states 200000" -- "$lockstep" check -j$j --store $store "${memory[@]}" --max-states 200000 "$(dirname "$0")/../bench/wide_counters.csp"
    contains out "200000 states, 2850120 transitions, depth 6" "... the counts as derived"
  done
done
[[ -z $(ls -A "$tmp/disk") ]] && echo "ok   --store disk leaves no file behind" || { echo "FAIL files left in the disk store's folder:"; ls -A "$tmp/disk"; failures=$((failures + 1)); }
# buffers of 12 places: 3^12 = 531,441 states, 2,007,666 transitions,
# depth 79; on disk as in memory, with the disk's bytes in --stats
sed -e 's/^N = [0-9]*/N = 12/' "$models/buffer_chain.csp" >"$tmp/chain12.csp"
expect 0 "--store disk explores buffers of 12 places whole" -- "$lockstep" check -j2 --stats --store disk:"$tmp/disk" "${memory[@]}" --assert 1 "$tmp/chain12.csp"
contains out "531441 states, 2007666 transitions, depth 79" "... the counts of the store in memory"
contains out "bytes/state on disk" "... and --stats gives its bytes on disk"
# the divergence search on disk (on files: an index, the tau edges,
# rounds of elimination) gives the store in memory's verdicts and
# counterexamples: buffers of 10 places, hidden inside (no divergence) or
# wholly (a loop of 11 taus), and the refinement of the FIFO in [FD=
sed -e 's/^N = [0-9]*/N = 10/' "$models/buffer_chain.csp" >"$tmp/chain10.csp"
printf 'assert CHAIN \\ {| c |} :[divergence free]\nassert CHAIN \\ {| c |} :[deadlock free [FD]]\n' >>"$tmp/chain10.csp"
expect 1 "divergence in memory" -- "$lockstep" check "$tmp/chain10.csp"
sed 's/, [0-9.]* s//' "$tmp/out" >"$tmp/diverge.ram"
contains out "divergence after <>: a loop of 11 tau steps" "... a loop of 11 taus"
expect 1 "divergence on disk" -- "$lockstep" check -j2 --store disk:"$tmp/disk" "${memory[@]}" "$tmp/chain10.csp"
sed 's/, [0-9.]* s//' "$tmp/out" >"$tmp/diverge.disk"
cmp -s "$tmp/diverge.ram" "$tmp/diverge.disk" && echo "ok   ... the same verdicts and counterexamples" ||
  { echo "FAIL on disk, the divergence checks differ:"; diff "$tmp/diverge.ram" "$tmp/diverge.disk"; failures=$((failures + 1)); }
[[ -z $(ls -A "$tmp/disk") ]] && echo "ok   ... and no file left" || { echo "FAIL files left by the divergence search:"; ls -A "$tmp/disk"; failures=$((failures + 1)); }
expect 2 "--store disk without a folder" -- "$lockstep" check --store disk: "$tmp/counters.csp"
contains err "name a directory for the states" "... which says so"
expect 2 "an unknown --store" -- "$lockstep" check --store attic "$tmp/counters.csp"
contains err "unknown store 'attic' (ram, tree or disk:DIR)" "... which says so"
"$lockstep" --version >"$tmp/version"
if grep -q "(MPI: " "$tmp/version"; then
  echo "ok   (built with MPI: tests/mpi runs it under mpirun)"
else
  expect 2 "started by mpirun as 2 processes without MPI support" -- env OMPI_COMM_WORLD_SIZE=2 "$lockstep" check "$tmp/bad.csp"
  contains err "started as 2 MPI processes, but this build has no MPI support" "... says so, once per process, instead of checking twice"
fi
expect 2 "a bad LOCKSTEP_MPI_ROUND_WORDS is a usage error" -- env LOCKSTEP_MPI_ROUND_WORDS=lots "$lockstep" check "$tmp/bad.csp"
contains err "bad LOCKSTEP_MPI_ROUND_WORDS 'lots'" "... which says so"
expect 1 "one MPI process runs as usual" -- env OMPI_COMM_WORLD_SIZE=1 "$lockstep" check --quiet "$tmp/bad.csp"
exit $((failures > 0))
