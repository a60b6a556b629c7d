/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/volume/secdesc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SD_HEADER 20
#define SID_HEADER 8
#define ACL_HEADER 8
#define ACE_HEADER 4

/* Access masks (Windows' names): full control, read and execute, the
 * generic rights an inherit-only entry carries, and what ProgramData lets
 * Users do in folders (add files and folders, write attributes). */
#define MASK_FULL 0x001f01ffu
#define MASK_READ_EXECUTE 0x001200a9u
#define MASK_GENERIC_ALL 0x10000000u
#define MASK_GENERIC_READ_EXECUTE 0xa0000000u
#define MASK_USERS_CREATE 0x00000116u

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

static int fail(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The SID at OFF of BUF, which must end by END; its size into *SIZE. */
static int parse_sid(const uint8_t *buf, size_t off, size_t end, struct sd_sid *out, size_t *size)
{
	if (off > end || end - off < SID_HEADER || buf[off] != 1)
		return -1;
	size_t n = buf[off + 1];
	if (n > SD_MAX_SUBAUTH || end - off < SID_HEADER + 4 * n)
		return -1;
	memset(out, 0, sizeof(*out));
	out->nsub = (uint8_t)n;
	for (int i = 0; i < 6; i++)
		out->auth = out->auth << 8 | buf[off + 2 + i];
	for (size_t i = 0; i < n; i++)
		out->sub[i] = get32(buf + off + SID_HEADER + 4 * i);
	*size = SID_HEADER + 4 * n;
	return 0;
}

static size_t sid_size(const struct sd_sid *s) { return SID_HEADER + 4u * s->nsub; }

static void put_sid(uint8_t *p, const struct sd_sid *s)
{
	p[0] = 1;
	p[1] = s->nsub;
	for (int i = 0; i < 6; i++)
		p[2 + i] = (uint8_t)(s->auth >> (8 * (5 - i)));
	for (size_t i = 0; i < s->nsub; i++)
		put32(p + SID_HEADER + 4 * i, s->sub[i]);
}

/* Object entries carry object flags and up to two GUIDs before the SID. */
static bool ace_is_object(uint8_t type)
{
	return (type >= 5 && type <= 8) || type == 11 || type == 12 || type == 15 || type == 16;
}

/* Plain types whose SID follows the mask: allowed, denied, audit, alarm,
 * their callback forms, mandatory label, resource attribute, scoped policy. */
static bool ace_is_plain(uint8_t type)
{
	return type <= 3 || (type >= 9 && type <= 10) || type == 13 || (type >= 17 && type <= 19);
}

bool sd_ace_is_deny(const struct sd_ace *a)
{
	return a->type == 1 || a->type == 6 || a->type == 10 || a->type == 12;
}

/* The ACL at OFF (what: "DACL", "SACL"): bounds, revision, every entry's
 * size; with ACES, its entries (NACE set) into a new array. */
static int parse_acl(const uint8_t *buf, size_t len, size_t off, const char *what, size_t *acllen,
		     struct sd_ace **aces, size_t *nace, char *why, size_t whylen)
{
	if (off < SD_HEADER || off > len || len - off < ACL_HEADER)
		return fail(why, whylen, "%s at offset %zu lies outside the %zu bytes", what, off, len);
	uint8_t rev = buf[off];
	size_t size = get16(buf + off + 2), count = get16(buf + off + 4);
	if (rev != 2 && rev != 4)
		return fail(why, whylen, "%s revision %u (want 2 or 4)", what, rev);
	if (size < ACL_HEADER || size > len - off)
		return fail(why, whylen, "%s of %zu bytes at offset %zu runs past the end (%zu in all)", what, size,
			    off, len);
	if (count > SD_MAX_ACES)
		return fail(why, whylen, "%s claims %zu entries", what, count);
	struct sd_ace *v = NULL;
	if (aces && count && !(v = calloc(count, sizeof(*v))))
		return fail(why, whylen, "out of memory");
	size_t pos = off + ACL_HEADER, end = off + size;
	for (size_t i = 0; i < count; i++) {
		if (end - pos < ACE_HEADER + 4) {
			free(v);
			return fail(why, whylen, "%s entry %zu of %zu runs past the list's end", what, i + 1, count);
		}
		size_t asize = get16(buf + pos + 2);
		if (asize < ACE_HEADER + 4 || asize > end - pos || asize % 4) {
			free(v);
			return fail(why, whylen, "%s entry %zu has a bad size (%zu bytes, %zu left)", what, i + 1, asize,
				    end - pos);
		}
		if (v) {
			struct sd_ace *a = &v[i];
			a->type = buf[pos];
			a->flags = buf[pos + 1];
			a->mask = get32(buf + pos + 4);
			size_t sidoff = 0, sz;
			if (ace_is_plain(a->type)) {
				sidoff = pos + 8;
			} else if (ace_is_object(a->type) && asize >= 12) {
				uint32_t of = get32(buf + pos + 8);
				sidoff = pos + 12 + (of & 1 ? 16 : 0) + (of & 2 ? 16 : 0);
			}
			if (sidoff) {
				if (parse_sid(buf, sidoff, pos + asize, &a->sid, &sz) != 0) {
					free(v);
					return fail(why, whylen, "%s entry %zu: its SID does not fit in its %zu bytes", what,
						    i + 1, asize);
				}
				a->has_sid = true;
			}
		}
		pos += asize;
	}
	*acllen = size;
	if (aces) {
		*aces = v;
		*nace = count;
	}
	return 0;
}

void secdesc_free(struct secdesc *sd)
{
	if (!sd)
		return;
	free(sd->ace);
	sd->ace = NULL;
	sd->nace = 0;
}

int secdesc_parse(const uint8_t *buf, size_t len, struct secdesc *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	if (len < SD_HEADER)
		return fail(why, whylen, "%zu bytes: shorter than a descriptor's header", len);
	if (len > SD_MAX_BYTES)
		return fail(why, whylen, "%zu bytes: larger than any descriptor rescue reads", len);
	if (buf[0] != 1)
		return fail(why, whylen, "revision %u (want 1)", buf[0]);
	struct secdesc sd = { .control = get16(buf + 2) };
	if (!(sd.control & SD_SELF_RELATIVE))
		return fail(why, whylen, "not in self-relative form (control 0x%04x)", sd.control);
	size_t owner = get32(buf + 4), group = get32(buf + 8), sacl = get32(buf + 12), dacl = get32(buf + 16);
	/* The four parts, each where it lies (size 0: absent); they may come
	 * in any order but never overlap. */
	static const char *const names[] = { "owner SID", "group SID", "SACL", "DACL" };
	size_t offs[] = { owner, group, sacl, dacl }, sizes[4] = { 0 };
	struct sd_sid *sids[] = { &sd.owner, &sd.group };
	bool *has[] = { &sd.has_owner, &sd.has_group };
	for (int i = 0; i < 2; i++) {
		if (!offs[i])
			continue;
		if (offs[i] < SD_HEADER || parse_sid(buf, offs[i], len, sids[i], &sizes[i]) != 0)
			return fail(why, whylen, "%s at offset %zu is not a SID or runs past the end (%zu bytes in all)",
				    names[i], offs[i], len);
		*has[i] = true;
	}
	if ((sd.control & SD_SACL_PRESENT) && sacl) {
		if (parse_acl(buf, len, sacl, "SACL", &sizes[2], NULL, NULL, why, whylen) != 0)
			return -1;
		sd.sacl_off = sacl;
		sd.sacl_len = sizes[2];
	}
	if (sd.control & SD_DACL_PRESENT) {
		if (!dacl)
			sd.dacl_null = true;
		else if (parse_acl(buf, len, dacl, "DACL", &sizes[3], &sd.ace, &sd.nace, why, whylen) != 0)
			return -1;
	}
	for (int i = 0; i < 4; i++)
		for (int k = i + 1; k < 4; k++)
			if (sizes[i] && sizes[k] && offs[i] < offs[k] + sizes[k] && offs[k] < offs[i] + sizes[i]) {
				free(sd.ace);
				return fail(why, whylen, "%s (offset %zu, %zu bytes) overlaps the %s (offset %zu, %zu bytes)",
					    names[i], offs[i], sizes[i], names[k], offs[k], sizes[k]);
			}
	*out = sd;
	return 0;
}

bool sd_sid_equal(const struct sd_sid *a, const struct sd_sid *b)
{
	return a->nsub == b->nsub && a->auth == b->auth && memcmp(a->sub, b->sub, a->nsub * sizeof(a->sub[0])) == 0;
}

bool secdesc_same(const struct secdesc *a, const struct secdesc *b)
{
	if (a->control != b->control || a->has_owner != b->has_owner || a->has_group != b->has_group ||
	    a->dacl_null != b->dacl_null || a->nace != b->nace || a->sacl_len != b->sacl_len)
		return false;
	if ((a->has_owner && !sd_sid_equal(&a->owner, &b->owner)) || (a->has_group && !sd_sid_equal(&a->group, &b->group)))
		return false;
	for (size_t i = 0; i < a->nace; i++) {
		const struct sd_ace *x = &a->ace[i], *y = &b->ace[i];
		if (x->type != y->type || x->flags != y->flags || x->mask != y->mask || x->has_sid != y->has_sid ||
		    (x->has_sid && !sd_sid_equal(&x->sid, &y->sid)))
			return false;
	}
	return true;
}

void sd_sid_format(const struct sd_sid *s, char *buf, size_t len)
{
	int n = snprintf(buf, len, "S-1-%" PRIu64, s->auth);
	for (size_t i = 0; i < s->nsub && n > 0 && (size_t)n < len; i++)
		n += snprintf(buf + n, len - (size_t)n, "-%" PRIu32, s->sub[i]);
}

int sd_sid_parse(const char *str, struct sd_sid *out)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(str, "S-1-", 4) != 0)
		return -1;
	char *end;
	unsigned long long auth = strtoull(str + 4, &end, 10);
	if (end == str + 4 || auth >> 48)
		return -1;
	out->auth = auth;
	while (*end == '-') {
		const char *p = end + 1;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p || v > UINT32_MAX || out->nsub == SD_MAX_SUBAUTH)
			return -1;
		out->sub[out->nsub++] = (uint32_t)v;
	}
	return *end ? -1 : 0;
}

