/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * OASIS CAP 1.2 (and 1.1) alerts in their own encoding, XML, element by
 * element as feed-xml.c closes them; the same event as the CAP JSON
 * decoder (feed-cap.c) builds. What real feeds send is kept: every <info>
 * (feed_cap_pick_info chooses by language), every area's polygons,
 * circles and geocodes, <parameter> pairs and the <references> triples.
 * A polygon, circle or reference that does not parse is skipped and
 * counted (bad_value); a missing or bad identifier, sender, sent, status
 * or msgType fails the document, as in the JSON decoder.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cityops/core/util.h"
#include "feed-internal.h"

/* A growing array of fixed-size items, kept between documents. */
struct vec {
	void *v;
	size_t n, cap, size;
};

struct feed_cap_xml {
	struct feed_cap cap;
	int have_status, have_msgtype;
	enum feed_reject why_ident, why_sender;
	const char *refs_text;

	struct vec infos, polys, circles, geocodes, params;
	struct buf area_desc;
	struct feed_pair pair; /* the valueName/value being read */
	size_t skipped;
};

static void *
vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xrealloc(v->v, v->cap * v->size);
	}
	memset((char *)v->v + v->n * v->size, 0, v->size);
	return (char *)v->v + v->n++ * v->size;
}

/* Copies the items into scratch, which lives as long as the event. */
static const void *
vec_scratch(struct feed_decoder *d, const struct vec *v)
{
	void *out = feed_alloc(d, v->n * v->size + 1);

	if (v->n > 0)
		memcpy(out, v->v, v->n * v->size);
	return out;
}

struct feed_cap_xml *
feed_cap_xml_new(void)
{
	struct feed_cap_xml *x = xcalloc(1, sizeof *x);

	x->infos.size = sizeof(struct feed_cap_info);
	x->polys.size = sizeof(struct feed_polygon);
	x->circles.size = sizeof(struct feed_circle);
	x->geocodes.size = sizeof(struct feed_pair);
	x->params.size = sizeof(struct feed_pair);
	return x;
}

void
feed_cap_xml_free(struct feed_cap_xml **xp)
{
	struct feed_cap_xml *x = *xp;

	if (x == NULL)
		return;
	free(x->infos.v);
	free(x->polys.v);
	free(x->circles.v);
	free(x->geocodes.v);
	free(x->params.v);
	buf_free(&x->area_desc);
	free(x);
	*xp = NULL;
}

static void
info_reset(struct feed_cap_xml *x)
{
	x->polys.n = x->circles.n = x->geocodes.n = x->params.n = 0;
	buf_reset(&x->area_desc);
	/* A document cut inside a <parameter> or <geocode> left its half
	 * pair, whose text lived in that document's scratch (libFuzzer found
	 * it read again by the next document's pair that lacked one half). */
	memset(&x->pair, 0, sizeof x->pair);
}

void
feed_cap_xml_reset(struct feed_cap_xml *x)
{
	memset(&x->cap, 0, sizeof x->cap);
	x->have_status = x->have_msgtype = 0;
	x->why_ident = x->why_sender = FEED_REJECT_MISSING_FIELD;
	x->refs_text = NULL;
	x->infos.n = 0;
	x->skipped = 0;
	info_reset(x);
}

/* The element's text among kind's names (feed_cap_enum); -1 if none. */
static int
enum_of(const struct feed_xml_el *el, enum feed_cap_enum kind)
{
	char s[32];

	if (el->len == 0 || el->len >= sizeof s)
		return -1;
	memcpy(s, el->text, el->len);
	s[el->len] = '\0';
	return feed_cap_enum(kind, s);
}

static const char *
text(struct feed_decoder *d, const struct feed_xml_el *el)
{
	return el->len > 0 ? feed_text(d, el->text, el->len) : NULL;
}

static void
skip(struct feed_decoder *d, struct feed_cap_xml *x)
{
	(void)d;
	x->skipped++;
}

static void
area_end(struct feed_decoder *d, struct feed_cap_xml *x,
         const struct feed_xml_el *el)
{
	if (strcmp(el->name, "areaDesc") == 0 && el->len > 0) {
		if (x->area_desc.len > 0)
			buf_add(&x->area_desc, "; ", 2);
		buf_add(&x->area_desc, el->text, el->len);
	} else if (strcmp(el->name, "polygon") == 0) {
		char *s = feed_alloc(d, el->len + 1);
		struct feed_polygon p;
		memcpy(s, el->text, el->len);
		s[el->len] = '\0';
		if (feed_cap_polygon(d, s, &p) != 0)
			skip(d, x);
		else
			*(struct feed_polygon *)vec_push(&x->polys) = p;
	} else if (strcmp(el->name, "circle") == 0) {
		struct feed_circle c;
		if (feed_cap_circle(el->text, el->len, &c) != 0)
			skip(d, x);
		else
			*(struct feed_circle *)vec_push(&x->circles) = c;
	}
}

