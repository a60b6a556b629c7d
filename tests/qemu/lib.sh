# SPDX-License-Identifier: GPL-2.0-or-later
# tests/qemu/lib.sh - boot the rescue image in QEMU (TCG) and talk to its
# serial console.  Sourced by tests/qemu/t*.sh and tests/bench (after
# tests/lib.sh is found through it), usable by any script:
#
#   . "$TOP/tests/qemu/lib.sh"
#   qemu_prereq                       skip the whole script when QEMU or the ISO is missing
#   ntfs_disk OUT.img [FILE...]       a small MBR disk with one NTFS partition holding FILEs
#   qemu_stick OUT.img [CONF]         a copy of the ISO (a USB stick) whose RESCUE
#                                     partition's rescue.conf is CONF
#   qemu_start NAME FIRMWARE MEDIUM [DISK...]
#        FIRMWARE: bios | uefi | secboot     MEDIUM: cd:ISO | usb:IMG | net:TAP:MAC
#        net: a network card on the tap device TAP (the test's network namespace,
#        QEMU_WRAP="ip netns exec NS"), booted from first: BIOS through QEMU's iPXE
#        ROM, UEFI through OVMF's own PXE (shim cannot load GRUB through iPXE's)
#        DISK: sata:IMG | virtio:IMG | nvme:IMG | usb:IMG (snapshot=on unless it ends in :rw)
#        the serial console goes to $T/NAME.log; QEMU_MEM (default 512), QEMU_TIMEOUT
#        (seconds, default 300) and QEMU_ARGS (more options) apply
#   qemu_menu KEY                     wait for the boot menu (isolinux under BIOS, GRUB
#                                     under UEFI) and press KEY (i u r s)
#   qemu_menu_edit TEXT               wait for the boot menu, edit the default entry (isolinux:
#                                     Tab; GRUB: e), append TEXT to its kernel command line, boot it
#   qemu_wait REGEX [SECONDS]         wait for a serial line matching REGEX (grep -E)
#   qemu_send TEXT                    type TEXT and Enter on the serial console
#   qemu_cmd CMD [SECONDS]            run CMD in the serial console's shell, wait for it
#                                     to finish; returns its exit status
#   qemu_expect DESC CMD...           ok when CMD succeeds, else not_ok and the log's tail
#   qemu_ntfs_marker TEXT             in that shell (waiting for its prompt): mount the NTFS volume labelled
#                                     WINTEST (ntfs_disk) read-only, noexec, and succeed
#                                     when its marker.txt holds TEXT
#   qemu_end [SECONDS]                wait for QEMU to exit (poweroff), else kill it;
#                                     returns QEMU's status (124 when killed)
# The helpers keep their variables under q_ (POSIX sh has no `local`), so they
# do not clobber a caller's (tests/lib.sh's expect keeps its description in d).
# One QEMU at a time per script.  The image's /init prints "rescue: ready at
# Ns (...)" when it starts the front end, and "rescue: powering off".
if [ -z "${TOP:-}" ]; then
	# shellcheck source=tests/lib.sh
	. "$(dirname "$0")/../lib.sh"
fi
ISO=${ISO:-$TOP/build/rescue.iso}
OVMF_DIR=${OVMF_DIR:-/usr/share/OVMF}
QEMU_MEM=${QEMU_MEM:-512}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-300}
qemu_pid=""
QEMU_LOG=""

qemu_prereq() {
	q_why=""
	command -v qemu-system-x86_64 >/dev/null || q_why="qemu-system-x86_64 missing"
	[ -f "$ISO" ] || q_why="$ISO missing (make iso)"
	if [ -n "$q_why" ]; then
		skip "QEMU boot tests" "$q_why"
		exit 0
	fi
}

# ntfs_disk OUT [FILE...]: a 64 MiB MBR disk, one NTFS partition from sector
# 2048 labelled WINTEST, FILEs copied into its root (ntfscp: no mount, no root).
ntfs_disk() {
	q_out=$1; shift
	rm -f "$q_out" "$q_out.part"
	truncate -s 64M "$q_out"
	echo 'start=2048, type=7' | sfdisk -q "$q_out" >/dev/null
	truncate -s $((64 * 1024 * 1024 - 2048 * 512)) "$q_out.part"
	mkntfs -q -F -p 2048 -H 255 -S 63 -L WINTEST "$q_out.part" >/dev/null 2>&1
	for q_f in "$@"; do
		ntfscp -q "$q_out.part" "$q_f" "$(basename "$q_f")" >/dev/null 2>&1 || return 1
	done
	dd if="$q_out.part" of="$q_out" bs=512 seek=2048 conv=notrunc,sparse status=none
	rm -f "$q_out.part"
}

