#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The manual pages: rescue(8) and rescue.conf(5) format without a single groff
# warning: man --warnings=w (w is every warning; groff's "all" leaves out the
# macro ones) for the terminal, groff -ww -z for the typesetter (fonts), and
# rescue.conf(5) names every key
# `rescue auto --keys` prints (its table is generated from the same table:
# docs/conf-keys.c), and rescue(8) names every command `rescue help` lists.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

command -v man >/dev/null || { skip "manual pages" "man not installed (man-db, tests/deps.sh)"; t_done; exit; }
man8=$TOP/build/docs/rescue.8 man5=$TOP/build/docs/rescue.conf.5
for page in "$man8" "$man5"; do
	if [ ! -f "$page" ]; then
		not_ok "$(basename "$page"): not built (make all builds it)"
		continue
	fi
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -E UTF-8 -l "$page" >"$T/page.txt" 2>"$T/warn"
	groff -man -ww -z "$page" 2>>"$T/warn"
	expect "$(basename "$page"): man --warnings=w and groff -ww print no warning" test ! -s "$T/warn"
	sed 's/^/#   /' "$T/warn" | head -n 10
	expect "$(basename "$page"): formats to text" test -s "$T/page.txt"
done

# every key of `auto --keys`, as a tagged paragraph of its own in rescue.conf(5)
"$RESCUE" auto --keys | awk 'NR > 1 { print $1 }' >"$T/keys"
expect "auto --keys prints keys" test "$(wc -l <"$T/keys")" -gt 10
missing=""
while read -r k; do
	grep -qx "\\.B $k" "$man5" 2>/dev/null || missing="$missing $k"
done <"$T/keys"
expect "rescue.conf(5) describes every key of auto --keys${missing:+ (missing:$missing)}" test -z "$missing"
expect "rescue.conf(5) describes no key auto --keys does not print" sh -c \
	'[ "$(sed -n "/^\.SH KEYS/,/^\.SH FILES/s/^\.B \([a-z_]*\)$/\1/p" "$1" | sort)" = "$(sort "$2")" ]' - "$man5" "$T/keys"

# every command of the usage text, as a tagged paragraph in rescue(8)
"$RESCUE" help | awk '/^commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }' >"$T/commands"
missing=""
while read -r c; do
	grep -q "^\\.B[IR]* $c\\( \\|\$\\)" "$man8" 2>/dev/null || missing="$missing $c"
done <"$T/commands"
expect "rescue(8) describes every command of rescue help${missing:+ (missing:$missing)}" test -z "$missing"
# make install puts both pages where man finds them by name
if make -s -C "$TOP" install DESTDIR="$T/root" >"$T/install.out" 2>&1; then
	expect "make install: man finds rescue(8) and rescue.conf(5) by name" sh -c \
		'man -M "$1" 8 rescue | grep -q "rescue auto" && man -M "$1" 5 rescue.conf | grep -q "max_size"' \
		- "$T/root/usr/share/man"
	expect "make install: the rules where the binary looks (/usr/share/rescue/rules)" \
		test -s "$T/root/usr/share/rescue/rules/compiled.yarc"
else
	not_ok "make install DESTDIR=..."; sed 's/^/#   /' "$T/install.out" | tail -n 10
fi
t_done
