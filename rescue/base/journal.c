/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rescue/base/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rescue/base/journalkey.h"
#include "rescue/base/confine.h"
#include "rescue/base/fileutil.h"
#include "rescue/base/json.h"
#include "rescue/base/winpath.h"

/* A journal is small (tens of lines a run); a hostile or runaway one is
 * refused rather than read without bound. */
#define JOURNAL_MAX_BYTES (64u << 20)

static const char *const kind_names[] = {
	[JOURNAL_VALUE] = "value", [JOURNAL_KEY] = "key", [JOURNAL_FILE] = "file", [JOURNAL_UNDONE] = "undone",
	[JOURNAL_QUARANTINE] = "quarantine", [JOURNAL_ACL] = "acl",
};

void journal_entry_clear(struct journal_entry *e)
{
	free(e->old_data);
	free(e->new_data);
	e->old_data = e->new_data = NULL;
}

void journal_free(struct journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		journal_entry_clear(&j->v[i]);
	free(j->v);
	j->v = NULL;
	j->n = 0;
}

static int journal_path(const struct rs_ctx *ctx, char *out, size_t outlen)
{
	return winpath_resolve_new(ctx->root, RS_PATH_JOURNAL, out, outlen);
}

/* A signed line ends in exactly this, and the MAC covers what is before. */
#define MAC_HEAD ",\"mac\":\""
#define MAC_TAIL_LEN (sizeof(MAC_HEAD) - 1 + JOURNAL_MAC_HEX + sizeof("\"}") - 1)

/* The length of LINE's signed part, its MAC copied into MAC; -1 when LINE
 * does not end in a well-formed mac member. */
static long signed_part(const char *line, char mac[JOURNAL_MAC_HEX + 1])
{
	size_t n = strlen(line);
	if (n < MAC_TAIL_LEN || strcmp(line + n - 2, "\"}") != 0)
		return -1;
	const char *tail = line + n - MAC_TAIL_LEN;
	if (strncmp(tail, MAC_HEAD, sizeof(MAC_HEAD) - 1) != 0)
		return -1;
	memcpy(mac, tail + sizeof(MAC_HEAD) - 1, JOURNAL_MAC_HEX);
	mac[JOURNAL_MAC_HEX] = '\0';
	return tail - line;
}

/* A signed line's signature: the length of its signed part and its MAC
 * into MAC, or -1 when it has no well-formed kid and mac (LINE parsed into
 * O).  Every line for which this is not -1 is a link of its run's chain. */
static long signature(const struct json_object *o, const char *line, char mac[JOURNAL_MAC_HEX + 1])
{
	if (!json_get_str(o, "kid", NULL) || !json_get_str(o, "mac", NULL))
		return -1;
	return signed_part(line, mac);
}

/* The MAC written on the last signed line of each run: the next line of
 * that run chains to it.  Chaining to what is written (not to the last line
 * that verified) keeps one edited line from failing every line after it. */
struct chains {
	struct chain { char run[32]; char mac[JOURNAL_MAC_HEX + 1]; } *v;
	size_t n;
};

static struct chain *chain_of(struct chains *c, const char *run)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].run, run) == 0)
			return &c->v[i];
	struct chain *v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	c->v = v;
	memset(&v[c->n], 0, sizeof(*v));
	snprintf(v[c->n].run, sizeof(v[c->n].run), "%s", run);
	return &v[c->n++];
}

/* Whether LINE (parsed into O, of the run RUN) verifies with K, chained to
 * the line before it in its run; WHY says why not.  Every signed line moves
 * its run's chain on. */
static enum journal_trust check_line(const struct journal_key *k, struct chains *c, const char *line,
				     const struct json_object *o, const char *run, char *why, size_t whylen)
{
	const char *kid = json_get_str(o, "kid", NULL);
	if (!json_get(o, "kid") && !json_get(o, "mac")) {
		snprintf(why, whylen, "unsigned: written without a key store (a CD boot), or by a rescue from "
			 "before journal signing");
		return JOURNAL_UNSIGNED;
	}
	char got[JOURNAL_MAC_HEX + 1], want[JOURNAL_MAC_HEX + 1], prev[JOURNAL_MAC_HEX + 1];
	long body = signature(o, line, got);
	struct chain *ch = NULL;
	if (body < 0) {
		snprintf(why, whylen, "its signature is malformed");
		return JOURNAL_UNVERIFIED;
	}
	if (!(ch = chain_of(c, run))) {
		snprintf(why, whylen, "out of memory");
		return JOURNAL_UNVERIFIED;
	}
	memcpy(prev, ch->mac, sizeof(prev));
	memcpy(ch->mac, got, sizeof(ch->mac));
	if (!k->have) {
		snprintf(why, whylen, "signed with key %.16s, which is not here: %s", kid, k->where);
		return JOURNAL_UNVERIFIED;
	}
	if (strcmp(kid, k->id) != 0) {
		snprintf(why, whylen, "signed with another key (%.16s; %s holds %s)", kid, k->where, k->id);
		return JOURNAL_UNVERIFIED;
	}
	journal_mac(k, prev, line, (size_t)body, want);
	if (strcmp(want, got) == 0)
		return JOURNAL_SIGNED;
	snprintf(why, whylen, "its MAC does not verify: edited or written by hand, moved, or the line before "
		 "it in run %s is missing or forged", run);
	return JOURNAL_UNVERIFIED;
}

