#!/usr/bin/env bash
# Malformed inputs: each tests/cli/bad/*.csp starts with "-- error: LINE[:COL]"
# (or "-- error: FILE:LINE" for an error inside an included file)
# and must make `lockstep check` exit 2 with a file:line:col error at that
# position on stderr: never a crash (exit >= 128 or a sanitizer report), a
# hang, or a silent answer. A line "-- message: TEXT" pins the error's
# wording too (TEXT must be part of it).
set -u
lockstep=$1
dir=$(dirname "$0")/bad
failures=0
for file in "$dir"/*.csp; do
  want=$(sed -n '1s/^-- error: *//p' "$file")
  err=$(timeout 20 "$lockstep" check --quiet "$file" 2>&1 >/dev/null)
  code=$?
  name=$(basename "$file")
  if [[ $code -ne 2 ]]; then
    echo "FAIL $name: exit $code, expected 2"; echo "$err" | head -5
    failures=$((failures + 1)); continue
  fi
  at="$file:$want"
  [[ $want == *.csp:* ]] && at="$dir/$want"   # the error is in an included file
  if ! grep -qE -- "^$at(:[0-9]+)?: (type )?error: " <<<"$err"; then
    echo "FAIL $name: no error at $want"; echo "$err" | head -5
    failures=$((failures + 1)); continue
  fi
  message=$(sed -n 's/^-- message: *//p' "$file")
  if [[ -n $message ]] &&
     ! grep -E -- "^$at(:[0-9]+)?: (type )?error: " <<<"$err" | grep -qF -- "$message"; then
    echo "FAIL $name: the error at $want does not say: $message"
    echo "$err" | head -5
    failures=$((failures + 1)); continue
  fi
  if grep -qiE 'sanitizer|runtime error|segmentation' <<<"$err"; then
    echo "FAIL $name: crash report"; echo "$err" | head -5
    failures=$((failures + 1)); continue
  fi
  echo "ok   $name: $(grep -m1 -E ': (type )?error: ' <<<"$err")"
done
exit $((failures > 0))
