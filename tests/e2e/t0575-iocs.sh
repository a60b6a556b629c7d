#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# LOKI's IOC lists (issue 15) below --rules DIR: hash IOCs of each kind (the
# digests judged by md5sum, sha1sum, sha256sum), filename IOCs with a score
# at and under the alert level and a false-positive regex, comments and
# malformed lines (named file:line, skipped); the C2 names reach the hosts
# file, the C2 IP addresses the firewall's outbound rule.  Bad input: a hash list of 1,000,000
# lines, under timeout.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

root=$T/vol
sh "$TOP/tests/fixtures/mktree.sh" win10 "$root" >/dev/null
tmp=Users/bob/AppData/Local/Temp
mkdir -p "$root/$tmp" "$root/Tools/SysInternals"
printf 'md5 listed\n' >"$root/$tmp/a.bin"
printf 'sha1 listed\n' >"$root/$tmp/b.bin"
printf 'sha256 listed\n' >"$root/$tmp/c.bin"
printf 'not listed\n' >"$root/$tmp/d.bin"
printf 'x' >"$root/$tmp/mimikatz.exe"
printf 'x' >"$root/$tmp/MIMIKATZ.EXE.bak"
printf 'y' >"$root/$tmp/procdump64.exe"
printf 'y' >"$root/Tools/SysInternals/procdump64.exe"
printf 'z' >"$root/$tmp/lowscore.dat"

mkdir -p "$T/r/iocs"
{
	echo '# hash IOCs: one of each kind'
	echo "$(md5sum <"$root/$tmp/a.bin" | cut -c1-32);Test MD5 entry"
	echo "$(sha1sum <"$root/$tmp/b.bin" | cut -c1-40);Test SHA1 entry"
	echo "$(sha256sum <"$root/$tmp/c.bin" | cut -c1-64);Test SHA256 entry"
	echo 'abcdef;too short'
	echo 'zz3e4b1c9d8f7a6b5c4d3e2f1a0b9c8d;not hex'
	echo
} >"$T/r/iocs/hash-iocs.txt"
cat >"$T/r/iocs/filename-iocs.txt" <<'EOF2'
# Mimikatz dropped
(?i)\\mimikatz\.exe$;100
# Procdump outside SysInternals
(?i)\\procdump(64)?\.exe;120;(?i)\\SysInternals\\
# A name worth a look only
\\lowscore\.dat$;40
# Python-only syntax: a look-behind
(?<=Temp)\\x\.exe;80
\\noscore\.exe;high
no-score-at-all
EOF2
printf '# C2\nevil-c2.example.com;Test C2 name\nSecond.Example.NET\n198.51.100.7;Test C2 IP\n2001:db8::7\nnot a host!;bad\n' \
	>"$T/r/iocs/c2-iocs.txt"

"$RESCUE" --json rules check "$T/r" >"$T/check.jsonl" 2>"$T/check.err"; rc=$?
expect "rules check exits 1: malformed lines" [ $rc -eq 1 ]
bad() { jq -r --arg p "$T/r/iocs/$1" 'select(.type == "file" and .path == $p) | .warnings[]' "$T/check.jsonl"; }
entries() { jq -r --arg p "$T/r/iocs/$1" 'select(.type == "file" and .path == $p) | .entries' "$T/check.jsonl"; }
if [ "$(entries hash-iocs.txt)" = 3 ] && [ "$(bad hash-iocs.txt | grep -c 'hash-iocs.txt:[56]: not')" = 2 ]; then
	ok "hash IOCs: 3 entries, the 2 malformed lines named by file:line"
else
	not_ok "hash IOCs: $(entries hash-iocs.txt) entries"; bad hash-iocs.txt | sed 's/^/#   /'
fi
if [ "$(entries filename-iocs.txt)" = 3 ] && bad filename-iocs.txt | grep -q 'filename-iocs.txt:8: regex: Python-only group' &&
	bad filename-iocs.txt | grep -q 'filename-iocs.txt:9: score "high"' &&
	bad filename-iocs.txt | grep -q 'filename-iocs.txt:10: not "REGEX;SCORE'; then
	ok "filename IOCs: 3 entries; a look-behind, a bad score and a line without one named and skipped"
else
	not_ok "filename IOCs: $(entries filename-iocs.txt) entries"; bad filename-iocs.txt | sed 's/^/#   /'
fi
if [ "$(entries c2-iocs.txt)" = 4 ] && bad c2-iocs.txt | grep -q 'c2-iocs.txt:6: "not a host!"' &&
	jq -e 'select(.type == "summary" and .c2_names == 2 and .c2_ips == 2 and .ioc_hashes == 3)' "$T/check.jsonl" >/dev/null; then
	ok "C2 IOCs: 2 names, 2 IP addresses, the bad line named"
else
	not_ok "C2 IOCs"; sed 's/^/#   /' "$T/check.jsonl"
fi

