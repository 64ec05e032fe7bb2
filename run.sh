#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# ./run.sh [vrsim options] [SCENARIO]
# The main job: builds vrsim (installing what is missing) and plays a scenario on
# the real library (posix port). With no scenario it plays the bundled default
# audio-DSP day and prints the per-region summary and recommended sizes.
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
"$top/scripts/deps.sh" build
build="$top/build/run"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DVREGION_BUILD_TESTS=OFF \
	-DVREGION_BUILD_TOOLS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target vrsim >/dev/null
exec "$build/tools/vrsim/vrsim" "$@"
