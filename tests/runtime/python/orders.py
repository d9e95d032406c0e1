"""models/orders_rt.c in Python: any object on a channel, recorded through
a projection. A client sends Order objects and gets receipt strings back;
the trace records order.ID.SIZE and receipt.ID.
    python3 orders.py TRACE        prints the last receipt"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "runtime", "python"))
import lockstep_rt as lks  # noqa: E402


class Order:
    def __init__(self, id, item, quantity):
        self.id, self.item, self.quantity = id, item, quantity


def client(p, order, receipt, got):
    for i in range(5):
        p.send(order, Order(i, "item %d" % i, 60 * (i + 1)))
        (text,) = p.recv(receipt)
        got.append(text)
    p.poison(order)


def shop(p, order, receipt):
    try:
        while True:
            (o,) = p.recv(order)
            p.send(receipt, "receipt %d: %d %s" % (o.id, o.quantity, o.item))
    except lks.Poisoned:
        pass


def main():
    rt = lks.Runtime(sys.argv[1])
    rt.declare("order", range(10), ["small", "large"],
               project=lambda o: (o.id, "large" if o.quantity > 100
                                  else "small"))
    rt.declare("receipt", range(10),
               project=lambda text: int(text.split()[1].rstrip(":")))
    order, receipt = rt.channel("order"), rt.channel("receipt")
    got = []
    rt.par(("CLIENT", client, order, receipt, got),
           ("SHOP", shop, order, receipt))
    rt.close()
    print(got[-1])


main()