"$RESCUE" --root "$root" --json scan --rules "$T/r" >"$T/scan.jsonl" 2>"$T/scan.err"; rc=$?
expect "scan exits 1 on the IOC hits" [ $rc -eq 1 ]
jq -r 'select(.type == "detection") | [.path, (.rules | join(","))] | @tsv' "$T/scan.jsonl" | LC_ALL=C sort >"$T/got"
cat >"$T/want" <<EOF2
$tmp/a.bin	ioc-md5
$tmp/b.bin	ioc-sha1
$tmp/c.bin	ioc-sha256
$tmp/mimikatz.exe	ioc-filename
$tmp/procdump64.exe	ioc-filename
EOF2
if cmp -s "$T/want" "$T/got"; then
	ok "detections: one hash of each kind, the filename IOCs at or over 100 (not the false positive, nor a longer name)"
else
	not_ok "IOC detections differ"; diff "$T/want" "$T/got" | sed 's/^/#   /'
fi
if jq -se '[.[] | select(.type == "detection" and (.path | endswith("a.bin"))) | .matches[] |
	select(.namespace == "iocs/hash-iocs.txt" and .description == "Test MD5 entry")] | length == 1' "$T/scan.jsonl" >/dev/null &&
	jq -se '[.[] | select(.type == "detection" and (.path | endswith("procdump64.exe"))) | .matches[] |
	select(.description == "Procdump outside SysInternals" and .score == 120)] | length == 1' "$T/scan.jsonl" >/dev/null; then
	ok "IOC detections carry the list, the description and the score"
else
	not_ok "IOC meta missing"; grep detection "$T/scan.jsonl" | sed 's/^/#   /'
fi
if jq -se --arg p "$tmp/lowscore.dat" '[.[] | select(.type == "warning" and .path == $p and (.what | test("score 40")))] | length == 1' \
	"$T/scan.jsonl" >/dev/null; then
	ok "a filename IOC under the alert score is a warning, not a detection"
else
	not_ok "no warning for the low score"; sed 's/^/#   /' "$T/scan.jsonl"
fi

# The alert score is a setting: --ioc-alert-score and rescue.conf's ioc_alert_score.
dets() { jq -r 'select(.type == "detection" and (.rules | index("ioc-filename"))) | .path' "$1" | LC_ALL=C sort | tr '\n' ' '; }
"$RESCUE" --root "$root" --json scan --rules "$T/r" --ioc-alert-score 40 >"$T/s40.jsonl" 2>"$T/s40.err"
"$RESCUE" --root "$root" --json scan --rules "$T/r" --ioc-alert-score 110 >"$T/s110.jsonl" 2>"$T/s110.err"
if [ "$(dets "$T/s40.jsonl")" = "$tmp/lowscore.dat $tmp/mimikatz.exe $tmp/procdump64.exe " ] &&
	[ "$(dets "$T/s110.jsonl")" = "$tmp/procdump64.exe " ] &&
	jq -se --arg p "$tmp/mimikatz.exe" '[.[] | select(.type == "warning" and .path == $p and (.what | test("score 100 \\(under 110\\)")))] | length == 1' \
		"$T/s110.jsonl" >/dev/null; then
	ok "--ioc-alert-score 40: the score-40 name is a detection; 110: only the score-120 one, the 100 a warning"
else
	not_ok "--ioc-alert-score: 40 gave [$(dets "$T/s40.jsonl")], 110 gave [$(dets "$T/s110.jsonl")]"
fi
for v in 0 -5 10001 abc 40x ''; do
	expect_exit 2 "--ioc-alert-score '$v' refused" timeout 30 "$RESCUE" --root "$root" scan --rules "$T/r" --ioc-alert-score "$v"
