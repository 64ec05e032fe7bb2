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
  trace     --trace: a trace replayed (exit 0), --to-scenario and its replay, a trace
            that diverges (exit 1, the line named), bad traces (FILE:LINE, exit 2),
            a captured log, what-if platforms
  schema    the --json output of every bundled scenario (and of a trace, --no-size,
            failures) validates against docs/vrsim.schema.json, whose keys are
            those of the table in docs/vrsim.md
  man       docs/vrsim.1 renders without a warning (groff -man -ww -z) and names
            every option of --help (and no other)
  messages  the wording issue 11 section 3 asked for (plurals, "nothing was
            allocated", an interim heap never used, complete's -v line, the
            platform defaults of hello.vrs, vrsim and docs/scenarios.md agree)
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
HUGE_PLATFORM = "platform page=1M phys=16M virt=4M\npipeline P size=8K\ndestroy P\n"
# sizing: too small even at the largest region the platform holds (7 pages)
NOFIT = "platform phys=64 virt=8\npipeline P size=4K\nalloc P.x 40000\ndestroy P\n"
# sizing: 3 pages too small, 4 cannot be created (Q needs 4 + 1 of the 9 pages)
NOPOOL = ("platform phys=9 virt=9\npipeline Q size=16K\nalloc Q.a 16000\npipeline P size=20K\n"
          "alloc P.x 20000\ndestroy P\ndestroy Q\n")
# sizing: as written Q leaves P no room; Q needs 1 page, then P fits (second pass)
OTHERS = ("platform phys=9 virt=9\npipeline Q size=16K\npipeline P size=20K\n"
          "alloc P.x 20000\ndestroy P\ndestroy Q\n")
