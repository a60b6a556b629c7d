#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Extra rules compiled once per stick (issue 15 item 4): `rescue auto` with a
# rescue_partition writes the compiled rule folder to its cache/ the first
# time and loads it the next; a damaged cache file and one of another rule
# set are recompiled; a read-only partition leaves the set compiled in memory
# and says so.  `rescue scan` uses the same cache through the same function
# (rescue/run/runrules.h): for the stick's rules/ (the boot image's settings,
# here RESCUE_BOOT_CONF) and for a --rule-cache folder.  The cache files are
# judged by sha256sum and the yara CLI.
. "$(dirname "$0")/../lib.sh"

root=$T/vol
sh "$TOP/tests/fixtures/mktree.sh" win10 "$root" >/dev/null
mkdir -p "$root/Users/Public"
printf 'padding CACHE-TEST-MARKER-7f3a padding\n' >"$root/Users/Public/sample.bin"

part=$T/part
mkdir -p "$part/rules/sub"
cat >"$part/rules/marker.yar" <<'R'
rule cache_test_marker { strings: $a = "CACHE-TEST-MARKER-7f3a" condition: $a }
R
cat >"$part/rules/sub/other.yar" <<'R'
rule cache_test_other { strings: $a = "never-in-any-file-0a9c" condition: $a }
R

# run PART NAME: `rescue auto` (report mode: the tree is not changed) with
# PART as the RESCUE partition and its rules/; the report as $T/NAME.json.
run() {
	rm -rf "$T/reports"
	printf '# rescue.conf for a test\r\nmode = report\r\nrescue_partition = %s\r\nrules_extra = %s\r\nreports_dir = %s\r\n' \
		"$1" "$1/rules" "$T/reports" >"$T/$2.conf"
	timeout 300 "$RESCUE" --root "$root" auto --config "$T/$2.conf" >"$T/$2.out" 2>&1
	cp "$(find "$T/reports" -name '*.json' | head -n 1)" "$T/$2.json" 2>/dev/null || echo '{"notes":[]}' >"$T/$2.json"
}
note() { jq -r '.notes[] | select(startswith("rules: rule set") or startswith("rules: rule cache"))' "$1"; }
found() { jq -e '[.detection_list[] | select(.path | endswith("sample.bin"))] | length == 1' "$1" >/dev/null; }

