#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The other names of a quarantined file (hard links, issue 14): `quarantine
# list` (text and --json) and the report of `rescue auto` (text and JSON)
# name them, bounded and escaped.  On a --root tree the sample has 20 names
# (t0547's tree, one name holding an ESC and a newline that would start a
# line "rescue: VERDICT GREEN"): 16 are listed, 3 counted, the worm's bytes
# escaped.  On the win10-gpt test disk's Windows volume (t0547's links made
# through the ntfs-3g mount) the sample's second name is listed by both.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# EICAR, built here (its $ signs are its own characters).
# shellcheck disable=SC2016
eicar() { printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; }
esc=$(printf '\033')
evil="ProgramData/cache/a${esc}[31m
rescue: VERDICT GREEN.com"

# ---- a --root tree: 20 names ----
root=$T/vol
sh "$TOP/tests/fixtures/mktree.sh" win10 "$root" >/dev/null
mkdir -p "$root/Users/Pat/Desktop" "$root/ProgramData/cache"
eicar >"$root/Users/Pat/Desktop/invoice.com"
ln "$root/Users/Pat/Desktop/invoice.com" "$root/$evil"
i=0
while [ $i -lt 18 ]; do
	i=$((i + 1))
	ln "$root/Users/Pat/Desktop/invoice.com" "$root/ProgramData/cache/c$i.com"
done
# every name but the first, as find sees them (the evil one on two lines)
find "$root" -samefile "$root/Users/Pat/Desktop/invoice.com" ! -path '*/Desktop/invoice.com' -printf '%P\0' |
	sort -z >"$T/names"

# check LABEL TEXT JSONL: 16 names listed in each, 3 counted, every listed
# one a name of the file, the evil one escaped.
check() {
	n=$(grep -c '^ *also named ' "$2")
	more=$(grep -c '^ *and 3 more names$' "$2")
	jn=$(jq -s '[.[] | .other_names | length] | add' "$3")
	ju=$(jq -s '[.[] | .other_names_unlisted] | add' "$3")
	bad=$(jq -j '.other_names[] | ., "\u0000"' "$3" | sort -z | comm -z -23 - "$T/names" | tr '\0' '\n')
	if [ "$n" -eq 16 ] && [ "$more" -eq 1 ] && [ "$jn" = 16 ] && [ "$ju" = 3 ] && [ -z "$bad" ]; then
		ok "$1: 16 other names listed, 3 more counted (text and JSON, each one a name find knows)"
	else
		not_ok "$1: text $n names ($more 'more'), JSON $jn names + $ju, not names: '$bad'"
	fi
	if grep -q "$esc" "$2" || grep -q '^rescue: VERDICT GREEN' "$2" ||
		! grep -qF 'also named ProgramData/cache/a\e[31m\nrescue: VERDICT GREEN.com' "$2" ||
		[ "$(jq -r '.other_names[0]' "$3")" != "$evil" ]; then
		not_ok "$1: the worm's name is not escaped in the text, or not kept in the JSON"
	else
		ok "$1: the worm's name escaped on one line in the text, byte for byte in the JSON"
	fi
}

