/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli-disk.c - `rescue detect`, and the target of every other command when
 * it is a disk (--disk PATH) or the machine's own disks (no target option). */
#include <stdio.h>
#include <string.h>

#include "rescue/cli/cli.h"
#include "rescue/base/json.h"
#include "rescue/disk/target.h"
#include "rescue/disk/teardown.h"
#include "rescue/base/textesc.h"

/* One line for a technician about a volume that needs attention, or nothing. */
static const char *advice(const struct rs_volume *v)
{
	if (v->state & VOL_BITLOCKER)
		return v->bl_why[0] ? v->bl_why : "encrypted with BitLocker: needs its recovery key";
	if (v->state & VOL_UNREADABLE)
		return v->why;
	if (v->state & VOL_HIBERNATED)
		return "Windows is hibernated (or Fast Startup): read-only commands work; writing needs "
		       "a full shutdown of Windows or --remove-hiberfile";
	if (v->state & VOL_DIRTY)
		return "not shut down cleanly: writing needs chkdsk first, or --force";
	return NULL;
}

/* A BitLocker volume's protectors: "recovery password 9A2E..., TPM". */
static void protector_words(const struct bl_info *bl, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < bl->nprotectors; i++) {
		char unk[32];
		const struct bl_protector *p = &bl->protectors[i];
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s%s%s", i ? ", " : "",
				      bl_protector_name(p->type, unk, sizeof(unk)),
				      p->type == BL_PROT_RECOVERY_PASSWORD ? " " : "",
				      p->type == BL_PROT_RECOVERY_PASSWORD ? p->id : "");
	}
	if (bl->protectors_not_listed)
		snprintf(buf + n, n < len ? len - n : 0, " and %d more", bl->protectors_not_listed);
}

/* detect --json: the "bitlocker" member of a BitLocker volume. */
static void print_bitlocker_json(const struct rs_volume *v)
{
	const struct bl_info *bl = v->bl;
	printf(",\"bitlocker\":{\"unlocked\":%s", (v->state & VOL_UNLOCKED) ? "true" : "false");
	if (bl) {
		json_put_member(stdout, ",", "method", bl_method_name(bl->method));
		json_put_member(stdout, ",", "volume_id", bl->volume_id);
		json_put_member(stdout, ",", "description", bl->description);
		printf(",\"suspended\":%s,\"protectors\":[", bl->suspended ? "true" : "false");
		for (int i = 0; i < bl->nprotectors; i++) {
			char unk[32];
			json_put_member(stdout, i ? ",{" : "{", "type",
					bl_protector_name(bl->protectors[i].type, unk, sizeof(unk)));
			json_put_member(stdout, ",", "id", bl->protectors[i].id);
			printf("}");
		}
		printf("]");
	}
	json_put_member(stdout, ",", "key_id", v->bl_key_id[0] ? v->bl_key_id : NULL);
	json_put_member(stdout, ",", "key_from", v->bl_key_from[0] ? v->bl_key_from : NULL);
	json_put_member(stdout, ",", "why", v->bl_why[0] ? v->bl_why : NULL);
	printf("}");
}

static void print_json(const struct cli *cli, const struct rs_target *t, const char *source)
{
	json_put_member(stdout, "{", "source", source);
	printf(",\"installations\":%zu,\"volumes\":[", rs_target_installs(t));
	for (size_t i = 0; i < rs_target_count(t); i++) {
		const struct rs_volume *v = rs_target_volume(t, i);
		const struct disk_part *p = v->part;
		char state[96];
		rs_volume_state_str(v->state, state, sizeof(state));
		json_put_member(stdout, i ? ",{" : "{", "disk", v->disk->path);
		json_put_member(stdout, ",", "table", v->disk->table[0] ? v->disk->table : NULL);
		json_put_member(stdout, ",", "name", p->name);
		printf(",\"number\":%d,\"offset\":%llu,\"size\":%llu", p->number,
		       (unsigned long long)p->offset, (unsigned long long)p->size);
		json_put_member(stdout, ",", "fs", p->fstype[0] ? p->fstype : NULL);
		json_put_member(stdout, ",", "label", p->label);
		json_put_member(stdout, ",", "type", p->parttype[0] ? p->parttype : NULL);
		json_put_member(stdout, ",", "state", state);
		printf(",\"windows\":%s,\"hiveless\":%s,\"install\":%d", v->windows ? "true" : "false",
		       v->hiveless ? "true" : "false", v->install);
		if (v->windows) {
			json_put_member(stdout, ",", "product", v->info.product);
			json_put_member(stdout, ",", "version", v->info.version);
			json_put_member(stdout, ",", "build", v->info.build);
			json_put_member(stdout, ",", "display", v->info.display);
			json_put_member(stdout, ",", "computer", v->info.computer);
			json_put_member(stdout, ",", "hives_state", v->hives_word);
			printf(",");
			cli_print_hives(cli, "", v->hives, v->nhives);
		}
		if (v->state & (VOL_BITLOCKER | VOL_UNLOCKED))
			print_bitlocker_json(v);
		json_put_member(stdout, ",", "note", advice(v));
		printf("}");
	}
	printf("]}\n");
}

