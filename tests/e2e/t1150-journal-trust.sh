#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 9 of issue 19: undo trusts only journal entries it can tie to a
# rescue run (rescue/base/journal.h).  After a real `contain`, crafted lines are
# appended (unsigned, and with a MAC forged by one who knows the format but
# not the key) and a genuine line is edited: `undo all` names each of them
# with its line number and reason, exits 4, writes nothing they ask for, and
# still undoes every genuine entry; hivexregedit's export of each hive and
# hivexget judge.  A journal written without a key store (a CD boot, or a
# rescue from before signing) is undone only with --trust-unsigned, and even
# then never outside the places rescue changes.  The same on an NTFS image
# through --disk, the crafted line written through ntfs-3g.  Every run under
# timeout: a hang is a failure.
# shellcheck disable=SC2016,SC2154 # sh -c scripts take their arguments as $1...; t_loop is set by tests/lib.sh
. "$(dirname "$0")/../lib.sh"

run() { timeout 120 "$RESCUE" "$@"; }
# what the last expect_exit printed (expect itself writes $T/.out)
last() { cp "$T/.out" "$T/last"; }

# Canonical dump of a hive: "key|line" sorted, so value order does not matter.
dump() {
	hivexregedit --export "$1" '\' 2>/dev/null |
		awk '/^\[/ { key = $0; print key "|"; next } /^$/ { next } { print key "|" $0 }' | LC_ALL=C sort
}

same_hive() {	# same_hive DESC WANT-HIVE GOT-HIVE
	dump "$2" >"$T/want"
	dump "$3" >"$T/got"
	if [ -s "$T/want" ] && cmp -s "$T/want" "$T/got"; then ok "$1"
	else not_ok "$1"; diff "$T/want" "$T/got" | head -10 | sed 's/^/#   /'; fi
}

absent() {	# absent DESC HIVE KEY VALUE: hivexget finds no such value
	if hivexget "$2" "$3" "$4" >/dev/null 2>&1; then not_ok "$1"; else ok "$1"; fi
}

# A crafted entry: what a worm that read our source would append.  $1 seq,
# $2 key (JSON-escaped), $3 value, $4 extra members (a kid and a MAC).
crafted() {
	printf '{"seq":%s,"run":"20261203T000000Z","item":"autorun","kind":"value","hive":"Windows/System32/config/SOFTWARE","key":"%s","value":"%s","old_type":1,"old":"43003a005c0077002e00650078006500","new_type":1,"new":null%s}\n' "$1" "$2" "$3" "$4"
}

tree=$T/w
sh "$TOP/tests/fixtures/mktree.sh" win10 "$tree"
cp -a "$tree" "$T/orig"
cfg=Windows/System32/config
journal=$tree/Rescue/journal.jsonl

# --- a signed journal, then crafted and edited lines --------------------------
expect_exit 0 "contain writes a signed journal" run --root "$tree" --yes contain
expect "every line carries a key id and a MAC" sh -c '! grep -v "\"kid\":\"[0-9a-f]\{16\}\",\"mac\":\"[0-9a-f]\{64\}\"}$" "$1"' - "$journal"
expect "the key was made in the key store, 0600" sh -c '[ "$(stat -c %a "$1/journal.key")" = 600 ]' - "$RESCUE_STATE_DIR"
cp "$tree/$cfg/SYSTEM" "$T/SYSTEM.contained"

n=$(wc -l <"$journal")
mkdir -p "$tree/Users/Public"
printf '0.0.0.0 windowsupdate.microsoft.com\n' >"$tree/Users/Public/hosts"
kid=$(sed -n '1s/.*"kid":"\([0-9a-f]*\)".*/\1/p' "$journal")
# the Schedule Start entry: its old data edited (2 -> 3)
sched=$(grep -n '"key":"ControlSet001\\\\Services\\\\Schedule","value":"Start"' "$journal" | cut -d: -f1)
sed -i "${sched}s/\"old\":\"02000000\"/\"old\":\"03000000\"/" "$journal"
expect "the Schedule Start line was edited" grep -q '"old":"03000000"' "$journal"
{
	crafted 901 'Microsoft\\Windows\\CurrentVersion\\Run' worm ''
	crafted 902 'Microsoft\\Windows\\CurrentVersion\\Run' worm2 ",\"kid\":\"$kid\",\"mac\":\"$(printf %064d 0)\""
	crafted 903 'Microsoft\\Cryptography' MachineGuid ''
	# the hosts file "restored" from a backup of the worm's, outside Rescue/backup/
	printf '{"seq":904,"run":"20261203T000000Z","item":"hosts","kind":"file","path":"Windows/System32/drivers/etc/hosts","backup":"Users/Public/hosts","old_sha256":"%s","new_sha256":"%s"}\n' \
		"$(sha256sum <"$tree/Users/Public/hosts" | cut -c1-64)" "$(sha256sum <"$tree/Windows/System32/drivers/etc/hosts" | cut -c1-64)"
} >>"$journal"
cp "$journal" "$T/journal.before"

