#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# status / contain / undo on Windows trees built from the real hives, judged
# by tools we did not write: after contain, hivexget and reglookup read every
# expected value, and hivexregedit's export of each hive equals the export of
# the original hive with exactly the intended changes merged in by
# hivexregedit itself; after undo, every export equals the original's and
# the hosts file is byte-identical.
. "$(dirname "$0")/../lib.sh"
t_build shipped	# the real hives and images and the planted samples alone (tests/lib.sh)

# Canonical dump of a hive: "key|line" sorted, so value order does not matter.
dump() {
	hivexregedit --export "$1" '\' 2>/dev/null |
		awk '/^\[/ { key = $0; print key "|"; next } /^$/ { next } { print key "|" $0 }' | LC_ALL=C sort
}

# Print the .reg lines creating KEY and each of its parents (hivexregedit
# creates one level at a time).
reg_keys() {
	printf '%s\n' "$1" | tr '\\' '\n' | awk 'NF { path = path "\\" $0; printf "[%s]\n\n", path }'
}

# The intended changes, written from DESIGN.md, independently of our code.
expected_reg() {	# expected_reg software|system|user VARIANT CCS
	printf 'Windows Registry Editor Version 5.00\n\n'
	case $1 in
	software)
		reg_keys 'Microsoft\Windows\CurrentVersion\Policies\Explorer'
		printf '[\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer]\n"NoDriveTypeAutoRun"=dword:000000ff\n"NoAutorun"=dword:00000001\n'
		[ "$2" = xp ] && printf '"HonorAutorunSetting"=dword:00000001\n'
		printf '\n'
		reg_keys 'Microsoft\Windows NT\CurrentVersion\IniFileMapping\Autorun.inf'
		printf '[\\Microsoft\\Windows NT\\CurrentVersion\\IniFileMapping\\Autorun.inf]\n@="@SYS:DoesNotExist"\n\n'
		reg_keys 'Policies\Microsoft\Windows NT\SystemRestore'
		printf '[\\Policies\\Microsoft\\Windows NT\\SystemRestore]\n"DisableSR"=dword:00000001\n"DisableConfig"=dword:00000001\n\n'
		if [ "$2" = xp ]; then
			printf '[\\Microsoft\\Windows NT\\CurrentVersion\\SystemRestore]\n"DisableSR"=dword:00000001\n\n'
		fi
		if [ "$2" = win10 ]; then
			reg_keys 'Wow6432Node\Microsoft\Windows\CurrentVersion\Policies\Explorer'
			printf '[\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer]\n"NoDriveTypeAutoRun"=dword:000000ff\n"NoAutorun"=dword:00000001\n\n'
		fi
		;;
	system)
		reg_keys "$3\\Services\\Cdrom"
		printf '[\\%s\\Services\\Cdrom]\n"AutoRun"=dword:00000000\n\n' "$3"
		printf '[\\%s\\Services\\Schedule]\n"Start"=dword:00000004\n\n' "$3"
		reg_keys "$3\\Services\\LanmanServer\\Parameters"
		printf '[\\%s\\Services\\LanmanServer\\Parameters]\n"AutoShareWks"=dword:00000000\n"AutoShareServer"=dword:00000000\n\n' "$3"
		[ "$2" = xp ] && printf '[\\%s\\Services\\srservice]\n"Start"=dword:00000004\n\n' "$3"
		# firewall ([MS-GPFAS] 2.2.3.1, 2.2.3.3): every profile on, XP with
		# no exceptions; the service on.  The rules are checked below.
		fp="$3\\Services\\SharedAccess\\Parameters\\FirewallPolicy"
		if [ "$2" = xp ]; then
			for p in DomainProfile StandardProfile; do
				printf '[\\%s\\%s]\n"EnableFirewall"=dword:00000001\n"DoNotAllowExceptions"=dword:00000001\n\n' "$fp" $p
			done
			printf '[\\%s\\Services\\SharedAccess]\n"Start"=dword:00000002\n\n' "$3"
		else
			for p in DomainProfile StandardProfile PublicProfile; do
				printf '[\\%s\\%s]\n"EnableFirewall"=dword:00000001\n\n' "$fp" $p
			done
			printf '[\\%s\\Services\\MpsSvc]\n"Start"=dword:00000002\n\n' "$3"
			printf '[\\%s\\Services\\BFE]\n"Start"=dword:00000002\n\n' "$3"
		fi
		;;
	user)
		reg_keys 'Software\Microsoft\Windows\CurrentVersion\Policies\Explorer'
		printf '[\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer]\n"NoDriveTypeAutoRun"=dword:000000ff\n\n'
		;;
	esac
}

