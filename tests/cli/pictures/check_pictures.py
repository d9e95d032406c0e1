#!/usr/bin/env python3
"""Checks the pictures and the HTML report of `lockstep check` against its
JSON output (run_pictures.sh runs it).

  check_pictures.py chart SVG JSONLINE   a sequence chart: well-formed, one
      lifeline per component, every event of the counterexample in order,
      the failure in red, no two texts overlapping
  check_pictures.py html HTML JSONFILE   the report (as written, or as a
      browser's DOM): one row per assertion, for each failure its section
      with a sequence chart (and for a deadlock the wait-for diagram)
Exits 1 with a message on the first thing wrong."""
import html.parser
import json
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def classes(el):
    return (el.get("class") or "").split()


def text_of(el):
    """A <text>'s characters, without its tooltip."""
    parts = [el.text or ""]
    for child in el:
        if child.tag != SVG + "title":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def boxes(root):
    """Each text's box from its position, anchor and monospace width."""
    out = []
    for t in root.iter(SVG + "text"):
        s = text_of(t)
        size = 13 if "title" in classes(t) else 12
        w = len(s) * size * 0.6
        x, y = float(t.get("x")), float(t.get("y"))
        if {"name"} & set(classes(t)):
            x -= w / 2
        elif "step" in classes(t):
            x -= w
        out.append((x, y - size * 0.8, x + w, y + size * 0.2, s))
    return out


def no_overlap(root, where):
    b = sorted(boxes(root), key=lambda r: r[1])
    for i, (x0, y0, x1, y1, s) in enumerate(b):
        for (u0, v0, u1, v1, t) in b[i + 1:]:
            if v0 >= y1:
                break
            if u0 < x1 and x0 < u1 and s and t:
                fail(f"{where}: texts overlap: {s!r} and {t!r}")


def chart(path, line):
    result = json.loads(line)
    f = result["failure"]
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail(f"{path} is not well-formed: {e}")
    if root.tag != SVG + "svg" or "msc" not in classes(root):
        fail(f"{path}: the root is not <svg class=msc>")
    groups = list(root.iter(SVG + "g"))
    lanes = [g.get("data-name") for g in groups if "lane" in classes(g)]
    if len(lanes) != len(f["components"]):
        fail(f"{path}: {len(lanes)} lifelines for "
             f"{len(f['components'])} components")
    rows = [g for g in groups if "row" in classes(g)]
    events = [g.get("data-event") for g in rows]
    visible = [e for e in events if not e.startswith("τ")]
    want = list(f["trace"]) + ([f["event"]] if "event" in f else [])
    if visible != want:
        fail(f"{path}: the chart's events {visible} are not the "
             f"counterexample's {want}")
    red_rows = [g for g in rows if "red" in classes(g)]
    red_ends = [g for g in groups if {"end", "red"} <= set(classes(g))]
    kind = f["kind"]
    if kind == "deadlock" and not red_ends:
        fail(f"{path}: no component of the deadlock in red")
    if kind == "divergence" and not (red_rows and all(
            g.get("data-event").startswith("τ") for g in red_rows)):
        fail(f"{path}: the divergence's τ loop is not in red")
    if "event" in f and (not red_rows or
                         red_rows[-1].get("data-event") != f["event"]):
        fail(f"{path}: the failing event {f['event']} is not in red")
    for c in lanes:
        if not any(text_of(t) == c or c.startswith(text_of(t)[:-1])
                   for t in root.iter(SVG + "text")):
            fail(f"{path}: the lifeline {c} is not named")
    no_overlap(root, path)
    print(f"ok   {path}: {len(lanes)} lifelines, {len(rows)} rows, "
          f"{kind} in red, no text overlaps")


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows = []        # (verdict) per tr.assert
        self.sections = {}    # id -> [svg classes]
        self.current = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "tr" and "assert" in cls:
            self.rows.append(a.get("data-verdict"))
        elif tag == "section" and "assertion" in cls:
            self.current = a.get("id")
            self.sections[self.current] = []
        elif tag == "svg" and self.current:
            self.sections[self.current].append(cls)

    def handle_endtag(self, tag):
        if tag == "section":
            self.current = None


def page(path, json_path):
    results = [json.loads(l) for l in open(json_path, encoding="utf-8")]
    p = Page()
    p.feed(open(path, encoding="utf-8").read())
    if len(p.rows) != len(results):
        fail(f"{path}: {len(p.rows)} rows for {len(results)} assertions")
    for r, verdict in zip(results, p.rows):
        word = "PASS" if r["holds"] else "FAIL"
        if verdict != word:
            fail(f"{path}: assertion {r['index']} is {verdict}, not {word}")
        if r["holds"]:
            continue
        svgs = p.sections.get(f"a{r['index']}")
        if svgs is None:
            fail(f"{path}: no section for failed assertion {r['index']}")
        if not any("msc" in c for c in svgs):
            fail(f"{path}: no sequence chart for assertion {r['index']}")
        if r["failure"]["kind"] == "deadlock" and len(svgs) < 2:
            fail(f"{path}: no wait-for diagram for assertion {r['index']}")
    print(f"ok   {path}: {len(p.rows)} rows, a section with its charts "
          f"for each of {sum(not r['holds'] for r in results)} failures")


if __name__ == "__main__":
    if sys.argv[1] == "chart":
        chart(sys.argv[2], sys.argv[3])
    else:
        page(sys.argv[2], sys.argv[3])
