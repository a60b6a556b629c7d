#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A fleet that learns (issue 15 item 6): two machines in sequence on one
# RESCUE stick (a rescue.conf with rescue_partition and reports_dir).  The
# first run quarantines the planted samples and disables a Run entry whose
# only sin is its random name; both go to learned/ as hash IOCs.  On the
# second machine the same bytes under plain names are found by the learned
# hash alone, and its report says where the hash was learned.  `rules forget`
# drops one (judged by grep and sha256sum); a hostile learned/ (a link) is
# not followed.  Judged by sha256sum, hivexget and python3's json.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

for tool in hivexregedit hivexget python3 sha256sum; do
	command -v $tool >/dev/null || { skip "learn" "$tool missing"; t_done; exit; }
done

jq_py() {	# jq_py FILE EXPR: evaluate a Python expression on the JSON document `d`
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

first() {	# first GLOB-RESULT...: the first name that is a file
	for f in "$@"; do if [ -f "$f" ]; then echo "$f"; return; fi; done
}

STICK=$T/stick
mkdir -p "$STICK"
printf 'rescue_partition = %s\nreports_dir = %s/reports\nautoruns = flagged\n' "$STICK" "$STICK" >"$T/rescue.conf"

# --- machine 1: win7, planted, plus a dropper only its random name flags ---
M1=$T/m1
sh "$TOP/tests/fixtures/mktree.sh" win7 "$M1" >/dev/null
sh "$TOP/tests/samples/plant.sh" "$M1" "$T/m1.manifest" >/dev/null
user=$(awk -F'\t' '$2 ~ /Qakbot_Stager/ { print $1 }' "$T/m1.manifest" | cut -d/ -f2)
dropper="Users/$user/AppData/Roaming/kqzvbtrw.exe"
printf 'rescue learn test: dropper %s, harmless\n' "$(date +%s%N)" >"$M1/$dropper"
dsum=$(sha256sum <"$M1/$dropper" | cut -c1-64)
qexe=$(awk -F'\t' '$2 == "Executable_In_AppData_Microsoft_Random_Folder" { print $1 }' "$T/m1.manifest")
qsum=$(sha256sum <"$M1/$qexe" | cut -c1-64)
cp "$M1/$qexe" "$T/qexe.bytes"
cp "$M1/$dropper" "$T/dropper.bytes"
cp -a "$M1" "$T/m1.before"
printf 'Windows Registry Editor Version 5.00\n\n[\\Microsoft\\Windows\\CurrentVersion\\Run]\n"Zqxvbnmk"="C:\\\\%s"\n' \
	"$(printf '%s' "$dropper" | sed 's|/|\\\\\\\\|g')" >"$T/run.reg"
hivexregedit --merge "$M1/Windows/System32/config/SOFTWARE" "$T/run.reg" || not_ok "m1: merge the Run value"

timeout 300 "$RESCUE" --root "$M1" auto --config "$T/rescue.conf" >"$T/m1.out" 2>&1
expect "m1: the random-name Run entry is disabled (hivexget)" sh -c \
	"! hivexget '$M1/Windows/System32/config/SOFTWARE' '\\Microsoft\\Windows\\CurrentVersion\\Run' Zqxvbnmk"
learned=$(first "$STICK"/learned/WKS-WIN732BITA-*-hashes.txt)
expect "m1: learned/WKS-WIN732BITA-STAMP-hashes.txt written" test -f "$learned"
if grep -q "^$dsum;learned from WKS-WIN732BITA at [0-9T]*Z: $dropper \[autostart Zqxvbnmk\]\$" "$learned"; then
	ok "m1: the disabled entry's target learned by its SHA-256 (sha256sum), with the entry's name"
else not_ok "m1: dropper hash learned"; sed 's/^/#   /' "$learned" "$T/m1.out"; fi
expect "m1: a quarantined sample learned by its SHA-256 (sha256sum)" grep -q "^$qsum;learned from WKS-WIN732BITA at .*: $qexe" "$learned"
n_q=$(grep -c ';learned from' "$learned")
n_want=$( (cut -f1 "$T/m1.manifest" | while IFS= read -r f; do sha256sum <"$T/m1.before/$f"; done) | sort -u | wc -l)
expect "m1: one line per distinct quarantined file, and the disabled target ($n_q)" test "$n_q" -eq "$((n_want + 1))"

# --- machine 2: a clean win10 with the same bytes under plain names ---------
M2=$T/m2
sh "$TOP/tests/fixtures/mktree.sh" win10 "$M2" >/dev/null
mkdir -p "$M2/Users/Public/Documents"
cp "$T/dropper.bytes" "$M2/Users/Public/Documents/notes.dat"
cp "$T/qexe.bytes" "$M2/Users/Public/Documents/setup-helper.exe"
"$RESCUE" --root "$M2" --json scan >"$T/m2.plain" 2>&1
expect "m2: without learned/, the built-in rules find neither copy" \
	sh -c "! grep -q 'notes.dat\\|setup-helper.exe' '$T/m2.plain'"
cp -a "$M2" "$T/m2.copy"
timeout 300 "$RESCUE" --root "$M2" auto --config "$T/rescue.conf" >"$T/m2.out" 2>&1; rc=$?
expect "m2: auto exits 1 (RED: found by the learned hashes)" test "$rc" -eq 1
m2json=$(first "$STICK"/reports/DESKTOP-M3OSHQU-*.json)
check='[m["description"] for x in d["detection_list"] if x["path"] == P for m in x["matches"]]'
for p in Users/Public/Documents/notes.dat Users/Public/Documents/setup-helper.exe; do
	desc=$(jq_py "$m2json" "$(echo "$check" | sed "s|P|'$p'|")")
	case $desc in
	*"learned from WKS-WIN732BITA at "*) ok "m2: $p found by the learned hash; the report says where it was learned" ;;
	*) not_ok "m2: $p: $desc"; sed 's/^/#   /' "$T/m2.out" ;;
	esac
