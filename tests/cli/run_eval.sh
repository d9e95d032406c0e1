#!/usr/bin/env bash
# `lockstep eval` tests: each tests/cli/eval/*.csp holds pairs of lines
#     -- eval: EXPR
#     -- want: TEXT
# (EXPR must print exactly TEXT, exit 0), or
#     -- eval: EXPR
#     -- error: COL: TEXT
# (exit 2 with "<expression>:1:COL: error: " and TEXT in the message).
# The expectations are derived by hand from FDR's semantics of CSPM.
set -u
lockstep=$1
dir=$(dirname "$0")/eval
failures=0 checked=0
for file in "$dir"/*.csp; do
  name=$(basename "$file")
  expr=""
  while IFS= read -r line; do
    case $line in
      "-- eval: "*) expr=${line#-- eval: } ;;
      "-- want: "*)
        want=${line#-- want: }
        got=$(timeout 20 "$lockstep" eval "$file" "$expr" 2>&1); code=$?
        checked=$((checked + 1))
        if [[ $code -ne 0 || "$got" != "$want" ]]; then
          echo "FAIL $name: $expr gave [$got] (exit $code), want [$want]"
          failures=$((failures + 1))
        fi ;;
      "-- error: "*)
        want=${line#-- error: }
        col=${want%%: *} text=${want#*: }
        got=$(timeout 20 "$lockstep" eval "$file" "$expr" 2>&1); code=$?
        checked=$((checked + 1))
        if [[ $code -ne 2 ]] || ! grep -qF -- "<expression>:1:$col: error: " <<<"$got" ||
           ! grep -qF -- "$text" <<<"$got"; then
          echo "FAIL $name: $expr gave [$got] (exit $code), want an error at 1:$col: $text"
          failures=$((failures + 1))
        fi ;;
    esac
  done <"$file"
done
echo "$checked expressions checked, $failures failed"
[[ $checked -gt 0 && $failures -eq 0 ]]