#define SID_SYSTEM "S-1-5-18"
#define SID_ADMINISTRATORS "S-1-5-32-544"
#define SID_USERS "S-1-5-32-545"
#define SID_TRUSTED_INSTALLER "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
#define SID_CREATOR_OWNER "S-1-3-0"
#define SID_APP_PACKAGES "S-1-15-2-1"
#define SID_RESTRICTED_APP_PACKAGES "S-1-15-2-2"

static const struct { const char *sid, *name; bool owner; } known[] = {
	{ SID_SYSTEM, "SYSTEM", true },
	{ SID_ADMINISTRATORS, "Administrators", true },
	{ SID_TRUSTED_INSTALLER, "TrustedInstaller", true },
	{ SID_USERS, "Users", false },
	{ "S-1-1-0", "Everyone", false },
	{ "S-1-5-11", "Authenticated Users", false },
	{ "S-1-5-32-546", "Guests", false },
	{ "S-1-5-7", "ANONYMOUS LOGON", false },
	{ "S-1-5-19", "LOCAL SERVICE", false },
	{ "S-1-5-20", "NETWORK SERVICE", false },
	{ SID_CREATOR_OWNER, "CREATOR OWNER", false },
	{ SID_APP_PACKAGES, "ALL APPLICATION PACKAGES", false },
	{ SID_RESTRICTED_APP_PACKAGES, "ALL RESTRICTED APPLICATION PACKAGES", false },
};

