#!/usr/bin/env bash
# LOCKSTEP_REPLAY: a C program made to follow a counterexample of its
# model. The philosophers without their barrier (phils_rt --free) deadlock
# only when the timing says so; replaying TABLE's deadlock counterexample
# makes every run take exactly its events and then deadlock, as the model
# predicts. A program that cannot follow (the butler's) stops and says at
# which event and what it offered; a counterexample of another model, a
# missing or malformed file: a clear error, no crash, a valid trace.
# usage: replay_test.sh LOCKSTEP PHILS_RT MODELS_DIR
set -u
lockstep=$1 phils=$2 models=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

"$lockstep" check --quiet --format json --assert 1 "$models/phils_rt.csp" >"$tmp/cex.json"
[[ $? -eq 1 ]] && grep -q '"trace":\["picks.0.0","picks.1.1","picks.2.2","picks.3.3","picks.4.4"\]' "$tmp/cex.json" &&
  ok "TABLE's counterexample: each philosopher takes the left fork" || fail "unexpected counterexample"

for run in 1 2 3 4 5; do
  LOCKSTEP_REPLAY="$tmp/cex.json" timeout 60 "$phils" --free "$tmp/r$run.trace" >"$tmp/out" 2>"$tmp/err"
  code=$?
  events=$(grep -v '^#' "$tmp/r$run.trace" | tr '\n' ' ')
  if [[ $code -eq 1 && $events == "picks.0.0 picks.1.1 picks.2.2 picks.3.3 picks.4.4 " ]] &&
     grep -q "^# deadlock$" "$tmp/r$run.trace"; then
    ok "replay run $run: the counterexample's 5 events, then the deadlock"
  else
    fail "replay run $run: exit $code, events: $events"; cat "$tmp/err"
  fi
done
grep -q "followed the 5 events of $tmp/cex.json; it now runs freely" "$tmp/err" &&
  ok "... saying when the trace is done" || fail "no message at the end of the replay"
"$lockstep" trace "$models/phils_rt.csp" TABLE "$tmp/r1.trace" >"$tmp/out" 2>&1 &&
  grep -q "deadlock predicted by the model" "$tmp/out" &&
  ok "... and lockstep trace finds the recorded deadlock predicted" || fail "replayed deadlock not predicted"

LOCKSTEP_REPLAY="$tmp/cex.json" timeout 60 "$phils" --butler "$tmp/b.trace" >"$tmp/out" 2>"$tmp/err"
code=$?
[[ $code -eq 2 ]] && grep -q "cannot do event 1 'picks.0.0' of $tmp/cex.json: .*PHIL.0 offers {| sits.0 |}" "$tmp/err" &&
  ok "a program that cannot follow stops, naming the event and what it offered" ||
  { fail "butler under replay: exit $code"; cat "$tmp/err"; }
grep -q "^# replay: the program cannot do event 1" "$tmp/b.trace" && tail -1 "$tmp/b.trace" | grep -qx "# end 0 events" &&
  "$lockstep" trace "$models/phils_rt.csp" POLITE "$tmp/b.trace" >/dev/null &&
  ok "... and its trace says so and stays valid" || fail "the butler's trace under replay"

printf '{"failure":{"kind":"deadlock","trace":["c.0.1","c.1.1"]}}\n' >"$tmp/other.json"
LOCKSTEP_REPLAY="$tmp/other.json" timeout 60 "$phils" "$tmp/o.trace" >"$tmp/out" 2>"$tmp/err"
code=$?
[[ $code -eq 2 ]] && grep -q "event 1 'c.0.1' of $tmp/other.json is on channel 'c', which this program does not declare" "$tmp/err" &&
  ok "a counterexample of another model: a clear error naming the event and channel" ||
  { fail "another model's counterexample: exit $code"; cat "$tmp/err"; }

LOCKSTEP_REPLAY="$tmp/none.json" timeout 60 "$phils" "$tmp/n.trace" >"$tmp/out" 2>"$tmp/err"
grep -q "replay: cannot read $tmp/none.json" "$tmp/err" && ok "a missing replay file: said" || fail "missing file not said"
printf '{"failure":{"trace":["picks.0.0", 3]}}\n' >"$tmp/bad.json"
LOCKSTEP_REPLAY="$tmp/bad.json" timeout 60 "$phils" "$tmp/m.trace" >"$tmp/out" 2>"$tmp/err"
grep -q "replay: $tmp/bad.json: a malformed trace" "$tmp/err" && ok "a malformed replay file: said" || fail "malformed file not said"
printf '{"verdict":"pass"}\n' >"$tmp/pass.json"
LOCKSTEP_REPLAY="$tmp/pass.json" timeout 60 "$phils" "$tmp/p.trace" >"$tmp/out" 2>"$tmp/err"
grep -q "holds no counterexample" "$tmp/err" && ok "a file without a counterexample: said" || fail "no-counterexample file not said"

echo "replay: $failures failure(s)"
[[ $failures -eq 0 ]]
