/*
 * cityops ingest: feeds into PostgreSQL, on one event loop.
 *
 * Readings are gathered into a batch and sent as one statement
 * (cityops.ingest_readings, idempotent on indicator and time), when the
 * batch is full or a timer runs out. Incidents go one statement each
 * (cityops.feed_incident, merged by dedup key) in arrival order, after
 * the readings that came before them. The asynchronous database queue
 * (db.h) sends one request at a time, in order, and resends these
 * requests after a reconnect; since every one is idempotent, a resend
 * neither loses nor doubles.
 *
 * Exactly-once across restarts comes from stream positions: each feed
 * client numbers messages (heartbeats carry the position). When a batch is
 * sent, the positions reached so far are queued as a checkpoint; when the
 * database has answered every request up to it, the checkpoint is
 * committed to the state file. A restarted ingest asks each feed to resend
 * from its committed position on its very first connect (a first request
 * without a position gets a resumable feed's live position, losing the
 * gap); a subscription with no state commits its first position at once.
 * Readings the database already has are counted as duplicate and ignored;
 * a report it already has (same content and source time, migration 015)
 * is counted as replayed and changes nothing. Memory stays bounded: past a
 * queue depth the feeds are paused (TCP backpressure), never dropped.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cityops/db/db.h"
#include "cityops/feed/feed-client.h"
#include "cityops/feed/feed-map.h"
#include "cityops/feed/feed-run.h"
#include "cityops/feed/feed.h"
#include "cityops/ingest/ingest.h"
#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/opt.h"
#include "cityops/core/text.h"
#include "cityops/core/util.h"

#define MAX_FEEDS      32
#define PAUSE_DEPTH    64 /* requests queued before the feeds pause */
#define RESUME_DEPTH   16
#define STATS_MS       10000
#define STATE_MS       500
#define STOP_GRACE_MS  10000
#define ALARM_CHECK_MS 300

/*
 * What the database stores, in characters (migration 014 checks them):
 * feed text is cut to fit on a character boundary, ending in "…", rather
 * than have the whole report refused.
 */
#define TITLE_MAX    200
#define LOCATION_MAX 200
#define DESC_MAX     4000
/* A region is named by code or name; nothing longer names one. */
#define REGION_MAX 64

/* Counters, declared once: the stats line and the final report. */
#define INGEST_COUNTER_LIST(X)                                                 \
	X(readings, "readings decoded")                                        \
	X(stored, "readings stored")                                           \
	X(duplicate, "readings the database already had")                      \
	X(unknown, "readings of an unknown indicator or a bad value")          \
	X(unmapped, "entity readings with no mapping")                         \
	X(exercise, "exercise readings (never stored)")                        \
	X(refused, "readings in batches the database refused")                 \
	X(raised, "incidents raised")                                          \
	X(merged, "incident reports merged into an open incident")             \
	X(replayed, "incident reports the database already had (a replay)")    \
	X(truncated, "report texts cut to the database's limits")              \
	X(inc_refused, "incident reports the database refused")                \
	X(cap_ignored, "CAP messages not for a real queue or not an alert")    \
	X(closed311, "Open311 requests already closed")                        \
	X(device_alarms, "device alarms (logged, not stored)")                 \
	X(alarm_incidents, "incidents raised from alarm-level alarms")         \
	X(batches, "batches sent")

struct counters {
#define X(name, help) uint64_t name;
	INGEST_COUNTER_LIST(X)
#undef X
};

struct ckpt {
	uint64_t after; /* requests that must be answered first */
	uint64_t pos[MAX_FEEDS];
};

struct ingest {
	struct loop *loop;
	struct db_async *db;
	struct feed_sigwatch *sw;
	const char *urls[MAX_FEEDS];
	struct feed_client *fc[MAX_FEEDS];
	int nfeeds, feeds_started;
	struct feed_client_opts fopts;
	uint64_t resume[MAX_FEEDS];
	uint64_t reached[MAX_FEEDS];   /* next position, all queued */
	uint64_t committed[MAX_FEEDS]; /* next position, all answered */
	struct feed_map *map;
	int map_inflight;

