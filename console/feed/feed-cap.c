/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * OASIS CAP 1.2 alerts rendered as JSON. There is no one standard JSON
 * rendering, so we take the element names of the XML schema, an optional
 * {"alert": …} wrapper, info and area as an object or an array, and both
 * msgType and messageType; enum values are matched without regard to case.
 * status=Exercise sets the event's exercise flag; Test, Draft and System
 * are passed on with their status for the consumer to keep out of real
 * queues, as CAP asks.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "feed-internal.h"

#define X(id, name) name,
static const char *const status_names[] = {FEED_CAP_STATUS_LIST(X)};
static const char *const msgtype_names[] = {FEED_CAP_MSGTYPE_LIST(X)};
static const char *const scope_names[] = {FEED_CAP_SCOPE_LIST(X)};
static const char *const urgency_names[] = {FEED_CAP_URGENCY_LIST(X)};
static const char *const severity_names[] = {FEED_CAP_SEVERITY_LIST(X)};
static const char *const certainty_names[] = {FEED_CAP_CERTAINTY_LIST(X)};
#undef X

#define COUNT(a) (sizeof a / sizeof a[0])

static const struct {
	const char *const *names;
	size_t n;
} cap_enums[] = {
    [FEED_CAP_E_STATUS] = {status_names, COUNT(status_names)},
    [FEED_CAP_E_MSGTYPE] = {msgtype_names, COUNT(msgtype_names)},
    [FEED_CAP_E_SCOPE] = {scope_names, COUNT(scope_names)},
    [FEED_CAP_E_URGENCY] = {urgency_names, COUNT(urgency_names)},
    [FEED_CAP_E_SEVERITY] = {severity_names, COUNT(severity_names)},
    [FEED_CAP_E_CERTAINTY] = {certainty_names, COUNT(certainty_names)},
};

int
feed_cap_enum(enum feed_cap_enum kind, const char *s)
{
	const char *const *names = cap_enums[kind].names;

	for (size_t i = 0; i < cap_enums[kind].n; i++)
		if (names[i][0] != '\0' && feed_strcaseeq(s, names[i]))
			return (int)i;
	return -1;
}

/*
 * Looks up obj[name] among kind's names. Returns NONE and sets *out; when
 * absent, *out = 0 and NONE if optional, else missing_field.
 */
static enum feed_reject
cap_enum(const cJSON *obj, const char *name, enum feed_cap_enum kind,
         int optional, int *out)
{
	const cJSON *v = feed_get(obj, name);
	int i;

	*out = 0;
	if (v == NULL || cJSON_IsNull(v))
		return optional ? FEED_REJECT_NONE : FEED_REJECT_MISSING_FIELD;
	if (!cJSON_IsString(v))
		return FEED_REJECT_WRONG_TYPE;
	if ((i = feed_cap_enum(kind, v->valuestring)) >= 0) {
		*out = i;
		return FEED_REJECT_NONE;
	}
	return optional ? FEED_REJECT_NONE : FEED_REJECT_BAD_VALUE;
}

/* Items of a member that may be one object or an array of them. */
static const cJSON *
first_of(const cJSON *v)
{
	return cJSON_IsArray(v) ? v->child : v;
}

/*
 * Parses "lat,lon lat,lon …" into scratch. A ring left open is closed, as
 * senders often forget; fewer than three distinct points is no polygon.
 */
int
feed_cap_polygon(struct feed_decoder *d, const char *s,
                 struct feed_polygon *out)
{
	size_t len = strlen(s), cap = len / 3 + 2, n = 0, i = 0;
	double *pts = feed_alloc(d, cap * 2 * sizeof *pts);

	while (i < len) {
		size_t start, comma = 0;
		double lat, lon;

		while (i < len && (s[i] == ' ' || s[i] == '\t' ||
		                   s[i] == '\n' || s[i] == '\r'))
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
		       s[i] != '\r') {
			if (s[i] == ',' && comma == 0)
				comma = i;
			i++;
		}
		if (comma == 0 || n + 1 >= cap ||
		    feed_parse_number(s + start, comma - start, &lat) != 0 ||
		    feed_parse_number(s + comma + 1, i - comma - 1, &lon) !=
		        0 ||
		    fabs(lat) > 90 || fabs(lon) > 180)
			return -1;
		pts[2 * n] = lat;
		pts[2 * n + 1] = lon;
		n++;
	}
	if (n < 3)
		return -1;
	if (pts[0] != pts[2 * n - 2] || pts[1] != pts[2 * n - 1]) {
		pts[2 * n] = pts[0];
		pts[2 * n + 1] = pts[1];
		n++;
	}
	if (n < 4)
		return -1;
	out->npoints = n;
	out->pts = pts;
	return 0;
}

static size_t
count_items(const cJSON *v)
{
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	return cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 1;
}

