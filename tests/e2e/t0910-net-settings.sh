#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A network boot's settings (issue 18) on the host, through the functions the
# boot image's /init uses (initramfs/initlib.sh): a per-MAC settings file with
# errors fetched from the laptop is refused exactly as the same file on the
# stick is: its problems named with the file's address and line (what /init
# says on the console and in the console log it hands in), the same merged
# rescue.conf, and `rescue auto` on it YELLOW with the reason, the Windows tree
# untouched, no report.  And the order: stick < network < kernel command line.
# Run with the host sh and with busybox ash (the shell of /init).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

LIB=$TOP/initramfs/initlib.sh
URL=http://10.77.0.1/rescue/conf/52-54-00-77-00-01.conf
shells="sh"
if command -v busybox >/dev/null; then shells="$shells busybox"; else skip "network settings under busybox sh" "busybox not installed (busybox-static, tests/deps.sh)"; fi

# conf_source runs `rescue auto --check` by name, as /init does
mkdir -p "$T/bin"
ln -s "$RESCUE" "$T/bin/rescue"

# in_shell SHELL SCRIPT: run SCRIPT with initlib.sh loaded, in $T (a hang on
# the hostile file is a failure, not a stuck test).
in_shell() {
	case $1 in
	busybox) (cd "$T" && PATH="$T/bin:$PATH" timeout 60 busybox sh -c ". '$LIB'; $2") ;;
	*) (cd "$T" && PATH="$T/bin:$PATH" timeout 60 sh -c ". '$LIB'; $2") ;;
	esac
}

fingerprint() { (cd "$1" && find . -type d | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2); }

sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/tree" >/dev/null || not_ok "mktree win7"
fingerprint "$T/tree" >"$T/tree.before"

# The laptop's file for this machine, as Notepad writes it, with a line that
# is not a setting (line 4) and a misspelt key (line 5) that must stop the run.
printf '\357\273\277# building 7, second floor\r\nmode = auto\r\naccounts = none\r\nthis line is wrong\r\npasword = Fleet-2026\r\n' \
	>"$T/bad.conf"
printf 'BOOT_IMAGE=/vmlinuz console=ttyS0 rescue.after=poweroff rescue.console=ttyS0\n' >"$T/cmdline"

for sh in $shells; do
	rm -rf "$T/net" "$T/stick" "$T/reports"
	mkdir -p "$T/net" "$T/stick" "$T/reports"
	# the same file once from the network (no stick), once as the stick's rescue.conf (no network)
	in_shell "$sh" "conf_clean '$TOP/initramfs/defaults.conf' >d; cmdline_opts cmdline >c; : >empty
		echo reports_dir=$T/reports >f
		conf_source bad.conf '$URL' net/network.conf >net/said
		conf_boot net/rescue.conf d empty net/network.conf c f >net/mode
		conf_source bad.conf /run/rescue/part/rescue.conf stick/partition.conf >stick/said
		conf_boot stick/rescue.conf d stick/partition.conf empty c f >stick/mode"

	# what /init says: the laptop's address and the line a technician edits
	printf '%s\n' "$URL:4: not a \`key = value\` line, ignored" \
		"$URL: line 5: unknown key 'pasword' (see \`rescue auto --keys\`)" >"$T/want"
	if cmp -s "$T/want" "$T/net/said"; then
		ok "$sh: network: the line that is not a setting and the unknown key named with the address and line"
	else
		not_ok "$sh: network: the problems named with the address and line"; sed 's/^/#   /' "$T/net/said"
	fi
	expect "$sh: network: no name of /init's own files in what it says" sh -c '! grep -q "net/\|network" "$1"' - "$T/net/said"
	sed "s|$URL|/run/rescue/part/rescue.conf|" "$T/want" >"$T/want.stick"
	expect "$sh: stick: the same two lines, naming the stick's rescue.conf" cmp "$T/want.stick" "$T/stick/said"
	expect "$sh: the merged rescue.conf of both boots is the same file" cmp "$T/net/rescue.conf" "$T/stick/rescue.conf"
	expect "$sh: mode auto from the file" test "$(cat "$T/net/mode")" = auto

	for boot in net stick; do
		cp "$T/$boot/rescue.conf" "$T/run.conf"	# one path, as /run/rescue/rescue.conf is
		timeout 120 "$RESCUE" --root "$T/tree" auto --config "$T/run.conf" >"$T/$boot/run.out" 2>&1
		echo $? >"$T/$boot/run.rc"
		expect "$sh: $boot: rescue auto refuses it: exit 2" test "$(cat "$T/$boot/run.rc")" = 2
		expect "$sh: $boot: the reason on the console" grep -q "unknown key 'pasword'" "$T/$boot/run.out"
		expect "$sh: $boot: VERDICT YELLOW" grep -q '^rescue: VERDICT YELLOW' "$T/$boot/run.out"
		fingerprint "$T/tree" >"$T/tree.after"
		expect "$sh: $boot: the Windows tree untouched" cmp "$T/tree.before" "$T/tree.after"
		expect "$sh: $boot: no report written" test -z "$(find "$T/reports" -type f)"
	done
	expect "$sh: network and stick: the same output and exit" \
		sh -c 'cmp "$1/net/run.out" "$1/stick/run.out" && cmp "$1/net/run.rc" "$1/stick/run.rc"' - "$T"

	# a good file: stick < network < kernel command line
	printf 'accounts = admins\r\nscan = report\r\nthreads = 2\r\n' >"$T/stick.conf"
	printf 'accounts = none\r\nscan = off\r\n' >"$T/good.conf"
	printf 'rescue.scan=quarantine\n' >"$T/cmdline2"
	in_shell "$sh" "conf_source stick.conf stick.conf p >said.p; conf_source good.conf '$URL' n >said.n
		cmdline_opts cmdline2 >c2; : >f; conf_boot merged d p n c2 f >/dev/null"
	expect "$sh: a good file: nothing said" test ! -s "$T/said.p" -a ! -s "$T/said.n"
	expect "$sh: the network wins over the stick (accounts)" test "$(in_shell "$sh" 'conf_get merged accounts')" = none
	expect "$sh: the command line wins over the network (scan)" \
		test "$(in_shell "$sh" 'conf_get merged scan')" = quarantine
	expect "$sh: the stick's own key kept (threads)" test "$(in_shell "$sh" 'conf_get merged threads')" = 2
	expect_exit 0 "$sh: rescue auto --check takes the merged file" "$RESCUE" auto --check --config "$T/merged"

	# a hostile file: a bad value with escapes and a very long line, a NUL
	{ printf 'scan = \033]0;owned\007\r\n'; head -c 300000 /dev/zero | tr '\0' a; printf ' = 1\n\0x = y\n'; } >"$T/evil.conf"
	in_shell "$sh" "conf_source evil.conf '$URL' e >said.e"; rc=$?
	expect "$sh: a hostile file: checked, no hang ($rc)" test "$rc" -ne 124
	expect "$sh: a hostile file: the bad value named on line 1, no escape printed" sh -c \
		'grep -q "$2: line 1: scan = " "$1" && ! grep -q "$(printf "\033")" "$1"' - "$T/said.e" "$URL"
done

t_done
