#!/usr/bin/env bash
# lockstep trace end to end: the C programs in models/ run on the runtime,
# their traces are accepted by their models; mutated traces (an event
# dropped, two swapped, one injected) are rejected at exactly the index the
# pipeline's semantics says; bad trace files give file:line errors, exit 2.
set -u
lockstep=$1
bin=$2          # the build's models/ directory (the example programs)
models=$3       # the source models/ directory
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }

run() { # run WANT_EXIT DESCRIPTION -- COMMAND... (output in $tmp/out, $tmp/err)
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$?
  if [[ $code -ne $want ]]; then
    fail "$what: exit $code, expected $want"; head -5 "$tmp/out" "$tmp/err"
    return 1
  fi
  ok "$what"
}

"$bin/pipeline_rt" "$tmp/pipeline.trace" >/dev/null 2>&1 ||
  { fail "pipeline_rt did not run"; exit 1; }
"$bin/phils_rt" "$tmp/phils.trace" >/dev/null 2>&1
"$bin/phils_rt" --butler "$tmp/polite.trace" >/dev/null 2>&1

run 0 "the pipeline's trace is accepted" -- "$lockstep" trace "$models/pipeline_rt.csp" SYSTEM "$tmp/pipeline.trace"
run 0 "structs and pointers sent (orders_rt) arrive intact" -- "$bin/orders_rt" "$tmp/orders.trace"
run 0 "... and their projected trace is accepted" -- "$lockstep" trace "$models/orders_rt.csp" SYSTEM "$tmp/orders.trace"
run 0 "the butler's trace is accepted" -- "$lockstep" trace "$models/phils_rt.csp" POLITE "$tmp/polite.trace"
run 0 "the deadlocked run is accepted and its deadlock predicted" -- "$lockstep" trace "$models/phils_rt.csp" TABLE "$tmp/phils.trace"
grep -q "deadlock predicted by the model" "$tmp/out" && ok "deadlock predicted" || fail "deadlock not reported as predicted"
run 1 "the deadlock is not predicted by the butler's model" -- "$lockstep" trace "$models/phils_rt.csp" POLITE "$tmp/phils.trace"
# A buffered channel (lks_buffer, capacity N = 4) is checked against the
# model's explicit buffer process BUFF.
run 0 "the buffered pipeline runs" -- "$bin/pipeline_rt" --buffered "$tmp/buffered.trace" 200
run 0 "... and its trace is accepted by BUFFERED" -- "$lockstep" trace "$models/pipeline_rt.csp" BUFFERED "$tmp/buffered.trace"
run 1 "... and rejected by the cells' SYSTEM" -- "$lockstep" trace "$models/pipeline_rt.csp" SYSTEM "$tmp/buffered.trace"
# event 2 is c.4.0 (the cells would need c.1.0 first) or c.0.1 (cell 0
# would still be full), as the threads happened to run
grep -q "event 2 'c.[04].[01]' is not possible" "$tmp/out" && ok "... at event 2" || fail "buffered trace not rejected at event 2"
grep -q "incomplete" "$tmp/out" && fail "a complete trace rejected early called incomplete" || ok "... and not called incomplete (its end line is there)"
{ grep '^#' "$tmp/buffered.trace" | head -4; printf 'c.0.%d\n' 0 1 2 3 4; } >"$tmp/overfull"
run 1 "a fifth message into a 4-place buffer is rejected" -- "$lockstep" trace "$models/pipeline_rt.csp" BUFFERED "$tmp/overfull"
grep -q "event 5 'c.0.4'" "$tmp/out" && ok "... at event 5" || fail "overfull buffer not rejected at event 5"
run 0 "several traces in one call" -- "$lockstep" trace "$models/phils_rt.csp" POLITE "$tmp/polite.trace" "$tmp/polite.trace"