	/* The batch being gathered, as PostgreSQL array literals. */
	struct buf keys, vals, ats;
	size_t nbatch, batch_max;
	int flush_ms;
	struct loop_timer *flush_timer;

	uint64_t submitted, answered;
	struct ckpt *ck;
	size_t nck, ck_cap;

	const char *state_path;
	int state_dirty;
	struct loop_timer *state_timer, *stats_timer, *stop_timer, *alarm_timer;
	int alarm_inflight, alarm_again;

	int paused, stopping;
	struct counters c, logged;
};

static void start_feeds(struct ingest *in);
static void finish_stop(struct ingest *in);
static void alarms_done(void *arg, struct db_table *t,
                        const struct db_error *err);

/* ---- state file: "position<TAB>url" per feed ------------------------- */

static void
state_load(struct ingest *in)
{
	FILE *f = fopen(in->state_path, "r");
	char line[4096];

	for (int i = 0; i < in->nfeeds; i++)
		in->resume[i] = in->committed[i] = FEED_POS_UNKNOWN;
	if (f == NULL) {
		if (errno != ENOENT)
			log_msg(LOG_WARN, "ingest: cannot read %s: %s",
			        in->state_path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *tab = strchr(line, '\t'), *nl;
		long long pos;
		if (tab == NULL)
			continue;
		*tab = '\0';
		if ((nl = strchr(tab + 1, '\n')) != NULL)
			*nl = '\0';
		if (opt_parse_int(line, 0, INT64_MAX, &pos) != 0)
			continue;
		for (int i = 0; i < in->nfeeds; i++)
			if (strcmp(in->urls[i], tab + 1) == 0) {
				in->resume[i] = in->committed[i] =
				    (uint64_t)pos;
				log_msg(LOG_INFO,
				        "ingest: %s resumes at position %lld",
				        in->urls[i], pos);
			}
	}
	fclose(f);
}

static void
mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	free(p);
}

/* Written whole to a temporary file, synced, then renamed into place. */
static void
state_save(struct ingest *in)
{
	char *tmp;
	FILE *f;
	int ok;

	if (in->state_path == NULL || !in->state_dirty)
		return;
	tmp = xasprintf("%s.tmp", in->state_path);
	mkdirs(in->state_path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		log_msg(LOG_ERROR, "ingest: cannot write %s: %s", tmp,
		        strerror(errno));
		free(tmp);
		return;
	}
	for (int i = 0; i < in->nfeeds; i++)
		if (in->committed[i] != FEED_POS_UNKNOWN)
			fprintf(f, "%" PRIu64 "\t%s\n", in->committed[i],
			        in->urls[i]);
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, in->state_path) != 0) {
		log_msg(LOG_ERROR, "ingest: cannot save %s: %s", in->state_path,
		        strerror(errno));
		unlink(tmp);
	} else {
		in->state_dirty = 0;
	}
	free(tmp);
}

static void
state_timer_cb(void *arg)
{
	state_save(arg);
}

/* ---- checkpoints ------------------------------------------------------ */

static void
checkpoint(struct ingest *in)
{
	struct ckpt *k;

	if (in->nck == in->ck_cap) {
		in->ck_cap = in->ck_cap ? in->ck_cap * 2 : 16;
		in->ck = xrealloc(in->ck, in->ck_cap * sizeof *in->ck);
	}
	k = &in->ck[in->nck++];
	k->after = in->submitted;
	memcpy(k->pos, in->reached, sizeof k->pos);
}

static void
commit_checkpoints(struct ingest *in)
{
	size_t n = 0;

	while (n < in->nck && in->ck[n].after <= in->answered) {
		for (int i = 0; i < in->nfeeds; i++)
			if (in->ck[n].pos[i] != FEED_POS_UNKNOWN &&
			    in->ck[n].pos[i] != in->committed[i]) {
				in->committed[i] = in->ck[n].pos[i];
				in->state_dirty = 1;
			}
		n++;
	}
	if (n > 0) {
		memmove(in->ck, in->ck + n, (in->nck - n) * sizeof *in->ck);
		in->nck -= n;
	}
	if (in->state_dirty)
		loop_timer_start_if_idle(in->state_timer, STATE_MS);
}

