/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/core/text.h"

static void
decode_valid_and_invalid(void)
{
	uint32_t cp = 0;

	CHECK_INT(text_utf8_decode("A", 1, &cp), 1);
	CHECK_INT(cp, 'A');
	CHECK_INT(text_utf8_decode("奉", 3, &cp), 3);
	CHECK_INT(cp, 0x5949);
	CHECK_INT(text_utf8_decode("\xf0\x9f\x8c\x80", 4, &cp), 4);
	CHECK_INT(cp, 0x1f300);
	CHECK_INT(text_utf8_decode("\xc0\x80", 2, &cp), 0);     /* overlong */
	CHECK_INT(text_utf8_decode("\xed\xa0\x80", 3, &cp), 0); /* surrogate */
	CHECK_INT(text_utf8_decode("\xe5\xa5", 2, &cp), 0);     /* truncated */
	CHECK_INT(text_utf8_decode("\xf4\x90\x80\x80", 4, &cp), 0);
	CHECK(text_utf8_valid("上海 ok", strlen("上海 ok")));
	CHECK(!text_utf8_valid("a\xffz", 3));
}

static void
width_counts_cjk_as_two(void)
{
	CHECK_INT(text_width("abc"), 3);
	CHECK_INT(text_width("奉贤区"), 6);
	CHECK_INT(text_width("P1 南桥镇"), 9);
	CHECK_INT(text_width("e\xcc\x81"), 1); /* e + combining acute */
	CHECK_INT(text_width("ＡＢ"), 4);      /* fullwidth forms */
}

static void
fit_never_splits_a_character(void)
{
	int used = -1;

	CHECK_INT(text_fit("奉贤区", 5, &used), 6);
	CHECK_INT(used, 4);
	CHECK_INT(text_fit("奉贤区", 1, &used), 0);
	CHECK_INT(used, 0);
	CHECK_INT(text_fit("ab奉", 3, &used), 2);
	CHECK_INT(text_fit("ab奉", 4, &used), 5);
}

static void
sanitize_removes_controls(void)
{
	char out[64];
	const char evil[] = "a\x1b[2Jb\x07"
	                    "c\xc2\x9b"
	                    "d\xe2\x80\xaeR\xe2\x81\xa6L\r\ne";

	text_sanitize(evil, sizeof evil - 1, out, sizeof out);
	CHECK_STR(out, "a[2Jbcd"
	               "RL  e");
	text_sanitize("x\xffy", 3, out, sizeof out);
	CHECK_STR(out, "x\xef\xbf\xbdy");
	text_sanitize("中文", 6, out, 5); /* room for one character only */
	CHECK_STR(out, "中");
}

static void
sanitize_dup_is_valid_utf8(void)
{
	char *s = text_sanitize_dup("\xe5\xa5\x89\xe8", 4);

	CHECK_STR(s, "奉\xef\xbf\xbd");
	CHECK(text_utf8_valid(s, strlen(s)));
	free(s);
}

static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
prefix_counts_characters_not_bytes(void)
{
	const char *s = "奉贤区南桥镇";

	CHECK_INT(text_prefix(s, strlen(s), 2, 100), 6);
	CHECK_INT(text_prefix(s, strlen(s), 100, 100), 18);
	/* A byte limit inside a character stops before it. */
	CHECK_INT(text_prefix(s, strlen(s), 100, 7), 6);
	CHECK_INT(text_prefix(s, strlen(s), 100, 2), 0);
	CHECK_INT(text_prefix("ab奉", 5, 3, 4), 2);
	/* An invalid byte is one character. */
	CHECK_INT(text_prefix("\xff\xfe奉", 5, 2, 100), 2);
}

/* Every cut of long Chinese text, at every limit, is valid UTF-8 within
 * both limits, and ends in the ellipsis exactly when something was cut. */
static void
truncate_keeps_characters_whole(void)
{
	char in[3 * 300 + 1], out[700];
	const char *zh = "中文标题台风预警奉贤区";
	size_t zl = strlen(zh);

	for (size_t i = 0; i < 300; i++)
		memcpy(in + 3 * i, zh + (3 * i) % zl, 3);
	in[900] = '\0';
	for (size_t max = 0; max <= 301; max++)
		for (size_t sz = 1; sz <= sizeof out; sz += 37) {
			int cut = text_truncate(in, max, out, sz);
			size_t n = strlen(out);
			CHECK(n < sz);
			CHECK(text_utf8_valid(out, n));
			CHECK(chars(out) <= max);
			CHECK_INT(cut, max < 300 || sz <= 900);
			if (cut && max > 0 && sz > 3)
				CHECK(n >= 3 &&
				      strcmp(out + n - 3, "\xe2\x80\xa6") == 0);
			if (!cut)
				CHECK_STR(out, in);
		}
	CHECK_INT(text_truncate("奉贤区", 2, out, sizeof out), 1);
	CHECK_STR(out, "奉…");
	CHECK_INT(text_truncate("奉贤区", 3, out, sizeof out), 0);
	CHECK_STR(out, "奉贤区");
	/* 511 bytes of three-byte characters: 170 whole ones, then "…". */
	CHECK_INT(text_truncate(in, 1000, out, 512), 1);
	CHECK_INT(strlen(out), 169 * 3 + 3);
}

static void
complete_drops_a_cut_character(void)
{
	CHECK_INT(text_utf8_complete("ab奉", 5), 5);
	CHECK_INT(text_utf8_complete("ab奉", 4), 2);
	CHECK_INT(text_utf8_complete("ab奉", 3), 2);
	CHECK_INT(text_utf8_complete("ab", 2), 2);
	CHECK_INT(text_utf8_complete("", 0), 0);
	CHECK_INT(text_utf8_complete("\xf0\x9f\x8c", 3), 0);
}

static const struct check_case cases[] = {
    TEST(complete_drops_a_cut_character),
    TEST(prefix_counts_characters_not_bytes),
    TEST(truncate_keeps_characters_whole),
    TEST(decode_valid_and_invalid),
    TEST(width_counts_cjk_as_two),
    TEST(fit_never_splits_a_character),
    TEST(sanitize_removes_controls),
    TEST(sanitize_dup_is_valid_utf8),
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
	return check_main(cases, argc, argv);
}
