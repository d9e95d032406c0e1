"""The dining philosophers of models/phils_rt.csp in Python.
    python3 phils.py TRACE            all pick up their left fork first:
                                      deadlock (TABLE)
    python3 phils.py --butler TRACE   a butler seats at most N-1 (POLITE)"""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "runtime", "python"))
import lockstep_rt as lks  # noqa: E402

N, ROUNDS = 5, 3


def right(i):
    return (i + 1) % N


def owner(f):
    return (f + N - 1) % N


def phil(p, t, i):
    for _ in range(ROUNDS):
        if t["butler"]:
            p.send(t["sits"], i)
        p.send(t["picks"][i][i])
        if not t["butler"]:
            t["all_hold_left"].wait()   # so that the deadlock happens
        p.send(t["picks"][i][right(i)])
        p.send(t["putsdown"][i][right(i)])
        p.send(t["putsdown"][i][i])
        if t["butler"]:
            p.send(t["rises"], i)
    with t["lock"]:
        t["eating"] -= 1
        last = t["eating"] == 0
    if last:   # the others are done: stop the forks and the butler
        for ch in t["all"]:
            p.poison(ch)


def fork(p, t, f):
    o = owner(f)
    try:
        while True:
            k, _ = p.alt(lks.Recv(t["picks"][f][f]),
                         lks.Recv(t["picks"][o][f]))
            p.recv(t["putsdown"][f if k == 0 else o][f])
    except lks.Poisoned:
        pass


def butler(p, t):
    n = 0
    try:
        while True:
            k, _ = p.alt(lks.Recv(t["sits"], when=n < N - 1),
                         lks.Recv(t["rises"], when=n > 0))
            n += 1 if k == 0 else -1
    except lks.Poisoned:
        pass


def main():
    args = sys.argv[1:]
    butler_on = args[0] == "--butler"
    rt = lks.Runtime(args[-1])
    rt.declare("picks", range(N), range(N))
    rt.declare("putsdown", range(N), range(N))
    rt.declare("sits", range(N))
    rt.declare("rises", range(N))
    t = {"butler": butler_on, "lock": threading.Lock(), "eating": N,
         "all_hold_left": threading.Barrier(N),
         "picks": [[rt.channel("picks", i, f) for f in range(N)]
                   for i in range(N)],
         "putsdown": [[rt.channel("putsdown", i, f) for f in range(N)]
                      for i in range(N)],
         "sits": rt.channel("sits"), "rises": rt.channel("rises")}
    t["all"] = [c for row in t["picks"] + t["putsdown"] for c in row] + \
        [t["sits"], t["rises"]]
    specs = [("PHIL.%d" % i, phil, t, i) for i in range(N)] + \
        [("FORK.%d" % f, fork, t, f) for f in range(N)]
    if butler_on:
        specs.append(("BUTLER", butler, t))
    results = rt.par(*specs)
    rt.close()
    deadlocked = any(isinstance(r, lks.Deadlock) for r in results)
    print("deadlock" if deadlocked else "done")


main()
