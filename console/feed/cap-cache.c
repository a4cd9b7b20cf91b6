/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The records of a CAP source's stored documents (cap-cache.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "cityops/feed/cap-cache.h"

#define TAG "cap2\t"

struct rec {
	char *line;
	int64_t until_ms; /* 0: none */
};

struct cap_cache {
	int64_t retention_ms;
	struct rec *rec;
	size_t n, cap;
	struct keyset urls, triples;
};

/* A record line's parts; strings point into the line. */
struct parts {
	const char *url, *triple; /* triple NULL: none */
	size_t triple_len;
	int64_t expires_ms, sent_ms;
};

static void
escaped(struct buf *b, const char *s)
{
	for (; s != NULL && *s; s++) {
		if (*s == '%' || *s == '\t' || *s == '\r' || *s == '\n')
			buf_printf(b, "%%%02X", (unsigned char)*s);
		else
			buf_add(b, s, 1);
	}
}

static void
add_triple(struct buf *b, const char *sender, const char *identifier,
           int64_t sent_ms)
{
	escaped(b, sender);
	buf_adds(b, "\t");
	escaped(b, identifier);
	buf_printf(b, "\t%" PRId64, sent_ms);
}

/* The latest <expires> of the alert's info blocks; 0 when none. */
static int64_t
expires_of(const struct feed_cap *cap)
{
	int64_t e = 0;

	for (size_t i = 0; i < cap->ninfo; i++)
		if (cap->info[i].expires_ms > e)
			e = cap->info[i].expires_ms;
	return e;
}

char *
cap_cache_line(const char *url, const struct feed_cap *cap)
{
	struct buf b = {0};

	if (cap != NULL) {
		buf_printf(&b, TAG "%" PRId64 "\t", expires_of(cap));
		add_triple(&b, cap->sender, cap->identifier, cap->sent_ms);
	} else {
		buf_adds(&b, TAG "0\t\t\t0");
	}
	buf_adds(&b, "\t");
	escaped(&b, url);
	return b.data;
}

char *
cap_cache_triple(const struct feed_cap *cap)
{
	return cap_cache_triple_of(cap->sender, cap->identifier, cap->sent_ms);
}

char *
cap_cache_triple_of(const char *sender, const char *identifier, int64_t sent_ms)
{
	struct buf b = {0};

	add_triple(&b, sender, identifier, sent_ms);
	return b.data;
}

/* Splits a line; an untagged or malformed one is a bare URL. */
static void
split(const char *line, struct parts *p)
{
	const char *f[4], *s = line + strlen(TAG);

	memset(p, 0, sizeof *p);
	p->url = line;
	if (strncmp(line, TAG, strlen(TAG)) != 0)
		return;
	/* EXPIRES SENDER IDENTIFIER SENT, then the URL. */
	for (int i = 0; i < 4; i++) {
		f[i] = s;
		s = strchr(s, '\t');
		if (s == NULL)
			return;
		s++;
	}
	p->expires_ms = strtoll(f[0], NULL, 10);
	p->sent_ms = strtoll(f[3], NULL, 10);
	p->url = s;
	if (f[2] - f[1] > 1 || f[3] - f[2] > 1) {
		p->triple = f[1];
		p->triple_len = (size_t)(s - 1 - f[1]);
	}
}

static char *
triple_dup(const struct parts *p)
{
	return p->triple ? xstrndup(p->triple, p->triple_len) : NULL;
}

struct cap_cache *
cap_cache_new(int64_t retention_ms)
{
	struct cap_cache *c = xcalloc(1, sizeof *c);

	c->retention_ms =
	    retention_ms > 0 ? retention_ms : CAP_CACHE_RETENTION_MS;
	return c;
}

void
cap_cache_free(struct cap_cache **cp)
{
	struct cap_cache *c = *cp;

	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->rec[i].line);
	free(c->rec);
	keyset_free(&c->urls);
	keyset_free(&c->triples);
	free(c);
	*cp = NULL;
}

/* Puts a parsed record's keys in the sets; 1 when either was new. */
static int
index_rec(struct cap_cache *c, const struct parts *p)
{
	char *t = triple_dup(p);
	int fresh = 0;

	if (p->url[0] != '\0')
		fresh |= keyset_add(&c->urls, p->url);
	if (t != NULL)
		fresh |= keyset_add(&c->triples, t);
	free(t);
	return fresh;
}

int
cap_cache_add(struct cap_cache *c, const char *line)
{
	struct parts p;
	struct rec *r;

	split(line, &p);
	if (!index_rec(c, &p))
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->rec = xrealloc(c->rec, c->cap * sizeof *c->rec);
	}
	r = &c->rec[c->n++];
	r->line = xstrdup(line);
	r->until_ms = p.expires_ms > 0 ? p.expires_ms
	              : p.sent_ms > 0  ? p.sent_ms + c->retention_ms
	                               : 0;
	return 1;
}

int
cap_cache_has_url(const struct cap_cache *c, const char *url)
{
	return keyset_has(&c->urls, url);
}

int
cap_cache_has_triple(const struct cap_cache *c, const char *triple)
{
	return keyset_has(&c->triples, triple);
}

size_t
cap_cache_count(const struct cap_cache *c)
{
	return c->n;
}

static int
listed(const struct keyset *seen, const struct parts *p)
{
	char *t;
	int in;

	if (p->url[0] != '\0' && keyset_has(seen, p->url))
		return 1;
	t = triple_dup(p);
	in = t != NULL && keyset_has(seen, t);
	free(t);
	return in;
}

size_t
cap_cache_compact(struct cap_cache *c, const struct keyset *seen,
                  int64_t now_ms)
{
	size_t kept = 0, dropped;
	struct parts p;

	for (size_t i = 0; i < c->n; i++) {
		split(c->rec[i].line, &p);
		if (c->rec[i].until_ms >= now_ms || listed(seen, &p))
			c->rec[kept++] = c->rec[i];
		else
			free(c->rec[i].line);
	}
	dropped = c->n - kept;
	c->n = kept;
	if (dropped == 0)
		return 0;
	keyset_free(&c->urls);
	keyset_free(&c->triples);
	for (size_t i = 0; i < c->n; i++) {
		split(c->rec[i].line, &p);
		(void)index_rec(c, &p);
	}
	return dropped;
}

void
cap_cache_each(const struct cap_cache *c,
               void (*fn)(void *arg, const char *line), void *arg)
{
	for (size_t i = 0; i < c->n; i++)
		fn(arg, c->rec[i].line);
}