done
expect "m2: the copies are quarantined" test ! -e "$M2/Users/Public/Documents/notes.dat" -a ! -e "$M2/Users/Public/Documents/setup-helper.exe"

# --- rescue fleet: what was learned, and where it was seen again -------------
"$RESCUE" fleet "$STICK/reports" >"$T/fleet.out" 2>&1; rc=$?
expect "fleet: exit 0 (every report and learned line read)" test "$rc" -eq 0
# m2 learned its 2 quarantined copies too: seen on no later machine
if grep -q "^LEARNED in $STICK/learned: $((n_q + 2)) hash(es), 2 seen again\$" "$T/fleet.out" &&
	grep -A1 "^$dsum $dropper  learned from WKS-WIN732BITA at .*Z  \[autostart Zqxvbnmk\]\$" "$T/fleet.out" |
	grep -q '^    seen again on DESKTOP-M3OSHQU at .*Z (RED)$'; then
	ok "fleet: the Learned section lists each hash, its file, its entry, where it was learned and seen again"
else not_ok "fleet: Learned section"; sed 's/^/#   /' "$T/fleet.out"; fi
"$RESCUE" --json fleet "$STICK/reports" >"$T/fleet.json" 2>&1
# shellcheck disable=SC2016
got=$(jq_py "$T/fleet.json" '[(l["name"], l["entry"], l["machine"], [s["machine"] for s in l["seen"]]) for l in d["learned"] if l["sha256"] == "'"$dsum"'" and l["machine"] == "WKS-WIN732BITA"]')
want="[('$dropper', 'Zqxvbnmk', 'WKS-WIN732BITA', ['DESKTOP-M3OSHQU'])]"
if [ "$got" = "$want" ]; then ok "fleet --json: the dropper learned on WKS-WIN732BITA, seen again on DESKTOP-M3OSHQU"
else not_ok "fleet --json learned: $got"; fi
expect "fleet --json: a quarantined sample not seen again has an empty list" test \
	"$(jq_py "$T/fleet.json" 'len(d["learned"]) - len([l for l in d["learned"] if l["seen"]])')" -eq "$n_q"
