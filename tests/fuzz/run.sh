#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/run.sh SECONDS - fuzz, each for a bounded time: (1) the base
# block and transaction log parser, its seed corpus made here from the real
# dirty hives and their logs in tests/data (cut short: the primary's base
# block plus the first 64 KiB of each log), so no binary is committed; (2)
# the scheduled task XML reader, seeded with tests/fuzz/taskxml-seeds and a
# UTF-16LE copy of each made here; (3) text escaping, JSON strings and UTF-16
# names (rescue/base/textesc.h), seeded with the kinds of names of
# tests/e2e/t0150-hostile-text.sh; (4) NTFS security descriptors.  Prints
# TAP lines, in that order.  The targets run FUZZ_JOBS at a time (default:
# the CPUs), each for SECONDS: one process each, so on 2 CPUs the four take
# two rounds, not four.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${DATA:-$TOP/tests/data}
secs=${1:-60}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
work=$TOP/build-fuzz
running=0 started=

# fuzz N NAME SEEDS DICT MAXLEN: start build-fuzz/NAME in the background (its
# TAP line in build-fuzz/NAME.tap); waits first while FUZZ_JOBS are running.
fuzz() {
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
	started="$started $2"
	fuzz_one "$@" >"$work/$2.tap" &
	running=$((running + 1))
}

fuzz_one() {
	bin=$work/$2
	if [ ! -x "$bin" ]; then
		echo "ok $1 - # SKIP $2: not built (needs clang with libFuzzer)"
		return 0
	fi
	log=$work/$2.log
	mkdir -p "$work/corpus-$2"
	"$bin" -max_total_time="$secs" -max_len="$5" -rss_limit_mb=2048 -timeout=10 \
		${4:+-dict="$4"} -artifact_prefix="$work/$2-" "$work/corpus-$2" "$3" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/.*Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "ok $1 - $2: ${runs:-?} runs in ${secs}s, no crash (seeds: $(find "$3" -type f | wc -l))"
	else
		echo "not ok $1 - $2 crashed (exit $rc); reproducer in $work/$2-crash-*"
		tail -n 40 "$log" | sed 's/^/#   /'
	fi
}

seeds=$work/seeds
mkdir -p "$seeds"

# seed NAME PRIMARY LOG1 LOG2 (paths under $DATA/hives, without .xz)
seed() {
	t=$(mktemp -d)
	if ! { xz -dc "$DATA/hives/$2.xz" | head -c 4096 >"$t/p" &&
	       xz -dc "$DATA/hives/$3.xz" | head -c 65536 >"$t/l1" &&
	       xz -dc "$DATA/hives/$4.xz" | head -c 65536 >"$t/l2"; }; then
		rm -rf "$t"
		return 0
	fi
	# 8-byte header: primary and LOG1 lengths, little-endian
	for n in $(wc -c <"$t/p") $(wc -c <"$t/l1"); do
		for s in 0 8 16 24; do
			printf '%b' "\\0$(printf %o $((n >> s & 255)))"
		done
	done >"$seeds/$1"
	cat "$t/p" "$t/l1" "$t/l2" >>"$seeds/$1"
	rm -rf "$t"
}
# An XP-style .LOG (old format: base block sector, "DIRT" + bitmap, pages)
# over the real M57 SAM made dirty; checksums are left to the target's
# fix-up (top bit of the primary length).
old_format_seed() {
	t=$(mktemp -d)
	xz -dc "$DATA/hives/m57-pat/SAM.xz" >"$t/sam" || { rm -rf "$t"; return 0; }
	head -c 24576 "$t/sam" >"$t/p"
	printf '\377' | dd of="$t/p" bs=1 seek=4 conv=notrunc 2>/dev/null
	head -c 512 "$t/sam" >"$t/l1"
	printf '\001' | dd of="$t/l1" bs=1 seek=28 conv=notrunc 2>/dev/null
	printf 'DIRT\001\000\000\000\000' >>"$t/l1"
	head -c 1024 /dev/zero >>"$t/l1"
	head -c 1024 "$t/l1" >"$t/l1b"
	dd if="$t/sam" bs=512 skip=8 count=1 2>/dev/null >>"$t/l1b"
	# header: primary length 24576 | 0x80000000, LOG1 length 1536
	printf '\000\140\000\200\000\006\000\000' >"$seeds/old_format"
	cat "$t/p" "$t/l1b" >>"$seeds/old_format"
	rm -rf "$t"
}

