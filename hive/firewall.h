/* SPDX-License-Identifier: GPL-2.0-or-later */
/* firewall.h - the rule strings of the `firewall` containment item: the C2
 * addresses (rules/c2-ips.txt, checked and normalised), and Windows Firewall
 * rules in the grammar of [MS-GPFAS] 2.2.2.19 built from a table:
 *   - one or more outbound block rules for the C2 addresses (RA4=/RA6=),
 *     split so no rule holds more than FW_MAX_ADDRS addresses nor more than
 *     FW_MAX_RULE_CHARS characters;
 *   - inbound block rules for SMB, NetBIOS and RPC from any remote address.
 * Every rule is named "RescueContain-..." (the registry value name is the
 * rule id), so a second run finds, keeps or replaces its own rules and
 * never touches anyone else's.
 *
 * Ownership: fw_addrs_load fills, fw_addrs_free frees; fw_rules_build
 * fills, fw_rules_free frees. */
#ifndef HIVE_FIREWALL_H
#define HIVE_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>

#include "rescue/base/error.h"

#define FW_RULE_PREFIX "RescueContain-"
#define FW_OUT_PREFIX FW_RULE_PREFIX "C2-Out-"

/* Below what every Windows firewall accepts per rule: a rule string stays a
 * small registry value (under 16 KiB as UTF-16), and the address list of a
 * rule stays far below the entry limits of [MS-FASP]'s address lists. */
#define FW_MAX_ADDRS 500
#define FW_MAX_RULE_CHARS 7000

/* Registry paths, below the hive root; "CCS" is the current control set. */
#define FW_LOCAL_POLICY "CCS\\Services\\SharedAccess\\Parameters\\FirewallPolicy"
#define FW_GROUP_POLICY "Policies\\Microsoft\\WindowsFirewall"

/* Addresses as written in a rule ("192.0.2.0/24", "2001:db8::/32",
 * "198.51.100.7-198.51.100.9"), sorted, without duplicates. */
struct fw_addrs {
	char **v4, **v6;
	size_t n4, n6;
	size_t skipped;             /* lines that were not an address we accept */
	char first_bad[256];        /* "c2-ips.txt line 4: ...", "" when none */
};

/* Check one address, CIDR range or "first-last" range, and write it in rule
 * syntax into OUT (host bits of a CIDR cleared, /32 and /128 as a single
 * address).  Refused: not an address, mixed families, first > last, ranges
 * wider than a /8 (IPv4) or /16 (IPv6), and any range touching the
 * unspecified, loopback or multicast addresses: a list the worm wrote must
 * not cut the machine off its own network.  0, or -1 with WHY filled. */
int fw_addr_normalize(const char *text, char *out, size_t outlen, bool *is_v6, char *why, size_t whylen);

/* Load c2-ips.txt (rescue/base/datapath.h) and, when EXTRA is not NULL,
 * that file too.  Lines that are not addresses are skipped and counted.
 * RS_ETARGET when the shipped list is missing or unreadable. */
int fw_addrs_load(const char *extra, struct fw_addrs *out, struct rs_error *err);
void fw_addrs_free(struct fw_addrs *a);

struct fw_rule {
	char id[64];                /* the registry value name */
	char summary[128];          /* for a person: "block out 12 C2 addresses" */
	char *text;                 /* the rule string */
};

struct fw_rules {
	struct fw_rule *v;
	size_t n;
	size_t nout;                /* how many of them are C2-Out rules */
};

/* The rule strings for A in VERSION ("2.10"; "2.0" for Vista).  -1 (errno
 * ENOMEM) on failure. */
int fw_rules_build(const struct fw_addrs *a, const char *version, struct fw_rules *out);
void fw_rules_free(struct fw_rules *r);

/* Whether the value named ID is one of ours. */
bool fw_rule_is_ours(const char *id);

#endif
