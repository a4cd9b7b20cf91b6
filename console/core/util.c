/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/text.h"
#include "cityops/core/util.h"

static void
oom(size_t n)
{
	fprintf(stderr, "cityops: out of memory (%zu bytes)\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom(n * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom(n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom(strlen(fmt));
	va_end(ap);
	return p;
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(strlen(fmt));
	buf_add(b, p, (size_t)n);
	free(p);
}

/*
 * JSON-escapes s. Beyond what JSON requires, C1 controls and bidi
 * overrides are escaped as \uXXXX and invalid UTF-8 becomes \ufffd, so a
 * JSON line printed on a terminal cannot carry a control sequence.
 */
void
buf_add_json_string(struct buf *b, const char *s)
{
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;
	char u[8];

	buf_add(b, "\"", 1);
	while (i < len) {
		n = text_utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			buf_adds(b, "\\ufffd");
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			buf_add(b, "\\", 1);
			buf_add(b, s + i, 1);
		} else if (cp == '\n') {
			buf_adds(b, "\\n");
		} else if (cp == '\t') {
			buf_adds(b, "\\t");
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
		           (cp >= 0x202a && cp <= 0x202e) ||
		           (cp >= 0x2066 && cp <= 0x2069)) {
			snprintf(u, sizeof u, "\\u%04x", (unsigned)cp);
			buf_adds(b, u);
		} else {
			buf_add(b, s + i, n);
		}
		i += n;
	}
	buf_add(b, "\"", 1);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static int
strset_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
strset_has(char *const *set, int n, const char *s)
{
	return s != NULL && n > 0 &&
	       bsearch(&s, set, (size_t)n, sizeof *set, strset_cmp) != NULL;
}

int
strset_add(char ***set, int *n, const char *s)
{
	int lo = 0, hi = *n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp((*set)[mid], s);
		if (c == 0)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*set = xrealloc(*set, (size_t)(*n + 1) * sizeof **set);
	memmove(*set + lo + 1, *set + lo, (size_t)(*n - lo) * sizeof **set);
	(*set)[lo] = xstrdup(s);
	(*n)++;
	return 1;
}

void
strset_free(char ***set, int *n)
{
	for (int i = 0; i < *n; i++)
		free((*set)[i]);
	free(*set);
	*set = NULL;
	*n = 0;
}
