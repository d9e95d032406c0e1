#!/usr/bin/env bash
# Hostile and unusual inputs (issue 20): each reproducer pinned with its exit
# code and message. None may crash, hang or answer wrongly.
set -u
lockstep=$1
here=$(dirname "$0")
. "$here/harness.sh"

# --- Internal events cannot be forged by name -----------------------------
printf 'channel tick\nQ = tick -> STOP\nS = SKIP ||| Q\nassert S :[has trace]: <tick>\n' >"$tmp/tick.csp"
expect 0 "a channel named tick is not ✓" -- "$lockstep" check -j1 "$tmp/tick.csp"
printf 'channel tau, a\nP = tau -> a -> STOP\nassert (a -> STOP) [T= P\n' >"$tmp/tau.csp"
expect 1 "a channel named tau is not τ" -- "$lockstep" check -j1 "$tmp/tau.csp"
contains out "trace error: <tau>: the specification cannot do tau after <>" "the visible tau is the counterexample"
printf 'channel a\nassert STOP [T= SKIP\n' >"$tmp/tickjson.csp"
expect 1 "✓ is named ✓ in JSON" -- "$lockstep" check --format json "$tmp/tickjson.csp"
contains out '"event":"✓"' "✓ in JSON is not the text tick"
printf 'channel a\nP = SKIP ||| a -> STOP\nassert P :[deadlock free [F]]\n' >"$tmp/omega.csp"
expect 1 "a terminated component" -- "$lockstep" check -j1 "$tmp/omega.csp"
contains out "(terminated)" "a terminated component is shown as such"
if grep -q Omega "$tmp/out"; then echo "FAIL internal name Omega printed"; failures=$((failures + 1)); fi
printf 'channel tick, tock\nP = tick -> tock -> P\n' >"$tmp/tm.csp"
printf '# lockstep trace 1\n# channel tick\n# channel tock\ntick\ntock\ntick\n# end 3 events\n' >"$tmp/tm.trace"
expect 0 "a recorded channel tick is accepted" -- "$lockstep" trace "$tmp/tm.csp" P "$tmp/tm.trace"
printf '# lockstep trace 1\n# channel tick\n✓\n# end 1 events\n' >"$tmp/forged.trace"
expect 2 "a recorded ✓ is not an event" -- "$lockstep" trace "$tmp/tm.csp" P "$tmp/forged.trace"

# --- Int stays 32 bits ----------------------------------------------------
printf 'm = -2147483647 - 1\nprint -m\n' >"$tmp/neg.csp"
expect 2 "negating the least Int overflows" -- "$lockstep" eval "$tmp/neg.csp"
contains err "neg.csp:2:7: error: integer overflow (2147483648)" "the overflow is located"

# --- Recorded traces: unpredicted deadlocks and files cut short -----------
printf '# lockstep trace 1\n# channel tick\n# channel tock\ntick\n# deadlock\n# blocked A offers {}\n# end 1 events\n' >"$tmp/dl.trace"
expect 1 "an unpredicted recorded deadlock is a rejection" -- "$lockstep" trace "$tmp/tm.csp" P "$tmp/dl.trace"
contains out "REJECTED" "text says REJECTED"
expect 1 "... in JSON too" -- "$lockstep" trace --format json "$tmp/tm.csp" P "$tmp/dl.trace"
contains out '"verdict":"rejected"' 'JSON verdict is rejected'
contains out '"deadlock":"not_predicted"' 'JSON says why'
printf '# lockstep trace 1\n# channel tick\n# channel tock\ntick\ntock\n' >"$tmp/cut.trace"
expect 0 "a trace cut short is still checked" -- "$lockstep" trace "$tmp/tm.csp" P "$tmp/cut.trace"
contains out "incomplete: no '# end' line" "and said to be incomplete"
expect 0 "... in JSON too" -- "$lockstep" trace --format json "$tmp/tm.csp" P "$tmp/cut.trace"
contains out '"complete":false' 'JSON complete is false'
printf '# lockstep trace 1\ntick\n# end 2 events\n' >"$tmp/short.trace"
expect 0 "a trace with fewer events than its end line" -- "$lockstep" trace "$tmp/tm.csp" P "$tmp/short.trace"
contains out "incomplete: '# end 2 events' but the file holds 1" "is incomplete"

echo "$failures failed"
[[ $failures -eq 0 ]]
