#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# contain firewall on Windows 7, 10 and XP trees built from the real hives,
# judged by tools we did not write: every rule value hivexget reads back
# parses under tests/tools/fwrule-grammar.py (written from [MS-GPFAS] alone,
# and checked here first against every rule Windows 7 and 10 wrote in the
# real hives) and holds the C2 addresses; the profiles are on (XP: no
# exceptions); a second contain sets nothing; a rule of someone else's, in
# any format, is left alone; `undo firewall` gives back hivexregedit's
# export of SYSTEM byte for byte.  Bad input: a C2 list with garbage lines,
# a 10,000-address list (split below the per-rule limits, and its rules
# removed again by a run with the short list), a list that is a FIFO.  The
# same on the win10-gpt disk image through --disk, read back with ntfscat.
# shellcheck disable=SC2154 # t_loop is set by tests/lib.sh
. "$(dirname "$0")/../lib.sh"
t_build shipped	# the real hives and images and the planted samples alone (tests/lib.sh)

GRAMMAR="/usr/bin/python3 $TOP/tests/tools/fwrule-grammar.py"
RULES_KEY='Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules'

# rule_values HIVE KEY [PREFIX]: the data of every REG_SZ value of KEY whose
# name starts with PREFIX, one per line, as hivexget prints them.
rule_values() {
	hivexget "$1" "$2" | sed -n "s/^\"${3:-}[^\"]*\"=\"\\(.*\\)\"\$/\\1/p" | sed 's/\\\\/\\/g'
}

# The rules the real hives hold were written by Windows: the grammar test
# must accept every one of them, or it is not a reading of the spec.
for v in win7 win10; do
	sh "$TOP/tests/fixtures/mktree.sh" $v "$T/ref-$v"
	rule_values "$T/ref-$v/Windows/System32/config/SYSTEM" "\\ControlSet001\\$RULES_KEY" >"$T/ref-$v.rules"
	n=$(wc -l <"$T/ref-$v.rules")
	expect "$v: the grammar test parses all $n rules Windows wrote" sh -c '[ "$1" -gt 100 ] && $2 <"$3"' - "$n" "$GRAMMAR" "$T/ref-$v.rules"
done
printf 'v2.10|Action=Block|Dir=Out|RA4=192.0.2.0/32|\nv2.10|Action=Drop|\nv2.10|Action=Block|LPort=445|\n' >"$T/bad.rules"
expect_exit 1 "the grammar test refuses /32, a bad action and a port without a protocol" $GRAMMAR <"$T/bad.rules"
[ "$(grep -c '^line' "$T/.out")" -eq 3 ] && ok "... each of the three" || not_ok "... each of the three"

