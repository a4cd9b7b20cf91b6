/*
 * cityops ingest, the feed side: each decoded event becomes a reading in
 * the batch (ingest-batch.c) or an incident report (native incidents, CAP
 * alerts, NGSI-LD Alerts, Open311 requests), its text cut to what the
 * database stores.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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

/* "environment/flood" → "flood": the finest part names the category. */
static const char *
category_of(const char *c)
{
	const char *s;

	if (c == NULL)
		return NULL;
	s = strrchr(c, '/');
	return s != NULL && s[1] != '\0' ? s + 1 : c;
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

static void
on_cap(struct ingest *in, const struct feed_event *ev)
{
	const struct feed_cap *cap = &ev->u.cap;
	const struct feed_cap_info *info;
	char region[REGION_MAX * 4 + 1] = "", dedup[FEED_ID_MAX + 8];
	double lat = NAN, lon = NAN;
	int pri;

	/* CAP: only Actual (and Exercise, flagged) reach an incident
	 * queue; Test, Draft and System never do. */
	if ((cap->status != FEED_CAP_STATUS_ACTUAL &&
	     cap->status != FEED_CAP_STATUS_EXERCISE) ||
	    (cap->msg_type != FEED_CAP_MSG_ALERT &&
	     cap->msg_type != FEED_CAP_MSG_UPDATE) ||
	    cap->ninfo == 0) {
		in->c.cap_ignored++;
		log_msg(LOG_INFO,
		        "ingest: CAP %s (status %s, %s) not raised: only "
		        "Actual or Exercise alerts and updates are",
		        cap->identifier, feed_cap_status_name(cap->status),
		        feed_cap_msgtype_name(cap->msg_type));
		return;
	}
	info = &cap->info[0];
	if (info->area_desc != NULL) {
		/* The first area names the region; never cut inside a
		 * character (PostgreSQL refuses invalid UTF-8 whole). */
		size_t n =
		    text_prefix(info->area_desc, strcspn(info->area_desc, ";"),
		                REGION_MAX, sizeof region - 1);
		memcpy(region, info->area_desc, n);
		region[n] = '\0';
	}
	if (info->npolygons > 0 && info->polygons[0].npoints > 0) {
		const struct feed_polygon *p = &info->polygons[0];
		double sl = 0, so = 0;
		for (size_t i = 0; i < p->npoints; i++) {
			sl += p->pts[2 * i];
			so += p->pts[2 * i + 1];
		}
		lat = sl / (double)p->npoints;
		lon = so / (double)p->npoints;
	}
	switch (info->severity) {
	case FEED_CAP_SEVERITY_EXTREME:
		pri = 1;
		break;
	case FEED_CAP_SEVERITY_SEVERE:
		pri = 2;
		break;
	case FEED_CAP_SEVERITY_MINOR:
		pri = 4;
		break;
	default:
		pri = 3;
		break;
	}
	snprintf(dedup, sizeof dedup, "cap:%s", cap->identifier);
	raise_incident(in, "sensor", cap_category(info), pri,
	               region[0] ? region : NULL,
	               info->headline ? info->headline : info->event,
	               info->description, info->area_desc, lat, lon, dedup,
	               ev->exercise || cap->status == FEED_CAP_STATUS_EXERCISE,
	               ev->format, cap->sent_ms);
}

static void
add_reading(struct ingest *in, const struct feed_event *ev)
{
	const struct feed_reading *r = &ev->u.reading;
	const char *key;
	int64_t ms = r->ts_ms > 0 ? r->ts_ms : feed_wall_ms();
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	in->c.readings++;
	if (ev->exercise) {
		in->c.exercise++;
		return;
	}
	if ((key = feed_map_lookup(in->map, r)) == NULL) {
		in->c.unmapped++;
		return;
	}
	gmtime_r(&s, &tm);
	buf_add(&in->keys, in->nbatch ? "," : "{", 1);
	buf_add(&in->vals, in->nbatch ? "," : "{", 1);
	buf_add(&in->ats, in->nbatch ? "," : "{", 1);
	/* Array literal elements: quoted, with " and \ escaped. */
	buf_add(&in->keys, "\"", 1);
	for (const char *p = key; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_add(&in->keys, "\\", 1);
		buf_add(&in->keys, p, 1);
	}
	buf_add(&in->keys, "\"", 1);
	buf_printf(&in->vals, "%.17g", r->value);
	buf_printf(&in->ats, "\"%04d-%02d-%02d %02d:%02d:%02d.%03d+00\"",
	           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	           tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	if (++in->nbatch >= in->batch_max)
		ingest_flush(in);
	else
		loop_timer_start_if_idle(in->flush_timer, in->flush_ms);
}

static void
on_open311(struct ingest *in, const struct feed_event *ev)
{
	const struct feed_open311 *r = &ev->u.open311;
	char dedup[FEED_ID_MAX + 16];
	const char *title;

	if (r->status != NULL && strcasecmp(r->status, "open") != 0) {
		in->c.closed311++;
		return;
	}
	snprintf(dedup, sizeof dedup, "open311:%s", r->id);
	title = r->service_name   ? r->service_name
	        : r->service_code ? r->service_code
	                          : "12345 热线工单";
	raise_incident(in, "12345", r->service_code, 3, NULL, title,
	               r->description, r->address, r->lat, r->lon, dedup,
	               ev->exercise, ev->format,
	               r->updated_ms ? r->updated_ms : r->requested_ms);
}

static void
on_event(void *arg, struct feed_client *fc, const struct feed_event *ev,
         uint64_t pos)
{
	ingest_event(arg, ev);
}

void
ingest_event(struct ingest *in, const struct feed_event *ev)
{
	if (in->stopping)
		return;
	switch (ev->type) {
	case FEED_EV_READING:
		add_reading(in, ev);
		break;
	case FEED_EV_INCIDENT: {
		const struct feed_incident *i = &ev->u.incident;
		raise_incident(in, i->source, category_of(i->category),
		               i->priority, i->region, i->title, i->description,
		               i->location, i->lat, i->lon, i->dedup_key,
		               ev->exercise, ev->format, i->ts_ms);
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
}