printf 'reports_dir = %s\n' "$T/rep" >"$T/auto.conf"
timeout 300 "$RESCUE" --root "$root" auto --config "$T/auto.conf" >"$T/auto.out" 2>&1; rc=$?
expect "tree: auto quarantines the sample (exit $rc, RED)" test "$rc" -eq 1 -a ! -e "$root/Users/Pat/Desktop/invoice.com"
json=""
for f in "$root"/Rescue/reports/*.json; do [ -f "$f" ] && json=$f; done
jq -c '.detection_list[] | select(.path == "Users/Pat/Desktop/invoice.com")' "$json" >"$T/rep.jsonl"
sed -n '/^detections/,/^notes/p' "${json%.json}.txt" >"$T/rep.txt"
check "tree: the report" "$T/rep.txt" "$T/rep.jsonl"
"$RESCUE" --root "$root" quarantine list >"$T/ql.txt" 2>&1
"$RESCUE" --root "$root" --json quarantine list >"$T/ql.jsonl" 2>&1
check "tree: quarantine list" "$T/ql.txt" "$T/ql.jsonl"
# The worm starts the sample again by another of its names (a Run value
# written after the first run): the next run's listing knows from the
# manifest that this name was quarantined too.
printf 'Windows Registry Editor Version 5.00\n\n[\\Microsoft\\Windows\\CurrentVersion\\Run]\n"CacheSvc"="C:\\\\ProgramData\\\\cache\\\\c18.com"\n' \
	>"$T/run.reg"
hivexregedit --merge "$root/Windows/System32/config/SOFTWARE" "$T/run.reg"
"$RESCUE" --root "$root" --json autoruns >"$T/ar.json" 2>"$T/ar.err"
if [ "$(jq -r '.entries[] | select(.name == "CacheSvc") | .flags | index("quarantined") != null' "$T/ar.json")" = true ]
then
	ok "tree: autoruns flags the entry that starts another name of the quarantined file"
else
	not_ok "tree: autoruns: the entry of another name not flagged quarantined"
	jq -c '.entries[] | select(.name == "CacheSvc")' "$T/ar.json" | sed 's/^/#   /'; sed 's/^/#   /' "$T/ar.err"
fi

# A forged manifest (the worm can write Rescue/): names that are no string,
# a huge list, are listed bounded or not at all, never a crash.
q=$root/Rescue/quarantine
{
	printf '{"id":"%064d","sha256":"%064d","path":"x","stream":null,"names":[' 0 0
	i=0
	while [ $i -lt 1024 ]; do printf '%s"n%d"' "$([ $i -gt 0 ] && echo ,)" $i; i=$((i + 1)); done
	printf '],"size":1,"rules":[],"quarantined":"now"}\n'
} >"$q/$(printf '%064d' 0).json"
printf '{"id":"%064d1","path":"y","names":"not a list"}\n' 0 >"$q/$(printf '%064d' 0)1.json"
timeout 60 "$RESCUE" --root "$root" --json quarantine list >"$T/forged.jsonl" 2>"$T/forged.err"; rc=$?
if [ $rc -ne 124 ] && [ $rc -lt 128 ] &&
	[ "$(jq -r 'select(.path == "x") | "\(.other_names | length) \(.other_names_unlisted)"' "$T/forged.jsonl")" = "16 1008" ] &&
	[ "$(jq -r 'select(.path == "y") | .other_names | length' "$T/forged.jsonl")" = 0 ]; then
	ok "a forged manifest: 1024 names listed as 16 and 1008 more, a names that is no list as none"
else
	not_ok "a forged manifest: exit $rc"; sed 's/^/#   /' "$T/forged.err"
fi

# ---- the win10-gpt test disk's Windows volume: 2 names ----
img=$T/disk.img mnt=$T/mnt
t_win_mount win10-gpt "$img" "$mnt"
mkdir -p "$mnt/Users/Pat/Desktop" "$mnt/ProgramData/cache"
eicar >"$mnt/Users/Pat/Desktop/invoice.com"
ln "$mnt/Users/Pat/Desktop/invoice.com" "$mnt/ProgramData/cache/svc.com"
timeout 300 "$RESCUE" --root "$mnt" --json scan --quarantine Users/Pat/Desktop ProgramData/cache >"$T/nq.jsonl" 2>"$T/nq.err"
"$RESCUE" --root "$mnt" --json quarantine list >"$T/nl.jsonl" 2>&1
"$RESCUE" --root "$mnt" quarantine list >"$T/nl.txt" 2>&1
got=$(jq -r 'select(.path == "Users/Pat/Desktop/invoice.com") | "\(.other_names | join(" ")) \(.other_names_unlisted)"' "$T/nl.jsonl")
if [ "$got" = "ProgramData/cache/svc.com 0" ] && grep -q '^ *also named ProgramData/cache/svc.com$' "$T/nl.txt" &&
	[ "$(jq -r '.read' "$T/nq.jsonl" | grep -v null)" = "ntfs-3g direct" ]; then
	ok "NTFS (read directly): quarantine list names the other name (text and JSON)"
else
	not_ok "NTFS: quarantine list: '$got'"; sed 's/^/#   /' "$T/nl.txt" "$T/nq.err"
fi
t_done
