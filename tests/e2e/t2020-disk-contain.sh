#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue --disk IMAGE contain: what it changed on the image, read back with
# ntfs-3g's tools (ntfscat, ntfsls) and hivexget; writing refused with the
# reason on hibernated, BitLocker and read-only targets; --install.  Dry runs
# and `quarantine list` open it read-only: the image stays byte-identical, and
# they work on a hibernated one.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
. "$(dirname "$0")/../lib.sh"
t_build shipped	# the real hives and images and the planted samples alone (tests/lib.sh)

if [ "$(id -u)" -ne 0 ]; then skip "--disk" "needs root (loop devices, FUSE)"; t_done; exit; fi
export RESCUE_RUNDIR="$T/run"

for v in win10-gpt dual-mbr hibernated dirty bitlocker; do
	t_image "$v" "$T/$v.img" || not_ok "build $v"
done


i=$T/win10-gpt.img
# Runs that write nothing open the image read-only: a read-write ntfs-3g
# mount changes it by itself (sha256sum).
sha256sum "$i" >"$T/img.sum"
for run in "contain --dry-run" "recover --dry-run" "autoruns --disable-flagged --dry-run" "quarantine list"; do
	# shellcheck disable=SC2086 # the command and its options, split on purpose
	"$RESCUE" --disk "$i" $run >/dev/null 2>&1; rc=$?
	expect "$run --disk: exit $rc, the image byte-identical" sh -c '[ "$1" -eq 0 ] && sha256sum -c "$2"' - "$rc" "$T/img.sum"
done
expect_exit 0 "contain --disk win10-gpt" "$RESCUE" --disk "$i" --yes contain
# One status run (each --disk run mounts the image): its stderr and stdout.
"$RESCUE" --disk "$i" status >"$T/status.out" 2>"$T/status.err"
expect "the command said which installation it worked on" grep -q \
	"status: installation 1 of 1: win10-gpt.img p3, Windows 10 Pro 22H2 (build 19045), computer DESKTOP-M3OSHQU" "$T/status.err"
expect_exit 0 "status --disk: everything contained" sh -c 'grep -q "OPEN" "$1" && exit 1 || exit 0' - "$T/status.out"
t_attach "$i" 3
expect "ntfscat: hosts blocks the C2 names" sh -c 'ntfscat "$1" Windows/System32/drivers/etc/hosts | grep -q "^0.0.0.0 "' - "$t_loop"
ntfscat "$t_loop" Windows/System32/config/SYSTEM >"$T/SYSTEM"
ntfscat "$t_loop" Windows/System32/config/SOFTWARE >"$T/SOFTWARE"
expect "hivexget: Schedule Start = 4 in the SYSTEM on the image" sh -c '[ "$(hivexget "$1" "\\ControlSet001\\Services\\Schedule" Start)" = 4 ]' - "$T/SYSTEM"
expect "hivexget: AutoShareWks = 0" sh -c '[ "$(hivexget "$1" "\\ControlSet001\\Services\\LanmanServer\\Parameters" AutoShareWks)" = 0 ]' - "$T/SYSTEM"
expect "hivexget: NoAutorun = 1 in the SOFTWARE on the image" sh -c '[ "$(hivexget "$1" "\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer" NoAutorun)" = 1 ]' - "$T/SOFTWARE"
expect "ntfsls: Rescue/ holds the journal and the backup" sh -c 'ntfsls "$1" -p /Rescue | grep -qx journal.jsonl && ntfsls "$1" -p /Rescue | grep -qx backup' - "$t_loop"
t_detach
expect_exit 0 "undo --disk puts it back" "$RESCUE" --disk "$i" --yes undo
t_attach "$i" 3
ntfscat "$t_loop" Windows/System32/config/SYSTEM >"$T/SYSTEM"
expect "hivexget: Schedule Start = 2 again" sh -c '[ "$(hivexget "$1" "\\ControlSet001\\Services\\Schedule" Start)" = 2 ]' - "$T/SYSTEM"
t_detach

