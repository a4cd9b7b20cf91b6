/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* A set of strings (keyset.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "cityops/feed/keyset.h"

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static size_t
find(char *const *slot, size_t cap, const char *s)
{
	size_t i = (size_t)hash(s) & (cap - 1);

	while (slot[i] != NULL && strcmp(slot[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

int
keyset_has(const struct keyset *k, const char *s)
{
	return k->cap > 0 && k->slot[find(k->slot, k->cap, s)] != NULL;
}

static void
grow(struct keyset *k)
{
	size_t cap = k->cap ? k->cap * 2 : 64;
	char **slot = xcalloc(cap, sizeof *slot);

	for (size_t i = 0; i < k->cap; i++)
		if (k->slot[i] != NULL)
			slot[find(slot, cap, k->slot[i])] = k->slot[i];
	free(k->slot);
	k->slot = slot;
	k->cap = cap;
}

int
keyset_add(struct keyset *k, const char *s)
{
	size_t i;

	if ((k->n + 1) * 2 > k->cap)
		grow(k);
	i = find(k->slot, k->cap, s);
	if (k->slot[i] != NULL)
		return 0;
	k->slot[i] = xstrdup(s);
	k->n++;
	return 1;
}

void
keyset_free(struct keyset *k)
{
	for (size_t i = 0; i < k->cap; i++)
		free(k->slot[i]);
	free(k->slot);
	memset(k, 0, sizeof *k);
}
