# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib.sh - sourced by every shell test (tests/e2e, tests/ui, tests/qemu).
# Provides: $TOP, $DATA (tests/data: the real hives and NTFS images, see
# tests/data/SOURCES.md), $RULESETS (third-party YARA rule sets, which are not
# ours to ship: ../shared/data/rules beside the checkout; a test that needs one
# skips when it is absent), $RESCUE (sanitizer build when built; t_build),
# $T (a private temporary directory removed at exit), and
#   ok DESC / not_ok DESC        one TAP line
#   expect DESC CMD...           ok when CMD exits 0
#   expect_exit N DESC CMD...    ok when CMD exits N
#   skip DESC WHY                a prerequisite is missing (counts as ok, says so)
#   t_done                       exit status of the script
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${DATA:-$TOP/tests/data}
RULESETS=${RULESETS:-$TOP/../shared/data/rules}
# t_build sanitized|shipped: which build $RESCUE runs from here on (unless
# RESCUE came from the environment).  Sanitized (the default): the
# ASan+UBSan build, for everything that feeds rescue bad input (planted by
# the test as a worm would), so that a memory error fails the test.
# Shipped: the build the ISO carries, for runs on the real hives and images
# and the planted samples alone; it is 2-40 times faster there (libhivex
# grows a hive by one realloc per 4 KiB, which ASan copies every time).
t_rescue_env=${RESCUE:-}
t_build() {
	[ -z "$t_rescue_env" ] || return 0
	RESCUE=$TOP/build/rescue
	if [ "$1" = sanitized ] && [ -x "$TOP/build-asan/rescue" ]; then RESCUE=$TOP/build-asan/rescue; fi
}
t_build sanitized
# ASan: report leaks as failures too, and perturb fresh memory like hivex's tests.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export MALLOC_PERTURB_="${MALLOC_PERTURB_:-$(( $$ % 255 + 1 ))}"
export PATH="/usr/bin:/usr/sbin:/bin:/sbin:$PATH"

T=$(mktemp -d "${TMPDIR:-/tmp}/rescue-test.XXXXXX")
# The journal's signing key (rescue/base/journalkey.h): one private key store per
# test script, never the machine's /var/lib/rescue.
export RESCUE_STATE_DIR="${RESCUE_STATE_DIR:-$T/state}"
t_cleanup_hooks=""
t_on_exit() { t_cleanup_hooks="$1; $t_cleanup_hooks"; }
trap 'eval "$t_cleanup_hooks"; rm -rf "$T"' EXIT
t_failed=0
t_n=0

ok()     { t_n=$((t_n + 1)); echo "ok $t_n - $*"; }
not_ok() { t_n=$((t_n + 1)); t_failed=$((t_failed + 1)); echo "not ok $t_n - $*"; }
skip()   { t_n=$((t_n + 1)); echo "ok $t_n - # SKIP $1: $2"; }

expect() {
	d=$1; shift
	if "$@" >"$T/.out" 2>&1; then ok "$d"; else not_ok "$d"; sed 's/^/#   /' "$T/.out" | tail -n 20; fi
}

expect_exit() {
	want=$1; d=$2; shift 2
	"$@" >"$T/.out" 2>&1; rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d"; else not_ok "$d (exit $rc, want $want)"; sed 's/^/#   /' "$T/.out" | tail -n 20; fi
}

t_done() { [ "$t_failed" -eq 0 ]; }

# unpack NAME.xz/.gz from $DATA/hives/SUBDIR into DEST (a file path)
unpack_hive() {
	src=$DATA/hives/$1
	case $src in
	*.xz) xz -dc "$src" >"$2" ;;
	*.gz) gzip -dc "$src" >"$2" ;;
	*) cp "$src" "$2" ;;
	esac
}

