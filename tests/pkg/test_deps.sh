#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_deps.sh REPO: scripts/deps.sh's quiet path, with fake apt-get,
# dpkg-query, id and sudo first on PATH (nothing is installed for real):
#   1. nothing missing: no output, apt-get not run;
#   2. one package missing: exactly one line (what and why) and apt's noise
#      only in the log; apt-get update + install --no-install-recommends of
#      exactly the missing package;
#   3. apt-get failing: exit status 1 and apt's output printed;
#   4. not root: apt-get runs through sudo;
#   5. the profiles ./run.sh and ./test.sh ask for: run.sh's do not
#      include libcmocka-dev, test.sh's do.
set -euo pipefail
repo=${1:?usage: test_deps.sh REPO}
deps=$repo/scripts/deps.sh
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mkdir "$w/bin"
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

cat >"$w/bin/dpkg-query" <<'F'
#!/bin/sh
# installed iff the last argument is listed in $FAKE_INSTALLED
for p; do :; done
case " $FAKE_INSTALLED " in *" $p "*) printf 'install ok installed' ;; *) exit 1 ;; esac
F
cat >"$w/bin/apt-get" <<'F'
#!/bin/sh
echo "apt-get $*" >>"$FAKE_CALLS"
i=0; while [ $i -lt 300 ]; do echo "Unpacking noise-$i ..."; i=$((i + 1)); done
echo "dpkg: warning: noise on stderr" >&2
case "$1" in install) exit "${FAKE_APT_RC:-0}" ;; esac
exit 0
F
cat >"$w/bin/id" <<'F'
#!/bin/sh
echo "${FAKE_UID:-0}"
F
cat >"$w/bin/sudo" <<'F'
#!/bin/sh
echo "sudo" >>"$FAKE_CALLS"
exec "$@"
F
chmod +x "$w/bin/"*
export PATH="$w/bin:$PATH" FAKE_CALLS="$w/calls" VR_DEPS_LOG="$w/deps.log"
all=$("$deps" --list build test tools | tr '\n' ' ')

run() { # run PROFILES... -> $w/out (stdout+stderr), $rc
	: >"$FAKE_CALLS"
	set +e
	"$deps" "$@" >"$w/out" 2>&1
	rc=$?
	set -e
}

# 1. nothing missing
FAKE_INSTALLED="$all" run build test tools
[ $rc -eq 0 ] || bad "1: exit $rc"
[ ! -s "$w/out" ] || bad "1: printed: $(head -3 "$w/out")"
[ ! -s "$FAKE_CALLS" ] || bad "1: apt-get ran"

# 2. cmake missing
FAKE_INSTALLED="${all/cmake /}" run build test
[ $rc -eq 0 ] || bad "2: exit $rc"
[ "$(wc -l <"$w/out")" -eq 1 ] || bad "2: $(wc -l <"$w/out") lines of output, want 1"
grep -q '^deps.sh: installing cmake (build: ' "$w/out" || bad "2: line is: $(cat "$w/out")"
grep -q 'noise' "$w/out" && bad "2: apt's output was printed"
grep -q 'Unpacking noise-299' "$w/deps.log" || bad "2: apt's output not in the log"
grep -qx 'apt-get update -q' "$FAKE_CALLS" || bad "2: no apt-get update"
grep -qx 'apt-get install -y -q --no-install-recommends cmake' "$FAKE_CALLS" ||
	bad "2: install call: $(grep install "$FAKE_CALLS" || true)"
grep -q sudo "$FAKE_CALLS" && bad "2: sudo used as root"

# 3. apt-get install fails
FAKE_APT_RC=100 FAKE_INSTALLED="${all/python3/}" run tools
[ $rc -eq 1 ] || bad "3: exit $rc, want 1"
grep -q 'Unpacking noise-299' "$w/out" || bad "3: apt's output not printed on failure"
grep -q 'apt-get failed' "$w/out" || bad "3: no failure line"

# 4. not root: through sudo
FAKE_UID=1000 FAKE_INSTALLED="${all/pkg-config/}" run test
[ $rc -eq 0 ] || bad "4: exit $rc"
grep -qx sudo "$FAKE_CALLS" || bad "4: sudo not used"

# 5. what the quick-start commands ask for
profiles_of() { sed -n 's/.*deps\.sh"* \([a-z ]*\).*/\1/p; s/^profiles=(\([a-z ]*\))$/\1/p' "$1" | head -1; }
rp=$(profiles_of "$repo/run.sh")
[ -n "$rp" ] || bad "5: no deps.sh call found in run.sh"
# shellcheck disable=SC2086
rl=$("$deps" --list $rp)	# captured: `| grep -q` would SIGPIPE it under pipefail
echo "$rl" | grep -x libcmocka-dev >/dev/null && bad "5: run.sh ($rp) installs libcmocka-dev"
tp=$(profiles_of "$repo/test.sh")
# shellcheck disable=SC2086
tl=$("$deps" --list $tp)
echo "$tl" | grep -x libcmocka-dev >/dev/null || bad "5: test.sh ($tp) does not install libcmocka-dev"

[ $fails -eq 0 ] && echo "test_deps: 5 cases passed"
exit $((fails > 0))
