/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-firewall.c - the C2 address checks and the rule strings of the
 * firewall item: what is accepted and how it is written, what is refused and
 * why, and the split of a long list (the grammar of every rule string is
 * judged by tests/tools/fwrule-grammar.py in t1110). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hive/firewall.h"
#include "tests/unit/check.h"

static void accepts(const char *in, const char *want, int v6)
{
	char out[128], why[128] = "";
	bool is_v6 = !v6;
	int rc = fw_addr_normalize(in, out, sizeof(out), &is_v6, why, sizeof(why));
	CHECK_INT(rc, 0);
	if (rc == 0) {
		CHECK_STR(out, want);
		CHECK_INT(is_v6, v6);
	} else {
		printf("#   %s: %s\n", in, why);
	}
}

static void refuses(const char *in, const char *why_part)
{
	char out[128], why[128] = "";
	bool v6;
	CHECK_INT(fw_addr_normalize(in, out, sizeof(out), &v6, why, sizeof(why)), -1);
	CHECK(strstr(why, why_part) != NULL);
	if (!strstr(why, why_part))
		printf("#   %s: %s\n", in, why);
}

static void test_addresses(void)
{
	accepts("192.0.2.7", "192.0.2.7", 0);
	accepts("192.0.2.0/24", "192.0.2.0/24", 0);
	accepts("192.0.2.77/24", "192.0.2.0/24", 0);          /* host bits cleared */
	accepts("192.0.2.7/32", "192.0.2.7", 0);              /* the grammar wants a prefix < 32 */
	accepts("192.0.2.1-192.0.2.9", "192.0.2.1-192.0.2.9", 0);
	accepts("192.0.2.5-192.0.2.5", "192.0.2.5", 0);
	accepts("2001:DB8::/32", "2001:db8::/32", 1);
	accepts("2001:db8:0:0::1/128", "2001:db8::1", 1);
	accepts("2001:db8::1-2001:db8::ff", "2001:db8::1-2001:db8::ff", 1);

	refuses("", "not an IPv4 or IPv6 address");
	refuses("example.com", "not an IPv4 or IPv6 address");
	refuses("300.1.1.1", "not an IPv4 or IPv6 address");
	refuses("192.0.2.7|Action=Allow", "not an IPv4 or IPv6 address");
	refuses("192.0.2.9-192.0.2.1", "ends before it starts");
	refuses("192.0.2.1-2001:db8::1", "same family");
	refuses("192.0.2.0/33", "prefix length");
	refuses("192.0.2.0/", "prefix length");
	refuses("192.0.2.0/2x", "prefix length");
	refuses("2001:db8::/129", "prefix length");
	refuses("192.0.2.0/24-192.0.3.0", "both a range and a prefix");
	refuses("0.0.0.0/0", "wider than a /8");
	refuses("10.0.0.0/4", "wider than a /8");
	refuses("10.0.0.0-11.0.0.0", "wider than a /8");
	refuses("2000::/3", "wider than a /16");
	refuses("127.0.0.1", "loopback");
	refuses("0.1.2.3", "loopback");
	refuses("224.0.0.1", "multicast");
	refuses("255.255.255.255", "multicast");
	refuses("::1", "loopback");
	refuses("::", "loopback");
	refuses("ff02::1", "multicast");
	char longone[300];
	memset(longone, '9', sizeof(longone) - 1);
	longone[sizeof(longone) - 1] = '\0';
	refuses(longone, "too long");
}

static size_t count(const char *s, const char *part)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, part)); p += strlen(part))
		n++;
	return n;
}

static void test_rules(void)
{
	/* no address: only the inbound rules, never an outbound rule without RA */
	struct fw_addrs none = { 0 };
	struct fw_rules r;
	CHECK_INT(fw_rules_build(&none, "2.10", &r), 0);
	CHECK_INT(r.n, 2);
	CHECK_INT(r.nout, 0);
	for (size_t i = 0; i < r.n; i++) {
		CHECK(fw_rule_is_ours(r.v[i].id));
		CHECK(strncmp(r.v[i].text, "v2.10|Action=Block|Active=TRUE|Dir=In|", 38) == 0);
	}
	fw_rules_free(&r);

	/* 1200 IPv4 + 300 IPv6: split at FW_MAX_ADDRS, every address once */
	struct fw_addrs a = { 0 };
	a.n4 = 1200;
	a.n6 = 300;
	a.v4 = calloc(a.n4, sizeof(char *));
	a.v6 = calloc(a.n6, sizeof(char *));
	for (size_t i = 0; i < a.n4; i++) {
		a.v4[i] = malloc(32);
		snprintf(a.v4[i], 32, "198.18.%zu.%zu", i / 250, i % 250 + 1);
	}
	for (size_t i = 0; i < a.n6; i++) {
		a.v6[i] = malloc(48);
		snprintf(a.v6[i], 48, "2001:db8:1::%zx", i);
	}
	CHECK_INT(fw_rules_build(&a, "2.0", &r), 0);
	size_t total = 0;
	for (size_t i = 0; i < r.n; i++) {
		if (strncmp(r.v[i].id, FW_OUT_PREFIX, strlen(FW_OUT_PREFIX)) != 0)
			continue;
		size_t n = count(r.v[i].text, "|RA4=") + count(r.v[i].text, "|RA6=");
		CHECK(n > 0 && n <= FW_MAX_ADDRS);
		CHECK(strlen(r.v[i].text) <= FW_MAX_RULE_CHARS);
		CHECK(strncmp(r.v[i].text, "v2.0|Action=Block|Active=TRUE|Dir=Out|", 38) == 0);
		total += n;
	}
	CHECK_INT(total, 1500);
	CHECK(r.nout >= 3);          /* 500 addresses a rule at most, fewer when the characters run out */
	CHECK_INT(r.n, r.nout + 2);
	CHECK_STR(r.v[2].id, FW_OUT_PREFIX "001");
	CHECK_STR(r.v[4].id, FW_OUT_PREFIX "003");
	fw_rules_free(&r);
	fw_addrs_free(&a);
	CHECK_INT(a.n4, 0);
}

/* The list file: comments, garbage and repeats, via RESCUE_DATA. */
static void test_load(void)
{
	char dir[] = "/tmp/test-firewall.XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK_SKIP("mkdtemp failed");
		return;
	}
	char path[128];
	snprintf(path, sizeof(path), "%s/c2-ips.txt", dir);
	FILE *f = fopen(path, "w");
	fputs("# list\r\n203.0.113.9\r\n\r\ngarbage here\r\n203.0.113.9 # again\r\n2001:db8::/32\r\n127.0.0.1\r\n", f);
	fclose(f);
	setenv("RESCUE_DATA", dir, 1);
	struct fw_addrs a;
	struct rs_error err = { 0 };
	CHECK_INT(fw_addrs_load(NULL, &a, &err), RS_OK);
	CHECK_INT(a.n4, 1);
	CHECK_INT(a.n6, 1);
	CHECK_INT(a.skipped, 2);
	CHECK(strncmp(a.first_bad, "c2-ips.txt line 4: garbage here: ", 33) == 0);
	fw_addrs_free(&a);
	CHECK_INT(fw_addrs_load("/nonexistent/extra.txt", &a, &err), RS_ETARGET);
	unlink(path);
	rmdir(dir);
	unsetenv("RESCUE_DATA");
}

int main(void)
{
	test_addresses();
	test_rules();
	test_load();
	return check_done("test-firewall");
}
