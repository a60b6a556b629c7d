#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Third-party rule folders (issue 15): signature-base, as published, read from
# $RULESETS/signature-base (never copied here): every rule file compiles or is
# skipped with file:line and the reason; rules that use LOKI's and THOR's
# externals (filename, filepath, extension, filetype, owner) and rescue's
# relpath fire on files made to match them and on no others, and the yara CLI,
# given the same external values, agrees on every match; each detection
# carries the matching rule's namespace, description, author and score.
# Bad input: a 50 MB rule file, includes of an absolute path and of "..".
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
t_build shipped	# the test's own rules first: no bad input until "Bad input" below (tests/lib.sh)

# A folder of test rules, one per external, and bad files beside good ones.
mkdir -p "$T/ext"
cat >"$T/ext/externals.yar" <<'YAR'
rule X_filename { meta: author = "t0570" description = "filename" score = 40 condition: filename == "evil.EXE" }
rule X_filepath { meta: author = "t0570" condition: filepath == "C:\\Users\\bob\\AppData\\Roaming\\Zq" }
rule X_extension { meta: author = "t0570" condition: extension == ".exe" }
rule X_filetype_exe { meta: author = "t0570" condition: filetype == "EXE" }
rule X_filetype_elf { meta: author = "t0570" condition: filetype == "ELF" }
rule X_filetype_batch { meta: author = "t0570" condition: filetype == "BATCH" }
rule X_owner { meta: author = "t0570" condition: owner == "nobody" }
rule X_relpath { meta: author = "t0570" condition: relpath == "Windows/Temp/x.ps1" }
YAR

root=$T/vol
sh "$TOP/tests/fixtures/mktree.sh" win10 "$root" >/dev/null
zq=Users/bob/AppData/Roaming/Zq
mkdir -p "$root/$zq" "$root/Windows/Temp"
printf 'log 98.176.196.89 end\n' >"$root/$zq/DebugSocketlog.txt"
printf 'log 98.176.196.89 end\n' >"$root/$zq/other.txt"
printf 'MZ\220\0this is no program' >"$root/$zq/evil.EXE"
printf '\177ELF\2\1\1\0 no program either' >"$root/$zq/tool.scr"
printf 'plain data\n' >"$root/$zq/owned.dat"
chown nobody "$root/$zq/owned.dat"
printf '@echo off\r\nrem nothing\r\n' >"$root/Windows/Temp/x.ps1"

# The externals each planted file has, as LOKI defines them (by hand, not
# from rescue): "relpath|filetype|owner".
cat >"$T/files" <<EOF2
$zq/DebugSocketlog.txt||root
$zq/other.txt||root
$zq/evil.EXE|EXE|root
$zq/tool.scr|ELF|root
$zq/owned.dat||nobody
Windows/Temp/x.ps1|BATCH|root
EOF2
# What must fire, from the rules' text: the relpath, then its rules.
cat >"$T/want-ext" <<EOF2
$zq/DebugSocketlog.txt	X_filepath
$zq/evil.EXE	X_extension,X_filename,X_filepath,X_filetype_exe
$zq/other.txt	X_filepath
$zq/owned.dat	X_filepath,X_owner
$zq/tool.scr	X_filepath,X_filetype_elf
Windows/Temp/x.ps1	X_filetype_batch,X_relpath
EOF2

# detections FILE.jsonl: "PATH<TAB>RULES" of the detection objects, sorted.
detections() {
	jq -r 'select(.type == "detection") | [.path, (.rules | join(","))] | @tsv' "$1" | LC_ALL=C sort
}

# yara_verdicts RULES FILE...: the yara CLI's rule names per planted file,
# with the external values of $T/files.
yara_verdicts() {
	rules=$1; shift
	while IFS='|' read -r rel ftype owner; do
		name=${rel##*/}
		dir=$(printf '%s' "${rel%/*}" | tr / '\\')
		ext=
		case $name in ?*.*) ext=.$(printf '%s' "${name##*.}" | tr '[:upper:]' '[:lower:]') ;; esac
		r=$(yara "$@" -d "relpath=$rel" -d "filename=$name" -d "filepath=C:\\$dir" -d "extension=$ext" \
			-d "filetype=$ftype" -d "owner=$owner" "$rules" "$root/$rel" | awk '{print $1}' | LC_ALL=C sort | paste -sd, -)
		[ -z "$r" ] || printf '%s\t%s\n' "$rel" "$r"
	done <"$T/files" | LC_ALL=C sort
}

