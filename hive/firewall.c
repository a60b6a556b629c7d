/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hive/firewall.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rescue/base/datapath.h"
#include "rescue/base/fileutil.h"
#include "rescue/scan/rules.h"

#define IPS_LIST "c2-ips.txt"

/* One address range of either family, as big-endian bytes. */
struct span {
	int family;                 /* AF_INET or AF_INET6 */
	size_t len;                 /* 4 or 16 */
	uint8_t lo[16], hi[16];
	int prefix;                 /* a CIDR's prefix, -1 for a range or single address */
};

/* Ranges no C2 entry may touch: blocking them would cut the machine off
 * itself or its network (unspecified, loopback, multicast and above). */
struct forbidden { int family; const char *lo, *hi; };
static const struct forbidden forbidden[] = {
	{ AF_INET, "0.0.0.0", "0.255.255.255" },
	{ AF_INET, "127.0.0.0", "127.255.255.255" },
	{ AF_INET, "224.0.0.0", "255.255.255.255" },
	{ AF_INET6, "::", "::1" },
	{ AF_INET6, "ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
};

/* The narrowest prefix a single entry may cover (see firewall.h). */
static size_t min_prefix_bytes(int family)
{
	return family == AF_INET ? 1 : 2;
}

static bool parse_addr(const char *s, struct span *sp, uint8_t *out)
{
	char buf[INET6_ADDRSTRLEN + 1];
	if (strlen(s) >= sizeof(buf) || !*s)
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	if (inet_pton(AF_INET, buf, out) == 1) {
		if (sp->family && sp->family != AF_INET)
			return false;
		sp->family = AF_INET;
		sp->len = 4;
		return true;
	}
	if (inet_pton(AF_INET6, buf, out) == 1) {
		if (sp->family && sp->family != AF_INET6)
			return false;
		sp->family = AF_INET6;
		sp->len = 16;
		return true;
	}
	return false;
}

static bool parse_span(const char *text, struct span *sp, char *why, size_t whylen)
{
	char buf[128];
	memset(sp, 0, sizeof(*sp));
	sp->prefix = -1;
	if (strlen(text) >= sizeof(buf)) {
		snprintf(why, whylen, "too long");
		return false;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	char *dash = strchr(buf, '-'), *slash = strchr(buf, '/');
	if (dash && slash) {
		snprintf(why, whylen, "both a range and a prefix");
		return false;
	}
	if (dash)
		*dash = '\0';
	if (slash)
		*slash = '\0';
	if (!parse_addr(buf, sp, sp->lo)) {
		snprintf(why, whylen, "not an IPv4 or IPv6 address");
		return false;
	}
	memcpy(sp->hi, sp->lo, sp->len);
	if (dash) {
		if (!parse_addr(dash + 1, sp, sp->hi)) {
			snprintf(why, whylen, "the end of the range is not an address of the same family");
			return false;
		}
		if (memcmp(sp->lo, sp->hi, sp->len) > 0) {
			snprintf(why, whylen, "the range ends before it starts");
			return false;
		}
	}
	if (slash) {
		const char *p = slash + 1;
		int bits = (int)sp->len * 8;
		if (!*p || strlen(p) > 3 || strspn(p, "0123456789") != strlen(p) || atoi(p) > bits) {
			snprintf(why, whylen, "the prefix length is not 0-%d", bits);
			return false;
		}
		int prefix = atoi(p);
		for (int b = 0; b < bits; b++) {
			if (b < prefix)
				continue;
			uint8_t m = (uint8_t)(0x80u >> (b % 8));
			sp->lo[b / 8] &= (uint8_t)~m;
			sp->hi[b / 8] |= m;
		}
		sp->prefix = prefix < bits ? prefix : -1;
	}
	size_t keep = min_prefix_bytes(sp->family);
	if (memcmp(sp->lo, sp->hi, keep) != 0) {
		snprintf(why, whylen, "wider than a /%zu: not a C2 entry", keep * 8);
		return false;
	}
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		const struct forbidden *f = &forbidden[i];
		uint8_t flo[16], fhi[16];
		if (f->family != sp->family || inet_pton(f->family, f->lo, flo) != 1 ||
		    inet_pton(f->family, f->hi, fhi) != 1)
			continue;
		if (memcmp(sp->lo, fhi, sp->len) <= 0 && memcmp(sp->hi, flo, sp->len) >= 0) {
			snprintf(why, whylen, "touches %s-%s (unspecified, loopback or multicast)", f->lo, f->hi);
			return false;
		}
	}
	return true;
}

int fw_addr_normalize(const char *text, char *out, size_t outlen, bool *is_v6, char *why, size_t whylen)
{
	struct span sp;
	if (!parse_span(text, &sp, why, whylen))
		return -1;
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	inet_ntop(sp.family, sp.lo, lo, sizeof(lo));
	inet_ntop(sp.family, sp.hi, hi, sizeof(hi));
	int n;
	if (sp.prefix >= 0)
		n = snprintf(out, outlen, "%s/%d", lo, sp.prefix);
	else if (memcmp(sp.lo, sp.hi, sp.len) == 0)
		n = snprintf(out, outlen, "%s", lo);
	else
		n = snprintf(out, outlen, "%s-%s", lo, hi);
	if (n < 0 || (size_t)n >= outlen) {
		snprintf(why, whylen, "too long");
		return -1;
	}
	*is_v6 = sp.family == AF_INET6;
	return 0;
}

static int push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

/* One address from LABEL into OUT, or counted as skipped with the reason. */
static int add_addr(const char *s, const char *label, size_t lineno, struct fw_addrs *out, struct rs_error *err)
{
	char addr[128], why[128];
	bool v6;
	if (fw_addr_normalize(s, addr, sizeof(addr), &v6, why, sizeof(why)) != 0) {
		if (!out->skipped++)
			snprintf(out->first_bad, sizeof(out->first_bad), "%s line %zu: %.40s: %s", label, lineno, s, why);
		return RS_OK;
	}
	if (v6 ? push(&out->v6, &out->n6, addr) : push(&out->v4, &out->n4, addr))
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	return RS_OK;
}

/* Where the addresses of one list go, and the list's name for the skipped
 * lines. */
struct addr_sink {
	struct fw_addrs *out;
	const char *label;
	struct rs_error *err;
};

static int add_list_addr(void *user, char *entry, size_t lineno)
{
	const struct addr_sink *sink = user;
	return add_addr(entry, sink->label, lineno, sink->out, sink->err);
}

static int load_list(const char *path, const char *label, struct fw_addrs *out, struct rs_error *err)
{
	struct addr_sink sink = { out, label, err };
	int rc = file_each_entry(path, 16u << 20, add_list_addr, &sink);
	return rc < 0 ? rs_fail_errno(err, RS_ETARGET, errno, "C2 address list %s", path) : rc;
}

/* An address of LOKI's C2 IOC lists (rs_rules_c2_each); host names are the
 * hosts item's. */
static int add_ioc_addr(void *user, const char *ip, struct rs_error *err)
{
	const struct addr_sink *sink = user;
	return add_addr(ip, sink->label, 0, sink->out, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop repeats: the same list always gives the same rules. */
static void sort_unique(char **v, size_t *n)
{
	if (*n < 2)
		return;
	qsort(v, *n, sizeof(*v), cmp_str);
	size_t w = 1;
	for (size_t r = 1; r < *n; r++) {
		if (strcmp(v[r], v[w - 1]) == 0)
			free(v[r]);
		else
			v[w++] = v[r];
	}
	*n = w;
}

int fw_addrs_load(const char *extra, struct fw_addrs *out, struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	char path[4096];
	if (rs_data_path(IPS_LIST, path, sizeof(path)) != 0)
		return rs_fail(err, RS_ETARGET, "%s not found (set RESCUE_DATA or install rescue's rules)", IPS_LIST);
	int rc = load_list(path, IPS_LIST, out, err);
	struct addr_sink sink = { out, extra, err };
	if (rc == RS_OK && extra)
		rc = rs_rules_is_c2(extra) ? rs_rules_c2_each(extra, NULL, add_ioc_addr, &sink, err)
					   : load_list(extra, extra, out, err);
	if (rc) {
		fw_addrs_free(out);
		return rc;
	}
	sort_unique(out->v4, &out->n4);
	sort_unique(out->v6, &out->n6);
	return RS_OK;
}

void fw_addrs_free(struct fw_addrs *a)
{
	for (size_t i = 0; i < a->n4; i++)
		free(a->v4[i]);
	for (size_t i = 0; i < a->n6; i++)
		free(a->v6[i]);
	free(a->v4);
	free(a->v6);
	memset(a, 0, sizeof(*a));
}

/* The inbound rules: the ports network worms spread through, blocked from
 * every remote address until the neighbours are clean.  A block rule wins
 * over any allow rule in Windows Firewall. */
struct inbound {
	const char *id, *summary, *fields;
};
static const struct inbound inbound[] = {
	{ FW_RULE_PREFIX "Worm-In-TCP", "block in TCP 135, 139, 445 (RPC, NetBIOS, SMB)",
	  "Dir=In|Protocol=6|LPort=135|LPort=139|LPort=445|" },
	{ FW_RULE_PREFIX "Worm-In-UDP", "block in UDP 137, 138 (NetBIOS)", "Dir=In|Protocol=17|LPort=137|LPort=138|" },
};

#define RULE_HEAD "Action=Block|Active=TRUE|"
#define RULE_NAME "Name=rescue containment: %s|Desc=written offline by rescue, remove with rescue undo firewall|" \
		  "EmbedCtxt=rescue containment|"

static int add_rule(struct fw_rules *r, const char *id, const char *summary, char *text)
{
	struct fw_rule *v = realloc(r->v, (r->n + 1) * sizeof(*v));
	if (!v) {
		free(text);
		return -1;
	}
	r->v = v;
	struct fw_rule *x = &v[r->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->id, sizeof(x->id), "%s", id);
	snprintf(x->summary, sizeof(x->summary), "%s", summary);
	x->text = text;
	return 0;
}

/* Outbound rules for the addresses from index *I4 / *I6 on, as many as fit
 * one rule; the indexes move past them. */
static char *out_rule(const struct fw_addrs *a, const char *version, size_t *i4, size_t *i6, size_t nrule,
		      size_t *count)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	char name[64];
	snprintf(name, sizeof(name), "block out to C2 addresses (%zu)", nrule);
	fprintf(f, "v%s|" RULE_HEAD "Dir=Out|", version);
	size_t n = 0, chars = 300;   /* room for the head and the name */
	while (n < FW_MAX_ADDRS && (*i4 < a->n4 || *i6 < a->n6)) {
		bool v4 = *i4 < a->n4;
		const char *addr = v4 ? a->v4[*i4] : a->v6[*i6];
		if (chars + strlen(addr) + 5 > FW_MAX_RULE_CHARS)
			break;
		fprintf(f, "%s=%s|", v4 ? "RA4" : "RA6", addr);
		chars += strlen(addr) + 5;
		n++;
		if (v4)
			(*i4)++;
		else
			(*i6)++;
	}
	fprintf(f, RULE_NAME, name);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*count = n;
	return buf;
}

int fw_rules_build(const struct fw_addrs *a, const char *version, struct fw_rules *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(inbound) / sizeof(inbound[0]); i++) {
		int len = snprintf(NULL, 0, "v%s|" RULE_HEAD "%s" RULE_NAME, version, inbound[i].fields,
				   inbound[i].summary);
		char *text = len < 0 ? NULL : malloc((size_t)len + 1);
		if (!text)
			goto fail;
		snprintf(text, (size_t)len + 1, "v%s|" RULE_HEAD "%s" RULE_NAME, version, inbound[i].fields,
			 inbound[i].summary);
		if (add_rule(out, inbound[i].id, inbound[i].summary, text) != 0)
			goto fail;
	}
	/* No addresses, no outbound rule: a rule without RA4/RA6 would block
	 * every outbound connection. */
	for (size_t i4 = 0, i6 = 0, k = 1; i4 < a->n4 || i6 < a->n6; k++) {
		size_t count;
		char *text = out_rule(a, version, &i4, &i6, k, &count);
		if (!text)
			goto fail;
		if (count == 0) {       /* cannot happen with FW_MAX_RULE_CHARS >> an address */
			free(text);
			errno = EINVAL;
			goto fail;
		}
		char id[64], summary[128];
		snprintf(id, sizeof(id), FW_OUT_PREFIX "%03zu", k);
		snprintf(summary, sizeof(summary), "block out to %zu C2 address%s", count, count == 1 ? "" : "es");
		if (add_rule(out, id, summary, text) != 0)
			goto fail;
		out->nout++;
	}
	return 0;
fail:
	fw_rules_free(out);
	errno = errno ? errno : ENOMEM;
	return -1;
}

void fw_rules_free(struct fw_rules *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].text);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

bool fw_rule_is_ours(const char *id)
{
	return strncasecmp(id, FW_RULE_PREFIX, strlen(FW_RULE_PREFIX)) == 0;
}
