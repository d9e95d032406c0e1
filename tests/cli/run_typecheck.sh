#!/usr/bin/env bash
# `lockstep typecheck FILE`: exit 0 for a well-typed file (nothing printed),
# 2 with file:line:col type errors (several, independent) for an ill-typed
# one, 2 for a parse error (reported as an error, not a type error) and for
# usage mistakes; `check` refuses an ill-typed file before evaluating it,
# unless --no-typecheck.
set -u
lockstep=$1
models=$2
. "$(dirname "$0")/harness.sh"
lines() { # lines FILE N DESCRIPTION
  local n; n=$(wc -l <"$tmp/$1")
  if [[ $n -eq $2 ]]; then echo "ok   $3"
  else echo "FAIL $3: $n lines in $1, expected $2"; cat "$tmp/$1"; failures=$((failures + 1)); fi
}

for model in "$models"/*.csp; do
  expect 0 "typecheck $(basename "$model")" -- "$lockstep" typecheck "$model"
done
lines out 0 "nothing on stdout for a well-typed file"
lines err 0 "nothing on stderr for a well-typed file"

cat >"$tmp/bad.csp" <<'CSP'
channel c : {0..3}.Bool
f(x) = x + 1
P = c!f(true)!false -> STOP
Q = c?n?b -> (if n then STOP else SKIP)
assert P [T= Q
CSP
expect 2 "typecheck of an ill-typed file" -- "$lockstep" typecheck "$tmp/bad.csp"
contains err "$tmp/bad.csp:3:9: type error: expected Int, found Bool in 'true' (argument 1 of f, declared at 2:1)" \
  "the first error: position, expected and found types, where the expectation came from"
contains err "$tmp/bad.csp:4:18: type error: expected Bool, found Int in 'n' (the condition of if)" \
  "the second, independent error"
lines err 2 "two errors, no cascade"

expect 2 "check refuses an ill-typed file" -- "$lockstep" check "$tmp/bad.csp"
contains err "type error" "check reports the type errors"
expect 2 "eval refuses an ill-typed file" -- "$lockstep" eval "$tmp/bad.csp" "1 + 1"

cat >"$tmp/untyped_but_fine.csp" <<'CSP'
channel a
g(x) = x + true
P = a -> P
assert P :[deadlock free [F]]
CSP
expect 2 "a type error in an unused function is still an error" -- \
  "$lockstep" check "$tmp/untyped_but_fine.csp"
expect 0 "--no-typecheck evaluates anyway" -- \
  "$lockstep" check --no-typecheck --quiet "$tmp/untyped_but_fine.csp"

printf 'P = (1 +\n' >"$tmp/parse.csp"
expect 2 "typecheck of a file that does not parse" -- "$lockstep" typecheck "$tmp/parse.csp"
contains err ": error: " "a parse error is an error, not a type error"
expect 2 "typecheck without a file" -- "$lockstep" typecheck
expect 2 "typecheck of a missing file" -- "$lockstep" typecheck "$tmp/none.csp"

# FDR 2's True and False: still accepted, with a warning (as FDR)
printf 'Z = if True then false else False\n' >"$tmp/old.csp"
expect 0 "True and False are accepted" -- "$lockstep" typecheck "$tmp/old.csp"
contains err "old.csp:1:8: warning: 'True' is deprecated: write 'true'" "... with a warning at each use"
lines err 2 "... once each"
exit $((failures > 0))