/* "lat,lon radius" (CAP 1.2 §3.3.2), for the JSON and the XML decoder. */
int
feed_cap_circle(const char *s, size_t len, struct feed_circle *c)
{
	const char *comma = memchr(s, ',', len), *sp;

	if (comma == NULL)
		return -1;
	sp = memchr(comma, ' ', len - (size_t)(comma - s));
	if (sp == NULL)
		return -1;
	while ((size_t)(sp - s) < len && *sp == ' ')
		sp++;
	if (feed_parse_number(s, (size_t)(comma - s), &c->lat) != 0 ||
	    feed_parse_number(comma + 1, (size_t)(sp - comma - 1), &c->lon) !=
	        0 ||
	    feed_parse_number(sp, len - (size_t)(sp - s), &c->radius_km) != 0) {
		/* "lat,lon  r" leaves a blank inside the lon token. */
		size_t n = (size_t)(sp - comma - 1);
		while (n > 0 && comma[n] == ' ')
			n--;
		if (feed_parse_number(comma + 1, n, &c->lon) != 0 ||
		    feed_parse_number(sp, len - (size_t)(sp - s),
		                      &c->radius_km) != 0)
			return -1;
	}
	if (fabs(c->lat) > 90 || fabs(c->lon) > 180 || c->radius_km < 0)
		return -1;
	return 0;
}

/* A geocode valueName/value pair; the value an identifier (GB/T 2260
 * codes are all digits). 0, or -1 when the value is missing or unfit. */
static int
geocode_pair(struct feed_decoder *d, const cJSON *g, struct feed_pair *out)
{
	const char *v = feed_get_str(g, "value");
	const char *n = feed_get_str(g, "valueName");

	if (v == NULL || v[0] == '\0' ||
	    feed_ident(d, v, strlen(v), &out->value) != FEED_REJECT_NONE)
		return -1;
	out->name = NULL;
	if (n != NULL &&
	    feed_ident(d, n, strlen(n), &out->name) != FEED_REJECT_NONE)
		out->name = NULL;
	return 0;
}

/* Areas of one info: descriptions joined by "; ", polygons, circles and
 * geocodes collected. */
static void
areas(struct feed_decoder *d, const cJSON *areav, struct feed_cap_info *info)
{
	size_t npoly = 0, ncirc = 0, desclen = 0, ngeo = 0;
	const cJSON *a;
	struct feed_polygon *polys;
	struct feed_circle *circs;
	struct feed_pair *geos;
	char *desc;

	for (a = first_of(areav); a != NULL;
	     a = cJSON_IsArray(areav) ? a->next : NULL) {
		const char *s = feed_get_str(a, "areaDesc");

		npoly += count_items(feed_get(a, "polygon"));
		ncirc += count_items(feed_get(a, "circle"));
		ngeo += count_items(feed_get(a, "geocode"));
		if (s != NULL)
			desclen += strlen(s) + 2;
	}
	geos = feed_alloc(d, (ngeo + 1) * sizeof *geos);
	polys = feed_alloc(d, (npoly + 1) * sizeof *polys);
	circs = feed_alloc(d, (ncirc + 1) * sizeof *circs);
	desc = feed_alloc(d, desclen + 1);
	desclen = 0;
	for (a = first_of(areav); a != NULL;
	     a = cJSON_IsArray(areav) ? a->next : NULL) {
		const char *s = feed_get_str(a, "areaDesc");
		const cJSON *pv = feed_get(a, "polygon"), *p;
		const cJSON *cv = feed_get(a, "circle"),
		            *gv = feed_get(a, "geocode");

		for (p = first_of(gv); p != NULL && !cJSON_IsNull(gv);
		     p = cJSON_IsArray(gv) ? p->next : NULL) {
			if (geocode_pair(d, p, &geos[info->ngeocodes]) == 0)
				info->ngeocodes++;
		}
		for (p = first_of(cv); p != NULL && !cJSON_IsNull(cv);
		     p = cJSON_IsArray(cv) ? p->next : NULL) {
			if (!cJSON_IsString(p) ||
			    feed_cap_circle(p->valuestring,
			                    strlen(p->valuestring),
			                    &circs[info->ncircles]) != 0)
				feed_skip(d, FEED_REJECT_BAD_VALUE);
			else
				info->ncircles++;
		}

		if (s != NULL && s[0] != '\0') {
			if (desclen > 0) {
				memcpy(desc + desclen, "; ", 2);
				desclen += 2;
			}
			memcpy(desc + desclen, s, strlen(s));
			desclen += strlen(s);
		}
		if (pv == NULL || cJSON_IsNull(pv))
			continue;
		for (p = first_of(pv); p != NULL;
		     p = cJSON_IsArray(pv) ? p->next : NULL) {
			if (!cJSON_IsString(p) ||
			    feed_cap_polygon(d, p->valuestring,
			                     &polys[info->npolygons]) != 0)
				feed_skip(d, FEED_REJECT_BAD_VALUE);
			else
				info->npolygons++;
		}
	}
	info->polygons = polys;
	info->circles = circs;
	info->geocodes = geos;
	info->area_desc = desclen > 0 ? feed_text(d, desc, desclen) : NULL;
}

