#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages the build, the tests and the boot image need,
# when any is missing.  Called by `make check`, `make demo` and the other
# top-level targets, so a fresh Debian 12 machine needs nothing by hand.
# clang needs libclang-rt-14-dev (only recommended, and recommends are not
# installed here) for the libFuzzer target of `make fuzz` / `make check`.
# chromium opens the HTML log sheet headless (tests/e2e/t4030); python3-pil
# reads its screenshot and renders the README's pictures.
set -eu

PKGS="build-essential pkg-config xz-utils gzip
libhivex-dev libhivex-bin libwin-hivex-perl reglookup chntpw python3-impacket
libyara-dev yara nettle-dev libncurses-dev ncurses-term libblkid-dev libexpat1-dev
ntfs-3g ntfs-3g-dev fdisk util-linux libwim-dev time
dislocker libbde-utils cryptsetup-bin zlib1g-dev
tmux man-db groff-base jq e2fsprogs attr
busybox-static kmod cpio zstd ncurses-base xorriso mtools dosfstools
grub-common grub-efi-amd64-bin grub-efi-amd64-signed shim-signed isolinux syslinux-common
qemu-system-x86 ovmf shellcheck pxelinux dnsmasq-base nginx-light
clang libclang-rt-14-dev
chromium python3-pil fonts-dejavu-core"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
