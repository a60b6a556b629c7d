#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# BitLocker volumes opened through dislocker (rescue/disk/unlock.h) with the
# recovery keys technicians get (rescue/disk/blkeys.h): detect names the
# protectors and the key ID; --bitlocker-key and --bitlocker-keys (Windows'
# UTF-16 TXT, an AD CSV, an Intune CSV, ID,KEY lines) open the infected
# bitlocker-win10 disk; contain, scan --quarantine and undo work inside the
# encrypted volume, judged on the host by dislocker itself with hivexget,
# ntfsls and ntfscat; auto with the keys folder is RED, without it YELLOW
# "needs recovery key <ID>".  Bad keys and key files, and the signature-only
# `bitlocker` image: one clear line, the image byte-identical.  A TPM-only
# volume: detect lists its protector, a keys folder cannot help (said in one
# line with the TPM key ID), auto is YELLOW, the image byte-identical.  The key is
# never printed; kill -TERM mid-run leaves no mount, dislocker or loop device.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ]; then skip "bitlocker unlock" "needs root and FUSE"; t_done; exit; fi
if ! command -v dislocker >/dev/null; then skip "bitlocker unlock" "dislocker is not installed"; t_done; exit; fi
export RESCUE_RUNDIR="$T/run"
img=$T/bl.img
t_image bitlocker-win10 "$img" || { not_ok "build bitlocker-win10"; t_done; exit; }
t_image bitlocker "$T/sig.img" || not_ok "build bitlocker"
ID=$(cut -d, -f1 "$img.key") KEY=$(cut -d, -f2 "$img.key")
TXT="$T/BitLocker Recovery Key $ID.TXT"
R() { timeout 300 "$RESCUE" "$@"; }
same() { sha256sum "$img" | cut -d' ' -f1; }
sum0=$(same)

# The host's own view of the encrypted volume: dislocker read-only.
dmnt=$T/dis
mkdir -p "$dmnt"
t_on_exit "umount '$dmnt' 2>/dev/null"
view_open() {
	t_attach "$img" 3 && timeout 120 dislocker -r -V "$t_loop" -p"$KEY" -- "$dmnt" >/dev/null 2>&1
}
view_close() { umount "$dmnt"; t_detach; }
hive_value() {  # HIVE KEY VALUE, from the volume as dislocker shows it
	ntfscat "$dmnt/dislocker-file" "Windows/System32/config/$1" >"$T/hive" && hivexget "$T/hive" "$2" "$3"
}

# --- detect, no key: protectors and key ID, exit 3, nothing written
R --disk "$img" detect >"$T/out" 2>&1; rc=$?
expect "detect, no key: exit 3, 'needs recovery key $ID'" sh -c '[ "$1" -eq 3 ] && grep -q "needs recovery key $2" "$3"' - "$rc" "$ID" "$T/out"
expect "detect: the key protectors, the cipher, not suspended" grep -q "bitlocker: bl.img p3: AES-XTS 128-bit, protected; key protectors: recovery password $ID" "$T/out"
R --disk "$img" --json detect >"$T/json" 2>/dev/null
expect "detect --json: the protector's type and key ID, suspended false" sh -c '
	grep -q "\"bitlocker\":{\"unlocked\":false,\"method\":\"AES-XTS 128-bit\"" "$1" &&
	grep -q "\"suspended\":false,\"protectors\":\\[{\"type\":\"recovery password\",\"id\":\"$2\"}\\]" "$1"' - "$T/json" "$ID"
expect "detect: the image byte-identical" test "$(same)" = "$sum0"

