/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest, the feed side: each decoded event becomes a reading in
 * the batch (ingest-batch.c) or an incident report (native incidents, CAP
 * alerts, NGSI-LD Alerts, Open311 requests), its text cut to what the
 * database stores. Each reading is judged once (feed_judge: mapped, not
 * from the future, in the indicator's unit) and what is refused is
 * counted and logged with its reason; unmapped attributes are logged
 * rate-limited and noted for `feed unmapped` (docs/ingest.md).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cityops/feed/feed-unit.h"
#include "ingest-internal.h"

static void
fmt_double(char *out, size_t outsz, double v)
{
	if (isnan(v))
		out[0] = '\0';
	else
		snprintf(out, outsz, "%.17g", v);
}

/* Cuts s into buf to max characters; NULL stays NULL. */
static const char *
fit(struct ingest *in, const char *s, size_t max, char *buf, size_t bufsz)
{
	if (s == NULL)
		return NULL;
	if (text_truncate(s, max, buf, bufsz))
		in->c.truncated++;
	return buf;
}

/*
 * One incident report, sent after the readings that came before it.
 * fmt and sent_ms (the message's own time, 0 when it has none) identify
 * the source message together with its content: the database stores each
 * such message once, so a replay after a restart changes nothing
 * (migration 015).
 */
static void
raise_incident(struct ingest *in, const char *source, const char *category,
               int priority, const char *region, const char *title,
               const char *desc, const char *location, double lat, double lon,
               const char *dedup, int exercise, enum feed_format fmt,
               int64_t sent_ms)
{
	char pri[8], la[40], lo[40], msg[48];
	char tbuf[TITLE_MAX * 4 + 1], lbuf[LOCATION_MAX * 4 + 1],
	    rbuf[REGION_MAX * 4 + 1];
	static char dbuf[DESC_MAX * 4 + 1];
	const char *params[12];

	ingest_flush(in);
	title = fit(in, title && *title ? title : "（无标题）", TITLE_MAX, tbuf,
	            sizeof tbuf);
	desc = fit(in, desc, DESC_MAX, dbuf, sizeof dbuf);
	location = fit(in, location, LOCATION_MAX, lbuf, sizeof lbuf);
	if (region != NULL) {
		/* A name cut short names nothing: no ellipsis. */
		size_t n = text_prefix(region, strlen(region), REGION_MAX,
		                       sizeof rbuf - 1);
		memcpy(rbuf, region, n);
		rbuf[n] = '\0';
		region = rbuf;
	}
	snprintf(msg, sizeof msg, "%s|%" PRId64, feed_format_name(fmt),
	         sent_ms);
	snprintf(pri, sizeof pri, "%d",
	         priority >= 1 && priority <= 4 ? priority : 3);
	fmt_double(la, sizeof la, lat);
	fmt_double(lo, sizeof lo, lon);
	if (isnan(lat) || isnan(lon))
		la[0] = lo[0] = '\0';
	params[0] = source ? source : "sensor";
	params[1] = category ? category : "city_mgmt";
	params[2] = pri;
	params[3] = region;
	params[4] = title;
	params[5] = desc;
	params[6] = location;
	params[7] = la[0] ? la : NULL;
	params[8] = lo[0] ? lo : NULL;
	params[9] = dedup;
	params[10] = exercise ? "true" : "false";
	params[11] = msg;
	in->submitted++;
	db_async_submit(in->db, Q_FEED_INCIDENT, 12, params,
	                ingest_incident_done, in);
	ingest_checkpoint(in);
	ingest_pace(in);
}

static const char *
cap_category(const struct feed_cap_info *info)
{
	static const struct {
		const char *cap, *ours;
	} table[] = {
	    {"Met", "typhoon"},         {"Geo", "building"},
	    {"Safety", "public_order"}, {"Security", "public_order"},
	    {"Rescue", "public_order"}, {"Fire", "fire"},
	    {"Health", "medical"},      {"Env", "pollution"},
	    {"Transport", "traffic"},   {"Infra", "power"},
	    {"CBRNE", "gas"},           {"Other", "city_mgmt"},
	};
	const char *text[] = {info->event, info->headline};

	/* Rain, floods and tides are 防汛, whatever the CAP category. */
	for (size_t i = 0; i < 2; i++)
		if (text[i] != NULL &&
		    (strstr(text[i], "暴雨") || strstr(text[i], "内涝") ||
		     strstr(text[i], "积水") || strstr(text[i], "风暴潮") ||
		     strstr(text[i], "洪")))
			return "flood";
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (info->category != NULL &&
		    strcasecmp(info->category, table[i].cap) == 0)
			return table[i].ours;
	return "city_mgmt";
}

/*
 * The region of a CAP info from its GB/T 2260 geocodes: the longest code
 * prefix (12-digit village, 9-digit street, 6-digit district) that every
 * geocode shares, or the province-level city ("31" → "310000") when they
 * span districts. One alert stays one incident at that level, its areas
 * listed in the location: CAP Update and Cancel name the alert, not its
 * districts, so one incident keeps one timeline (docs/ingest.md, "Place").
 */
static int
cap_geocode_region(const struct feed_cap_info *info, char *out, size_t outsz)
{
	static const size_t levels[] = {12, 9, 6, 2};
	const char *first = NULL;

	for (size_t i = 0; i < info->ngeocodes; i++) {
		const char *g = info->geocodes[i].value;
		size_t n = strlen(g);
		if ((n != 6 && n != 12) || strspn(g, "0123456789") != n)
			continue;
		first = g;
		break;
	}
	if (first == NULL || outsz < 13)
		return -1;
	for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
		size_t k = levels[l];
		int all = strlen(first) >= k;

		for (size_t i = 0; all && i < info->ngeocodes; i++) {
			const char *g = info->geocodes[i].value;
			if (strspn(g, "0123456789") == strlen(g) &&
			    (strlen(g) < k || strncmp(g, first, k) != 0))
				all = 0;
		}
		if (!all)
			continue;
		memcpy(out, first, k);
		out[k] = '\0';
		if (k == 2)
			strcpy(out + 2, "0000");
		return 0;
	}
	return -1;
}

