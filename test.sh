#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ./test.sh [--host-only]
# The whole test suite, installing what is missing:
#   1. host build (gcc, internal assertions on) and every CTest suite
#      (unit, property, fault-injection, forked-fault, thread, vrsim,
#      examples and packaging tests);
#   2. install into a scratch prefix and build the examples and a user
#      program against it, shared and static, with pkg-config and with CMake
#      find_package, then run them;
#   3. the portable suites cross-compiled for Cortex-M3 and Xtensa lx106 and
#      run under QEMU (skipped with --host-only: the quick local run).
# Build output goes to build/test/build.log, printed only on failure.
# Sanitizer builds, the fuzzers and clang builds are in .ci/run.
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
host_only=0
for a in "$@"; do
	case "$a" in
	--host-only) host_only=1 ;;
	*) echo "usage: $0 [--host-only]" >&2; exit 2 ;;
	esac
done

profiles=(build test tools)
if [ $host_only -eq 0 ]; then
	profiles+=(cross)
	if [ -n "$("$top/scripts/deps.sh" --missing cross)" ]; then
		echo "test.sh: the emulated targets need QEMU and two cross toolchains (about 240 MB" \
			"from apt, once); ./test.sh --host-only is the quick local run without them"
	fi
fi
"$top/scripts/deps.sh" "${profiles[@]}"

jobs=$(nproc)
echo "== host tests (gcc, VR_DEBUG=1)"
build="$top/build/test"
mkdir -p "$build"
if ! { cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVREGION_DEBUG=ON \
	-DVREGION_BUILD_TESTS=ON -DVREGION_BUILD_TOOLS=ON -DVREGION_BUILD_EXAMPLES=ON &&
	cmake --build "$build" -j"$jobs"; } >"$build/build.log" 2>&1; then
	cat "$build/build.log" >&2
	echo "test.sh: the host build failed (output above, also in $build/build.log)" >&2
	exit 1
fi
(cd "$build" && ctest --output-on-failure -j"$jobs")

echo "== install and use from a user's program"
"$top/scripts/install-check.sh"

if [ $host_only -eq 0 ]; then
	echo "== emulated targets (Cortex-M3, Xtensa lx106)"
	"$top/scripts/cross-test.sh"
fi
echo "== all test stages passed"