done
cp -a "$root" "$T/vol40"
printf 'mode = report\nrules_extra = %s\nioc_alert_score = 40\nreports_dir = %s/a40rep\n' "$T/r" "$T" >"$T/a40.conf"
timeout 300 "$RESCUE" --root "$T/vol40" auto --config "$T/a40.conf" >"$T/a40.out" 2>&1
a40=$(ls "$T"/a40rep/*.json 2>/dev/null | head -n 1)
if [ -n "$a40" ] && jq -e --arg p "$tmp/lowscore.dat" '[.detection_list[] | select(.path == $p)] | length == 1' "$a40" >/dev/null; then
	ok "rescue.conf ioc_alert_score = 40: the score-40 name is a detection of the report"
else
	not_ok "ioc_alert_score = 40 in rescue.conf"; sed 's/^/#   /' "$T/a40.out"
fi
printf 'mode = report\nrules_extra = %s\nioc_alert_score = lots\n' "$T/r" >"$T/abad.conf"
expect_exit 2 "rescue.conf ioc_alert_score = lots: refused, exit 2" "$RESCUE" --root "$T/vol40" auto --config "$T/abad.conf"
cp "$T/.out" "$T/abad.out"
expect "ioc_alert_score = lots: named, YELLOW" sh -c \
	"grep -q 'ioc_alert_score = lots: want a score from 1 to 10000' '$T/abad.out' && grep -q '^rescue: VERDICT YELLOW' '$T/abad.out'"

# The C2 names reach the hosts file; the IP addresses do not.
RESCUE_EXTRA_HOSTS=$T/r "$RESCUE" --root "$root" --yes contain hosts >"$T/contain.out" 2>&1; rc=$?
tr -d '\r' <"$(find "$root/Windows" -ipath '*/drivers/etc/hosts' | head -n 1)" >"$T/hosts"
if [ $rc -eq 0 ] && grep -qx '0\.0\.0\.0 evil-c2\.example\.com' "$T/hosts" && grep -qx '0\.0\.0\.0 second\.example\.net' "$T/hosts" &&
	! grep -q '198\.51\.100\.7\|2001:db8' "$T/hosts"; then
	ok "contain hosts: the C2 names of the rule folder are blocked, the IP addresses are not written there"
else
	not_ok "C2 names not in the hosts file (exit $rc)"; sed 's/^/#   /' "$T/contain.out"; sed 's/^/#   /' "$T/hosts"
fi

# ... they reach the firewall item: its outbound C2 rule holds them (hivexget).
RESCUE_EXTRA_IPS=$T/r "$RESCUE" --root "$root" --yes contain firewall >"$T/fw.out" 2>&1; rc=$?
fwrule=$(hivexget "$root/Windows/System32/config/SYSTEM" \
	'\ControlSet001\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules' RescueContain-C2-Out-001 2>&1)
if [ $rc -eq 0 ] && printf '%s' "$fwrule" | grep -q 'RA4=[^|]*198\.51\.100\.7' &&
	printf '%s' "$fwrule" | grep -q 'RA6=[^|]*2001:db8::7'; then
	ok "contain firewall: the C2 IP addresses of the rule folder are blocked outbound (hivexget)"
else
	not_ok "C2 IPs not in the firewall rule (exit $rc)"; sed 's/^/#   /' "$T/fw.out"; echo "#   $fwrule"
fi

# The unattended run with the folder as rules_extra: the report keeps each
# detection's list and description and lists the C2 IP addresses; the C2
# names reach the hosts file of a fresh tree.
root2=$T/vol2
sh "$TOP/tests/fixtures/mktree.sh" win10 "$root2" >/dev/null
mkdir -p "$root2/$tmp"
cp "$root/$tmp/a.bin" "$root2/$tmp/a.bin"
printf '# rescue.conf for a test\r\nrules_extra = %s\r\n' "$T/r" >"$T/auto.conf"
"$RESCUE" --root "$root2" auto --config "$T/auto.conf" >"$T/auto.out" 2>&1
rjson=$(find "$root2/Rescue/reports" -name '*.json' | head -n 1)
if [ -n "$rjson" ] && jq -e '.detection_list[] | select(.path | endswith("a.bin")) | .matches[] |
	select(.namespace == "iocs/hash-iocs.txt" and .description == "Test MD5 entry")' "$rjson" >/dev/null &&
	jq -e '[.notes[] | select(test("C2 IP addresses in the IOC lists \\(the firewall item blocks them outbound\\): 2: 198\\.51\\.100\\.7, 2001:db8::7"))] | length == 1' \
	"$rjson" >/dev/null && grep -q '      rule md5 \[iocs/hash-iocs.txt\]: Test MD5 entry' "${rjson%.json}.txt"; then
	ok "auto: the report (JSON and text) keeps the IOC's list and description, and lists the C2 IP addresses"
else
	not_ok "auto report lacks the IOC meta or the C2 IPs"; sed 's/^/#   /' "$T/auto.out" | tail -n 20
fi
tr -d '\r' <"$(find "$root2/Windows" -ipath '*/drivers/etc/hosts' | head -n 1)" >"$T/hosts2"
if grep -qx '0\.0\.0\.0 evil-c2\.example\.com' "$T/hosts2"; then
	ok "auto: the C2 names of rules_extra reach the hosts file"
else
	not_ok "auto: C2 names not in the hosts file"; sed 's/^/#   /' "$T/hosts2"
fi

# A hash list of 1,000,000 lines, the file's MD5 the last: loaded and found
# in bounded time.
mkdir -p "$T/big/iocs"
awk 'BEGIN { for (i = 0; i < 999999; i++) printf "%032x;entry %d\n", i, i }' >"$T/big/iocs/hash-iocs.txt"
echo "$(md5sum <"$root/$tmp/d.bin" | cut -c1-32);the last line" >>"$T/big/iocs/hash-iocs.txt"
timeout 300 "$RESCUE" --root "$root" --json scan "$tmp/d.bin" --rules "$T/big" >"$T/big.jsonl" 2>"$T/big.err"; rc=$?
if [ $rc -eq 1 ] && jq -se '[.[] | select(.type == "detection") | .matches[] | select(.description == "the last line")] | length == 1' \
	"$T/big.jsonl" >/dev/null; then
	ok "a 1,000,000-line hash list loads and its last line detects"
else
	not_ok "1M-line hash list (exit $rc)"; sed 's/^/#   /' "$T/big.err" | head -n 5
fi
t_done
