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
contains err "forged.trace:3:1: error: malformed event line '✓'" "... at its line"

# --- Int stays 32 bits ----------------------------------------------------
# a process too large to compress is a limit naming the compression; a
# compression of a non-process is a type error at its argument
printf 'channel a : {0..99}\nC(i) = a.i -> C((i+1)%%100)\nassert sbisim(C(0)) :[deadlock free]\n' >"$tmp/cbig.csp"
expect 3 "a process too large to compress" -- "$lockstep" check --max-states 50 "$tmp/cbig.csp"
contains out "sbisim(C(0)): the process to compress has more than 50 states (--max-states)" "... names the compression"
printf 'channel a\nQ = normal(1)\nassert Q :[deadlock free]\n' >"$tmp/cnotproc.csp"
expect 2 "a compression of a number" -- "$lockstep" check "$tmp/cnotproc.csp"
contains err "cnotproc.csp:2:12: type error: expected Proc, found Int" "... is a located type error"

printf 'channel a\nP = sbisim(a -> P)\nassert P :[deadlock free]\n' >"$tmp/cself.csp"
expect 2 "a process that contains its own compression" -- "$lockstep" check "$tmp/cself.csp"
contains out "sbisim(a -> P): the process to compress contains this compression itself" "... says so (it recursed until the stack overflowed)"

# prioritise over a compression that changes taus or offers is refused
# (its verdict could differ), over sbisim it runs; each check names its own
printf 'channel a, b, c\nP = (c -> a -> STOP [] b -> STOP) \\ {c}\nassert prioritise(sbisim(P), <{a}, {b}>) :[has trace [T]]: <a>\nassert prioritise(sbisim(diamond(P)), <{a}, {b}>) :[has trace [T]]: <a>\n' >"$tmp/prio.csp"
expect 2 "prioritise over diamond" -- "$lockstep" check "$tmp/prio.csp"
contains out "PASS  prioritise(sbisim(P)" "... over sbisim is checked"
contains out "diamond(P): prioritise cannot look through this compression" "... over diamond is refused, naming it"
printf 'channel a\nP = a -> P\nQ = prioritise(P, {a})\nassert Q :[deadlock free]\n' >"$tmp/priobad.csp"
expect 2 "a priority list that is a set" -- "$lockstep" check "$tmp/priobad.csp"
contains err "priobad.csp:3:19: type error: expected <{Event}>, found {Event}" "... is a located type error"

