#!/usr/bin/env bash
# Sequence charts and the HTML report, checked against the JSON output of
# the same run (check_pictures.py): every component and event of each
# counterexample drawn, the failure in red, no overlapping text at 20
# components and 210 events, one report row per assertion. With
# --browser, the report is opened in Debian's headless Chromium: its DOM
# is checked the same way and a screenshot taken (exit 77, a skip, where
# Chromium is not installed).
# usage: run_pictures.sh LOCKSTEP [--browser]
lockstep=$1 browser=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/harness.sh"
check="python3 $here/pictures/check_pictures.py"
pass() { if "$@"; then :; else failures=$((failures + 1)); fi; }

# Runs FILE with --graph and --report into $tmp; JSON in $tmp/STEM.json.
run() {
  local stem=$1
  expect 1 "$stem: check --graph --report exits 1 (it fails)" -- \
    "$lockstep" check --quiet --format json --graph "$tmp/g" \
    --report "$tmp/$stem.html" "$here/pictures/$stem.csp"
  cp "$tmp/out" "$tmp/$stem.json"
}

if [[ $browser != --browser ]]; then
  run counterexamples
  run long
  for stem in counterexamples long; do
    i=0
    while read -r line; do
      i=$((i + 1))
      chart="$tmp/g/$stem-$i-sequence.svg"
      if grep -q '"holds":true' <<<"$line"; then
        [[ ! -e $chart ]] && echo "ok   no chart for passing assertion $i" ||
          { echo "FAIL a chart for passing assertion $i"; failures=$((failures + 1)); }
      else
        pass $check chart "$chart" "$line"
      fi
    done < "$tmp/$stem.json"
    pass $check html "$tmp/$stem.html" "$tmp/$stem.json"
  done
  printf 'channel a : {0..1999}\nP(n) = if n < 1500 then a.n -> P(n + 1) else STOP\nassert P(0) :[deadlock free]\n' >"$tmp/steps.csp"
  expect 1 "a counterexample of 1,500 steps" -- "$lockstep" check --quiet --graph "$tmp/g" "$tmp/steps.csp"
  rows=$(grep -c '<g class="row' "$tmp/g/steps-1-sequence.svg")
  [[ $rows -eq 1000 ]] && grep -q "Its first 500 steps are left out" "$tmp/g/steps-1-sequence.svg" &&
    ok_line="ok   ... is charted from its last 1,000 steps, saying so" || ok_line="FAIL $rows rows charted"
  echo "$ok_line"; [[ $ok_line == ok* ]] || failures=$((failures + 1))
  grep -q '<script\|src="http\|href="http' "$tmp/counterexamples.html" &&
    { echo "FAIL the report fetches or runs something"; failures=$((failures + 1)); } ||
    echo "ok   the report is self-contained (no script, nothing fetched)"
  printf 'P = a -> STOP\nassert P :[deadlock free]\n' >"$tmp/unloadable.csp"
  expect 2 "--report of a file that does not load: exit 2" -- \
    "$lockstep" check --quiet --report "$tmp/unloadable.html" "$tmp/unloadable.csp"
  grep -q "class=\"load-error\"" "$tmp/unloadable.html" &&
    grep -q "unloadable.csp:1:5: type error: &#39;a&#39; is not defined\|unloadable.csp:1:5: type error: 'a' is not defined" "$tmp/unloadable.html" &&
    echo "ok   ... and a page that says why, at file:line:col" ||
    { echo "FAIL no page for a file that does not load"; failures=$((failures + 1)); }
  expect 2 "--report is an option of check only" -- \
    "$lockstep" lts --report "$tmp/x.html" "$here/pictures/long.csp" Chain
  expect 2 "--report into a missing folder: an error, after the verdicts" -- \
    "$lockstep" check --quiet --report "$tmp/no/such/r.html" "$here/pictures/long.csp"
  contains out "FAIL  Chain" "... the verdict is still reported"
  contains err "cannot write $tmp/no/such/r.html" "... and the error names the file"
  [[ ! -e $tmp/no/such/r.html.tmp ]] && echo "ok   ... leaving nothing behind" ||
    { echo "FAIL a temporary report left behind"; failures=$((failures + 1)); }
else
  chromium=$(command -v chromium || command -v chromium-browser)
  if [[ -z $chromium ]]; then
    echo "skip: chromium is not installed (apt-get install chromium)"
    exit 77
  fi
  run counterexamples
  flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars
         --user-data-dir="$tmp/profile")
  timeout 120 "$chromium" "${flags[@]}" --dump-dom "file://$tmp/counterexamples.html" \
    >"$tmp/dom.html" 2>"$tmp/chromium.err"
  [[ -s $tmp/dom.html ]] && echo "ok   Chromium loaded the report" ||
    { echo "FAIL Chromium gave no DOM"; tail -5 "$tmp/chromium.err"; failures=$((failures + 1)); }
  pass $check html "$tmp/dom.html" "$tmp/counterexamples.json"
  timeout 120 "$chromium" "${flags[@]}" --window-size=1280,2400 \
    --screenshot="$tmp/report.png" "file://$tmp/counterexamples.html" \
    >/dev/null 2>>"$tmp/chromium.err"
  pass python3 - "$tmp/report.png" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
ok = data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1280, 2400)
print(("ok   " if ok and len(data) > 20000 else "FAIL ") +
      f"a 1280x2400 screenshot of the report ({len(data)} bytes)")
sys.exit(0 if ok and len(data) > 20000 else 1)
PY
fi
echo "pictures: $failures failure(s)"
[[ $failures -eq 0 ]]
