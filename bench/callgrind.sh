#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Instructions per free+alloc pair on the steady-state workload (256 KiB
# heap, 64 live blocks of 16..2048 bytes), counted by callgrind inside the
# loop functions of bench_heap --callgrind (and of the malloc peers).
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

# count EXE FN: total instructions inside FN (and what it calls)
count() {
	valgrind --tool=callgrind --callgrind-out-file="$tmp/out" --toggle-collect="$2" \
		"$1" --callgrind "$steps" >/dev/null 2>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }
	awk '/^(summary|totals):/ { print $2; exit }' "$tmp/out"
}

per_pair() {
	awk -v a="$1" -v n="$steps" 'BEGIN { printf "%.1f", a / n }'
}

base=$(count "$bench" loop_base)
vr=$(count "$bench" loop_vr)
al=$(count "$bench" loop_vr_aligned)
gl=$(count "$bench" loop_malloc)
echo "steps: $steps; loop overhead (empty calls): $(per_pair "$base") instructions per pair (included below)"
echo "vr_heap: instructions per free+alloc pair: $(per_pair "$vr")"
echo "vr_heap align 64: instructions per free+alloc pair: $(per_pair "$al")  (ratio to unaligned: $(awk -v a="$al" -v b="$vr" 'BEGIN { printf "%.2f", a / b }'))"
echo "glibc malloc: instructions per free+alloc pair: $(per_pair "$gl")"
for p in jemalloc mimalloc tcmalloc; do
	exe=$build/bench/bench_malloc_$p
	[ -x "$exe" ] || { echo "$p: not built (library not found at configure time)"; continue; }
	echo "$p: instructions per free+alloc pair: $(per_pair "$(count "$exe" loop_malloc)")"
done
