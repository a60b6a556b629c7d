#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-floor.sh - the last step of `make bench-volume` (BENCH_QEMU=1; long:
# a whole unattended run under TCG per try): the smallest guest memory
# (QEMU -m, MiB) with which the unattended run on the Windows-sized volume
# still succeeds, by bisection.  A try succeeds when the run powers off with
# VERDICT RED and its report (the copy on the stick, read with mtools) says
# every detection quarantined, at least as many as the image's planted
# samples (its .manifest).  Each try prints its -m, the outcome, why it
# failed (out of memory, no verdict, ...) and the boot-to-power-off time;
# its serial log and its report stay in build/bench-volume/ as
# qemu-floor-VARIANT-RULES-MEM.log and .json.
# Figures only: the targets (256 MiB with the built-in rules, 384 with
# signature-base) are printed, never turned into pass/fail.
#   BENCH_VARIANT     large (default) or large-small
#   BENCH_QEMU_RULES  builtin (default) or signature-base: the rule set copied
#                     into the stick's rules/ (from $RULESETS, tests/lib.sh)
#   BENCH_QEMU_MEM    the first -m tried (default 256); then halved or raised
#                     by half until one try succeeds and one fails, then bisected
#   BENCH_QEMU_TRIES  at most this many runs (default 1: the first -m only)
#   BENCH_QEMU_PASSED, BENCH_QEMU_FAILED  an -m known to succeed / to fail (from
#                     an earlier run), to go on bisecting from BENCH_QEMU_MEM
#   BENCH_QEMU_STEP   the bisection's resolution in MiB (default 16)
#   BENCH_QEMU_TIMEOUT  seconds one run may take (default 14400)
# The disk is attached with snapshot=on: the image itself is never written.
# Needs root (the image is built with loop devices and FUSE) and make iso.
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/../qemu/lib.sh"
# shellcheck source=tests/qemu/autolib.sh
. "$TOP/tests/qemu/autolib.sh"
unset MALLOC_PERTURB_
set -u
# Interrupted: the QEMU of the try ends too, and $T goes.
trap 'exit 130' INT TERM
# shellcheck disable=SC2016 # expanded at the exit
t_on_exit '[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null'
variant=${BENCH_VARIANT:-large}
rules=${BENCH_QEMU_RULES:-builtin}
mem=${BENCH_QEMU_MEM:-256}
tries=${BENCH_QEMU_TRIES:-1}
step=${BENCH_QEMU_STEP:-16}
tmo=${BENCH_QEMU_TIMEOUT:-14400}
img=$TOP/build/images/$variant.img
[ -f "$ISO" ] || { echo "qemu-floor: $ISO missing (make iso)" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-floor: qemu-system-x86_64 missing" >&2; exit 1; }
[ -f "$img" ] && [ -f "$img.manifest" ] || { echo "qemu-floor: $img missing (make bench-volume builds it)" >&2; exit 1; }
case $rules in
builtin) target=256 ;;
signature-base)
	target=384 sb=$RULESETS/signature-base/yara
	[ -d "$sb" ] || { echo "qemu-floor: signature-base skipped ($sb absent)"; exit 0; } ;;
*) echo "qemu-floor: BENCH_QEMU_RULES=$rules? (builtin or signature-base)" >&2; exit 2 ;;
esac
planted=$(grep -c . "$img.manifest")
oom='Out of memory|oom-kill|Kernel panic|not syncing'

# The stick: a serial console, power off at the end; signature-base in its
# rules/ when asked (mtools: no mount).
auto_stick "$T/stick.img"
if [ "$rules" = signature-base ]; then
	off=$(rescue_part_offset "$T/stick.img")
	mcopy -s -i "$T/stick.img@@$off" "$sb" ::/rules/signature-base ||
		{ echo "qemu-floor: signature-base does not fit on the stick's RESCUE partition" >&2; exit 1; }
