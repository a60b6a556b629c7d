#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Damaged compiled rules (issue 19, finding 7): 150 mutations of the built
# .yarc (bit flips, bytes set, truncations; a fixed seed, so every run tries
# the same files) given to `auto` as rules_compiled and to `scan` through
# RESCUE_RULES, each under `timeout`.  libyara asserts or crashes on some of
# them: that must end a child process, never rescue (no exit 134/139, no
# hang).  A run whose rules do not load names the file, changes no hive
# (sha256 before and after, hivexget reads them) and still writes its report,
# YELLOW; a run whose rules load is an ordinary run.  With the digest make
# writes beside compiled.yarc (compiled.yarc.sum), the mutations libyara
# loads without complaint are refused as well.  Last, one damaged file on
# the clean NTFS image through --disk (hives read back with ntfscat).
# shellcheck disable=SC2154 # t_loop is set by t_attach (tests/lib.sh)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

yarc=$(dirname "$RESCUE")/rules/compiled.yarc
[ -f "$yarc" ] || yarc=$TOP/build/rules/compiled.yarc
if [ ! -f "$yarc" ]; then not_ok "no compiled rules beside $RESCUE (run make)"; exit 1; fi
N=150
LIMIT=600   # seconds: only a hang comes near it

sh "$TOP/tests/fixtures/mutate-yarc.sh" "$yarc" "$T/m" "$N"
expect "$N mutations written" test "$(find "$T/m" -name '*.yarc' | wc -l)" -eq "$N"

sh "$TOP/tests/fixtures/mktree.sh" win10 "$T/pristine" >/dev/null
hives() { (cd "$1/Windows/System32/config" && sha256sum SAM SECURITY SOFTWARE SYSTEM 2>/dev/null); }
hives "$T/pristine" >"$T/hives.pristine"

