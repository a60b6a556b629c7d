#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# volume-bench.sh - `make bench-volume`: rescue --disk on the Windows-sized
# test volume (tests/images/build.sh large: 300,000 files, 4.7 GB of data,
# built once into build/images/), and the yara CLI over a read-only ntfs-3g
# mount of the same volume with the same rules and threads.
# Prints, per command: wall time, files/s (the volume's file count over the
# wall time), peak RSS and CPU seconds from /usr/bin/time -v; for the scans
# also MB/s and MB per CPU-second (the ntfs-3g daemon's CPU included for the
# yara CLI, which reads through it), the rescue/yara ratio, and a projection
# for a 30 GB volume at 2 and 8 cores; for rescue's scans the time to the
# first detection and the ETA its progress line shows at 10% and 50% of the
# scan against the time really left, and the furthest off at any tenth from
# 10% to 90%, as shown and allowing for the line's whole seconds (with 3 s
# left, "0:02" is 33% short) (tests/bench/stamp.py times the lines as a
# person sees them).
# Figures only: nothing here passes or fails on speed.  contain writes, so it runs on a sparse scratch copy.
#   BENCH_VARIANT  large (default) or large-small (the same builder, 20,000 files)
#   BENCH_THREADS  scan threads for rescue and yara -p (default: nproc)
#   BENCH_CACHE    warm (default): the image is read into the host's page
#                  cache first, so every run starts from the same warm cache;
#                  cold: the caches are dropped before each run, as a
#                  technician's disk is, every byte read from the host's disk
#   BENCH_QEMU     1: then the smallest QEMU -m for the unattended run on the
#                  volume (tests/bench/qemu-floor.sh), skipped otherwise
#   RULESETS       third-party rule sets (the default tests/lib.sh gives, as in the
#                  tests): signature-base/yara is the second rule set; skipped,
#                  and said so, when absent
# Needs root (loop devices, FUSE).
# tests/lib.sh: $T (removed at exit), $RULESETS, t_attach, t_on_exit;
# glibc's malloc perturbation it sets for the tests would cost time here.
# shellcheck disable=SC2154 # t_loop is set by t_attach (tests/lib.sh)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
unset MALLOC_PERTURB_
trap 'exit 130' INT TERM
set -eu
cd "$TOP"
variant=${BENCH_VARIANT:-large}
threads=${BENCH_THREADS:-$(nproc)}
cache=${BENCH_CACHE:-warm}
case $cache in warm | cold) ;; *) echo "bench-volume: BENCH_CACHE is warm or cold, not '$cache'" >&2; exit 1 ;; esac
rescue=$TOP/build/rescue yarc=$TOP/build/rules/compiled.yarc
dir=$TOP/build/bench-volume img=$TOP/build/images/$variant.img
[ -x "$rescue" ] && [ -f "$yarc" ] || { echo "bench-volume: run make first" >&2; exit 1; }
# The string externals rescue defines for every file, empty for the yara CLI,
# as the Makefile compiles the built-in rules with them (rules/yara-defines.c).
YARA_EXTERNALS=$(cat "$TOP/build/gen/yara-defines.txt")
[ "$(id -u)" -eq 0 ] || { echo "bench-volume: needs root (loop devices, FUSE)" >&2; exit 1; }
for t in /usr/bin/time yara yarac jq ntfs-3g; do
	command -v "$t" >/dev/null || { echo "bench-volume: $t missing (sh tests/deps.sh)" >&2; exit 1; }
done
mkdir -p "$dir"
make -s "build/images/$variant.img"
work=$T mnt=$T/mnt
export RESCUE_RUNDIR="$work/run"

# The Windows volume (partition 3) read-only, for the yara CLI and the counts.
t_attach "$img" 3
mkdir -p "$mnt"
t_on_exit "umount '$mnt' 2>/dev/null || umount -l '$mnt' 2>/dev/null"
ntfs-3g -o ro "$t_loop" "$mnt"
fusepid=$(pgrep -n -f -x "ntfs-3g -o ro $t_loop $mnt" || true)

# The data of the image into the page cache (the holes are skipped), so that
# every command below starts from the same warm cache; or, cold, no cache.
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }
[ "$cache" = warm ] && PATH=/usr/bin:$PATH python3 - "$img" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
end, off = os.fstat(fd).st_size, 0
while off < end:
    try:
        off = os.lseek(fd, off, os.SEEK_DATA)
    except OSError:
        break
    hole = os.lseek(fd, off, os.SEEK_HOLE)
    while off < hole:
        off += len(os.pread(fd, min(hole - off, 16 << 20), off))
PY

# Regular files up to rescue's default --max-size (64 MiB), as both scanners
# read them (yara --skip-larger); hard links count once per name, as a walk sees them.
max=67108864
find "$mnt" -xdev -type f -printf '%s\n' >"$work/sizes"
nfiles=$(wc -l <"$work/sizes")
bytes=$(awk -v m="$max" '$1 <= m { s += $1 } END { printf "%.0f", s }' "$work/sizes")
uptime
echo "bench-volume: $variant.img, $nfiles files, $((bytes / 1000000)) MB in files up to 64 MiB, $(nproc) CPUs, $threads threads, $cache cache"

