/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * text_sanitize on arbitrary bytes: the output is valid UTF-8 with no C0
 * or C1 control, DEL, ESC or bidi override/isolate, and fits its buffer;
 * text_fit on it never splits a character; text_truncate and
 * text_prefix, at any limit, cut on a character boundary within both
 * limits (what ingest does to feed text before the database sees it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_clean(const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	if (!text_utf8_valid(s, n))
		abort();
	while (i < n) {
		k = text_utf8_decode(s + i, n - i, &cp);
		if (k == 0)
			abort();
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			abort();
		i += k;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[1 << 16];
	size_t cap = size * 3 + 1 < sizeof out ? size * 3 + 1 : sizeof out;
	size_t n, fit;
	int used, cols;

	n = text_sanitize((const char *)data, size, out, cap);
	if (n >= cap || out[n] != '\0' || strlen(out) != n)
		abort();
	check_clean(out, n);
	/* A small buffer truncates, never mid-character. */
	n = text_sanitize((const char *)data, size, out, 8);
	if (n >= 8)
		abort();
	check_clean(out, n);
	n = text_sanitize((const char *)data, size, out, cap);
	cols = size > 0 ? data[0] % 40 : 0;
	fit = text_fit(out, cols, &used);
	if (fit > n || used > cols || !text_utf8_valid(out, fit))
		abort();
	{
		static char cut[1 << 16];
		size_t max = size > 1 ? (size_t)(data[1] % 64) : 3, chars = 0,
		       m;
		size_t sz = size > 2 ? (size_t)(1 + data[2] % 200) : sizeof cut;
		int was_cut = text_truncate(out, max, cut, sz);

		m = strlen(cut);
		if (m >= sz || !text_utf8_valid(cut, m))
			abort();
		for (size_t i = 0; i < m; i++)
			chars += ((unsigned char)cut[i] & 0xc0) != 0x80;
		if (chars > max || (!was_cut && strcmp(cut, out) != 0) ||
		    (was_cut && m > 0 && memcmp(cut, out, m) == 0 &&
		     m == strlen(out)))
			abort();
		/* Raw bytes too: a prefix never ends inside a sequence. */
		m = text_prefix((const char *)data, size, max, sz);
		if (m > size || m > sz ||
		    (text_utf8_valid((const char *)data, size) &&
		     !text_utf8_valid((const char *)data, m)))
			abort();
	}
	return 0;
}
