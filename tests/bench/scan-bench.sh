#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# scan-bench.sh - `make bench`: throughput of `rescue scan` against the yara
# CLI (`yara -C -r -N -p N`, the same compiled rules and externals) over the
# same tree, on ext4 (a plain directory under build/bench) and on an ntfs-3g
# mount of an NTFS image holding a copy of it (rescue reads that volume
# through libntfs-3g directly, --read direct, and once through the mount for
# comparison); plus libyara's own rate on the same files held in memory
# (tests/bench/memscan.c), the CPU-bound limit.
# Prints MB/s, files/s, peak RSS and CPU seconds per run and the ratios
# against issue 5's targets.  Warm page cache: every tree is read once before
# it is timed.  On a shared machine wall-clock rates follow the load (see
# uptime, printed first); MB per CPU-second is the steadier figure.
#   BENCH_MB   size of the tree in MB (default 2000): files of /usr/bin,
#              /usr/lib and /usr/share, plus the planted samples
#   BENCH_DIR  where to build it (default build/bench)
#   BENCH_RUNS runs of each command (default 3): the median is printed, as
#              a shared machine's speed drifts by 20-30% from run to run
# Then the same with signature-base ($RULESETS/signature-base/yara, never
# copied here) added: rescue scan --rules DIR against the yara CLI given the
# built-in sources plus every signature-base file rescue compiled (yarac,
# NAMESPACE:FILE as rescue names them), on ext4 and the ntfs-3g mount, and
# whether the YARA matches per file are the same (rule and namespace;
# rescue's hash-list matches left aside).  The CLI is given empty externals,
# rescue each file's: a rule that tests filename, filepath, extension,
# filetype, owner or relpath may differ, and the differences are printed.
#   RULESETS   the third-party rule sets (default: the one tests/lib.sh gives)
# Needs root for the ntfs-3g mount (that part is skipped otherwise).
set -eu
cd "$(dirname "$0")/../.."
TOP=$(pwd)
mb=${BENCH_MB:-2000}
dir=${BENCH_DIR:-$TOP/build/bench}
runs=${BENCH_RUNS:-3}
rescue=$TOP/build/rescue
yarc=$TOP/build/rules/compiled.yarc
threads=$(nproc)
# the tests' default, read from tests/lib.sh: one place names it
[ -n "${RULESETS:-}" ] || RULESETS=$(eval "echo $(sed -n 's/^RULESETS=\${RULESETS:-\(.*\)}$/\1/p' tests/lib.sh)")
sigbase=$RULESETS/signature-base/yara
[ -x "$rescue" ] && [ -f "$yarc" ] || { echo "bench: run make first" >&2; exit 1; }
# The externals rescue defines for every file, empty, as the Makefile compiles
# the built-in rules with them (rules/yara-defines.c): one option per word.
YARA_EXTERNALS=$(cat "$TOP/build/gen/yara-defines.txt")

tree=$dir/tree
if [ ! -f "$dir/tree.done" ] || [ "$(cat "$dir/tree.done")" != "$mb" ]; then
	echo "bench: building a ${mb} MB tree in $tree" >&2
	rm -rf "$tree"; mkdir -p "$tree/Windows/System32/config" "$tree/Program Files"
	: >"$tree/Windows/System32/config/SYSTEM"
	# Regular files only, under 48 MB each, in name order, until the size is reached.
	find /usr/bin /usr/lib /usr/share -xdev -type f -size -48M -printf '%s\t%p\n' 2>/dev/null | LC_ALL=C sort -t "$(printf '\t')" -k2 |
		awk -F'\t' -v lim=$((mb * 1000000)) '{ t += $1; if (t > lim) exit; print substr($2, 2) }' |
		tar -C / --no-recursion -T - -cf - 2>/dev/null | tar -C "$tree/Program Files" -xf -
	sh tests/samples/plant.sh "$tree" "$dir/planted" >/dev/null
	echo "$mb" >"$dir/tree.done"