/* valueName/value inside <geocode> or <parameter>. */
static void
pair_end(struct feed_decoder *d, struct feed_cap_xml *x,
         const struct feed_xml_el *el)
{
	if (strcmp(el->name, "valueName") == 0)
		x->pair.name = text(d, el);
	else if (strcmp(el->name, "value") == 0)
		x->pair.value = text(d, el);
}

static void
pair_done(struct feed_decoder *d, struct feed_cap_xml *x, struct vec *v)
{
	if (x->pair.name == NULL || x->pair.value == NULL)
		skip(d, x);
	else
		*(struct feed_pair *)vec_push(v) = x->pair;
	memset(&x->pair, 0, sizeof x->pair);
}

static struct feed_cap_info *
cur_info(struct feed_cap_xml *x)
{
	if (x->infos.n == 0)
		vec_push(&x->infos);
	return (struct feed_cap_info *)x->infos.v + x->infos.n - 1;
}

/* Where an <info> time element goes: onset, effective or expires. */
static int64_t *
info_time(const struct feed_xml_el *el, struct feed_cap_info *in)
{
	if (strcmp(el->name, "onset") == 0)
		return &in->onset_ms;
	if (strcmp(el->name, "effective") == 0)
		return &in->effective_ms;
	if (strcmp(el->name, "expires") == 0)
		return &in->expires_ms;
	return NULL;
}

static enum feed_reject
info_field(struct feed_decoder *d, struct feed_cap_xml *x,
           const struct feed_xml_el *el)
{
	struct feed_cap_info *in = cur_info(x);
	int64_t *t;
	int e;

	if (strcmp(el->name, "language") == 0)
		in->language = text(d, el);
	else if (strcmp(el->name, "category") == 0 && in->category == NULL)
		in->category = text(d, el);
	else if (strcmp(el->name, "event") == 0)
		in->event = text(d, el);
	else if (strcmp(el->name, "headline") == 0)
		in->headline = text(d, el);
	else if (strcmp(el->name, "description") == 0)
		in->description = text(d, el);
	else if (strcmp(el->name, "urgency") == 0 &&
	         (e = enum_of(el, FEED_CAP_E_URGENCY)) >= 0)
		in->urgency = (enum feed_cap_urgency)e;
	else if (strcmp(el->name, "severity") == 0 &&
	         (e = enum_of(el, FEED_CAP_E_SEVERITY)) >= 0)
		in->severity = (enum feed_cap_severity)e;
	else if (strcmp(el->name, "certainty") == 0 &&
	         (e = enum_of(el, FEED_CAP_E_CERTAINTY)) >= 0)
		in->certainty = (enum feed_cap_certainty)e;
	else if ((t = info_time(el, in)) != NULL && el->len > 0 &&
	         feed_parse_time(el->text, el->len, d->zone[d->fmt], t) != 0)
		return FEED_REJECT_BAD_TIME;
	else if (strcmp(el->name, "parameter") == 0)
		pair_done(d, x, &x->params);
	return FEED_REJECT_NONE;
}

/* </info>: the areas' arrays move into scratch. */
static void
info_end(struct feed_decoder *d, struct feed_cap_xml *x)
{
	struct feed_cap_info *in = cur_info(x);

	in->npolygons = x->polys.n;
	in->polygons = vec_scratch(d, &x->polys);
	in->ncircles = x->circles.n;
	in->circles = vec_scratch(d, &x->circles);
	in->ngeocodes = x->geocodes.n;
	in->geocodes = vec_scratch(d, &x->geocodes);
	in->nparams = x->params.n;
	in->params = vec_scratch(d, &x->params);
	in->area_desc = x->area_desc.len > 0
	                    ? feed_text(d, x->area_desc.data, x->area_desc.len)
	                    : NULL;
	info_reset(x);
	vec_push(&x->infos); /* the next <info>, if any */
}

static enum feed_reject
alert_field(struct feed_decoder *d, struct feed_cap_xml *x,
            const struct feed_xml_el *el)
{
	struct feed_cap *c = &x->cap;
	int e;

	if (strcmp(el->name, "identifier") == 0) {
		x->why_ident = feed_ident(d, el->text, el->len, &c->identifier);
	} else if (strcmp(el->name, "sender") == 0) {
		x->why_sender = feed_ident(d, el->text, el->len, &c->sender);
	} else if (strcmp(el->name, "sent") == 0) {
		if (feed_parse_time(el->text, el->len, d->zone[d->fmt],
		                    &c->sent_ms) != 0)
			return FEED_REJECT_BAD_TIME;
	} else if (strcmp(el->name, "status") == 0) {
		if ((e = enum_of(el, FEED_CAP_E_STATUS)) < 0)
			return FEED_REJECT_BAD_VALUE;
		c->status = (enum feed_cap_status)e;
		x->have_status = 1;
	} else if (strcmp(el->name, "msgType") == 0) {
		if ((e = enum_of(el, FEED_CAP_E_MSGTYPE)) < 0)
			return FEED_REJECT_BAD_VALUE;
		c->msg_type = (enum feed_cap_msgtype)e;
		x->have_msgtype = 1;
	} else if (strcmp(el->name, "scope") == 0) {
		if ((e = enum_of(el, FEED_CAP_E_SCOPE)) >= 0)
			c->scope = (enum feed_cap_scope)e;
	} else if (strcmp(el->name, "references") == 0) {
		x->refs_text =
		    el->len > 0 ? feed_text(d, el->text, el->len) : NULL;
	} else if (strcmp(el->name, "info") == 0) {
		info_end(d, x);
	}
	return FEED_REJECT_NONE;
}