/* The centre of the first polygon, else of the first circle, or NAN. */
static void
cap_centre(const struct feed_cap_info *info, double *lat, double *lon)
{
	const struct feed_polygon *p;
	double sl = 0, so = 0;

	*lat = *lon = NAN;
	if (info->npolygons == 0 && info->ncircles > 0) {
		*lat = info->circles[0].lat;
		*lon = info->circles[0].lon;
		return;
	}
	if (info->npolygons == 0 || info->polygons[0].npoints < 2)
		return;
	p = &info->polygons[0];
	/* The ring is closed: the last point repeats the first. */
	for (size_t i = 0; i + 1 < p->npoints; i++) {
		sl += p->pts[2 * i];
		so += p->pts[2 * i + 1];
	}
	*lat = sl / (double)(p->npoints - 1);
	*lon = so / (double)(p->npoints - 1);
}

/* Sends a source's later word on the incident keyed dedup. */
static void
source_update(struct ingest *in, const char *dedup, const char *kind,
              const char *note, int exercise, enum feed_format fmt,
              int64_t sent_ms)
{
	char msg[48], nbuf[DESC_MAX * 4 + 1];
	const char *params[5];

	ingest_flush(in);
	snprintf(msg, sizeof msg, "%s|%" PRId64, feed_format_name(fmt),
	         sent_ms);
	params[0] = dedup;
	params[1] = kind;
	params[2] = fit(in, note, DESC_MAX, nbuf, sizeof nbuf);
	params[3] = exercise ? "true" : "false";
	params[4] = msg;
	in->c.source_updates++;
	in->submitted++;
	db_async_submit(in->db, Q_FEED_INCIDENT_UPDATE, 5, params,
	                ingest_update_done, in);
	ingest_checkpoint(in);
	ingest_pace(in);
}

/* An alert's priority from its severity: Extreme 1 … Minor 4. */
static int
cap_priority(const struct feed_cap_info *info)
{
	switch (info->severity) {
	case FEED_CAP_SEVERITY_EXTREME:
		return 1;
	case FEED_CAP_SEVERITY_SEVERE:
		return 2;
	case FEED_CAP_SEVERITY_MINOR:
		return 4;
	default:
		return 3;
	}
}

/*
 * CAP Update: the referenced alert's incident takes the update's
 * priority, area and expiry (feed_incident_revise: one timeline row per
 * field that changed).
 */
