#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""vrsim command-line tests.

    cli_test.py CASE VRSIM SCENARIO_DIR DOCS_VRSIM_MD

CASE is one of:
  exit      exit statuses: 0 played as written, 1 unexpected failure / leak, 2 bad input
  badinput  FILE:LINE: diagnostics on stderr, nothing on stdout, nothing played
  json      --json parses, has exactly the keys documented in docs/vrsim.md,
            and agrees with the exit status
  svg       --svg writes well-formed SVG with one band per region at the peak
  verbose   -v logs one line per event on stderr
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

CASE, VRSIM, SCEN, DOCS = sys.argv[1:5]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*args, stdin=None):
    p = subprocess.run([VRSIM, *args], input=stdin, capture_output=True, text=True,
                       timeout=100)
    return p.returncode, p.stdout, p.stderr


def scen(name):
    return os.path.join(SCEN, name)


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


LEAK = "pipeline P size=8K\nmodule P.a ll\nalloc P.a.x 100\n"
UNEXPECTED = "pipeline P size=4K\nalloc P.x 3000\nalloc P.y 3000\ndestroy P\n"
SURPRISE = "pipeline P size=8K\nalloc P.x 64 expect=fail\ndestroy P\n"
CLEAN = "pipeline P size=8K\nalloc P.x 64\ndestroy P\n"


def case_exit():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out, err = run()
        check(rc == 0, f"default scenario: exit {rc}, want 0 ({err.strip()})")
        for name in ("hello.vrs", "ztest.vrs", "pool-limits.vrs"):
            rc, _, err = run("--no-size", scen(name))
            check(rc == 0, f"{name}: exit {rc}, want 0 ({err.strip()})")
        rc, out, _ = run("--no-size", scen("src-8ch.vrs"))
        check(rc == 1, f"src-8ch.vrs: exit {rc}, want 1")
        check("FAILED line" in out, "src-8ch.vrs: the failure is named in the summary")
        for label, text, want in (("leak", LEAK, 1), ("unexpected", UNEXPECTED, 1),
                                  ("surprise", SURPRISE, 1), ("clean", CLEAN, 0)):
            rc, out, _ = run("--no-size", write(tmp, label + ".vrs", text))
            check(rc == want, f"{label}: exit {rc}, want {want}")
        rc, out, _ = run("--no-size", write(tmp, "leak.vrs", LEAK))
        check("LEAK: pipeline 'P' still exists" in out, "leak: named in the summary")
        check("LEAK: ll module 'P.a' still exists" in out, "leak: module named")
        # stdin
        rc, out, _ = run("--no-size", "-", stdin=CLEAN)
        check(rc == 0 and "vrsim: <stdin>" in out, f"stdin: exit {rc}")
        # usage errors are bad input too
        for args in (["--bogus"], ["--svg"], ["--region"], ["--region", "P=0"],
                     ["--region", "nope=4K"], [scen("hello.vrs"), scen("ztest.vrs")],
                     [os.path.join(tmp, "missing.vrs")]):
            rc, out, err = run(*args)
            check(rc == 2, f"{args}: exit {rc}, want 2")
            check(out == "", f"{args}: nothing on stdout")
        # --check plays nothing
        rc, out, _ = run("--check", scen("hello.vrs"))
        check(rc == 0 and "OK" in out and "Regions" not in out, "--check: parse only")
        rc, out, _ = run("--help")
        check(rc == 0 and "usage: vrsim" in out, "--help")
        rc, out, _ = run("--print-default")
        with open(scen("default.vrs")) as f:
            check(rc == 0 and out == f.read(), "--print-default prints default.vrs exactly")
        # --region changes what is played
        rc, out, _ = run("--no-size", "--region", "C.src=36K", scen("src-8ch.vrs"))
        check(rc == 0, f"--region C.src=36K makes src-8ch.vrs play clean: exit {rc}")


BAD = [
    # (text, line, message part)
    ("pipeline P1 size=8K\n\nalloc P1.x 10 align=3\n", 3, "align must be a power of two"),
    ("pipeline P1\nfrobnicate\n", 2, "unknown keyword 'frobnicate'"),
    ("pipeline P1 size=8K\nalloc P1.x 10\nfree P1.y\n", 3, "free of unknown allocation"),
    ("repeat 2 {\npipeline P\n", 1, "not closed"),
    ("pipeline P size=4K\nmodule P.d dp\ncomplete P\nstart P\nstart P\n", 5, "already running"),
]


def case_badinput():
    with tempfile.TemporaryDirectory() as tmp:
        for i, (text, line, msg) in enumerate(BAD):
            # a valid prefix that would create real regions: nothing may be played
            path = write(tmp, f"bad{i}.vrs", text)
            for args in ([path], ["--json", path], ["--svg", os.path.join(tmp, "x.svg"), path]):
                rc, out, err = run(*args)
                check(rc == 2, f"bad{i} {args[:-1]}: exit {rc}, want 2")
                check(out == "", f"bad{i}: nothing on stdout (got {out[:80]!r})")
                first = err.splitlines()[0] if err else ""
                m = re.match(r"^(.*):(\d+): (.*)$", first)
                check(m is not None, f"bad{i}: stderr starts with FILE:LINE: ({first!r})")
                if m:
                    check(m.group(1) == path, f"bad{i}: file is {m.group(1)!r}")
                    check(int(m.group(2)) == line, f"bad{i}: line {m.group(2)}, want {line}")
                    check(msg in m.group(3), f"bad{i}: {m.group(3)!r} lacks {msg!r}")
            check(not os.path.exists(os.path.join(tmp, "x.svg")), f"bad{i}: no SVG written")


