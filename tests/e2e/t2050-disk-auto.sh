#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue --disk IMAGE auto: the unattended run mounts the installation
# itself, writes when the volume allows it (checked with ntfscat, ntfsls,
# hivexget), stays read-only on a hibernated one, and leaves nothing mounted.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
. "$(dirname "$0")/../lib.sh"
t_build shipped	# the real hives and images and the planted samples alone (tests/lib.sh)

if [ "$(id -u)" -ne 0 ]; then skip "auto --disk" "needs root (loop devices, FUSE)"; t_done; exit; fi
export RESCUE_RUNDIR="$T/run"
for v in win10-gpt hibernated dirty; do
	t_image "$v" "$T/$v.img" || not_ok "build $v"
done

"$RESCUE" --disk "$T/win10-gpt.img" auto >"$T/out" 2>&1
expect "auto --disk: contained" grep -q "contain .*contained: autorun tasks restore shares hosts" "$T/out"
t_attach "$T/win10-gpt.img" 3
expect "auto --disk: Schedule Start = 4 on the image" sh -c '
	ntfscat "$1" Windows/System32/config/SYSTEM >"$2/SYSTEM" &&
	[ "$(hivexget "$2/SYSTEM" "\\ControlSet001\\Services\\Schedule" Start)" = 4 ]' - "$t_loop" "$T"
expect "auto --disk: its report is on the image" sh -c 'ntfsls "$1" -p /Rescue/reports | grep -q "\.json$"' - "$t_loop"
t_detach

"$RESCUE" --disk "$T/hibernated.img" auto >"$T/out" 2>&1
expect "auto --disk hibernated: says so" grep -q "hibernated" "$T/out"
t_attach "$T/hibernated.img" 3
expect "auto --disk hibernated: nothing written, hiberfil.sys kept" sh -c '
	! ntfsls "$1" | grep -qx Rescue && ntfscat "$1" hiberfil.sys | head -c 4 | grep -qx HIBR' - "$t_loop"
t_detach

# A volume Windows did not shut down cleanly: left alone and YELLOW, with the
# way to write anyway named for both the command line and rescue.conf; with
# force = yes (rescue.force=yes at the boot menu) the run writes it.
cp --sparse=always "$T/dirty.img" "$T/dirty-before.img"
"$RESCUE" --disk "$T/dirty.img" auto >"$T/out" 2>&1; rc=$?
expect "auto --disk dirty: YELLOW (exit 4), nothing written (cmp)" sh -c \
	'[ "$1" -eq 4 ] && grep -q "^rescue: VERDICT YELLOW" "$2" && cmp -s "$3" "$4"' - "$rc" "$T/out" "$T/dirty.img" "$T/dirty-before.img"
expect "auto --disk dirty: the advice names force = yes" grep -q "give --force (unattended: force = yes)" "$T/out"
printf 'force = yes\n' >"$T/force.conf"
"$RESCUE" --disk "$T/dirty.img" auto --config "$T/force.conf" >"$T/out" 2>&1
expect "auto --disk dirty, force = yes: contained" grep -q "contain .*contained: autorun tasks restore shares hosts" "$T/out"
t_attach "$T/dirty.img" 3
expect "auto --disk dirty, force = yes: Schedule Start = 4 on the image (hivexget)" sh -c '
	ntfscat -f "$1" Windows/System32/config/SYSTEM >"$2/SYSTEM" &&
	[ "$(hivexget "$2/SYSTEM" "\\ControlSet001\\Services\\Schedule" Start)" = 4 ]' - "$t_loop" "$T"
t_detach

expect "nothing left mounted" sh -c '! grep -F "$1" /proc/mounts' - "$T"
expect "no loop device left" sh -c '! losetup -a | grep -F "$1"' - "$T"
t_done