static void print_text(const struct cli *cli, const struct rs_target *t)
{
	printf("%-3s %-24s %6s %-9s %-16s %-12s %-16s %s\n", "#", "PARTITION", "SIZE", "FS", "LABEL", "STATE",
	       "COMPUTER", "WINDOWS");
	for (size_t i = 0; i < rs_target_count(t); i++) {
		const struct rs_volume *v = rs_target_volume(t, i);
		const struct disk_part *p = v->part;
		char num[8] = "-", size[16], state[96], win[256];
		if (v->install)
			snprintf(num, sizeof(num), "%d", v->install);
		disk_format_size(p->size, size, sizeof(size));
		rs_volume_state_str(v->state, state, sizeof(state));
		cli_windows_words(v, win, sizeof(win));
		textesc_printf("%-3s %-24s %6s %-9s %-16s %-12s %-16s %s\n", num, p->name, size,
		       p->fstype[0] ? p->fstype : "-", p->label[0] ? p->label : "-", state,
		       v->windows && v->info.computer[0] ? v->info.computer : "-", win);
	}
	for (size_t i = 0; i < rs_target_count(t); i++) {
		const struct rs_volume *v = rs_target_volume(t, i);
		const char *a = advice(v);
		if (a)
			textesc_printf("note: %s: %s\n", v->part->name, a);
		if (v->bl) {
			char prot[512];
			protector_words(v->bl, prot, sizeof(prot));
			textesc_printf("bitlocker: %s: %s, %s; key protectors: %s\n", v->part->name,
				       bl_method_name(v->bl->method) ? bl_method_name(v->bl->method) : "unknown cipher",
				       v->bl->suspended ? "protection suspended (opens with no key)" : "protected",
				       prot);
		}
		if (v->state & VOL_UNLOCKED)
			textesc_printf("bitlocker: %s: unlocked with %s%s%s%s\n", v->part->name,
				       v->bl_key_id[0] ? "the recovery key from " : "", v->bl_key_from,
				       v->bl_key_id[0] ? ", key ID " : "", v->bl_key_id);
	}
	/* Each installation's hives: one line when all are clean, else every
	 * hive as `status` shows them. */
	for (size_t i = 0; i < rs_target_count(t); i++) {
		const struct rs_volume *v = rs_target_volume(t, i);
		if (!v->windows)
			continue;
		char title[160];
		snprintf(title, sizeof(title), "installation %d (%s): hives %s", v->install, v->part->name,
			 v->hives_word);
		if (strcmp(v->hives_word, "clean") == 0)
			textesc_printf("\n%s\n", title);
		else
			cli_print_hives(cli, title, v->hives, v->nhives);
	}
}

int cmd_detect(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: rescue [--disk PATH] [--json] detect\n");
		return RS_EUSAGE;
	}
	if (cli->root) {
		fprintf(stderr, "rescue: detect examines disks: give --disk PATH, or nothing for every local disk\n");
		return RS_EUSAGE;
	}
	teardown_install();
	struct rs_error err = { 0 };
	struct rs_target *t;
	int rc = rs_target_scan(cli->disk, cli->keys, &t, &err);
	if (rc) {
		cli_print_error(cli, &err);
		return rc;
	}
	if (cli->json)
		print_json(cli, t, cli->disk ? cli->disk : "local disks");
	else
		print_text(cli, t);
	int n;
	/* Nothing rescue could work on is "target unusable", said once. */
	if (rs_target_installs(t) == 0) {
		rc = rs_target_pick(t, 0, &n, &err);
		cli_print_error(cli, &err);
	}
	int rc2 = rs_target_close(t, &err);
	if (rc2) {
		cli_print_error(cli, &err);
		rc = rc ? rc : rc2;
	}
	return rc;
}
