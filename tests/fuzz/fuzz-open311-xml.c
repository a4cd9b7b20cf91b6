/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The Open311 XML decoder on arbitrary bytes: no crash, no leak, every
 * string in every event clean.
 */
#include "feed-fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct feed_decoder *d;

	if (d == NULL)
		d = feed_decoder_new();
	feed_decode(d, (const char *)data, size, FEED_FORMAT_OPEN311, fuzz_sink,
	            NULL, NULL);
	return 0;
}
