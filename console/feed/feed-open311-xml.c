/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Open311 GeoReport v2 service requests as XML, the encoding the
 * specification makes mandatory: <service_requests><request>…</request>…
 * (or one <request>). Each request becomes the same event as the JSON
 * decoder's (feed-open311.c); a request without a usable id, or with bad
 * coordinates or times, is skipped and counted, the others are kept.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/core/util.h"
#include "feed-internal.h"

struct feed_o311_xml {
	struct feed_event *evs;
	size_t n, cap;
	struct feed_open311 cur;
	enum feed_reject why; /* of the request being read */
	int have_id;
	size_t skipped;
	enum feed_reject skip_why; /* of the first skipped */
};

struct feed_o311_xml *
feed_o311_xml_new(void)
{
	return xcalloc(1, sizeof(struct feed_o311_xml));
}

void
feed_o311_xml_free(struct feed_o311_xml **xp)
{
	if (*xp == NULL)
		return;
	free((*xp)->evs);
	free(*xp);
	*xp = NULL;
}

static void
request_reset(struct feed_o311_xml *x)
{
	memset(&x->cur, 0, sizeof x->cur);
	x->cur.lat = x->cur.lon = NAN;
	x->why = FEED_REJECT_NONE;
	x->have_id = 0;
}

void
feed_o311_xml_reset(struct feed_o311_xml *x)
{
	x->n = 0;
	x->skipped = 0;
	x->skip_why = FEED_REJECT_NONE;
	request_reset(x);
}

static void
coord(struct feed_o311_xml *x, const struct feed_xml_el *el, double limit,
      double *out)
{
	if (el->len == 0)
		return;
	if (feed_parse_number(el->text, el->len, out) != 0 ||
	    fabs(*out) > limit) {
		*out = NAN;
		if (x->why == FEED_REJECT_NONE)
			x->why = FEED_REJECT_BAD_VALUE;
	}
}

static void
when(struct feed_decoder *d, struct feed_o311_xml *x,
     const struct feed_xml_el *el, int64_t *ms)
{
	if (el->len > 0 &&
	    feed_parse_time(el->text, el->len, d->zone[d->fmt], ms) != 0 &&
	    x->why == FEED_REJECT_NONE)
		x->why = FEED_REJECT_BAD_TIME;
}

static const char *
text(struct feed_decoder *d, const struct feed_xml_el *el)
{
	return el->len > 0 ? feed_text(d, el->text, el->len) : NULL;
}

static void
field(struct feed_decoder *d, struct feed_o311_xml *x,
      const struct feed_xml_el *el)
{
	struct feed_open311 *r = &x->cur;
	enum feed_reject why;

	if (strcmp(el->name, "service_request_id") == 0) {
		why = feed_ident(d, el->text, el->len, &r->id);
		if (why != FEED_REJECT_NONE && x->why == FEED_REJECT_NONE)
			x->why = el->len == 0 ? FEED_REJECT_MISSING_FIELD : why;
		x->have_id = why == FEED_REJECT_NONE;
	} else if (strcmp(el->name, "status") == 0) {
		r->status = text(d, el);
	} else if (strcmp(el->name, "service_code") == 0) {
		r->service_code = text(d, el);
	} else if (strcmp(el->name, "service_name") == 0) {
		r->service_name = text(d, el);
	} else if (strcmp(el->name, "description") == 0) {
		r->description = text(d, el);
	} else if (strcmp(el->name, "address") == 0) {
		r->address = text(d, el);
	} else if (strcmp(el->name, "lat") == 0) {
		coord(x, el, 90, &r->lat);
	} else if (strcmp(el->name, "long") == 0) {
		coord(x, el, 180, &r->lon);
	} else if (strcmp(el->name, "requested_datetime") == 0) {
		when(d, x, el, &r->requested_ms);
	} else if (strcmp(el->name, "updated_datetime") == 0) {
		when(d, x, el, &r->updated_ms);
	}
}

static void
request_end(struct feed_o311_xml *x)
{
	struct feed_event *ev;

	if (!x->have_id && x->why == FEED_REJECT_NONE)
		x->why = FEED_REJECT_MISSING_FIELD;
	if (x->why != FEED_REJECT_NONE) {
		if (x->skipped++ == 0)
			x->skip_why = x->why;
	} else {
		if (x->n == x->cap) {
			x->cap = x->cap ? x->cap * 2 : 16;
			x->evs = xrealloc(x->evs, x->cap * sizeof *x->evs);
		}
		ev = &x->evs[x->n++];
		memset(ev, 0, sizeof *ev);
		ev->type = FEED_EV_OPEN311;
		ev->format = FEED_FORMAT_OPEN311;
		ev->u.open311 = x->cur;
	}
	request_reset(x);
}

enum feed_reject
feed_o311_xml_end(struct feed_decoder *d, struct feed_o311_xml *x,
                  const struct feed_xml_el *el)
{
	if (strcmp(el->name, "request") == 0 && el->depth <= 2)
		request_end(x);
	else if (strcmp(el->parent, "request") == 0 && el->depth <= 3)
		field(d, x, el);
	return FEED_REJECT_NONE;
}

const struct feed_event *
feed_o311_xml_events(struct feed_o311_xml *x, size_t *n)
{
	*n = x->n;
	return x->evs;
}

size_t
feed_o311_xml_skipped(struct feed_o311_xml *x, enum feed_reject *why)
{
	*why = x->skip_why;
	return x->skipped;
}
