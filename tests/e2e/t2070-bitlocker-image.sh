#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The BitLocker volumes our test-only builder makes (tests/tools/mkbitlocker.c)
# are trusted only because readers we did not write agree with it: dislocker
# and libbde (bdemount), both through FUSE, open each one with its recovery
# password and give back the NTFS input byte for byte; cryptsetup bitlkDump
# and bdeinfo read the key ID and the protector type we wrote; a wrong
# password opens nothing.  A TPM-only volume: both list its one protector
# as TPM, and no recovery password opens it.  For AES-XTS-128 (Windows 10/11), AES-CBC-128 with
# and without the Elephant diffuser (Windows 7), a suspended volume (clear
# key), and the bitlocker-win10 disk image.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
. "$(dirname "$0")/../lib.sh"

have() { command -v "$1" >/dev/null; }
if ! make -s -C "$TOP" build/tools/mkbitlocker >"$T/make.out" 2>&1; then
	not_ok "build mkbitlocker"; sed 's/^/#   /' "$T/make.out"; t_done; exit
fi
MKBL=$TOP/build/tools/mkbitlocker

# The NTFS input: a small tree with a marker text and incompressible data.
plain=$T/plain.img mnt=$T/mnt
t_ntfs_mount "$plain" "$mnt" 64M
mkdir -p "$mnt/Windows/System32/config" "$mnt/Users/Ann/Desktop"
printf 'rescue-bitlocker-marker\r\n' >"$mnt/Windows/System32/config/marker.txt"
head -c 300000 /dev/urandom >"$mnt/Users/Ann/Desktop/photo.jpg"
umount "$mnt"

# Each reader's view is mounted on a folder of its own, let go at exit.
dmnt=$T/dislocker bmnt=$T/bde
mkdir -p "$dmnt" "$bmnt"
t_on_exit "umount '$dmnt' 2>/dev/null; umount '$bmnt' 2>/dev/null"

# open_dislocker IMG [DISLOCKER OPTIONS]: the decrypted volume in $dmnt/dislocker-file.
open_dislocker() { img=$1; shift; timeout 120 dislocker -V "$img" "$@" -- "$dmnt" >"$T/dis.out" 2>&1; }
# open_bde IMG [BDEMOUNT OPTIONS]: the decrypted volume in $bmnt/bde1.
open_bde() { img=$1; shift; timeout 120 bdemount "$@" "$img" "$bmnt" >"$T/bde.out" 2>&1; }
close_all() { umount "$dmnt" 2>/dev/null; umount "$bmnt" 2>/dev/null; true; }

# A recovery password of the right form that is not the volume's.
WRONG=111111-222222-333333-444444-555555-666666-777777-888888

# check_reader NAME KIND IMG PW: KIND dislocker or bde opens IMG with the
# password PW and its view is the input byte for byte (ntfs-3g's ntfsls reads
# the tree in it); the wrong password opens nothing (but a suspended volume,
# NAME clear, opens without a secret: libbde takes its clear key by itself).
check_reader() {
	name=$1 kind=$2 img=$3 pw=$4
	case $kind in
	dislocker) tool=dislocker; open=open_dislocker; view=$dmnt/dislocker-file; right=-p$pw; wrong=-p$WRONG ;;
	bde) tool=bdemount; open=open_bde; view=$bmnt/bde1; right="-r $pw"; wrong="-r $WRONG" ;;
	esac
	if ! have "$tool"; then skip "$name: $tool opens it" "$tool is not installed"; return; fi
	# shellcheck disable=SC2086 # the option and its value, split on purpose
	if $open "$img" $right; then ok "$name: $tool opens it with the recovery password"
	else not_ok "$name: $tool opens it with the recovery password"; sed 's/^/#   /' "$T/$kind.out" | tail -5; fi
	expect "$name: $tool gives the NTFS input byte for byte" cmp "$view" "$plain"
	expect "$name: ntfsls reads the tree through $tool" sh -c '
		ntfsls -p /Windows/System32/config "$1" | grep -qx marker.txt &&
		ntfscat "$1" Windows/System32/config/marker.txt | grep -q rescue-bitlocker-marker' - "$view"
	close_all
	[ "$name" != clear ] || return 0
	# shellcheck disable=SC2086
	if $open "$img" $wrong && [ -s "$view" ]; then not_ok "$name: $tool refuses a wrong recovery password"
	else ok "$name: $tool refuses a wrong recovery password"; fi
	close_all
}

