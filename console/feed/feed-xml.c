/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * XML documents through expat, pushed chunk by chunk as they arrive: a
 * CAP 1.2 (or 1.1) <alert>, or Open311 GeoReport v2 <service_requests>.
 * This file is the one place expat is used. It keeps the stack of element
 * local names, matches elements by namespace URI and local name (so
 * prefixed cap: tags and a default namespace read the same), skips any
 * element in a foreign namespace with everything inside it (ds:Signature),
 * collects each element's text, and hands every closed element to the
 * format's decoder (feed-cap-xml.c, feed-open311-xml.c).
 *
 * Guards: any DOCTYPE stops the parse (no DTD, no entities of ours, no
 * billion laughs), nesting past FEED_XML_DEPTH and documents past the
 * decoder's size cap are refused, and expat never fetches anything (no
 * external entity handler is set).
 */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "feed-internal.h"

#define NS_SEP ' '
/* Longest element text kept; the size cap bounds the document anyway. */
#define TEXT_MAX (256 * 1024)

struct feed_xml {
	XML_Parser p;
	struct feed_decoder *d;
	enum feed_format hint, fmt;
	enum feed_reject why;
	size_t bytes;
	int depth, skip_from; /* skip_from > 0: inside a foreign element */
	char names[FEED_XML_DEPTH + 1][32];
	struct buf text;
	struct feed_result res;
	struct feed_cap_xml *cap;
	struct feed_o311_xml *o311;
};

static const char *const cap_ns[] = {
    "urn:oasis:names:tc:emergency:cap:1.2",
    "urn:oasis:names:tc:emergency:cap:1.1",
    "http://www.incident.com/cap/1.0",
};

static void
fail(struct feed_xml *x, enum feed_reject why)
{
	if (x->why == FEED_REJECT_NONE)
		x->why = why;
	XML_StopParser(x->p, XML_FALSE);
}

/* Splits "uri local" (or "local"): returns the local name, sets *known. */
static const char *
local_name(const struct feed_xml *x, const char *name, int *known)
{
	const char *sp = strrchr(name, NS_SEP);

	*known = 1;
	if (sp == NULL)
		return name;
	*known = 0;
	if (x->fmt == FEED_FORMAT_CAP || x->fmt == FEED_FORMAT_AUTO)
		for (size_t i = 0; i < sizeof cap_ns / sizeof *cap_ns; i++)
			if (strlen(cap_ns[i]) == (size_t)(sp - name) &&
			    memcmp(name, cap_ns[i], (size_t)(sp - name)) == 0)
				*known = 1;
	return sp + 1;
}

static void
root(struct feed_xml *x, const char *local)
{
	enum feed_format f = FEED_FORMAT_AUTO;

	if (strcmp(local, "alert") == 0)
		f = FEED_FORMAT_CAP;
	else if (strcmp(local, "service_requests") == 0 ||
	         strcmp(local, "request") == 0)
		f = FEED_FORMAT_OPEN311;
	if (f == FEED_FORMAT_AUTO ||
	    (x->hint != FEED_FORMAT_AUTO && x->hint != f)) {
		fail(x, FEED_REJECT_UNKNOWN_FORMAT);
		return;
	}
	x->fmt = f;
}

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct feed_xml *x = arg;
	const char *local;
	int known;

	(void)attrs;
	if (++x->depth > FEED_XML_DEPTH) {
		fail(x, FEED_REJECT_INVALID_XML);
		return;
	}
	if (x->skip_from > 0)
		return;
	local = local_name(x, name, &known);
	if (x->depth == 1) {
		/* The root's namespace decides: CAP's, or none (Open311). */
		x->fmt = FEED_FORMAT_AUTO;
		if (!known) {
			fail(x, FEED_REJECT_UNKNOWN_FORMAT);
			return;
		}
		root(x, local);
	} else if (!known) {
		x->skip_from = x->depth;
		return;
	}
	snprintf(x->names[x->depth], sizeof x->names[0], "%s", local);
	buf_reset(&x->text);
}

/* Trims XML white space from both ends. */
static const char *
trim(const char *s, size_t *len)
{
	size_t n = *len;

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	                 s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	*len = n;
	return s;
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct feed_xml *x = arg;
	struct feed_xml_el el;
	enum feed_reject why = FEED_REJECT_NONE;

	(void)name;
	if (x->skip_from > 0) {
		if (x->depth-- == x->skip_from)
			x->skip_from = 0;
		return;
	}
	memset(&el, 0, sizeof el);
	el.depth = x->depth;
	el.name = x->names[x->depth];
	el.parent = x->depth >= 2 ? x->names[x->depth - 1] : "";
	el.grand = x->depth >= 3 ? x->names[x->depth - 2] : "";
	el.len = x->text.len;
	el.text = trim(x->text.data ? x->text.data : "", &el.len);
	if (x->fmt == FEED_FORMAT_CAP)
		why = feed_cap_xml_end(x->d, x->cap, &el);
	else if (x->fmt == FEED_FORMAT_OPEN311)
		why = feed_o311_xml_end(x->d, x->o311, &el);
	buf_reset(&x->text);
	x->depth--;
	if (why != FEED_REJECT_NONE)
		fail(x, why);
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct feed_xml *x = arg;

	if (x->skip_from > 0 || len <= 0)
		return;
	if (x->text.len + (size_t)len > TEXT_MAX) {
		fail(x, FEED_REJECT_TOO_LARGE);
		return;
	}
	buf_add(&x->text, s, (size_t)len);
}

