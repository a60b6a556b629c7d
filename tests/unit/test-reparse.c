/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reparse tag table: each kind a Windows disk carries is named and
 * classed, the sixteen OneDrive tags are one, unknown tags fall back on
 * their name-surrogate bit, and the one-line description names the tag. */
#include "rescue/volume/reparse.h"
#include "tests/unit/check.h"

int main(void)
{
	struct reparse_kind k = reparse_kind_of(REPARSE_TAG_MOUNT_POINT);
	CHECK_INT(k.cls, REPARSE_LINK);
	CHECK_STR(k.what, "junction");
	CHECK_INT(reparse_kind_of(REPARSE_TAG_SYMLINK).cls, REPARSE_LINK);
	CHECK_INT(reparse_kind_of(0x8000001Bu).cls, REPARSE_LINK);         /* app execution alias */
	CHECK_INT(reparse_kind_of(REPARSE_TAG_WOF).cls, REPARSE_CONTENT);
	CHECK_INT(reparse_kind_of(0x80000024u).cls, REPARSE_SPECIAL);      /* WSL FIFO */
	for (uint32_t n = 0; n < 16; n++) {     /* CLOUD, CLOUD_1 .. CLOUD_F */
		k = reparse_kind_of(REPARSE_TAG_CLOUD | n << 12);
		CHECK_INT(k.cls, REPARSE_CONTENT);
		CHECK_STR(k.what, "OneDrive (cloud) file or folder");
	}
	CHECK_STR(reparse_kind_of(0x9000701Bu).what, "reparse point (unknown kind)");  /* not a cloud tag */
	k = reparse_kind_of(0xA0001234u);       /* unknown, name surrogate: a link of some kind */
	CHECK_INT(k.cls, REPARSE_LINK);
	CHECK_INT(reparse_kind_of(0x80001234u).cls, REPARSE_CONTENT);

	char b[128];
	CHECK_STR(reparse_describe(REPARSE_TAG_WOF, b, sizeof(b)),
		  "compressed by Windows (WOF: CompactOS or WIMBoot) (reparse tag 0x80000017)");
	CHECK_STR(reparse_describe(0, b, sizeof(b)), "symbolic link or junction");
	CHECK_STR(reparse_describe(0x9000701Au, b, 20), "OneDrive (cloud) fi");  /* truncated, terminated */

	uint32_t tag = 1;
	CHECK(reparse_tag_of_path("/nonexistent/rescue-test", &tag) != 0);
	CHECK_INT(tag, 1);
	return check_done("test-reparse");
}
