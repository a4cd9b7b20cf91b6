/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * format_iso8601 on arbitrary text, into buffers of every small size: it
 * never writes past the buffer, always ends the string, and the result is
 * either the input copied through (cut to the buffer) or the input with
 * 'T' for the blank and at most ":00" added.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[128], out[160];
	size_t n = size < sizeof in - 1 ? size : sizeof in - 1, cap, m;

	memcpy(in, data, n);
	in[n] = '\0';
	n = strlen(in);
	for (cap = 1; cap <= sizeof out; cap += 7) {
		memset(out, 'x', sizeof out);
		format_iso8601(in, out, cap);
		m = strnlen(out, cap);
		if (m >= cap)
			abort();
		if (cap < sizeof out && out[cap] != 'x')
			abort();
		if (m > n + 3)
			abort();
		if (m > n && (strcmp(out + n, ":00") != 0 || out[10] != 'T'))
			abort();
	}
	return 0;
}
