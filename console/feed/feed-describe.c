/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * One line per event, every field named: what logs, tests and the fuzz
 * differential compare. Doubles print with %.17g so equal text means equal
 * values (up to the sign of zero, which %g also keeps).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "cityops/feed/feed.h"
#include "cityops/core/text.h"

struct out {
	char *p;
	size_t size, len;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->size ? o->p + o->len : NULL,
	              o->len < o->size ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void
str(struct out *o, const char *name, const char *s)
{
	if (s != NULL)
		put(o, " %s=\"%s\"", name, s);
}

static void
num(struct out *o, const char *name, double v)
{
	if (v == v)
		put(o, " %s=%.17g", name, v);
}

static void
ts(struct out *o, const char *name, int64_t ms)
{
	if (ms != 0)
		put(o, " %s=%" PRId64, name, ms);
}

static void
cap(struct out *o, const struct feed_cap *c)
{
	str(o, "identifier", c->identifier);
	str(o, "sender", c->sender);
	ts(o, "sent", c->sent_ms);
	put(o, " status=%s msgType=%s scope=%s",
	    feed_cap_status_name(c->status), feed_cap_msgtype_name(c->msg_type),
	    feed_cap_scope_name(c->scope));
	for (size_t i = 0; i < c->ninfo; i++) {
		const struct feed_cap_info *in = &c->info[i];

		put(o, " | info");
		str(o, "language", in->language);
		str(o, "category", in->category);
		str(o, "event", in->event);
		put(o, " urgency=%s severity=%s certainty=%s",
		    feed_cap_urgency_name(in->urgency),
		    feed_cap_severity_name(in->severity),
		    feed_cap_certainty_name(in->certainty));
		str(o, "headline", in->headline);
		str(o, "description", in->description);
		str(o, "area", in->area_desc);
		ts(o, "expires", in->expires_ms);
		for (size_t p = 0; p < in->npolygons; p++) {
			put(o, " polygon=");
			for (size_t k = 0; k < in->polygons[p].npoints; k++)
				put(o, "%s%.17g,%.17g", k ? " " : "",
				    in->polygons[p].pts[2 * k],
				    in->polygons[p].pts[2 * k + 1]);
		}
		for (size_t k = 0; k < in->ncircles; k++)
			put(o, " circle=%.17g,%.17g %.17g", in->circles[k].lat,
			    in->circles[k].lon, in->circles[k].radius_km);
		for (size_t k = 0; k < in->ngeocodes; k++)
			put(o, " geocode=\"%s\":\"%s\"", in->geocodes[k].name,
			    in->geocodes[k].value);
		for (size_t k = 0; k < in->nparams; k++)
			put(o, " parameter=\"%s\":\"%s\"", in->params[k].name,
			    in->params[k].value);
	}
	for (size_t i = 0; i < c->nrefs; i++) {
		put(o, " | ref");
		str(o, "sender", c->refs[i].sender);
		str(o, "identifier", c->refs[i].identifier);
		ts(o, "sent", c->refs[i].sent_ms);
	}
}

size_t
feed_event_describe(const struct feed_event *ev, char *p, size_t size)
{
	struct out o = {p, size, 0};

	if (size > 0)
		p[0] = '\0';
	put(&o, "%s", feed_event_name(ev->type));
	if (ev->exercise)
		put(&o, " exercise");
	switch (ev->type) {
	case FEED_EV_READING:
		str(&o, "key", ev->u.reading.key);
		str(&o, "entity", ev->u.reading.entity_id);
		str(&o, "etype", ev->u.reading.entity_type);
		str(&o, "attr", ev->u.reading.attr);
		num(&o, "v", ev->u.reading.value);
		ts(&o, "ts", ev->u.reading.ts_ms);
		str(&o, "unit", ev->u.reading.unit);
		break;
	case FEED_EV_ALARM:
		str(&o, "key", ev->u.alarm.key);
		put(&o, " level=%s%s", feed_level_name(ev->u.alarm.level),
		    ev->u.alarm.cleared ? " cleared" : "");
		num(&o, "v", ev->u.alarm.value);
		str(&o, "msg", ev->u.alarm.message);
		ts(&o, "ts", ev->u.alarm.ts_ms);
		break;
	case FEED_EV_INCIDENT:
		str(&o, "src", ev->u.incident.source);
		str(&o, "cat", ev->u.incident.category);
		put(&o, " pri=%d", ev->u.incident.priority);
		str(&o, "title", ev->u.incident.title);
		str(&o, "desc", ev->u.incident.description);
		str(&o, "reg", ev->u.incident.region);
		str(&o, "loc", ev->u.incident.location);
		num(&o, "lat", ev->u.incident.lat);
		num(&o, "lon", ev->u.incident.lon);
		str(&o, "dk", ev->u.incident.dedup_key);
		ts(&o, "ts", ev->u.incident.ts_ms);
		break;
	case FEED_EV_HEARTBEAT:
		str(&o, "feed", ev->u.heartbeat.feed);
		put(&o, " seq=%" PRIu64, ev->u.heartbeat.seq);
		ts(&o, "ts", ev->u.heartbeat.ts_ms);
		break;
	case FEED_EV_CAP:
		cap(&o, &ev->u.cap);
		break;
	case FEED_EV_OPEN311:
		str(&o, "id", ev->u.open311.id);
		str(&o, "status", ev->u.open311.status);
		str(&o, "code", ev->u.open311.service_code);
		str(&o, "name", ev->u.open311.service_name);
		str(&o, "desc", ev->u.open311.description);
		str(&o, "addr", ev->u.open311.address);
		num(&o, "lat", ev->u.open311.lat);
		num(&o, "lon", ev->u.open311.lon);
		ts(&o, "requested", ev->u.open311.requested_ms);
		ts(&o, "updated", ev->u.open311.updated_ms);
		break;
	default:
		break;
	}
	/* Cut by bytes: never leave half a character at the end. */
	if (o.size > 0 && o.len >= o.size)
		o.p[text_utf8_complete(o.p, o.size - 1)] = '\0';
	return o.len;
}
