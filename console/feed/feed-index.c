/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Atom and RSS indexes of CAP documents (feed-index.h). Elements are
 * matched by local name within the Atom namespace or none (RSS 2.0); of
 * the cap: extension elements some feeds add to entries, the alert's key
 * (sender, identifier, sent) is read, the rest ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "cityops/feed/feed-index.h"
#include "cityops/feed/feed.h"
#include "xml-doc.h"

#define NS_SEP   ' '
#define ATOM_NS  "http://www.w3.org/2005/Atom"
#define MAXDEPTH 32
#define TEXT_MAX 65536

struct ix {
	struct xml_doc doc; /* first: the handlers' arg */
	int kind, depth, in_entry;
	struct buf id, link, first_link, updated;
	struct buf cap_sender, cap_id, cap_sent;
	int link_rank, nlinks;
	feed_index_fn fn;
	void *arg;
	size_t skipped;
};

/* The local name, or NULL for an element in a namespace we do not read. */
static const char *
local(const char *name)
{
	const char *sp = strrchr(name, NS_SEP);

	if (sp == NULL)
		return name;
	if ((size_t)(sp - name) == strlen(ATOM_NS) &&
	    memcmp(name, ATOM_NS, strlen(ATOM_NS)) == 0)
		return sp + 1;
	if (strncmp(name, "urn:oasis:names:tc:emergency:cap:", 33) == 0) {
		static const char *const keep[] = {
		    "cap:alert", "cap:sender", "cap:identifier", "cap:sent"};
		for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
			if (strcmp(sp + 1, keep[i] + 4) == 0)
				return keep[i];
	}
	return NULL;
}

static const char *
attr(const char **attrs, const char *name)
{
	for (size_t i = 0; attrs[i] != NULL; i += 2)
		if (strcmp(attrs[i], name) == 0)
			return attrs[i + 1];
	return NULL;
}

static void
set(struct buf *b, const char *s)
{
	buf_reset(b);
	buf_adds(b, s);
}

/* A link: rank 2 typed CAP, 1 any other; the best and the first kept. */
static void
link_seen(struct ix *x, const char *href, const char *type)
{
	int rank = type != NULL && strstr(type, "cap+xml") != NULL ? 2 : 1;

	if (href == NULL || *href == '\0')
		return;
	if (x->nlinks++ == 0)
		set(&x->first_link, href);
	if (rank > x->link_rank) {
		x->link_rank = rank;
		set(&x->link, href);
	}
}

static void
entry_begin(struct ix *x)
{
	x->in_entry = x->depth;
	buf_reset(&x->id);
	buf_reset(&x->link);
	buf_reset(&x->first_link);
	buf_reset(&x->updated);
	buf_reset(&x->cap_sender);
	buf_reset(&x->cap_id);
	buf_reset(&x->cap_sent);
	x->link_rank = x->nlinks = 0;
}

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct ix *x = arg;
	const char *l = local(name);

	if (++x->depth > MAXDEPTH) {
		xml_doc_stop(&x->doc, "nested too deep");
		return;
	}
	buf_reset(&x->doc.text);
	if (l == NULL)
		return;
	if (x->depth == 1) {
		if (strcmp(l, "feed") == 0 && strchr(name, NS_SEP) != NULL)
			x->kind = FEED_INDEX_ATOM;
		else if (strcmp(l, "rss") == 0)
			x->kind = FEED_INDEX_RSS;
		else if (strcmp(l, "cap:alert") == 0)
			x->kind = FEED_INDEX_CAP, xml_doc_stop(&x->doc, NULL);
		else
			xml_doc_stop(&x->doc, "neither Atom, RSS nor CAP");
		return;
	}
	if (!x->in_entry && (strcmp(l, "entry") == 0 || strcmp(l, "item") == 0))
		entry_begin(x);
	else if (x->in_entry && x->depth == x->in_entry + 1 &&
	         strcmp(l, "link") == 0 && x->kind == FEED_INDEX_ATOM)
		link_seen(x, attr(attrs, "href"), attr(attrs, "type"));
	else if (x->in_entry && strcmp(l, "enclosure") == 0)
		link_seen(x, attr(attrs, "url"), attr(attrs, "type"));
}

