# Sourced by the CLI test scripts: a temporary folder $tmp (removed on
# exit), a failure count, and the checks they share. Each script ends with
# its own summary on $failures.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

expect() { # expect CODE DESCRIPTION -- COMMAND...: exit code, output in $tmp/out, $tmp/err
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$?
  if [[ $code -ne $want ]]; then
    echo "FAIL $what: exit $code, expected $want"; head -5 "$tmp/out" "$tmp/err"
    failures=$((failures + 1))
  else
    echo "ok   $what"
  fi
}
contains() { # contains FILE TEXT DESCRIPTION: FILE (out or err) holds TEXT
  if grep -qF -- "$2" "$tmp/$1"; then echo "ok   $3"
  else echo "FAIL $3: '$2' not in $1:"; head -5 "$tmp/$1"; failures=$((failures + 1)); fi
}