expect_exit 4 "undo all: exit 4 (entries skipped)" run --root "$tree" --yes undo all
cp "$T/.out" "$T/undo.out"
sed 's/^/# /' "$T/undo.out" | head -40
expect "the edited line is named, with its number" grep -q "^SKIPPED .*Schedule Start: journal line $sched untrusted: its MAC does not verify" "$T/undo.out"
expect "the unsigned crafted line is named" grep -q "Run worm: journal line $((n + 1)) untrusted: unsigned" "$T/undo.out"
expect "the forged-MAC line is named" grep -q "Run worm2: journal line $((n + 2)) untrusted: its MAC does not verify" "$T/undo.out"
expect "the third crafted line is named" grep -q "MachineGuid: journal line $((n + 3)) untrusted" "$T/undo.out"
expect "the crafted hosts line is named" grep -q "hosts: journal line $((n + 4)) untrusted: unsigned" "$T/undo.out"
expect "the summary says entries were skipped" grep -q "5 untrusted journal entries skipped" "$T/undo.out"
expect "the genuine entries were undone" sh -c '[ "$(grep -c "^undone " "$1")" -ge 15 ]' - "$T/undo.out"
absent "hivexget: no Run\\worm was written" "$tree/$cfg/SOFTWARE" '\Microsoft\Windows\CurrentVersion\Run' worm
absent "hivexget: no Run\\worm2 was written" "$tree/$cfg/SOFTWARE" '\Microsoft\Windows\CurrentVersion\Run' worm2
same_hive "SOFTWARE export = the original's (genuine entries undone, nothing crafted)" "$T/orig/$cfg/SOFTWARE" "$tree/$cfg/SOFTWARE"
expect "hivexget: Schedule Start still 4 (its edited entry was not trusted)" \
	sh -c '[ "$(hivexget "$1" "\\ControlSet001\\Services\\Schedule" Start)" = 4 ]' - "$tree/$cfg/SYSTEM"
expect "hivexget: AutoShareWks gone again (genuine)" sh -c '! hivexget "$1" "\\ControlSet001\\Services\\LanmanServer\\Parameters" AutoShareWks' - "$tree/$cfg/SYSTEM"
same_hive "DEFAULT export = the original's" "$T/orig/$cfg/DEFAULT" "$tree/$cfg/DEFAULT"
expect "hosts byte-identical to the original" cmp "$T/orig/Windows/System32/drivers/etc/hosts" "$tree/Windows/System32/drivers/etc/hosts"
expect "the crafted lines are kept (undo never rewrites the journal)" sh -c 'head -n "$(wc -l <"$1")" "$2" | cmp -s - "$1"' - "$T/journal.before" "$journal"

expect_exit 4 "undo all again: the untrusted entries are still listed, nothing else to do" run --root "$tree" --yes undo all
last
expect "... and nothing was undone twice" sh -c '! grep -q "^undone" "$1" && [ "$(grep -c "^SKIPPED" "$1")" = 5 ]' - "$T/last"
run --root "$tree" --json --yes undo all >"$T/undo.json" 2>/dev/null
expect "undo --json is valid JSON" /usr/bin/python3 -m json.tool "$T/undo.json"
expect "undo --json: the skipped steps say trusted false and their line" /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["steps"]
bad = [x for x in s if not x["trusted"]]
sys.exit(not (len(bad) == 5 and all(not x["ok"] and x["line"] > 0 for x in bad)))' "$T/undo.json"

