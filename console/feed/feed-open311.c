/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Open311 GeoReport v2 service requests, as GET requests.json returns them
 * (an array) or one at a time. Each becomes a hotline incident candidate,
 * deduplicated downstream by its service_request_id. Servers differ: ids
 * come as strings or numbers, coordinates as numbers or strings, and any
 * optional field may be null.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "feed-internal.h"

static enum feed_reject
request_id(struct feed_decoder *d, const cJSON *v, const char **out)
{
	char buf[32];

	if (v == NULL || cJSON_IsNull(v))
		return FEED_REJECT_MISSING_FIELD;
	if (cJSON_IsString(v))
		return feed_ident(d, v->valuestring, strlen(v->valuestring),
		                  out);
	if (!cJSON_IsNumber(v))
		return FEED_REJECT_WRONG_TYPE;
	/* Numeric ids must survive as the same text a string id would be. */
	if (!(v->valuedouble >= 0 && v->valuedouble <= 9007199254740992.0) ||
	    v->valuedouble != floor(v->valuedouble))
		return FEED_REJECT_BAD_VALUE;
	snprintf(buf, sizeof buf, "%.0f", v->valuedouble);
	return feed_ident(d, buf, strlen(buf), out);
}

static enum feed_reject
coord(const cJSON *v, double limit, double *out)
{
	int rc = feed_number(v, out);

	if (rc > 0) {
		*out = NAN;
		return FEED_REJECT_NONE;
	}
	/* An empty string is how some servers say null. */
	if (rc < 0 && cJSON_IsString(v) && v->valuestring[0] == '\0') {
		*out = NAN;
		return FEED_REJECT_NONE;
	}
	if (rc < 0 || fabs(*out) > limit)
		return FEED_REJECT_BAD_VALUE;
	return FEED_REJECT_NONE;
}

static enum feed_reject
request(struct feed_decoder *d, const cJSON *o)
{
	struct feed_event ev;
	struct feed_open311 *r = &ev.u.open311;
	enum feed_reject why;

	if (!cJSON_IsObject(o))
		return FEED_REJECT_WRONG_TYPE;
	memset(&ev, 0, sizeof ev);
	ev.type = FEED_EV_OPEN311;
	ev.format = FEED_FORMAT_OPEN311;
	if ((why = request_id(d, feed_get(o, "service_request_id"), &r->id)) !=
	    FEED_REJECT_NONE)
		return why;
	r->status = feed_get_text(d, o, "status");
	r->service_code = feed_get_text(d, o, "service_code");
	r->service_name = feed_get_text(d, o, "service_name");
	r->description = feed_get_text(d, o, "description");
	r->address = feed_get_text(d, o, "address");
	if ((why = coord(feed_get(o, "lat"), 90, &r->lat)) !=
	        FEED_REJECT_NONE ||
	    (why = coord(feed_get(o, "long"), 180, &r->lon)) !=
	        FEED_REJECT_NONE)
		return why;
	if (feed_time(d, feed_get(o, "requested_datetime"), &r->requested_ms) <
	        0 ||
	    feed_time(d, feed_get(o, "updated_datetime"), &r->updated_ms) < 0)
		return FEED_REJECT_BAD_TIME;
	feed_emit(d, &ev);
	return FEED_REJECT_NONE;
}

enum feed_reject
feed_open311_tree(struct feed_decoder *d, const cJSON *root)
{
	if (!cJSON_IsArray(root))
		return request(d, root);
	feed_each(d, root, request);
	return FEED_REJECT_NONE;
}