static void
cap_revise(struct ingest *in, const struct feed_event *ev, const char *dedup)
{
	const struct feed_cap *cap = &ev->u.cap;
	const struct feed_cap_info *info = &cap->info[0];
	char pri[4], lat[32], lon[32], exp[40], msg[48], area[DESC_MAX * 4 + 1];
	const char *params[8];
	double la = NAN, lo = NAN;

	ingest_flush(in); /* the readings before it go first */
	cap_centre(info, &la, &lo);
	snprintf(pri, sizeof pri, "%d", cap_priority(info));
	snprintf(lat, sizeof lat, "%.6f", la);
	snprintf(lon, sizeof lon, "%.6f", lo);
	snprintf(exp, sizeof exp, "%" PRId64, info->expires_ms);
	snprintf(msg, sizeof msg, "%s|%" PRId64, feed_format_name(ev->format),
	         cap->sent_ms);
	params[0] = dedup;
	params[1] = ev->exercise || cap->status == FEED_CAP_STATUS_EXERCISE
	                ? "true"
	                : "false";
	params[2] = info->severity == FEED_CAP_SEVERITY_UNKNOWN ? NULL : pri;
	params[3] = info->area_desc
	                ? fit(in, info->area_desc, DESC_MAX, area, sizeof area)
	                : NULL;
	params[4] = isnan(la) || isnan(lo) ? NULL : lat;
	params[5] = isnan(la) || isnan(lo) ? NULL : lon;
	params[6] = NULL;
	if (info->expires_ms > 0) {
		time_t t = (time_t)(info->expires_ms / 1000);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(exp, sizeof exp, "%Y-%m-%d %H:%M:%S+00", &tm);
		params[6] = exp;
	}
	params[7] = msg;
	in->submitted++;
	db_async_submit(in->db, Q_FEED_INCIDENT_REVISE, 8, params,
	                ingest_revise_done, in);
}

/* CAP Update/Cancel: each "sender,identifier,sent" reference. */
static void
cap_references(struct ingest *in, const struct feed_event *ev)
{
	const struct feed_cap *cap = &ev->u.cap;
	const struct feed_cap_info *info = cap->ninfo ? &cap->info[0] : NULL;
	int cancel = cap->msg_type == FEED_CAP_MSG_CANCEL;
	const char *p = cap->references;
	char note[1024];

	size_t hl =
	    info && info->headline
	        ? text_prefix(info->headline, strlen(info->headline), 120, 480)
	        : 0;

	snprintf(note, sizeof note, "CAP %s %s%s%.*s%s%s",
	         feed_cap_msgtype_name(cap->msg_type), cap->identifier,
	         hl ? ": " : "", (int)hl, hl ? info->headline : "",
	         info ? "；严重程度 " : "",
	         info ? feed_cap_severity_name(info->severity) : "");
	while (p != NULL && *p != '\0') {
		const char *end = p + strcspn(p, " "), *c1, *c2;
		char dedup[FEED_ID_MAX * 2 + 8];

		c1 = memchr(p, ',', (size_t)(end - p));
		c2 = c1 ? memchr(c1 + 1, ',', (size_t)(end - c1 - 1)) : NULL;
		/* The alert's key, as on_cap makes it. */
		if (c1 != NULL && c2 != NULL && c2 - c1 - 1 > 0 &&
		    c2 - c1 - 1 <= FEED_ID_MAX && c1 - p <= FEED_ID_MAX) {
			snprintf(dedup, sizeof dedup, "cap:%.*s", (int)(c2 - p),
			         p);
			if (!cancel && cap->ninfo > 0)
				cap_revise(in, ev, dedup);
			source_update(
			    in, dedup, cancel ? "withdraw" : "update", note,
			    ev->exercise ||
			        cap->status == FEED_CAP_STATUS_EXERCISE,
			    ev->format, cap->sent_ms);
		}
		p = end + strspn(end, " ");
	}
}

