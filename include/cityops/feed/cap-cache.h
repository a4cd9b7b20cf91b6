/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * What a CAP source knows it has stored (src-cap.h): one record per
 * document, keyed by its alert's (sender, identifier, sent) triple, the
 * CAP key (identifiers are unique per sender only, and an Update has its
 * own identifier and sent), with the URL it was fetched from so that an
 * index entry already stored is not fetched again. A record is one state
 * line, tab separated, fields %-escaped (%, tab, CR, LF):
 *
 *   cap2 EXPIRES_MS SENDER IDENTIFIER SENT_MS URL
 *
 * (a document refused by the decoder has empty sender and identifier and
 * zeros). A line without the cap2 tag, from an older ingest, is taken as
 * a URL already stored. A record is kept until its time has passed (its
 * latest <expires>; without one, sent + the retention; a refused or older
 * record has none) and it no longer appears in the index. Libc only.
 */
#ifndef CITYOPS_CAP_CACHE_H
#define CITYOPS_CAP_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "cityops/feed/feed.h"
#include "cityops/feed/keyset.h"

/* Kept this long after sent when an alert has no <expires>. */
#define CAP_CACHE_RETENTION_MS (7 * 24 * 3600 * 1000LL)

struct cap_cache;

struct cap_cache *cap_cache_new(int64_t retention_ms);
void cap_cache_free(struct cap_cache **cp);

/* The record line of a document fetched from url; cap NULL: refused.
 * Returns a string to free. */
char *cap_cache_line(const char *url, const struct feed_cap *cap);
/* The triple key of cap (as it sits in a record line), to free. */
char *cap_cache_triple(const struct feed_cap *cap);
/* The same from its parts (an index entry's cap: elements). */
char *cap_cache_triple_of(const char *sender, const char *identifier,
                          int64_t sent_ms);

/* Adds a record line; returns 1 when it was new. */
int cap_cache_add(struct cap_cache *c, const char *line);
int cap_cache_has_url(const struct cap_cache *c, const char *url);
int cap_cache_has_triple(const struct cap_cache *c, const char *triple);
size_t cap_cache_count(const struct cap_cache *c);

/*
 * Drops the records whose time is before now_ms and whose URL and triple
 * are both absent from seen (what the index lists now); returns how many.
 */
size_t cap_cache_compact(struct cap_cache *c, const struct keyset *seen,
                         int64_t now_ms);
/* Calls fn with each record's line, oldest first. */
void cap_cache_each(const struct cap_cache *c,
                    void (*fn)(void *arg, const char *line), void *arg);

#endif