# a revival counterexample is drawn as one: the event revived, or the
# deadlock the specification does not have
printf 'channel a, b\nassert (a -> STOP [] b -> STOP) |~| STOP [V= a -> STOP\nassert a -> STOP [V= (STOP |~| a -> STOP)\n' >"$tmp/rev.csp"
mkdir -p "$tmp/revg"
expect 1 "revival counterexamples drawn" -- "$lockstep" check --graph "$tmp/revg" --graph-format dot "$tmp/rev.csp"
cat "$tmp"/revg/*.dot >"$tmp/out"
contains out "the specification cannot refuse all else and then do this" "... the event revived"
contains out "deadlocks where the specification cannot" "... the deadlock"

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

# A line longer than the reader takes (1 MiB): a located error, not a crash
{ printf '# lockstep trace 1\n# channel tick\ntick\n'; head -c 2000000 /dev/zero | tr '\0' x; printf '\n# end 2 events\n'; } >"$tmp/long.trace"
expect 2 "a trace line over 1 MiB is refused" -- "$lockstep" trace "$tmp/tm.csp" P "$tmp/long.trace"
contains err "long.trace:4:1: error: line too long" "at its line"

# A chase whose forced taus go round a cycle: an error at the assertion,
# over a network (network.c) and over a sequential process (term.c)
printf 'channel a, b\nP = a -> P\nQ = chase((P ||| b -> STOP) \\ {a})\nassert Q :[deadlock free [F]]\nDD = (a -> DD) \\ {a}\nD = chase(DD)\nassert D :[deadlock free [F]]\n' >"$tmp/chase.csp"
expect 2 "a chase of a divergent network is an error" -- "$lockstep" check "$tmp/chase.csp"
contains err "chase.csp:4:1: error: chase: the forced taus of the initial state go round a cycle" "... at the assertion, saying why"
contains err "chase.csp:7:1: error: chase: the forced taus" "... and of a divergent process"
expect 2 "... in the explored-terms semantics too" -- "$lockstep" check --semantics terms "$tmp/chase.csp"
contains err "chase.csp:4:1: error: chase: the forced taus of (P ||| (b -> STOP)) \\ {a} go round a cycle" "... naming the process"

# --- Long flat chains check; deep nesting ends in a located error ---------
# (not under ThreadSanitizer: it cannot record stacks of 65,536 frames or more)
if [[ -z ${TSAN_OPTIONS-} ]]; then
chain() { # chain OP N: P = a -> STOP OP a -> STOP OP ... (N operands)
  python3 -c "import sys; print('channel a\nP = ' + sys.argv[1].join(['a -> STOP'] * int(sys.argv[2])) + '\nassert P :[deadlock free [F]]')" " $1 " "$2" >"$tmp/chain.csp"
}
for op in '[]' '|~|' ';'; do
  chain "$op" 100000
  expect 1 "a chain of 100,000 '$op' is checked" -- "$lockstep" check -j1 "$tmp/chain.csp"
  contains out "deadlock after <a>" "... and deadlocks after <a>"
done
chain '|||' 10000
expect 3 "10,000 interleaved processes end at the state limit" -- "$lockstep" check -j1 --max-states 2000 "$tmp/chain.csp"
chain '|||' 20000
expect 3 "20,000 interleaved processes are too wide to store" -- "$lockstep" check -j1 "$tmp/chain.csp"
contains out "a state of this process (20000 components) needs more than 16064 bits: too wide to store" "... which is said"
python3 -c "print('channel a\nP = ' + ' -> '.join(['a'] * 100000) + ' -> STOP\nassert P :[deadlock free [F]]')" >"$tmp/prefixes.csp"
expect 1 "100,000 prefixes in a row are checked" -- "$lockstep" check -j1 "$tmp/prefixes.csp"
contains out "100001 states, 100000 transitions" "... all of them"
for op in '+' 'and' '^'; do
  case $op in '+') x=1 want=100000 ;; and) x=true want=true ;; ^) x='<1>' want=100000 ;; esac
  python3 -c "import sys; print('x = ' + sys.argv[1].join([sys.argv[2]] * 100000) + '\nprint ' + ('#x' if sys.argv[2] == '<1>' else 'x'))" " $op " "$x" >"$tmp/expr.csp"
  expect 0 "100,000 operands of '$op' evaluate" -- "$lockstep" eval "$tmp/expr.csp"
  contains out "$want" "... to $want"
done
python3 -c "print('x = ' + ' - '.join(['1'] * 3000000) + '\nprint x')" >"$tmp/deep.csp"
expect 2 "3,000,000 operands of '-' are nested too deeply" -- "$lockstep" eval "$tmp/deep.csp"
# (the column depends on the stack frames of the build: only the line is pinned)
grep -qE "deep.csp:1:[0-9]+: type error: expression nested too deeply to type-check" "$tmp/err" &&
  echo "ok   ... and say so, located" ||
  { echo "FAIL no located nesting error"; head -3 "$tmp/err"; failures=$((failures + 1)); }
python3 -c "print('x = ' + '<' * 100000 + '1' + '>' * 100000 + '\nprint #x')" >"$tmp/nested.csp"
expect 0 "a sequence nested 100,000 deep is typed in linear time" -- timeout 60 "$lockstep" eval "$tmp/nested.csp"
printf 'f(n) = f(n+1)\nprint f(0)\n' >"$tmp/runaway.csp"
expect 3 "runaway recursion ends at the default depth (a limit)" -- "$lockstep" eval "$tmp/runaway.csp"
contains err "runaway.csp:1:10: error: evaluation too deep (1000000 nested calls, the --eval-depth limit)" "... located, with the limit named"
printf 'channel a\nP(n) = a -> STOP ||| P(n+1)\nassert P(0) :[deadlock free [F]]\n' >"$tmp/grows.csp"
expect 3 "a parallel recursion that never ends is an infinite network" -- "$lockstep" check -j1 "$tmp/grows.csp"
contains err "grows.csp:3:1: error: the process nests parallel, hiding or renaming operators too deep (100000 levels)" "... said so"
contains out "is an infinite network, not supported" "... in full on the LIMIT line"

fi

# --- Files that are not source files --------------------------------------
printf 'include "/dev/zero"\n' >"$tmp/zero.csp"
expect 2 "including an endless file stops" -- timeout 20 "$lockstep" check "$tmp/zero.csp"
contains err "zero.csp:1:1: error: cannot include /dev/zero: larger than 256 MiB" "... with a located error"
printf 'include "/tmp"\n' >"$tmp/dir.csp"
expect 2 "including a directory is an error" -- "$lockstep" check "$tmp/dir.csp"
contains err "dir.csp:1:1: error: cannot include /tmp: it is a directory" "... that says so"
expect 2 "checking a directory is an error" -- "$lockstep" check /tmp

# --- A recursion under hiding is guarded ----------------------------------
# (a -> IMPL) \ {|a|}: after each hidden a, (Q \ B) \ A = Q \ (A u B) keeps
# the term from growing; IMPL diverges at once and refuses nothing stably.
printf 'channel a\nIMPL = (a -> IMPL) \\ {|a|}\nassert IMPL :[divergence free]\nassert STOP [T= IMPL\nassert IMPL :[deadlock free [F]]\n' >"$tmp/hidden.csp"
printf 'J = b -> (a -> J) \\ {a}\nchannel b\nassert J :[divergence free]\nassert b -> STOP [T= J\n' >>"$tmp/hidden.csp"
for semantics in network terms; do
  expect 1 "a recursion under hiding is decided ($semantics)" -- "$lockstep" check -j1 --semantics $semantics "$tmp/hidden.csp"
  contains out "divergence after <>" "... it diverges after <>"
  contains out "PASS  STOP [T= IMPL" "... has only the empty trace"
  contains out "PASS  IMPL :[deadlock free [F]]" "... and no stable failures"
  contains out "PASS  J :[divergence free]" "... J's hidden a always comes between two b"
  contains out "trace error: <b, b>" "... J does b again"
done

# --- Limits bound the whole run, in every phase ---------------------------
peak_run() { # peak_run COMMAND...: runs it, exit code in $code, peak RSS KiB in $peak
  peak=$(python3 -c '
import resource, subprocess, sys
with open(sys.argv[1], "w") as out, open(sys.argv[2], "w") as err:
    code = subprocess.call(sys.argv[3:], stdout=out, stderr=err)
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$tmp/out" "$tmp/err" "$@")
  code=${peak% *} peak=${peak#* }
}
peak_within() { # peak_within MIB WHAT: $peak at most 5% over MIB MiB
  # (a sanitizer's shadow memory and leak check at exit come on top: not there)
  if [[ -n ${ASAN_OPTIONS-}${TSAN_OPTIONS-} ]]; then echo "skip the peak under a sanitizer"
  elif (( peak <= $1 * 1024 * 21 / 20 )); then echo "ok   ... peak $peak KiB, within 5% of $1 MiB"
  else echo "FAIL $2: peak $peak KiB over $1 MiB"; failures=$((failures + 1)); fi
}
printf 'channel a\nP(s) = a -> P(s ^ <0>)\nassert P(<>) :[deadlock free [F]]\n' >"$tmp/grow.csp"
peak_run timeout 60 "$lockstep" check --timeout 5 --memory 50M "$tmp/grow.csp"
[[ $code -eq 3 ]] && echo "ok   a model that grows while it is evaluated ends at --memory" ||
  { echo "FAIL growing model: exit $code"; failures=$((failures + 1)); }
contains out "memory limit reached (--memory)" "... which is named"
peak_within 50 "growing model"
start=$SECONDS
expect 3 "... and at --timeout" -- timeout 60 "$lockstep" check --timeout 2 "$tmp/grow.csp"
contains out "time limit reached (--timeout)" "... which is named"
(( SECONDS - start <= 10 )) && echo "ok   ... in $((SECONDS - start)) s" ||
  { echo "FAIL --timeout 2 took $((SECONDS - start)) s"; failures=$((failures + 1)); }
# one sequential component of 900,000 states, compiled before exploring
printf 'channel c : {0..9}\nP(n) = c?x -> P((n + x) %% 900000)\nassert P(0) :[deadlock free [F]]\n' >"$tmp/leaf.csp"
start=$SECONDS
expect 3 "--timeout ends the compilation of a large component" -- timeout 60 "$lockstep" check --timeout 1 "$tmp/leaf.csp"
contains out "time limit reached (--timeout)" "... which is named"
(( SECONDS - start <= 7 )) && echo "ok   ... in $((SECONDS - start)) s" ||
  { echo "FAIL --timeout 1 took $((SECONDS - start)) s"; failures=$((failures + 1)); }
# verifying a long recorded trace
python3 -c "
print('# lockstep trace 1\n# channel tick\n# channel tock')
print('tick\ntock\n' * 2000000, end='')" >"$tmp/long.trace"
expect 3 "--timeout ends the verification of a long trace" -- "$lockstep" trace --timeout 0.05 "$tmp/tm.csp" P "$tmp/long.trace"
contains err "error: time limit reached (--timeout)" "... located in the trace"
# 10^20 states: runs until it is stopped
printf 'channel c : {0..19}\nCNT(i, n) = c.i -> CNT(i, (n + 1) %% 10)\nSYS = ||| i : {0..19} @ CNT(i, 0)\nassert SYS :[deadlock free [F]]\nassert SYS :[divergence free]\n' >"$tmp/huge.csp"
for j in 1 2; do
  peak_run timeout 120 "$lockstep" check --quiet -j$j --memory 100M "$tmp/huge.csp"
  [[ $code -eq 3 ]] && echo "ok   exploring with -j$j ends at --memory 100M" ||
    { echo "FAIL exploring with -j$j: exit $code"; failures=$((failures + 1)); }
  contains out "memory limit reached (--memory)" "... which is named"
  contains out "each further million states needs about" "... with what more states would take"
  peak_within 100 "exploring with -j$j"
done
for sig in INT TERM; do
  "$lockstep" check --quiet --format json -j2 "$tmp/huge.csp" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  sleep 1
  kill -$sig $pid
  wait $pid
  code=$?
  [[ $code -eq 3 ]] && echo "ok   SIG$sig ends a check cleanly (exit 3)" ||
    { echo "FAIL SIG$sig: exit $code"; failures=$((failures + 1)); }
  contains out '"verdict":"limit","holds":false,"message":"interrupted (SIGINT or SIGTERM)"' "... the interrupted check is a limit, in JSON"
  contains out '"message":"not run: interrupted (SIGINT or SIGTERM)"' "... and the next one is not run"
done

# --- The store on disk: a disk that fails ends the check, exit 3 -----------
# (issue 25) with what failed, and leaves no file behind.
expect 3 "--store disk in a folder that does not exist" -- "$lockstep" check --store disk:"$tmp/nowhere" "$tmp/huge.csp"
contains out "the store on disk failed: creating a file in $tmp/nowhere: No such file or directory" "... which says what failed"
expect 3 "--store disk in a file, not a folder" -- "$lockstep" check --store disk:"$tmp/huge.csp" "$tmp/huge.csp"
contains out "Not a directory" "... which says so"
# the folder removed while the check runs: files made before live on (they
# have no names), the next one cannot be made
mkdir "$tmp/gone"
"$lockstep" check --quiet -j2 --store disk:"$tmp/gone" "$tmp/huge.csp" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 200); do # until it has a file there
  ls -l /proc/$pid/fd 2>/dev/null | grep -q "$tmp/gone" && break
  sleep 0.05
done
rm -rf "$tmp/gone"
wait $pid
code=$?
[[ $code -eq 3 ]] && echo "ok   --store disk whose folder is removed mid-run: exit 3" ||
  { echo "FAIL --store disk whose folder is removed mid-run: exit $code"; failures=$((failures + 1)); }
contains out "the store on disk failed: creating a file in $tmp/gone: No such file or directory" "... which says what failed"
# Ctrl-C ends a check on disk too (the expansion and each level's merges
# look at the run's limits), and leaves nothing behind
mkdir "$tmp/int"
"$lockstep" check --quiet -j2 --store disk:"$tmp/int" "$tmp/huge.csp" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
code=$?
[[ $code -eq 3 ]] && echo "ok   SIGINT ends a check on disk cleanly (exit 3)" ||
  { echo "FAIL SIGINT on disk: exit $code"; failures=$((failures + 1)); }
contains out "interrupted (SIGINT or SIGTERM)" "... which says so"
[[ -z $(ls -A "$tmp/int") ]] && echo "ok   ... and leaves no file behind" || { echo "FAIL files left after SIGINT:"; ls -A "$tmp/int"; failures=$((failures + 1)); }
# --memory too small for the store on disk's buffers: it says why (under
# a sanitizer the process alone may fill 16 MB before the search starts)
expect 3 "--store disk with --memory 16M" -- "$lockstep" check -j2 --memory 16M --store disk:"$tmp" "$tmp/huge.csp"
if [[ -z ${ASAN_OPTIONS-}${TSAN_OPTIONS-} ]]; then
  contains out "the store on disk keeps half of --memory for its buffers" "... which says what it needs"
fi
# a full disk: a file system of 1 MB (a tmpfs, where this user may mount one)
mkdir "$tmp/small"
if mount -t tmpfs -o size=1m tmpfs "$tmp/small" 2>/dev/null; then
  expect 3 "--store disk on a full disk" -- "$lockstep" check -j2 --store disk:"$tmp/small" "$tmp/huge.csp"
  contains out "No space left on device" "... which says so"
  [[ -z $(ls -A "$tmp/small") ]] && echo "ok   ... and leaves no file behind" || { echo "FAIL files left on the full disk:"; ls -A "$tmp/small"; failures=$((failures + 1)); }
  # ... where the exploration fits (about 0.5 MB) and the divergence
  # search's files (an index of 0.4 MB, 1.6 MB of tau edges) do not
  sed -e 's/^N = [0-9]*/N = 10/' "$here/../../models/buffer_chain.csp" >"$tmp/chain10.csp"
  echo 'assert CHAIN \ {| c |} :[divergence free]' >>"$tmp/chain10.csp"
  expect 3 "--store disk full in the divergence search" -- "$lockstep" check --store disk:"$tmp/small" --assert 5 "$tmp/chain10.csp"
  contains out "the store on disk failed in the divergence search: writing to $tmp/small: No space left on device" "... which says so"
  [[ -z $(ls -A "$tmp/small") ]] && echo "ok   ... and leaves no file behind" || { echo "FAIL files left on the full disk:"; ls -A "$tmp/small"; failures=$((failures + 1)); }
  umount "$tmp/small"
  # a folder this process may not write to (a read-only file system: as
  # root, permissions alone would not stop it)
  mount -t tmpfs -o ro,size=1m tmpfs "$tmp/small"
  expect 3 "--store disk in a read-only folder" -- "$lockstep" check --store disk:"$tmp/small" "$tmp/huge.csp"
  contains out "creating a file in $tmp/small: Read-only file system" "... which says so"
  umount "$tmp/small"
else
  echo "skip --store disk on a full disk or read-only (cannot mount a tmpfs here)"
fi

echo "$failures failed"
[[ $failures -eq 0 ]]
