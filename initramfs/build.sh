#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# initramfs/build.sh - the kernel and the initramfs of the boot image.
#
#   sh initramfs/build.sh [BUILD]          (BUILD: the build directory, default build)
#
# Needs BUILD/rescue and BUILD/rules/ (make all).  Writes
#   BUILD/boot/vmlinuz         Debian's signed kernel, as shipped
#   BUILD/boot/initrd.zst      zstd cpio: busybox, modules, ntfs-3g, rescue, its rules, terminfo, /init
#   BUILD/boot/kernel-version
# The kernel package is downloaded once (apt-get download) into BUILD/cache.
# KERNEL_ABI=6.1.0-NN overrides the ABI otherwise taken from linux-image-amd64.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
HERE=$TOP/initramfs
ROOT=$BUILD/initramfs.root
OUT=$BUILD/boot
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

die() { echo "initramfs: $*" >&2; exit 1; }

for f in "$BUILD/rescue" "$BUILD/rules/compiled.yarc" "$BUILD/rules/hashes.sha256" "$BUILD/rules/c2-hosts.txt" "$BUILD/rules/c2-ips.txt"; do
	[ -f "$f" ] || die "$f missing: run make first"
done
for t in apt-cache apt-get dpkg depmod modprobe cpio zstd ldd; do
	command -v "$t" >/dev/null || die "$t not found (sh tests/deps.sh installs what is missing)"
done

# --- the kernel: Debian's signed image of the current ABI ---------------------
abi=${KERNEL_ABI:-$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n 1)}
[ -n "$abi" ] || die "cannot resolve the kernel ABI from linux-image-amd64 (apt-get update?)"
pkg=linux-image-$abi-amd64
# The signed kernel is built from the source package linux-signed-amd64; the
# -unsigned package would not boot under Secure Boot.
apt-cache show "$pkg" 2>/dev/null | grep -q '^Source: linux-signed-amd64' ||
	die "$pkg is not Debian's signed kernel (Source: linux-signed-amd64)"
mkdir -p "$BUILD/cache"
cached_deb() {	# the downloaded package, or nothing
	for f in "$BUILD/cache/${pkg}_"*.deb; do [ -f "$f" ] && echo "$f"; done | tail -n 1
}
deb=$(cached_deb)
if [ -z "$deb" ]; then
	echo "initramfs: downloading $pkg" >&2
	(cd "$BUILD/cache" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2) || true
	deb=$(cached_deb)
	[ -n "$deb" ] || die "apt-get download $pkg failed"
fi
KDIR=$BUILD/kernel/$abi
if [ ! -d "$KDIR/lib/modules" ]; then
	rm -rf "$KDIR"; mkdir -p "$KDIR"
	dpkg -x "$deb" "$KDIR"
fi
ver=$(dpkg-deb -f "$deb" Package | sed 's/^linux-image-//')	# 6.1.0-NN-amd64
[ -d "$KDIR/lib/modules/$ver" ] || die "$deb has no lib/modules/$ver"
[ -f "$KDIR/boot/vmlinuz-$ver" ] || die "no vmlinuz-$ver in $deb"
[ -f "$KDIR/lib/modules/$ver/modules.dep" ] || depmod -b "$KDIR" "$ver"

# --- the root ----------------------------------------------------------------
rm -rf "$ROOT"
mkdir -p "$ROOT" "$OUT"
for d in bin dev proc sys run tmp root mnt etc/rescue lib/rescue usr/share/rescue/rules; do
	mkdir -p "$ROOT/$d"
done
# One bin directory: busybox links, ntfs-3g and rescue all live there, and
# programs that run /sbin/... or /usr/bin/... find them.
ln -s bin "$ROOT/sbin"
mkdir -p "$ROOT/usr"
ln -s ../bin "$ROOT/usr/bin"
ln -s ../bin "$ROOT/usr/sbin"

add_file() {	# SRC DEST: copy SRC (following links) to DEST inside the root
	[ -e "$1" ] || die "$1 missing"
	mkdir -p "$ROOT$(dirname "$2")"
	cp -L "$1" "$ROOT$2"
}

# add_binary SRC DEST: the program and every shared library ldd names, at the
# path ldd names; a library ldd cannot find fails the build (as mkinitcpio's
# add_binary does) instead of an image that fails on the technician's PC.
add_binary() {
	add_file "$1" "$2"
	libs=$(ldd "$1" 2>/dev/null) || return 0	# static
	if printf '%s\n' "$libs" | grep -q 'not found'; then
		die "$1: $(printf '%s\n' "$libs" | grep 'not found' | tr -s ' \t' ' ')"
	fi
	for lib in $(printf '%s\n' "$libs" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		[ -e "$ROOT$lib" ] || add_file "$lib" "$lib"
	done
}

busybox=/bin/busybox
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is not static (install busybox-static)"
add_file "$busybox" /bin/busybox
add_binary "$BUILD/rescue" /bin/rescue
add_binary /usr/bin/ntfs-3g /bin/ntfs-3g
ln -s ntfs-3g "$ROOT/bin/mount.ntfs-3g"
ln -s ntfs-3g "$ROOT/bin/mount.ntfs"
# dislocker opens BitLocker volumes (rescue/disk/unlock.h runs it by this name).
add_binary /usr/bin/dislocker-fuse /bin/dislocker
# ntfsprogs for the technician's shell: repair the dirty flag, look, copy out.
for t in ntfsfix ntfsinfo ntfsls ntfscat ntfslabel; do
	add_binary "$(command -v $t)" "/bin/$t"
done
# rescue's data files (compiled rules, hash list, C2 host list), where it
# looks for them on the image (rescue/base/datapath.h).
for f in "$BUILD"/rules/*; do
	add_file "$f" "/usr/share/rescue/rules/${f##*/}"