static void
on_cap(struct ingest *in, const struct feed_event *ev)
{
	const struct feed_cap *cap = &ev->u.cap;
	const struct feed_cap_info *info;
	char region[REGION_MAX * 4 + 1] = "", dedup[FEED_ID_MAX * 2 + 8];
	double lat = NAN, lon = NAN;
	int pri;

	/* CAP: only Actual (and Exercise, flagged) reach an incident
	 * queue; Test, Draft and System never do. */
	if ((cap->status != FEED_CAP_STATUS_ACTUAL &&
	     cap->status != FEED_CAP_STATUS_EXERCISE) ||
	    cap->msg_type == FEED_CAP_MSG_ACK ||
	    cap->msg_type == FEED_CAP_MSG_ERROR ||
	    (cap->ninfo == 0 && cap->msg_type != FEED_CAP_MSG_CANCEL)) {
		in->c.cap_ignored++;
		log_msg(LOG_INFO,
		        "ingest: CAP %s (status %s, %s) not raised: only "
		        "Actual or Exercise alerts, updates and cancels are",
		        cap->identifier, feed_cap_status_name(cap->status),
		        feed_cap_msgtype_name(cap->msg_type));
		return;
	}
	if (cap->msg_type != FEED_CAP_MSG_ALERT && cap->references != NULL) {
		cap_references(in, ev);
		return;
	}
	if (cap->ninfo == 0)
		return;
	info = &cap->info[0];
	if (info->expires_ms > 0 && info->expires_ms < feed_wall_ms()) {
		in->c.expired++;
		log_msg(LOG_INFO,
		        "ingest: CAP %s expired at %" PRId64
		        " (epoch ms); nothing raised",
		        cap->identifier, info->expires_ms);
		return;
	}
	if (cap_geocode_region(info, region, sizeof region) != 0 &&
	    info->area_desc != NULL && info->npolygons == 0 &&
	    info->ncircles == 0) {
		/* Only a description: the first area names the region; never
		 * cut inside a character (PostgreSQL refuses invalid UTF-8). */
		size_t n =
		    text_prefix(info->area_desc, strcspn(info->area_desc, ";"),
		                REGION_MAX, sizeof region - 1);
		memcpy(region, info->area_desc, n);
		region[n] = '\0';
	}
	/* Polygons and circles: placed by containment of their centre. */
	cap_centre(info, &lat, &lon);
	pri = cap_priority(info);
	/* CAP identifiers are unique per sender only: the key is both, as
	 * <references> names an alert (without its sent). */
	snprintf(dedup, sizeof dedup, "cap:%s,%s",
	         cap->sender ? cap->sender : "", cap->identifier);
	raise_incident(in, "sensor", cap_category(info), pri,
	               region[0] ? region : NULL,
	               info->headline ? info->headline : info->event,
	               info->description, info->area_desc, lat, lon, dedup,
	               ev->exercise || cap->status == FEED_CAP_STATUS_EXERCISE,
	               ev->format, cap->sent_ms);
}

/* ---- unmapped attributes: logged and noted, rate-limited ------------- */

#define UNMAPPED_SLOTS    1024
#define UNMAPPED_EVERY_MS 60000

struct unmapped_seen {
	struct {
		char *key; /* "type\tid\tattr" */
		int64_t noted_ms;
		unsigned pending;
	} slot[UNMAPPED_SLOTS];
};

void
ingest_feed_free(struct ingest *in)
{
	if (in->unmapped == NULL)
		return;
	for (size_t i = 0; i < UNMAPPED_SLOTS; i++)
		free(in->unmapped->slot[i].key);
	free(in->unmapped);
	in->unmapped = NULL;
}

static void
note_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	if (err != NULL && err->sqlstate[0] != '\0')
		log_msg(LOG_WARN, "ingest: cannot note unmapped data: %s",
		        err->message ? err->message : "?");
	db_table_free(&t);
	if (in->stopping && ingest_pending(in) == 0)
		ingest_finish_stop(in);
}