# auto: everything it can do is wanted, so a run that went on would change the hives
cp -a "$T/pristine" "$T/w"
aborted="" hung="" unnamed="" changed="" noreport="" odd=""
refused=0 crashed=0 loaded=0
for f in "$T"/m/*.yarc; do
	i=$(basename "$f" .yarc)
	printf 'rules_compiled = %s\ncontain = all\naccounts = admins\n' "$f" >"$T/rc.conf"
	hives "$T/w" >"$T/before"
	timeout "$LIMIT" "$RESCUE" --root "$T/w" auto --config "$T/rc.conf" >"$T/out" 2>&1
	rc=$?
	case $rc in
	0|1|4) ;;
	124) hung="$hung $i"; continue ;;
	*) aborted="$aborted $i($rc)"; continue ;;
	esac
	if grep -q 'scan     failed   rules could not load' "$T/out"; then
		refused=$((refused + 1))
		if grep -q 'libyara crashed' "$T/out"; then crashed=$((crashed + 1)); crasher=${crasher:-$f}; fi
		grep -q "^rescue: nothing changed: the scan rules could not load: $f: " "$T/out" || unnamed="$unnamed $i"
		hives "$T/w" | cmp -s - "$T/before" || changed="$changed $i"
		for rep in "$T"/w/Rescue/reports/*.json; do :; done	# the last: names are UTC times
		[ -f "$rep" ] && [ "$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdict"], [s["status"] for s in d["steps"] if s["step"] in ("contain", "passwd")])' "$rep")" = \
			"YELLOW ['refused', 'refused']" ] || noreport="$noreport $i"
		[ "$rc" -eq 4 ] || odd="$odd $i(exit $rc)"
	elif grep -Eq 'scan     (ok|changed|failed) ' "$T/out"; then
		# the rules loaded: an ordinary run; start the next one from the pristine tree
		loaded=$((loaded + 1)); loaded_files="${loaded_files:-} $f"
		rm -rf "$T/w" && cp -a "$T/pristine" "$T/w"
	else
		odd="$odd $i(exit $rc, no scan step)"
		# a sanitizer's report names the place: its first lines, and the end
		{ grep -E -m 12 'ERROR|runtime error|^ *#[0-9]+ ' "$T/out"; tail -n 3 "$T/out"; } | sed 's/^/#   /'
		cp "$f" "$TOP/build/t0505-odd-$i.yarc" 2>/dev/null	# kept for a look after the test
	fi
done
expect "auto: no run aborted or crashed (exit 134/139...):${aborted:- none}" test -z "$aborted"
expect "auto: no run hung (timeout ${LIMIT}s):${hung:- none}" test -z "$hung"
expect "auto: every run either refused the rules ($refused, $crashed of them after libyara crashed in the child) or scanned ($loaded)" \
	test $((refused + loaded)) -eq "$N" -a -z "$odd"
expect "auto: some mutations make libyara crash, and the child took it" test "$crashed" -gt 0
expect "auto: every refusal names the file in one line:${unnamed:- all do}" test -z "$unnamed"
expect "auto: no hive changed when the rules did not load (sha256):${changed:- none}" test -z "$changed"
expect "auto: the report is still written, YELLOW, contain and passwd refused:${noreport:- all}" test -z "$noreport"
expect "the tree's hives still read (hivexget SYSTEM Select Current)" \
	sh -c "hivexget '$T/w/Windows/System32/config/SYSTEM' '\\Select' Current | grep -qx '[0-9]*'"

# scan: the same files through RESCUE_RULES: a clean error (exit 3) naming the
# file, or an ordinary scan (0, 1, or 4 when libyara cannot run some rule)
aborted="" hung="" unnamed=""
bad=0
for f in "$T"/m/*.yarc; do
	i=$(basename "$f" .yarc)
	RESCUE_RULES=$f timeout "$LIMIT" "$RESCUE" --root "$T/pristine" scan >"$T/out" 2>&1
	rc=$?
	case $rc in
	0|1|4) ;;
	3) bad=$((bad + 1)); grep -q "$f: " "$T/out" || unnamed="$unnamed $i" ;;
	124) hung="$hung $i" ;;
	*) aborted="$aborted $i($rc)" ;;
	esac
done
expect "scan: no run aborted or crashed:${aborted:- none}" test -z "$aborted"
expect "scan: no run hung:${hung:- none}" test -z "$hung"
expect "scan: $bad refused with a message naming the file:${unnamed:- all do}" test "$bad" -gt 0 -a -z "$unnamed"
hives "$T/pristine" | cmp -s - "$T/hives.pristine" && ok "scan: the hives are untouched" || not_ok "scan: a hive changed"

# not a file at all
printf 'rules_compiled = %s\ncontain = all\n' "$T/m" >"$T/dir.conf"
cp -a "$T/pristine" "$T/d"
timeout "$LIMIT" "$RESCUE" --root "$T/d" auto --config "$T/dir.conf" >"$T/out" 2>&1
rc=$?
expect "a folder as rules_compiled: exit 4, named, not a regular file" sh -c \
	"[ $rc -eq 4 ] && grep -q 'could not load: $T/m: cannot read compiled rules: not a regular file' '$T/out'"
hives "$T/d" | cmp -s - "$T/hives.pristine" && ok "a folder as rules_compiled: no hive changed" ||
	not_ok "a folder as rules_compiled: a hive changed"

# --- with the digest the build writes beside compiled.yarc, the damage libyara
# loads without a word is refused too
if [ -f "$yarc.sum" ]; then
	cp "$yarc" "$T/good.yarc"; cp "$yarc.sum" "$T/good.yarc.sum"
	expect_exit 0 "the built rules with their .sum: a clean scan" env RESCUE_RULES="$T/good.yarc" \
		timeout "$LIMIT" "$RESCUE" --root "$T/pristine" scan
	missed=""
	for f in ${loaded_files:-}; do
		cp "$yarc.sum" "$f.sum"
		RESCUE_RULES=$f timeout "$LIMIT" "$RESCUE" --root "$T/pristine" scan >"$T/out" 2>&1
		rc=$?
		[ "$rc" -eq 3 ] && grep -q "$f: damaged compiled rules: their SHA-256 is not the one $f.sum recorded" "$T/out" ||
			missed="$missed $(basename "$f")($rc)"
	done
	expect "with the .sum, the $loaded mutations libyara loaded are refused too:${missed:- all}" \
		test -z "$missed" -a -n "${loaded_files:-}"
else
	not_ok "no $yarc.sum beside the built rules (make writes it)"
fi

# --- the same on an NTFS image through --disk: hives read back with ntfscat --------
if [ "$(id -u)" -ne 0 ] || [ -z "${crasher:-}" ]; then
	skip "auto --disk with damaged rules" "needs root (loop devices, FUSE) and a mutation that crashes libyara"
	t_done; exit
fi
export RESCUE_RUNDIR="$T/run"
t_image clean "$T/clean.img" || { not_ok "build the clean image"; t_done; exit; }
disk_hives() {	# the image's hives as ntfscat reads them
	t_attach "$T/clean.img" 3 &&
	for h in SAM SOFTWARE SYSTEM; do
		printf '%s %s\n' "$(ntfscat "$t_loop" "Windows/System32/config/$h" | sha256sum | cut -c 1-64)" "$h"
	done
	t_detach
}
disk_hives >"$T/disk.before"
printf 'rules_compiled = %s\ncontain = all\naccounts = admins\n' "$crasher" >"$T/disk.conf"
timeout "$LIMIT" "$RESCUE" --disk "$T/clean.img" auto --config "$T/disk.conf" >"$T/out" 2>&1
rc=$?
sed 's/^/#   /' "$T/out"
expect "--disk, rules that crash libyara: exit 4 (YELLOW), not an abort" test "$rc" -eq 4
expect "--disk: the one line names the file and says nothing changed" \
	grep -q "^rescue: nothing changed: the scan rules could not load: $crasher: damaged compiled rules: libyara crashed" "$T/out"
expect "--disk: verdict YELLOW, not scanned" grep -q '^rescue: VERDICT YELLOW .*(not scanned' "$T/out"
disk_hives >"$T/disk.after"
expect "--disk: no hive on the image changed (ntfscat, sha256)" cmp "$T/disk.before" "$T/disk.after"
t_attach "$T/clean.img" 3
rep=$(ntfsls -p Rescue/reports "$t_loop" 2>/dev/null | grep '\.json$' | head -n 1)
ntfscat "$t_loop" "Rescue/reports/$rep" >"$T/disk.json" 2>/dev/null
t_detach
expect "--disk: the report on the image (ntfscat) says YELLOW, contain and passwd refused" test \
	"$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdict"], [s["status"] for s in d["steps"] if s["step"] in ("contain", "passwd")])' "$T/disk.json" 2>&1)" = \
	"YELLOW ['refused', 'refused']"

# hibernated = remove would delete hiberfil.sys before contain: not without rules
if t_image hibernated "$T/hib.img"; then
	sha256sum "$T/hib.img" >"$T/hib.sum"
	printf 'rules_compiled = %s\nhibernated = remove\n' "$crasher" >"$T/hib.conf"
	timeout "$LIMIT" "$RESCUE" --disk "$T/hib.img" auto --config "$T/hib.conf" >"$T/out" 2>&1
	rc=$?
	sed 's/^/#   /' "$T/out"
	expect "--disk, hibernated = remove, damaged rules: exit 4, the hibernation file kept" sh -c \
		"[ $rc -eq 4 ] && grep -q 'hibernation file could not be removed: not without scan rules' '$T/out'"
	expect "--disk, hibernated = remove, damaged rules: the image is byte-identical (sha256sum)" sha256sum -c "$T/hib.sum"
else
	not_ok "build the hibernated image"
fi
t_done