paths=$(cut -d'|' -f1 "$T/files")
# shellcheck disable=SC2086 # the planted paths have no spaces
"$RESCUE" --root "$root" --json scan $paths --rules "$T/ext" >"$T/ext.jsonl" 2>"$T/ext.err"
detections "$T/ext.jsonl" >"$T/got-ext"
if cmp -s "$T/want-ext" "$T/got-ext"; then
	ok "each external's rule fires on the files made to match it and on no other"
else
	not_ok "externals: detections differ"; diff "$T/want-ext" "$T/got-ext" | sed 's/^/#   /'
fi
yara_verdicts "$T/ext/externals.yar" >"$T/yara-ext"
if cmp -s "$T/want-ext" "$T/yara-ext"; then
	ok "the yara CLI given the same external values agrees"
else
	not_ok "the yara CLI disagrees"; diff "$T/want-ext" "$T/yara-ext" | sed 's/^/#   /'
fi
if jq -se '[.[] | select(.type == "detection" and (.path | endswith("evil.EXE"))) | .matches[] |
	select(.rule == "X_filename" and .namespace == "externals.yar" and .author == "t0570" and
	       .description == "filename" and .score == 40)] | length == 1' "$T/ext.jsonl" >/dev/null; then
	ok "a detection carries its rule's namespace, description, author and score (JSON)"
else
	not_ok "rule meta missing from the JSON detection"; sed 's/^/#   /' "$T/ext.jsonl" | head -n 5
fi
"$RESCUE" --root "$root" scan "$zq/evil.EXE" --rules "$T/ext" >"$T/ext.txt" 2>&1
if grep -q '^  rule X_filename \[externals.yar\] score 40: filename (t0570)$' "$T/ext.txt"; then
	ok "text output: one short line per rule, with its author"
else
	not_ok "text output lacks the rule line"; sed 's/^/#   /' "$T/ext.txt"
fi

# Bad input: includes outside the folder, a 50 MB rule file.
t_build sanitized
mkdir -p "$T/bad/sub"
echo 'include "/etc/passwd"' >"$T/bad/abs.yar"
echo 'include "../ext/externals.yar"' >"$T/bad/dotdot.yar"
printf 'rule In_Sub { condition: true }\n' >"$T/bad/sub/inc.yara"
printf 'include "sub/inc.yara"\nrule Uses_In_Sub { condition: In_Sub }\n' >"$T/bad/ok.yar"
printf 'rule Broken {\n condition: no_such_thing\n}\n' >"$T/bad/broken.yar"
{ i=0; while [ $i -lt 20000 ]; do printf 'rule Big_%d { strings: $a = "%0200d" condition: $a }\n' $i $i; i=$((i + 1)); done; } >"$T/bad/big.yar"
head -c 50000000 /dev/zero | tr '\0' '/' >>"$T/bad/big.yar"
timeout 120 "$RESCUE" --json rules check "$T/bad" >"$T/bad.jsonl" 2>"$T/bad.err"; rc=$?
if [ $rc -eq 1 ]; then ok "rules check exits 1 on a folder with broken files"; else not_ok "rules check exit $rc, want 1"; sed 's/^/#   /' "$T/bad.err"; fi
why() { jq -r --arg p "$T/bad/$1" 'select(.type == "file" and .path == $p) | .skipped // "LOADED"' "$T/bad.jsonl"; }
case $(why abs.yar) in *'abs.yar:1:'*'include "/etc/passwd" refused'*) ok "an include of an absolute path is refused, file:line named" ;;
	*) not_ok "absolute include: $(why abs.yar)" ;; esac
case $(why dotdot.yar) in *'dotdot.yar:1:'*'refused'*) ok "an include through .. is refused" ;;
	*) not_ok "dotdot include: $(why dotdot.yar)" ;; esac
case $(why broken.yar) in *'broken.yar:2: undefined identifier'*) ok "a broken file is skipped with file:line and the reason" ;;
	*) not_ok "broken: $(why broken.yar)" ;; esac
case $(why big.yar) in *'too large'*) ok "the 50 MB rule file is skipped as too big" ;;
	*) not_ok "big: $(why big.yar)" ;; esac