# --trust-unsigned: the unsigned Run\worm line is then reverted (it is a place
# rescue changes), the MachineGuid one still not; forged MACs never
expect_exit 4 "undo all --trust-unsigned: still exit 4 (forged and out of place)" \
	run --root "$tree" --yes undo all --trust-unsigned
last
expect "... MachineGuid refused: not a place rescue changes" grep -q "MachineGuid: journal line $((n + 3)) untrusted: not a place rescue changes" "$T/last"
expect "... the unsigned Run\\worm entry reverted, as asked" grep -q "^undone .*Run worm -> " "$T/last"
expect "... the hosts line refused: its backup is not under Rescue/backup/" grep -q "hosts: journal line $((n + 4)) untrusted: not a file rescue changes, or its backup is not under Rescue/backup/" "$T/last"
expect "... hosts still byte-identical to the original" cmp "$T/orig/Windows/System32/drivers/etc/hosts" "$tree/Windows/System32/drivers/etc/hosts"
absent "hivexget: no MachineGuid was written" "$tree/$cfg/SOFTWARE" '\Microsoft\Cryptography' MachineGuid
absent "hivexget: still no Run\\worm2" "$tree/$cfg/SOFTWARE" '\Microsoft\Windows\CurrentVersion\Run' worm2

# another key store: nothing is trusted, nothing is written
mkdir -p "$T/other"
printf '%064d\n' 1 >"$T/other/journal.key"
cp "$tree/$cfg/SYSTEM" "$T/SYSTEM.before"
expect_exit 4 "undo with another key: exit 4" env RESCUE_STATE_DIR="$T/other" timeout 120 "$RESCUE" --root "$tree" --yes undo all
last
expect "... each line says it was signed with another key" grep -q "signed with another key" "$T/last"
expect "... SYSTEM byte-identical" cmp "$T/SYSTEM.before" "$tree/$cfg/SYSTEM"

# hostile signature members: refused with a reason (exit 4) or the whole
# journal refused as damaged (exit 3), never a crash or a hang, nothing written
long=$(printf '%0600d' 7)
for extra in ",\"kid\":\"$long\",\"mac\":\"$long\"" ",\"mac\":\"zz$(printf %062d 0)\"" \
	",\"kid\":7,\"mac\":null" ",\"kid\":\"$kid\",\"mac\":\"$(printf %064d 0)\",\"mac\":\"$(printf %064d 1)\"" \
	",\"kid\":\"$kid\",\"mac\":\"\\u0030$(printf %063d 0)\""; do
	cp "$T/journal.before" "$journal"
	crafted 905 'Microsoft\\Windows\\CurrentVersion\\Run' worm3 "$extra" >>"$journal"
	for h in SOFTWARE SYSTEM; do cp "$tree/$cfg/$h" "$T/$h.before"; done
	run --root "$tree" --yes undo all >"$T/h.out" 2>&1; rc=$?
	expect "hostile signature $(printf %.30s "$extra")...: exit $rc, a reason, nothing written" \
		sh -c '{ [ "$1" = 4 ] && grep -q "worm3: journal line [0-9]* untrusted" "$2"; } || [ "$1" = 3 ]
		cmp -s "$3/SOFTWARE.before" "$4/SOFTWARE" && cmp -s "$3/SYSTEM.before" "$4/SYSTEM"' - "$rc" "$T/h.out" "$T" "$tree/$cfg"
done

# --- an unsigned journal: a CD boot, or a rescue from before signing ----------
rm -rf "$tree" && cp -a "$T/orig" "$tree"
expect_exit 0 "contain without a key store (RESCUE_STATE_DIR empty)" env RESCUE_STATE_DIR= timeout 120 "$RESCUE" --root "$tree" --yes contain
expect "no line carries a MAC" sh -c '! grep -q "\"mac\"" "$1"' - "$journal"
for h in SOFTWARE SYSTEM DEFAULT; do cp "$tree/$cfg/$h" "$T/$h.contained"; done
run --root "$tree" --yes undo >"$T/u.out" 2>"$T/u.err"
expect "undo of an unsigned journal: exit 4, the summary on stderr" sh -c '[ "$1" = 4 ] && grep -q "^rescue: [0-9]* untrusted journal entries skipped" "$2"' - $? "$T/u.err"
expect "... every entry skipped as unsigned, naming --trust-unsigned" sh -c 'grep -q "^SKIPPED" "$1" &&
	! grep -v "^SKIPPED .*unsigned.*--trust-unsigned" "$1" | grep -q .' - "$T/u.out"