# Every hive file of a tree, one per line: "kind path".
hives_of() {
	find "$1" -type f \( -iname SOFTWARE -o -iname SYSTEM -o -iname DEFAULT -o -iname NTUSER.DAT \) \
		-not -path '*/Rescue/*' | while read -r f; do
		case $(basename "$f" | tr '[:lower:]' '[:upper:]') in
		SOFTWARE) echo "software $f" ;;
		SYSTEM) echo "system $f" ;;
		*) echo "user $f" ;;
		esac
	done
}

for v in win7 win10 xp; do
	tree=$T/$v
	sh "$TOP/tests/fixtures/mktree.sh" $v "$tree"
	orig=$T/$v.orig
	cp -a "$tree" "$orig"
	cfg=$(find "$tree" -ipath '*/system32/config' -type d)
	ccs=$(printf 'ControlSet%03d' "$(hivexget "$cfg"/[Ss][Yy][Ss][Tt][Ee][Mm] '\Select' Current)")
	hosts=$(find "$tree" -ipath '*/drivers/etc/hosts')

	expect_exit 0 "$v: status runs" "$RESCUE" --root "$tree" status
	grep -q '^autorun  OPEN' "$T/.out" && ok "$v: status says autorun is open" || not_ok "$v: status says autorun is open"
	"$RESCUE" --root "$tree" --json status >"$T/status.json" 2>&1
	expect "$v: status --json is valid JSON" /usr/bin/python3 -m json.tool "$T/status.json"

	expect_exit 0 "$v: contain --dry-run" "$RESCUE" --root "$tree" contain --dry-run
	expect "$v: dry run changed nothing" diff -r "$orig" "$tree"

	expect_exit 0 "$v: contain" "$RESCUE" --root "$tree" contain

	# hivexget and reglookup read the expected values
	sw=$(find "$cfg" -maxdepth 1 -iname software)
	sy=$(find "$cfg" -maxdepth 1 -iname system)
	[ "$(hivexget "$sw" '\Microsoft\Windows\CurrentVersion\Policies\Explorer' NoDriveTypeAutoRun)" = 255 ] &&
		ok "$v: hivexget NoDriveTypeAutoRun = 255" || not_ok "$v: hivexget NoDriveTypeAutoRun = 255"
	[ "$(hivexget "$sw" '\Microsoft\Windows NT\CurrentVersion\IniFileMapping\Autorun.inf' '@')" = "@SYS:DoesNotExist" ] &&
		ok "$v: hivexget IniFileMapping\\Autorun.inf" || not_ok "$v: hivexget IniFileMapping\\Autorun.inf"
	reglookup -H -p "/$ccs/Services/Schedule/Start" "$sy" | grep -qi 'DWORD,0x00000004' &&
		ok "$v: reglookup Schedule Start = 4" || not_ok "$v: reglookup Schedule Start = 4"
	reglookup -H -p "/$ccs/Services/LanmanServer/Parameters/AutoShareWks" "$sy" | grep -qi 'DWORD,0x00000000' &&
		ok "$v: reglookup AutoShareWks = 0" || not_ok "$v: reglookup AutoShareWks = 0"
	reglookup -H -p '/Policies/Microsoft/Windows NT/SystemRestore/DisableSR' "$sw" | grep -qi 'DWORD,0x00000001' &&
		ok "$v: reglookup DisableSR = 1" || not_ok "$v: reglookup DisableSR = 1"

	# each hive = the original + exactly the intended changes
	hives_of "$orig" >"$T/hives"
	while read -r kind f; do
		rel=${f#"$orig"/}
		cp "$f" "$T/expected.hive"
		expected_reg "$kind" "$v" "$ccs" >"$T/expected.reg"
		hivexregedit --merge "$T/expected.hive" "$T/expected.reg"
		dump "$T/expected.hive" >"$T/want"
		# our firewall rules (t1110 parses them under the grammar test)
		dump "$tree/$rel" | grep -v 'FirewallRules]|"RescueContain-' >"$T/got"
		if [ "$kind" = system ]; then
			n=$(dump "$tree/$rel" | grep -c 'FirewallRules]|"RescueContain-')
			want=3; [ $v = xp ] && want=0
			[ "$n" -eq $want ] && ok "$v: $want firewall rules in $rel" || not_ok "$v: $want firewall rules in $rel (found $n)"
		fi
		if cmp -s "$T/want" "$T/got"; then ok "$v: $rel = original + intended changes"
		else not_ok "$v: $rel = original + intended changes"; diff "$T/want" "$T/got" | head -20 | sed 's/^/#   /'; fi
	done <"$T/hives"

	# hosts: the original bytes, then our block
	n=$(wc -c <"$orig/${hosts#"$tree"/}")
	if cmp -s -n "$n" "$orig/${hosts#"$tree"/}" "$hosts" && grep -q '^0.0.0.0 supyouryoga.com' "$hosts"; then
		ok "$v: hosts keeps its bytes and gains the block"; else not_ok "$v: hosts keeps its bytes and gains the block"; fi

	expect_exit 0 "$v: status after contain" "$RESCUE" --root "$tree" status
	if grep -q 'OPEN' "$T/.out"; then not_ok "$v: every item contained"; else ok "$v: every item contained"; fi
	expect_exit 0 "$v: contain again is a no-op" "$RESCUE" --root "$tree" contain
	grep -q '^    set' "$T/.out" && not_ok "$v: nothing set the second time" || ok "$v: nothing set the second time"

	expect_exit 0 "$v: undo" "$RESCUE" --root "$tree" undo
	while read -r kind f; do
		rel=${f#"$orig"/}
		dump "$f" >"$T/want"
		dump "$tree/$rel" >"$T/got"
		if cmp -s "$T/want" "$T/got"; then ok "$v: undo restores $rel"
		else not_ok "$v: undo restores $rel"; diff "$T/want" "$T/got" | head -10 | sed 's/^/#   /'; fi
	done <"$T/hives"
	expect "$v: undo restores hosts byte for byte" cmp "$orig/${hosts#"$tree"/}" "$hosts"

	expect_exit 0 "$v: contain after undo" "$RESCUE" --root "$tree" contain
	"$RESCUE" --root "$tree" status >"$T/st" 2>&1
	grep -q OPEN "$T/st" && not_ok "$v: contained again after undo" || ok "$v: contained again after undo"
	expect_exit 0 "$v: undo of one item" "$RESCUE" --root "$tree" undo tasks
	"$RESCUE" --root "$tree" status >"$T/st" 2>&1
	if grep -q '^tasks    OPEN' "$T/st" && grep -q '^shares   contained' "$T/st"; then
		ok "$v: undo tasks reopened tasks only"; else not_ok "$v: undo tasks reopened tasks only"; fi
	ls "$tree/Rescue/backup/"*/ >/dev/null 2>&1 && ok "$v: backups under Rescue/backup" || not_ok "$v: backups under Rescue/backup"
done

t_done
