#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# rescue --version: the VERSION file (plus `git describe` in a git checkout),
# and the same string in both reports of an unattended run: the JSON field
# "rescue_version" and the .txt header line "version:".
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

want=$(cat "$TOP/VERSION")
"$RESCUE" --version >"$T/v" 2>&1; rc=$?
expect "--version exits 0" test "$rc" -eq 0
expect "--version prints one line: rescue VERSION[+git.DESCRIBE]" \
	sh -c '[ "$(wc -l <"$1")" -eq 1 ] && grep -Eqx "rescue $2(\+git\.[0-9a-zA-Z.-]+)?" "$1"' - "$T/v" "$want"
got=$(sed 's/^rescue //' "$T/v")
expect "--version after global options too" sh -c '"$1" --json --version | grep -qx "rescue $2"' - "$RESCUE" "$got"

# a quick unattended run that writes its reports: nothing contained, no scan
sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/w7" >/dev/null
printf 'contain = none\naccounts = none\nscan = off\nautoruns = off\n' >"$T/rescue.conf"
"$RESCUE" --root "$T/w7" auto --config "$T/rescue.conf" >"$T/out" 2>&1
json=$(ls "$T"/w7/Rescue/reports/*.json 2>/dev/null | head -n 1)
expect "the run wrote a JSON report" test -f "$json"
expect "the JSON report's rescue_version is what --version prints (jq)" \
	sh -c '[ "$(jq -r .rescue_version "$1")" = "$2" ]' - "$json" "$got"
expect "the .txt report names the version in its header" \
	grep -qx "version:   rescue $got" "${json%.json}.txt"
t_done