def documented_keys():
    """The key paths listed between <!-- json-keys --> markers in docs/vrsim.md."""
    with open(DOCS) as f:
        text = f.read()
    m = re.search(r"<!-- json-keys -->(.*?)<!-- /json-keys -->", text, re.S)
    check(m is not None, "docs/vrsim.md has a <!-- json-keys --> table")
    if not m:
        return set()
    keys = set()
    for row in m.group(1).splitlines():
        k = re.match(r"^\|\s*`([^`]+)`", row)
        if k:
            keys.add(k.group(1))
    return keys


def paths(v, prefix=""):
    """Every key path in a JSON value ("a.b", "a[].c")."""
    out = set()
    if isinstance(v, dict):
        for k, x in v.items():
            p = f"{prefix}.{k}" if prefix else k
            out.add(p)
            out |= paths(x, p)
    elif isinstance(v, list):
        for x in v:
            out |= paths(x, prefix + "[]")
    return out


def case_json():
    docs = documented_keys()
    check(len(docs) > 40, f"docs/vrsim.md documents {len(docs)} keys")
    seen = set()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [[], [scen("src-8ch.vrs")], [scen("pool-limits.vrs")],
                ["--no-size", scen("ztest.vrs")], [write(tmp, "leak.vrs", LEAK)]]
        for args in runs:
            rc, out, err = run("--json", *args)
            try:
                d = json.loads(out)
            except ValueError as e:
                check(False, f"--json {args}: does not parse: {e}")
                continue
            found = paths(d)
            seen |= found
            undocumented = found - docs
            check(not undocumented, f"--json {args}: undocumented keys {sorted(undocumented)}")
            check(d["vrsim_schema"] == 1, "schema version 1")
            check(d["result"]["exit_status"] == rc,
                  f"--json {args}: result.exit_status {d['result']['exit_status']} != exit {rc}")
            check(d["result"]["clean"] == (rc == 0), f"--json {args}: result.clean")
            for r in d["regions"]:
                rec = r["recommended"]
                if "--no-size" in args:
                    check(rec is None, "--no-size: recommended is null")
                elif rec is not None and rec["status"] == "ok":
                    check(rec["bytes"] == rec["pages"] * d["platform"]["page_size"],
                          f"{r['name']}: bytes = pages * page_size")
                    check(rec["one_page_less_fails"] or rec["pages"] == 1,
                          f"{r['name']}: one page less fails")
        # every documented key appears in at least one of the runs above
        missing = docs - seen
        check(not missing, f"documented keys never produced: {sorted(missing)}")
        # the default: known structure
        rc, out, _ = run("--json")
        d = json.loads(out)
        names = [r["name"] for r in d["regions"]]
        check(names == ["P1", "P2", "P2.src", "P3.pv"], f"default regions {names}")
        src = d["regions"][names.index("P2.src")]
        check(src["kind"] == "dp" and src["requested_bytes"] == 28672, "P2.src is 28 KiB dp")
        check(src["refcount"]["max"] == 3, "P2.src: module + two buffers")
        check(d["leaks"]["ok"] is True, "default: no leak")


def case_svg():
    with tempfile.TemporaryDirectory() as tmp:
        for args in ([], [scen("pool-limits.vrs")], [scen("src-8ch.vrs")]):
            svg = os.path.join(tmp, "out.svg")
            rc, out, err = run("--no-size", "--json", "--svg", svg, *args)
            check(rc in (0, 1), f"--svg {args}: exit {rc} ({err.strip()})")
            try:
                root = ET.parse(svg).getroot()
            except ET.ParseError as e:
                check(False, f"--svg {args}: not well-formed XML: {e}")
                continue
            ns = "{http://www.w3.org/2000/svg}"
            check(root.tag == ns + "svg", f"root is <svg> ({root.tag})")
            texts = ["".join(t.itertext()) for t in root.iter(ns + "text")]
            d = json.loads(out)
            peak = d["pool"]["virtual_peak"]
            check(any(f"{peak} of {d['platform']['virtual_pages']} pages" in t for t in texts),
                  f"--svg {args}: the window at the peak ({peak} pages) is titled")
            check(len(list(root.iter(ns + "polyline"))) == 2, "two lines over time")
            # one band label per region alive at the peak: "NAME (N pages)"
            bands = [t for t in texts if re.match(r"^\S+ \(\d+ pages?\)$", t)]
            check(len(bands) >= 1, f"--svg {args}: region bands {bands}")
            for b in bands:
                check(b.split(" ")[0] in [r["name"] for r in d["regions"]],
                      f"band {b!r} names a region")


def case_verbose():
    rc, out, err = run("-v", "--no-size", "--json")
    d = json.loads(out)
    lines = [l for l in err.splitlines() if re.match(r"^\s*\d+\s+\S", l)]
    check(len(lines) == d["scenario"]["events"],
          f"-v: {len(lines)} event lines, {d['scenario']['events']} events")
    check(any("region P2.src released" in l for l in lines), "-v: the release is logged")
    rc2, out2, _ = run("--no-size", "--json")
    check(out == out2, "-v does not change stdout")


{"exit": case_exit, "badinput": case_badinput, "json": case_json, "svg": case_svg,
 "verbose": case_verbose}[CASE]()
if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("ok")
