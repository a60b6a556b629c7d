#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/boot.sh - numbers of the boot image (make bench):
#   ISO size (target <= 40 MB);
#   boot to ready under TCG, BIOS and UEFI from a CD: wall time from QEMU's
#   start, and kernel start to "rescue: ready" (the uptime /init prints; target
#   <= 12 s);
#   the smallest guest memory (-m, MiB) that still reaches ready (target: 256
#   enough), by bisection.
# The GRUB menu is answered at once (hotkey i), so its 5 s timeout is not counted.
# BENCH_MEM_LOW / BENCH_MEM_HIGH bound the bisection (default 64..512).
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/../qemu/lib.sh"
[ -f "$ISO" ] || { echo "bench: $ISO missing (make iso)" >&2; exit 1; }

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

size=$(wc -c <"$ISO")
echo "boot: ISO size $(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1000000 }') MB ($size bytes; target <= 40 MB)"

ntfs_disk "$T/win.img"

# boot_ready NAME FIRMWARE MEM: boot the CD, print "WALL KERNEL" seconds to
# ready, or fail when it does not get there (panic, out of memory, timeout).
boot_ready() {
	QEMU_MEM=$3 QEMU_TIMEOUT=200 qemu_start "$1" "$2" "cd:$ISO" "sata:$T/win.img"
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

for fw in bios uefi; do
	if r=$(boot_ready "ready-$fw" "$fw" 512); then
		echo "boot: $fw CD to ready: ${r% *}s wall from QEMU start, ${r#* }s from kernel start (TCG; target <= 12 s)"
	else
		echo "boot: $fw CD did not reach ready"; qemu_show
	fi
done

lo=${BENCH_MEM_LOW:-64}; hi=${BENCH_MEM_HIGH:-512}	# lo fails (assumed), hi works
if ! boot_ready mem-hi bios "$hi" >/dev/null; then
	echo "boot: does not reach ready with -m $hi"
	exit 1
fi
while [ $((hi - lo)) -gt 16 ]; do
	mid=$(( (lo + hi) / 2 ))
	if boot_ready "mem-$mid" bios "$mid" >/dev/null; then hi=$mid; else lo=$mid; fi
done
echo "boot: smallest memory reaching ready: -m $hi MiB (fails at $lo; target: 256 enough)"