static int known_index(const struct sd_sid *s)
{
	char str[200];
	sd_sid_format(s, str, sizeof(str));
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].sid, str) == 0)
			return (int)i;
	return -1;
}

const char *sd_sid_name(const struct sd_sid *s)
{
	int i = known_index(s);
	return i < 0 ? NULL : known[i].name;
}

bool sd_owner_usual(const struct sd_sid *s)
{
	int i = known_index(s);
	return i >= 0 && known[i].owner;
}

/* What a folder (and a file) below Program Files or ProgramData inherits on
 * Windows 10 (icacls of a new folder there): the entries, in order.  An
 * inheritable entry with generic rights reaches a child twice: once as the
 * effective entry (rights mapped) and once as inherit-only (kept generic). */
struct inherited { enum secfolder_parent parent; bool folder, file; const char *sid; uint32_t mask; uint8_t flags; };
#define OI SD_ACE_OBJECT_INHERIT
#define CI SD_ACE_CONTAINER_INHERIT
#define IO SD_ACE_INHERIT_ONLY
#define PF SECFOLDER_PROGRAM_FILES
#define PD SECFOLDER_PROGRAM_DATA
static const struct inherited defaults[] = {
	{ PF, true, false, SID_TRUSTED_INSTALLER, MASK_FULL, 0 },
	{ PF, true, false, SID_TRUSTED_INSTALLER, MASK_GENERIC_ALL, CI | IO },
	{ PF, true, true, SID_SYSTEM, MASK_FULL, 0 },
	{ PF, true, false, SID_SYSTEM, MASK_GENERIC_ALL, OI | CI | IO },
	{ PF, true, true, SID_ADMINISTRATORS, MASK_FULL, 0 },
	{ PF, true, false, SID_ADMINISTRATORS, MASK_GENERIC_ALL, OI | CI | IO },
	{ PF, true, true, SID_USERS, MASK_READ_EXECUTE, 0 },
	{ PF, true, false, SID_USERS, MASK_GENERIC_READ_EXECUTE, OI | CI | IO },
	{ PF, true, false, SID_CREATOR_OWNER, MASK_GENERIC_ALL, OI | CI | IO },
	{ PF, true, true, SID_APP_PACKAGES, MASK_READ_EXECUTE, 0 },
	{ PF, true, false, SID_APP_PACKAGES, MASK_GENERIC_READ_EXECUTE, OI | CI | IO },
	{ PF, true, true, SID_RESTRICTED_APP_PACKAGES, MASK_READ_EXECUTE, 0 },
	{ PF, true, false, SID_RESTRICTED_APP_PACKAGES, MASK_GENERIC_READ_EXECUTE, OI | CI | IO },
	{ PD, true, false, SID_SYSTEM, MASK_FULL, OI | CI },
	{ PD, false, true, SID_SYSTEM, MASK_FULL, 0 },
	{ PD, true, false, SID_ADMINISTRATORS, MASK_FULL, OI | CI },
	{ PD, false, true, SID_ADMINISTRATORS, MASK_FULL, 0 },
	{ PD, true, false, SID_CREATOR_OWNER, MASK_GENERIC_ALL, OI | CI | IO },
	{ PD, true, false, SID_USERS, MASK_READ_EXECUTE, OI | CI },
	{ PD, false, true, SID_USERS, MASK_READ_EXECUTE, 0 },
	{ PD, true, false, SID_USERS, MASK_USERS_CREATE, CI },
};