expect "the stick's log sheet has the Learned table, the dropper's row seen again" sh -c \
	"grep -q '<table id=\"learned\">' '$STICK/reports/log-sheet.html' &&
	 grep -o '<tr class=\"learned\" data-seen=\"1\"><td class=\"sha256\">$dsum' '$STICK/reports/log-sheet.html' | grep -q ."

# a hostile learned/: bad lines, markup, a link, a FIFO, a huge line, a list too large
S3=$T/stick3
cp -a "$STICK" "$S3"
{
	printf '# a comment\n\n'
	printf '%s;learned from EVIL<script>x</script> at 20261201T101010Z: C:/a\033[31m.exe [autostart <b>run</b>]\r\n' "$dsum"
	printf 'nothex;learned from X at 20261201T101010Z: a.exe\n'
	printf '%s;learned from X at yesterday: a.exe\n' "$dsum"
	printf '%s;a plain hash IOC line\n' "$qsum"
	head -c 200000 /dev/zero | tr '\0' A; printf '\n'
} >"$S3/learned/EVIL-20261201T101010Z-hashes.txt"
ln -s /etc/passwd "$S3/learned/link-hashes.txt"
mkfifo "$S3/learned/fifo-hashes.txt"
head -c $((17 * 1024 * 1024)) /dev/zero >"$S3/learned/big-hashes.txt"
timeout 60 "$RESCUE" fleet "$S3/reports" --html "$T/s3.html" >"$T/s3.out" 2>&1; rc=$?
expect "hostile learned/: exit 4 (bad lines), in time" test "$rc" -eq 4
for want in 'EVIL-20261201T101010Z-hashes.txt:4: not a SHA-256' 'EVIL-20261201T101010Z-hashes.txt:5: no "PC at STAMP' \
	'EVIL-20261201T101010Z-hashes.txt:6: not "SHA256;learned from' 'EVIL-20261201T101010Z-hashes.txt:7: not "SHA256;learned from' \
	'link-hashes.txt: not a regular file' 'fifo-hashes.txt: not a regular file' 'big-hashes.txt: larger than 16 MiB'; do
	expect "hostile learned/: named: $want" grep -q "^learned list: .*$want" "$T/s3.out"
done
expect "hostile learned/: the good lines still listed ($n_q + 1)" \
	grep -q "^LEARNED in $S3/learned: $((n_q + 3)) hash(es)" "$T/s3.out"
expect "hostile learned/: the escape character shown, not sent to the terminal" sh -c \
	"! grep -q \"\$(printf '\\033')\" '$T/s3.out' && grep -q 'EVIL<script>x</script>' '$T/s3.out'"
expect "hostile learned/: the page escapes the markup" sh -c \
	"grep -q 'EVIL&lt;script&gt;x&lt;/script&gt;' '$T/s3.html' && grep -q '&lt;b&gt;run&lt;/b&gt;' '$T/s3.html' && ! grep -q '<script>' '$T/s3.html'"
rm -f "$S3/learned/fifo-hashes.txt"
# 120,000 learned lines: the first 100,000 listed, the rest counted, in time
awk 'BEGIN { for (i = 0; i < 120000; i++) printf "%064x;learned from PC-%d at 20261201T101010Z: f%d.exe\n", i, i % 7, i }' \
	>"$T/many-hashes.txt"
