"""The pipeline of models/pipeline_rt.csp in Python: a producer sends
0, 1, ..., K-1, 0, ... on c.0; cell i copies c.i to c.(i+1); a consumer
takes c.N. The producer then poisons c.0 and the poison travels down.
    python3 pipeline.py TRACE [MESSAGES]"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "runtime", "python"))
import lockstep_rt as lks  # noqa: E402

N, K = 4, 10


def producer(p, c, messages):
    for m in range(messages):
        p.send(c[0], m % K)
    p.poison(c[0])


def cell(p, c, i):
    try:
        while True:
            (x,) = p.recv(c[i])
            p.send(c[i + 1], x)
    except lks.Poisoned:
        p.poison(c[i + 1])


def consumer(p, c):
    try:
        while True:
            p.recv(c[N])
    except lks.Poisoned:
        pass


def main():
    rt = lks.Runtime(sys.argv[1])
    rt.declare("c", range(0, N + 1), range(0, K))
    c = [rt.channel("c", i) for i in range(N + 1)]
    messages = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    rt.par(("PRODUCER", producer, c, messages),
           *[("CELL.%d" % i, cell, c, i) for i in range(N)],
           ("CONSUMER", consumer, c))
    rt.close()


main()
