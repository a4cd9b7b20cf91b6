/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* CAP 1.2 XML from the decoded model (cap-xml.h). */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "cityops/feed/cap-xml.h"

void
xml_escape(struct buf *out, const char *s)
{
	for (; s != NULL && *s; s++) {
		switch (*s) {
		case '&':
			buf_adds(out, "&amp;");
			break;
		case '<':
			buf_adds(out, "&lt;");
			break;
		case '>':
			buf_adds(out, "&gt;");
			break;
		case '"':
			buf_adds(out, "&quot;");
			break;
		default:
			buf_add(out, s, 1);
		}
	}
}

void
xml_time(struct buf *out, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
	           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (ms % 1000 != 0)
		buf_printf(out, ".%03d", (int)(ms % 1000));
	buf_adds(out, "Z");
}

static void
el(struct buf *out, const char *indent, const char *name, const char *text)
{
	if (text == NULL)
		return;
	buf_printf(out, "%s<%s>", indent, name);
	xml_escape(out, text);
	buf_printf(out, "</%s>\n", name);
}

static void
pair(struct buf *out, const char *indent, const char *name,
     const struct feed_pair *p)
{
	buf_printf(out, "%s<%s><valueName>", indent, name);
	xml_escape(out, p->name);
	buf_adds(out, "</valueName><value>");
	xml_escape(out, p->value);
	buf_printf(out, "</value></%s>\n", name);
}

static void
area(struct buf *out, const struct feed_cap_info *in)
{
	buf_adds(out, "    <area>\n");
	el(out, "      ", "areaDesc", in->area_desc ? in->area_desc : "");
	for (size_t i = 0; i < in->npolygons; i++) {
		buf_adds(out, "      <polygon>");
		for (size_t k = 0; k < in->polygons[i].npoints; k++)
			buf_printf(out, "%s%.6f,%.6f", k ? " " : "",
			           in->polygons[i].pts[2 * k],
			           in->polygons[i].pts[2 * k + 1]);
		buf_adds(out, "</polygon>\n");
	}
	for (size_t i = 0; i < in->ncircles; i++)
		buf_printf(out, "      <circle>%.6f,%.6f %.3f</circle>\n",
		           in->circles[i].lat, in->circles[i].lon,
		           in->circles[i].radius_km);
	for (size_t i = 0; i < in->ngeocodes; i++)
		pair(out, "      ", "geocode", &in->geocodes[i]);
	buf_adds(out, "    </area>\n");
}

static void
info(struct buf *out, const struct feed_cap_info *in)
{
	buf_adds(out, "  <info>\n");
	el(out, "    ", "language", in->language);
	el(out, "    ", "category", in->category ? in->category : "Other");
	el(out, "    ", "event", in->event ? in->event : "");
	el(out, "    ", "urgency", feed_cap_urgency_name(in->urgency));
	el(out, "    ", "severity", feed_cap_severity_name(in->severity));
	el(out, "    ", "certainty", feed_cap_certainty_name(in->certainty));
	if (in->expires_ms != 0) {
		buf_adds(out, "    <expires>");
		xml_time(out, in->expires_ms);
		buf_adds(out, "</expires>\n");
	}
	el(out, "    ", "headline", in->headline);
	el(out, "    ", "description", in->description);
	for (size_t i = 0; i < in->nparams; i++)
		pair(out, "    ", "parameter", &in->params[i]);
	area(out, in);
	buf_adds(out, "  </info>\n");
}

void
cap_xml_write(struct buf *out, const struct feed_cap *c)
{
	buf_adds(out,
	         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	         "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n");
	el(out, "  ", "identifier", c->identifier);
	el(out, "  ", "sender", c->sender);
	buf_adds(out, "  <sent>");
	xml_time(out, c->sent_ms);
	buf_adds(out, "</sent>\n");
	el(out, "  ", "status", feed_cap_status_name(c->status));
	el(out, "  ", "msgType", feed_cap_msgtype_name(c->msg_type));
	el(out, "  ", "scope",
	   c->scope != FEED_CAP_SCOPE_NONE ? feed_cap_scope_name(c->scope)
	                                   : "Public");
	if (c->nrefs > 0) {
		buf_adds(out, "  <references>");
		for (size_t i = 0; i < c->nrefs; i++) {
			buf_printf(out, "%s", i ? " " : "");
			xml_escape(out, c->refs[i].sender);
			buf_adds(out, ",");
			xml_escape(out, c->refs[i].identifier);
			buf_adds(out, ",");
			xml_time(out, c->refs[i].sent_ms);
		}
		buf_adds(out, "</references>\n");
	}
	for (size_t i = 0; i < c->ninfo; i++)
		info(out, &c->info[i]);
	buf_adds(out, "</alert>\n");
}
