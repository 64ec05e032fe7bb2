#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# scripts/fuzz.sh [SECONDS] [HARNESS...]
#
# Build the libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined,
# -fno-sanitize-recover=all) in their own build tree and run each harness for
# SECONDS (default 30; CI passes 30 for 60 s in all) on a COPY of its seed
# corpus in a temporary directory: fuzz/corpus/ is never written.
# HARNESS is heap and/or region (default: both).
#
# Exit status: 0 when every harness ran clean; 1 when any harness found a
# crash, leak, timeout or OOM (the input is saved as
# $VREGION_FUZZ_BUILD/artifacts/<harness>/crash-<sha1> etc.); 2 on a build error.
#
# Environment:
#   VREGION_FUZZ_BUILD  build tree (default: <repo>/build/fuzz)
#   VREGION_FUZZ_ARGS   extra libFuzzer flags (e.g. "-seed=1 -max_len=512")
#   VREGION_FUZZ_KEEP=1 keep the temporary working corpus (its path is printed)
#   CC                  the clang to use (default: clang)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-30}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(heap region)
case "$secs" in
''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, got '$secs'" >&2; exit 2 ;;
esac

build=${VREGION_FUZZ_BUILD:-$top/build/fuzz}
cc=${CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
	"$top/scripts/deps.sh" clang
fi

echo "fuzz.sh: configuring $build with $cc"
mkdir -p "$build"
if ! cmake -S "$top" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DVREGION_BUILD_FUZZ=ON -DVREGION_BUILD_TESTS=OFF -DVREGION_BUILD_TOOLS=OFF \
	-DVREGION_BUILD_BENCH=OFF -DVREGION_SANITIZE= >"$build/configure.log" 2>&1; then
	cat "$build/configure.log" >&2
	echo "fuzz.sh: configure failed" >&2
	exit 2
fi
targets=()
for h in "${harnesses[@]}"; do targets+=(--target "fuzz_$h"); done
if ! cmake --build "$build" -j2 "${targets[@]}"; then
	echo "fuzz.sh: build failed" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vregion-fuzz.XXXXXX")
if [ "${VREGION_FUZZ_KEEP:-0}" = 1 ]; then
	echo "fuzz.sh: working corpus kept in $work"
else
	trap 'rm -rf "$work"' EXIT
fi

# Without address randomisation the heap's header key (derived from its
# control block's address) is the same in every run, so every finding replays
# exactly with the command printed below.
norand=()
if setarch -R true 2>/dev/null; then norand=(setarch -R); fi

status=0
for h in "${harnesses[@]}"; do
	bin="$build/fuzz/fuzz_$h"
	seeds="$top/fuzz/corpus/$h"
	corpus="$work/$h"
	art="$build/artifacts/$h"
	log="$build/fuzz_$h.log"
	mkdir -p "$corpus" "$art"
	if [ -d "$seeds" ]; then cp -R "$seeds/." "$corpus/"; fi
	nseeds=$(find "$corpus" -type f | wc -l)
	echo
	echo "=== fuzz_$h: ${secs}s on a copy of fuzz/corpus/$h ($nseeds seeds)"
	rc=0
	# shellcheck disable=SC2086 # VREGION_FUZZ_ARGS is a list of flags
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"${norand[@]}" "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$art/" \
		${VREGION_FUZZ_ARGS:-} "$corpus" >"$log" 2>&1 || rc=$?
	# The seeds' coverage, the last progress line and the final statistics.
	grep -E '^#[0-9]+[[:space:]]+INITED' "$log" | tail -n 1 || true
	grep -E '^#[0-9]+[[:space:]]+(pulse|NEW|REDUCE|DONE)' "$log" | tail -n 1 || true
	grep -E '^(stat::|Done )' "$log" || true
	if [ "$rc" -ne 0 ]; then
		status=1
		echo "fuzz.sh: fuzz_$h FAILED (exit $rc); log: $log" >&2
		# The sanitizer or harness report, without libFuzzer's progress lines.
		grep -vE '^#[0-9]+[[:space:]]' "$log" | tail -n 60 >&2
		ls -l "$art" >&2 || true
		echo "fuzz.sh: reproduce with: VR_FUZZ_TRACE=1 ${norand[*]} $bin <artifact>" \
			"(see docs/fuzzing.md)" >&2
	else
		echo "fuzz_$h: OK"
	fi
done
exit $status