for v in win7 win10 xp; do
	tree=$T/$v
	sh "$TOP/tests/fixtures/mktree.sh" $v "$tree"
	cfg=$(find "$tree" -ipath '*/system32/config' -type d)
	sy=$(find "$cfg" -maxdepth 1 -iname system)
	ccs=$(printf 'ControlSet%03d' "$(hivexget "$sy" '\Select' Current)")
	fp="\\$ccs\\Services\\SharedAccess\\Parameters\\FirewallPolicy"
	# someone else's rules: one in no grammar at all, one of another type
	if [ $v != xp ]; then
		printf 'Windows Registry Editor Version 5.00\n\n[%s\\FirewallRules]\n"{0D1E5C3A-0000-4000-8000-00000000F00D}"="not|a rule=at all"\n"RescueLookalike"=hex:01,02,03\n\n' \
			"$fp" >"$T/foreign.reg"
		hivexregedit --merge "$sy" "$T/foreign.reg"
	fi
	hivexregedit --export "$sy" '\' >"$T/$v.before.reg"

	expect_exit 0 "$v: status firewall" "$RESCUE" --root "$tree" status firewall
	grep -q '^firewall OPEN' "$T/.out" && ok "$v: firewall open before" || not_ok "$v: firewall open before"
	if [ $v = xp ]; then
		grep -q "note: Windows XP's firewall has no outbound rules" "$T/.out" &&
			ok "xp: status says the C2 block is not possible there" || not_ok "xp: status says the C2 block is not possible there"
	fi
	expect_exit 0 "$v: contain firewall" "$RESCUE" --root "$tree" --yes contain firewall

	if [ $v = xp ]; then
		for p in DomainProfile StandardProfile; do
			expect "xp: hivexget $p EnableFirewall = 1, DoNotAllowExceptions = 1" sh -c \
				'[ "$(hivexget "$1" "$2\\$3" EnableFirewall)" = 1 ] && [ "$(hivexget "$1" "$2\\$3" DoNotAllowExceptions)" = 1 ]' \
				- "$sy" "$fp" "$p"
		done
		expect_exit 1 "xp: no rules key written" hivexget "$sy" "$fp\\FirewallRules"
	else
		for p in DomainProfile StandardProfile PublicProfile; do
			expect "$v: hivexget $p EnableFirewall = 1" sh -c '[ "$(hivexget "$1" "$2\\$3" EnableFirewall)" = 1 ]' - "$sy" "$fp" "$p"
		done
		expect "$v: hivexget MpsSvc Start = 2" sh -c '[ "$(hivexget "$1" "\\$2\\Services\\MpsSvc" Start)" = 2 ]' - "$sy" "$ccs"
		rule_values "$sy" "$fp\\FirewallRules" RescueContain- >"$T/ours"
		expect "$v: our 3 rule values parse under the grammar test" sh -c \
			'[ "$(wc -l <"$2")" -eq 3 ] && $1 --ours <"$2"' - "$GRAMMAR" "$T/ours"
		expect "$v: the C2 rule holds every address of c2-ips.txt" sh -c 'grep "Dir=Out" "$1" |
			grep -F "|RA4=192.0.2.0/24|RA4=198.51.100.0/24|RA4=203.0.113.0/24|RA6=2001:db8::/32|"' - "$T/ours"
		expect "$v: SMB, NetBIOS and RPC blocked inbound" sh -c 'grep -F "Dir=In|Protocol=6|LPort=135|LPort=139|LPort=445|" "$1" &&
			grep -F "Dir=In|Protocol=17|LPort=137|LPort=138|" "$1"' - "$T/ours"
		expect "$v: the other rules are left alone" sh -c '
			[ "$(hivexget "$1" "$2" "{0D1E5C3A-0000-4000-8000-00000000F00D}")" = "not|a rule=at all" ] &&
			hivexregedit --export "$1" "$2" | grep -q "^\"RescueLookalike\"=hex(3):01,02,03"' - "$sy" "$fp\\FirewallRules"
		[ $v = win7 ] && v7ours=$T/ours.win7 && cp "$T/ours" "$v7ours"
	fi

	expect_exit 0 "$v: status after contain" "$RESCUE" --root "$tree" status firewall
	grep -q '^firewall contained' "$T/.out" && ok "$v: firewall contained" || not_ok "$v: firewall contained"
	expect_exit 0 "$v: contain firewall again" "$RESCUE" --root "$tree" --yes contain firewall
	grep -q '^    set' "$T/.out" && not_ok "$v: a second contain adds nothing" || ok "$v: a second contain adds nothing"

	expect_exit 0 "$v: undo firewall" "$RESCUE" --root "$tree" --yes undo firewall
	hivexregedit --export "$sy" '\' >"$T/$v.after.reg"
	expect "$v: undo gives back the SYSTEM export byte for byte" cmp "$T/$v.before.reg" "$T/$v.after.reg"
done

# --- group policy: it wins on the running machine; applied only when named --
tree=$T/gpo
sh "$TOP/tests/fixtures/mktree.sh" win10 "$tree"
sw=$tree/Windows/System32/config/SOFTWARE
printf 'Windows Registry Editor Version 5.00\n\n[\\Policies\\Microsoft\\WindowsFirewall]\n\n[\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile]\n"EnableFirewall"=dword:00000000\n\n' >"$T/gpo.reg"
hivexregedit --merge "$sw" "$T/gpo.reg"
expect_exit 0 "policy: status" "$RESCUE" --root "$tree" status
grep -q 'note: .*group policy sets firewall settings (SOFTWARE\\Policies\\Microsoft\\WindowsFirewall): they win' "$T/.out" &&
	ok "policy: status says group policy wins" || not_ok "policy: status says group policy wins"
