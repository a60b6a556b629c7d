#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the hive-layer unit test (normal and sanitizer builds) on a real tree.
. "$(dirname "$0")/../lib.sh"

for b in build build-asan; do
	bin=$TOP/$b/tests/test-hive
	[ -x "$bin" ] || { skip "test-hive ($b)" "not built"; continue; }
	rm -rf "$T/tree"
	sh "$TOP/tests/fixtures/mktree.sh" win7 "$T/tree"
	unpack_hive regipy/SYSTEM_2.xz "$T/tree/Windows/System32/config/SYSTEM_DIRTY"
	TEST_TREE=$T/tree TEST_DIRTY=$T/tree/Windows/System32/config/SYSTEM_DIRTY "$bin" >"$T/out" 2>&1
	rc=$?
	sed 's/^/# /' "$T/out"
	if [ $rc -eq 0 ]; then ok "hive layer unit checks ($b)"; else not_ok "hive layer unit checks ($b)"; fi
	# what the test wrote, judged by a tool we did not write
	if hivexget "$T/tree/Windows/System32/config/SOFTWARE" '\Microsoft\Windows NT\CurrentVersion' ProductName \
		| grep -q 'Windows 7 Professional'; then ok "hivexget reads the rewritten SOFTWARE ($b)"
	else not_ok "hivexget reads the rewritten SOFTWARE ($b)"; fi
	# test_edit_values' key: its edits in order, in one rewrite
	hivexget "$T/tree/Windows/System32/config/SOFTWARE" '\Batch' | LC_ALL=C sort >"$T/batch"
	printf '"Keep"=dword:00000007\n"NEW"=dword:00000002\n' >"$T/batch.want"
	expect "hivexget: the batch-edited key holds Keep and NEW only ($b)" cmp "$T/batch.want" "$T/batch"
done
t_done