static void
entry_end(struct ix *x)
{
	struct feed_index_entry e;
	const char *link = x->link_rank == 2 || x->nlinks <= 1
	                       ? x->link.data
	                       : x->first_link.data;

	x->in_entry = 0;
	if (link == NULL || *link == '\0') {
		x->skipped++;
		return;
	}
	memset(&e, 0, sizeof e);
	e.id = x->id.len > 0 ? x->id.data : NULL;
	e.link = link;
	if (x->updated.len > 0 &&
	    feed_parse_time(x->updated.data, x->updated.len, 0,
	                    &e.updated_ms) != 0)
		e.updated_ms = 0;
	if (x->cap_sender.len > 0 && x->cap_id.len > 0 && x->cap_sent.len > 0 &&
	    feed_parse_time(x->cap_sent.data, x->cap_sent.len, 0,
	                    &e.cap_sent_ms) == 0 &&
	    e.cap_sent_ms != 0) {
		e.cap_sender = x->cap_sender.data;
		e.cap_identifier = x->cap_id.data;
	} else {
		e.cap_sent_ms = 0;
	}
	x->fn(x->arg, &e);
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct ix *x = arg;
	const char *l = local(name);

	if (l != NULL && x->in_entry) {
		if (x->depth == x->in_entry)
			entry_end(x);
		else if (x->depth == x->in_entry + 1 &&
		         (strcmp(l, "id") == 0 || strcmp(l, "guid") == 0))
			xml_doc_trimmed(&x->id, &x->doc.text);
		else if (x->depth == x->in_entry + 1 &&
		         (strcmp(l, "updated") == 0))
			xml_doc_trimmed(&x->updated, &x->doc.text);
		else if (x->depth == x->in_entry + 1 &&
		         strcmp(l, "cap:sender") == 0)
			xml_doc_trimmed(&x->cap_sender, &x->doc.text);
		else if (x->depth == x->in_entry + 1 &&
		         strcmp(l, "cap:identifier") == 0)
			xml_doc_trimmed(&x->cap_id, &x->doc.text);
		else if (x->depth == x->in_entry + 1 &&
		         strcmp(l, "cap:sent") == 0)
			xml_doc_trimmed(&x->cap_sent, &x->doc.text);
		else if (x->depth == x->in_entry + 1 &&
		         strcmp(l, "link") == 0 && x->kind == FEED_INDEX_RSS) {
			struct buf t = {0};
			xml_doc_trimmed(&t, &x->doc.text);
			if (t.data != NULL)
				link_seen(x, t.data, NULL);
			buf_free(&t);
		}
	}
	buf_reset(&x->doc.text);
	x->depth--;
}

int
feed_index_parse(const char *buf, size_t len, size_t max, feed_index_fn fn,
                 void *arg, size_t *skipped, const char **why)
{
	struct ix x;

	memset(&x, 0, sizeof x);
	x.doc.text_max = TEXT_MAX;
	x.kind = -1;
	x.fn = fn;
	x.arg = arg;
	if (len > max) {
		*why = "over the size cap";
		return -1;
	}
	xml_doc_parse(&x.doc, buf, len, NS_SEP, on_start, on_end);
	buf_free(&x.id);
	buf_free(&x.link);
	buf_free(&x.first_link);
	buf_free(&x.updated);
	buf_free(&x.cap_sender);
	buf_free(&x.cap_id);
	buf_free(&x.cap_sent);
	if (skipped != NULL)
		*skipped = x.skipped;
	if (x.doc.why != NULL || x.kind < 0) {
		*why = x.doc.why ? x.doc.why : "empty document";
		return -1;
	}
	return x.kind;
}