# --- first run: compiled and cached ---------------------------------------
run "$part" first
cache=$(find "$part/cache" -name 'rules-*.yarc' 2>/dev/null | head -n 1)
key=$(basename "$cache" .yarc); key=${key#rules-}
if [ -n "$cache" ] && note "$T/first.json" | grep -qx "rules: rule set $key compiled and cached in $cache"; then
	ok "first run: the rule set is compiled and cached, the report names its key"
else
	not_ok "first run: no cache note"; note "$T/first.json" | sed 's/^/#   /'; tail -n 5 "$T/first.out" | sed 's/^/#   /'
fi
expect "first run: the marker is detected" found "$T/first.json"
expect "the cache's .sum is right (sha256sum -c)" sh -c "cd '$part/cache' && sha256sum --status -c 'rules-$key.yarc.sum'"
expect "the cached set is YARA's compiled rules and finds the marker (yara -C)" \
	sh -c "yara -C '$cache' '$root/Users/Public/sample.bin' | grep -q '^cache_test_marker '"
sum1=$(sha256sum <"$cache")

# --- second run: loaded ---------------------------------------------------
run "$part" second
expect "second run: the set is loaded from the cache, same key" sh -c \
	"jq -r '.notes[]' '$T/second.json' | grep -qx 'rules: rule set $key loaded from the cache $cache'"
expect "second run: the marker is detected with the cached set" found "$T/second.json"
expect "second run: the cache file is not rewritten" test "$(sha256sum <"$cache")" = "$sum1"

# --- a damaged cache file: recompiled -------------------------------------
printf 'DAMAGED!' | dd of="$cache" bs=1 seek=200 conv=notrunc 2>/dev/null
run "$part" damaged
if note "$T/damaged.json" | grep -q "rule cache not used (.*rules-$key.yarc.*): recompiled; rule set $key compiled and cached"; then
	ok "a damaged cache file is named, recompiled and rewritten"
else
	not_ok "damaged cache"; note "$T/damaged.json" | sed 's/^/#   /'
fi
expect "damaged: the marker is still detected" found "$T/damaged.json"
expect "damaged: the rewritten cache is whole again (sha256sum -c)" sh -c "cd '$part/cache' && sha256sum --status -c 'rules-$key.yarc.sum'"

# --- another rule set's cache under this key's name -----------------------
other=$T/other
mkdir -p "$other/rules"
echo 'rule other_set { condition: false }' >"$other/rules/x.yar"
run "$other" otherset
ocache=$(find "$other/cache" -name 'rules-*.yarc' | head -n 1)
cp "$ocache" "$cache"; cp "$ocache.sum" "$cache.sum"
run "$part" renamed
expect "another set's cache and .sum renamed to this key: 'made for another rule set', recompiled" sh -c \
	"jq -r '.notes[]' '$T/renamed.json' | grep -q 'made for another rule set): recompiled'"
cp "$ocache" "$cache"; echo "$(sha256sum <"$ocache" | cut -c1-64)  rules-$key.yarc" >"$cache.sum"
run "$part" forged
expect "another set's cache with a .sum naming this key: 'holds rules of another rule set', recompiled" sh -c \
	"jq -r '.notes[]' '$T/forged.json' | grep -q 'holds rules of another rule set (x.yar)): recompiled'"
expect "forged: the marker is still detected" found "$T/forged.json"

# --- a changed source: another key ----------------------------------------
echo '// changed' >>"$part/rules/sub/other.yar"
run "$part" changed
expect "a changed rule file gives another key, cached beside the first" \
	test "$(find "$part/cache" -name 'rules-*.yarc' | wc -l)" -eq 2

# --- a link as the cache folder: not followed ------------------------------
ln2=$T/linked
mkdir -p "$ln2/rules" "$T/elsewhere"
cp "$part/rules/marker.yar" "$ln2/rules/"
ln -s "$T/elsewhere" "$ln2/cache"
run "$ln2" linked
expect "a link as cache/: not followed, compiled in memory" sh -c \
	"jq -r '.notes[]' '$T/linked.json' | grep -q 'compiled in memory: the cache cannot be written'"
expect "linked: nothing written where the link points" test -z "$(ls -A "$T/elsewhere")"

# --- a rule file that includes another: the key cannot cover it, never cached
inc=$T/inc
mkdir -p "$inc/rules"
cp "$part/rules/marker.yar" "$inc/rules/part.inc"
printf '  include "part.inc"\n' >"$inc/rules/main.yar"
run "$inc" include
expect "a rule file with an include: compiled in memory, not cached, and said so" sh -c \
	"jq -r '.notes[]' '$T/include.json' | grep -q 'compiled in memory, not cached: a rule file includes another'"
expect "include: no cache folder written" test ! -e "$inc/cache"
expect "include: the included rule detects" found "$T/include.json"

# --- scan: the same cache, through the same function ------------------------
# scanrun NAME ARGS...: `rescue scan` with the boot settings of $T/boot.conf
scanrun() {
	n=$1; shift
	RESCUE_BOOT_CONF=$T/boot.conf timeout 300 "$RESCUE" --root "$root" --json scan "$@" >"$T/$n.jsonl" 2>"$T/$n.err"
}
sfound() { jq -se '[.[] | select(.type == "detection" and (.path | endswith("sample.bin")))] | length == 1' "$1" >/dev/null; }
printf 'rescue_partition = %s\nrules_extra = %s/rules\nreports_dir = %s/reports\n' "$part" "$part" "$part" >"$T/boot.conf"
key2=$(jq -r '.notes[] | select(startswith("rules: rule set")) | capture("rule set (?<k>[0-9a-f]{64})").k' "$T/changed.json")
scanrun s1 --rules "$part/rules"
if grep -qx "rescue: rules: rule set $key2 loaded from the cache $part/cache/rules-$key2.yarc" "$T/s1.err" && sfound "$T/s1.jsonl"; then
	ok "scan --rules STICK/rules: the set auto cached is loaded (same key), the marker found"
else not_ok "scan --rules: not the stick's cache"; sed 's/^/#   /' "$T/s1.err"; fi
expect "scan --json: the cache note is a line of its own" \
	jq -se '[.[] | select(.type == "rules" and (.cache | startswith("rule set")))] | length == 1' "$T/s1.jsonl"
scanrun s2
expect "scan without --rules on the boot image: the stick's rules, from the cache" sh -c \
	"grep -q 'rescue: rules: rule set $key2 loaded from the cache' '$T/s2.err' && grep -q '\"path\":\"Users/Public/sample.bin\"' '$T/s2.jsonl'"
printf 'DAMAGED!' | dd of="$part/cache/rules-$key2.yarc" bs=1 seek=200 conv=notrunc 2>/dev/null
scanrun s3 --rules "$part/rules"
expect "scan: a damaged cache is named, recompiled and rewritten (sha256sum -c)" sh -c \
	"grep -q 'rule cache not used (.*rules-$key2.yarc.*): recompiled; rule set $key2 compiled and cached' '$T/s3.err' &&
	 cd '$part/cache' && sha256sum --status -c 'rules-$key2.yarc.sum'"
expect "scan: damaged: the marker is still found" sfound "$T/s3.jsonl"
mkdir -p "$T/own/rules"
cp "$part/rules/marker.yar" "$T/own/rules/"
scanrun s4 --rules "$T/own/rules"
expect "scan --rules of a folder not the stick's: compiled in memory, no cache" sh -c \
	"! grep -q 'rule set' '$T/s4.err' && test ! -e '$T/own/cache' && grep -q '\"path\":\"Users/Public/sample.bin\"' '$T/s4.jsonl'"
scanrun s5 --rules "$T/own/rules" --rule-cache "$T/mycache"
scanrun s6 --rules "$T/own/rules" --rule-cache "$T/mycache"
mkey=$(basename "$(find "$T/mycache" -name 'rules-*.yarc' | head -n 1)" .yarc)
expect "scan --rule-cache DIR: compiled and cached there, then loaded" sh -c \
	"grep -q 'compiled and cached in $T/mycache/$mkey.yarc' '$T/s5.err' && grep -q 'loaded from the cache $T/mycache/$mkey.yarc' '$T/s6.err'"
expect "scan --rule-cache: the cached set finds the marker (yara -C)" \
	sh -c "yara -C '$T/mycache/$mkey.yarc' '$root/Users/Public/sample.bin' | grep -q '^cache_test_marker '"
expect_exit 2 "scan --rule-cache without rules to cache: usage" "$RESCUE" --root "$root" scan --rule-cache "$T/mycache"

# --- the built-in rules compiled into the extra set: one scan per file --------
# The build writes builtin.yar (rules/*.yar in one file) and builtin.yar.sum
# (the compiled.yarc they match) beside compiled.yarc; with extra rules both
# go into one set.  The yara CLI sees the built-in rule in the cached set.
printf 'X5O!P%%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' >"$root/Users/Public/eicar.com"
expect "the EICAR file is the test file (yara -C compiled.yarc)" sh -c \
	"yara -C '$TOP/build/rules/compiled.yarc' '$root/Users/Public/eicar.com' | grep -q '^EICAR_Test_File '"
scanrun m1 --rules "$T/own/rules" --rule-cache "$T/onecache"
ocache=$(find "$T/onecache" -name 'rules-*.yarc' | head -n 1)
expect "one set: the cached set holds the built-in rules too (yara -C finds EICAR_Test_File)" sh -c \
	"yara -C '$ocache' '$root/Users/Public/eicar.com' | grep -q '^EICAR_Test_File '"
RESCUE_BOOT_CONF=$T/boot.conf "$RESCUE" -v --root "$root" scan --rules "$T/own/rules" Users/Public >/dev/null 2>"$T/m2.err"
expect "one set: -v says so" grep -q 'built-in and extra rules in one set' "$T/m2.err"
expect "one set: the built-in rule (namespace default) and the extra rule both detect" sh -c \
	"jq -se '[.[] | select(.type == \"detection\") | .matches[] | .namespace + \":\" + .rule] | sort == [\"default:EICAR_Test_File\", \"marker.yar:cache_test_marker\"]' '$T/m1.jsonl' >/dev/null"
# Built-in rules named by RESCUE_RULES elsewhere (no sources beside them): two
# sets, the same detections, and a cache without the built-in rules.
mkdir -p "$T/data"
cp "$TOP/build/rules/compiled.yarc" "$TOP/build/rules/compiled.yarc.sum" "$T/data/"
RESCUE_RULES=$T/data/compiled.yarc scanrun m3 --rules "$T/own/rules" --rule-cache "$T/twocache"
tcache=$(find "$T/twocache" -name 'rules-*.yarc' | head -n 1)
expect "no sources beside RESCUE_RULES: the cached set is the extra rules alone (yara -C)" sh -c \
	"! yara -C '$tcache' '$root/Users/Public/eicar.com' | grep -q EICAR && yara -C '$tcache' '$root/Users/Public/sample.bin' | grep -q cache_test_marker"
expect "two sets: the same detections as one" sh -c \
	"jq -sc '[.[] | select(.type == \"detection\") | .matches[] | .namespace + \":\" + .rule] | sort' '$T/m1.jsonl' >'$T/m1.d' &&
	 jq -sc '[.[] | select(.type == \"detection\") | .matches[] | .namespace + \":\" + .rule] | sort' '$T/m3.jsonl' >'$T/m3.d' && cmp '$T/m1.d' '$T/m3.d'"
# The build's builtin.yar.sum ties the sources to the compiled set (sha256sum
# -c); sources that are not the compiled set's are never joined to it.
expect "builtin.yar.sum: the sources and the compiled set they match (sha256sum -c)" sh -c \
	"cd '$TOP/build/rules' && sha256sum --status -c builtin.yar.sum && grep -q ' compiled.yarc\$' builtin.yar.sum"
twosets() {	# twosets NAME: scan -v with RESCUE_RULES=$T/data/compiled.yarc says "two sets"
	RESCUE_RULES=$T/data/compiled.yarc "$RESCUE" -v --root "$root" scan --rules "$T/own/rules" Users/Public >/dev/null 2>"$T/$1.err"
	grep -q 'built-in and extra rules as two sets' "$T/$1.err"
}
cp "$TOP/build/rules/builtin.yar" "$T/data/"
(cd "$T/data" && sha256sum builtin.yar >builtin.yar.sum)
expect "sources whose .sum does not list the compiled file: two sets" twosets m4
cp "$TOP/build/rules/builtin.yar.sum" "$T/data/"
echo '// changed' >>"$T/data/builtin.yar"
expect "sources changed since the .sum was written: two sets" twosets m5
(cd "$T/data" && sha256sum compiled.yarc builtin.yar >builtin.yar.sum)
RESCUE_RULES=$T/data/compiled.yarc scanrun m6 --rules "$T/own/rules" --rule-cache "$T/onecache"
expect "other built-in sources with their own .sum: one set, under another key" \
	test "$(find "$T/onecache" -name 'rules-*.yarc' | wc -l)" -eq 2

# --- a read-only partition: compiled in memory ----------------------------
ro=$T/ro
mkdir -p "$T/rosrc/rules" "$ro"
cp "$part/rules/marker.yar" "$T/rosrc/rules/"
if mount --bind "$T/rosrc" "$ro" 2>/dev/null && mount -o remount,ro,bind "$ro" 2>/dev/null; then
	t_on_exit "umount '$ro' 2>/dev/null"
	run "$ro" readonly
	expect "read-only partition: compiled in memory, and the report says so" sh -c \
		"jq -r '.notes[]' '$T/readonly.json' | grep -q 'compiled in memory: the cache cannot be written (.*Read-only file system)'"
	expect "read-only partition: the marker is detected" found "$T/readonly.json"
	scanrun s7 --rules "$ro/rules" --rule-cache "$ro/cache"
	expect "scan --rule-cache on a read-only partition: compiled in memory, and says so; the marker found" sh -c \
		"grep -q 'compiled in memory: the cache cannot be written (.*Read-only file system)' '$T/s7.err' &&
		 grep -q '\"path\":\"Users/Public/sample.bin\"' '$T/s7.jsonl'"
else
	skip "read-only partition" "cannot make a read-only bind mount here"
fi
t_done