# --- bad keys: said before or after trying, one line, nothing written
WRONG_SUM=297770-225016-486332-360613-711832-145068-029238-226580
WRONG_KEY=000011-000022-000033-000044-000055-000066-000077-000088
R --disk "$img" --bitlocker-key "$WRONG_SUM" detect >"$T/out" 2>&1; rc=$?
expect "wrong checksum: exit 2, the group named before trying" sh -c '[ "$1" -eq 2 ] && grep -q "group 8 of the recovery password .* is mistyped" "$2" && [ "$(wc -l <"$2")" -eq 1 ]' - "$rc" "$T/out"
R --disk "$img" --bitlocker-key "$WRONG_KEY" detect >"$T/out" 2>&1; rc=$?
expect "right checksum, wrong key: exit 3, 'this key does not open $ID'" sh -c '[ "$1" -eq 3 ] && grep -q "^rescue: .*this key does not open $2" "$3"' - "$rc" "$ID" "$T/out"
mkdir -p "$T/other" "$T/damaged"
echo "11111111-2222-3333-4444-555555555555,$KEY" >"$T/other/other.csv"
R --disk "$img" --bitlocker-keys "$T/other" detect >"$T/out" 2>&1; rc=$?
expect "a key file for another key ID: exit 3, 'needs recovery key $ID'" sh -c '[ "$1" -eq 3 ] && grep -q "needs recovery key $2" "$3"' - "$rc" "$ID" "$T/out"
head -c 200000 /dev/urandom >"$T/damaged/random.TXT"
printf '\377\376\101' >"$T/damaged/odd.TXT"
printf '%s,%s\n' "$ID" "297770-225016-486332-360613-711832-145068-029238-226580" >"$T/damaged/typo.csv"
mkfifo "$T/damaged/fifo.csv"
ln -s /etc/shadow "$T/damaged/link.csv"
R --disk "$img" --bitlocker-keys "$T/damaged" detect >"$T/out" 2>&1; rc=$?
expect "damaged key files (random, odd UTF-16, a typo, a FIFO, a link): exit 3, the typo named by file:line" sh -c '
	[ "$1" -eq 3 ] && grep -q "needs recovery key" "$2" && grep -q "typo.csv:1: a recovery password whose checksum fails" "$2"' - "$rc" "$T/out"
expect "bad keys: the image byte-identical" test "$(same)" = "$sum0"

# --- every form of key file opens it, by key ID
mkdir -p "$T/keys-txt" "$T/keys-ad" "$T/keys-intune" "$T/keys-plain"
cp "$TXT" "$T/keys-txt/"
printf '"DistinguishedName","msFVE-RecoveryPassword"\r\n"CN=2026-01-05T10:11:12-08:00{%s},CN=DESKTOP-M3OSHQU,OU=PCs,DC=example,DC=org","%s"\r\n' "$ID" "$KEY" >"$T/keys-ad/ad.csv"
printf 'Device name,BitLocker Key Id,Recovery Key\nOTHER,{11111111-2222-3333-4444-555555555555},%s\nDESKTOP-M3OSHQU,%s,%s\n' "$WRONG_KEY" "$(echo "$ID" | tr A-F a-f)" "$KEY" >"$T/keys-intune/intune.csv"
cp "$img.key" "$T/keys-plain/keys.txt"
for k in txt ad intune plain; do
	R --disk "$img" --bitlocker-keys "$T/keys-$k" detect >"$T/out" 2>&1; rc=$?
	expect "--bitlocker-keys ($k): unlocked, Windows found, the key file and key ID named" sh -c '
		[ "$1" -eq 0 ] && grep -q "^1 .* ntfs .*unlocked .*DESKTOP-M3OSHQU" "$2" &&
		grep -q "unlocked with the recovery key from keys-$3/.*, key ID $4" "$2"' - "$rc" "$T/out" "$k" "$ID"
done
expect "opening read-only: the image byte-identical" test "$(same)" = "$sum0"

# --- writing inside the encrypted volume, judged by dislocker on the host
R --disk "$img" --bitlocker-key "$(echo "$KEY" | tr -d -)" --yes contain >"$T/contain" 2>&1; rc=$?
expect "contain --bitlocker-key (dashes left out): exit 0" test "$rc" -eq 0
R --disk "$img" --bitlocker-keys "$T/keys-txt" --yes scan --quarantine >"$T/scan" 2>&1; rc=$?
expect "scan --quarantine --bitlocker-keys: exit 1 (detections)" test "$rc" -eq 1
if view_open; then
	expect "host: Schedule Start = 4 (hivexget)" test "$(hive_value SYSTEM '\ControlSet001\Services\Schedule' Start)" = 4
	expect "host: AutoShareWks = 0 (hivexget)" test "$(hive_value SYSTEM '\ControlSet001\Services\LanmanServer\Parameters' AutoShareWks)" = 0
	expect "host: hosts blocks the C2 names (ntfscat)" sh -c 'ntfscat "$1" Windows/System32/drivers/etc/hosts | grep -q "^0.0.0.0 "' - "$dmnt/dislocker-file"
	tmp=$(grep "^Windows/Temp/.*Qakbot_Hardcoded_Key_2023" "$img.manifest" | cut -f1)
	expect "host: ${tmp:-the Temp sample} quarantined (ntfsls), Rescue/quarantine filled" sh -c '
		[ -n "$2" ] && ! ntfsls "$1" -p /Windows/Temp | grep -qx "${2##*/}" &&
		[ "$(ntfsls "$1" -p /Rescue/quarantine | wc -l)" -gt 0 ]' - "$dmnt/dislocker-file" "$tmp"
	view_close