mkdir -p "$T/many"
mv "$T/many-hashes.txt" "$T/many/"
timeout 120 "$RESCUE" fleet "$S3/reports" --learned "$T/many" >"$T/many.out" 2>&1; rc=$?
expect "120,000 learned lines: exit 0, 100,000 listed, 20,000 counted" sh -c \
	"[ $rc -eq 0 ] && grep -q '^LEARNED in $T/many: 120000 hash(es), 0 seen again' '$T/many.out' &&
	 grep -q '^20000 more learned hash(es) not listed' '$T/many.out' && [ \$(grep -c ' learned from PC-' '$T/many.out') -eq 100000 ]"
# an empty reports folder beside nothing: no report, no crash
mkdir -p "$T/empty/reports"
expect_exit 0 "fleet of an empty reports folder: exit 0" timeout 30 "$RESCUE" fleet "$T/empty/reports"
ln -s "$S3/learned" "$T/learned-link"
expect_exit 4 "fleet --learned a link: refused (exit 4), the reports still listed" \
	"$RESCUE" fleet "$S3/reports" --learned "$T/learned-link"
cp "$T/.out" "$T/link.out"
expect "fleet --learned a link: named" grep -q "learned-link: the learned hashes" "$T/link.out"
mkdir -p "$T/other-learned"
cp "$learned" "$T/other-learned/"
mv "$S3/learned" "$S3/learned.off"
"$RESCUE" fleet "$S3/reports" >"$T/nolearn.out" 2>&1; rc=$?
expect "fleet without learned/ beside the reports: exit 0, no Learned section" sh -c \
	"[ $rc -eq 0 ] && ! grep -q LEARNED '$T/nolearn.out'"
expect_exit 0 "fleet --learned DIR elsewhere: read" "$RESCUE" fleet "$S3/reports" --learned "$T/other-learned"
cp "$T/.out" "$T/other.out"
expect "fleet --learned DIR elsewhere: its hashes listed" grep -q "^LEARNED in $T/other-learned: $n_q hash(es), 2 seen again" "$T/other.out"

# --- rules forget -------------------------------------------------------------
before=$(cat "$STICK"/learned/*-hashes.txt | grep -c "^$dsum;")
expect "forget: the dropper's hash is in learned/ ($before lines)" test "$before" -ge 1
expect_exit 0 "rules forget HASH STICK" "$RESCUE" rules forget "$dsum" "$STICK"
expect "forget: no line of that hash is left" sh -c "! cat '$STICK'/learned/*-hashes.txt | grep -q '^$dsum;'"
expect "forget: the other hashes are kept" grep -q "^$qsum;" "$learned"
expect_exit 2 "rules forget of a hash no longer there: exit 2" "$RESCUE" rules forget "$dsum" "$STICK/learned"
expect_exit 2 "rules forget of a word that is no hash: exit 2" "$RESCUE" rules forget nothex "$STICK"
timeout 300 "$RESCUE" --root "$T/m2.copy" auto --config "$T/rescue.conf" >"$T/m2b.out" 2>&1
expect "after forget: the dropper's copy is not found again, the other still is" sh -c \
	"test -e '$T/m2.copy/Users/Public/Documents/notes.dat' && test ! -e '$T/m2.copy/Users/Public/Documents/setup-helper.exe'"

# --- a hostile stick: learned/ is a link -------------------------------------
S2=$T/stick2
mkdir -p "$S2" "$T/elsewhere"
ln -s "$T/elsewhere" "$S2/learned"
printf 'rescue_partition = %s\nautoruns = flagged\n' "$S2" >"$T/hostile.conf"
cp -a "$T/m1.before" "$T/m3"
timeout 300 "$RESCUE" --root "$T/m3" auto --config "$T/hostile.conf" >"$T/m3.out" 2>&1
expect "hostile: nothing written through a learned/ that is a link" test -z "$(ls -A "$T/elsewhere")"
expect "hostile: the report says why nothing was learned" grep -rq 'learned: not written' "$T/m3/Rescue/reports"
expect "hostile: the report says the learned hashes were not used" grep -rq 'learned: not a folder (a link?): the hashes learned' "$T/m3/Rescue/reports"
t_done