fi
uptime >&2
nfiles=$(find "$tree" -type f | wc -l)
bytes=$(find "$tree" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
echo "bench: $nfiles files, $((bytes / 1000000)) MB, $threads CPUs, $(grep -c '^rule' rules/*.yar | awk -F: '{ s += $2 } END { print s }') rules" >&2

# run LABEL CMD...: wall seconds and peak RSS (KB) of CMD into $secs $rss.
# CPU seconds, the ntfs-3g daemon's included: a scan through the mount
# makes it work in another process ($fusepid, set while the image is mounted).
fusepid=""
daemon_ticks() { if [ -n "$fusepid" ]; then awk '{ print $14 + $15 }' "/proc/$fusepid/stat"; else echo 0; fi; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run() {
	label=$1; shift
	: >"$dir/runs"
	i=0
	while [ "$i" -lt "$runs" ]; do
		d0=$(daemon_ticks)
		/usr/bin/time -f '%e %M %U %S' -o "$dir/time" "$@" >"$dir/out" 2>"$dir/err" || true
		d1=$(daemon_ticks)
		# GNU time puts "Command exited with non-zero status 1" first (rescue
		# exits 1: the tree holds the planted samples); the figures are last.
		tail -n 1 "$dir/time" | awk -v d0="$d0" -v d1="$d1" -v hz="$(getconf CLK_TCK)" \
			'{ print $1, $2, $3 + $4 + (d1 - d0) / hz }' >>"$dir/runs"
		i=$((i + 1))
	done
	secs=$(awk '{ print $1 }' "$dir/runs" | median)
	rss=$(awk '{ print $2 }' "$dir/runs" | median)
	cpu=$(awk '{ print $3 }' "$dir/runs" | median)
	awk -v l="$label" -v s="$secs" -v b="$bytes" -v n="$nfiles" -v r="$rss" -v c="$cpu" \
		'BEGIN { printf "%-32s %6.2f s %7.1f MB/s %7.0f files/s %6.1f MB RSS %6.2f CPU-s %6.1f MB/CPU-s\n",
			l, s, b / 1e6 / s, n / s, r / 1024, c, b / 1e6 / c }'
	echo "$secs"  >"$dir/last"
	echo "$cpu"  >"$dir/lastcpu"
}
rate() { awk -v s="$(cat "$dir/last")" -v b="$bytes" 'BEGIN { print b / 1e6 / s }'; }
cpurate() { awk -v s="$(cat "$dir/lastcpu")" -v b="$bytes" 'BEGIN { print b / 1e6 / s }'; }

bench_tree() {	# bench_tree LABEL ROOT [RESCUE-SCAN-OPTION...]: sets r1 rn y1 yn (MB/s)
	tl=$1 tr=$2; shift 2	# (run sets $label)
	find "$tr" -type f -exec cat {} + >/dev/null 2>&1 || true
	run "$tl: rescue scan --threads 1 $*" "$rescue" --root "$tr" scan --threads 1 "$@"; r1=$(rate); c1=$(cpurate)
	echo "$tl: rescue $(grep -o 'read: [^,]*' "$dir/out" || echo 'read: ?')"
	run "$tl: rescue scan --threads $threads $*" "$rescue" --root "$tr" scan --threads "$threads" "$@"; rn=$(rate)
	set -- "$tl" "$tr"
	# shellcheck disable=SC2086 # the externals are words
	run "$1: yara -r -N -p 1" yara -C -e -r -N -f -p 1 $YARA_EXTERNALS "$yarc" "$2"; y1=$(rate); cy=$(cpurate)
	# shellcheck disable=SC2086 # the externals are words
	run "$1: yara -r -N -p $threads" yara -C -e -r -N -f -p "$threads" $YARA_EXTERNALS "$yarc" "$2"; yn=$(rate)
	awk -v a="$c1" -v b="$cy" -v l="$1" 'BEGIN { printf "%s: rescue/yara in MB per CPU-second (1 thread) = %.2fx\n", l, a / b }'
	awk -v a="$rn" -v b="$yn" -v l="$1" 'BEGIN { printf "%s: rescue/yara at %s threads = %.2fx\n", l, "'"$threads"'", a / b }'
	awk -v a="$r1" -v b="$y1" -v l="$1" 'BEGIN { printf "%s: rescue/yara at 1 thread = %.2fx\n", l, a / b }'
	awk -v a="$rn" -v b="$r1" -v l="$1" 'BEGIN { printf "%s: rescue %s threads / 1 thread = %.2fx (target >= 1.8x)\n", l, "'"$threads"'", a / b }'
}

echo "== ext4 (plain directory)"
bench_tree ext4 "$tree"
ext4_r1=$r1 ext4_c1=$c1
echo "ext4 target: rescue no slower than the yara CLI (ratio >= 1.0)"

echo "== libyara on the same files held in memory, 1 thread (the CPU-bound limit)"
# shellcheck disable=SC2046 # pkg-config prints several words
cc -O2 -std=gnu11 -I. -o "$dir/memscan" tests/bench/memscan.c build/librescue.a $(pkg-config --cflags --libs yara nettle) -lpthread
(cd "$tree" && find . -type f | sed 's|^\./||') >"$dir/files"
: >"$dir/mem"
i=0
while [ "$i" -lt "$runs" ]; do "$dir/memscan" "$yarc" "$tree" 67108864 <"$dir/files" >>"$dir/mem"; i=$((i + 1)); done
# the run of median time
read -r mf mbytes msecs mrate mmatch mcpu mcrate <<EOF_MEM
$(sort -k3,3n "$dir/mem" | awk -v n="$runs" 'NR == int((n + 1) / 2)')
EOF_MEM
echo "libyara scan_mem: $mf files, $((mbytes / 1000000)) MB in $msecs s = $mrate MB/s, $mcpu CPU-s = $mcrate MB/CPU-s ($mmatch matches)"
awk -v a="$ext4_r1" -v b="$mrate" -v c="$ext4_c1" -v d="$mcrate" 'BEGIN {
	printf "rescue 1 thread on ext4 / libyara in memory = %.0f%% wall, %.0f%% per CPU-second (target >= 90%%)\n", 100 * a / b, 100 * c / d }'

