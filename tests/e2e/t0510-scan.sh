#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue scan on a planted win10 tree: the detections equal plant.sh's manifest
# exactly and agree with the yara CLI per file; junction loops are not
# followed; a file over --max-size, pagefile.sys, a FIFO and an unreadable file
# are listed, not silently dropped; extra rules (one broken) are added at run
# time; zero detections on a clean tree of real binaries; a file read leaves
# the page cache.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

yarc=$TOP/build/rules/compiled.yarc
hashes=$TOP/build/rules/hashes.sha256
root=$T/vol
sh "$TOP/tests/fixtures/mktree.sh" win10 "$root"
sh "$TOP/tests/samples/plant.sh" "$root" "$T/want"
# A loop that is not a symbolic link cannot be made on Linux (no directory
# hard links); plant.sh's links are the junction loops ntfs-3g shows.
ln -s ../.. "$root/Users/loop-up"
# The size limit: just above the largest file (a hive); one file over it, with
# an indicator inside, must be listed as too big, and not detected.
max=$(( $(find "$root" -type f -printf '%s\n' | sort -n | tail -n 1) + 4096 ))
{ head -c "$max" /dev/zero; printf 'bUdiuy81gYguty@4frdRdpfko(eKmudeuMncueaN'; } >"$root/Windows/Temp/big.bin"
head -c 1500000 /dev/zero >"$root/pagefile.sys"
mkfifo "$root/Windows/Temp/a-fifo"

# detections FILE.jsonl: "PATH<TAB>RULES" of the detection objects, sorted.
detections() {
	jq -r 'select(.type == "detection") | [(.path + (if .stream then ":" + .stream else "" end)), (.rules | join(","))] | @tsv' "$1" |
		LC_ALL=C sort
}

# A file the scan reads leaves the page cache after (it is read once): a
# hive, cached and written back before, has no page in memory after
# (fincore, util-linux).  A file system whose pages are its only copy
# (tmpfs) keeps them: not checked there.
cached=$root/Windows/System32/config/SYSTEM
sync "$cached"
cat "$cached" >/dev/null
cached_before=$(fincore -n -b -o RES "$cached")

"$RESCUE" --root "$root" --json scan --max-size "$max" >"$T/scan.jsonl" 2>"$T/scan.err"; rc=$?
cached_after=$(fincore -n -b -o RES "$cached")
case $(stat -f -c %T "$root") in
tmpfs | ramfs) skip "page cache after the scan" "$(stat -f -c %T "$root") keeps its files in memory" ;;
*)
	if [ "${cached_before:-0}" -gt 0 ] && [ "${cached_after:-1}" -eq 0 ]; then
		ok "a file read leaves the page cache ($cached_before bytes cached before, none after)"
	else
		not_ok "page cache of $cached: $cached_before bytes before the scan, $cached_after after, want some and none"
	fi ;;
esac
if [ $rc -eq 1 ]; then ok "scan exits 1 on a planted tree"; else not_ok "scan exit $rc, want 1"; sed 's/^/#   /' "$T/scan.err"; fi
detections "$T/scan.jsonl" >"$T/got"
if cmp -s "$T/want" "$T/got"; then
	ok "detections equal the planted set exactly ($(wc -l <"$T/want") files, rules and hashes)"
else
	not_ok "detections differ from the planted set"; diff "$T/want" "$T/got" | sed 's/^/#   /'
fi
# The yara CLI judges the files rescue read (not the one over --max-size).
sh "$TOP/tests/samples/yara-verdicts.sh" "$yarc" "$hashes" "$root" | grep -v '^Windows/Temp/big.bin	' >"$T/yara"
if cmp -s "$T/yara" "$T/got"; then
	ok "the yara CLI agrees with every per-file verdict ($(find "$root" -type f | wc -l) plain files)"
else
	not_ok "yara CLI verdicts differ"; diff "$T/yara" "$T/got" | sed 's/^/#   /'
fi
# has FILE FILTER: some JSON object of FILE (a stream) passes FILTER.  (jq 1.6's
# -e looks at the last input only, hence the slurp.)
has() { jq -s -e "any(.[]; $2)" "$1" >/dev/null; }
skipped() { jq -r "select(.type == \"skipped\" and .reason == \"$1\") | .path" "$T/scan.jsonl"; }
if [ "$(skipped "too big")" = Windows/Temp/big.bin ]; then ok "the file over --max-size is listed as too big"; else not_ok "too big: $(skipped "too big")"; fi
expect "pagefile.sys is listed as a system file" has "$T/scan.jsonl" '.type=="skipped" and .reason=="system file" and .path=="pagefile.sys"'
expect "the FIFO is listed as a special file, not opened" has "$T/scan.jsonl" '.type=="skipped" and .reason=="special file" and .path=="Windows/Temp/a-fifo"'
n=$(skipped "link not followed" | wc -l)
if [ "$n" -eq 3 ]; then ok "3 links/junctions listed, none followed"; else not_ok "links listed: $n, want 3"; fi
expect "the summary counts them" has "$T/scan.jsonl" ".type==\"summary\" and .too_big==1 and .system_file==1 and .special_file==1 and .detections==$(wc -l <"$T/want")"

