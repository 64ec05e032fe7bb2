#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""bench_vrsim.py VRSIM [--quick]

Wall time of `vrsim --no-size` (one play; the snapshot's partial replay
included) on generated scenarios, against the same kind of scenario ten or
three times smaller in the same run: the ratio shows how the play grows
(linear: about the size ratio; the quadratic player of issue 10.6 took 7x
for 3x the regions). Best of 3 runs (1 with --quick). A missed target is
information: the exit status is 0 whatever the figures.
"""
import os
import random
import subprocess
import sys
import tempfile
import time


def pipes(n):
    """n one-page pipelines created, then destroyed out of order."""
    out = [f"platform virt={2 * n + 2} phys={n + 1}"]
    out += [f"pipeline P{i} size=4K" for i in range(n)]
    order = list(range(n))
    random.Random(1).shuffle(order)
    out += [f"destroy P{i}" for i in order]
    return out


def mix(n):
    """About n events: pipelines with an ll and a dp module and a buffer,
    start/stop cycles with interim churn, closed out of order."""
    p = max(1, n // 62)
    out = [f"platform virt={p * 8 + 10} phys={p * 8 + 10}"]
    for i in range(p):
        out += [f"pipeline P{i} size=16K", f"module P{i}.a ll", f"module P{i}.d dp size=8K",
                f"alloc P{i}.a.x 100", f"alloc P{i}.d.y 200", f"bind P{i}.a P{i}.d as P{i}.b",
                f"alloc P{i}.b.z 64", f"complete P{i}"]
    for i in range(p):
        out += [f"start P{i}"] + [f"alloc P{i}.a.t{k} 64" for k in range(8)]
        out += [f"free P{i}.a.t{k}" for k in range(8)] + [f"stop P{i}", f"reset P{i} interim-reset"]
    order = list(range(p))
    random.Random(2).shuffle(order)
    for i in order:
        out += [f"unbind P{i}.b", f"destroy P{i}.a", f"destroy P{i}.d", f"destroy P{i}"]
    return out


def lifetime(n):
    """n lifetime allocations in one region, then interim churn."""
    out = ["platform virt=8192 phys=8192", f"pipeline P size={n * 64 * 2 // 1024 + 8}K"]
    out += [f"alloc P.a{i} 48" for i in range(n // 2)]
    out.append("complete P")
    out += [f"alloc P.b{i} 48" for i in range(n // 4)]
    out += [f"free P.b{i}" for i in range(n // 4)]
    out.append("destroy P")
    return out


def best(vrsim, path, runs):
    t = None
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run([vrsim, "--no-size", path], capture_output=True)
        dt = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit(f"vrsim {path}: exit {p.returncode}: {p.stderr.decode()[:200]}")
        t = dt if t is None else min(t, dt)
    return t


def main():
    vrsim = sys.argv[1]
    runs = 1 if "--quick" in sys.argv else 3
    cases = [
        # figure, generator, size, peer size, target seconds
        ("3000 live one-page pipelines, destroyed out of order", pipes, 3000, 1000, 1.0),
        ("100k events: pipelines, modules, binds, interim churn", mix, 100000, 10000, 3.0),
        ("100k events: 50k lifetime allocations in one region", lifetime, 100000, 10000, 3.0),
    ]
    print("| figure | measured | peer (same run) | ratio | target | status |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, gen, n, peer_n, target in cases:
            times = []
            for size in (n, peer_n):
                path = os.path.join(tmp, f"{gen.__name__}-{size}.vrs")
                with open(path, "w") as f:
                    f.write("\n".join(gen(size)) + "\n")
                times.append(best(vrsim, path, runs))
            status = "met" if times[0] < target else "missed"
            print(f"| {name} | {times[0]:.3f} s | {times[1]:.3f} s at {peer_n} | "
                  f"{times[0] / times[1]:.1f} (size x{n // peer_n}) | < {target:g} s | {status} |")


if __name__ == "__main__":
    main()
