/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* Allocation that aborts loudly on failure, and small string helpers. */
#ifndef CITYOPS_UTIL_H
#define CITYOPS_UTIL_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a new string formatted as by printf; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable string. */
struct buf {
	char *data; /* always NUL-terminated once anything was added */
	size_t len, cap;
};

void buf_add(struct buf *b, const char *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds s as a JSON string literal, quotes included. */
void buf_add_json_string(struct buf *b, const char *s);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* A sorted set of strings (copies): n strings in *set, in strcmp order. */
int strset_has(char *const *set, int n, const char *s);
/* Adds a copy of s unless it is there; returns 1 when added. */
int strset_add(char ***set, int *n, const char *s);
/* Frees every string and the array; empties the set. */
void strset_free(char ***set, int *n);

#endif