else
	not_ok "host: dislocker opens the volume after the run"
fi
R --disk "$img" --bitlocker-keys "$T/keys-plain" --yes undo all >"$T/undo" 2>&1; rc=$?
sed "s/^/#   undo: /" "$T/undo"
expect "undo all --bitlocker-keys: exit 0" test "$rc" -eq 0
if view_open; then
	expect "host, after undo: Schedule Start = 2 again" test "$(hive_value SYSTEM '\ControlSet001\Services\Schedule' Start)" = 2
	expect "host, after undo: ${tmp##*/} back" sh -c 'ntfsls "$1" -p /Windows/Temp | grep -qx "$2"' - "$dmnt/dislocker-file" "${tmp##*/}"
	view_close
else
	not_ok "host: dislocker opens the volume after undo"
fi
expect "the key never appears in any output" sh -c '! cat "$1"/out "$1"/contain "$1"/scan "$1"/undo | grep -q -e "$2" -e "$(echo "$2" | tr -d -)"' - "$T" "$KEY"

# --- auto: with the keys folder RED and contained; without YELLOW, nothing written
cp --sparse=always "$TOP/build/images/bitlocker-win10.img" "$img"; sum0=$(same)
mkdir -p "$T/stick/keys" "$T/stick/reports"
cp "$TXT" "$T/stick/keys/"
printf 'bitlocker_keys = %s\nreports_dir = %s\n' "$T/stick/keys" "$T/stick/reports" >"$T/with.conf"
printf 'reports_dir = %s\n' "$T/stick/reports" >"$T/without.conf"
R --disk "$img" auto --config "$T/without.conf" >"$T/out" 2>&1; rc=$?
expect "auto, no key: YELLOW (exit 3: no installation), 'needs recovery key $ID'" sh -c '[ "$1" -eq 3 ] && grep -q "VERDICT YELLOW" "$2" && grep -q "needs recovery key $3" "$2"' - "$rc" "$T/out" "$ID"
expect "auto, no key: the image byte-identical" test "$(same)" = "$sum0"
R --disk "$img" auto --config "$T/with.conf" >"$T/out" 2>&1; rc=$?
expect "auto, keys/ on the stick: RED (exit 1), contained" sh -c '[ "$1" -eq 1 ] && grep -q "VERDICT RED" "$2" && grep -q "contain .*contained" "$2"' - "$rc" "$T/out"
expect "auto: the report says which key file and key ID, never the key" sh -c '
	grep -rq "unlocked with the recovery key from keys/BitLocker Recovery Key $2.TXT, key ID $2" "$1" &&
	! grep -rq -e "$3" "$1"' - "$T/stick/reports" "$ID" "$KEY"
if view_open; then
	expect "host, after auto: Schedule Start = 4" test "$(hive_value SYSTEM '\ControlSet001\Services\Schedule' Start)" = 4
	view_close
fi

# --- the signature-only volume (no metadata): BitLocker, clear line, YELLOW
s0=$(sha256sum "$T/sig.img" | cut -d' ' -f1)
R --disk "$T/sig.img" --bitlocker-key "$KEY" detect >"$T/out" 2>&1; rc=$?
expect "signature-only: exit 3, called BitLocker, the metadata fault said" sh -c '[ "$1" -eq 3 ] && grep -q "BitLocker" "$2" && grep -q "^rescue: .*encrypted with BitLocker: damaged BitLocker" "$2"' - "$rc" "$T/out"
R --disk "$T/sig.img" auto --config "$T/with.conf" >"$T/out" 2>&1; rc=$?
expect "signature-only auto: YELLOW, the image byte-identical" sh -c '[ "$1" -eq 3 ] && grep -q "VERDICT YELLOW" "$4" && [ "$(sha256sum "$2" | cut -d" " -f1)" = "$3" ]' - "$rc" "$T/sig.img" "$s0" "$T/out"