static enum feed_reject
info(struct feed_decoder *d, const cJSON *o, struct feed_cap_info *info)
{
	const cJSON *cat = feed_get(o, "category"), *exp;
	enum feed_reject why;
	int e;

	if (!cJSON_IsObject(o))
		return FEED_REJECT_WRONG_TYPE;
	memset(info, 0, sizeof *info);
	cat = first_of(cat);
	if (cJSON_IsString(cat) && cat->valuestring[0] != '\0')
		info->category =
		    feed_text(d, cat->valuestring, strlen(cat->valuestring));
	info->event = feed_get_text(d, o, "event");
	if ((why = cap_enum(o, "urgency", FEED_CAP_E_URGENCY, 1, &e)) !=
	    FEED_REJECT_NONE)
		return why;
	info->urgency = (enum feed_cap_urgency)e;
	if ((why = cap_enum(o, "severity", FEED_CAP_E_SEVERITY, 1, &e)) !=
	    FEED_REJECT_NONE)
		return why;
	info->severity = (enum feed_cap_severity)e;
	if ((why = cap_enum(o, "certainty", FEED_CAP_E_CERTAINTY, 1, &e)) !=
	    FEED_REJECT_NONE)
		return why;
	info->certainty = (enum feed_cap_certainty)e;
	info->headline = feed_get_text(d, o, "headline");
	info->description = feed_get_text(d, o, "description");
	exp = feed_get(o, "expires");
	if (feed_time(d, exp, &info->expires_ms) < 0 ||
	    feed_time(d, feed_get(o, "onset"), &info->onset_ms) < 0 ||
	    feed_time(d, feed_get(o, "effective"), &info->effective_ms) < 0)
		return FEED_REJECT_BAD_TIME;
	areas(d, feed_get(o, "area"), info);
	return FEED_REJECT_NONE;
}

static enum feed_reject
alert(struct feed_decoder *d, const cJSON *o)
{
	struct feed_event ev;
	struct feed_cap *c = &ev.u.cap;
	const cJSON *wrapped = feed_get(o, "alert"), *infov, *i;
	const char *mt = "msgType";
	struct feed_cap_info *infos;
	int e, rc;

	if (cJSON_IsObject(wrapped))
		o = wrapped;
	if (!cJSON_IsObject(o))
		return FEED_REJECT_WRONG_TYPE;
	memset(&ev, 0, sizeof ev);
	ev.type = FEED_EV_CAP;
	ev.format = FEED_FORMAT_CAP;
	FEED_TRY(feed_get_ident(d, o, "identifier", &c->identifier));
	FEED_TRY(feed_get_ident(d, o, "sender", &c->sender));
	rc = feed_time(d, feed_get(o, "sent"), &c->sent_ms);
	if (rc != 0)
		return rc > 0 ? FEED_REJECT_MISSING_FIELD
		              : FEED_REJECT_BAD_TIME;
	FEED_TRY(cap_enum(o, "status", FEED_CAP_E_STATUS, 0, &e));
	c->status = (enum feed_cap_status)e;
	ev.exercise = c->status == FEED_CAP_STATUS_EXERCISE;
	if (feed_get(o, mt) == NULL)
		mt = "messageType";
	FEED_TRY(cap_enum(o, mt, FEED_CAP_E_MSGTYPE, 0, &e));
	c->msg_type = (enum feed_cap_msgtype)e;
	FEED_TRY(cap_enum(o, "scope", FEED_CAP_E_SCOPE, 1, &e));
	c->scope = (enum feed_cap_scope)e;
	c->references = feed_get_text(d, o, "references");

	infov = feed_get(o, "info");
	c->ninfo = count_items(infov);
	infos = feed_alloc(d, (c->ninfo + 1) * sizeof *infos);
	c->ninfo = 0;
	for (i = first_of(infov); i != NULL && !cJSON_IsNull(infov);
	     i = cJSON_IsArray(infov) ? i->next : NULL)
		FEED_TRY(info(d, i, &infos[c->ninfo++]));
	c->info = infos;
	feed_emit(d, &ev);
	return FEED_REJECT_NONE;
}

enum feed_reject
feed_cap_tree(struct feed_decoder *d, const cJSON *root)
{
	if (!cJSON_IsArray(root))
		return alert(d, root);
	feed_each(d, root, alert);
	return FEED_REJECT_NONE;
}
