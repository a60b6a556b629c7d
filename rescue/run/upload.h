/* SPDX-License-Identifier: GPL-2.0-or-later */
/* upload.h - send a report to the technician's laptop: one HTTP/1.1 PUT per
 * file to a WebDAV folder (nginx's dav module, lighttpd's mod_webdav), the
 * way a network-booted machine hands in its reports (iso/pxe/).
 *
 * Plain http:// only: the machines are on their own isolated VLAN with the
 * laptop, which is the server.  The server writes a PUT body to a temporary
 * file and renames it when the body is complete, so an upload cut half-way
 * never shows as a report; we say the file is sent only on a 2xx answer. */
#ifndef RESCUE_UPLOAD_H
#define RESCUE_UPLOAD_H

#include "rescue/base/error.h"

/* How long one connection and each read or write may take, in seconds. */
enum { UPLOAD_TIMEOUT_SECS = 15 };

/* PUT the file PATH as NAME (one path component; bytes other than
 * [A-Za-z0-9._-] are percent-encoded) into the folder URL
 * ("http://host[:port]/folder/").  RS_OK on a 2xx answer; RS_ETARGET when
 * the server cannot be reached; RS_EPARTIAL when it answered otherwise or
 * PATH cannot be read.  The message names the file and the reason. */
int upload_put(const char *url, const char *path, const char *name, struct rs_error *err);

#endif