daemon_ticks() { if [ -n "$fusepid" ]; then awk '{ print $14 + $15 }' "/proc/$fusepid/stat"; else echo 0; fi; }

# run LABEL CMD...: one run under /usr/bin/time -v; sets $secs $cpu (the
# ntfs-3g daemon's CPU added) and prints wall time, files/s, peak RSS, CPU-s.
run() {
	label=$1; shift
	if [ "$cache" = cold ]; then drop_caches; fi
	d0=$(daemon_ticks)
	/usr/bin/time -v -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
	d1=$(daemon_ticks)
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/time")
	cpu=$(awk -F': ' -v d="$((d1 - d0))" -v hz="$(getconf CLK_TCK)" '/User time|System time/ { s += $2 } END { print s + d / hz }' "$work/time")
	rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
	awk -v l="$label" -v s="$secs" -v n="$nfiles" -v r="$rss" -v c="$cpu" \
		'BEGIN { printf "%-44s %8.2f s %8.0f files/s %7.1f MB RSS %8.2f CPU-s\n", l, s, n / (s > 0 ? s : 0.01), r / 1024, c }'
}

# scanned LABEL: MB/s and MB per CPU-second of the last run over $bytes.
scanned() {
	awk -v l="$1" -v s="$secs" -v c="$cpu" -v b="$bytes" \
		'BEGIN { printf "%-44s %8.1f MB/s %8.1f MB/CPU-s\n", l, b / 1e6 / s, b / 1e6 / c }'
}

# compare NAME RESCUE-SECS RESCUE-CPU YARA-SECS YARA-CPU: the ratio and the projection.
compare() {
	awk -v l="$1" -v rs="$2" -v rc="$3" -v ys="$4" -v yc="$5" -v b="$bytes" -v t="$threads" 'BEGIN {
		printf "%s: rescue/yara = %.2fx in MB/s at %d threads, %.2fx in MB per CPU-second\n", l, ys / rs, t, yc / rc
		r = b / 1e6 / rc; y = b / 1e6 / yc
		printf "%s: 30 GB volume projected from MB per CPU-second (CPU-bound, perfect scaling): rescue %.0f s at 2 cores, %.0f s at 8; yara CLI %.0f s at 2, %.0f s at 8\n",
			l, 30000 / r / 2, 30000 / r / 8, 30000 / y / 2, 30000 / y / 8 }'
}

echo "== rescue --disk $variant.img"
run "detect" "$rescue" --disk "$img" detect
run "autoruns" "$rescue" --disk "$img" autoruns