for h in SOFTWARE SYSTEM DEFAULT; do
	expect "... $h byte-identical" cmp "$T/$h.contained" "$tree/$cfg/$h"
done
expect_exit 0 "undo --trust-unsigned: exit 0" run --root "$tree" --yes undo --trust-unsigned
for h in SOFTWARE SYSTEM DEFAULT; do
	same_hive "... $h export = the original's" "$T/orig/$cfg/$h" "$tree/$cfg/$h"
done
expect "... hosts byte-identical" cmp "$T/orig/Windows/System32/drivers/etc/hosts" "$tree/Windows/System32/drivers/etc/hosts"
expect_exit 2 "undo --bogus is a usage error" run --root "$tree" --yes undo --bogus

# a key store that cannot be written (a write-protected stick): the run goes
# on, its journal unsigned
if [ "$(id -u)" -eq 0 ] && mkdir -p "$T/ro" && mount -t tmpfs -o ro,size=1m tmpfs "$T/ro" 2>/dev/null; then
	t_on_exit "umount '$T/ro' 2>/dev/null"
	rm -rf "$tree" && cp -a "$T/orig" "$tree"
	expect_exit 0 "contain with a read-only key store goes on" env RESCUE_STATE_DIR="$T/ro/state" timeout 120 "$RESCUE" --root "$tree" --yes contain
	expect "... its journal unsigned" sh -c '[ -s "$1" ] && ! grep -q "\"mac\"" "$1"' - "$journal"
	umount "$T/ro"
else
	skip "read-only key store" "needs root and a tmpfs mount"
fi

# --- the same through --disk on an NTFS image --------------------------------
if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/fuse ] || ! command -v ntfs-3g >/dev/null; then
	skip "--disk journal trust" "needs root, /dev/fuse and ntfs-3g"; t_done; exit
fi
export RESCUE_RUNDIR="$T/run"
i=$T/win10-gpt.img
if ! t_image win10-gpt "$i"; then not_ok "build win10-gpt"; t_done; exit; fi
expect_exit 0 "--disk: contain" run --disk "$i" --yes contain
# partition 3 read-write through a loop device and ntfs-3g, the crafted line appended
# shellcheck disable=SC2046 # START SIZE, split on purpose
set -- $(sfdisk -q -l -o Start,Sectors "$i" | awk 'NR == 4 { print $1 * 512, $2 * 512 }')
loop=$(losetup -f --show -o "$1" --sizelimit "$2" "$i")
t_on_exit "losetup -d '$loop' 2>/dev/null"
mkdir -p "$T/mnt"
t_on_exit "umount '$T/mnt' 2>/dev/null"
if ntfs-3g "$loop" "$T/mnt"; then
	crafted 990 'Microsoft\\Windows\\CurrentVersion\\Run' worm '' >>"$T/mnt/Rescue/journal.jsonl"
	umount "$T/mnt"
	ok "--disk: crafted line written through ntfs-3g"
else
	not_ok "--disk: ntfs-3g mount"
fi
losetup -d "$loop"
expect_exit 4 "--disk: undo exits 4" run --disk "$i" --yes undo all
last
expect "--disk: the crafted line is named" grep -q "Run worm: journal line [0-9]* untrusted: unsigned" "$T/last"
t_attach "$i" 3
ntfscat "$t_loop" Windows/System32/config/SYSTEM >"$T/SYSTEM"
ntfscat "$t_loop" Windows/System32/config/SOFTWARE >"$T/SOFTWARE"
t_detach
expect "--disk: hivexget: Schedule Start = 2 again (genuine entries undone)" \
	sh -c '[ "$(hivexget "$1" "\\ControlSet001\\Services\\Schedule" Start)" = 2 ]' - "$T/SYSTEM"
absent "--disk: hivexget: no Run\\worm on the image" "$T/SOFTWARE" '\Microsoft\Windows\CurrentVersion\Run' worm
t_done