# --- a suspended volume (a clear key): opens with no key at all
plain=$T/plain.img
t_ntfs_mount "$plain" "$T/pmnt" 64M
mkdir -p "$T/pmnt/Windows/System32/config"
umount "$T/pmnt"
if make -s -C "$TOP" build/tools/mkbitlocker >/dev/null 2>&1 &&
   "$TOP/build/tools/mkbitlocker" --clear-key --seed suspended "$plain" "$T/clear.img" >/dev/null 2>&1; then
	R --disk "$T/clear.img" detect >"$T/out" 2>&1
	expect "suspended: detect says so and opens it with its clear key, no key given" sh -c '
		grep -q "protection suspended (opens with no key)" "$1" && grep -q " ntfs .*unlocked" "$1" &&
		grep -q "unlocked with its clear key" "$1"' - "$T/out"
else
	not_ok "mkbitlocker --clear-key"
fi

# --- BitLocker's own areas (3 metadata blocks, the moved NTFS header) must be
# clusters NTFS holds as used before anything is written: a Windows tree on a
# plain NTFS.  "free": mkbitlocker takes its last zero regions, free clusters.
# "covered": its free space made random, then a zero file in System Volume
# Information (as Windows' FVE2 files), the only zero regions left.
# Suspended, so no key is needed.
# fve_owners IMG PLAIN: what ntfscluster says owns each area's clusters in PLAIN.
fve_owners() {
	for o in $(cryptsetup bitlkDump "$1" | awk '$1 == "Offset:" { print $2 }'); do
		c=$((o / 4096)); ntfscluster -c "$c-$((c + 15))" "$2" | tail -1
	done
}
sh "$TOP/tests/fixtures/mktree.sh" win10 "$T/wtree" >/dev/null || not_ok "mktree.sh win10"
for fve in free covered; do
	t_ntfs_mount "$T/$fve-plain.img" "$T/wmnt" 96M
	cp -a "$T/wtree/." "$T/wmnt/"
	if [ $fve = covered ]; then
		dd if=/dev/urandom of="$T/wmnt/fill" bs=1M status=none 2>/dev/null; sync; rm "$T/wmnt/fill"
		mkdir "$T/wmnt/System Volume Information"
		avail=$(df -k --output=avail "$T/wmnt" | tail -1)
		head -c $(((avail - 40960) * 1024)) /dev/zero >"$T/wmnt/System Volume Information/FVE2.{e40ad34d-dae9-4bc7-95bd-b16218c10f72}"
	fi
	umount "$T/wmnt"
	"$TOP/build/tools/mkbitlocker" --clear-key --seed "$fve" "$T/$fve-plain.img" "$T/$fve.img" >/dev/null || not_ok "mkbitlocker $fve"
done
if command -v cryptsetup >/dev/null; then
	expect "free: ntfscluster: no file owns any of BitLocker's areas" sh -c '
		[ "$(echo "$1" | grep -c "no inode found")" -eq 4 ]' - "$(fve_owners "$T/free.img" "$T/free-plain.img")"
	expect "covered: ntfscluster: the FVE2 file owns every one of BitLocker's areas" sh -c '
		[ "$(echo "$1" | grep -c "one inode found")" -eq 4 ]' - "$(fve_owners "$T/covered.img" "$T/covered-plain.img")"
else
	skip "where BitLocker's areas lie (ntfscluster)" "cryptsetup is not installed"
fi
f0=$(sha256sum "$T/free.img" | cut -d' ' -f1)
R --disk "$T/free.img" --yes contain >"$T/out" 2>"$T/err"; rc=$?
expect "free: contain refused, exit 3, one line: the metadata block in clusters NTFS counts as free" sh -c '
	[ "$1" -eq 3 ] && [ "$(grep -c "^rescue: free.img: BitLocker.s metadata block 1 (at byte 0x[0-9a-f]*) lies in clusters NTFS counts as free: .* read-only for this run$" "$2")" -eq 1 ]' - "$rc" "$T/err"
