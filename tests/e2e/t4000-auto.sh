#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `rescue auto` on Windows trees: the infected run (hives changed, report on
# the volume and in reports_dir), report-only and hibernated (byte-identical
# trees), a bad rescue.conf (refused before anything is touched), and
# `rescue fleet` over the reports.  Judged by hivexget and python3's json.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/fixtures/accounts-lib.sh"

conf() {	# conf FILE KEY=VALUE...: a rescue.conf in the style /init writes
	f=$1; shift
	printf '# rescue.conf for a test\r\n' >"$f"
	for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$f"; done
}

# fingerprint DIR: every file's path, size and SHA-256, and every folder.
fingerprint() { (cd "$1" && find . -type d | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2); }

first() {	# first GLOB-RESULT...: the first name that is a file
	for f in "$@"; do if [ -f "$f" ]; then echo "$f"; return; fi; done
}

jq_py() {	# jq_py FILE EXPR: evaluate a Python expression on the JSON document `d`
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/base"
sh "$TOP/tests/samples/plant.sh" "$T/base" "$T/manifest" >/dev/null
REP=$T/partition/reports
SOFTWARE='Windows/System32/config/SOFTWARE'
SYSTEM='Windows/System32/config/SYSTEM'

# --- the infected tree, the full run ------------------------------------------
cp -a "$T/base" "$T/inf"
conf "$T/full.conf" "reports_dir=$REP"
"$RESCUE" --root "$T/inf" auto --config "$T/full.conf" >"$T/out" 2>&1; rc=$?
sed 's/^/#   /' "$T/out"
expect "infected: exit 1 (RED)" test "$rc" -eq 1
expect "infected: the verdict RED is printed plainly" grep -q '^rescue: VERDICT RED WKS-WIN732BITA=RED' "$T/out"
left=0
while IFS="$(printf '\t')" read -r path _; do [ ! -e "$T/inf/$path" ] || left=$((left + 1)); done <"$T/manifest"
expect "infected: every planted sample is gone from its place ($left left)" test "$left" -eq 0
expect "infected: the quarantine holds them" test "$(find "$T/inf/Rescue/quarantine" -name '*.bin' | wc -l)" -eq "$(wc -l <"$T/manifest")"
expect "SOFTWARE: NoAutorun = 1 (hivexget)" sh -c \
	"hivexget '$T/inf/$SOFTWARE' '\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer' NoAutorun | grep -qx 1"
expect "SYSTEM: Schedule Start = 4 (hivexget)" sh -c \
	"hivexget '$T/inf/$SYSTEM' '\\ControlSet001\\Services\\Schedule' Start | grep -qx 4"
wjson=$(first "$T"/inf/Rescue/reports/*.json)
pjson=$(first "$REP"/WKS-WIN732BITA-*.json)
expect "report on the Windows volume (json + txt)" test -f "$wjson" -a -f "${wjson%.json}.txt"
expect "report copy in reports_dir, named after the computer" test -f "$pjson" -a -f "${pjson%.json}.txt"
expect "the two copies are the same report" cmp "$wjson" "$pjson"
expect "the report is valid JSON (python3)" jq_py "$wjson" 'd["format"]'
expect "report: machine and every step" test "$(jq_py "$wjson" 'd["machine"] + " " + ",".join(s["step"] for s in d["steps"])')" \
	= "WKS-WIN732BITA detect,contain,passwd,permissions,scan,autoruns,report"
# every change listed with the journal seq that undo works from
jseqs=$(/usr/bin/python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["seq"]) for l in open(sys.argv[1]) if json.loads(l).get("kind") != "undone"))' \
	"$T/inf/Rescue/journal.jsonl")
rseqs=$(jq_py "$wjson" '" ".join(str(c["seq"]) for c in d["change_list"])')
expect "report lists every journal entry of the run (seq $rseqs)" test -n "$rseqs" -a "$jseqs" = "$rseqs"
expect "report: every sample listed as quarantined" test \
	"$(jq_py "$wjson" 'd["detections"] == d["quarantined"] == len(d["detection_list"])')" = True
expect "report counts the changes" test "$(jq_py "$wjson" 'd["changes"] == len(d["change_list"])')" = True
expect "text report names the verdict and the computer" sh -c \
	"head -n 1 '${wjson%.json}.txt' | grep -Eq 'GREEN|RED|YELLOW' && grep -q 'computer:  WKS-WIN732BITA' '${wjson%.json}.txt'"
expect "accounts = admins: chntpw -l shows Administrator blank" \
	test "$(chntpw_row "$(sam_of "$T/inf")" Administrator)" = "ADMIN *BLANK*"
expect "report: password reset, the account listed" test \
	"$(jq_py "$wjson" 'd["password_reset"] and [a["name"] for a in d["accounts"]] == ["Administrator"]')" = True
# a second run finds everything contained: no change
"$RESCUE" --root "$T/inf" auto --config "$T/full.conf" >"$T/out2" 2>&1
expect "second run: containment already done" grep -q 'contain  ok .*0 value(s) set' "$T/out2"
expect_exit 0 "undo puts back what auto changed" "$RESCUE" --root "$T/inf" --yes undo
expect "SYSTEM: Schedule Start back to 2 (hivexget)" sh -c \
	"hivexget '$T/inf/$SYSTEM' '\\ControlSet001\\Services\\Schedule' Start | grep -qx 2"

# --- a clean tree: GREEN ------------------------------------------------------------
sh "$TOP/tests/fixtures/mktree.sh" win10 "$T/clean"
expect_exit 0 "clean: exit 0" "$RESCUE" --root "$T/clean" auto --config "$T/full.conf"
cp "$T/.out" "$T/clean.out"
expect "clean: GREEN" grep -q '^rescue: VERDICT GREEN DESKTOP-M3OSHQU=GREEN' "$T/clean.out"

# --- a Microsoft account as the only administrator: the built-in Administrator instead --------
sh "$TOP/tests/fixtures/mktree.sh" win10 "$T/msa"
MSAM=$(sam_of "$T/msa")
printf 'Windows Registry Editor Version 5.00\n\n[\\SAM\\Domains\\Account\\Users\\000003E9]\n"InternetUserName"=hex:70,00,40,00,65,00,78,00,2e,00,63,00,6f,00,6d,00\n\n' >"$T/msa.reg"
hivexregedit --merge "$MSAM" "$T/msa.reg"
v_before=$(user_value "$MSAM" 000003E9 V)
conf "$T/msa.conf" contain=none scan=off autoruns=off
"$RESCUE" --root "$T/msa" auto --config "$T/msa.conf" >"$T/out" 2>&1
sed 's/^/#   /' "$T/out"
expect "Microsoft account: the built-in Administrator is reset instead" grep -q 'passwd   changed  Administrator: password blanked' "$T/out"
expect "Microsoft account: chntpw -l shows Administrator enabled and blank" \
	test "$(chntpw_row "$MSAM" Administrator)" = "ADMIN *BLANK*"
expect "Microsoft account: its own V (its hashes) untouched (hivexget)" test "$(user_value "$MSAM" 000003E9 V)" = "$v_before"
mjson=$(first "$T"/msa/Rescue/reports/*.json)
expect "Microsoft account: the report says why" test "$(jq_py "$mjson" 'any("Microsoft account" in n for n in d["notes"])')" = True
# The same run again: nothing left to do, and neither the step nor the report claims a reset.
sleep 1
"$RESCUE" --root "$T/msa" auto --config "$T/msa.conf" >"$T/out2" 2>&1
expect "a second run: the passwd step says nothing was left to change" grep -q \
	'passwd   ok       Administrator: password already blank, already unlocked, already enabled (nothing to change)' "$T/out2"
for mjson2 in "$T"/msa/Rescue/reports/*.json; do :; done	# the last: names are UTC times
expect "a second run: the report does not claim a password reset" test "$(jq_py "$mjson2" 'd["password_reset"]')" = False

# --- XP, a password from the config: secretsdump judges the NT hash -----------------
sh "$TOP/tests/fixtures/mktree.sh" xp "$T/xp"
printf 'Fleet-2026\n' >"$T/pw"
conf "$T/xp.conf" accounts=Pat password=Fleet-2026 scan=off contain=none
"$RESCUE" --root "$T/xp" auto --config "$T/xp.conf" >"$T/out" 2>&1
sed 's/^/#   /' "$T/out"
expect "XP: passwd step changed Pat" grep -q 'passwd   changed  Pat: password set' "$T/out"
expect "XP: secretsdump prints MD4 of the configured password for Pat" \
	test "$(nt_of "$T/xp" Pat)" = "$(md4_of_file "$T/pw")"
# scan = off: every step went well, but nobody looked for malware: never GREEN
expect "XP, scan = off: YELLOW, not scanned (not GREEN)" \
	grep -q '^rescue: VERDICT YELLOW M57-PAT=YELLOW (not scanned: no scan finished' "$T/out"
xjson=$(first "$T"/xp/Rescue/reports/*.json)
expect "XP, scan = off: the report says YELLOW and not scanned" sh -c \
	"grep -q '\"verdict\":\"YELLOW\"' '$xjson' && sed -n 2p '${xjson%.json}.txt' | grep -q 'not scanned'"
conf "$T/xp2.conf" "accounts=Nobody 1003" scan=off contain=none
"$RESCUE" --root "$T/xp" auto --config "$T/xp2.conf" >"$T/out" 2>&1
expect "an unknown account makes the run YELLOW, the others are done" sh -c \
	"grep -q 'passwd   failed   1 of 1 account(s) done (Pat)' '$T/out' && grep -q 'VERDICT YELLOW' '$T/out'"

# --- on a terminal: the scan's progress line never swallows the next line ---------
# The progress line is rewritten in place and ends without a newline; the step
# lines must clear it first, or "...0 detectedrescue: X: scan" runs together on
# the console and a reader of the serial log misses the step.  A clean tree, so
# no detection line clears it by chance.  The scan always ends with one
# progress line of its final counts (rescue/scan/scan.c), so however fast the
# machine, progress is shown and must be cleared.
sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/tty"
conf "$T/tty.conf" contain=none accounts=none
script -qec "'$RESCUE' --root '$T/tty' auto --config '$T/tty.conf'" /dev/null >"$T/tty.out" 2>&1
# every "\r ESC[K" (what clears the progress line) becomes a line break
sed 's/\r\x1b\[K/\n/g; s/\r$//' "$T/tty.out" >"$T/tty.lines"
expect "terminal: progress was shown" grep -q 'scanning .* MB/s' "$T/tty.lines"
expect "terminal: the scan step starts its own line" grep -q '^rescue: WKS-WIN732BITA: scan     ok ' "$T/tty.lines"

# --- a password that cannot be set: the step line says why ----------------------
# The win7 fixture's SYSTEM and SAM come from different machines, so its boot
# key cannot encrypt a new hash (blanking still works): the console and the
# verdict must name the reason, not only "0 of 1 done".
sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/w7"
conf "$T/w7.conf" accounts=Administrator password=Fleet-2026 scan=off contain=none
"$RESCUE" --root "$T/w7" auto --config "$T/w7.conf" >"$T/out" 2>&1
expect "win7, boot key of another machine: YELLOW, the step names the boot key" sh -c \
	"grep -q 'passwd   failed   0 of 1 account(s) done (Administrator); Administrator: .*boot key' '$T/out' && grep -q 'VERDICT YELLOW' '$T/out'"

# --- report-only: nothing changes, the report goes to reports_dir only ------------
cp -a "$T/base" "$T/ro"
fingerprint "$T/ro" >"$T/ro.before"
conf "$T/ro.conf" "mode=report" "reports_dir=$T/ro-reports"
"$RESCUE" --root "$T/ro" auto --config "$T/ro.conf" >"$T/out" 2>&1; rc=$?
sed 's/^/#   /' "$T/out"
fingerprint "$T/ro" >"$T/ro.after"
expect "report-only: the tree is byte-identical" cmp "$T/ro.before" "$T/ro.after"
expect "report-only: no Rescue folder on the volume" test ! -e "$T/ro/Rescue"
rjson=$(first "$T"/ro-reports/*.json)
expect "report-only: report in reports_dir, marked read-only" test "$(jq_py "$rjson" 'd["readonly"] and d["mode"] == "report"')" = True
expect "report-only: containment only reported" test "$(jq_py "$rjson" '[s["status"] for s in d["steps"] if s["step"] == "contain"][0]')" = skipped
expect "report-only: says so" grep -q 'report goes to the RESCUE partition only' "$T/out"
# /init's report-only entry: report_only=yes among its facts
conf "$T/ro2.conf" mode=auto report_only=yes after=poweroff console=ttyS0 "reports_dir=$T/ro-reports"
"$RESCUE" --root "$T/ro" auto --config "$T/ro2.conf" >"$T/out" 2>&1
fingerprint "$T/ro" >"$T/ro.after2"
expect "report_only = yes (from /init) changes nothing either" cmp "$T/ro.before" "$T/ro.after2"

# --- hibernated: YELLOW, untouched --------------------------------------------
cp -a "$T/base" "$T/hib"
{ printf 'HIBR'; head -c 4092 /dev/zero; } >"$T/hib/hiberfil.sys"
fingerprint "$T/hib" >"$T/hib.before"
conf "$T/hib.conf" "reports_dir=$T/hib-reports" accounts=none scan=off
expect_exit 4 "hibernated: exit 4 (incomplete)" "$RESCUE" --root "$T/hib" auto --config "$T/hib.conf"
cp "$T/.out" "$T/hib.out"
expect "hibernated: verdict YELLOW" grep -q '^rescue: VERDICT YELLOW' "$T/hib.out"
fingerprint "$T/hib" >"$T/hib.after"
expect "hibernated: the tree is byte-identical" cmp "$T/hib.before" "$T/hib.after"
hjson=$(first "$T"/hib-reports/*.json)
expect "hibernated: the report says so" test "$(jq_py "$hjson" 'd["verdict"] == "YELLOW" and "hibernated" in d["steps"][0]["detail"]')" = True
conf "$T/hib2.conf" hibernated=skip "reports_dir=$T/hib-reports"
expect_exit 4 "hibernated = skip: exit 4" "$RESCUE" --root "$T/hib" auto --config "$T/hib2.conf"
fingerprint "$T/hib" >"$T/hib.after2"
expect "hibernated = skip: untouched" cmp "$T/hib.before" "$T/hib.after2"

# --- a rescue.conf with a typo stops the run before anything is touched ---------
cp -a "$T/base" "$T/bad"
fingerprint "$T/bad" >"$T/bad.before"
conf "$T/bad.conf" pasword=secret
expect_exit 2 "unknown key: exit 2" "$RESCUE" --root "$T/bad" auto --config "$T/bad.conf"
cp "$T/.out" "$T/bad.out"
expect "unknown key: named with its line" grep -q "line 2: unknown key 'pasword'" "$T/bad.out"
expect "unknown key: YELLOW" grep -q '^rescue: VERDICT YELLOW' "$T/bad.out"
conf "$T/bad2.conf" scan=maybe
expect_exit 2 "bad value: exit 2" "$RESCUE" --root "$T/bad" auto --config "$T/bad2.conf"
fingerprint "$T/bad" >"$T/bad.after"
expect "bad settings: tree untouched" cmp "$T/bad.before" "$T/bad.after"
expect_exit 3 "auto on a folder without Windows: exit 3" "$RESCUE" --root "$T/partition" auto
expect_exit 0 "auto --keys lists every key" sh -c "'$RESCUE' auto --keys | grep -q hibernated"

# --- fleet over the reports ---------------------------------------------------------
cp "$rjson" "$REP/ro.json"; cp "$hjson" "$REP/hib.json"; cp "$xjson" "$REP/xp-scan-off.json"
echo '{"not":"a report"}' >"$REP/other.json"
expect_exit 0 "fleet DIR" "$RESCUE" fleet "$REP"
cp "$T/.out" "$T/fleet.out"
sed 's/^/#   /' "$T/fleet.out"
expect "fleet: one row per report" test "$(grep -c '^WKS-WIN732BITA ' "$T/fleet.out")" -eq 4
expect "fleet: totals (the scan = off run counted YELLOW) and the ignored file" \
	grep -q '^6 report(s): 2 GREEN, 2 RED, 2 YELLOW; 1 other .json file(s) ignored' "$T/fleet.out"
"$RESCUE" --json fleet "$REP" >"$T/fleet.json"
expect "fleet --json: valid, 6 reports, a report-only one" test \
	"$(jq_py "$T/fleet.json" 'len(d["reports"]) == 6 and any(r["mode"] == "report" for r in d["reports"])')" = True
expect_exit 3 "fleet on a missing folder: exit 3" "$RESCUE" fleet "$T/nowhere"
expect_exit 2 "fleet without DIR: usage" "$RESCUE" fleet

# --- a report name of the same second taken already (two installations with one
# computer name): the copy is NAME-2, and its report step names that file ----------
mkdir -p "$T/rep2"
now=$(date -u +%s)
for i in 0 1 2 3 4 5 6 7 8 9; do
	: >"$T/rep2/WKS-WIN732BITA-$(date -u -d "@$((now + i))" +%Y%m%dT%H%M%SZ).json"
done
conf "$T/twice.conf" "reports_dir=$T/rep2" mode=report contain=none accounts=none scan=off autoruns=off
"$RESCUE" --root "$T/base" auto --config "$T/twice.conf" >"$T/out" 2>&1
tjson=$(first "$T"/rep2/WKS-WIN732BITA-*-2.json)
expect "a taken name: the copy is NAME-2.json, the console names it" grep -qF "report   ok       not on the Windows volume (read-only: report-only mode); $tjson (" "$T/out"
expect "a taken name: ... and so does its report step" test \
	"$(jq_py "$tjson" '[s["detail"] for s in d["steps"] if s["step"] == "report"][0]')" = \
	"not on the Windows volume (read-only: report-only mode); $tjson"
t_done
