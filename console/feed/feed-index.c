/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Atom and RSS indexes of CAP documents (feed-index.h). Elements are
 * matched by local name within the Atom namespace or none (RSS 2.0); of
 * the cap: extension elements some feeds add to entries, the alert's key
 * (sender, identifier, sent) is read, the rest ignored.
 */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "cityops/feed/feed-index.h"
#include "cityops/feed/feed.h"

#define NS_SEP   ' '
#define ATOM_NS  "http://www.w3.org/2005/Atom"
#define MAXDEPTH 32
#define TEXT_MAX 65536

struct ix {
	XML_Parser p;
	int kind, depth, in_entry, stopped;
	const char *why;
	struct buf text, id, link, first_link, updated;
	struct buf cap_sender, cap_id, cap_sent;
	int link_rank, nlinks;
	feed_index_fn fn;
	void *arg;
	size_t skipped;
};

static void
stop(struct ix *x, const char *why)
{
	if (!x->stopped)
		x->why = why;
	x->stopped = 1;
	XML_StopParser(x->p, XML_FALSE);
}

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
		stop(x, "nested too deep");
		return;
	}
	buf_reset(&x->text);
	if (l == NULL)
		return;
	if (x->depth == 1) {
		if (strcmp(l, "feed") == 0 && strchr(name, NS_SEP) != NULL)
			x->kind = FEED_INDEX_ATOM;
		else if (strcmp(l, "rss") == 0)
			x->kind = FEED_INDEX_RSS;
		else if (strcmp(l, "cap:alert") == 0)
			x->kind = FEED_INDEX_CAP, stop(x, NULL);
		else
			stop(x, "neither Atom, RSS nor CAP");
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

static void
trimmed(struct buf *to, const struct buf *from)
{
	const char *s = from->data ? from->data : "";
	size_t n = from->len;

	while (n > 0 && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' ||
	                 s[n - 1] == '\r' || s[n - 1] == '\t'))
		n--;
	buf_reset(to);
	buf_add(to, s, n);
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
			trimmed(&x->id, &x->text);
		else if (x->depth == x->in_entry + 1 &&
		         (strcmp(l, "updated") == 0))
			trimmed(&x->updated, &x->text);
		else if (x->depth == x->in_entry + 1 &&
		         strcmp(l, "cap:sender") == 0)
			trimmed(&x->cap_sender, &x->text);
		else if (x->depth == x->in_entry + 1 &&
		         strcmp(l, "cap:identifier") == 0)
			trimmed(&x->cap_id, &x->text);
		else if (x->depth == x->in_entry + 1 &&
		         strcmp(l, "cap:sent") == 0)
			trimmed(&x->cap_sent, &x->text);
		else if (x->depth == x->in_entry + 1 &&
		         strcmp(l, "link") == 0 && x->kind == FEED_INDEX_RSS) {
			struct buf t = {0};
			trimmed(&t, &x->text);
			if (t.data != NULL)
				link_seen(x, t.data, NULL);
			buf_free(&t);
		}
	}
	buf_reset(&x->text);
	x->depth--;
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct ix *x = arg;

	if (x->text.len + (size_t)len > TEXT_MAX)
		stop(x, "an element's text is too long");
	else
		buf_add(&x->text, s, (size_t)len);
}

static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
           const XML_Char *pubid, int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	stop(arg, "a DOCTYPE (refused)");
}

int
feed_index_parse(const char *buf, size_t len, size_t max, feed_index_fn fn,
                 void *arg, size_t *skipped, const char **why)
{
	struct ix x;
	int ok;

	memset(&x, 0, sizeof x);
	x.kind = -1;
	x.fn = fn;
	x.arg = arg;
	if (len > max || len > (size_t)INT32_MAX) {
		*why = "over the size cap";
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		*why = "a NUL byte";
		return -1;
	}
	x.p = XML_ParserCreateNS(NULL, NS_SEP);
	if (x.p == NULL)
		abort();
	XML_SetUserData(x.p, &x);
	XML_SetElementHandler(x.p, on_start, on_end);
	XML_SetCharacterDataHandler(x.p, on_text);
	XML_SetStartDoctypeDeclHandler(x.p, on_doctype);
	ok = XML_Parse(x.p, buf, (int)len, XML_TRUE) != XML_STATUS_ERROR;
	if (!ok && !x.stopped)
		x.why = XML_ErrorString(XML_GetErrorCode(x.p));
	XML_ParserFree(x.p);
	buf_free(&x.text);
	buf_free(&x.id);
	buf_free(&x.link);
	buf_free(&x.first_link);
	buf_free(&x.updated);
	buf_free(&x.cap_sender);
	buf_free(&x.cap_id);
	buf_free(&x.cap_sent);
	if (skipped != NULL)
		*skipped = x.skipped;
	if (x.why != NULL || x.kind < 0) {
		*why = x.why ? x.why : "empty document";
		return -1;
	}
	return x.kind;
}
