"""lockstep_rt: communicating processes in Python, recorded for lockstep.

A small pure-Python counterpart of liblockstep (runtime/lockstep.h) for
learning and prototyping CSP-style concurrency: processes are threads,
they talk only over synchronous channels (a rendezvous of one sender and
one receiver, any-to-any), choose with alt, stop each other with poison,
and every completed communication is one CSP event `chan.v1.v2`, numbered
in one global order. The run is written in lockstep's trace format
(version 1, runtime/README.md), so `lockstep trace MODEL.csp PROCESS FILE`
checks it against a model; a run in which every live process is blocked
ends with a deadlock record (who offered what, who waits for whom).

    import lockstep_rt as lks

    rt = lks.Runtime("run.trace")
    rt.declare("c", range(0, 100))
    c = rt.channel("c")

    def sender(p):
        p.send(c, 42)

    def receiver(p):
        (v,) = p.recv(c)

    rt.par(("SENDER", sender), ("RECEIVER", receiver))
    rt.close()                      # writes "# end 1 events"

One lock guards the whole runtime (the interpreter runs one thread at a
time anyway), so the global order and deadlock detection are exact.
"""

import threading

FORMAT = 1


class Poisoned(Exception):
    """The channel was poisoned, before or while the process waited."""


class Deadlock(Exception):
    """Every live process was blocked: the runtime ended the run."""


class Send:
    """An alt guard: offer the event chan.values."""

    def __init__(self, chan, *values, when=True):
        self.chan, self.values, self.when = chan, tuple(values), when


class Recv:
    """An alt guard: take any event on chan (its data fields)."""

    def __init__(self, chan, when=True):
        self.chan, self.when = chan, when


class Skip:
    """An alt guard that is always ready: alt does not block."""

    def __init__(self, when=True):
        self.when = when


def _set_text(field):
    if isinstance(field, range):
        if field.step != 1 or len(field) == 0:
            raise ValueError("a field range must be non-empty, step 1")
        return "{%d..%d}" % (field.start, field.stop - 1)
    symbols = list(field)
    if not symbols or not all(isinstance(s, str) and s.isidentifier()
                              for s in symbols):
        raise ValueError("a field is a range or a list of symbol names")
    return "{" + ", ".join(symbols) + "}"


def _member(field, value):
    return (isinstance(value, int) and value in field
            if isinstance(field, range) else value in field)


class Channel:
    """A declared channel with its first fields fixed (`picks.2.3`)."""

    def __init__(self, rt, name, fields, fixed, traced, project):
        self.rt, self.fields, self.traced = rt, fields, traced
        self.project = project       # message -> its fields, or None
        self.name = ".".join([name] + [str(v) for v in fixed])
        self.arity = len(fields) - len(fixed)
        self.poisoned = False
        self.users = ({}, {})        # send / recv end: process name -> 1

    def _event(self, values):
        if self.project:             # one message, recorded as its fields
            fields = self.project(*values)
            values = tuple(fields) if isinstance(fields, (tuple, list)) \
                else (fields,)
        if len(values) != self.arity:
            raise ValueError("%s carries %d field(s), not %d"
                             % (self.name, self.arity, len(values)))
        first = len(self.fields) - self.arity
        for k, v in enumerate(values):
            if not _member(self.fields[first + k], v):
                raise ValueError("%r is outside field %d of %s"
                                 % (v, first + k + 1, self.name))
        return ".".join([self.name] + [str(v) for v in values])

    def __repr__(self):
        return "Channel(%s)" % self.name


class _Offer:
    """One guard of a blocked process, waiting on its channel."""

    def __init__(self, proc, index, chan, sending, values):
        self.proc, self.index, self.chan = proc, index, chan
        self.sending, self.values = sending, values


