#!/usr/bin/env bash
# Rendezvous per second with 2, 16 and 256 processes: lockstep untraced,
# lockstep traced, and Go's unbuffered channels (Debian's golang-go), in one
# session, interleaved, RUNS times each; prints the median of each.
# usage: run_scale.sh BUILD_DIR [MESSAGES_PER_PAIR_TOTAL [RUNS]]
set -eu
build=$1 total=${2:-400000} runs=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v go >/dev/null ||
  { echo "run_scale.sh: Go is needed beside lockstep: apt-get install -y golang-go" >&2; exit 2; }
[[ -x $build/runtime/rt_scale ]] ||
  { echo "run_scale.sh: no $build/runtime/rt_scale: build lockstep into $build first" >&2; exit 2; }
(cd "$here/go" && GOCACHE="$tmp/gocache" go build -o "$tmp/scale" scale.go)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(go version | cut -d' ' -f3)"
printf '%-10s %5s %-9s %12s\n' who procs recorded "rendezvous/s"
for p in 2 16 256; do
  m=$((total / (p / 2)))    # the same number of events for every P
  for who in untraced traced go; do : >"$tmp/$who"; done
  for r in $(seq "$runs"); do
    "$build/runtime/rt_scale" "$p" "$m" >>"$tmp/untraced"
    "$build/runtime/rt_scale" "$p" "$m" "$tmp/t.trace" >>"$tmp/traced"
    "$tmp/scale" "$p" "$m" >>"$tmp/go"
  done
  for who in untraced traced go; do
    median=$(awk '{print $6}' "$tmp/$who" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '%-10s %5d %-9s %12.0f\n' "$(awk 'NR==1{print $1}' "$tmp/$who")" "$p" \
      "$(awk 'NR==1{print $3}' "$tmp/$who")" "$median"
  done
done