# Two installations: the command needs --install, and acts on that one only.
i=$T/dual-mbr.img
expect_exit 2 "dual: contain without --install is a usage error" "$RESCUE" --disk "$i" --yes contain
expect "dual: ... that says to choose with --install" sh -c '"$1" --disk "$2" status 2>&1 | grep -q "2 Windows installations.*--install N"' - "$RESCUE" "$i"
expect_exit 0 "dual: contain --install 2" "$RESCUE" --disk "$i" --install 2 --yes contain
expect_exit 2 "dual: --install 3 does not exist" "$RESCUE" --disk "$i" --install 3 status
t_attach "$i" 2
expect "dual: Windows 10 (p2) changed" sh -c 'ntfscat "$1" Windows/System32/config/SYSTEM >"$2/S2" && [ "$(hivexget "$2/S2" "\\ControlSet001\\Services\\Schedule" Start)" = 4 ]' - "$t_loop" "$T"
t_detach
t_attach "$i" 1
expect "dual: Windows 7 (p1) untouched" sh -c '! ntfsls "$1" | grep -qx Rescue' - "$t_loop"
t_detach

# Hibernated: read-only commands work, writing ones refuse unless told.
i=$T/hibernated.img
expect_exit 0 "hibernated: status works (read-only)" "$RESCUE" --disk "$i" status
expect_exit 3 "hibernated: contain refused" "$RESCUE" --disk "$i" --yes contain
cp "$T/.out" "$T/refused.out"
expect "hibernated: contain --dry-run says what it would set (read-only)" sh -c \
	'"$1" --disk "$2" contain --dry-run | grep -q "would set"' - "$RESCUE" "$i"
expect_exit 0 "hibernated: quarantine list works (read-only)" "$RESCUE" --disk "$i" quarantine list
expect "hibernated: ... with the explanation" grep -q "Windows is hibernated.*--remove-hiberfile" "$T/refused.out"
t_attach "$i" 3
expect "hibernated: hiberfil.sys kept, nothing written" sh -c 'ntfscat "$1" hiberfil.sys | head -c 4 | grep -qx HIBR && ! ntfsls "$1" | grep -qx Rescue' - "$t_loop"
t_detach
expect_exit 0 "hibernated: contain --remove-hiberfile" "$RESCUE" --disk "$i" --yes --remove-hiberfile contain
t_attach "$i" 3
expect "hibernated: hiberfil.sys removed only now, and contained" sh -c '! ntfsls "$1" | grep -qix hiberfil.sys && ntfsls "$1" | grep -qx Rescue' - "$t_loop"
t_detach

# Dirty: writing needs --force.
i=$T/dirty.img
expect_exit 3 "dirty: contain refused" "$RESCUE" --disk "$i" --yes contain
cp "$T/.out" "$T/refused.out"
expect "dirty: ... saying chkdsk or --force" grep -q "not shut down cleanly.*--force" "$T/refused.out"
expect_exit 0 "dirty: contain --force" "$RESCUE" --disk "$i" --yes --force contain
t_attach "$i" 3
expect "dirty: contained after --force" sh -c 'ntfsls -f "$1" | grep -qx Rescue' - "$t_loop"
t_detach

# BitLocker: never written, exit 3, why it cannot be opened said (this image has no metadata).
t_build sanitized	# metadata rescue cannot read: bad input
expect_exit 3 "bitlocker: contain exits 3" "$RESCUE" --disk "$T/bitlocker.img" --yes contain
expect "bitlocker: says why it cannot be opened" sh -c '"$1" --disk "$2" status 2>&1 | grep -q "BitLocker: damaged BitLocker"' - "$RESCUE" "$T/bitlocker.img"
expect "bitlocker: the image is unchanged" sh -c 'dd if="$1" bs=512 skip=67584 count=1 status=none | od -c | head -1 | grep -q "F   V   E"' - "$T/bitlocker.img"

# A read-only disk: read-only commands work, writing ones refuse.
t_build shipped
dev=$(losetup -r -f --show "$T/win10-gpt.img")
t_on_exit '[ -z "$dev" ] || losetup -d "$dev"'
expect_exit 0 "read-only disk: status works" "$RESCUE" --disk "$dev" status
expect_exit 3 "read-only disk: contain refused" "$RESCUE" --disk "$dev" --yes contain
cp "$T/.out" "$T/refused.out"
expect "read-only disk: ... because of the medium" grep -q "read-only medium" "$T/refused.out"
losetup -d "$dev"; dev=""

expect "nothing left mounted" sh -c '! grep -F "$1" /proc/mounts' - "$T"
expect "no loop device left" sh -c '! losetup -a | grep -F "$1"' - "$T"
t_done