fi
cp "$T/stick.img" "$T/stick.clean"

# try MEM: one unattended run at -m MEM on a fresh stick; prints one line,
# succeeds as the header says.
try() {
	cp "$T/stick.clean" "$T/stick.img"
	# As auto_boot (tests/qemu/autolib.sh), but a guest out of memory ends
	# the try at once: a panicked kernel never powers off.
	start=$(date +%s) auto_secs=""
	QEMU_MEM=$1 QEMU_TIMEOUT=$tmo qemu_start "floor-$1" bios "usb:$T/stick.img" "sata:$img"
	rc=1
	if qemu_menu u && qemu_wait "rescue: VERDICT (GREEN|RED|YELLOW)|$oom" "$tmo" && ! auto_log_has "$oom"; then
		qemu_end 120 && rc=0 && auto_secs=$(($(date +%s) - start))
	else
		qemu_end 1
	fi
	# The serial log stays, for the progress lines and step times.
	mkdir -p "$TOP/build/bench-volume"
	cp "$QEMU_LOG" "$TOP/build/bench-volume/qemu-floor-$variant-$rules-$1.log"
	why=""
	if auto_log_has "$oom"; then
		why="out of memory: $(auto_log | grep -aE -m 1 "$oom" | cut -c1-120)"
	elif [ "$rc" -ne 0 ]; then
		why="no verdict and power-off within $tmo s (last line: $(auto_log | grep -av '^[[:space:]]*$' | tail -n 1 | cut -c1-100))"
	fi
	v=$(auto_verdict)
	rep=$(stick_ls "$T/stick.img" reports | grep -o '[^/ ]*\.json$' | head -n 1)
	rverdict=- ndet=0 nquar=0
	if [ -n "$rep" ]; then
		stick_cat "$T/stick.img" "reports/$rep" >"$T/report.json"
		cp "$T/report.json" "$TOP/build/bench-volume/qemu-floor-$variant-$rules-$1.json"
		read -r rverdict ndet nquar <<-EOF
		$(jq -r '"\(.verdict) \(.detections) \(.quarantined)"' "$T/report.json" 2>/dev/null)
		EOF
	fi
	rverdict=${rverdict:--} ndet=${ndet:-0} nquar=${nquar:-0}
	if [ -z "$why" ]; then
		if [ "$rverdict" != RED ] || [ "$ndet" -ne "$nquar" ] || [ "$nquar" -lt "$planted" ]; then
			why="report: verdict $rverdict, $ndet detections, $nquar quarantined, $planted planted (serial: ${v:-no verdict})"
		fi
	fi
	if [ -z "$why" ]; then
		echo "qemu-floor: -m $1: RED, $nquar of $ndet detections quarantined ($planted planted), boot to power-off ${auto_secs:-?} s"
		return 0
	fi
	echo "qemu-floor: -m $1: failed: $why"
	auto_log | grep -av '^[[:space:]]*$' | tail -n 8 | sed 's/^/#   /'
	return 1
}

echo "qemu-floor: $variant.img ($planted planted samples), rules: $rules, TCG, 1 vCPU, up to $tries run(s) from -m $mem"
lo=${BENCH_QEMU_FAILED:-} hi=${BENCH_QEMU_PASSED:-} n=0
while [ "$n" -lt "$tries" ]; do
	n=$((n + 1))
	if try "$mem"; then hi=$mem; else lo=$mem; fi
	if [ -z "$lo" ]; then mem=$((hi / 2))
	elif [ -z "$hi" ]; then mem=$((lo + lo / 2))
	else mem=$(( (lo + hi) / 2 ))
	fi
	mem=$((mem / step * step))
	[ -n "$lo" ] && [ -n "$hi" ] && [ $((hi - lo)) -le "$step" ] && break
done
echo "qemu-floor: smallest -m that succeeded: ${hi:-none} MiB, largest that failed: ${lo:-none tried} ($n run(s); target $target)"
