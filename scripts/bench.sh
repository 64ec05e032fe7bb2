#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# scripts/bench.sh [--quick]
# Every benchmark, each printing its figures as ratios against peers measured in
# the same run (glibc malloc / obstack / raw mmap always; jemalloc, mimalloc and
# tcmalloc when their Debian packages are installed: scripts/deps.sh bench).
#   bench_heap       interim heap: throughput, utilisation, aligned cost, latency
#   callgrind.sh     instructions per free+alloc pair (vr_heap vs malloc peers)
#   bench_region     lifetime bump vs obstack and a raw bump; locked cost; interim pairs
#   bench_port_posix map+unmap per page vs raw mmap
# --quick runs every program briefly (CI uses it to prove they build and run);
# the figures in docs/performance.md come from a full run. Never pass/fail on speed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = "--quick" ] && quick=1
"$top/scripts/deps.sh" build bench
build="$top/build/bench"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DVREGION_BUILD_BENCH=ON \
	-DVREGION_BUILD_TESTS=OFF -DVREGION_BUILD_TOOLS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
b="$build/bench"
if [ $quick -eq 1 ]; then
	"$b/bench_heap" --all --steps 20000 --seeds 3
	"$top/bench/callgrind.sh" "$build" 20000
	"$b/bench_region" 10
	"$b/bench_port_posix" --quick
else
	"$b/bench_heap" --all
	"$top/bench/callgrind.sh" "$build"
	"$b/bench_region"
	"$b/bench_port_posix"
fi