static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
           const XML_Char *pubid, int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	fail(arg, FEED_REJECT_INVALID_XML);
}

static void XMLCALL
on_entity(void *arg, const XML_Char *name, int is_param, const XML_Char *value,
          int value_length, const XML_Char *base, const XML_Char *sysid,
          const XML_Char *pubid, const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_length;
	(void)base, (void)sysid, (void)pubid, (void)notation;
	fail(arg, FEED_REJECT_INVALID_XML);
}

static struct feed_xml *
xml_get(struct feed_decoder *d)
{
	if (d->xml == NULL) {
		d->xml = xcalloc(1, sizeof *d->xml);
		d->xml->cap = feed_cap_xml_new();
		d->xml->o311 = feed_o311_xml_new();
	}
	return d->xml;
}

void
feed_xml_begin(struct feed_decoder *d, enum feed_format hint)
{
	struct feed_xml *x = xml_get(d);

	if (x->p == NULL)
		x->p = XML_ParserCreateNS(NULL, NS_SEP);
	else
		XML_ParserReset(x->p, NULL);
	if (x->p == NULL) {
		fputs("cityops: cannot create an XML parser\n", stderr);
		abort();
	}
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_text);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	XML_SetEntityDeclHandler(x->p, on_entity);
	x->d = d;
	x->hint = hint;
	x->fmt = FEED_FORMAT_AUTO;
	x->why = FEED_REJECT_NONE;
	x->bytes = 0;
	x->depth = x->skip_from = 0;
	buf_reset(&x->text);
	feed_cap_xml_reset(x->cap);
	feed_o311_xml_reset(x->o311);
	/* Scratch is reset here and lives until feed_xml_end's sink. */
	feed_call_begin(d, NULL, NULL, &x->res);
}

void
feed_xml_push(struct feed_decoder *d, const char *buf, size_t len)
{
	struct feed_xml *x = xml_get(d);

	if (x->why != FEED_REJECT_NONE || x->p == NULL)
		return;
	x->bytes += len;
	if (x->bytes > d->max) {
		x->why = FEED_REJECT_TOO_LARGE;
		return;
	}
	if (memchr(buf, '\0', len) != NULL) {
		x->why = FEED_REJECT_NUL;
		return;
	}
	if (XML_Parse(x->p, buf, (int)len, XML_FALSE) == XML_STATUS_ERROR &&
	    x->why == FEED_REJECT_NONE)
		x->why = FEED_REJECT_INVALID_XML;
}

/* Emits what the document held; returns the reason it failed whole. */
static enum feed_reject
emit_all(struct feed_decoder *d, struct feed_xml *x)
{
	struct feed_event ev;
	const struct feed_event *evs;
	enum feed_reject why = FEED_REJECT_NONE;
	size_t n, skipped;

	if (x->fmt == FEED_FORMAT_CAP) {
		FEED_TRY(feed_cap_xml_finish(d, x->cap, &ev));
		feed_emit(d, &ev);
		return FEED_REJECT_NONE;
	}
	evs = feed_o311_xml_events(x->o311, &n);
	for (size_t i = 0; i < n; i++)
		feed_emit(d, &evs[i]);
	skipped = feed_o311_xml_skipped(x->o311, &why);
	for (size_t i = 0; i < skipped; i++)
		feed_skip(d, why);
	return FEED_REJECT_NONE;
}

enum feed_status
feed_xml_end(struct feed_decoder *d, feed_sink_fn sink, void *arg,
             struct feed_result *res)
{
	struct feed_xml *x = xml_get(d);
	enum feed_reject why = x->why;
	enum feed_status st;

	if (why == FEED_REJECT_NONE && x->p != NULL &&
	    XML_Parse(x->p, "", 0, XML_TRUE) == XML_STATUS_ERROR)
		why = x->why != FEED_REJECT_NONE ? x->why
		                                 : FEED_REJECT_INVALID_XML;
	if (why == FEED_REJECT_NONE && x->fmt == FEED_FORMAT_AUTO)
		why = FEED_REJECT_UNKNOWN_FORMAT;
	d->sink = sink;
	d->arg = arg;
	if (why == FEED_REJECT_NONE)
		why = emit_all(d, x);
	st = feed_call_end(d, why,
	                   x->fmt != FEED_FORMAT_AUTO ? x->fmt : x->hint);
	if (res != NULL)
		*res = x->res;
	return st;
}

void
feed_xml_free(struct feed_decoder *d)
{
	struct feed_xml *x = d->xml;

	if (x == NULL)
		return;
	if (x->p != NULL)
		XML_ParserFree(x->p);
	buf_free(&x->text);
	feed_cap_xml_free(&x->cap);
	feed_o311_xml_free(&x->o311);
	free(x);
	d->xml = NULL;
}