/* ---- backpressure ----------------------------------------------------- */

static void
pace(struct ingest *in)
{
	int depth = db_async_pending(in->db);
	int pause = in->paused ? depth > RESUME_DEPTH : depth >= PAUSE_DEPTH;

	if (pause == in->paused)
		return;
	in->paused = pause;
	log_msg(pause ? LOG_WARN : LOG_INFO,
	        "ingest: %s the feeds (%d requests queued for the database)",
	        pause ? "pausing" : "resuming", depth);
	for (int i = 0; i < in->nfeeds; i++)
		if (in->fc[i] != NULL)
			feed_client_pause(in->fc[i], pause);
}

/* ---- database requests ------------------------------------------------ */

static void
answered(struct ingest *in)
{
	in->answered++;
	commit_checkpoints(in);
	pace(in);
	if (in->stopping && db_async_pending(in->db) == 0)
		finish_stop(in);
}

/*
 * A client-side error (no SQLSTATE) means the request never completed:
 * cancelled at exit or lost with the link. It must not count as answered,
 * or a checkpoint could pass data that was never written.
 */
static int
not_completed(const struct db_error *err)
{
	return err != NULL && err->sqlstate[0] == '\0';
}

static void
readings_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	if (not_completed(err)) {
		log_msg(LOG_WARN,
		        "ingest: a batch was not confirmed (%s); it "
		        "will be resent after a restart",
		        err->message ? err->message : "?");
		return;
	}
	if (err != NULL) {
		/* Not a lost link (those are resent): the statement itself
		 * was refused, so the whole batch was not written. */
		log_msg(LOG_ERROR, "ingest: a batch was refused: %s",
		        err->message ? err->message : "?");
	} else if (t->nrows > 0) {
		in->c.stored +=
		    strtoull(db_get(t, 0, "accepted") ?: "0", NULL, 10);
		in->c.duplicate +=
		    strtoull(db_get(t, 0, "duplicate") ?: "0", NULL, 10);
		in->c.unknown +=
		    strtoull(db_get(t, 0, "unknown") ?: "0", NULL, 10);
	}
	db_table_free(&t);
	answered(in);
}

static void
readings_done_refused(struct ingest *in, size_t n)
{
	in->c.refused += n;
}

struct batch_req {
	struct ingest *in;
	size_t n;
};

static void
batch_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct batch_req *b = arg;
	struct ingest *in = b->in;

	if (err != NULL && !not_completed(err))
		readings_done_refused(in, b->n);
	free(b);
	readings_done(in, t, err);
}

static void
flush(struct ingest *in)
{
	const char *params[3];
	struct batch_req *b;

	loop_timer_stop(in->flush_timer);
	if (in->nbatch == 0)
		return;
	buf_add(&in->keys, "}", 1);
	buf_add(&in->vals, "}", 1);
	buf_add(&in->ats, "}", 1);
	params[0] = in->keys.data;
	params[1] = in->vals.data;
	params[2] = in->ats.data;
	b = xmalloc(sizeof *b);
	b->in = in;
	b->n = in->nbatch;
	in->c.batches++;
	in->submitted++;
	db_async_submit(in->db, Q_INGEST_READINGS, 3, params, batch_done, b);
	buf_reset(&in->keys);
	buf_reset(&in->vals);
	buf_reset(&in->ats);
	in->nbatch = 0;
	checkpoint(in);
	/* Right behind the batch, in the same queue: an alarm that this
	 * batch took to alarm level gets its incident before a later batch
	 * can take it back down (its row keeps only the current level). */
	in->alarm_inflight++;
	db_async_submit(in->db, Q_ALARM_INCIDENTS, 0, NULL, alarms_done, in);
	pace(in);
}

static void
flush_timer_cb(void *arg)
{
	struct ingest *in = arg;

	flush(in);
	/* Positions may have moved with no reading (heartbeats only). */
	checkpoint(in);
	commit_checkpoints(in);
}