if [ "$(why ok.yar)" = LOADED ] && [ "$(why sub/inc.yara)" = LOADED ] &&
	jq -e 'select(.type == "summary" and .rules == 3)' "$T/bad.jsonl" >/dev/null; then
	ok "an include inside the folder works; the good files load (3 rules)"
else
	not_ok "good files beside the bad ones"; sed 's/^/#   /' "$T/bad.jsonl"
fi

# signature-base, as published.
t_build shipped
sb=$RULESETS/signature-base
if [ ! -d "$sb/yara" ]; then
	skip "signature-base compiles file by file" "no $sb"
	skip "signature-base rules with externals agree with the yara CLI" "no $sb"
	t_done; exit
fi
"$RESCUE" --json rules check "$sb" >"$T/sb.jsonl" 2>"$T/sb.err"; rc=$?
nyar=$(find "$sb" -type f \( -name '*.yar' -o -name '*.yara' \) | wc -l)
nfile=$(jq -s '[.[] | select(.type == "file" and .kind == "yara")] | length' "$T/sb.jsonl")
nbad=$(jq -s '[.[] | select(.type == "file" and .ok == false and ((.skipped // "") | test(":[0-9]+: ") | not))] | length' "$T/sb.jsonl")
nskip=$(jq -s '[.[] | select(.type == "file" and .ok == false)] | length' "$T/sb.jsonl")
if [ "$nfile" -eq "$nyar" ] && [ "$nbad" -eq 0 ] && { [ "$nskip" -eq 0 ] && [ $rc -eq 0 ] || [ $rc -eq 1 ]; }; then
	ok "signature-base: all $nyar rule files listed; $((nyar - nskip)) compile, $nskip skipped with file:line and why"
else
	not_ok "signature-base: $nfile of $nyar files listed, $nbad skipped without a reason, exit $rc"
	sed 's/^/#   /' "$T/sb.err"
fi
jq -r 'select(.type == "file" and .ok == false) | "#   skipped: " + .skipped' "$T/sb.jsonl"

# The same planted files scanned with signature-base: rescue and the yara CLI
# (given the compiled files, the same external values) agree on every match,
# and the rule that needs filename == "DebugSocketlog.txt" fires there only.
# shellcheck disable=SC2086
"$RESCUE" --root "$root" --json scan $paths --rules "$sb" >"$T/sb-scan.jsonl" 2>"$T/sb-scan.err"
detections "$T/sb-scan.jsonl" >"$T/got-sb"
jq -r 'select(.type == "file" and .kind == "yara" and .ok == true) | .path' "$T/sb.jsonl" >"$T/sb-good"
# shellcheck disable=SC2046
yarac -d filename= -d filepath= -d extension= -d filetype= -d owner= -d relpath= \
	$(cat "$T/sb-good") "$T/sb.yarc" 2>"$T/yarac.err"
yara_verdicts "$T/sb.yarc" -C >"$T/yara-sb"
if [ -s "$T/got-sb" ] && cmp -s "$T/yara-sb" "$T/got-sb"; then
	ok "signature-base on the planted files: rescue and the yara CLI agree ($(wc -l <"$T/got-sb") files)"
else
	not_ok "signature-base: rescue and the yara CLI differ"; diff "$T/yara-sb" "$T/got-sb" | sed 's/^/#   /'
fi
if grep -q "^$zq/DebugSocketlog.txt	.*SUSP_ServU_Known_Mal_IP_Jul21_1" "$T/got-sb" &&
	! grep -q "^$zq/other.txt	.*SUSP_ServU_Known_Mal_IP_Jul21_1" "$T/got-sb"; then
	ok "signature-base's filename rule fires on its file name only"
else
	not_ok "SUSP_ServU_Known_Mal_IP_Jul21_1 on the wrong files"; sed 's/^/#   /' "$T/got-sb"
fi
if jq -se '[.[] | select(.type == "detection") | .matches[] | select(.rule == "SUSP_ServU_Known_Mal_IP_Jul21_1" and
	.namespace == "yara/yara_mixed_ext_vars.yar" and (.author | length > 0) and .score == 60)] | length == 1' \
	"$T/sb-scan.jsonl" >/dev/null; then
	ok "signature-base's detection names its file, author and score"
else
	not_ok "signature-base meta missing"
fi
t_done
