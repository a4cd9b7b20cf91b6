/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The Device model's packed `value` string (feed_measurand_parse): no
 * crash; a count within bounds; a refusal always says why; every key
 * accepted is non-empty and terminated, every value finite; a key the
 * property rule names is one of the properties given.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/feed-measurand.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const props[] = {"fillingLevel", "temperature"};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_measurand m[FEED_MEASURAND_MAX];
	char *s = malloc(size + 1);
	const char *why = NULL;
	int n;

	memcpy(s, data, size);
	s[size] = '\0';
	n = feed_measurand_parse(s, m, FEED_MEASURAND_MAX, &why);
	if (n < -1 || n > FEED_MEASURAND_MAX || (n == -1) != (why != NULL))
		abort();
	for (int i = 0; i < n; i++) {
		const char *p = feed_measurand_property(m, n, i, props, 2);

		if (m[i].key[0] == '\0' ||
		    memchr(m[i].key, '\0', sizeof m[i].key) == NULL ||
		    !isfinite(m[i].value))
			abort();
		if (p != NULL && p != props[0] && p != props[1])
			abort();
	}
	free(s);
	return 0;
}