static void
incident_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	if (not_completed(err)) {
		log_msg(LOG_WARN,
		        "ingest: an incident report was not confirmed "
		        "(%s); it will be resent after a restart",
		        err->message ? err->message : "?");
		return;
	}
	if (err != NULL) {
		in->c.inc_refused++;
		log_msg(LOG_WARN, "ingest: an incident report was refused: %s",
		        err->message ? err->message : "?");
	} else if (t->nrows > 0) {
		const char *m = db_get(t, 0, "merged"),
		           *r = db_get(t, 0, "replayed");
		const char *what;
		if (r != NULL && strcmp(r, "t") == 0) {
			in->c.replayed++;
			what = "report already stored (a replay); unchanged";
		} else if (m != NULL && strcmp(m, "t") == 0) {
			in->c.merged++;
			what = "merged";
		} else {
			in->c.raised++;
			what = "raised";
		}
		log_msg(LOG_INFO, "ingest: incident %s %s",
		        db_get(t, 0, "ref") ?: "?", what);
	}
	db_table_free(&t);
	answered(in);
}

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

	flush(in);
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
	db_async_submit(in->db, Q_FEED_INCIDENT, 12, params, incident_done, in);
	checkpoint(in);
	pace(in);
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
		flush(in);
	else
		loop_timer_start_if_idle(in->flush_timer, in->flush_ms);
}

static void
on_event(void *arg, struct feed_client *fc, const struct feed_event *ev,
         uint64_t pos)
{
	struct ingest *in = arg;

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
			state_save(in);
		}
		in->reached[i] = next_pos;
	}
	/* Every message leads to a checkpoint within flush-ms, even one
	 * that carried no reading (a heartbeat, a rejected message). */
	loop_timer_start_if_idle(in->flush_timer, in->flush_ms);
}

/* ---- alarms → incidents ----------------------------------------------- */

static void
alarms_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	in->alarm_inflight--;
	if (err != NULL) {
		log_msg(LOG_WARN, "ingest: alarm incidents: %s",
		        err->message ? err->message : "?");
	} else {
		for (int i = 0; i < t->nrows; i++) {
			in->c.alarm_incidents++;
			log_msg(LOG_INFO, "ingest: alarm %s → incident %s%s",
			        db_get(t, i, "alarm") ?: "?",
			        db_get(t, i, "ref") ?: "?",
			        strcmp(db_get(t, i, "merged") ?: "f", "t") == 0
			            ? " (merged)"
			            : "");
		}
	}
	db_table_free(&t);
	if (in->alarm_again && in->alarm_inflight == 0 && !in->stopping) {
		in->alarm_again = 0;
		loop_timer_start_if_idle(in->alarm_timer, ALARM_CHECK_MS);
	}
	if (in->stopping && db_async_pending(in->db) == 0)
		finish_stop(in);
}

static void
alarm_timer_cb(void *arg)
{
	struct ingest *in = arg;

	if (in->alarm_inflight > 0) {
		in->alarm_again = 1;
		return;
	}
	in->alarm_inflight++;
	db_async_submit(in->db, Q_ALARM_INCIDENTS, 0, NULL, alarms_done, in);
}

/* ---- database link and mapping ---------------------------------------- */

static void
mappings_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	in->map_inflight = 0;
	if (err != NULL) {
		log_msg(LOG_ERROR, "ingest: cannot load the entity mapping: %s",
		        err->message ? err->message : "?");
	} else {
		feed_map_clear(in->map);
		for (int i = 0; i < t->nrows; i++) {
			const char *ty = db_get(t, i, "entity_type"),
			           *id = db_get(t, i, "entity_id"),
			           *at = db_get(t, i, "attribute"),
			           *ind = db_get(t, i, "indicator_id");
			if (ty && at && ind)
				feed_map_add(in->map, ty, id, at, ind);
		}
		log_msg(LOG_INFO, "ingest: entity mapping loaded, %zu rows",
		        feed_map_count(in->map));
	}
	db_table_free(&t);
	/* Feeds start once the mapping is there, so that no entity
	 * reading arrives before it can be placed. */
	if (!in->feeds_started && !in->stopping)
		start_feeds(in);
}

