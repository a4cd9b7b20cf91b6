/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The sorted string set (util.c): order, duplicates, lookups, freeing. */
#include <string.h>

#include "check.h"
#include "cityops/core/util.h"

static void
strset_sorted_once(void)
{
	char **set = NULL;
	int n = 0;
	const char *in[] = {"FX-F02", "HP-A01", "FX-F01", "FX-F02", "奉贤区"};

	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
		strset_add(&set, &n, in[i]);
	CHECK_INT(n, 4);
	for (int i = 1; i < n; i++)
		CHECK(strcmp(set[i - 1], set[i]) < 0);
	CHECK(strset_has(set, n, "FX-F01"));
	CHECK(strset_has(set, n, "奉贤区"));
	CHECK(!strset_has(set, n, "FX-F03"));
	CHECK(!strset_has(set, n, NULL));
	CHECK_INT(strset_add(&set, &n, "HP-A01"), 0);
	CHECK_INT(strset_add(&set, &n, "AA"), 1);
	CHECK_STR(set[0], "AA");
	strset_free(&set, &n);
	CHECK(set == NULL);
	CHECK_INT(n, 0);
	/* An empty set has nothing and takes a first element. */
	CHECK(!strset_has(NULL, 0, "x"));
	CHECK_INT(strset_add(&set, &n, "x"), 1);
	strset_free(&set, &n);
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(strset_sorted_once),
	    {NULL, NULL},
	};

	return check_main(cases, argc, argv);
}