# check_metadata NAME IMG ID PROTECTOR METHOD MODE: cryptsetup and bdeinfo
# read the key ID and protector we wrote, and the cipher.
check_metadata() {
	name=$1 img=$2 id=$(echo "$3" | tr 'A-F' 'a-f') prot=$4 method=$5 mode=$6
	if have cryptsetup; then
		cryptsetup bitlkDump "$img" >"$T/dump" 2>&1
		expect "$name: cryptsetup bitlkDump: key ID $id, $prot protector" awk -v id="$id" -v p="$prot" '
			$1 == "GUID:" { g = $2 } $1 == "Protection:" && g == id && index($0, p) { f = 1 } END { exit !f }' "$T/dump"
		expect "$name: cryptsetup bitlkDump: cipher $mode" grep -q "Cipher mode:.*$mode" "$T/dump"
	else
		skip "$name: cryptsetup bitlkDump" "cryptsetup is not installed"
	fi
	if have bdeinfo; then
		bdeinfo "$img" >"$T/info" 2>&1
		expect "$name: bdeinfo: key ID $id" grep -q "Identifier[[:space:]]*: $id\$" "$T/info"
		expect "$name: bdeinfo: $method" grep -q "Encryption method[[:space:]]*: $method\$" "$T/info"
	else
		skip "$name: bdeinfo" "libbde-utils is not installed"
	fi
}

for case in xts cbc diffuser clear; do
	opts="--cipher xts-128" mode=xts-plain64 method="AES-XTS 128-bit"
	case $case in
	cbc) opts="--cipher cbc-128" mode=cbc-eboiv method="AES-CBC 128-bit" ;;
	diffuser) opts="--cipher cbc-128-diffuser" mode=cbc-elephant method="AES-CBC 128-bit with Diffuser" ;;
	clear) opts="$opts --clear-key" ;;
	esac
	img=$T/$case.img
	# shellcheck disable=SC2086 # options, split on purpose
	if ! "$MKBL" $opts --seed "$case" "$plain" "$img" >"$T/$case.key" 2>"$T/mk.err"; then
		not_ok "$case: mkbitlocker"; sed 's/^/#   /' "$T/mk.err"; continue
	fi
	ok "$case: mkbitlocker"
	id=$(cut -d, -f1 "$T/$case.key") pw=$(cut -d, -f2 "$T/$case.key")
	expect "$case: the volume starts with BitLocker's header, not NTFS's" sh -c '
		[ "$(dd if="$1" bs=1 skip=3 count=8 status=none)" = "-FVE-FS-" ]' - "$img"
	expect "$case: no plain text of the input is left" sh -c '! grep -q rescue-bitlocker-marker "$1"' - "$img"
	check_metadata "$case" "$img" "$id" "recovery passphrase" "$method" "$mode"
	check_reader "$case" dislocker "$img" "$pw"
	check_reader "$case" bde "$img" "$pw"
done

# Suspended: a second protector, the clear key, which opens the volume without any secret.
if have cryptsetup; then
	expect "clear: cryptsetup bitlkDump: a clear key protector too" sh -c '
		cryptsetup bitlkDump "$1" | grep -q "Protection:.*VMK protected with clear key"' - "$T/clear.img"
fi
if have bdeinfo; then
	expect "clear: bdeinfo: a clear key protector too" sh -c '
		bdeinfo "$1" | grep -q "Type[[:space:]]*: Clear key$"' - "$T/clear.img"
fi
if have dislocker; then
	open_dislocker "$T/clear.img" -c
	expect "clear: dislocker opens it with the clear key alone, byte for byte" cmp "$dmnt/dislocker-file" "$plain"
	close_all
else
	skip "clear: dislocker with the clear key" "dislocker is not installed"
fi
if have bdemount; then
	open_bde "$T/clear.img"
	expect "clear: bdemount opens it with no key, byte for byte" cmp "$bmnt/bde1" "$plain"
	close_all
else
	skip "clear: bdemount with no key" "libbde-utils is not installed"
fi