class Process:
    """What a process body gets: its name and its channel operations."""

    def __init__(self, rt, name):
        self.rt, self.name = rt, name
        self.offers = []           # while blocked
        self.outcome = None        # (index, values) or an exception
        self.wake = threading.Condition(rt.lock)

    def send(self, chan, *values):
        """Offers chan.values and waits for a receiver."""
        self.alt(Send(chan, *values))

    def recv(self, chan):
        """Waits for a sender on chan; returns the data fields (a tuple)."""
        return self.alt(Recv(chan))[1]

    def alt(self, *guards):
        """Waits for the first of the guards that can happen (an earlier
        guard wins when several can at once); returns (index, values):
        the received fields, or () for a send or a skip."""
        return self.rt._alt(self, guards)

    def poison(self, chan):
        """Poisons chan: every process waiting on it, and every later
        operation on it, gets Poisoned."""
        self.rt._poison(self, chan)

    def par(self, *specs):
        """Runs child processes and waits for them (this one does not
        count as live meanwhile)."""
        return self.rt._par(self, specs)


class Runtime:
    """A run: its channels, processes and trace file."""

    def __init__(self, trace_path=None):
        self.lock = threading.Lock()
        self.decls = {}            # name -> (fields, traced)
        self.channels = {}         # "picks.2.3" -> its one Channel
        self.live = 0              # processes running or blocked
        self.blocked = []          # blocked processes, in blocking order
        self.ended = False
        self.events = 0            # committed
        self.recorded = 0          # of which written as event lines
        self.out = open(trace_path, "w", encoding="utf-8") \
            if trace_path else None
        self._line("# lockstep trace %d" % FORMAT)

    # ---- declarations ---------------------------------------------------

    def declare(self, name, *fields, traced=True, project=None):
        """Declares the CSPM channel `name`; each field a range of ints or
        a list of symbol names: declare("msg", ["req", "ack"], range(256))
        is `channel msg : {req, ack}.{0..255}`. An untraced channel's events
        are not recorded (hidden, as `\\` in CSPM). With `project`, the
        channel carries any Python object, one per send (the receiver gets
        that very object), recorded as project(obj): the fields after the
        fixed ones, a tuple (or one value)."""
        if self.events:
            raise RuntimeError("declare every channel before the first event")
        if not name.isidentifier() or name in self.decls:
            raise ValueError("bad or repeated channel name %r" % name)
        self.decls[name] = (tuple(fields), traced, project)
        if traced:
            types = ".".join(_set_text(f) for f in fields)
            self._line("# channel %s" % name + (" : " + types if fields
                                                 else ""))

    def channel(self, name, *fixed):
        """A channel end-point object for `name` with its first fields
        fixed: channel("picks", 2, 3) is picks.2.3."""
        if name not in self.decls:
            raise ValueError("channel %r is not declared" % name)
        fields, traced, project = self.decls[name]
        if len(fixed) > len(fields):
            raise ValueError("%s has %d field(s)" % (name, len(fields)))
        for k, v in enumerate(fixed):
            if not _member(fields[k], v):
                raise ValueError("%r is outside field %d of %s"
                                 % (v, k + 1, name))
        key = ".".join([name] + [str(v) for v in fixed])
        with self.lock:  # one object per name: poison and users are shared
            if key not in self.channels:
                self.channels[key] = Channel(self, name, fields, fixed,
                                             traced, project)
            return self.channels[key]

    # ---- processes ------------------------------------------------------

    def par(self, *specs):
        """Runs processes, each (NAME, body, *args) with body(proc, *args),
        and waits for all. Returns their results; a body that raised
        Deadlock or Poisoned returns that exception."""
        return self._par(None, specs)

    def _par(self, parent, specs):
        procs = []
        with self.lock:
            for spec in specs:
                name = spec[0]
                if not name or " " in name:
                    raise ValueError("a process name has no spaces: %r"
                                     % name)
                procs.append((Process(self, name), spec[1], spec[2:]))
                self._line("# process %s" % name)
            self.live += len(procs) - (1 if parent else 0)
        results = [None] * len(procs)
        threads = [threading.Thread(target=self._run, args=(i, p, body, args,
                                                          results))
                   for i, (p, body, args) in enumerate(procs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if parent:
            with self.lock:
                self.live += 1
                if self.ended:
                    raise Deadlock("the run deadlocked")
        return results

    def _run(self, i, proc, body, args, results):
        code = 0
        try:
            results[i] = body(proc, *args)
        except Deadlock as e:
            results[i], code = e, -2
        except Poisoned as e:
            results[i], code = e, -1
        except BaseException as e:  # the body's own error: its code is 1
            results[i], code = e, 1
        with self.lock:
            self.live -= 1
            self._line("# exit %s %d" % (proc.name, code))
            self._check_deadlock()

    # ---- communication --------------------------------------------------

    def _alt(self, proc, guards):
        with self.lock:
            if self.ended:
                raise Deadlock("the run deadlocked")
            offers = []
            for i, g in enumerate(guards):
                if not g.when:
                    continue
                if isinstance(g, Skip):
                    return (i, ())
                if g.chan.poisoned:
                    raise Poisoned(g.chan.name)
                sending = isinstance(g, Send)
                if sending:
                    g.chan._event(g.values)  # in its type, or ValueError
                offers.append(_Offer(proc, i, g.chan, sending,
                                     g.values if sending else None))
            # every end offered is remembered (for the wait-for graph of a
            # deadlock) before the first that can happen is taken
            for o in offers:
                o.chan.users[0 if o.sending else 1][proc.name] = 1
            for o in offers:
                partner = self._partner(o)
                if partner:
                    return self._commit(o, partner)
            # no enabled guard: STOP, blocked for ever (offering nothing)
            proc.offers, proc.outcome = offers, None
            self.blocked.append(proc)
            self._check_deadlock()
            while proc.outcome is None:
                proc.wake.wait()
            outcome, proc.outcome = proc.outcome, None
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

    def _partner(self, offer):
        """The first blocked process offering the other end of the same
        channel: a rendezvous is one sender and one receiver."""
        for p in self.blocked:
            for o in p.offers:
                if o.chan is offer.chan and o.sending != offer.sending:
                    return o
        return None

    def _commit(self, mine, theirs):
        sender = mine if mine.sending else theirs
        event = sender.chan._event(sender.values)
        self.events += 1
        if sender.chan.traced:
            self.recorded += 1
            self._line(event)
        other = theirs.proc
        self.blocked.remove(other)
        other.offers = []
        other.outcome = (theirs.index, () if theirs.sending
                         else sender.values)
        other.wake.notify()
        return (mine.index, () if mine.sending else sender.values)

    def _poison(self, proc, chan):
        with self.lock:
            if chan.poisoned:
                return
            chan.poisoned = True
            self._line("# poison %s by %s" % (chan.name, proc.name))
            for p in list(self.blocked):
                if any(o.chan is chan for o in p.offers):
                    self._wake(p, Poisoned(chan.name))

    def _wake(self, p, outcome):
        self.blocked.remove(p)
        p.offers = []
        p.outcome = outcome
        p.wake.notify()

    # ---- deadlock ---------------------------------------------------------

    def _check_deadlock(self):
        """Every live process blocked: record who offered what and who
        waits for whom, then end the run."""
        if self.ended or not self.blocked or len(self.blocked) < self.live:
            return
        self.ended = True
        self._line("# deadlock")
        for p in self.blocked:
            items = [o.chan._event(o.values) if o.sending else o.chan.name
                     for o in p.offers]
            self._line("# blocked %s offers %s" % (p.name, "{| %s |}"
                                                    % ", ".join(items)
                                                    if items else "{}"))
        names = [p.name for p in self.blocked]
        for p in self.blocked:
            for o in p.offers:
                shown = o.chan._event(o.values) if o.sending else o.chan.name
                # an end nobody has used can only be taken by a blocked
                # process: each of them
                partners = o.chan.users[1 if o.sending else 0] or names
                for q in partners:
                    if q in names and q != p.name:
                        self._line("# waits %s for %s on %s" % (p.name, q,
                                                                shown))
        for p in list(self.blocked):
            self._wake(p, Deadlock("the run deadlocked"))

    # ---- the trace ----------------------------------------------------------

    def _line(self, text):
        if self.out:
            self.out.write(text + "\n")

    def close(self):
        """Writes `# end N events` (N: the event lines in the file) and
        closes the trace."""
        with self.lock:
            if self.out:
                self._line("# end %d events" % self.recorded)
                self.out.close()
                self.out = None
