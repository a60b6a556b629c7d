/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-secdesc.c - libFuzzer target for the NTFS security descriptor parser
 * (rescue/volume/secdesc.c): whatever the bytes, a parse either refuses them
 * or yields a descriptor whose parts lie inside them; a parsed one's SACL is
 * carried into a default descriptor that must parse again and say the same
 * as itself.  Built and run by `make fuzz`; seeds from tests/fuzz/run.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "rescue/volume/secdesc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct secdesc sd;
	char why[256];
	if (secdesc_parse(data, size, &sd, why, sizeof(why)) != 0)
		return 0;
	if (sd.sacl_len && (sd.sacl_off > size || sd.sacl_len > size - sd.sacl_off))
		abort();
	for (size_t i = 0; i < sd.nace; i++)
		(void)sd_ace_is_deny(&sd.ace[i]);
	struct sd_sid owner;
	if (!sd.has_owner)
		sd_sid_parse("S-1-5-18", &owner);
	uint8_t *b;
	size_t n;
	if (secdesc_build_default(SECFOLDER_PROGRAM_DATA, true, sd.has_owner ? &sd.owner : &owner,
				  sd.sacl_len ? data + sd.sacl_off : NULL, sd.sacl_len, &b, &n) == 0) {
		struct secdesc again;
		if (secdesc_parse(b, n, &again, why, sizeof(why)) != 0 || !secdesc_same(&again, &again))
			abort();
		secdesc_free(&again);
		free(b);
	}
	secdesc_free(&sd);
	return 0;
}
