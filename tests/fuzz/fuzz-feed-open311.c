/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The open311 decoder on arbitrary bytes: no crash, no leak, and every string
 * in every event valid UTF-8 without controls.
 */
#include "feed-fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_feed_format(data, size, FEED_FORMAT_OPEN311);
}