# rescue_part_offset IMG: byte offset of partition 3 (RESCUE) of the image.
rescue_part_offset() {
	q_start=$(sfdisk -d "$1" 2>/dev/null | sed -n 's/.*3 : start= *\([0-9]*\),.*/\1/p')
	[ -n "$q_start" ] && echo $((q_start * 512))
}

# qemu_stick OUT [CONF]: the ISO as a USB stick image, with CONF as the
# rescue.conf of its RESCUE partition.
qemu_stick() {
	cp "$ISO" "$1"
	if [ -n "${2:-}" ]; then
		q_off=$(rescue_part_offset "$1") || return 1
		mcopy -o -i "$1@@$q_off" "$2" ::/rescue.conf
	fi
}

qemu_start() {
	q_name=$1; q_fw=$2; q_medium=$3; shift 3
	QEMU_LOG=$T/$q_name.log
	: >"$QEMU_LOG"
	rm -f "$T/$q_name.in"; mkfifo "$T/$q_name.in"
	set -- "$@"
	q_args="-accel tcg -m $QEMU_MEM -smp 1 -display none -no-reboot -serial stdio -monitor none"
	case $q_fw in
	bios) q_args="$q_args -machine pc" ;;
	uefi)
		cp "$OVMF_DIR/OVMF_VARS_4M.fd" "$T/$q_name.vars"
		q_args="$q_args -machine q35 -drive if=pflash,format=raw,readonly=on,file=$OVMF_DIR/OVMF_CODE_4M.fd"
		q_args="$q_args -drive if=pflash,format=raw,file=$T/$q_name.vars" ;;
	secboot)
		cp "$OVMF_DIR/OVMF_VARS_4M.ms.fd" "$T/$q_name.vars"
		q_args="$q_args -machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on"
		q_args="$q_args -drive if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_DIR/OVMF_CODE_4M.secboot.fd"
		q_args="$q_args -drive if=pflash,format=raw,unit=1,file=$T/$q_name.vars" ;;
	*) echo "qemu_start: firmware $q_fw?" >&2; return 2 ;;
	esac
	q_usb=""
	case $q_medium in
	cd:*) q_args="$q_args -drive file=${q_medium#cd:},media=cdrom,if=none,id=cd0,readonly=on"
	      q_args="$q_args -device ide-cd,drive=cd0,bootindex=0" ;;
	net:*) q_tap=${q_medium#net:}; q_rom=""
	       [ "$q_fw" = bios ] || q_rom=",romfile="
	       q_args="$q_args -netdev tap,id=net0,ifname=${q_tap%%:*},script=no,downscript=no"
	       q_args="$q_args -device virtio-net-pci,netdev=net0,mac=${q_tap#*:},bootindex=0$q_rom" ;;
	usb:*) q_usb=1
	       q_args="$q_args -drive file=${q_medium#usb:},format=raw,if=none,id=stick"
	       q_args="$q_args -device usb-storage,drive=stick,bootindex=0,removable=on" ;;
	esac
	q_n=0
	for q_d in "$@"; do
		q_n=$((q_n + 1)); q_f=${q_d#*:}; q_snap=",snapshot=on"
		case $q_f in *:rw) q_f=${q_f%:rw}; q_snap="" ;; esac
		q_args="$q_args -drive file=$q_f,format=raw,if=none,id=d$q_n$q_snap"
		case $q_d in
		sata:*) q_args="$q_args -device ahci,id=ahci$q_n -device ide-hd,drive=d$q_n,bus=ahci$q_n.0" ;;
		virtio:*) q_args="$q_args -device virtio-blk-pci,drive=d$q_n" ;;
		nvme:*) q_args="$q_args -device nvme,drive=d$q_n,serial=rescue$q_n" ;;
		usb:*) q_usb=1; q_args="$q_args -device usb-storage,drive=d$q_n" ;;
		esac
	done
	[ -n "$q_usb" ] && q_args="-device qemu-xhci $q_args"
	exec 9<>"$T/$q_name.in"
	# shellcheck disable=SC2086 # args is a word list built above
	${QEMU_WRAP:-} timeout "$QEMU_TIMEOUT" qemu-system-x86_64 $q_args ${QEMU_ARGS:-} <"$T/$q_name.in" >"$QEMU_LOG" 2>&1 &
	qemu_pid=$!
}

