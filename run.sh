#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ./run.sh [vrsim options] [SCENARIO]
# The main job: builds vrsim (installing only what that needs: compiler, make,
# CMake) and plays a scenario on the real library (posix port). With no
# scenario it plays the bundled default audio-DSP day and prints the
# per-region summary and recommended sizes. Build output goes to
# build/run/build.log, printed only if the build fails.
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
"$top/scripts/deps.sh" build
build="$top/build/run"
mkdir -p "$build"
if ! { cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DVREGION_BUILD_TESTS=OFF \
	-DVREGION_BUILD_EXAMPLES=OFF -DVREGION_BUILD_TOOLS=ON &&
	cmake --build "$build" -j"$(nproc)" --target vrsim; } >"$build/build.log" 2>&1; then
	cat "$build/build.log" >&2
	echo "run.sh: building vrsim failed (output above, also in $build/build.log)" >&2
	exit 1
fi
exec "$build/tools/vrsim/vrsim" "$@"
