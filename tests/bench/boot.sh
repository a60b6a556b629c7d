#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/boot.sh - numbers of the boot image (make bench):
#   the ISO size (target <= 40 MB);
#   boot to ready under TCG: BIOS from a CD and from a USB stick, UEFI from a
#   CD.  Two figures per boot: kernel start -> "rescue: ready" (the uptime
#   /init prints: issue 7's definition, target <= 12 s) and, for
#   information, QEMU start -> ready (adds the firmware and the boot loader:
#   isolinux under BIOS, GRUB under UEFI, whose share is printed too);
#   each boot is repeated BENCH_RUNS times (default 3) and the median shown,
#   since the machine is shared;
#   the smallest guest memory (-m, MiB) that still reaches ready, then the
#   smallest with which the unattended run on the infected test image still
#   succeeds (target: 256 enough; root, for the image), by bisection
#   (BENCH_MEM=no skips both).
# The boot menu is answered at once (hotkey i), so its timeout is not counted.
# BENCH_MEM_LOW / BENCH_MEM_HIGH bound the bisection (default 64..512).
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/../qemu/lib.sh"
[ -f "$ISO" ] || { echo "bench: $ISO missing (make iso)" >&2; exit 1; }
RUNS=${BENCH_RUNS:-3}
TARGET=12

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

size=$(wc -c <"$ISO")
echo "boot: ISO size $(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1000000 }') MB ($size bytes; target <= 40 MB)"

ntfs_disk "$T/win.img"
qemu_stick "$T/stick.img"

# boot_ready NAME FIRMWARE MEDIUM MEM: boot, print "WALL KERNEL" seconds to
# ready, or fail when it does not get there (panic, out of memory, timeout).
boot_ready() {
	QEMU_MEM=$4 QEMU_TIMEOUT=200 qemu_start "$1" "$2" "$3" "sata:$T/win.img"
	t0=$(now)
	qemu_menu i || { qemu_end 1; return 1; }
	if qemu_wait 'rescue: ready at|Kernel panic|Out of memory|not syncing' 180 &&
		grep -q 'rescue: ready at' "$QEMU_LOG"; then
		t1=$(now)
		k=$(tr -d '\r' <"$QEMU_LOG" | sed -n 's/.*rescue: ready at \([0-9.]*\)s.*/\1/p' | head -n 1)
		qemu_end 1
		echo "$(secs "$t0" "$t1") $k"
		return 0
	fi
	qemu_end 1
	return 1
}

for case in bios:cd uefi:cd bios:usb; do
	fw=${case%%:*} medium=${case#*:}
	src=$ISO; [ "$medium" = usb ] && src=$T/stick.img
	walls="" kernels="" loaders=""
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		i=$((i + 1))
		if r=$(boot_ready "ready-$fw-$medium" "$fw" "$medium:$src" 512); then
			walls="$walls ${r% *}" kernels="$kernels ${r#* }"
			loaders="$loaders $(secs "${r#* }" "${r% *}")"
		else
			echo "boot: $fw $medium run $i did not reach ready"; qemu_show
		fi
	done
	[ -n "$kernels" ] || continue
	k=$(echo "$kernels" | median) w=$(echo "$walls" | median) l=$(echo "$loaders" | median)
	met=$(awk -v k="$k" -v t="$TARGET" 'BEGIN { print (k <= t) ? "met" : "NOT met" }')
	echo "boot: $fw $medium: kernel start -> ready $k s (median of$kernels; target <= $TARGET s: $met)"
	echo "boot: $fw $medium: QEMU start -> ready $w s (median of$walls; for information: firmware and boot loader $l s)"
done

[ "${BENCH_MEM:-yes}" = no ] && exit 0
lo=${BENCH_MEM_LOW:-64}; hi=${BENCH_MEM_HIGH:-512}	# lo fails (assumed), hi works
if ! boot_ready mem-hi bios "cd:$ISO" "$hi" >/dev/null; then
	echo "boot: does not reach ready with -m $hi"
	exit 1
fi
while [ $((hi - lo)) -gt 16 ]; do
	mid=$(( (lo + hi) / 2 ))
	if boot_ready "mem-$mid" bios "cd:$ISO" "$mid" >/dev/null; then hi=$mid; else lo=$mid; fi
done
echo "boot: smallest memory reaching ready: -m $hi MiB (fails at $lo)"

# The issue's measure: the smallest memory with which the unattended run
# still succeeds (the infected Windows 10 test image, BIOS stick, verdict
# RED), bisected from the smallest that reaches ready up to 512 MiB.
if [ "$(id -u)" -ne 0 ]; then
	echo "boot: unattended run not measured (needs root: the test image)"
	exit 0
fi
# shellcheck source=tests/qemu/autolib.sh
. "$TOP/tests/qemu/autolib.sh"
auto_stick "$T/auto-stick.img" autoruns=off
# auto_ok MEM: the unattended run at -m MEM ends RED and powers off.
auto_ok() {
	auto_images win10-gpt || return 1
	QEMU_MEM=$1 auto_boot "auto-$1" bios u "$T/auto-stick.img" "sata:$IMAGES/win10-gpt.img:rw" || return 1
	case $(auto_verdict) in "rescue: VERDICT RED"*) return 0 ;; esac
	return 1
}
alo=$lo ahi=512
if auto_ok "$hi"; then
	ahi=$hi
elif auto_ok 512; then
	alo=$hi
	while [ $((ahi - alo)) -gt 16 ]; do
		mid=$(( (alo + ahi) / 2 ))
		if auto_ok "$mid"; then ahi=$mid; else alo=$mid; fi
	done
else
	echo "boot: the unattended run does not succeed with -m 512"; qemu_show
	exit 1
fi
echo "boot: smallest memory for the unattended run (infected image, RED): -m $ahi MiB (fails at $alo; target: 256 enough)"
