/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include "cityops/core/text.h"
#include "cityops/core/util.h"

size_t
text_utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c;
	size_t n;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
text_utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = text_utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

struct range {
	uint32_t lo, hi;
};

/* East Asian Wide and Fullwidth blocks, and wide emoji. */
static const struct range wide[] = {
    {0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},
    {0x23e9, 0x23ec},   {0x23f0, 0x23f0},   {0x23f3, 0x23f3},
    {0x25fd, 0x25fe},   {0x2614, 0x2615},   {0x2648, 0x2653},
    {0x267f, 0x267f},   {0x2693, 0x2693},   {0x26a1, 0x26a1},
    {0x26aa, 0x26ab},   {0x26bd, 0x26be},   {0x26c4, 0x26c5},
    {0x26ce, 0x26ce},   {0x26d4, 0x26d4},   {0x26ea, 0x26ea},
    {0x26f2, 0x26f3},   {0x26f5, 0x26f5},   {0x26fa, 0x26fa},
    {0x26fd, 0x26fd},   {0x2705, 0x2705},   {0x270a, 0x270b},
    {0x2728, 0x2728},   {0x274c, 0x274c},   {0x274e, 0x274e},
    {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27b0, 0x27b0},   {0x27bf, 0x27bf},   {0x2b1b, 0x2b1c},
    {0x2b50, 0x2b50},   {0x2b55, 0x2b55},   {0x2e80, 0x303e},
    {0x3041, 0x33ff},   {0x3400, 0x4dbf},   {0x4e00, 0x9fff},
    {0xa000, 0xa4cf},   {0xa960, 0xa97f},   {0xac00, 0xd7a3},
    {0xf900, 0xfaff},   {0xfe10, 0xfe19},   {0xfe30, 0xfe6f},
    {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x16fe0, 0x16fe4},
    {0x17000, 0x18cff}, {0x1b000, 0x1b2ff}, {0x1f004, 0x1f004},
    {0x1f0cf, 0x1f0cf}, {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a},
    {0x1f200, 0x1f251}, {0x1f300, 0x1f64f}, {0x1f680, 0x1f6ff},
    {0x1f7e0, 0x1f7eb}, {0x1f90c, 0x1f9ff}, {0x1fa70, 0x1faff},
    {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
};

/* Combining marks and format characters that take no column. */
static const struct range zero[] = {
    {0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd},   {0x0610, 0x061a},
    {0x064b, 0x065f}, {0x200b, 0x200f}, {0x202a, 0x202e},   {0x2060, 0x2069},
    {0x20d0, 0x20ff}, {0x302a, 0x302d}, {0x3099, 0x309a},   {0xfe00, 0xfe0f},
    {0xfe20, 0xfe2f}, {0xfeff, 0xfeff}, {0xe0100, 0xe01ef},
};

static int
in_ranges(uint32_t cp, const struct range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

int
text_cp_width(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	if (cp < 0x300)
		return 1;
	if (in_ranges(cp, zero, sizeof zero / sizeof zero[0]))
		return 0;
	if (in_ranges(cp, wide, sizeof wide / sizeof wide[0]))
		return 2;
	return 1;
}

int
text_width(const char *s)
{
	int cols = 0;

	text_fit(s, 1 << 30, &cols);
	return cols;
}

size_t
text_fit(const char *s, int cols, int *used)
{
	size_t i = 0, len = strlen(s), n;
	int w = 0, cw;
	uint32_t cp;

	while (i < len) {
		n = text_utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			/* Invalid bytes are shown as U+FFFD, one column. */
			n = 1;
			cw = 1;
		} else {
			cw = text_cp_width(cp);
		}
		if (w + cw > cols)
			break;
		w += cw;
		i += n;
	}
	if (used != NULL)
		*used = w;
	return i;
}

size_t
text_prefix(const char *s, size_t len, size_t max_chars, size_t max_bytes)
{
	size_t i = 0, chars = 0, n;
	uint32_t cp;

	while (i < len && chars < max_chars) {
		n = text_utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			n = 1;
		if (i + n > max_bytes)
			break;
		i += n;
		chars++;
	}
	return i;
}

size_t
text_utf8_complete(const char *s, size_t len)
{
	size_t start = len;
	uint32_t cp;

	while (start > 0 && len - start < 4 &&
	       ((unsigned char)s[start - 1] & 0xc0) == 0x80)
		start--;
	if (start > 0 && (unsigned char)s[start - 1] >= 0xc0) {
		start--;
		if (text_utf8_decode(s + start, len - start, &cp) == 0)
			return start;
	}
	return len;
}

#define ELLIPSIS     "\xe2\x80\xa6" /* U+2026 … */
#define ELLIPSIS_LEN 3

int
text_truncate(const char *s, size_t max_chars, char *out, size_t outsz)
{
	size_t len = strlen(s), n;

	if (outsz == 0)
		return len > 0;
	n = text_prefix(s, len, max_chars, outsz - 1);
	if (n < len) {
		/* Room for the ellipsis: one character, three bytes. */
		n = max_chars > 0 && outsz > ELLIPSIS_LEN
		        ? text_prefix(s, len, max_chars - 1,
		                      outsz - 1 - ELLIPSIS_LEN)
		        : 0;
		memcpy(out, s, n);
		if (max_chars > 0 && outsz > ELLIPSIS_LEN) {
			memcpy(out + n, ELLIPSIS, ELLIPSIS_LEN);
			n += ELLIPSIS_LEN;
		}
		out[n] = '\0';
		return 1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int
is_dropped(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
	       cp == 0x061c;
}

size_t
text_sanitize(const char *in, size_t len, char *out, size_t outsz)
{
	static const char replacement[] = "\xef\xbf\xbd";
	size_t i = 0, o = 0, n;
	uint32_t cp;

	if (outsz == 0)
		return 0;
	while (i < len) {
		const char *src;
		size_t srclen;

		n = text_utf8_decode(in + i, len - i, &cp);
		if (n == 0) {
			src = replacement;
			srclen = 3;
			n = 1;
		} else if (cp == '\t' || cp == '\n' || cp == '\r' ||
		           cp == 0x2028 || cp == 0x2029) {
			src = " ";
			srclen = 1;
		} else if (is_dropped(cp)) {
			i += n;
			continue;
		} else {
			src = in + i;
			srclen = n;
		}
		if (o + srclen >= outsz)
			break;
		memcpy(out + o, src, srclen);
		o += srclen;
		i += n;
	}
	out[o] = '\0';
	return o;
}

char *
text_sanitize_dup(const char *in, size_t len)
{
	/* Each input byte becomes at most three output bytes (U+FFFD). */
	size_t sz = len * 3 + 1;
	char *out = xmalloc(sz);

	text_sanitize(in, len, out, sz);
	return out;
}
