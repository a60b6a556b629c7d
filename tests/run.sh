#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the test suites and print one closing line "N passed, N failed, N skipped".
#   tests/run.sh            unit (normal + sanitizer builds), e2e, ui, qemu, fuzz
#   tests/run.sh unit|e2e|qemu|ui|fuzz   one suite (fuzz: FUZZ_SECONDS, default 60)
# Each unit binary prints "name: N passed, N failed[, N skipped]"; each shell
# test prints "ok ..." / "not ok ..." lines, a skipped check as
# "ok N - # SKIP what: why" (tests/lib.sh).  A skip is never a pass: it is
# counted on its own, and under CI=true (where every tool must be present) it
# counts as a failure too.  Sanitizer build of the binary is used for e2e when
# present, so a crash on bad input is caught there.
set -u
cd "$(dirname "$0")/.." || exit 2
suites=${1:-"unit e2e ui qemu fuzz"}
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT
log=$logdir/tests.log
pass=0; fail=0; skipped=0

skips=$logdir/skips

count() {	# count ok/not ok/skip lines of the finished log $1 of script $2
	p=$(grep -c '^ok' "$1" || true); f=$(grep -c '^not ok' "$1" || true)
	s=$(grep -c '^ok [0-9]* *- # SKIP' "$1" || true)
	pass=$((pass + p - s)); fail=$((fail + f)); skipped=$((skipped + s))
	grep '^ok [0-9]* *- # SKIP' "$1" | sed "s|^ok [0-9]* *- # SKIP|$2:|" >>"$skips"
}

run_unit() {
	for b in build build-asan; do
		for t in "$b"/tests/test-*; do
			[ -x "$t" ] || continue
			out=$("$t" 2>&1); rc=$?
			# "name: P passed, F failed" or "name: P passed, F failed, S skipped"
			sum=$(printf '%s\n' "$out" |
				sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed\(, \([0-9]*\) skipped\)\{0,1\}$/\1 \2 \4/p' | tail -n 1)
			# shellcheck disable=SC2086 # three numbers, split on purpose
			set -- $sum
			p=${1:-} f=${2:-} s=${3:-0}
			pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0})); skipped=$((skipped + s))
			printf '%s\n' "$out" | grep '^ok .*# SKIP'
			printf '%s\n' "$out" | sed -n "s|^ok - # SKIP |$t: |p" >>"$skips"
			if [ "$rc" -ne 0 ] || [ -z "$p" ]; then
				printf '%s\n' "$out" | tail -n 30
				echo "not ok - $t exited $rc"
				[ -z "$f" ] || [ "$f" -eq 0 ] && fail=$((fail + 1))
			else
				note=""; [ "$s" -eq 0 ] || note=", $s skipped"
				echo "ok - $t ($p checks$note)"
			fi
		done
	done
}

run_shell_suite() {	# $1: directory of t*.sh scripts
	for t in "$1"/t*.sh; do
		[ -f "$t" ] || continue
		echo "# $t"
		start=$(date +%s)
		sh "$t" >"$log" 2>&1; rc=$?
		cat "$log"
		echo "# $t: $(( $(date +%s) - start )) s"
		count "$log" "$t"
		if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$log"; then
			echo "not ok - $t exited $rc"; fail=$((fail + 1))
		fi
	done
}

for s in $suites; do
	case $s in
	unit) run_unit ;;
	e2e) run_shell_suite tests/e2e ;;
	ui) run_shell_suite tests/ui ;;
	qemu) run_shell_suite tests/qemu ;;
	fuzz) sh tests/fuzz/run.sh "${FUZZ_SECONDS:-60}" >"$log" 2>&1; cat "$log"; count "$log" tests/fuzz ;;
	*) echo "run.sh: unknown suite $s" >&2; exit 2 ;;
	esac
done
# every skip once more at the end, where it cannot be missed
if [ -s "$skips" ]; then
	echo "# skipped:"
	sed 's/^/#   /' "$skips"
fi
if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skipped skipped (CI=true: each skip counts as a failure)"
	fail=$((fail + skipped))
else
	echo "$pass passed, $fail failed, $skipped skipped"
fi
[ "$fail" -eq 0 ]