static void
unmapped(struct ingest *in, const struct feed_reading *r)
{
	char key[3 * FEED_ID_MAX + 8], seen[16];
	uint32_t h = 2166136261u;
	size_t i;
	int64_t now = feed_wall_ms();

	in->c.unmapped++;
	if (r->entity_id == NULL || r->attr == NULL)
		return;
	if (in->unmapped == NULL)
		in->unmapped = xcalloc(1, sizeof *in->unmapped);
	snprintf(key, sizeof key, "%s\t%s\t%s",
	         r->entity_type ? r->entity_type : "", r->entity_id, r->attr);
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (i = h % UNMAPPED_SLOTS;
	     in->unmapped->slot[i].key != NULL &&
	     strcmp(in->unmapped->slot[i].key, key) != 0;
	     i = (i + 1) % UNMAPPED_SLOTS)
		if (i == (h + UNMAPPED_SLOTS - 1) % UNMAPPED_SLOTS)
			return; /* full: counted only */
	if (in->unmapped->slot[i].key == NULL)
		in->unmapped->slot[i].key = xstrdup(key);
	in->unmapped->slot[i].pending++;
	if (in->unmapped->slot[i].noted_ms != 0 &&
	    now - in->unmapped->slot[i].noted_ms < UNMAPPED_EVERY_MS)
		return;
	log_msg(LOG_WARN,
	        "ingest: unmapped: type %s id %s attribute %s (unit %s), "
	        "%u reading(s); map it with `feed map add`",
	        r->entity_type ? r->entity_type : "?", r->entity_id, r->attr,
	        r->unit ? r->unit : "none", in->unmapped->slot[i].pending);
	snprintf(seen, sizeof seen, "%u", in->unmapped->slot[i].pending);
	{
		const char *params[5] = {r->entity_type ? r->entity_type : "",
		                         r->entity_id, r->attr, r->unit, seen};
		db_async_submit(in->db, Q_UNMAPPED_NOTE, 5, params, note_done,
		                in);
	}
	in->unmapped->slot[i].noted_ms = now;
	in->unmapped->slot[i].pending = 0;
}

/*
 * Two sources giving one indicator different values for the same time:
 * the database keeps the first (readings are keyed by indicator and time),
 * so the conflict is said here, with both sources, not resolved silently.
 * A small table of the latest (indicator, time) per slot is enough: such
 * conflicts come from sources sending the same observation close together.
 */
#define RECENT_SLOTS 4096

struct recent {
	char *indicator, *source;
	int64_t ts;
	double value;
};