qemu_wait() {
	q_re=$1; q_limit=${2:-120}; q_i=0
	while [ "$q_i" -lt $((q_limit * 2)) ]; do
		tr -d '\r' <"$QEMU_LOG" | grep -Eq -- "$q_re" && return 0
		kill -0 "$qemu_pid" 2>/dev/null || { tr -d '\r' <"$QEMU_LOG" | grep -Eq -- "$q_re"; return; }
		sleep 0.5; q_i=$((q_i + 1))
	done
	return 1
}

qemu_send() { printf '%s\r' "$*" >&9; }

qemu_cmd_n=0
qemu_cmd() {
	qemu_cmd_n=$((qemu_cmd_n + 1))
	# The token is split in the typed line so the echo of the command
	# does not match it.
	qemu_send "$1; echo \"@@do\"\"ne$qemu_cmd_n \$?\""
	qemu_wait "@@done$qemu_cmd_n [0-9]+" "${2:-60}" || return 124
	return "$(tr -d '\r' <"$QEMU_LOG" | sed -n "s/.*@@done$qemu_cmd_n \([0-9]*\).*/\1/p" | tail -n 1)"
}

qemu_ntfs_marker() {
	qemu_wait 'rescue:/# ' 60 || return 1
	qemu_cmd "mkdir -p /mnt/w && ntfs-3g -o ro,noexec,nosuid,nodev \$(findfs LABEL=WINTEST) /mnt/w && grep -q '$1' /mnt/w/marker.txt && umount /mnt/w"
}

# The last entry's title, as both loaders print it (isolinux highlights the
# hotkey letter with colour codes, so not the whole title).
q_menu_re='eport-only \(changes nothing\)'
qemu_menu() {
	qemu_wait "$q_menu_re" 120 || return 1
	sleep 1
	printf '%s' "$1" >&9
}

# Editing the default entry: isolinux (BIOS) opens its command line with
# Tab, the cursor at its end; Enter boots.  GRUB's editor (`e`) shows the
# entry as `setparams TITLE`, an empty line (after the `{`), then linux ...,
# initrd ..., the cursor on the first: Ctrl-N twice goes down to the linux
# line, Ctrl-E to its end, Ctrl-X boots.
qemu_menu_edit() {
	qemu_wait "$q_menu_re" 120 || return 1
	sleep 1
	if grep -aq '^ISOLINUX' "$QEMU_LOG"; then
		printf '\t' >&9
		qemu_wait 'initrd=/boot/initrd.zst' 30 || return 1
		sleep 1
		printf ' %s\r' "$1" >&9
	else
		printf 'e' >&9
		qemu_wait 'Emacs-like' 30 || return 1
		printf '\016\016\005 %s\030' "$1" >&9
	fi
}

qemu_end() {
	q_limit=${1:-60}; q_i=0
	while kill -0 "$qemu_pid" 2>/dev/null && [ "$q_i" -lt $((q_limit * 2)) ]; do
		sleep 0.5; q_i=$((q_i + 1))
	done
	if kill -0 "$qemu_pid" 2>/dev/null; then
		kill "$qemu_pid" 2>/dev/null
		wait "$qemu_pid" 2>/dev/null
		exec 9>&-
		return 124
	fi
	wait "$qemu_pid"; q_rc=$?
	exec 9>&-
	return "$q_rc"
}

qemu_expect() {
	q_desc=$1; shift
	if "$@"; then ok "$q_desc"; else not_ok "$q_desc"; qemu_show; fi
}

# qemu_show: the tail of the serial log as TAP comments, after a failure.
qemu_show() { tr -d '\r' <"$QEMU_LOG" | grep -v '^[[:space:]]*$' | tail -n "${QEMU_SHOW:-25}" | sed 's/^/#   /'; }
