#!/usr/bin/env python3
"""Seeds of long and deep CSPM inputs for the fuzz targets (issue 20):
flat chains of every binary operator, long prefix chains, and nesting of
parentheses, sequences, sets, lets, ifs and replicated operators, each at a
few sizes up to about 300 KB. Writes one file per seed into DIR.

usage: gen_long.py DIR
"""
import os
import sys

CHAINS = {  # operator: (operand, a wrapper making it an assertion)
    "[]": "a -> STOP", "|~|": "a -> STOP", "|||": "a -> STOP",
    ";": "a -> SKIP", "/\\": "a -> STOP", "[>": "a -> STOP",
    "[|{a}|]": "a -> STOP", "+": "1", "-": "1", "*": "1", "and": "true",
    "or": "false", "^": "<1>", "==": "1", ".": "0",
}


def process(body):
    return "channel a\nchannel c : {0..3}\nP = " + body + \
        "\nassert P :[deadlock free [F]]\nassert P :[divergence free]\n"


def value(body):
    return "x = " + body + "\nchannel a\nP = if x == x then STOP else STOP\n" \
        "assert P :[deadlock free [F]]\n"


def seeds():
    for n in (1000, 10000, 30000):
        for i, (op, operand) in enumerate(CHAINS.items()):
            body = (" " + op + " ").join([operand] * n)
            is_proc = operand.startswith("a ->")
            yield f"chain{i}-{n}", process(body) if is_proc else value(body)
        yield f"prefix-{n}", process(" -> ".join(["a"] * n) + " -> STOP")
        yield f"parens-{n}", process("(" * n + "STOP" + ")" * n)
        yield f"seq-{n}", value("<" * n + "1" + ">" * n)
        yield f"set-{n}", value("{" * n + "1" + "}" * n)
        yield f"neg-{n}", value("- " * n + "1")  # "--" starts a comment
        yield f"not-{n}", value("not " * n + "true")
        yield f"let-{n}", value("let y = 1 within " * n + "1")
        yield f"if-{n}", process("if true then " * n + "STOP" +
                                 " else STOP" * n)
        yield f"hide-{n}", process("(" * n + "a -> STOP" +
                                   " \\ {a})" * n)
        yield f"repl-{n}", process("[] i : {0..1} @ " * min(n, 3000) +
                                   "c!0 -> STOP")
        yield f"rec-{n}", ("channel a\nf(0) = 0\nf(k) = 1 + f(k - 1)\n"
                           f"P = if f({n}) > 0 then a -> STOP else STOP\n"
                           "assert P :[deadlock free [F]]\n")
        yield f"grow-{n}", (f"channel a\nP(k) = a -> STOP ||| P(k + 1)\n"
                            "assert P(0) :[deadlock free [F]]\n")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, text in seeds():
        if len(text) <= 400000:
            with open(os.path.join(out, "long-" + name + ".csp"), "w") as f:
                f.write(text)


if __name__ == "__main__":
    main()