done

# glibc loads converters and locales at run time, where ldd cannot see them:
# hivex converts names with iconv; the UI wants a UTF-8 locale.
gconv=/usr/lib/x86_64-linux-gnu/gconv
for f in gconv-modules ISO8859-1.so CP1252.so UTF-16.so; do
	[ -e "$gconv/$f" ] && add_file "$gconv/$f" "$gconv/$f"
done
if [ -d "$gconv/gconv-modules.d" ]; then
	mkdir -p "$ROOT$gconv"; cp -LR "$gconv/gconv-modules.d" "$ROOT$gconv/"
fi
if [ -d /usr/lib/locale/C.utf8 ]; then
	mkdir -p "$ROOT/usr/lib/locale"; cp -LR /usr/lib/locale/C.utf8 "$ROOT/usr/lib/locale/"
fi

# terminfo for the Linux console, serial terminals, terminal emulators, tmux.
for t in linux vt100 vt220 xterm xterm-256color screen; do
	src=""
	for d in /etc/terminfo /lib/terminfo /usr/share/terminfo; do
		[ -e "$d/$(printf %.1s "$t")/$t" ] && { src=$d/$(printf %.1s "$t")/$t; break; }
	done
	[ -n "$src" ] || die "terminfo $t not found (ncurses-base, ncurses-term)"
	add_file "$src" "/usr/share/terminfo/$(printf %.1s "$t")/$t"
done

# --- modules: the list and its closure ---------------------------------------
names=$(sed -n 's/^\([^#[:space:]][^[:space:]]*\).*/\1/p' "$HERE/modules.list")
: >"$BUILD/modules.closure"
for m in $names; do
	deps=$(modprobe -d "$KDIR" -S "$ver" --show-depends "$m" 2>&1) ||
		die "module $m: $deps"
	printf '%s\n' "$deps" | sed -n 's/^insmod \([^ ]*\).*/\1/p' >>"$BUILD/modules.closure"
done
sort -u -o "$BUILD/modules.closure" "$BUILD/modules.closure"
while read -r ko; do
	rel=${ko#"$KDIR"}
	mkdir -p "$ROOT$(dirname "$rel")"
	cp "$ko" "$ROOT$rel"	# signed: copied byte for byte, never stripped
done <"$BUILD/modules.closure"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	cp "$KDIR/lib/modules/$ver/$f" "$ROOT/lib/modules/$ver/$f"
done
depmod -b "$ROOT" "$ver"
sed -n 's/^\([^#[:space:]][^[:space:]]*\)[[:space:]]\{1,\}load$/\1/p' "$HERE/modules.list" >"$ROOT/etc/rescue/modules"

# --- init and its files ------------------------------------------------------
cp "$HERE/init" "$ROOT/init"
chmod 755 "$ROOT/init"
cp "$HERE/initlib.sh" "$ROOT/lib/rescue/initlib.sh"
cp "$HERE/udhcpc.sh" "$ROOT/lib/rescue/udhcpc.sh"
chmod 755 "$ROOT/lib/rescue/udhcpc.sh"
cp "$HERE/defaults.conf" "$ROOT/etc/rescue/defaults.conf"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\ntty:x:5:\ndisk:x:6:\n' >"$ROOT/etc/group"
ln -s /proc/self/mounts "$ROOT/etc/mtab"
cat >"$ROOT/etc/profile" <<'EOF'
export PATH=/bin LANG=C.UTF-8 PS1='rescue:\w# '
EOF
# The kernel opens /dev/console before /init mounts devtmpfs.
mknod -m 600 "$ROOT/dev/console" c 5 1 2>/dev/null || true

# --- pack --------------------------------------------------------------------
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
	zstd -q -19 -T0 >"$OUT/initrd.zst.tmp.$$"
mv "$OUT/initrd.zst.tmp.$$" "$OUT/initrd.zst"	# a private name: two builds at once never mix
cp "$KDIR/boot/vmlinuz-$ver" "$OUT/vmlinuz"
echo "$ver" >"$OUT/kernel-version"
echo "initramfs: kernel $ver ($pkg), $(wc -l <"$BUILD/modules.closure") modules," \
	"initrd $(du -k "$OUT/initrd.zst" | cut -f1) KiB" >&2
