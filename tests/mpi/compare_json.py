#!/usr/bin/env python3
"""Compares `lockstep check --format json` of one process (argv[1]) with
that of an MPI job (argv[2]): every assertion must be identical, timings
and memory aside, except one the job refuses as not distributed
(refusal testing), which must say so. Prints a summary; exit 1 on any difference."""
import json
import sys

VARYING = {"seconds", "store_bytes", "bytes_per_state", "states_per_second",
           "peak_rss_bytes", "threads", "ranks"}
REFUSED = "is not distributed over MPI"


def strip(value):
    """The value without the keys that vary from run to run, anywhere."""
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in VARYING}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def load(path):
    with open(path) as f:
        return [strip(json.loads(line)) for line in f
                if line.startswith("{")]


def main():
    one, job = load(sys.argv[1]), load(sys.argv[2])
    if len(one) != len(job):
        print(f"FAIL {sys.argv[2]}: {len(job)} assertions, one process "
              f"gave {len(one)}")
        return 1
    same = refused = bad = 0
    for a, b in zip(one, job):
        if REFUSED in json.dumps(b):
            refused += 1
            if b.get("verdict") != "error":
                bad += 1
                print(f"FAIL {a['assertion']}: refused without an error")
        elif a == b:
            same += 1
        else:
            bad += 1
            print(f"FAIL {a['assertion']}:\n  one process {json.dumps(a)}"
                  f"\n  MPI job     {json.dumps(b)}")
    print(f"{sys.argv[2]}: {same} identical, {refused} not distributed (refusal testing)"
          + (f", {bad} DIFFERENT" if bad else ""))
    return 1 if bad else 0


sys.exit(main())
