/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The versions of the feed layer's libraries, for `--version --verbose`. */
#ifndef CITYOPS_FEED_VERSION_H
#define CITYOPS_FEED_VERSION_H

/* cJSON's version, e.g. "1.7.15". */
const char *feed_cjson_version(void);
/* libwebsockets' version, e.g. "4.1.6-unknown". */
const char *feed_lws_version(void);

#endif
