/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dialog.h - modal dialogs drawn over the current screen.  Each redraws the
 * screen behind it (the function given to dlg_init) before every frame, so a
 * resize or a tick leaves no debris.  UI argument: passed back to it. */
#ifndef UI_DIALOG_H
#define UI_DIALOG_H

#include <stdbool.h>
#include <stddef.h>

struct ui;

/* The main loop's redraw, called once before any dialog is shown. */
void dlg_init(void (*redraw)(struct ui *ui));

/* Ask QUESTION (may hold '\n'), true on yes: 'y' answers yes; 'n', Esc, q or
 * F10 no; Enter takes the highlighted button (No at first). */
bool dlg_confirm(struct ui *ui, const char *title, const char *question);
/* A scrolling list of lines, closed by Enter or Esc. */
void dlg_lines(struct ui *ui, const char *title, char *const *lines, size_t nlines);
/* MSG split at '\n', shown as dlg_lines. */
void dlg_message(struct ui *ui, const char *title, const char *msg);
/* A line typed without echo (only its length shown); false on Esc or when it
 * does not fit OUT.  The typed copy is wiped before returning. */
bool dlg_secret(struct ui *ui, const char *title, const char *prompt, char *out, size_t outlen);

/* A BitLocker recovery password: 48 digits, shown in groups of 6 as typed
 * (a technician reads them off a printout), each group checked as it is
 * completed (bl_check_password: a mistyped group is marked and no more is
 * taken until it is corrected).  Anything but digits is ignored.  False on
 * Esc; on true OUT holds the 8 groups joined by '-'.  The typed copy is wiped. */
bool dlg_recovery_key(struct ui *ui, const char *title, const char *prompt, char *out, size_t outlen);

#endif
