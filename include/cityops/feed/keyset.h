/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A set of strings (document URLs, CAP identifiers, request versions):
 * open addressing, FNV-1a, grows at 50 % load. Libc only.
 */
#ifndef CITYOPS_KEYSET_H
#define CITYOPS_KEYSET_H

#include <stddef.h>

struct keyset {
	char **slot;
	size_t n, cap;
};

/* 1 when s is in the set. */
int keyset_has(const struct keyset *k, const char *s);
/* Adds a copy of s; returns 1 when it was new, 0 when already there. */
int keyset_add(struct keyset *k, const char *s);
void keyset_free(struct keyset *k);

#endif
