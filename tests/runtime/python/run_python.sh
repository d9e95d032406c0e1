#!/usr/bin/env bash
# The Python recorder (runtime/python/lockstep_rt.py): its traces pass
# `lockstep trace` against the same models as the C examples; a deadlock is
# recorded with what each process offered and predicted by the model; the
# model draws the complete wait-for graph where the recording knows only
# the partners it has seen; bad values are refused before anything is
# recorded.
# usage: run_python.sh LOCKSTEP MODELS_DIR
set -u
lockstep=$1 models=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() { # check WANT DESCRIPTION -- COMMAND...
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$?
  [[ $code -eq $want ]] && ok "$what" ||
    { fail "$what: exit $code, expected $want"; head -5 "$tmp/out" "$tmp/err"; }
}

check 0 "the pipeline runs" -- timeout 60 python3 "$here/pipeline.py" "$tmp/pipe.trace" 200
check 0 "... and its trace is a trace of SYSTEM" -- "$lockstep" trace "$models/pipeline_rt.csp" SYSTEM "$tmp/pipe.trace"
grep -qx "# end 1000 events" "$tmp/pipe.trace" && ok "... 200 messages through 5 channels: 1,000 events, all counted" ||
  fail "wrong event count: $(tail -1 "$tmp/pipe.trace")"
grep -qx "# poison c.0 by PRODUCER" "$tmp/pipe.trace" && grep -qx "# exit CONSUMER 0" "$tmp/pipe.trace" &&
  ok "... the poison recorded and every process ended" || fail "poison or exits missing"

check 0 "objects on channels (orders.py)" -- timeout 60 python3 "$here/orders.py" "$tmp/orders.trace"
grep -qx "receipt 4: 300 item 4" "$tmp/out" && ok "... arrive as sent" || fail "wrong receipt: $(cat "$tmp/out")"
check 0 "... and are recorded through their projections, a trace of SYSTEM" -- "$lockstep" trace "$models/orders_rt.csp" SYSTEM "$tmp/orders.trace"

check 0 "the butler's philosophers run" -- timeout 60 python3 "$here/phils.py" --butler "$tmp/polite.trace"
check 0 "... and their trace is a trace of POLITE" -- "$lockstep" trace "$models/phils_rt.csp" POLITE "$tmp/polite.trace"

check 0 "the naive philosophers deadlock" -- timeout 60 python3 "$here/phils.py" "$tmp/phils.trace"
grep -qx deadlock "$tmp/out" && ok "... every process got Deadlock" || fail "no deadlock reported"
grep -qx "# blocked PHIL.0 offers {| picks.0.1 |}" "$tmp/phils.trace" &&
  grep -qx "# blocked FORK.0 offers {| putsdown.0.0 |}" "$tmp/phils.trace" &&
  ok "... what each process offered is recorded" || fail "blocked lines missing"
check 0 "... the trace is a trace of TABLE" -- "$lockstep" trace --graph "$tmp/g" "$models/phils_rt.csp" TABLE "$tmp/phils.trace"
grep -q "deadlock predicted by the model" "$tmp/out" && ok "... and the model predicts its deadlock" || fail "deadlock not predicted"
check 1 "... which POLITE does not allow" -- "$lockstep" trace "$models/phils_rt.csp" POLITE "$tmp/phils.trace"
grep -q 'color=red' "$tmp/g/phils.trace-deadlock-model.dot" &&
  ok "the model's wait-for graph of the deadlock has the cycle (in red)" ||
  fail "no cycle in the model's wait-for graph"

cat >"$tmp/bad.py" <<PY
import sys
sys.path.insert(0, "$here/../../../runtime/python")
import lockstep_rt as lks
rt = lks.Runtime("$tmp/bad.trace")
rt.declare("c", range(0, 3))
c = rt.channel("c")
def s(p):
    p.send(c, 7)
def r(p):
    p.recv(c)
res = rt.par(("S", s), ("R", r))
rt.close()
print(type(res[0]).__name__, res[0])
PY
check 0 "a value outside the channel's type" -- timeout 30 python3 "$tmp/bad.py"
grep -q "ValueError 7 is outside field 1 of c" "$tmp/out" && ok "... is refused with the channel and field named" ||
  { fail "no clear error for a bad value"; cat "$tmp/out"; }
! grep -q "^c\." "$tmp/bad.trace" && grep -qx "# end 0 events" "$tmp/bad.trace" &&
  ok "... nothing recorded for it, and the trace still ends cleanly" || fail "bad value recorded"
printf 'channel c : {0..2}\nSYS = c?x -> SYS\n' >"$tmp/c.csp"
check 1 "... that trace is well-formed: R, left waiting, is a deadlock the model does not predict" -- \
  "$lockstep" trace "$tmp/c.csp" SYS "$tmp/bad.trace"
grep -q "recorded: R offers {| c |}" "$tmp/out" && ok "... and R's offer is what the runtime recorded" ||
  fail "R's offer not reported"

echo "python recorder: $failures failure(s)"
[[ $failures -eq 0 ]]