# Mutations of the pipeline trace. Events are the lines not starting with #.
grep -v '^#' "$tmp/pipeline.trace" >"$tmp/events"
rejected_at() { sed -n "s/.*: event \([0-9]*\) '.*/\1/p" "$tmp/out"; }
mutant() { # mutant NAME EXPECTED_INDEX: checks $tmp/NAME
  run 1 "$1 is rejected" -- "$lockstep" trace "$models/pipeline_rt.csp" SYSTEM "$tmp/$1" || return
  local got; got=$(rejected_at)
  [[ $got == "$2" ]] && ok "$1 rejected at event $2" || fail "$1 rejected at event '$got', expected $2"
}
# swap the first two events (c.0.0, c.1.0): c.1.0 needs cell 0 full first
{ sed -n 2p "$tmp/events"; sed -n 1p "$tmp/events"; sed -n '3,$p' "$tmp/events"; } >"$tmp/swapped"
mutant swapped 1
# inject c.4.7 as event 3: nothing can have reached the consumer yet
{ sed -n 1,2p "$tmp/events"; echo c.4.7; sed -n '3,$p' "$tmp/events"; } >"$tmp/injected"
mutant injected 3
# drop the first c.1 event: cell 0 keeps its value and cell 1 stays empty,
# so the next c.0 (cell 0 full) or c.2 (cell 1 empty) event is impossible
drop=$(grep -n -m1 '^c\.1\.' "$tmp/events" | cut -d: -f1)
sed "${drop}d" "$tmp/events" >"$tmp/dropped"
want=$(awk -v d="$drop" 'NR >= d && /^c\.(0|2)\./ { print NR; exit }' "$tmp/dropped")
mutant dropped "$want"

mkdir "$tmp/graphs"
run 1 "--graph draws a rejection" -- "$lockstep" trace --graph "$tmp/graphs" "$models/pipeline_rt.csp" SYSTEM "$tmp/injected"
[[ -f $tmp/graphs/injected-rejected.svg ]] && ok "rejection drawn" || fail "no rejection diagram"
chart=$tmp/graphs/injected-rejected-sequence.svg
python3 - "$chart" <<'PY' && ok "... and the model's run up to it as a sequence chart, the rejected event in red" || fail "no sequence chart of the rejection"
import sys, xml.etree.ElementTree as ET
g = "{http://www.w3.org/2000/svg}g"
rows = [e for e in ET.parse(sys.argv[1]).getroot().iter(g) if "row" in e.get("class", "").split()]
sys.exit(0 if rows and "red" in rows[-1].get("class").split() and len(rows) > 1 else 1)
PY
rm -rf "$tmp/g2"
run 1 "--graph with a path search beyond --max-states" -- "$lockstep" trace --graph "$tmp/g2" --max-states 2 "$models/pipeline_rt.csp" SYSTEM "$tmp/injected"
grep -q "note: no sequence chart: the search for the model's run along the trace ran out of memory or of --max-states" "$tmp/err" &&
  [[ ! -e $tmp/g2/injected-rejected-sequence.svg && -f $tmp/g2/injected-rejected.svg ]] &&
  ok "... draws the diagram and says why there is no chart" || fail "no note for the missing chart"
run 0 "--graph draws a recorded deadlock" -- "$lockstep" trace --graph "$tmp/graphs" "$models/phils_rt.csp" TABLE "$tmp/phils.trace"
grep -q 'color=red' "$tmp/graphs/phils.trace-deadlock.dot" && ok "the recorded cycle is red" || fail "no red cycle in the recorded deadlock"
grep -q 'class="end red"' "$tmp/graphs/phils.trace-deadlock-sequence.svg" && ok "... and the model's run to that deadlock as a sequence chart" || fail "no sequence chart of the recorded deadlock"

# A headerless file of events is a valid trace.
head -20 "$tmp/events" >"$tmp/plain"
run 0 "a plain file without a header" -- "$lockstep" trace "$models/pipeline_rt.csp" SYSTEM "$tmp/plain"
run 0 "--format json" -- "$lockstep" trace --format json "$models/pipeline_rt.csp" SYSTEM "$tmp/plain"
grep -q '"verdict":"accepted"' "$tmp/out" && ok "json verdict" || fail "json verdict missing"

# Bad files: file:line errors and exit 2.
bad() { # bad NAME LINE CONTENT...
  local name=$1 line=$2; shift 2
  printf '%b' "$@" >"$tmp/$name"
  run 2 "bad trace: $name" -- "$lockstep" trace "$models/pipeline_rt.csp" SYSTEM "$tmp/$name" || return
  grep -q "^$tmp/$name:$line:" "$tmp/err" && ok "$name: error at line $line" || { fail "$name: no error at line $line"; cat "$tmp/err"; }
}
bad unknown_channel 2 'c.0.0\n' 'zz.1\n'
bad outside_type 1 'c.9.0\n'
bad malformed 2 'c.0.0\n' 'c.1 0\n'
bad truncated 2 'c.0.0\n' 'c.1.0'
bad version 1 '# lockstep trace 7\n' 'c.0.0\n'
bad binary 1 'c.0\001.0\n'
run 2 "a missing trace file" -- "$lockstep" trace "$models/pipeline_rt.csp" SYSTEM "$tmp/absent"
exit $((failures > 0))