# first_and_eta STAMPS: from a scan's lines as stamp.py timed them, the
# time to the first detection against the time to the scan's end (target:
# under 20%), and the ETA the progress line showed at 10% and at 50% of the
# scan against the time really left then, and the furthest off of those at
# each tenth from 10% to 90% (target: within 25% from 10% on).  The scan
# ends with its last progress line (its final count), not at the exit:
# unmounting comes after it, and stdout, a pipe, is only flushed at the
# exit apart from the detections.
first_and_eta() {
	awk -F'\t' '
	function secs(s,   n, a, i, v) { n = split(s, a, ":"); v = 0; for (i = 1; i <= n; i++) v = v * 60 + a[i]; return v }
	$2 == "exit" { tend = $1 }
	$2 == "out" && ($3 ~ /^\{"type":"detection"/ || $3 ~ /^DETECTED /) && first == "" { first = $1 }
	$2 == "err" && $3 ~ /^[0-9]+\/[0-9]+\+? files / {
		n++; t[n] = $1; eta[n] = -1
		if (match($3, /ETA [0-9]+(:[0-9]+)+/)) eta[n] = secs(substr($3, RSTART + 4, RLENGTH - 4))
		split($3, w, " "); split(w[3], mb, "/"); done[n] = (mb[2] > 0 ? mb[1] / mb[2] : 0); walking[n] = (w[1] ~ /\+$/)
	}
	END {
		end = n ? t[n] : tend
		if (first == "")
			printf "  %-42s none\n", "first detection"
		else
			printf "  %-42s %8.2f s after the start, the scan ended at %.2f s: %.0f%% (exit at %.2f s)\n",
				"first detection", first, end, 100 * first / end, tend
		if (!n) { printf "  %-42s none (no progress line)\n", "ETA"; exit }
		worst = 0; unknown = 0; rworst = 0
		for (p = 10; p <= 90; p += 10) {
			at = t[1] + p / 100 * (end - t[1])
			for (i = 1; i < n && t[i] < at; i++) ;
			real = end - t[i]
			off = (eta[i] >= 0 && real > 0 ? 100 * (eta[i] - real) / real : 0)
			# The line shows whole seconds: any time within half a
			# second of it reads the same.
			near = real < eta[i] - 0.5 ? eta[i] - 0.5 : real > eta[i] + 0.5 ? eta[i] + 0.5 : real
			roff = (eta[i] >= 0 && real > 0 ? 100 * (near - real) / real : 0)
			if (eta[i] < 0)
				unknown++
			else {
				if (off * off > worst * worst)
					{ worst = off; worstp = p }
				if (roff * roff > rworst * rworst)
					{ rworst = roff; rworstp = p }
			}
			if (p != 10 && p != 50)
				continue
			if (eta[i] < 0)
				printf "  %-42s ETA ? (not known yet), %.0f s really left\n", "ETA at " p "% of the scan", real
			else
				printf "  %-42s ETA %d s, %.0f s really left: %+.0f%% (%.0f%% of the MB counted so far%s)\n",
					"ETA at " p "% of the scan", eta[i], real, off,
					100 * done[i], (walking[i] ? ", the walk still counting" : "")
		}
		printf "  %-42s %+.0f%% (at %d%%)%s\n", "ETA, furthest off at 10%, 20% ... 90%", worst, worstp,
			(unknown ? sprintf(", not known yet at %d of the 9", unknown) : "")
		printf "  %-42s %+.0f%% (at %d%%)\n", "  the same, allowing for whole seconds shown", rworst, rworstp
	}' "$1"
}

# scan_pair NAME RESCUE-RULES-OPTION... -- YARA-RULES...: rescue, then the yara CLI.
scan_pair() {
	name=$1; shift
	ropts=""
	while [ "$1" != -- ]; do ropts="$ropts $1"; shift; done
	shift
	# shellcheck disable=SC2086 # the options are words
	run "scan ($name)" python3 "$TOP/tests/bench/stamp.py" "$work/stamps" "$rescue" --disk "$img" --json scan --threads "$threads" $ropts
	jq -r 'select(.type == "summary") | "  rescue: \(.files) files, \(.bytes) bytes, \(.detections) detections, read: \(.read)"' "$work/out"
	first_and_eta "$work/stamps"
	scanned "scan ($name)"
	rs=$secs rc=$cpu
	# What of that is loading the rules (and attaching the disk): the
	# same command on one file; the yara CLI gets its rules compiled.
	# shellcheck disable=SC2086
	run "  of which loading ($name: scan of 1 file)" "$rescue" --disk "$img" --json scan --threads "$threads" $ropts autorun.inf
	awk -v s="$rs" -v c="$rc" -v ls="$secs" -v lc="$cpu" -v b="$bytes" 'BEGIN { if (s > ls && c > lc)
		printf "%-44s %8.1f MB/s %8.1f MB/CPU-s\n", "  scan without the loading", b / 1e6 / (s - ls), b / 1e6 / (c - lc) }'
	# shellcheck disable=SC2086 # the externals are words
	run "yara -r -p $threads ($name, ntfs-3g mount)" yara -r -N -f -p "$threads" -z "$max" $YARA_EXTERNALS "$@" "$mnt"
	echo "  yara: $(wc -l <"$work/out") matches"
	scanned "yara -r -p $threads ($name, ntfs-3g mount)"
	compare "$name" "$rs" "$rc" "$secs" "$cpu"
}

scan_pair "built-in rules" -- -C "$yarc"

sb=$RULESETS/signature-base/yara
if [ -d "$sb" ]; then
	# The same rules as rescue's: the built-in ones and the signature-base
	# files that compile with rescue's externals (rescue skips the others
	# with a warning), compiled once for the yara CLI.
	sbc=$dir/builtin+signature-base.yarc
	if [ ! -f "$sbc" ] || [ -n "$(find "$sb" rules -newer "$sbc" -name '*.yar' | head -n 1)" ]; then
		echo "bench-volume: compiling signature-base for the yara CLI" >&2
		: >"$work/sb.list"
		for f in "$sb"/*.yar; do
			# shellcheck disable=SC2086
			yarac $YARA_EXTERNALS "$f" "$work/one.yarc" 2>/dev/null && echo "$f" >>"$work/sb.list"
		done
		# shellcheck disable=SC2046,SC2086 # one word per file name (no blanks in signature-base's)
		yarac $YARA_EXTERNALS rules/*.yar $(cat "$work/sb.list") "$sbc" 2>/dev/null
	fi
	scan_pair "signature-base" --rules "$sb" -- -C "$sbc"
else
	echo "signature-base: skipped ($sb absent)"
fi

echo "== contain (on a sparse scratch copy: contain writes)"
cp --sparse=always "$img" "$work/copy.img"
run "contain" "$rescue" --disk "$work/copy.img" --yes contain
rm -f "$work/copy.img"

# The last step, long (whole unattended runs under TCG): the smallest QEMU -m
# for the unattended run on this volume, with the built-in rules, then with
# signature-base on the stick (tests/bench/qemu-floor.sh; BENCH_QEMU_* there).
if [ "${BENCH_QEMU:-0}" = 1 ]; then
	for r in builtin signature-base; do
		echo "== QEMU memory floor ($r rules)"
		BENCH_VARIANT=$variant BENCH_QEMU_RULES=$r sh tests/bench/qemu-floor.sh || echo "qemu-floor: not measured ($r)"
	done
else
	echo "QEMU memory floor: skipped (BENCH_QEMU=1 measures it: make iso first; hours under TCG)"
fi