enum feed_reject
feed_cap_xml_end(struct feed_decoder *d, struct feed_cap_xml *x,
                 const struct feed_xml_el *el)
{
	if (el->depth == 2)
		return alert_field(d, x, el);
	if (strcmp(el->parent, "info") == 0)
		return info_field(d, x, el);
	if (strcmp(el->parent, "area") == 0) {
		if (strcmp(el->name, "geocode") == 0)
			pair_done(d, x, &x->geocodes);
		else
			area_end(d, x, el);
	} else if (strcmp(el->parent, "geocode") == 0 ||
	           strcmp(el->parent, "parameter") == 0) {
		pair_end(d, x, el);
	}
	return FEED_REJECT_NONE;
}

/* "sender,identifier,sent sender,identifier,sent …" */
static void
references(struct feed_decoder *d, struct feed_cap_xml *x)
{
	const char *s = x->refs_text;
	struct feed_cap_ref *refs;
	size_t n = 0, cap = 1;

	if (s == NULL)
		return;
	for (const char *p = s; *p; p++)
		cap += *p == ' ';
	refs = feed_alloc(d, cap * sizeof *refs);
	while (*s != '\0') {
		size_t len = strcspn(s, " \t\r\n");
		const char *c1 = memchr(s, ',', len), *c2 = NULL;
		for (size_t i = len; i > 0; i--)
			if (s[i - 1] == ',') {
				c2 = s + i - 1;
				break;
			}
		if (len > 0 && c1 != NULL && c2 != NULL && c2 > c1 + 1 &&
		    n < cap &&
		    feed_ident(d, s, (size_t)(c1 - s), &refs[n].sender) ==
		        FEED_REJECT_NONE &&
		    feed_ident(d, c1 + 1, (size_t)(c2 - c1 - 1),
		               &refs[n].identifier) == FEED_REJECT_NONE) {
			if (feed_parse_time(c2 + 1, len - (size_t)(c2 + 1 - s),
			                    d->zone[d->fmt],
			                    &refs[n].sent_ms) != 0)
				refs[n].sent_ms = 0;
			n++;
		} else if (len > 0) {
			skip(d, x);
		}
		s += len;
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
	}
	x->cap.nrefs = n;
	x->cap.refs = refs;
}

enum feed_reject
feed_cap_xml_finish(struct feed_decoder *d, struct feed_cap_xml *x,
                    struct feed_event *ev)
{
	struct feed_cap *c = &x->cap;

	FEED_TRY(x->why_ident);
	FEED_TRY(x->why_sender);
	if (c->sent_ms == 0 || !x->have_status || !x->have_msgtype)
		return FEED_REJECT_MISSING_FIELD;
	references(d, x);
	/* The last pushed info is the empty one for a next <info>. */
	c->ninfo = x->infos.n > 0 ? x->infos.n - 1 : 0;
	c->info = vec_scratch(d, &x->infos);
	for (size_t i = 0; i < x->skipped; i++)
		feed_skip(d, FEED_REJECT_BAD_VALUE);
	memset(ev, 0, sizeof *ev);
	ev->type = FEED_EV_CAP;
	ev->format = FEED_FORMAT_CAP;
	ev->exercise = c->status == FEED_CAP_STATUS_EXERCISE;
	ev->u.cap = *c;
	return FEED_REJECT_NONE;
}

/* "zh-CN" matches want "zh-CN"; "zh-Hans-CN" matches "zh" by prefix. */
static int
lang_is(const char *lang, const char *want, int prefix)
{
	size_t n = strlen(want);

	if (lang == NULL)
		return 0;
	if (!prefix)
		return feed_strcaseeq(lang, want);
	return strncasecmp(lang, want, n) == 0 &&
	       (lang[n] == '\0' || lang[n] == '-' || lang[n] == '_');
}

const struct feed_cap_info *
feed_cap_pick_info(const struct feed_cap *c)
{
	static const struct {
		const char *lang;
		int prefix;
	} order[] = {{"zh-CN", 0}, {"zh", 1}, {"en", 1}};

	if (c->ninfo == 0)
		return NULL;
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
		for (size_t i = 0; i < c->ninfo; i++)
			if (lang_is(c->info[i].language, order[k].lang,
			            order[k].prefix))
				return &c->info[i];
	return &c->info[0];
}