static void
check_conflict(struct ingest *in, const struct feed_judged *j,
               const struct feed_reading *r)
{
	static struct recent slot[RECENT_SLOTS];
	const char *src = r->entity_id ? r->entity_id : r->key;
	uint32_t h = 2166136261u;
	struct recent *e;

	if (src == NULL)
		return;
	for (const char *p = j->indicator; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h ^= (uint32_t)(j->ts_ms ^ (j->ts_ms >> 32));
	e = &slot[h % RECENT_SLOTS];
	if (e->indicator != NULL && e->ts == j->ts_ms &&
	    strcmp(e->indicator, j->indicator) == 0) {
		if (e->value != j->value && strcmp(e->source, src) != 0) {
			in->c.conflicts++;
			log_msg(LOG_WARN,
			        "ingest: conflict: %s at %" PRId64
			        " (epoch ms): %.17g from %s, %.17g from %s; "
			        "the first is kept",
			        j->indicator, j->ts_ms, e->value, e->source,
			        j->value, src);
		}
		return;
	}
	free(e->indicator);
	free(e->source);
	e->indicator = xstrdup(j->indicator);
	e->source = xstrdup(src);
	e->ts = j->ts_ms;
	e->value = j->value;
}

/* Swapped coordinates: counted, and logged once per entity in a row. */
static void
note_swapped(struct ingest *in, const struct feed_reading *r,
             const struct feed_judged *j)
{
	static char last[FEED_ID_MAX + 1];
	const char *id = r->entity_id ? r->entity_id : "";

	in->c.swapped++;
	if (strcmp(last, id) == 0)
		return;
	snprintf(last, sizeof last, "%s", id);
	log_msg(LOG_WARN,
	        "ingest: swapped: %s %s gives lat %.6f lon %.6f, which lies "
	        "in the city only with the two swapped; placed in %s",
	        r->entity_type ? r->entity_type : "", id, j->lat, j->lon,
	        j->region ? j->region : "the city");
}

static int
feed_index(const struct ingest *in, const struct feed_client *fc)
{
	for (int i = 0; i < in->nfeeds; i++)
		if (in->fc[i] == fc)
			return i;
	return -1;
}

/* A native reading of a sensor (ingest-sensors.c): 1 when taken. */
static int
sensor_reading(struct ingest *in, const struct feed_reading *r)
{
	int64_t now = feed_wall_ms(), ts = r->ts_ms;

	if (ts <= 0) /* as feed_judge: no time, the arrival's */
		ts = now;
	if (ts > now + in->ahead_ms) {
		if (!ingest_sensor_known(in, r->key))
			return 0;
		in->c.future_time++;
		return 1;
	}
	return ingest_sensor_reading(in, r->key, r->value, ts);
}

static void
add_reading(struct ingest *in, struct feed_client *fc,
            const struct feed_event *ev)
{
	const struct feed_reading *r = &ev->u.reading;
	struct feed_judged j;
	enum feed_reject why;
	int fi;

	in->c.readings++;
	if (ev->exercise) {
		in->c.exercise++;
		return;
	}
	if (r->key != NULL && sensor_reading(in, r))
		return;
	why = feed_judge(in->map, r, feed_wall_ms(), in->ahead_ms, &j);
	if (why == FEED_REJECT_OUT_OF_AREA) {
		in->c.out_of_area++;
		log_msg(LOG_WARN,
		        "ingest: out_of_area: %s %s %s at lat %.6f lon %.6f is "
		        "outside the city's bounds; refused",
		        r->entity_type ? r->entity_type : "",
		        r->entity_id ? r->entity_id : "",
		        r->attr ? r->attr : "", j.lat, j.lon);
		return;
	}
	if (j.swapped)
		note_swapped(in, r, &j);
	if (why == FEED_REJECT_UNMAPPED) {
		unmapped(in, r);
		return;
	}
	if (why == FEED_REJECT_FUTURE_TIME) {
		in->c.future_time++;
		log_msg(LOG_WARN,
		        "ingest: future_time: %s observed at %" PRId64
		        " (epoch ms), more than %" PRId64 " s ahead; refused",
		        j.indicator, r->ts_ms, in->ahead_ms / 1000);
		return;
	}
	if (why == FEED_REJECT_UNIT_MISMATCH) {
		in->c.unit_mismatch++;
		log_msg(
		    LOG_WARN,
		    "ingest: unit_mismatch: %s %s %s sends %s, indicator %s "
		    "is in %s; refused",
		    r->entity_type ? r->entity_type : "", r->entity_id ?: "",
		    r->attr ?: "", j.from, j.indicator, j.to);
		return;
	}
	if (j.from != NULL && j.to != NULL && strcasecmp(j.from, j.to) != 0)
		in->c.converted++;
	if (r->ts_src == FEED_TIME_NONE) {
		in->c.arrival_time++;
		fi = feed_index(in, fc);
		if (fi >= 0 && !in->arrival_logged[fi]) {
			in->arrival_logged[fi] = 1;
			log_msg(LOG_WARN,
			        "ingest: %s sends readings without an "
			        "observation time; the arrival time is used "
			        "(said once per feed)",
			        in->urls[fi]);
		}
	}
	check_conflict(in, &j, r);
	ingest_batch_add(in, j.indicator, j.value, j.ts_ms);
}

/*
 * Open311: an open request raises (or merges into) its incident; a closed
 * one raises nothing, and moves the incident it opened, if any (one
 * timeline row; resolved where an officer may). The category comes from
 * service_code and service_name through cityops.source_category.
 */
static void
on_open311(struct ingest *in, const struct feed_event *ev)
{
	const struct feed_open311 *r = &ev->u.open311;
	char dedup[FEED_ID_MAX + 16], cat[512], note[600];
	const char *title;
	size_t n, m;

	snprintf(dedup, sizeof dedup, "open311:%s", r->id);
	if (r->status != NULL && strcasecmp(r->status, "open") != 0) {
		in->c.closed311++;
		n = text_prefix(r->status, strlen(r->status), 100, 400);
		snprintf(note, sizeof note, "Open311 %s: %.*s", r->id, (int)n,
		         r->status);
		source_update(in, dedup, "withdraw", note, ev->exercise,
		              ev->format,
		              r->updated_ms ? r->updated_ms : r->requested_ms);
		return;
	}
	/* Whole characters only: PostgreSQL refuses a cut one. */
	n = text_prefix(r->service_code ? r->service_code : "",
	                r->service_code ? strlen(r->service_code) : 0, 64,
	                sizeof cat / 2 - 1);
	memcpy(cat, r->service_code ? r->service_code : "", n);
	cat[n++] = '/';
	m = text_prefix(r->service_name ? r->service_name : "",
	                r->service_name ? strlen(r->service_name) : 0, 64,
	                sizeof cat - n - 1);
	memcpy(cat + n, r->service_name ? r->service_name : "", m);
	cat[n + m] = '\0';
	title = r->service_name   ? r->service_name
	        : r->service_code ? r->service_code
	                          : "12345 热线工单";
	raise_incident(in, "12345", cat, 3, NULL, title, r->description,
	               r->address, r->lat, r->lon, dedup, ev->exercise,
	               ev->format,
	               r->updated_ms ? r->updated_ms : r->requested_ms);
}

static void
on_event(void *arg, struct feed_client *fc, const struct feed_event *ev,
         uint64_t pos)
{
	ingest_feed_event(arg, fc, ev);
}

void
ingest_feed_event(struct ingest *in, struct feed_client *fc,
                  const struct feed_event *ev)
{
	if (in->stopping)
		return;
	switch (ev->type) {
	case FEED_EV_READING:
		add_reading(in, fc, ev);
		break;
	case FEED_EV_INCIDENT: {
		const struct feed_incident *i = &ev->u.incident;
		raise_incident(in, i->source, i->category, i->priority,
		               i->region, i->title, i->description, i->location,
		               i->lat, i->lon, i->dedup_key, ev->exercise,
		               ev->format, i->ts_ms);
		break;
	}
	case FEED_EV_CAP:
		on_cap(in, ev);
		break;
	case FEED_EV_OPEN311:
		on_open311(in, ev);
		break;
	case FEED_EV_ALARM:
		/* Alarms are the database's to judge, from the readings
		 * with hysteresis; a device's own alarm is only logged. */
		in->c.device_alarms++;
		log_msg(LOG_DEBUG, "ingest: device alarm %s %s%s",
		        ev->u.alarm.key, feed_level_name(ev->u.alarm.level),
		        ev->u.alarm.cleared ? " cleared" : "");
		break;
	default:
		break;
	}
}

static void
on_message(void *arg, struct feed_client *fc, const struct feed_result *res,
           uint64_t next_pos)
{
	struct ingest *in = arg;

	if (in->stopping)
		return;
	for (int i = 0; i < in->nfeeds; i++) {
		if (in->fc[i] != fc)
			continue;
		if (in->committed[i] == FEED_POS_UNKNOWN &&
		    in->reached[i] == FEED_POS_UNKNOWN &&
		    next_pos != FEED_POS_UNKNOWN) {
			/* The first position of a subscription with no
			 * state: nothing of the numbered stream is taken
			 * yet. Saved at once, so that a kill before the first
			 * checkpoint resumes here, not at the live position
			 * (which would lose what came in between). */
			in->committed[i] = next_pos;
			in->state_dirty = 1;
			ingest_state_save(in);
		}
		in->reached[i] = next_pos;
	}
	/* Every message leads to a checkpoint within flush-ms, even one
	 * that carried no reading (a heartbeat, a rejected message). */
	loop_timer_start_if_idle(in->flush_timer, in->flush_ms);
}

void
ingest_start_feeds(struct ingest *in)
{
	struct feed_client_hooks h;

	memset(&h, 0, sizeof h);
	h.event = on_event;
	h.message = on_message;
	h.arg = in;
	in->feeds_started = 1;
	if (ingest_push_start(in) != 0) {
		log_msg(LOG_ERROR, "ingest: cannot start the push sources");
		in->stopping = 1;
		loop_quit(in->loop);
		return;
	}
	if (ingest_ngsisub_start(in) != 0) {
		in->stopping = 1;
		loop_quit(in->loop);
		return;
	}
	for (int i = 0; i < in->nfeeds; i++) {
		struct feed_client_opts o = in->fopts;
		o.url = in->urls[i];
		/* The committed position goes into the options: the client
		 * connects inside feed_client_new, and a resumable feed
		 * serves a first request without from= from its live
		 * position, losing what was sent while we were down. */
		o.resume = in->resume[i] != FEED_POS_UNKNOWN;
		o.resume_pos = in->resume[i];
		in->reached[i] = in->resume[i];
		in->fc[i] = feed_client_new(loop_lws(in->loop), &o, &h);
		if (in->fc[i] != NULL && in->paused)
			feed_client_pause(in->fc[i], 1);
	}
	ingest_poll_start(in);
}