# TPM only: the VMK sealed by a TPM (opaque bytes), no recovery password protector.
if "$MKBL" --tpm-only --seed tpm "$plain" "$T/tpm.img" >"$T/tpm.key" 2>"$T/mk.err"; then
	ok "tpm: mkbitlocker --tpm-only"
	id=$(cut -d, -f1 "$T/tpm.key" | tr 'A-F' 'a-f')
	expect "tpm: no recovery password printed" grep -Eqx '[0-9A-F-]{36},' "$T/tpm.key"
	check_metadata tpm "$T/tpm.img" "$id" "VMK protected with TPM" "AES-XTS 128-bit" xts-plain64
	if have cryptsetup; then
		expect "tpm: cryptsetup bitlkDump: one protector, no recovery passphrase" sh -c '
			d=$(cryptsetup bitlkDump "$1") && [ "$(echo "$d" | grep -c "Protection:")" -eq 1 ] &&
			! echo "$d" | grep -q "recovery passphrase"' - "$T/tpm.img"
	fi
	if have bdeinfo; then
		expect "tpm: bdeinfo: one key protector, of type TPM" sh -c '
			bdeinfo "$1" | grep -q "Number of key protectors[[:space:]]*: 1$" &&
			bdeinfo "$1" | grep -q "Type[[:space:]]*: TPM$"' - "$T/tpm.img"
	fi
	if have dislocker; then
		if open_dislocker "$T/tpm.img" -p"$WRONG" && [ -s "$dmnt/dislocker-file" ]; then
			not_ok "tpm: dislocker opens nothing with a recovery password"
		else ok "tpm: dislocker opens nothing with a recovery password"; fi
		close_all
	fi
else
	not_ok "tpm: mkbitlocker --tpm-only"; sed 's/^/#   /' "$T/mk.err"
fi

# The disk image: win10-gpt's layout, the Windows partition encrypted, the key beside it.
disk=$T/disk/bitlocker-win10.img
mkdir -p "$T/disk"
if ! t_image bitlocker-win10 "$disk"; then
	not_ok "build.sh bitlocker-win10"; t_done; exit
fi
ok "build.sh bitlocker-win10"
id=$(cut -d, -f1 "$disk.key") pw=$(cut -d, -f2 "$disk.key")
expect "bitlocker-win10: the key file says KEY-ID,RECOVERY-PASSWORD" sh -c '
	grep -Eqx "[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12},[0-9]{6}(-[0-9]{6}){7}" "$1"' - "$disk.key"
expect "bitlocker-win10: the recovery key file, UTF-16LE, names the ID and the password" sh -c '
	f="$1/BitLocker Recovery Key $2.TXT"
	[ "$(head -c 2 "$f" | od -An -tx1 | tr -d " ")" = fffe ] &&
	iconv -f UTF-16 -t UTF-8 "$f" >"$1/txt" && grep -q "$2" "$1/txt" && grep -q "$3" "$1/txt"' - "$T/disk" "$id" "$pw"
off=$(sfdisk -q -l -o Start "$disk" | awk 'NR == 4 { print $1 * 512 }')
expect "bitlocker-win10: partition 3 is a BitLocker volume" sh -c '
	[ "$(dd if="$1" bs=1 skip=$(($2 + 3)) count=8 status=none)" = "-FVE-FS-" ]' - "$disk" "$off"
if have dislocker && have bdemount; then
	open_dislocker "$disk" -O "$off" -p"$pw"
	open_bde "$disk" -o "$off" -r "$pw"
	# libbde ends the volume where NTFS ends; dislocker shows the whole
	# partition, with the last MiB (outside NTFS: the metadata) as it keeps it
	expect "bitlocker-win10: dislocker and bdemount give the same NTFS volume" sh -c '
		n=$(stat -c %s "$2") && [ "$n" -gt 0 ] && cmp -n "$n" "$1" "$2"' - "$dmnt/dislocker-file" "$bmnt/bde1"
	expect "bitlocker-win10: the Windows tree and its infections, read by ntfsls" sh -c '
		ntfsinfo -m "$1" | grep -q "Volume Name: Windows$" &&
		ntfsls -p /Windows/System32/config "$1" | grep -qx SOFTWARE &&
		ntfsls "$1" | grep -qx autorun.inf' - "$dmnt/dislocker-file"
	close_all
else
	skip "bitlocker-win10: dislocker and bdemount" "dislocker or libbde-utils is not installed"
fi
t_attach "$disk" 3
check_metadata bitlocker-win10 "$t_loop" "$id" "recovery passphrase" "AES-XTS 128-bit" xts-plain64
t_detach

t_done
