/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Atom and RSS 2.0 indexes of CAP alerts (OASIS "CAP Feeds" practice): the
 * entries, each with the link to its CAP document. The link typed
 * application/cap+xml wins, then an RSS enclosure of that type, then a
 * lone or first link. A CAP <alert> at the root says the URL is a
 * document, not an index. Parsed with expat under the same guards as the
 * decoders (no DOCTYPE, a depth and a size cap). Libc and expat only.
 */
#ifndef CITYOPS_FEED_INDEX_H
#define CITYOPS_FEED_INDEX_H

#include <stddef.h>
#include <stdint.h>

enum feed_index_kind {
	FEED_INDEX_ATOM,
	FEED_INDEX_RSS,
	FEED_INDEX_CAP, /* the document is an alert itself */
};

/* One entry; strings live for the call. */
struct feed_index_entry {
	const char *id;     /* Atom id, RSS guid; NULL when absent */
	const char *link;   /* as written (may be relative) */
	int64_t updated_ms; /* 0 when absent or not parseable */
	/* The alert's key when the entry gives it in cap: extension
	 * elements (<cap:sender>, <cap:identifier>, <cap:sent>); both NULL
	 * and 0 unless all three are there and sent is a time. */
	const char *cap_sender, *cap_identifier;
	int64_t cap_sent_ms;
};

typedef void (*feed_index_fn)(void *arg, const struct feed_index_entry *e);

/*
 * Parses buf: calls fn for each entry that has a link (entries without
 * one are counted in *skipped when it is not NULL). Returns the kind, or
 * -1 with *why set (not well-formed, a DOCTYPE, too deep or too large,
 * not an index).
 */
int feed_index_parse(const char *buf, size_t len, size_t max, feed_index_fn fn,
                     void *arg, size_t *skipped, const char **why);

#endif
