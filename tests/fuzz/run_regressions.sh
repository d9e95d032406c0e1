#!/usr/bin/env bash
# Every input the fuzzers ever crashed on, kept as a regression: lockstep
# must answer each with an exit code of 0-3 (a verdict, an error, a limit)
# and no sanitizer report. *.csp go through `lockstep check`, *.trace
# through `lockstep trace` against the fuzzers' pipeline model.
set -u
lockstep=$1
dir=$(dirname "$0")/regressions
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/model.csp" <<'CSP'
channel c : {0..3}.{0..2}
CELL(i) = c.i?x -> c.(i+1)!x -> CELL(i)
SYSTEM = (CELL(0) [| {| c.1 |} |] CELL(1)) [| {| c.2 |} |] CELL(2)
CSP
failures=0
for f in "$dir"/*; do
  case $f in
    *.csp) timeout 60 "$lockstep" check --quiet --max-states 2000 --timeout 5 "$f" >/dev/null 2>"$tmp/err" ;;
    *.trace) timeout 60 "$lockstep" trace "$tmp/model.csp" SYSTEM "$f" >/dev/null 2>"$tmp/err" ;;
    *) continue ;;
  esac
  code=$?
  if [[ $code -gt 3 ]] || grep -qE 'Sanitizer|runtime error' "$tmp/err"; then
    echo "FAIL $(basename "$f"): exit $code"; head -5 "$tmp/err"
    failures=$((failures + 1))
  else
    echo "ok   $(basename "$f"): exit $code"
  fi
done
exit $((failures > 0))
