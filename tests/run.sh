#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the test suites and print one closing line "N passed, N failed".
#   tests/run.sh            unit (normal + sanitizer builds), e2e, ui, qemu, fuzz
#   tests/run.sh unit|e2e|qemu|ui|fuzz   one suite (fuzz: FUZZ_SECONDS, default 60)
# Each unit binary prints "name: N passed, N failed"; each shell test prints
# "ok ..." / "not ok ..." lines (tests/lib.sh).  Sanitizer build of the binary
# is used for e2e when present, so a crash on bad input is caught there.
set -u
cd "$(dirname "$0")/.." || exit 2
suites=${1:-"unit e2e ui qemu fuzz"}
log=$(mktemp -d)/tests.log
pass=0; fail=0

count() {	# count ok/not ok lines of a finished suite log
	p=$(grep -c '^ok' "$1" || true); f=$(grep -c '^not ok' "$1" || true)
	pass=$((pass + p)); fail=$((fail + f))
}

run_unit() {
	for b in build build-asan; do
		for t in "$b"/tests/test-*; do
			[ -x "$t" ] || continue
			out=$("$t" 2>&1); rc=$?
			p=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
			f=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
			pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
			if [ "$rc" -ne 0 ] || [ -z "$p" ]; then
				printf '%s\n' "$out" | tail -n 30
				echo "not ok - $t exited $rc"
				[ -z "$f" ] || [ "$f" -eq 0 ] && fail=$((fail + 1))
			else
				echo "ok - $t ($p checks)"
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
		count "$log"
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
	fuzz) sh tests/fuzz/run.sh "${FUZZ_SECONDS:-60}" >"$log" 2>&1; cat "$log"; count "$log" ;;
	*) echo "run.sh: unknown suite $s" >&2; exit 2 ;;
	esac
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
