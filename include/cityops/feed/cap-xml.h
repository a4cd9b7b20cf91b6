/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Writes a decoded CAP alert as a CAP 1.2 XML document: what feed-sim
 * serves over HTTP and the benchmark decodes. Only what the model holds
 * (feed.h) is written, every text escaped. Libc only.
 */
#ifndef CITYOPS_CAP_XML_H
#define CITYOPS_CAP_XML_H

#include "cityops/core/util.h"
#include "cityops/feed/feed.h"

/* Appends the document for c to out. */
void cap_xml_write(struct buf *out, const struct feed_cap *c);

/* Appends s with &, <, > and " escaped. */
void xml_escape(struct buf *out, const char *s);

/* Appends ms as an ISO 8601 time in UTC ("2026-09-10T06:00:00Z"). */
void xml_time(struct buf *out, int64_t ms);

#endif
