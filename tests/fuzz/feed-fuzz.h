/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Shared by the decoder fuzz targets: a sink that checks every event's
 * description (which quotes every string field) is valid UTF-8 without
 * controls, and one entry point per format. Included, not linked, so each
 * target stays a single translation unit for libFuzzer.
 */
#ifndef CITYOPS_FEED_FUZZ_H
#define CITYOPS_FEED_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/feed.h"
#include "cityops/core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless line[0..n) is clean; returns n cut back to whole characters. */
static inline size_t
fuzz_check_clean(const char *line, size_t n)
{
	/* A description cut to its buffer ends on a character boundary. */
	if (!text_utf8_valid(line, n))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			abort();
	return n;
}

static inline void
fuzz_sink(void *arg, const struct feed_event *ev)
{
	static char line[1 << 16];
	size_t n = feed_event_describe(ev, line, sizeof line);

	(void)arg;
	fuzz_check_clean(line, n >= sizeof line ? strlen(line) : n);
}

/* Decodes data as format and as auto-detected; the time parser too. */
static inline int
fuzz_feed_format(const uint8_t *data, size_t size, enum feed_format format)
{
	static struct feed_decoder *d;
	int64_t ms;

	if (d == NULL)
		d = feed_decoder_new();
	feed_decode(d, (const char *)data, size, format, fuzz_sink, NULL, NULL);
	feed_decode(d, (const char *)data, size, FEED_FORMAT_AUTO, fuzz_sink,
	            NULL, NULL);
	if (feed_parse_time((const char *)data, size, 480, &ms) == 0 &&
	    (ms <= 0 || ms > 253402300799999LL))
		abort();
	return 0;
}

#endif
