#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ./test.sh [--host-only]
# The whole test suite, installing what is missing:
#   1. host build (gcc, internal assertions on) and every CTest suite
#      (unit, property, fault-injection, forked-fault, thread and vrsim tests);
#   2. install into a scratch prefix and build a user program against it with
#      pkg-config and with CMake find_package, then run it;
#   3. the portable suites cross-compiled for Cortex-M3 and Xtensa lx106 and run
#      under QEMU (skipped with --host-only).
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

profiles=(build tools)
[ $host_only -eq 1 ] || profiles+=(cross)
"$top/scripts/deps.sh" "${profiles[@]}"

jobs=$(nproc)
echo "== host tests (gcc, VR_DEBUG=1)"
build="$top/build/test"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVREGION_DEBUG=ON \
	-DVREGION_BUILD_TESTS=ON -DVREGION_BUILD_TOOLS=ON >/dev/null
cmake --build "$build" -j"$jobs"
(cd "$build" && ctest --output-on-failure -j"$jobs")

echo "== install and use from a user's program"
"$top/scripts/install-check.sh"

if [ $host_only -eq 0 ]; then
	echo "== emulated targets (Cortex-M3, Xtensa lx106)"
	"$top/scripts/cross-test.sh"
fi
echo "== all test stages passed"
