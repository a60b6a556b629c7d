#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every shell script of the project passes shellcheck (warnings and errors;
# .shellcheckrc at the top says which infos are the tests' idiom).
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
command -v shellcheck >/dev/null || { skip shellcheck "not installed"; t_done; exit; }
find . -path ./build -prune -o -path ./build-asan -prune -o -path ./build-fuzz -prune -o -path ./.git -prune -o \
	-type f \( -name '*.sh' -o -path ./.ci/run -o -path ./initramfs/init \) -print | sort >"$T/scripts"
while read -r f; do
	if shellcheck -S warning "$f" >"$T/sc" 2>&1; then ok "shellcheck $f"
	else not_ok "shellcheck $f"; head -n 20 "$T/sc" | sed 's/^/#   /'; fi
done <"$T/scripts"
t_done
