/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf-keys.c - print the keys of rescue.conf as groff man text, for
 * rescue.conf(5) (the Makefile puts it in place of the @CONF_KEYS@ line of
 * docs/rescue.conf.5.in).  It reads conf_keys[], the table the parser and
 * `rescue auto --keys` read, so the manual cannot drift from the program. */
#include <stdio.h>

#include "rescue/run/conf.h"

/* S as groff text: a backslash is \e, the dashes of an option (a run of
 * them at the start of a word: --force) are \-, and a line never starts with
 * a control character. */
static void put_text(const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	char prev = ' ';
	int option = 0;
	for (; *s; prev = *s++) {
		option = *s == '-' && (option || prev == ' ' || prev == '(');
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (option)
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

/* The keys with a default (read by `rescue auto`) or without (read by the
 * boot image's /init only), each as a tagged paragraph. */
static void put_keys(int boot_image)
{
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		if ((k->def == NULL) != boot_image)
			continue;
		fputs(".TP\n.B ", stdout);
		put_text(k->key);
		if (k->def) {
			fputs("\n(default: ", stdout);
			if (k->def[0]) {
				fputs("\\fB", stdout);
				put_text(k->def);
				fputs("\\fR", stdout);
			} else {
				fputs("empty", stdout);
			}
			fputs(")", stdout);
		}
		putchar('\n');
		put_text(k->help);
		putchar('\n');
	}
}

int main(void)
{
	fputs(".SS Keys of the run\n", stdout);
	put_keys(0);
	fputs(".SS Keys of the boot image\n"
	      "Read by the boot image's\n.I /init\nbefore it starts\n.BR rescue ;\n"
	      ".B rescue auto\naccepts them and does nothing with them.\n", stdout);
	put_keys(1);
	return 0;
}