# t_attach IMG N: attach partition N of the disk image IMG read-only as a loop
# device, in $t_loop (for ntfsls/ntfscat); t_detach lets it go (also at exit).
t_loop=""
t_attach() {
	t_detach
	# shellcheck disable=SC2046 # START SIZE, split on purpose
	set -- $(sfdisk -q -l -o Start,Sectors "$1" | awk -v n="$2" 'NR == n + 1 { printf "%.0f %.0f\n", $1 * 512, $2 * 512 }') "$1"
	t_loop=$(losetup -r -f --show -o "$1" --sizelimit "$2" "$3")
}
t_detach() { [ -z "$t_loop" ] || losetup -d "$t_loop"; t_loop=""; }
t_on_exit t_detach

# t_ntfs_mount IMG MNT SIZE [NTFS-3G OPTIONS]: a new NTFS volume of SIZE in the
# file IMG (mkntfs), mounted by ntfs-3g at MNT (unmounted at exit); a test
# that has no root, /dev/fuse or ntfs-3g is skipped here.
t_ntfs_mount() {
	if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ] || ! command -v ntfs-3g >/dev/null; then
		skip "NTFS volume" "needs root, /dev/fuse and ntfs-3g"; t_done; exit
	fi
	truncate -s "$3" "$1"
	mkntfs -q -F -f -L rescue-test "$1" >/dev/null 2>&1 || { not_ok "mkntfs"; exit 1; }
	mkdir -p "$2"
	t_on_exit "umount '$2' 2>/dev/null"
	ntfs-3g ${4:+-o "$4"} "$1" "$2" || { not_ok "ntfs-3g mount"; exit 1; }
}

# t_win_mount VARIANT IMG MNT: the test disk image VARIANT as IMG (t_image),
# its Windows partition (3) attached read-write as a loop device ($loop) and
# mounted by ntfs-3g at MNT, both let go at exit; a test without root,
# /dev/fuse or ntfs-3g is skipped here, one that cannot build or mount fails.
t_win_mount() {
	if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ] || ! command -v ntfs-3g >/dev/null; then
		skip "$1 on ntfs-3g" "needs root, /dev/fuse and ntfs-3g"; t_done; exit
	fi
	loop=""
	t_image "$1" "$2" || { not_ok "build $1"; t_done; exit 1; }
	mkdir -p "$3"
	t_on_exit "umount '$3' 2>/dev/null || umount -l '$3' 2>/dev/null; [ -z \"\$loop\" ] || losetup -d \"\$loop\""
	# shellcheck disable=SC2046 # START SIZE, split on purpose
	set -- $(sfdisk -q -l -o Start,Sectors "$2" | awk 'NR == 4 { print $1 * 512, $2 * 512 }') "$2" "$3"
	loop=$(losetup -f --show -o "$1" --sizelimit "$2" "$3")
	ntfs-3g "$loop" "$4" || { not_ok "ntfs-3g mount of $loop"; t_done; exit 1; }
}

# t_image VARIANT DEST: the test disk image VARIANT (tests/images/build.sh) as
# DEST, a private sparse copy (with DEST.manifest and DEST.key when there are).  Each
# variant is built once into build/images/ by make (rebuilt when the builder,
# the fixtures or the samples change) and shared by every script.
t_image() {
	# one builder at a time: scripts may run side by side (tests/run.sh)
	mkdir -p "$TOP/build/images" &&
	flock "$TOP/build/images/.lock" make -s -C "$TOP" "build/images/$1.img" >/dev/null || return 1
	cp --sparse=always "$TOP/build/images/$1.img" "$2" || return 1
	if [ -f "$TOP/build/images/$1.img.manifest" ]; then cp "$TOP/build/images/$1.img.manifest" "$2.manifest"; fi
	# a BitLocker variant's key: DEST.key, and the recovery key file Windows
	# saves (named by the key ID) beside DEST
	if [ -f "$TOP/build/images/$1.img.key" ]; then
		cp "$TOP/build/images/$1.img.key" "$2.key" &&
		cp "$TOP/build/images/BitLocker Recovery Key $(cut -d, -f1 "$2.key").TXT" "$(dirname "$2")/" || return 1
	fi
}
