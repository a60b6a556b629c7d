#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Our rules and tests/samples/plant.sh judged by the yara CLI alone (a tool we
# did not write): on a planted win10 and XP tree, the files the CLI flags, with
# the rules it names, plus the hash list, equal plant.sh's manifest exactly.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

yarc=$TOP/build/rules/compiled.yarc
hashes=$TOP/build/rules/hashes.sha256
if [ ! -f "$yarc" ] || [ ! -f "$hashes" ]; then not_ok "build/rules missing (run make)"; exit 1; fi

for v in win10 xp; do
	sh "$TOP/tests/fixtures/mktree.sh" $v "$T/$v" || { not_ok "mktree $v"; continue; }
	expect "plant.sh plants into a $v tree" sh "$TOP/tests/samples/plant.sh" "$T/$v" "$T/$v.want"
	sh "$TOP/tests/samples/yara-verdicts.sh" "$yarc" "$hashes" "$T/$v" >"$T/$v.got"
	if cmp -s "$T/$v.want" "$T/$v.got"; then
		ok "$v: yara CLI + hash list verdicts equal the manifest ($(wc -l <"$T/$v.want") files)"
	else
		not_ok "$v: yara CLI verdicts differ from the manifest"; diff "$T/$v.want" "$T/$v.got" | sed 's/^/#   /'
	fi
done
if grep -q '^System Volume Information/_restore' "$T/xp.want"; then
	ok "xp: a restore-point copy is planted"
else
	not_ok "xp: no restore-point copy"
fi
t_done
