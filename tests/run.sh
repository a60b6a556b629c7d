#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the test suites and print one closing line "N passed, N failed, N skipped".
#   tests/run.sh            unit (normal + sanitizer builds), e2e and qemu side by side, ui, fuzz
#   tests/run.sh unit|e2e|qemu|ui|fuzz   one suite (fuzz: FUZZ_SECONDS, default 60)
#   tests/run.sh e2e,qemu   the scripts of both suites in one queue
# Each unit binary prints "name: N passed, N failed[, N skipped]"; each shell
# test prints "ok ..." / "not ok ..." lines, a skipped check as
# "ok N - # SKIP what: why" (tests/lib.sh).  A skip is never a pass: it is
# counted on its own, and under CI=true (where every tool must be present) it
# counts as a failure too.  The e2e scripts run the sanitizer build of the
# binary when present, except where a script says `t_build shipped`
# (tests/lib.sh), so a crash on bad input is caught there.
# The e2e and qemu scripts run TEST_JOBS at a time (default: one per CPU):
# most of them keep one CPU busy (the sanitizer build, QEMU's TCG), and each
# works in its own temporary folder, loop devices and network namespace.
# A script's output is printed whole when it ends.  The ui scripts run one
# at a time: they wait on a screen for seconds, not on an outcome.  The unit
# tests of the two builds run at the same time.
set -u
cd "$(dirname "$0")/.." || exit 2
suites=${1:-"unit qemu,e2e ui fuzz"}
lanes=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT
log=$logdir/tests.log
pass=0; fail=0; skipped=0

skips=$logdir/skips

# log_of T: where the output of script or binary T goes (its path, / as _).
log_of() { echo "$logdir/$(echo "$1" | tr / _)"; }

count() {	# count ok/not ok/skip lines of the finished log $1 of script $2
	p=$(grep -c '^ok' "$1" || true); f=$(grep -c '^not ok' "$1" || true)
	s=$(grep -c '^ok [0-9]* *- # SKIP' "$1" || true)
	pass=$((pass + p - s)); fail=$((fail + f)); skipped=$((skipped + s))
	grep '^ok [0-9]* *- # SKIP' "$1" | sed "s|^ok [0-9]* *- # SKIP|$2:|" >>"$skips"
}

# unit_build B: each test binary of build B, its output and exit status in
# $logdir (the two builds run at once: neither shares a file with the other).
unit_build() {
	for t in "$1"/tests/test-*; do
		[ -x "$t" ] || continue
		o=$(log_of "$t")
		"$t" >"$o" 2>&1; echo $? >"$o.rc"
	done
}

run_unit() {
	pids=""
	for b in build build-asan; do unit_build "$b" & pids="$pids $!"; done
	# shellcheck disable=SC2086 # a word list of process IDs
	wait $pids
	for b in build build-asan; do
		for t in "$b"/tests/test-*; do
			[ -x "$t" ] || continue
			o=$(log_of "$t")
			out=$(cat "$o"); rc=$(cat "$o.rc")
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

# run_script T LOG: one shell script, its output in LOG, its exit status and
# time in LOG.rc and LOG.time.
run_script() {
	start=$(date +%s)
	sh "$1" >"$2" 2>&1; echo $? >"$2.rc"
	echo $(( $(date +%s) - start )) >"$2.time"
}

# lane N SCRIPTS...: take the next script no other lane has claimed (mkdir is
# atomic), run it, print its output whole; until none is left.
lane() {
	l_n=$1; shift
	for t in "$@"; do
		o=$(log_of "$t")
		mkdir "$o.claim" 2>/dev/null || continue
		run_script "$t" "$o"
		# shellcheck disable=SC2016 # the sh -c script takes its arguments as $1...
		flock "$logdir/print.lock" sh -c 'echo "# $1"; cat "$2"; echo "# $1: $(cat "$2.time") s (lane $3)"' - \
			"$t" "$o" "$l_n"
	done
}

run_shell_suite() {	# $1: how many at a time; $2: suites joined by commas (tests/SUITE/t*.sh)
	n_lanes=$1
	scripts=""
	for d in $(echo "$2" | tr , ' '); do
		for t in tests/"$d"/t*.sh; do [ -f "$t" ] && scripts="$scripts $t"; done
	done
	[ -n "$scripts" ] || return 0
	# The test disk images first, one builder at a time: a lane's script
	# would otherwise build one while another script looks for leftovers.
	# (Only root builds them: without root the scripts that need them skip.)
	if [ "$n_lanes" -gt 1 ] && [ "$(id -u)" -eq 0 ] && ! make -s testdisk >"$log" 2>&1; then
		cat "$log"; echo "not ok - make testdisk"; fail=$((fail + 1))
	fi
	i=1 pids=""
	while [ "$i" -le "$n_lanes" ]; do
		# shellcheck disable=SC2086 # a word list of script paths
		lane "$i" $scripts &
		pids="$pids $!" i=$((i + 1))
	done
	# shellcheck disable=SC2086 # a word list of process IDs
	wait $pids
	for t in $scripts; do	# counted in order, once every lane has ended
		o=$(log_of "$t")
		count "$o" "$t"
		rc=$(cat "$o.rc" 2>/dev/null || echo 255)
		if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$o"; then
			echo "not ok - $t exited $rc"; fail=$((fail + 1))
		fi
	done
}

for s in $suites; do
	case $s in
	unit) run_unit ;;
	e2e|qemu|e2e,qemu|qemu,e2e) run_shell_suite "$lanes" "$s" ;;
	ui) run_shell_suite 1 ui ;;
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