if [ "$(id -u)" -eq 0 ] && [ -e /dev/fuse ]; then
	echo "== ntfs-3g mount"
	img=$dir/ntfs.img mnt=$dir/mnt
	mkdir -p "$mnt"
	if [ ! -f "$dir/ntfs.done" ] || [ "$(cat "$dir/ntfs.done")" != "$mb" ]; then
		rm -f "$img"; truncate -s $(( mb * 13 / 10 + 256 ))M "$img"
		mkntfs -q -F -f "$img" >/dev/null 2>&1
		ntfs-3g "$img" "$mnt"
		cp -a "$tree/." "$mnt/"
		umount "$mnt"
		echo "$mb" >"$dir/ntfs.done"
	fi
	ntfs-3g -o ro "$img" "$mnt"
	trap 'umount "$mnt" 2>/dev/null || true' EXIT
	fusepid=$(pgrep -n -f -x "ntfs-3g -o ro $img $mnt" || true)
	echo "(CPU-s on the ntfs-3g mount include the ntfs-3g daemon's${fusepid:+, pid $fusepid})"
	run "ntfs-3g: rescue scan --threads $threads --read mount" "$rescue" --root "$mnt" scan --threads "$threads" --read mount
	rm_mount=$(rate)
	bench_tree ntfs-3g "$mnt" --read direct
	awk -v a="$rn" -v b="$rm_mount" 'BEGIN { printf "ntfs-3g: rescue --read direct / --read mount at '"$threads"' threads = %.2fx\n", a / b }'
	awk -v a="$rn" -v b="$yn" -v c="$r1" -v d="$y1" 'BEGIN {
		printf "ntfs-3g target: rescue (direct) >= 1.3x the yara CLI at equal threads: %.2fx at '"$threads"', %.2fx at 1 (%s)\n",
			a / b, c / d, (a / b >= 1.3 && c / d >= 1.3) ? "met" : "NOT met" }'
fi

# same_matches LABEL ROOT [RESCUE-SCAN-OPTION...]: rescue's YARA matches per
# file (namespace:rule, the signature-base files' only) against the yara
# CLI's with $yarc over the same tree.
same_matches() {
	sl=$1 sr=$2; shift 2
	"$rescue" --json --root "$sr" scan --threads "$threads" "$@" >"$dir/sb-rescue.jsonl" 2>/dev/null || true
	jq -r 'select(.type == "detection") | .path as $p | .matches[] | select(.namespace | test("\\.yara?$")) |
		"\($p)\t\(.namespace):\(.rule)"' "$dir/sb-rescue.jsonl" | LC_ALL=C sort -u >"$dir/sb-rescue.txt"
	yara -C -e -r -N -p "$threads" "$yarc" "$sr" 2>/dev/null |
		awk -v root="$sr/" '{ ns = $1; p = substr($0, length($1) + 2); if (index(p, root) == 1) p = substr(p, length(root) + 1)
			if (ns !~ /^default:/) print p "\t" ns }' | LC_ALL=C sort -u >"$dir/sb-yara.txt"
	n=$(wc -l <"$dir/sb-rescue.txt")
	if cmp -s "$dir/sb-rescue.txt" "$dir/sb-yara.txt"; then
		echo "$sl: YARA matches per file identical to the yara CLI's ($n file/rule pairs)"
	else
		echo "$sl: YARA matches per file DIFFER from the yara CLI's (rescue $n, yara $(wc -l <"$dir/sb-yara.txt") pairs; < rescue only, > yara only):"
		diff "$dir/sb-rescue.txt" "$dir/sb-yara.txt" | grep '^[<>]' | head -n 20 || true
	fi
}

if [ -d "$sigbase" ] && command -v jq >/dev/null; then
	echo "== signature-base ($sigbase) added to the built-in rules"
	# the files rescue compiles (it skips, naming them, those that do not), as NAMESPACE:FILE
	"$rescue" --json rules check "$sigbase" 2>/dev/null |
		jq -r --arg top "$sigbase/" 'select(.type == "file" and .kind == "yara" and .ok) | .path | ltrimstr($top) + ":" + $top + ltrimstr($top)' \
		>"$dir/sb-files"
	echo "signature-base: $(wc -l <"$dir/sb-files") rule files compile"
	# shellcheck disable=SC2046,SC2086 # the externals and the rule files (no spaces in their names) are words
	yarac $YARA_EXTERNALS \
		$(LC_ALL=C ls rules/*.yar) $(cat "$dir/sb-files") "$dir/sigbase.yarc"
	builtin_yarc=$yarc yarc=$dir/sigbase.yarc
	echo "(rescue's times include compiling the folder, each file alone first; the CLI loads it compiled)"
	bench_tree "ext4 + signature-base" "$tree" --rules "$sigbase"
	same_matches "ext4 + signature-base" "$tree" --rules "$sigbase"
	if [ -n "${mnt:-}" ] && mountpoint -q "$mnt"; then
		bench_tree "ntfs-3g + signature-base" "$mnt" --read direct --rules "$sigbase"
		same_matches "ntfs-3g + signature-base" "$mnt" --read direct --rules "$sigbase"
	fi
	yarc=$builtin_yarc
else
	echo "== signature-base: skipped ($sigbase or jq missing)"
fi