grep -q '^firewall-policy OPEN' "$T/.out" && ok "policy: status lists firewall-policy open" || not_ok "policy: status lists firewall-policy open"
expect_exit 0 "policy: contain (all)" "$RESCUE" --root "$tree" --yes contain
expect "policy: contain all leaves the policy alone" sh -c '[ "$(hivexget "$1" "\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile" EnableFirewall)" = 0 ]' - "$sw"
hivexregedit --export "$sw" '\' >"$T/gpo.before.reg"
expect_exit 0 "policy: contain firewall-policy" "$RESCUE" --root "$tree" --yes contain firewall-policy
expect "policy: EnableFirewall = 1 in the policy's DomainProfile (hivexget)" sh -c '[ "$(hivexget "$1" "\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile" EnableFirewall)" = 1 ]' - "$sw"
expect_exit 1 "policy: no profile key the policy did not have" hivexget "$sw" '\Policies\Microsoft\WindowsFirewall\PublicProfile'
rule_values "$sw" '\Policies\Microsoft\WindowsFirewall\FirewallRules' RescueContain- >"$T/ours"
expect "policy: the same 3 rules in the policy, parsed by the grammar test" sh -c '[ "$(wc -l <"$2")" -eq 3 ] && $1 --ours <"$2"' - "$GRAMMAR" "$T/ours"
expect_exit 0 "policy: undo firewall-policy" "$RESCUE" --root "$tree" --yes undo firewall-policy
hivexregedit --export "$sw" '\' >"$T/gpo.after.reg"
expect "policy: undo gives back the SOFTWARE export byte for byte" cmp "$T/gpo.before.reg" "$T/gpo.after.reg"

# --- bad input -----------------------------------------------------------
t_build sanitized
tree=$T/win7
sy=$tree/Windows/System32/config/SYSTEM
fr='\ControlSet001\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules'

# Garbage lines are skipped and named; the good entries still make a rule.
mkdir -p "$T/data"
{
	printf '# a list the worm tampered with\nnot-an-address\n300.1.1.1\n0.0.0.0/0\n127.0.0.1\n10.0.0.0/4\n'
	printf '192.0.2.9-192.0.2.1\n224.0.0.1\nff02::1\n::1\n192.0.2.7|Action=Allow\n2001:db8::1/129\n'
	printf '\001\377\033[2J\n'
	head -c 5000 /dev/zero | tr '\0' 9; printf '\n'
	printf ' 192.0.2.7 # the one good entry\n2001:db8::/128\n'
} >"$T/data/c2-ips.txt"
RESCUE_DATA=$T/data; export RESCUE_DATA
expect_exit 0 "garbage list: contain firewall runs" timeout 60 "$RESCUE" --root "$tree" --yes contain firewall
expect_exit 0 "garbage list: status names the skipped lines" timeout 60 "$RESCUE" --root "$tree" status firewall
grep -q 'note: 13 line(s) of the C2 address list skipped, first c2-ips.txt line 2: not-an-address: ' "$T/.out" &&
	ok "... 13 lines, the first named" || not_ok "... 13 lines, the first named"
expect "garbage list: the rule holds only the good entries" sh -c '
	hivexget "$1" "$2" RescueContain-C2-Out-001 | grep -F "|Dir=Out|RA4=192.0.2.7|RA6=2001:db8::|Name="' - "$sy" "$fr"
rule_values "$sy" "$fr" RescueContain- >"$T/ours"
expect "garbage list: every rule parses" sh -c '$1 --ours <"$2"' - "$GRAMMAR" "$T/ours"
unset RESCUE_DATA
expect_exit 0 "undo firewall" "$RESCUE" --root "$tree" --yes undo firewall

# 10,000 addresses: split below the limits, every one of them kept.
t_build shipped	# a long list, not a bad one
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "198.18.%d.%d\n", i / 250, i % 250 + 1;
	     for (i = 0; i < 5000; i++) printf "2001:db8:1::%x\n", i }' >"$T/big.txt"
RESCUE_EXTRA_IPS=$T/big.txt; export RESCUE_EXTRA_IPS
expect_exit 0 "10,000 addresses: contain firewall" timeout 120 "$RESCUE" --root "$tree" --yes contain firewall
rule_values "$sy" "$fr" RescueContain-C2-Out- >"$T/out"
expect "10,000 addresses: every rule parses" sh -c '$1 --ours <"$2"' - "$GRAMMAR" "$T/out"
expect "10,000 addresses: split into rules of at most 500 addresses and 7000 characters" awk -F'|' '
	{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^RA[46]=/) n++; if (n > 500 || length($0) > 7000) exit 1; total += n }
	END { exit !(NR > 20 && total == 10004) }' "$T/out"