static int parse_entry(const struct json_object *o, struct journal_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->seq = json_get_long(o, "seq", -1);
	const char *kind = json_get_str(o, "kind", NULL);
	if (e->seq < 0 || !kind)
		return -1;
	size_t k;
	for (k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
		if (strcmp(kind, kind_names[k]) == 0)
			break;
	if (k == sizeof(kind_names) / sizeof(kind_names[0]))
		return -1;
	e->kind = (enum journal_kind)k;
	snprintf(e->run, sizeof(e->run), "%s", json_get_str(o, "run", ""));
	snprintf(e->item, sizeof(e->item), "%s", json_get_str(o, "item", ""));
	snprintf(e->hive, sizeof(e->hive), "%s", json_get_str(o, "hive", ""));
	snprintf(e->key, sizeof(e->key), "%s", json_get_str(o, "key", ""));
	snprintf(e->value, sizeof(e->value), "%s", json_get_str(o, "value", ""));
	snprintf(e->path, sizeof(e->path), "%s", json_get_str(o, "path", ""));
	snprintf(e->backup, sizeof(e->backup), "%s", json_get_str(o, "backup", ""));
	snprintf(e->old_sha256, sizeof(e->old_sha256), "%s", json_get_str(o, "old_sha256", ""));
	snprintf(e->new_sha256, sizeof(e->new_sha256), "%s", json_get_str(o, "new_sha256", ""));
	snprintf(e->id, sizeof(e->id), "%s", json_get_str(o, "id", ""));
	snprintf(e->stream, sizeof(e->stream), "%s", json_get_str(o, "stream", ""));
	if (e->kind == JOURNAL_QUARANTINE) {
		snprintf(e->old_sha256, sizeof(e->old_sha256), "%s", json_get_str(o, "sha256", ""));
		if (!e->id[0] || !e->path[0])
			return -1;
	}
	e->of = json_get_long(o, "of", 0);
	e->old_type = (uint32_t)json_get_long(o, "old_type", 0);
	e->new_type = (uint32_t)json_get_long(o, "new_type", 0);
	const char *old = json_get_str(o, "old", NULL), *new_ = json_get_str(o, "new", NULL);
	if (e->kind == JOURNAL_KEY) {
		e->old_present = json_get_bool(o, "deleted", false);
		e->new_present = !e->old_present;
	} else if (e->kind == JOURNAL_FILE) {
		e->old_present = e->old_sha256[0] != '\0';
		e->new_present = e->new_sha256[0] != '\0';
	}
	if (old) {
		if (json_hex_decode(old, &e->old_data, &e->old_len) != 0)
			return -1;
		e->old_present = true;
	}
	if (new_) {
		if (json_hex_decode(new_, &e->new_data, &e->new_len) != 0) {
			journal_entry_clear(e);
			return -1;
		}
		e->new_present = true;
	}
	if (e->kind == JOURNAL_ACL && (!e->path[0] || !e->old_present || !e->new_present)) {
		journal_entry_clear(e);
		return -1;
	}
	return 0;
}

int journal_load(struct rs_ctx *ctx, struct journal *out, struct rs_error *err)
{
	memset(out, 0, sizeof(*out));
	char path[PATH_MAX];
	if (journal_path(ctx, path, sizeof(path)) != 0)
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", RS_PATH_JOURNAL);
	uint8_t *buf;
	size_t len;
	if (file_read_all(path, JOURNAL_MAX_BYTES, &buf, &len) != 0) {
		if (errno == ENOENT)
			return RS_OK;
		return rs_fail_errno(err, RS_ETARGET, errno, "%s", RS_PATH_JOURNAL);
	}
	/* A key store that cannot be read leaves the journal readable (status,
	 * the report): its signed lines just cannot be trusted, and say why. */
	struct journal_key key;
	struct rs_error kerr = { 0 };
	if (journal_key_get(false, &key, &kerr) != RS_OK) {
		memset(&key, 0, sizeof(key));
		snprintf(key.where, sizeof(key.where), "%s", kerr.msg);
	}
	int rc = RS_OK;
	struct journal j = { 0 };
	struct chains chains = { 0 };
	size_t lineno = 0;
	char *cursor = (char *)buf;
	for (char *line; (line = text_next_line(&cursor));) {
		lineno++;
		if (*line == '\0')
			continue;
		struct json_object o;
		struct journal_entry e;
		if (json_parse_flat(line, &o) != 0) {
			rc = rs_fail(err, RS_ETARGET, "%s line %zu is damaged; undo stops here", RS_PATH_JOURNAL, lineno);
			break;
		}
		int bad = parse_entry(&o, &e);
		if (!bad) {
			e.line = lineno;
			e.trust = check_line(&key, &chains, line, &o, e.run, e.why, sizeof(e.why));
		}
		json_object_free(&o);
		if (bad) {
			rc = rs_fail(err, RS_ETARGET, "%s line %zu is not a journal entry", RS_PATH_JOURNAL, lineno);
			break;
		}
		struct journal_entry *v = realloc(j.v, (j.n + 1) * sizeof(*v));
		if (!v) {
			journal_entry_clear(&e);
			rc = rs_fail(err, RS_EPARTIAL, "out of memory");
			break;
		}
		j.v = v;
		j.v[j.n++] = e;
	}
	free(buf);
	free(chains.v);
	explicit_bzero(&key, sizeof(key));
	if (rc) {
		journal_free(&j);
		return rc;
	}
	for (size_t i = 0; i < j.n; i++) {
		if (j.v[i].kind != JOURNAL_UNDONE)
			continue;
		for (size_t k = 0; k < j.n; k++)
			if (j.v[k].seq == j.v[i].of)
				j.v[k].undone = true;
	}
	*out = j;
	return RS_OK;
}

/* What the next entry of run RUN needs from the journal at PATH: the
 * highest seq so far and the MAC its run's chain ends in (into PREV, "" for
 * a new run), both as journal_load sees them. */
static long journal_tail(const char *path, const struct journal_key *k, const char *run,
			 char prev[JOURNAL_MAC_HEX + 1])
{
	prev[0] = '\0';
	/* The journal is read whole: the last line alone could be a torn one. */
	uint8_t *buf;
	size_t len;
	if (file_read_all(path, JOURNAL_MAX_BYTES, &buf, &len) != 0)
		return 0;
	/* Only lines naming RUN are parsed, newest first: a run that
	 * quarantines thousands of files appends thousands of times.  One
	 * pass, each search bounded by its line: a search from each "seq"
	 * to the end of a journal of megabytes, per append, is quadratic
	 * (and under ASan every search measures the rest of the buffer). */
	long max = 0;
	char needle[64];
	snprintf(needle, sizeof(needle), "\"run\":\"%s\"", run);
	char **cand = NULL, *cursor = (char *)buf;
	size_t nc = 0;
	bool collect = k->have;
	for (char *line; (line = text_next_line(&cursor));) {
		for (char *p = strstr(line, "\"seq\":"); p; p = strstr(p + 6, "\"seq\":")) {
			long v = strtol(p + 6, NULL, 10);
			if (v > max)
				max = v;
		}
		if (!collect || !strstr(line, needle))
			continue;
		char **v = realloc(cand, (nc + 1) * sizeof(*v));
		if (!v) {
			collect = false;
			continue;
		}
		cand = v;
		cand[nc++] = line;
	}
	for (size_t i = nc; i-- > 0 && !prev[0];) {
		struct json_object o;
		if (json_parse_flat(cand[i], &o) != 0)
			continue;
		if (strcmp(json_get_str(&o, "run", ""), run) == 0)
			signature(&o, cand[i], prev);   /* fills PREV only when it has one */
		json_object_free(&o);
	}
	free(cand);
	free(buf);
	return max;
}

int journal_append(const struct rs_ctx *ctx, struct journal_entry *e, struct rs_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int rc = rs_ctx_rescue_dir(ctx, "", dir, sizeof(dir), err);
	if (rc)
		return rc;
	if (journal_path(ctx, path, sizeof(path)) != 0)
		return rs_fail_errno(err, RS_EPARTIAL, errno, "%s", RS_PATH_JOURNAL);
	struct journal_key key;
	if ((rc = journal_key_get(true, &key, err)) != RS_OK)
		return rc;
	char prev[JOURNAL_MAC_HEX + 1];
	e->seq = journal_tail(path, &key, ctx->stamp, prev) + 1;
	snprintf(e->run, sizeof(e->run), "%s", ctx->stamp);

	char *line = NULL;
	size_t linelen = 0;
	FILE *f = open_memstream(&line, &linelen);
	if (!f) {
		explicit_bzero(&key, sizeof(key));
		return rs_fail_errno(err, RS_EPARTIAL, errno, "out of memory");
	}
	fprintf(f, "{\"seq\":%ld,\"run\":", e->seq);
	json_put_str(f, e->run);
	fputs(",\"item\":", f);
	json_put_str(f, e->item);
	fprintf(f, ",\"kind\":\"%s\"", kind_names[e->kind]);
	switch (e->kind) {
	case JOURNAL_VALUE:
		fputs(",\"hive\":", f);
		json_put_str(f, e->hive);
		fputs(",\"key\":", f);
		json_put_str(f, e->key);
		fputs(",\"value\":", f);
		json_put_str(f, e->value);
		fprintf(f, ",\"old_type\":%u,\"old\":", e->old_type);
		json_put_hex(f, e->old_present ? (e->old_data ? e->old_data : (const uint8_t *)"") : NULL, e->old_len);
		fprintf(f, ",\"new_type\":%u,\"new\":", e->new_type);
		json_put_hex(f, e->new_present ? (e->new_data ? e->new_data : (const uint8_t *)"") : NULL, e->new_len);
		break;
	case JOURNAL_KEY:
		fputs(",\"hive\":", f);
		json_put_str(f, e->hive);
		fputs(",\"key\":", f);
		json_put_str(f, e->key);
		if (!e->new_present)
			fputs(",\"deleted\":true", f);
		break;
	case JOURNAL_FILE:
		fputs(",\"path\":", f);
		json_put_str(f, e->path);
		fputs(",\"backup\":", f);
		json_put_str(f, e->backup[0] ? e->backup : NULL);
		fputs(",\"old_sha256\":", f);
		json_put_str(f, e->old_sha256[0] ? e->old_sha256 : NULL);
		fputs(",\"new_sha256\":", f);
		json_put_str(f, e->new_sha256[0] ? e->new_sha256 : NULL);
		break;
	case JOURNAL_QUARANTINE:
		json_put_member(f, ",", "id", e->id);
		json_put_member(f, ",", "path", e->path);
		json_put_member(f, ",", "stream", e->stream[0] ? e->stream : NULL);
		json_put_member(f, ",", "sha256", e->old_sha256);
		break;
	case JOURNAL_ACL:
		json_put_member(f, ",", "path", e->path);
		fputs(",\"old\":", f);
		json_put_hex(f, e->old_data ? e->old_data : (const uint8_t *)"", e->old_len);
		fputs(",\"new\":", f);
		json_put_hex(f, e->new_data ? e->new_data : (const uint8_t *)"", e->new_len);
		break;
	case JOURNAL_UNDONE:
		fprintf(f, ",\"of\":%ld", e->of);
		break;
	}
	/* The MAC covers the line so far (fflush shows it in LINE, LINELEN);
	 * then the closing brace.  Never an unsigned line when there is a key. */
	bool ok = true;
	if (key.have) {
		char mac[JOURNAL_MAC_HEX + 1];
		fprintf(f, ",\"kid\":\"%s\"", key.id);
		if ((ok = fflush(f) == 0)) {
			journal_mac(&key, prev, line, linelen, mac);
			fprintf(f, MAC_HEAD "%s\"}\n", mac);
		}
	} else {
		fputs("}\n", f);
	}
	explicit_bzero(&key, sizeof(key));
	if (fclose(f) != 0 || !ok) {
		free(line);
		return rs_fail(err, RS_EPARTIAL, "out of memory");
	}
	/* Confined: a journal that is a link or a FIFO is refused, named. */
	int fd = confine_open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd < 0) {
		int e2 = errno;
		free(line);
		return rs_fail_errno(err, RS_EPARTIAL, e2, "cannot open %s", RS_PATH_JOURNAL);
	}
	ssize_t n = write(fd, line, linelen);
	int e2 = errno;
	free(line);
	/* The entry must be on disk before the change it describes. */
	if (n != (ssize_t)linelen || fsync(fd) != 0) {
		close(fd);
		return rs_fail_errno(err, RS_EPARTIAL, n < 0 ? e2 : EIO, "cannot write %s", RS_PATH_JOURNAL);
	}
	close(fd);
	return RS_OK;
}