# sizing: P needs 3 pages; 4 cannot be created (the pool's limit, reported)
POOLABOVE = ("platform phys=9 virt=9\npipeline Q size=16K\npipeline P size=12K\n"
             "alloc P.x 9000\ndestroy P\ndestroy Q\n")


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
        # what is wrong is said on stderr
        rc, out, err = run(os.path.join(tmp, "missing.vrs"))
        check("cannot open" in err and "No such file" in err, f"missing file: {err!r}")
        rc, out, err = run(tmp)
        check(rc == 2 and "Is a directory" in err, f"a directory: exit {rc}, {err!r}")
        # an SVG path that cannot be written: bad command line, nothing played
        rc, out, err = run("--svg", os.path.join(tmp, "no", "such", "dir.svg"),
                           write(tmp, "clean.vrs", CLEAN))
        check(rc == 2 and out == "" and "cannot write" in err, f"--svg bad path: exit {rc}")
        # sizing: no size fits, and why (exit 1: the scenario fails as written)
        rc, out, _ = run(write(tmp, "nofit.vrs", NOFIT))
        check(rc == 1 and "P: NO SIZE FITS: even 7 pages" in out and
              "alloc P.x 40000 B" in out, f"no size fits (too small at the limit): {rc}")
        rc, out, _ = run(write(tmp, "nopool.vrs", NOPOOL))
        check(rc == 1 and "P: NO SIZE FITS: 3 pages are too small" in out and
              "and 4 pages cannot be created" in out, f"no size fits (pool): {rc}")
        rc, out, _ = run(write(tmp, "poolabove.vrs", POOLABOVE))
        check(rc == 0 and "recommended 3 pages" in out and "4 pages do not play clean" in out,
              f"pool limit above the answer: {rc}")
        # a platform the host cannot set up (a 4 TiB window under a 1 GiB address
        # space limit): exit 1, the reason on stderr, no summary. Not under ASan,
        # whose shadow memory needs the address space.
        with open(VRSIM, "rb") as f:
            asan = b"__asan_init" in f.read()
        if not asan:
            import resource

            def limit():
                resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
            p = subprocess.run([VRSIM, write(tmp, "huge.vrs", HUGE_PLATFORM)],
                               capture_output=True, text=True, timeout=100, preexec_fn=limit)
            check(p.returncode == 1 and p.stdout == "" and "cannot set up" in p.stderr,
                  f"platform the host cannot map: exit {p.returncode}, {p.stderr!r}")
        # an allocation in a region whose complete failed says so (not "0 bytes left")
        rc, out, _ = run("--no-size", write(tmp, "inv.vrs", "pipeline P size=4K\nalloc P.a 4096\n"
                                            "complete P expect=fail\nalloc P.b 64\ndestroy P\n"))
        check(rc == 1 and "alloc P.b 64 B: the region is invalid (its complete failed)" in out,
              f"invalid region: exit {rc}")
        # --region is kept by the sizer's replays: with Q at 4K, P fits at 5 pages
        rc, out, _ = run("--region", "Q=4K", write(tmp, "others.vrs", OTHERS))
        check(rc == 0 and "P: recommended 5 pages" in out and "with every other" not in out,
              f"--region kept while sizing: exit {rc}")
        rc, out, _ = run(write(tmp, "others.vrs", OTHERS))
        check(rc == 1 and "P: recommended 5 pages" in out and
              "P: (with every other region at its recommended size" in out,
              f"second pass: exit {rc}")
        # a trace that cannot be written is an output that could not be
        # written (exit 1), not a silent success with the trace lost
        if os.path.exists("/dev/full"):
            rc, out, err = run("--json", "--no-size", "--write-trace", "/dev/full", scen("hello.vrs"))
            check(rc == 1 and "cannot write /dev/full" in err and
                  json.loads(out)["result"]["exit_status"] == 1,
                  f"--write-trace /dev/full: exit {rc}, {err!r}")
            # so is a standard output that cannot be written, with the reason
            for args in (["--no-size", scen("hello.vrs")], ["--print-default"], ["--help"]):
                with open("/dev/full", "w") as full:
                    p = subprocess.run([VRSIM, *args], stdout=full, stderr=subprocess.PIPE,
                                       text=True, timeout=100)
                check(p.returncode == 1 and "cannot write the standard output" in p.stderr,
                      f"{args} > /dev/full: exit {p.returncode}, {p.stderr!r}")
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
    # the library refuses a min_align below 8: bad input, not a failed play
    ("platform align=2\npipeline P size=4K\ndestroy P\n", 1, "align must be a power of two from 8"),
    ("pipeline P size=4K\nmodule P.d dp\ncomplete P\nstart P\nstart P\n", 5, "already running"),
    # must not hang: empty nested repeats (10^12 empty iterations) and 10^9
    ("pipeline P\nrepeat 1000000 {\nrepeat 1000000 {\n}\n}\ndestroy P\n", 3, "nothing to repeat"),
    ("pipeline P size=4K\nrepeat 1000000000 {\nalloc P.x 1\nfree P.x\n}\n", 2,
     "repeat count must be from 1 to 1000000"),
    ("pipeline P size=4K\ncomplete P\nrepeat 1000 {\nrepeat 1000 {\nrepeat 1000 {\n"
     "alloc P.x 1\nfree P.x\n}\n}\n}\n", 7, "unrolls to more than 1000000 events"),
    ("pipeline P size=4K\nalloc P.x 0\n", 2, "allocation size must be > 0"),
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
    keys, failure_objects = set(), []
    for row in m.group(1).splitlines():
        k = re.match(r"^\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|", row)
        if k:
            keys.add(k.group(1))
            if k.group(2) in ("failure", "failure/null"):
                failure_objects.append(k.group(1))
    # a "failure" has the keys of regions[].failures.list[]
    prefix = "regions[].failures.list[]."
    fkeys = [k[len(prefix):] for k in keys if k.startswith(prefix)]
    check(len(fkeys) >= 9, f"failure object keys documented: {fkeys}")
    for obj in failure_objects:
        keys |= {f"{obj}.{k}" for k in fkeys}
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
                ["--no-size", scen("ztest.vrs")], [write(tmp, "leak.vrs", LEAK)],
                [write(tmp, "nofit.vrs", NOFIT)], [write(tmp, "nopool.vrs", NOPOOL)],
                [write(tmp, "poolabove.vrs", POOLABOVE)], [write(tmp, "others.vrs", OTHERS)],
                ["--trace", write(tmp, "t.trace", TRACE)],
                ["--trace", write(tmp, "d.trace", TRACE.replace("off=576", "off=640"))]]
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
            pl = d["platform"]
            words = (pl["virtual_pages"] + 63) // 64
            check(d["pool"]["meta_bytes"] == 4 * pl["virtual_pages"] + 3 * 8 * words,
                  f"--json {args}: pool.meta_bytes {d['pool']['meta_bytes']} is vpage.h's "
                  f"4 W + 3 * 8 * ceil(W / 64)")
            for r in d["regions"]:
                rec = r["recommended"]
                check((r["meta_bytes"] == 0) == (r["kind"] == "pages"),
                      f"--json {args}: {r['name']}: meta_bytes {r['meta_bytes']} (0 iff a page run)")
                if "--no-size" in args:
                    check(rec is None, "--no-size: recommended is null")
                elif rec is not None and rec["status"] == "ok":
                    check(rec["bytes"] == rec["pages"] * d["platform"]["page_size"],
                          f"{r['name']}: bytes = pages * page_size")
                    check(rec["one_page_less_fails"] or rec["pages"] == 1,
                          f"{r['name']}: one page less fails")
                    # one start-map byte per min_align granule: the difference of the
                    # two figures is the pages' difference over the alignment
                    req = -(-r["requested_bytes"] // pl["page_size"])
                    if r["kind"] in ("pipeline", "dp"):
                        check(r["meta_bytes"] - rec["meta_bytes"] ==
                              (req - rec["pages"]) * pl["page_size"] // pl["min_align"],
                              f"--json {args}: {r['name']}: meta_bytes {r['meta_bytes']} at "
                              f"{req} pages, {rec['meta_bytes']} at {rec['pages']}")
                elif rec is not None:
                    check(rec["meta_bytes"] == 0, f"{r['name']}: no recommended metadata")
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


def em_width(s):
    """report_svg.c's conservative width estimate, in em."""
    return sum(0.95 if c in "MWmw@%" else 0.62 if ord(c) < 128 else 1.0 for c in s)


def png_alpha(path):
    """Width, height and the alpha bytes of an 8-bit RGBA PNG (what rsvg-convert writes)."""
    import struct
    import zlib
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype == 6, f"PNG depth {depth} colour type {ctype}"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, prev, out = zlib.decompress(idat), w * 4, bytearray(w * 4), bytearray()
    for y in range(h):
        ft, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = row[x - 4] if x >= 4 else 0
            b, c = prev[x], prev[x - 4] if x >= 4 else 0
            if ft == 1:
                row[x] = (row[x] + a) & 255
            elif ft == 2:
                row[x] = (row[x] + b) & 255
            elif ft == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += row[3::4]
        prev = row
    return w, h, out


def ink_outside(svg_text, tmp, font, label):
    """Render the SVG with a transparent margin around it, in `font`; the
    pixels drawn in the margin (text past the picture's edge)."""
    m, zoom = 40, 0.5
    root = ET.fromstring(svg_text)
    w, h = float(root.get("width")), float(root.get("height"))
    svg = re.sub(r'width="[^"]*" height="[^"]*" viewBox="[^"]*" font-family="[^"]*"',
                 f'width="{w + 2 * m:.0f}" height="{h + 2 * m:.0f}" '
                 f'viewBox="{-m} {-m} {w + 2 * m:.0f} {h + 2 * m:.0f}" font-family="{font}"',
                 svg_text, count=1)
    src, png = os.path.join(tmp, f"{label}.svg"), os.path.join(tmp, f"{label}.png")
    with open(src, "w") as f:
        f.write(svg)
    p = subprocess.run(["rsvg-convert", "-z", str(zoom), "-o", png, src], capture_output=True,
                       text=True)
    check(p.returncode == 0, f"rsvg-convert {label}: {p.stderr.strip()}")
    if p.returncode:
        return 0
    pw, ph, alpha = png_alpha(png)
    zm, zw, zh, bad = int(m * zoom), int(w * zoom), int(h * zoom), 0
    for y in range(ph):
        row = alpha[y * pw:(y + 1) * pw]
        if zm <= y < zm + zh:
            bad += sum(1 for a in row[:zm - 1] if a) + sum(1 for a in row[zm + zw + 1:] if a)
        elif y < zm - 1 or y > zm + zh:
            bad += sum(1 for a in row if a)
    return bad


# a picture that pushes the text: a long title with other scripts, a long
# region name, more regions than colours, failures
BUSY = ("title Ünïcödé wide WWWWMMMM title that goes on and on to see that it wraps and never "
        "leaves the picture\n"
        "platform virt=200 phys=200\n"
        "pipeline A_region_name_that_is_as_long_as_a_name_may_be_xxxxxxxxxxxx size=8K\n"
        "alloc A_region_name_that_is_as_long_as_a_name_may_be_xxxxxxxxxxxx.x 9000\n" +
        "".join(f"pipeline Q{i} size={i + 1}K\nalloc Q{i}.x {512 * (i + 1)}\n" for i in range(13)) +
        "".join(f"destroy Q{i}\n" for i in range(13)) +
        "destroy A_region_name_that_is_as_long_as_a_name_may_be_xxxxxxxxxxxx\n")


def case_svg():
    ns = "{http://www.w3.org/2000/svg}"
    with tempfile.TemporaryDirectory() as tmp:
        busy = write(tmp, "busy.vrs", BUSY)
        for n, args in enumerate(([], [scen("pool-limits.vrs")], [scen("src-8ch.vrs")], [busy],
                                  ["--no-size", scen("hello.vrs")],
                                  ["--trace", write(tmp, "t.trace", TRACE)])):
            svg = os.path.join(tmp, "out.svg")
            rc, out, err = run("--json", "--svg", svg, *args)
            check(rc in (0, 1), f"--svg {args}: exit {rc} ({err.strip()})")
            with open(svg) as f:
                svg_text = f.read()
            try:
                root = ET.fromstring(svg_text)
            except ET.ParseError as e:
                check(False, f"--svg {args}: not well-formed XML: {e}")
                continue
            check(root.tag == ns + "svg", f"root is <svg> ({root.tag})")
            texts = ["".join(t.itertext()) for t in root.iter(ns + "text")]
            d = json.loads(out)
            regions = {r["name"]: r for r in d["regions"]}
            peak = d["pool"]["virtual_peak"]
            check(any(f"{peak} of {d['platform']['virtual_pages']} pages" in t for t in texts),
                  f"--svg {args}: the window at the peak ({peak} pages) is titled")
            check(len(list(root.iter(ns + "polyline"))) == 2, "two totals over time")
            check(1 <= len(list(root.iter(ns + "polygon"))) <= 11, "stacked pages per region")
            # one band per region: "NAME (N pages)", its need against its request
            bands = [t for t in texts if re.match(r"^\S+ \(\d+ pages?\)$", t)]
            names = {b.rsplit(" (", 1)[0].rstrip(".") for b in bands}
            want = {r for r in regions if r in names or any(r.startswith(x) for x in names)}
            check(want == set(regions), f"--svg {args}: bands {sorted(names)} for {sorted(regions)}")
            for r in d["regions"]:
                rec, req = r["recommended"], (r["requested_bytes"] + 4095) // 4096
                if rec and rec["status"] == "ok":
                    check(any(f"{rec['pages']} of {req} page" in t for t in texts),
                          f"--svg {args}: {r['name']}: '{rec['pages']} of {req} pages needed'")
                for f in r["failures"]["list"]:
                    if f["expected"]:
                        continue
                    check(any(t.startswith("FAILED: ") and f"at line {f['line']}:" in t and
                              f["name"][:20] in t for t in texts),
                          f"--svg {args}: failure of {f['name']} at line {f['line']} in its band")
                    check(f"line {f['line']}" in texts, f"--svg {args}: failure at line "
                          f"{f['line']} marked on the timeline")
            fills = [e.get("fill") for e in root.iter(ns + "rect")]
            check(fills.count("url(#guard)") >= len(bands) + 1,
                  f"--svg {args}: guard pages drawn in the strip and in each band")
            for legend in ("lifetime used", "lifetime unused", "interim peak", "interim free",
                           "guard pages", "pages", "virtual pages taken (guard pages included)",
                           "physical pages mapped"):
                check(legend in texts, f"--svg {args}: {legend!r} labelled")
            check(any(t.startswith("events, in the order played") for t in texts),
                  "the x axis says it counts events")
            check(any(re.match(r"^event \d+$", t) for t in texts) and
                  any(re.match(r"^line \d+$", t) for t in texts), "ticks: event and line")
            # every text inside the picture by the conservative bound ...
            w, h = float(root.get("width")), float(root.get("height"))
            for t in root.iter(ns + "text"):
                s, size = "".join(t.itertext()), float(t.get("font-size"))
                x, y, a = float(t.get("x")), float(t.get("y")), t.get("text-anchor")
                tw = em_width(s) * size
                x0 = x if a == "start" else x - tw / 2 if a == "middle" else x - tw
                check(0 <= x0 and x0 + tw <= w and y - size >= 0 and y + size * 0.3 <= h,
                      f"--svg {args}: text {s!r} at ({x}, {y}) is not inside {w} x {h}")
            # ... and as rendered, in a proportional and a monospaced font
            for font in ("sans-serif", "monospace"):
                bad = ink_outside(svg_text, tmp, font, f"r{n}{font}")
                check(bad == 0, f"--svg {args}: {bad} pixels drawn outside the picture ({font})")
        # the rendering check sees a text that leaves the picture
        over = svg_text.replace("</svg>", '<text x="985" y="60" font-size="14">overflow</text></svg>')
        check(ink_outside(over, tmp, "sans-serif", "over") > 0, "an overflow is seen in the render")


def case_verbose():
    rc, out, err = run("-v", "--no-size", "--json")
    d = json.loads(out)
    lines = [l for l in err.splitlines() if re.match(r"^\s*\d+\s+\S", l)]
    check(len(lines) == d["scenario"]["events"],
          f"-v: {len(lines)} event lines, {d['scenario']['events']} events")
    check(any("region P2.src released" in l for l in lines), "-v: the release is logged")
    rc2, out2, _ = run("--no-size", "--json")
    check(out == out2, "-v does not change stdout")


def case_messages():
    with tempfile.TemporaryDirectory() as tmp:
        # a size whose page count times the page wraps: still "more than the
        # platform can map", not "0 pages, refused by the library"
        huge = "pipeline P size=18446744073709551615\ndestroy P\n"
        rc, out, _ = run("--no-size", write(tmp, "huge.vrs", huge))
        check(rc == 1 and "create P: 4503599627370496 pages, more than the platform can map"
              in out, f"a SIZE_MAX pipeline: exit {rc}, {out[-300:]!r}")
        # a page run of 2^52 pages: its bytes wrapped to 0 (and 2^52 + 1 to one page)
        for n in (1 << 52, (1 << 52) + 1):
            rc, out, _ = run("--json", "--no-size", write(tmp, "hp.vrs", f"pages R {n}\ndestroy R\n"))
            r = json.loads(out)["regions"][0] if rc == 1 else {}
            check(r.get("requested_bytes", 0) >= 1 << 63, f"pages R {n}: requested {r!r:.200}")
        # plurals: one of each
        one = ("pipeline P size=8K expect=fail\n" "pipeline Q size=4K\nalloc Q.x 3000\n"
               "alloc Q.y 3000\ndestroy Q\n")
        rc, out, _ = run("--no-size", write(tmp, "one.vrs", one))
        check("1 unexpected failure," in out and "1 unexpected failures" not in out,
              f"plural of 1 unexpected failure: {out.splitlines()[2]!r}")
        check("1 surprise," in out and "1 surprises" not in out, "plural of 1 surprise")
        check("Result: FAILED: 1 unexpected failure, 1 expected failure did not fail" in out,
              "plural in the result line")
        rc, out, _ = run(write(tmp, "hello1.vrs", "platform phys=4 virt=4\npipeline P size=4K\n"
                               "alloc P.x 64\ndestroy P\n"))
        check("1 physical page;" in out and "1 physical pages" not in out,
              "plural of 1 physical page (all at recommended sizes)")
        rc, out, _ = run("--check", write(tmp, "one1.vrs", "pipeline P size=4K\n"))
        check(rc == 0 and "OK, 1 statement, 1 event, 1 object, 0 allocation names" in out,
              f"plurals of --check: {out!r}")
        # a region that allocates nothing says so, and how little it needs
        rc, out, _ = run(write(tmp, "idle.vrs", "pipeline P size=40K\ncomplete P\ndestroy P\n"))
        check("P: nothing was allocated in it (its interim heap was never used): 1 page (the "
              "minimum) plays clean, 10 pages written" in out, f"nothing allocated: {out!r}")
        check("not needed" not in out and "interim peak 0 B" not in out,
              "an idle region is not sized as a used one")
        # an interim heap never used is not "interim peak 0 B at line N"
        rc, out, _ = run("--no-size", write(tmp, "lt.vrs", "pipeline P size=8K\nalloc P.x 64\n"
                                            "complete P\ndestroy P\n"))
        check("P: lifetime part 64 B, interim heap 8128 B, never used" in out,
              f"interim heap never used: {out!r}")
        # complete's -v line gives the interim heap size of each region it completes
        rc, out, err = run("-v", "--no-size", scen("hello.vrs"))
        line = [l for l in err.splitlines() if re.match(r"^\s*\d+\s+complete P1\b", l)]
        check(len(line) == 1 and "interim heap: P1 13760 B" in line[0],
              f"-v complete line: {line!r}")
    # hello.vrs, docs/scenarios.md and vrsim agree on the platform defaults
    rc, out, _ = run("--json", "--no-size", "-", stdin="pipeline P\ndestroy P\n")
    p = json.loads(out)["platform"]
    want = (f"page={p['page_size']} phys={p['physical_pages']} virt={p['virtual_pages']} "
            f"line={p['cache_line']} align={p['min_align']} guard={p['guard_pages']}")
    with open(scen("hello.vrs")) as f:
        hello = f.read()
    check(f"the platform is Intel ACE: {want}" in hello, f"hello.vrs defaults are vrsim's: {want}")
    with open(os.path.join(os.path.dirname(DOCS), "scenarios.md")) as f:
        doc = f.read()
    wanted = " ".join(f"[{kv}]" for kv in want.split())
    check(f"platform {wanted}" in doc, f"docs/scenarios.md gives vrsim's defaults: {wanted}")


# A small trace, as vr_trace_format writes it (docs/trace.md).
TRACE = """# vregion-trace 1
pool_init api=vr_vpage_pool_init pool=1 seq=1 page_size=4096 cache_line=64 window=64 phys=64 guard=1 rc=0
page_alloc api=vr_vpage_alloc pool=1 seq=2 pages=4 perms=rw- page=0 rc=0
region_create api=vregion_create pool=1 seq=3 region=1 size=16384 min_align=0 flags=0 pages=4 page=0 name=P1 rc=0
alloc api=vregion_alloc pool=1 seq=4 region=1 phase=lifetime size=150 align=0 coherent=0 off=0 rc=0
region_get api=vregion_get pool=1 seq=5 region=1 refs=2 rc=0
alloc api=vregion_alloc_coherent pool=1 seq=6 region=1 phase=lifetime size=300 align=0 coherent=1 off=192 rc=0
set_interim api=vregion_set_interim pool=1 seq=7 region=1 phase=lifetime off=512 size=15872 rc=0
alloc api=vregion_alloc pool=1 seq=8 region=1 phase=interim size=96 align=0 coherent=0 off=576 rc=0
alloc api=vregion_alloc pool=1 seq=9 region=1 phase=interim size=99999 align=0 coherent=0 rc=-12
free api=vregion_free pool=1 seq=10 region=1 phase=interim off=576 rc=0
region_put api=vregion_put pool=1 seq=11 region=1 refs=1 rc=0
page_free api=vr_vpage_free pool=1 seq=12 page=0 rc=0
region_put api=vregion_put pool=1 seq=13 region=1 refs=0 rc=0
pool_deinit api=vr_vpage_pool_deinit pool=1 seq=14 rc=0
"""


def case_trace():
    with tempfile.TemporaryDirectory() as tmp:
        t = write(tmp, "t.trace", TRACE)
        rc, out, err = run("--trace", t)
        # the allocation that failed in the program fails again: exit 1, as the
        # program's own scenario would
        check(rc == 1, f"--trace: exit {rc} ({err.strip()})")
        check(out.startswith(f"vrsim: trace {t}\n"), "the summary names the trace")
        check("trace: pool 1 (1 pool), 14 events; 2 page events of region operations" in out,
              "the trace line says what was read")
        check("P1      region" in out and "FAILED line 10: alloc P1.fail10 99999 B" in out,
              "regions and failures at trace lines")
        check("Result: FAILED: 1 unexpected failure\n" in out, "no divergence: it failed in the trace")
        check("P1: recommended 25 pages (102400 B) plays clean; 24 pages fail at line 10: alloc "
              "P1.fail10 99999 B" in out, f"sizing by replay: {out}")
        rc, out, _ = run("--json", "--trace", t)
        d = json.loads(out)
        check(d["trace"]["ended"] is True and d["divergences"]["count"] == 0, "JSON trace keys")
        check(d["regions"][0]["kind"] == "region", "JSON kind region")
        # the equivalent scenario, and its replay
        vrs = os.path.join(tmp, "t.vrs")
        rc, out, err = run("--trace", t, "--to-scenario", vrs)
        check(rc == 0 and out == "" and f"wrote {vrs}" in err, f"--to-scenario: exit {rc} {err!r}")
        with open(vrs) as f:
            text = f.read()
        check("region P1 size=16K" in text and "alloc P1.a2 300 coherent" in text and
              "alloc P1.fail10 99999 # failed in the trace" in text, "the scenario reads as the trace")
        rc, out2, err = run("--json", vrs)
        d2 = json.loads(out2)
        check(rc == 1, f"the scenario plays, with the same failure: {rc} {err}")
        for k in ("requested_bytes", "lifetime_used", "interim_size", "interim_peak",
                  "largest_free_at_peak", "allocs", "frees"):
            check(d2["regions"][0][k] == d["regions"][0][k], f"same {k} from the .vrs")
        check(d2["regions"][0]["recommended"]["pages"] == d["regions"][0]["recommended"]["pages"],
              "same recommended size from the .vrs")
        check(d2["pool"]["virtual_peak"] == d["pool"]["virtual_peak"], "same peak from the .vrs")
        # a file that starts with the trace header is played as a trace
        rc, out, _ = run("--no-size", t)
        check(rc == 1 and out.startswith(f"vrsim: trace {t}\n"), f"a trace given as SCENARIO: {rc}")
        rc, _, err = run("--to-scenario", os.path.join(tmp, "x.vrs"), scen("hello.vrs"))
        check(rc == 2 and "needs a trace" in err, f"--to-scenario of a scenario: {rc} {err!r}")
        # a recorded result the replay does not reproduce: where
        rc, out, _ = run("--no-size", "--trace", write(tmp, "d.trace",
                                                       TRACE.replace("off=576", "off=640")))
        check(rc == 1 and "line 9: alloc P1.a3: offset 640 in the trace, 576 here" in out and
              "the replay diverges from the trace" in out, f"divergence: {rc}")
        # what-if: no comparison; the same calls on another platform
        rc, out, _ = run("--no-size", "--platform", "page=8K,guard=0", "--trace", t)
        check(rc == 1 and "page 8192 B" in out and "0 guard pages" in out and
              "what-if platform" in out, f"what-if: exit {rc}")
        rc, out, _ = run("--no-size", "--platform", "phys=3", "--trace", t)
        check(rc == 1 and "FAILED line 4: create P1" in out, f"what-if too few pages: {rc}")
        # a captured log
        log = "boot\n" + "".join(f"[{i:04}] <inf> vr: vrtrace: {l}\n"
                                 for i, l in enumerate(TRACE.splitlines()))
        rc, out, _ = run("--no-size", "--trace", write(tmp, "uart.log", log))
        check(rc == 1 and "14 events" in out, f"captured log: exit {rc}")
        # a failure of the trace that succeeds in the replay diverges
        rc, out, _ = run("--no-size", "--trace", write(tmp, "s.trace", TRACE.replace(
            "size=99999 align=0 coherent=0 rc=-12", "size=999 align=0 coherent=0 rc=-12")))
        check(rc == 1 and "line 10: alloc P1.fail10: failed in the trace, succeeds here" in out,
              f"a recorded failure that succeeds: {rc}")
        # a region_create the library refused for its min_align: nothing
        # happened, and --to-scenario writes a scenario vrsim reads
        t2 = write(tmp, "refused.trace", re.sub(r" seq=\d+", "", TRACE).replace(
            "\nregion_get api", "\nregion_create api=vregion_create pool=1 region=2 size=4096 "
            "min_align=4 flags=0 name=Q rc=-22\nregion_get api", 1))
        rc, out, err = run("--no-size", "--trace", t2)
        rc2, _, err2 = run("--trace", t2, "--to-scenario", os.path.join(tmp, "refused.vrs"))
        rc3, _, err3 = run("--no-size", os.path.join(tmp, "refused.vrs"))
        check(rc == 1 and rc2 == 0 and rc3 == 1, f"a refused min_align=4 create: exits {rc}, "
              f"{rc2}, its scenario {rc3} {err3!r}")
        # bad traces: FILE:LINE, exit 2, nothing on stdout
        cases = [(TRACE.replace("min_align=0 flags=0 pages=4", "min_align=4 flags=0 pages=4"), 4,
                  "min_align=4: a region's minimum alignment is 0 or a power of two from 8"),
                 (TRACE.replace("min_align=0 flags=0 pages=4", "min_align=48 flags=0 pages=4"),
                  4, "min_align=48"),(TRACE.replace("# vregion-trace 1", "# vregion-trace 9"), 1, "version 9"),
                 (TRACE[:TRACE.index(" rc=-12")], 10, "truncated line"),
                 (TRACE.replace("seq=8 ", "seq=18 "), 9, "events missing"),
                 (TRACE.replace("\nalloc api", "\nallok api", 1), 5, "unknown event 'allok'"),
                 (TRACE.replace("off=576 rc=0\nregion_put", "off=512 rc=0\nregion_put"), 11,
                  "nothing is allocated there")]
        for i, (text, line, msg) in enumerate(cases):
            path = write(tmp, f"bad{i}.trace", text)
            rc, out, err = run("--trace", path)
            check(rc == 2 and out == "" and err.startswith(f"{path}:{line}: ") and msg in err,
                  f"bad trace {i}: exit {rc}, {err!r}")
        # an output that is the input (a failed --to-scenario removed it) or
        # another output: refused, the input intact
        bad_t = write(tmp, "keep.trace", TRACE.replace("# vregion-trace 1", "# vregion-trace 9"))
        same = [["--trace", bad_t, "--to-scenario", bad_t],
                ["--trace", bad_t, "--to-scenario", os.path.join(tmp, ".", "keep.trace")],
                ["--no-size", "--svg", t, "--trace", t], ["--no-size", "--write-trace", t, t],
                ["--no-size", "--svg", vrs + ".x", "--write-trace", vrs + ".x", t]]
        for args in same:
            rc, out, err = run(*args)
            check(rc == 2 and out == "" and ("is the input" in err or "the same file" in err),
                  f"{args}: exit {rc}, {err!r}")
        check(os.path.exists(bad_t) and open(t).read().startswith("# vregion-trace 1"),
              "the inputs are intact")
        for args in (["--to-scenario", vrs], ["--trace", t, scen("hello.vrs")],
                     ["--platform", "page"], ["--platform", "virt=0"], ["--platform", "align=4"],
                     ["--trace-pool", "x"]):
            rc, out, err = run(*args)
            check(rc == 2 and out == "", f"{args}: exit {rc}")


# The subset of JSON Schema (draft 2020-12) that docs/vrsim.schema.json uses,
# checked by hand so that the test needs nothing but python3. A keyword this
# validator does not know is an error, not ignored.
SCHEMA_WORDS = {"$schema", "title", "description", "type", "properties", "required",
                "additionalProperties", "items", "enum", "const", "minimum", "maximum",
                "$ref", "oneOf", "$defs"}
JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def validate(v, sch, root, path, errs):
    unknown = set(sch) - SCHEMA_WORDS
    if unknown:
        errs.append(f"{path}: schema keywords this check does not know: {sorted(unknown)}")
    if "$ref" in sch:
        name = sch["$ref"].split("/")[-1]
        validate(v, root["$defs"][name], root, path, errs)
    if "oneOf" in sch:
        ok = 0
        for alt in sch["oneOf"]:
            e = []
            validate(v, alt, root, path, e)
            ok += not e
        if ok != 1:
            errs.append(f"{path}: matches {ok} of the oneOf alternatives")
    if "type" in sch:
        types = sch["type"] if isinstance(sch["type"], list) else [sch["type"]]
        good = False
        for t in types:
            if t == "integer":
                good |= isinstance(v, int) and not isinstance(v, bool)
            elif t == "number":
                good |= isinstance(v, (int, float)) and not isinstance(v, bool)
            else:
                good |= isinstance(v, JSON_TYPES[t])
        if not good:
            errs.append(f"{path}: {type(v).__name__} is not {types}")
            return
    if "const" in sch and v != sch["const"]:
        errs.append(f"{path}: {v!r} is not {sch['const']!r}")
    if "enum" in sch and v not in sch["enum"]:
        errs.append(f"{path}: {v!r} is not one of {sch['enum']}")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if "minimum" in sch and v < sch["minimum"]:
            errs.append(f"{path}: {v} < {sch['minimum']}")
        if "maximum" in sch and v > sch["maximum"]:
            errs.append(f"{path}: {v} > {sch['maximum']}")
    if isinstance(v, dict):
        props = sch.get("properties", {})
        for k in sch.get("required", []):
            if k not in v:
                errs.append(f"{path}: missing {k}")
        for k, x in v.items():
            if k in props:
                validate(x, props[k], root, f"{path}.{k}", errs)
            elif sch.get("additionalProperties", True) is False:
                errs.append(f"{path}: key {k} is not in the schema")
    if isinstance(v, list) and "items" in sch:
        for i, x in enumerate(v):
            validate(x, sch["items"], root, f"{path}[{i}]", errs)


def schema_paths(sch, root, prefix=""):
    """Every key path the schema allows ("a.b", "a[].c"), failures expanded."""
    out = set()
    if "$ref" in sch:
        return schema_paths(root["$defs"][sch["$ref"].split("/")[-1]], root, prefix)
    for alt in sch.get("oneOf", []):
        out |= schema_paths(alt, root, prefix)
    for k, x in sch.get("properties", {}).items():
        p = f"{prefix}.{k}" if prefix else k
        out.add(p)
        out |= schema_paths(x, root, p)
    if "items" in sch:
        out |= schema_paths(sch["items"], root, prefix + "[]")
    return out


def case_schema():
    with open(os.path.join(os.path.dirname(DOCS), "vrsim.schema.json")) as f:
        schema = json.load(f)
    docs = documented_keys()
    mine = schema_paths(schema, schema)
    check(mine == docs, f"schema keys and docs/vrsim.md keys differ: only in the schema "
          f"{sorted(mine - docs)}, only in the docs {sorted(docs - mine)}")
    try:
        import jsonschema  # a second opinion when it is installed (python3-jsonschema)
    except ImportError:
        jsonschema = None
    with tempfile.TemporaryDirectory() as tmp:
        runs = [[]] + [[scen(n)] for n in sorted(os.listdir(SCEN)) if n.endswith(".vrs")]
        runs += [["--no-size", scen("src-8ch.vrs")], ["--trace", write(tmp, "t.trace", TRACE)],
                 [write(tmp, "nopool.vrs", NOPOOL)], [write(tmp, "leak.vrs", LEAK)]]
        for args in runs:
            rc, out, err = run("--json", *args)
            try:
                d = json.loads(out)
            except ValueError as e:
                check(False, f"--json {args}: not JSON: {e}")
                continue
            errs = []
            validate(d, schema, schema, "$", errs)
            check(not errs, f"--json {args} against the schema: {errs[:5]}")
            check(d["vrsim_schema"] == 1, f"--json {args}: vrsim_schema is 1")
            if jsonschema is not None:
                try:
                    jsonschema.validate(d, schema)
                except jsonschema.ValidationError as e:
                    check(False, f"--json {args}: jsonschema says {e.message}")
    # the validator itself can fail
    bad = {"vrsim_schema": 2}
    errs = []
    validate(bad, schema, schema, "$", errs)
    check(any("is not 1" in e for e in errs) and any("missing scenario" in e for e in errs),
          f"the validator refuses a wrong document: {errs[:3]}")


def case_man():
    page = os.path.join(os.path.dirname(DOCS), "vrsim.1")
    p = subprocess.run(["groff", "-man", "-ww", "-z", page], capture_output=True, text=True)
    check(p.returncode == 0 and p.stderr == "", f"groff -man -ww -z: {p.returncode} {p.stderr!r}")
    p = subprocess.run(["groff", "-man", "-Tutf8", page], capture_output=True, text=True)
    text = re.sub(r".\x08", "", p.stdout)
    rc, usage, _ = run("--help")
    opts = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", usage))
    documented = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", text))
    for o in sorted(opts):
        check(o in documented, f"vrsim.1 does not document {o}")
    with open(page) as f:
        src = f.read()
    listed = set(re.findall(r"^\.(?:TP\n\.)?B[IR]? ((?:\\-)+[a-z](?:[a-z]|\\-)*)", src, re.M))
    listed = {o.replace("\\-", "-") for o in listed}
    check(len(listed) >= 12, f"options found in vrsim.1: {sorted(listed)}")
    for o in sorted(listed):
        check(o in opts, f"vrsim.1 documents {o}, which --help does not list")
    for section in ("SYNOPSIS", "OPTIONS", "EXIT STATUS", "FILES", "EXAMPLES"):
        check(section in text, f"vrsim.1 has {section}")


def region_figures(d):
    keys = ("kind_row", "requested_bytes", "pages", "meta_bytes", "lifetime_used", "lifetime_size",
            "interim_size", "interim_peak", "largest_free_at_peak", "allocs", "frees",
            "instances", "created", "outstanding_at_release")
    out = {}
    for r in d["regions"]:
        f = {k: r[k] for k in keys if k in r}
        f["unexpected"] = r["failures"]["unexpected"]
        f["expected"] = r["failures"]["expected"]
        f["recommended"] = r["recommended"] and (r["recommended"]["status"], r["recommended"]["pages"])
        out[r["name"]] = f
    return out


def case_roundtrip():
    """Every bundled scenario played with the library's tracing on
    (--write-trace), its trace replayed (--trace) and its equivalent scenario
    (--to-scenario): the same regions and figures, the same failures, the same
    recommended sizes, the same peaks and exit status, and no divergence."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(n for n in os.listdir(SCEN) if n.endswith(".vrs")):
            t, vrs = os.path.join(tmp, name + ".trace"), os.path.join(tmp, name + ".back.vrs")
            rc1, out1, err = run("--json", "--write-trace", t, scen(name))
            a = json.loads(out1)
            rc2, out2, err = run("--json", "--trace", t)
            check(rc2 in (0, 1), f"{name}: the trace replays ({rc2}: {err.strip()[:200]})")
            if rc2 not in (0, 1):
                continue
            b = json.loads(out2)
            rc3, _, err = run("--trace", t, "--to-scenario", vrs)
            rc4, out4, err = run("--json", vrs)
            c = json.loads(out4) if rc4 in (0, 1) else None
            check(rc1 == rc2 == rc4, f"{name}: exit {rc1} played, {rc2} from its trace, {rc4} "
                  f"from its scenario")
            check(b["divergences"]["count"] == 0, f"{name}: {b['divergences']['list'][:2]}")
            check(b["trace"]["ended"] and b["trace"]["refused_calls"] == 0,
                  f"{name}: the trace is whole: {b['trace']}")
            fa = region_figures(a)
            for label, d in (("its trace", b), ("its scenario", c)):
                if d is None:
                    check(False, f"{name}: {label} does not play")
                    continue
                fb = region_figures(d)
                check(set(fa) == set(fb), f"{name} from {label}: regions {sorted(fa)} vs {sorted(fb)}")
                for r in set(fa) & set(fb):
                    diff = {k: (fa[r][k], fb[r].get(k)) for k in fa[r] if fa[r][k] != fb[r].get(k)}
                    check(not diff, f"{name} from {label}: {r}: {diff}")
                for k in ("virtual_peak", "physical_peak"):
                    check(a["pool"][k] == d["pool"][k],
                          f"{name} from {label}: {k} {a['pool'][k]} vs {d['pool'][k]}")


def case_softrace():
    """A program on SOF's API (sof_trace_prog, the default posix pool) run under
    VREGION_TRACE: its trace replays to the peaks the program measured, with
    every allocation, no divergence and no leak."""
    prog = os.path.join(os.path.dirname(VRSIM), "tests", "sof_trace_prog")
    with tempfile.TemporaryDirectory() as tmp:
        t = os.path.join(tmp, "sof.trace")
        p = subprocess.run([prog], capture_output=True, text=True, timeout=100,
                           env=dict(os.environ, VREGION_TRACE=t))
        check(p.returncode == 0, f"sof_trace_prog: exit {p.returncode} {p.stderr.strip()[:200]}")
        got = dict(kv.split("=") for kv in p.stdout.split())
        rc, out, err = run("--json", "--trace", t)
        # the 1 MiB allocation the program saw fail is its failure: exit 1
        check(rc == 1, f"the SOF program's trace replays: exit {rc} {err.strip()[:200]}")
        d = json.loads(out)
        check(d["pool"]["virtual_peak"] == int(got["vpeak"]) and
              d["pool"]["physical_peak"] == int(got["ppeak"]),
              f"peaks: replay {d['pool']['virtual_peak']}/{d['pool']['physical_peak']}, "
              f"program {got['vpeak']}/{got['ppeak']}")
        check(sum(r["allocs"] for r in d["regions"]) == int(got["allocs"]),
              f"allocations: {sum(r['allocs'] for r in d['regions'])} vs {got['allocs']}")
        check(d["divergences"]["count"] == 0 and d["leaks"]["ok"], "no divergence, no leak")
        fails = [f for r in d["regions"] for f in r["failures"]["list"]]
        check(d["result"]["unexpected_failures"] == 1 and got["big"] == "no" and
              fails and fails[0]["size"] == 1 << 20, f"the allocation that did not fit: {fails}")
        check(any(r["kind"] == "pages" for r in d["regions"]), "the vpage run is a page run")


{"roundtrip": case_roundtrip, "softrace": case_softrace, "exit": case_exit, "messages": case_messages, "man": case_man, "trace": case_trace, "schema": case_schema, "badinput": case_badinput, "json": case_json, "svg": case_svg,
 "verbose": case_verbose}[CASE]()
if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("ok")
