#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# cross-test.sh - build vregion for the emulated targets and run every
# non-POSIX test suite there through CTest (CMAKE_CROSSCOMPILING_EMULATOR):
#   m3  Cortex-M3 on qemu-system-arm -M mps2-an385 (newlib rdimon semihosting)
#   xt  Xtensa lx106 on qemu-system-xtensa -M sim -cpu lx106 (simcall semihosting)
# Each test image runs under `timeout 120`; asserts are on (VREGION_DEBUG=ON),
# the library is compiled -ffreestanding with -Wall -Wextra -Werror.
#
# usage: scripts/cross-test.sh [m3] [xt] [m4]      (default: m3 xt)
# env:   VR_CROSS_BUILD  build root (default <repo>/build-cross; one subdir per target)
#        VR_JOBS         parallel build and ctest jobs (default 2)
#        VR_CTEST_ARGS   extra ctest arguments (e.g. "-R bitmap")
# Needs (Debian 12, --no-install-recommends): cmake gcc-arm-none-eabi
#   libnewlib-arm-none-eabi qemu-system-arm gcc-xtensa-lx106
#   picolibc-xtensa-lx106-elf qemu-system-misc
# Exit status: 0 iff every target configured, built and passed all its tests.
# docs/targets.md explains the targets, the harness and how to debug a run.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VR_CROSS_BUILD:-$ROOT/build-cross}
JOBS=${VR_JOBS:-2}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(m3 xt)

declare -A tc=(
	[m3]=toolchain-cortex-m3-qemu.cmake
	[m4]=toolchain-cortex-m4.cmake
	[xt]=toolchain-xtensa-lx106-qemu.cmake
)
declare -A tools=(
	[m3]="arm-none-eabi-gcc qemu-system-arm"
	[m4]="arm-none-eabi-gcc qemu-system-arm"
	[xt]="xtensa-lx106-elf-gcc qemu-system-xtensa"
)
declare -A label=(
	[m3]="Cortex-M3 / qemu mps2-an385"
	[m4]="Cortex-M4 / qemu mps2-an386"
	[xt]="Xtensa lx106 / qemu sim"
)

status=0
summary=()
t_all=$SECONDS
for t in "${targets[@]}"; do
	if [ -z "${tc[$t]:-}" ]; then
		echo "cross-test: unknown target '$t' (m3, m4, xt)" >&2
		exit 2
	fi
	for tool in ${tools[$t]} cmake ctest timeout; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "cross-test: $tool not found (see the package list at the top of $0)" >&2
			exit 2
		fi
	done
	dir=$BUILD/$t
	log=$dir.log
	mkdir -p "$dir"
	t0=$SECONDS
	echo "=== $t: ${label[$t]} ($dir)"
	if ! cmake -S "$ROOT" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/${tc[$t]}" \
		-DVREGION_DEBUG=ON -DVREGION_BUILD_TESTS=ON >"$log" 2>&1; then
		cat "$log"
		echo "=== $t: CONFIGURE FAILED"
		summary+=("$t: configure failed")
		status=1
		continue
	fi
	if ! cmake --build "$dir" -j "$JOBS" >>"$log" 2>&1; then
		grep -E "error|Error|undefined reference" "$log" | head -40
		echo "=== $t: BUILD FAILED (full log: $log)"
		summary+=("$t: build failed")
		status=1
		continue
	fi
	t1=$SECONDS
	out=$(cd "$dir" && ctest -j "$JOBS" --output-on-failure --no-tests=error ${VR_CTEST_ARGS:-} 2>&1)
	rc=$?
	echo "$out" | grep -vE "^\s*$" | sed -n '/Test project/,$p'
	line=$(echo "$out" | grep -E "tests passed, [0-9]+ tests failed out of" | tail -1)
	[ $rc -ne 0 ] && status=1
	# test cases: the harness's "N passed, N failed" lines in ctest's log
	cases=$(grep -hE '^[0-9]+ passed, [0-9]+ failed$' "$dir/Testing/Temporary/LastTest.log" 2>/dev/null |
		awk '{ p += $1; f += $3 } END { printf "%d cases passed, %d failed", p, f }')
	summary+=("$t: ${line:-ctest produced no summary}; ${cases:-no case counts} (rc $rc; build $((t1 - t0)) s, tests $((SECONDS - t1)) s)")
done

echo "=== cross-test summary ($((SECONDS - t_all)) s)"
for s in "${summary[@]}"; do
	echo "  $s"
done
[ $status -eq 0 ] && echo "cross-test: OK" || echo "cross-test: FAILED"
exit $status