R --disk "$T/free.img" auto --config "$T/without.conf" >"$T/out" 2>&1; rc=$?
expect "free: auto YELLOW (exit 4), read-only with that reason, contain skipped" sh -c '
	[ "$1" -eq 4 ] && grep -q "VERDICT YELLOW" "$2" && grep -q "read-only (free.img: BitLocker.s metadata block 1 .*counts as free" "$2"' - "$rc" "$T/out"
expect "free: the image byte-identical" test "$(sha256sum "$T/free.img" | cut -d' ' -f1)" = "$f0"
R --disk "$T/covered.img" --yes contain >"$T/out" 2>&1; rc=$?
expect "covered: contain writes (exit 0)" test "$rc" -eq 0
mkdir -p "$T/cov"
if timeout 120 dislocker -r -c -V "$T/covered.img" -- "$T/cov" >/dev/null 2>&1; then
	ntfscat "$T/cov/dislocker-file" Windows/System32/config/SYSTEM >"$T/hive"
	expect "covered: dislocker still opens it after the write, Schedule Start = 4 (hivexget)" \
		test "$(hivexget "$T/hive" '\ControlSet001\Services\Schedule' Start)" = 4
	umount "$T/cov"
else
	not_ok "covered: dislocker still opens it after the write"
fi

# --- TPM only (no recovery password protector): said with its key ID, YELLOW, nothing written
if "$TOP/build/tools/mkbitlocker" --tpm-only --seed tpm-only "$plain" "$T/tpm.img" >"$T/tpm.key" 2>/dev/null; then
	TID=$(cut -d, -f1 "$T/tpm.key")
	t0=$(sha256sum "$T/tpm.img" | cut -d' ' -f1)
	R --disk "$T/tpm.img" detect >"$T/out" 2>&1; rc=$?
	expect "TPM only: detect lists the protector as TPM, exit 3" sh -c '
		[ "$1" -eq 3 ] && grep -q "bitlocker: tpm.img: AES-XTS 128-bit, protected; key protectors: TPM$" "$2"' - "$rc" "$T/out"
	R --disk "$T/tpm.img" --bitlocker-keys "$T/stick/keys" detect >"$T/out" 2>"$T/err"; rc=$?
	expect "TPM only, --bitlocker-keys: exit 3, one line: no recovery password protector, the TPM key ID" sh -c '
		[ "$1" -eq 3 ] && [ "$(wc -l <"$2")" -eq 1 ] &&
		grep -q "^rescue: tpm.img is encrypted with BitLocker: .*has no recovery password protector (only TPM key ID $3): no recovery key can open it here$" "$2"' - "$rc" "$T/err" "$TID"
	R --disk "$T/tpm.img" auto --config "$T/with.conf" >"$T/out" 2>&1; rc=$?
	expect "TPM only, auto with the keys folder: YELLOW (exit 3), the reason said" sh -c '
		[ "$1" -eq 3 ] && grep -q "VERDICT YELLOW" "$2" && grep -q "has no recovery password protector (only TPM key ID $3)" "$2"' - "$rc" "$T/out" "$TID"
	expect "TPM only: the image byte-identical" test "$(sha256sum "$T/tpm.img" | cut -d' ' -f1)" = "$t0"
else
	not_ok "mkbitlocker --tpm-only"
fi

# --- kill -TERM while unlocked: ntfs-3g, the loop device, dislocker all go
"$RESCUE" --disk "$img" --bitlocker-keys "$T/keys-plain" scan >/dev/null 2>&1 &
pid=$!
n=0
while [ $n -lt 600 ] && ! grep -q "$RESCUE_RUNDIR/.*fuseblk" /proc/mounts; do sleep 0.1; n=$((n + 1)); done
kill -TERM "$pid"; wait "$pid"
expect "kill -TERM: no mount left" sh -c '! grep -F "$1" /proc/mounts' - "$T"
expect "kill -TERM: no dislocker left" sh -c '! pgrep -a dislocker | grep -qF "$1"' - "$RESCUE_RUNDIR"
expect "kill -TERM: no loop device left" sh -c 'sleep 1; ! losetup -a | grep -F -e "$1" -e "$2"' - "$img" "$RESCUE_RUNDIR"
t_done
