#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Instructions per free+alloc pair on the steady-state workload (256 KiB
# heap, 64 live blocks of 16..2048 bytes, free then alloc), counted by
# callgrind inside the loop functions of bench_heap --callgrind (and of the
# malloc peers' programs, on the same plan), printed as the team's table:
#   | figure | measured | peer (same run) | ratio | target | status |
# Every count includes the loop's own cost (the empty-call loop's figure is
# printed too). A missed target is information: the exit status is 0.
#
#   bench/callgrind.sh [build-dir] [steps]
# The build dir must have been configured with -DVREGION_BUILD_BENCH=ON
# (Release recommended; default: build-bench next to this script's repo).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build-bench}
steps=${2:-200000}
bench=$build/bench/bench_heap
[ -x "$bench" ] || { echo "no $bench: configure with -DVREGION_BUILD_BENCH=ON and build bench_heap" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# count EXE FN: instructions per step inside FN (and what it calls)
count() {
	valgrind --tool=callgrind --callgrind-out-file="$tmp/out" --toggle-collect="$2" \
		"$1" --callgrind "$steps" >/dev/null 2>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }
	awk -v n="$steps" '/^(summary|totals):/ { printf "%.1f", $2 / n; exit }' "$tmp/out"
}

# row FIGURE MEASURED PEER_NAME PEER_VALUE TARGET_MAX(or -) BY_RATIO(0/1)
row() {
	awk -v f="$1" -v m="$2" -v pn="$3" -v pv="$4" -v t="$5" -v br="$6" 'BEGIN {
		ratio = pv > 0 ? m / pv : 0
		x = br ? ratio : m
		st = "info"; tt = "(info)"
		if (t != "-") { st = (x <= t) ? "met" : "missed"; tt = (br ? "<= " t "x" : "<= " t) }
		printf "| %s | %s | %s %s | %.2fx | %s | %s |\n", f, m, pn, pv, ratio, tt, st
	}'
}

base=$(count "$bench" loop_base)
vr=$(count "$bench" loop_vr)
al=$(count "$bench" loop_vr_aligned)
g64=$(count "$bench" loop_vr_g64)
gl=$(count "$bench" loop_malloc)
echo
echo "Heap: instructions per free+alloc pair (callgrind, $steps steps; the loop's own cost, $base, included)"
echo
echo "| figure | measured | peer (same run) | ratio | target | status |"
echo "|---|---:|---|---:|---|---|"
row "heap: free+alloc pair" "$vr" "glibc malloc/free" "$gl" 155 0
row "heap: same, every request 64-aligned (granule 8), against the plain pair" "$al" "plain pair" "$vr" 1.2 1
row "heap: same, a heap of granule 64 (every block 64-aligned: vregion's), against the plain pair" "$g64" "plain pair" "$vr" 1.2 1
for p in jemalloc mimalloc tcmalloc; do
	exe=$build/bench/bench_malloc_$p
	if [ -x "$exe" ]; then
		row "$p malloc/free" "$(count "$exe" loop_malloc)" "glibc malloc/free" "$gl" - 0
	else
		echo "| $p malloc/free | not built (library not found at configure time) | | | | info |"
	fi
done
for pub in "o1heap|155" "Zephyr sys_heap|260" "TLSF|318" "glibc malloc (issue figure)|329"; do
	echo "| ${pub%%|*} free+alloc pair | ${pub##*|} | published, not measured here | - | - | info |"
done
for pub in "Zephyr sys_heap|1.50x" "TLSF|1.46x"; do
	echo "| ${pub%%|*} 64-aligned pair against its plain pair | ${pub##*|} | published, not measured here | - | - | info |"
done
