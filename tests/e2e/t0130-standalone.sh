#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The repository stands alone: no tracked file but the README and the
# third-party rule sets' $RULESETS reaches outside the checkout for data;
# every hive or image a test names is in tests/data, and every file there has
# its provenance in tests/data/SOURCES.md.  And `make` on a machine without a
# build package says in one line to run `make deps`.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

cd "$TOP" || exit 1
if ! git rev-parse --git-dir >/dev/null 2>&1; then
	skip "standalone checks" "not a git checkout (git ls-files)"; t_done; exit
fi

# nothing reaches for ../shared, except $RULESETS (rule sets are not ours to ship);
# prose (*.md) may name the folder
git ls-files | grep -v -e '\.md$' -e '^tests/e2e/t0130-standalone.sh$' |
	xargs grep -n -e '\.\./shared' -e 'shared/data' 2>/dev/null | grep -v '^tests/lib.sh:[0-9]*:.*shared/data/rules' >"$T/outside"
expect "no tracked file reads data from ../shared (besides \$RULESETS)" test ! -s "$T/outside"
sed 's/^/#   /' "$T/outside" | head -n 10

# every literal hive or image path in the tests exists under tests/data
git ls-files tests | grep -v '^tests/data/' | xargs grep -ohE \
	'(m57-pat|dfir-artifact-museum|velociraptor|plaso|dissect-regf|regipy)/[A-Za-z0-9_./-]+|images/ntfs/[A-Za-z0-9_.-]+|"\$n/[A-Za-z0-9_.-]+' \
	2>/dev/null | sed 's|^"\$n/|images/ntfs/|' | sort -u >"$T/named"
missing=""
while read -r p; do
	case $p in
	images/*) f=$DATA/$p ;;
	*) f=$DATA/hives/$p ;;
	esac
	# test-regflog.c and the fuzz seeds name hives without their .xz; a
	# script may name a folder ($m/...)
	[ -f "$f" ] || [ -f "$f.xz" ] || [ -f "$f.gz" ] || [ -d "$f" ] || missing="$missing $p"
done <"$T/named"
expect "the tests name $(wc -l <"$T/named") data files, each is in tests/data${missing:+ (missing:$missing)}" \
	sh -c '[ -z "$1" ] && [ "$2" -gt 20 ]' - "$missing" "$(wc -l <"$T/named")"

# every file in tests/data has its row in SOURCES.md (its name, and its folder)
missing=""
for f in $(cd "$TOP/tests/data" && find hives images -type f | sort); do
	grep -qF "$(basename "$f")" tests/data/SOURCES.md && grep -qF "$(echo "$f" | cut -d/ -f2)" tests/data/SOURCES.md ||
		missing="$missing $f"
done
expect "every file in tests/data has its provenance in SOURCES.md${missing:+ (missing:$missing)}" test -z "$missing"

# a build package missing: one line naming `make deps`, nothing compiled
make -s BUILD="$T/b" PKG_CORE="hivex rescue-no-such-package" all >"$T/make.out" 2>&1; rc=$?
expect "make without a package fails" test "$rc" -ne 0
expect "make without a package says in one line to run make deps" \
	sh -c '[ "$(grep -c "make deps" "$1")" -eq 1 ] && grep -q "rescue-no-such-package" "$1" && [ ! -d "$2/obj" ]' - "$T/make.out" "$T/b"
sed 's/^/#   /' "$T/make.out" | head -n 5
t_done