# The text output: one line per detection, a summary.
"$RESCUE" --root "$root" scan --max-size "$max" --threads 1 >"$T/text" 2>&1
n=$(grep -c '^DETECTED ' "$T/text")
if [ "$n" -eq "$(wc -l <"$T/want")" ] && grep -q '^scanned .* 1 threads): ' "$T/text" && grep -q '^SKIPPED  Windows/Temp/big.bin' "$T/text"; then
	ok "text output with --threads 1: $n DETECTED lines, SKIPPED lines, a summary"
else
	not_ok "text output"; sed 's/^/#   /' "$T/text" | tail -n 20
fi

# PATHs inside the volume, case-insensitive; outside is a usage error.
expect_exit 1 "scan of one folder (any case) finds its EICAR" "$RESCUE" --root "$root" scan users/andrewrathbun/downloads
expect_exit 2 "a PATH outside the volume is refused" "$RESCUE" --root "$root" scan /etc
expect_exit 2 "'..' may not leave the volume" "$RESCUE" --root "$root" scan Users/../..

# An unreadable file.  chmod 000 does not stop root, so this part runs the
# scan as the unprivileged user nobody (setpriv), on a copy readable by all
# but the one file: a real EACCES from open(), not a simulation.
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
	u=$T/unread; mkdir -p "$u"; chmod 755 "$T"
	sh "$TOP/tests/fixtures/mktree.sh" win10 "$u/vol"
	printf 'secret\n' >"$u/vol/Windows/locked.txt"; chmod 000 "$u/vol/Windows/locked.txt"
	chmod -R a+rX "$u/vol" 2>/dev/null; chmod 000 "$u/vol/Windows/locked.txt"
	# nobody must reach the binary and its rules: the checkout may sit in a
	# private folder (mktemp -d is mode 700), so run a copy from $u.
	mkdir -p "$u/bin"; cp "$RESCUE" "$u/bin/"; cp -r "$(dirname "$RESCUE")/rules" "$u/bin/"
	chmod -R a+rX "$u/bin"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$u/bin/$(basename "$RESCUE")" --root "$u/vol" --json scan \
		>"$T/unread.jsonl" 2>/dev/null
	rc=$?
	if [ $rc -eq 4 ]; then ok "an unreadable file makes a clean scan 'partly failed' (exit 4)"; else not_ok "unreadable: exit $rc, want 4"; fi
	if has "$T/unread.jsonl" '.type=="skipped" and .reason=="unreadable" and .path=="Windows/locked.txt" and (.detail | test("ermission"))'; then
		ok "the unreadable file is listed with its reason"
	else
		not_ok "unreadable file not listed"; sed 's/^/#   /' "$T/unread.jsonl" | tail
	fi
else
	skip "unreadable file" "needs root and setpriv to run the scan as nobody"
fi

# Extra rules at run time: one good file adds a detection, one broken file is
# reported and skipped.
mkdir -p "$T/extra"
cat >"$T/extra/good.yar" <<'YAR'
rule Extra_Notes_Marker { strings: $a = "is not enough" condition: $a }
YAR
printf 'rule Broken { condition: nonsense }\n' >"$T/extra/broken.yar"
# An extra hash list line without a size: every file is hashed again.
echo "$(sha256sum <"$root/Windows/System32/config/SYSTEM" | cut -c1-64) Extra-System-Hive" >"$T/extra/more.sha256"
"$RESCUE" --root "$root" --json scan --rules "$T/extra" >"$T/extra.jsonl" 2>"$T/extra.err"; rc=$?
if [ $rc -eq 1 ] && grep -q 'broken.yar.*skipped' "$T/extra.err" &&
	has "$T/extra.jsonl" '.type=="detection" and any(.rules[]; . == "Extra_Notes_Marker")' &&
	has "$T/extra.jsonl" '.type=="detection" and .path=="Windows/System32/config/SYSTEM" and .rules==["hash:Extra-System-Hive"]'; then
	ok "--rules DIR: the good extra rule and the unsized hash line detect, the broken rule is reported and skipped"
else
	not_ok "--rules DIR (exit $rc)"; sed 's/^/#   /' "$T/extra.err"
fi

# Clean tree of real binaries: a bounded subset (all Windows PE files Debian
# ships here: shim, GRUB EFI images; 300 programs of /usr/bin and 150 shared
# libraries, each under 4 MiB), laid out as a volume.
c=$T/clean; mkdir -p "$c/Windows/System32/config" "$c/bin" "$c/lib" "$c/pe"
: >"$c/Windows/System32/config/SYSTEM"
find /usr/bin -maxdepth 1 -type f -size -4M | LC_ALL=C sort | head -n 300 | xargs cp -t "$c/bin"
find /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -name '*.so*' -size -4M | LC_ALL=C sort | head -n 150 | xargs cp -t "$c/lib"
find /usr/lib /usr/share -xdev -type f \( -name '*.efi' -o -name '*.efi.signed' -o -name '*.exe' -o -name '*.dll' \) 2>/dev/null |
	while IFS= read -r f; do cp "$f" "$c/pe/$(echo "$f" | tr / _)"; done
npe=$(find "$c/pe" -type f | wc -l)
expect_exit 0 "zero detections on $(find "$c" -type f | wc -l) real binaries ($npe Windows PE files)" "$RESCUE" --root "$c" scan
t_done