expect_exit 0 "10,000 addresses: contain again is a no-op" timeout 120 "$RESCUE" --root "$tree" --yes contain firewall
grep -q '^    set' "$T/.out" && not_ok "... nothing set" || ok "... nothing set"
unset RESCUE_EXTRA_IPS
expect_exit 0 "the short list again: contain firewall" "$RESCUE" --root "$tree" --yes contain firewall
[ "$(rule_values "$sy" "$fr" RescueContain-C2-Out- | wc -l)" -eq 1 ] &&
	ok "... the C2 rules of the long list are removed" || not_ok "... the C2 rules of the long list are removed"
expect "... the one left is the short list's, as on the first run" sh -c '
	[ "$(hivexget "$1" "$2" RescueContain-C2-Out-001)" = "$(grep Dir=Out "$3")" ]' - "$sy" "$fr" "$v7ours"
expect_exit 0 "undo firewall (all three runs)" "$RESCUE" --root "$tree" --yes undo firewall
hivexregedit --export "$sy" '\' >"$T/after.reg"
expect "undo gives back the SYSTEM export byte for byte" cmp "$T/win7.before.reg" "$T/after.reg"

# A list that is a FIFO is refused, never waited on; the firewall item is
# partial (exit 4) and says why, the inbound rules are still written.
t_build sanitized
mkfifo "$T/fifo.txt"
RESCUE_EXTRA_IPS=$T/fifo.txt; export RESCUE_EXTRA_IPS
expect_exit 4 "FIFO list: contain firewall is partial" timeout 60 "$RESCUE" --root "$tree" --yes contain firewall
grep -q 'rescue: firewall: C2 address list .*fifo.txt.*FIFO' "$T/.out" && ok "... and says the list is a FIFO" ||
	not_ok "... and says the list is a FIFO"
expect "... the inbound rules are written, no C2 rule" sh -c '
	hivexget "$1" "$2" RescueContain-Worm-In-TCP >/dev/null && ! hivexget "$1" "$2" RescueContain-C2-Out-001' - "$sy" "$fr"
unset RESCUE_EXTRA_IPS

# --- a disk image: the same through --disk, read back with ntfscat ----------
t_build shipped
if [ "$(id -u)" -ne 0 ]; then
	skip "--disk win10-gpt" "needs root (loop devices, FUSE)"
	t_done; exit
fi
export RESCUE_RUNDIR="$T/run"
i=$T/win10-gpt.img
t_image win10-gpt "$i" || not_ok "build win10-gpt"
system_of() {	# system_of IMG OUT: the SYSTEM hive of partition 3, by ntfscat
	t_attach "$1" 3 && ntfscat "$t_loop" Windows/System32/config/SYSTEM >"$2"; t_detach
}
system_of "$i" "$T/img.SYSTEM"
hivexregedit --export "$T/img.SYSTEM" '\' >"$T/img.before.reg"
expect_exit 0 "--disk: contain firewall" "$RESCUE" --disk "$i" --yes contain firewall
system_of "$i" "$T/img.SYSTEM"
rule_values "$T/img.SYSTEM" "$fr" RescueContain- >"$T/ours"
expect "--disk: the 3 rules on the image parse under the grammar test" sh -c '[ "$(wc -l <"$2")" -eq 3 ] && $1 --ours <"$2"' - "$GRAMMAR" "$T/ours"
expect "--disk: the C2 rule holds the addresses" grep -qF "|RA4=192.0.2.0/24|RA4=198.51.100.0/24|RA4=203.0.113.0/24|RA6=2001:db8::/32|" "$T/ours"
expect_exit 0 "--disk: contain firewall again" "$RESCUE" --disk "$i" --yes contain firewall
grep -q '^    set' "$T/.out" && not_ok "--disk: a second contain adds nothing" || ok "--disk: a second contain adds nothing"
expect_exit 0 "--disk: undo firewall" "$RESCUE" --disk "$i" --yes undo firewall
system_of "$i" "$T/img.SYSTEM"
hivexregedit --export "$T/img.SYSTEM" '\' >"$T/img.after.reg"
expect "--disk: undo gives back the SYSTEM export byte for byte" cmp "$T/img.before.reg" "$T/img.after.reg"

t_done