int secdesc_build_default(enum secfolder_parent parent, bool folder, const struct sd_sid *owner,
			  const uint8_t *sacl, size_t sacllen, uint8_t **out, size_t *outlen)
{
	struct sd_sid group, sids[sizeof(defaults) / sizeof(defaults[0])];
	sd_sid_parse(SID_SYSTEM, &group);
	size_t dacl = ACL_HEADER, n = 0;
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (defaults[i].parent != parent || !(folder ? defaults[i].folder : defaults[i].file))
			continue;
		sd_sid_parse(defaults[i].sid, &sids[i]);
		dacl += ACE_HEADER + 4 + sid_size(&sids[i]);
		n++;
	}
	if (!sacl)
		sacllen = 0;
	size_t len = SD_HEADER + sid_size(owner) + sid_size(&group) + sacllen + dacl;
	uint8_t *b = calloc(1, len);
	if (!b)
		return -1;
	size_t pos = SD_HEADER;
	uint16_t control = SD_SELF_RELATIVE | SD_DACL_PRESENT | SD_DACL_AUTO_INHERITED | (sacllen ? SD_SACL_PRESENT : 0);
	b[0] = 1;
	put16(b + 2, control);
	put32(b + 4, (uint32_t)pos);
	put_sid(b + pos, owner);
	pos += sid_size(owner);
	put32(b + 8, (uint32_t)pos);
	put_sid(b + pos, &group);
	pos += sid_size(&group);
	if (sacllen) {
		put32(b + 12, (uint32_t)pos);
		memcpy(b + pos, sacl, sacllen);
		pos += sacllen;
	}
	put32(b + 16, (uint32_t)pos);
	b[pos] = 2;
	put16(b + pos + 2, (uint16_t)dacl);
	put16(b + pos + 4, (uint16_t)n);
	pos += ACL_HEADER;
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (defaults[i].parent != parent || !(folder ? defaults[i].folder : defaults[i].file))
			continue;
		size_t asize = ACE_HEADER + 4 + sid_size(&sids[i]);
		b[pos] = 0;     /* allowed */
		b[pos + 1] = (uint8_t)(defaults[i].flags | SD_ACE_INHERITED);
		put16(b + pos + 2, (uint16_t)asize);
		put32(b + pos + 4, defaults[i].mask);
		put_sid(b + pos + 8, &sids[i]);
		pos += asize;
	}
	*out = b;
	*outlen = len;
	return 0;
}
