# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# tests/qemu/autolib.sh - for the unattended QEMU tests (t02xx) and
# `make demo`, sourced after tests/qemu/lib.sh: build the test disk images
# once, read what a run left on an image and on the stick, from the host,
# with tools we did not write (ntfscat, ntfsls, hivexget, chntpw, mtools).
#
#   auto_images VARIANT...        $T/VARIANT.img: private copies of the shared test
#                                 images (t_image, tests/lib.sh)
#   auto_stick OUT.img [KEY=VALUE...]
#                                 the ISO as a USB stick whose rescue.conf has
#                                 console = ttyS0, after = poweroff and the KEY=VALUEs
#   auto_boot NAME FIRMWARE ENTRY STICK DISK...
#                                 boot, pick ENTRY (u: unattended, r: report-only),
#                                 wait for the verdict and the power-off; sets $auto_secs
#   auto_run DESC NAME STICK DISK...
#                                 auto_boot under BIOS, unattended: ok when the run ends and
#                                 powers off (else the log's tail), its time; the verdict in $v
#   stick_ls STICK DIR / stick_cat STICK FILE   the RESCUE partition, through mtools
#   auto_log / auto_log_has ERE / auto_verdict  the serial log: its lines / a line / the verdict line

IMAGES=$T

auto_images() {
	for v in "$@"; do
		t_image "$v" "$IMAGES/$v.img" || return 1
	done
}

auto_stick() {
	out=$1; shift
	{
		printf '# rescue.conf of a test stick (CRLF, as Notepad writes it)\r\n'
		printf 'console = ttyS0\r\nafter = poweroff\r\n'
		for kv in "$@"; do printf '%s = %s\r\n' "${kv%%=*}" "${kv#*=}"; done
	} >"$T/stick.conf"
	qemu_stick "$out" "$T/stick.conf"
}

auto_boot() {
	name=$1 fw=$2 entry=$3 stick=$4; shift 4
	start=$(date +%s)
	qemu_start "$name" "$fw" "usb:$stick" "$@"
	qemu_menu "$entry" || return 1
	qemu_wait 'rescue: VERDICT (GREEN|RED|YELLOW)' "${AUTO_TIMEOUT:-420}" || return 1
	qemu_end 120 || return 1
	# shellcheck disable=SC2034 # read by the tests
	auto_secs=$(($(date +%s) - start))
}

auto_run() {
	a_desc=$1 a_name=$2 a_stick=$3 auto_secs=""; shift 3
	if auto_boot "$a_name" bios u "$a_stick" "$@"; then ok "$a_desc: the run ends and powers off"
	else not_ok "$a_desc: the run ends and powers off"; qemu_show; fi
	echo "# $a_desc, boot to power-off: ${auto_secs:-?} s"
	v=$(auto_verdict)
}

# auto_log: the serial log as lines, the way a person sees it.  A CR starts a
# new line rather than vanishing: the scan's progress line is rewritten in
# place (CR, text, CR ESC[K), so the step line printed after it would
# otherwise stick to the progress text.  Colours and ESC[K are removed.
auto_log() { tr '\r' '\n' <"$QEMU_LOG" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'; }

# auto_log_has ERE: the serial log has a matching line.
auto_log_has() { auto_log | grep -aEq -- "$1"; }

# The verdict line of the serial log.
auto_verdict() { auto_log | grep -a '^rescue: VERDICT' | tail -n 1; }

stick_ls() { mdir -b -i "$1@@$(rescue_part_offset "$1")" "::/$2" 2>/dev/null; }
stick_cat() { mtype -i "$1@@$(rescue_part_offset "$1")" "::/$2" 2>/dev/null; }