static void
load_mappings(struct ingest *in)
{
	if (in->map_inflight)
		return;
	in->map_inflight = 1;
	db_async_submit(in->db, Q_ENTITY_MAPPINGS, 0, NULL, mappings_done, in);
}

static void
on_link(void *arg, enum db_link link, const char *why)
{
	struct ingest *in = arg;

	if (link == DB_LINK_UP) {
		log_msg(LOG_INFO, "ingest: database up");
		load_mappings(in);
		loop_timer_start_if_idle(in->alarm_timer, ALARM_CHECK_MS);
	} else if (link == DB_LINK_DOWN) {
		log_msg(LOG_WARN,
		        "ingest: database down (%s); %d requests kept for "
		        "resending",
		        why ? why : "?", db_async_pending(in->db));
	}
}

static void
on_notify(void *arg, const char *payload)
{
	struct ingest *in = arg;

	if (strstr(payload, "\"t\" : \"alarm\"") != NULL ||
	    strstr(payload, "\"t\":\"alarm\"") != NULL)
		loop_timer_start_if_idle(in->alarm_timer, ALARM_CHECK_MS);
}

/* ---- feeds, stats, stopping ------------------------------------------- */

static void
start_feeds(struct ingest *in)
{
	struct feed_client_hooks h;

	memset(&h, 0, sizeof h);
	h.event = on_event;
	h.message = on_message;
	h.arg = in;
	in->feeds_started = 1;
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

static void
log_stats(struct ingest *in, int final)
{
	struct buf b = {0};
	int changed = 0;

#define X(name, help)                                                          \
	if (in->c.name != in->logged.name)                                     \
		changed = 1;
	INGEST_COUNTER_LIST(X)
#undef X
	if (!changed && !final)
		return;
	buf_printf(&b, "ingest%s:", final ? " totals" : "");
#define X(name, help)                                                          \
	if (in->c.name > 0 || final)                                           \
		buf_printf(&b, " %s=%" PRIu64, #name, in->c.name);
	INGEST_COUNTER_LIST(X)
#undef X
	buf_printf(&b, " queued=%d", db_async_pending(in->db));
	for (int i = 0; i < in->nfeeds; i++) {
		if (in->fc[i] == NULL)
			continue;
		const struct feed_health *h = feed_client_health(in->fc[i]);
		buf_printf(&b, " feed%d=%s/%" PRIu64 "msg/%" PRIu64 "rej", i,
		           feed_link_name(h->link), h->messages, h->rejected);
	}
	log_msg(LOG_INFO, "%s", b.data);
	buf_free(&b);
	in->logged = in->c;
}

static void
stats_timer_cb(void *arg)
{
	struct ingest *in = arg;

	log_stats(in, 0);
	loop_timer_start(in->stats_timer, STATS_MS);
}

static void
finish_stop(struct ingest *in)
{
	commit_checkpoints(in);
	state_save(in);
	loop_quit(in->loop);
}

static void
stop_timer_cb(void *arg)
{
	struct ingest *in = arg;

	log_msg(LOG_WARN,
	        "ingest: %d requests not answered in time; they will be "
	        "resent after a restart",
	        db_async_pending(in->db));
	finish_stop(in);
}

static void
on_signal(void *arg, int signo)
{
	struct ingest *in = arg;

	if (signo == SIGHUP) {
		log_msg(LOG_INFO, "ingest: SIGHUP, reloading the mapping");
		load_mappings(in);
		return;
	}
	if (in->stopping) {
		log_msg(LOG_WARN, "ingest: second signal, stopping now");
		finish_stop(in);
		return;
	}
	log_msg(LOG_INFO, "ingest: signal %d: flushing and stopping", signo);
	in->stopping = 1;
	/* Stop taking messages first, then send what we have. */
	for (int i = 0; i < in->nfeeds; i++) {
		if (in->fc[i] != NULL)
			feed_client_log_rejects(in->fc[i]);
		feed_client_free(&in->fc[i]);
	}
	flush(in);
	checkpoint(in);
	commit_checkpoints(in);
	if (db_async_pending(in->db) == 0)
		finish_stop(in);
	else
		loop_timer_start(in->stop_timer, STOP_GRACE_MS);
}

static void
usage(FILE *f)
{
	fputs("usage: cityops ingest --feed URL... [options]\n"
	      "  -f, --feed URL        subscribe to a websocket feed "
	      "(repeatable)\n"
	      "  -b, --batch N         readings per statement (default 10000)\n"
	      "  -t, --flush-ms N      send a partial batch after N ms "
	      "(default 200)\n"
	      "      --state FILE      committed stream positions (default\n"
	      "                        $STATE_DIRECTORY/ingest.state or\n"
	      "                        $XDG_STATE_HOME/cityops/ingest.state)\n"
	      "      --format F        auto (default), native, ngsi, cap, "
	      "open311\n"
	      "      --max-message N   size cap in bytes (default 1 MiB)\n"
	      "      --handshake-ms N  handshake watchdog (default 5000)\n"
	      "      --idle-ms N       reconnect after N ms of silence "
	      "(default 30000)\n"
	      "  -d, --dsn CONNINFO    libpq connection (default: PG* "
	      "environment)\n"
	      "  -U, --user LOGIN      database login (default "
	      "cityops_ingest\n"
	      "                        unless PGUSER is set)\n"
	      "      --log FILE        log to FILE ('-': stderr, the "
	      "default)\n"
	      "      --debug           log every request\n"
	      "SIGTERM or SIGINT: flush, wait for the database, save "
	      "positions, exit.\nSIGHUP: reload the entity mapping.\n",
	      f);
}

static char *
default_state_path(void)
{
	const char *d = getenv("STATE_DIRECTORY"),
	           *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");

	if (d != NULL && *d != '\0') {
		/* systemd may list several, separated by ':'. */
		size_t n = strcspn(d, ":");
		return xasprintf("%.*s/ingest.state", (int)n, d);
	}
	if (x != NULL && *x == '/')
		return xasprintf("%s/cityops/ingest.state", x);
	return xasprintf("%s/.local/state/cityops/ingest.state",
	                 h != NULL ? h : ".");
}

/* Frees what the daemon holds, after its loop has stopped. */
static void
ingest_clear(struct ingest *in)
{
	/* Closing the database cancels what is still queued: nothing of it
	 * is committed, nothing restarts. */
	in->stopping = 1;
	in->state_path = NULL;
	for (int i = 0; i < in->nfeeds; i++)
		feed_client_free(&in->fc[i]);
	db_async_free(&in->db);
	loop_timer_free(&in->flush_timer);
	loop_timer_free(&in->state_timer);
	loop_timer_free(&in->stats_timer);
	loop_timer_free(&in->stop_timer);
	loop_timer_free(&in->alarm_timer);
	feed_sigwatch_free(&in->sw);
	loop_free(&in->loop);
	feed_map_free(&in->map);
	buf_free(&in->keys);
	buf_free(&in->vals);
	buf_free(&in->ats);
	free(in->ck);
}

static const struct option ingest_longopts[] = {
    {"feed", required_argument, NULL, 'f'},
    {"batch", required_argument, NULL, 'b'},
    {"flush-ms", required_argument, NULL, 't'},
    {"state", required_argument, NULL, 'S'},
    {"format", required_argument, NULL, 'F'},
    {"max-message", required_argument, NULL, 'm'},
    {"handshake-ms", required_argument, NULL, 'w'},
    {"idle-ms", required_argument, NULL, 'I'},
    {"dsn", required_argument, NULL, 'd'},
    {"user", required_argument, NULL, 'U'},
    {"log", required_argument, NULL, 'l'},
    {"debug", no_argument, NULL, 'D'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The command line, as parsed; the rest lands in struct ingest directly. */
struct ingest_args {
	struct ingest *in;
	const char *dsn, *logpath, *user;
	char *state;
	int debug;
};

/* One option with its argument; returns 0, or -1 when it was refused. */
static int
parse_opt(const struct opt_parser *p, int opt, const char *arg, void *ctx)
{
	struct ingest_args *a = ctx;
	struct ingest *in = a->in;
	long long v;
	int rc;

	if ((rc = feed_client_opt(p, opt, arg, &in->fopts)) <= 0)
		return rc;
	switch (opt) {
	case 'f':
		return opt_append(p, opt, in->urls, &in->nfeeds, MAX_FEEDS,
		                  arg);
	case 'b':
		if (opt_int(p, opt, arg, 1, 100000, &v) != 0)
			return -1;
		in->batch_max = (size_t)v;
		return 0;
	case 't':
		if (opt_int(p, opt, arg, 1, 600000, &v) != 0)
			return -1;
		in->flush_ms = (int)v;
		return 0;
	case 'S':
		free(a->state);
		a->state = xstrdup(arg);
		return 0;
	case 'd':
		a->dsn = arg;
		return 0;
	case 'U':
		a->user = arg;
		return 0;
	case 'l':
		a->logpath = arg;
		return 0;
	case 'D':
		a->debug = 1;
		return 0;
	}
	return -1;
}

/* Returns -1 to go on, or the exit status. */
static int
parse_args(int argc, char **argv, struct ingest_args *a)
{
	static const struct opt_parser p = {"cityops ingest", ingest_longopts,
	                                    "f:b:t:d:U:h", usage};
	int rc;

	if ((rc = opt_getopt(&p, argc, argv, parse_opt, a)) >= 0)
		return rc;
	if (a->in->nfeeds == 0 || optind < argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

int
ingest_main(int argc, char **argv, const char *dsn)
{
	struct ingest in;
	struct db_async_hooks hooks;
	struct ingest_args a = {.in = &in, .dsn = dsn, .logpath = "-"};
	int rc;

	memset(&in, 0, sizeof in);
	in.batch_max = 10000;
	in.flush_ms = 200;
	in.fopts.format = FEED_FORMAT_AUTO;
	if ((rc = parse_args(argc, argv, &a)) >= 0) {
		free(a.state);
		return rc;
	}
	if (a.user != NULL)
		setenv("PGUSER", a.user, 1);
	else if (getenv("PGUSER") == NULL)
		setenv("PGUSER", "cityops_ingest", 1);
	if (log_open(a.logpath, a.debug ? LOG_DEBUG : LOG_INFO) != 0) {
		fprintf(stderr, "cityops ingest: cannot open log %s\n",
		        a.logpath);
		free(a.state);
		return 2;
	}
	if (a.state == NULL)
		a.state = default_state_path();
	in.state_path = a.state;
	state_load(&in);
	in.loop = loop_new();
	if (in.loop == NULL) {
		free(a.state);
		return 1;
	}
	in.sw = feed_sigwatch_new(in.loop, on_signal, &in);
	in.map = feed_map_new();
	in.flush_timer = loop_timer_new(in.loop, flush_timer_cb, &in);
	in.state_timer = loop_timer_new(in.loop, state_timer_cb, &in);
	in.stats_timer = loop_timer_new(in.loop, stats_timer_cb, &in);
	in.stop_timer = loop_timer_new(in.loop, stop_timer_cb, &in);
	in.alarm_timer = loop_timer_new(in.loop, alarm_timer_cb, &in);
	loop_timer_start(in.stats_timer, STATS_MS);
	log_msg(LOG_INFO,
	        "ingest: starting as %s, %d feed%s, batches of %zu or %d ms, "
	        "state in %s",
	        getenv("PGUSER"), in.nfeeds, in.nfeeds == 1 ? "" : "s",
	        in.batch_max, in.flush_ms, in.state_path);
	memset(&hooks, 0, sizeof hooks);
	hooks.state = on_link;
	hooks.notify = on_notify;
	hooks.arg = &in;
	in.db = db_async_new(in.loop, a.dsn, &hooks);
	loop_run(in.loop);
	log_stats(&in, 1);
	ingest_clear(&in);
	free(a.state);
	log_close();
	return 0;
}
