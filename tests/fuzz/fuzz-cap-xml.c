/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The CAP XML decoder on arbitrary bytes, whole and pushed in chunks cut
 * where the first byte says: no crash, no leak, every string clean, and
 * both ways give the same status.
 */
#include "feed-fuzz.h"

static int chunked_status;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct feed_decoder *d;
	size_t step = size > 0 ? (size_t)data[0] % 61 + 1 : 1;
	enum feed_status whole;

	if (d == NULL)
		d = feed_decoder_new();
	whole = feed_decode(d, (const char *)data, size, FEED_FORMAT_CAP,
	                    fuzz_sink, NULL, NULL);
	feed_xml_begin(d, FEED_FORMAT_CAP);
	for (size_t i = 0; i < size; i += step)
		feed_xml_push(d, (const char *)data + i,
		              size - i < step ? size - i : step);
	chunked_status = feed_xml_end(d, fuzz_sink, NULL, NULL);
	/* feed_decode takes only text that starts like XML down this path. */
	if (size > 0 && data[0] == '<' && memchr(data, 0, size) == NULL &&
	    (int)whole != chunked_status)
		abort();
	return 0;
}