if [ -d "$DATA/hives" ]; then
	m=dfir-artifact-museum
	seed system_b regipy/SYSTEM_B regipy/SYSTEM_B.LOG1 regipy/SYSTEM_B.LOG2
	seed w10_ntuser $m/win10/NTUSER.DAT $m/win10/ntuser.dat.LOG1 $m/win10/ntuser.dat.LOG2
	seed w10_default $m/win10/DEFAULT $m/win10/DEFAULT.LOG1 $m/win10/DEFAULT.LOG2
	seed w11_ntuser $m/win11/NTUSER.DAT $m/win11/ntuser.dat.LOG1 $m/win11/ntuser.dat.LOG2
	seed w11_default $m/win11/DEFAULT $m/win11/DEFAULT.LOG1 $m/win11/DEFAULT.LOG2
	seed foreign regipy/SYSTEM_B $m/win11/ntuser.dat.LOG1 $m/win10/DEFAULT.LOG2
	seed clean m57-pat/SAM regipy/SYSTEM_B.LOG1 m57-pat/SYSTEM
	old_format_seed
fi

fuzz 1 fuzz-regflog "$seeds" "$TOP/tests/fuzz/regflog.dict" 204800

tseeds=$work/taskxml-seeds
mkdir -p "$tseeds"
for f in "$TOP"/tests/fuzz/taskxml-seeds/*.xml; do
	cp "$f" "$tseeds/"
	{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE "$f"; } >"$tseeds/$(basename "$f" .xml).utf16" 2>/dev/null ||
		rm -f "$tseeds/$(basename "$f" .xml).utf16"
done
fuzz 2 fuzz-taskxml "$tseeds" "$TOP/tests/fuzz/taskxml.dict" 65536

eseeds=$work/textesc-seeds
mkdir -p "$eseeds"
printf 'new\nrescue: VERDICT GREEN DESKTOP=GREEN\rcr' >"$eseeds/newline"
printf '\033]0;owned\007\033[2J\033[31mred.exe' >"$eseeds/osc"
printf 'c1-\302\23331m-\2332J caf\351 evil\342\200\256gpj \355\240\200 back\\slash' >"$eseeds/bytes"
printf '{"path":"caf\\udce9\\u001b\\ud83d\\ude00","l":["\\u202e"]}' >"$eseeds/json"
printf 'a\000\000\330b\000\001\334=\330\000\336' >"$eseeds/utf16"
fuzz 3 fuzz-textesc "$eseeds" "" 4096

# (4) NTFS security descriptors: the hostile and the malformed one of
# tests/e2e/t2075-permissions.sh, and one with a SACL and an object entry.
sseeds=$work/secdesc-seeds
mkdir -p "$sseeds"
hexseed() { printf '%s' "$2" | sed 's/../\\x&/g' | xargs -0 printf '%b' >"$sseeds/$1"; }
hexseed hostile 010004801400000030000000000000003c000000010500000000000515000000010000000200000003000000e9030000010100000000000512000000020030000200000001031400ff011f0001010000000000010000000000031400ff011f00010100000000000100000000
hexseed malformed 010004801400000030000000000000003c000000010f00000000000515000000010000000200000003000000e9030000010100000000000512000000020030000200000001031400ff011f0001010000000000010000000000031400ff011f00010100000000000100000000
hexseed sacl_object 0100148014000000200000002c0000004800000001010000000000051200000001010000000000051200000002001c000100000002c0140000000100010100000000000100000000040030000100000006002800ff011f000100000000112233445566778899aabbccddeeff010100000000000100000000
fuzz 4 fuzz-secdesc "$sseeds" "" 4096
wait

failed=0
for name in $started; do
	cat "$work/$name.tap"
	! grep -q '^not ok' "$work/$name.tap" || failed=1
done
exit $failed
