#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# check-generated.sh [--quick] [--update]
# Fails (exit 1) when a generated file or a generated block of a document is
# stale against what its generator would write now:
#   1. include/vregion/version.h against cmake/version.h.in and the version
#      in CMakeLists.txt (CMake writes it at configure time);
#   2. each verbatim copy of a file in README.md (a line
#      "<!-- verbatim: PATH -->" followed by a fenced block) against PATH;
#   3. the code-size block of docs/performance.md against what
#      `scripts/size-report.sh --update-doc` writes now (code sizes are
#      exact: every byte must match; the "Generated ... from commit" line is
#      not compared). About 20 s, needs the cross toolchains (deps.sh cross);
#      --quick skips it (CTest runs --quick; CI runs it all);
#   4. the benchmark block of docs/performance.md: its markers, the commit
#      it was measured on, the one table form and each status (speed figures
#      are not reproducible to the digit, so they are checked for form; the
#      benchmark stage of CI compares its labels with a fresh run:
#      scripts/bench.sh --quick --check-doc).
# --update rewrites what it can instead of failing: the README copies, and
# (without --quick) the code-size block.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
quick=0 update=0
for a in "$@"; do
	case $a in
	--quick) quick=1 ;;
	--update) update=1 ;;
	*) echo "usage: $0 [--quick] [--update]" >&2; exit 2 ;;
	esac
done
fail=0
stale() { echo "check-generated: STALE: $*"; fail=1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

# ---- 1. version.h ----
ver=$(sed -n 's/^project(vregion VERSION \([0-9]*\)\.\([0-9]*\)\.\([0-9]*\).*/\1 \2 \3/p' "$top/CMakeLists.txt")
read -r maj min pat <<<"$ver"
if [ -z "$ver" ]; then
	stale "no project(vregion VERSION X.Y.Z ...) line in CMakeLists.txt"
else
	sed -e "s/@PROJECT_VERSION_MAJOR@/$maj/g" -e "s/@PROJECT_VERSION_MINOR@/$min/g" \
		-e "s/@PROJECT_VERSION_PATCH@/$pat/g" "$top/cmake/version.h.in" >"$w/version.h"
	cmp -s "$w/version.h" "$top/include/vregion/version.h" ||
		stale "include/vregion/version.h is not cmake/version.h.in for $maj.$min.$pat (configure with CMake and commit it)"
fi

# ---- 2. README copies ----
# prints the fenced block that follows the marker of $1
readme_copy() {
	awk -v m="<!-- verbatim: $1 -->" '
		index($0, m) == 1 { found = 1; next }
		found == 1 && /^```/ { found = 2; next }
		found == 2 && /^```/ { exit }
		found == 2 { print }' "$top/README.md"
}
copies=$(sed -n 's/^<!-- verbatim: \([^ ]*\) -->.*/\1/p' "$top/README.md")
[ -n "$copies" ] || stale "README.md has no <!-- verbatim: PATH --> copy (the complete example)"
for f in $copies; do
	if [ ! -f "$top/$f" ]; then stale "README.md copies $f, which does not exist"; continue; fi
	readme_copy "$f" >"$w/copy"
	cmp -s "$w/copy" "$top/$f" && continue
	if [ $update -eq 1 ]; then
		awk -v m="<!-- verbatim: $f -->" -v src="$top/$f" '
			index($0, m) == 1 { print; found = 1; next }
			found == 1 && /^```/ { print; while ((getline l < src) > 0) print l; found = 2; next }
			found == 2 && /^```/ { print; found = 0; next }
			found == 2 { next }
			{ print }' "$top/README.md" >"$w/README.md" && cp "$w/README.md" "$top/README.md"
		echo "check-generated: README.md: copy of $f updated"
	else
		stale "README.md's copy of $f differs from the file (--update rewrites it):"
		diff "$w/copy" "$top/$f" | head -10
	fi
done

# ---- 3. code-size block ----
if [ $quick -eq 0 ]; then
	if [ $update -eq 1 ]; then
		"$top/scripts/size-report.sh" --update-doc >/dev/null || stale "scripts/size-report.sh --update-doc failed"
	else
		"$top/scripts/size-report.sh" --check-doc >"$w/size.out" 2>&1 || {
			grep -A22 -E '^size-report: (STALE|FAILED)|FAILED' "$w/size.out" | head -30
			stale "docs/performance.md's code-size block (scripts/size-report.sh --update-doc rewrites it)"
		}
	fi
fi

# ---- 4. benchmark block: form ----
# (empty until a full run with benchmarks that print the one form: then
# `scripts/bench.sh --quick --check-doc` in CI fails on the empty block)
doc=$top/docs/performance.md
bench_note=""
if grep -q '<!-- bench-report:begin' "$doc"; then
	awk '/<!-- bench-report:begin/ { on = 1; next } /<!-- bench-report:end/ { on = 0 } on' "$doc" >"$w/bench"
	if [ ! -s "$w/bench" ]; then
		bench_note=" (the bench block is empty: no full bench run with rows yet)"
	else
		grep -qE '^Measured .* on commit [0-9a-f]{7,}' "$w/bench" || stale "bench block: no \"Measured ... on commit X\" line"
		grep -qxF '| figure | measured | peer (same run) | ratio | target | status |' "$w/bench" ||
			stale "bench block: not the one table form"
		bad=$(grep '^| ' "$w/bench" | grep -vE '^\| (figure|---)' | grep -vE '\| (met|missed|info) \|$' || true)
		[ -z "$bad" ] || stale "bench block: rows without a met/missed/info status: $(echo "$bad" | head -3)"
	fi
else
	stale "docs/performance.md has no bench-report block (scripts/bench.sh --update-doc writes it)"
fi

[ $fail -eq 0 ] && echo "check-generated: version.h, README copies$([ $quick -eq 0 ] && echo ", code-size blocks") and the bench block's form are current$bench_note"
exit $fail
