/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest, sensors and rollups (issue 12; docs/scale.md "Sensors
 * and rollups"). At start, before the feeds: the rollup definitions, every
 * sensor with the rollups it is in, and each sensor's latest reading
 * within the longest window (so a restarted ingest goes on from what is
 * stored; a replayed reading changes nothing, rollup.h). On a catalogue
 * change (NOTIFY, SIGHUP) the definitions and sensors are read again and
 * the running windows carried over. A native reading
 * whose key names a sensor is a sensor reading: it goes to history by COPY
 * (sensor_inbox, ingest_sensor_inbox: once per sensor and time) and into
 * the rollups in memory. Every --rollup-ms the rollups that changed are
 * written as readings of their indicators, through the ordinary batch
 * (thresholds and alarms as for any reading). Rollup lag: from the first
 * reading that changed a rollup arriving here to the database confirming
 * the batch with its new value.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cityops/ingest/rollup.h"
#include "ingest-internal.h"

/*
 * A load of the definitions: at start and on every catalogue reload
 * (ingest.c's chain: mapping, units, extents, then this). They are read
 * into a new set, which replaces the running one only once whole, with
 * the running windows carried over (rollups_carry).
 */
struct sensors_load {
	struct ingest *in;
	struct rollups *next;
};

/* The chain goes on: the running set replaced, or kept after an error. */
static void
load_end(struct sensors_load *ld, int ok)
{
	struct ingest *in = ld->in;

	if (ok || in->rollups == NULL) {
		/* At start even a partial set is taken: readings of the
		 * sensors it lacks are unknown keys, counted. */
		if (in->rollups != NULL)
			rollups_carry(ld->next, in->rollups);
		rollups_free(&in->rollups);
		in->rollups = ld->next;
		log_msg(LOG_INFO, "ingest: %zu rollups over %zu sensors %s",
		        rollups_count(in->rollups),
		        rollups_sensor_count(in->rollups),
		        in->sensors_state == SENSORS_LOADED ? "reloaded"
		                                            : "loaded");
	} else {
		rollups_free(&ld->next);
	}
	free(ld);
	in->sensors_state = SENSORS_LOADED;
	if (rollups_count(in->rollups) > 0 && !in->stopping)
		loop_timer_start_if_idle(in->rollup_timer, in->rollup_ms);
	ingest_catalogue_loaded(in);
}

static void
load_failed(struct sensors_load *ld, const char *what,
            const struct db_error *err)
{
	log_msg(LOG_ERROR, "ingest: cannot load the %s: %s", what,
	        err->message ? err->message : "?");
	load_end(ld, 0);
}

static void
latest_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct sensors_load *ld = arg;
	size_t n = 0;

	if (err != NULL) {
		db_table_free(&t);
		load_failed(ld, "latest sensor readings", err);
		return;
	}
	for (int i = 0; i < t->nrows; i++) {
		int s = rollups_find_sensor(ld->next,
		                            db_get(t, i, "sensor_id") ?: "");
		const char *at = db_get(t, i, "at_ms"),
		           *v = db_get(t, i, "value");
		if (s >= 0 && at && v)
			n += (size_t)rollups_reading(ld->next, s,
			                             strtoll(at, NULL, 10),
			                             strtod(v, NULL), 0);
	}
	log_msg(LOG_INFO,
	        "ingest: %zu latest sensor readings within the windows", n);
	db_table_free(&t);
	load_end(ld, 1);
}

static void
sensors_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct sensors_load *ld = arg;
	struct ingest *in = ld->in;
	char since[48];
	const char *params[1] = {since};
	int64_t from = feed_wall_ms() - rollups_max_window(ld->next);
	time_t secs = (time_t)(from / 1000);
	struct tm tm;

	if (err != NULL) {
		db_table_free(&t);
		load_failed(ld, "sensors", err);
		return;
	}
	for (int i = 0; i < t->nrows; i++) {
		const char *id = db_get(t, i, "sensor_id"),
		           *ro = db_get(t, i, "rollups");
		int s;
		if (id == NULL)
			continue;
		s = rollups_sensor(ld->next, id);
		while (ro != NULL && *ro != '\0') {
			size_t n = strcspn(ro, ",");
			char name[256];
			int k;
			snprintf(name, sizeof name, "%.*s", (int)n, ro);
			if ((k = rollups_find(ld->next, name)) >= 0)
				rollups_member(ld->next, s, k);
			ro += n + (ro[n] == ',');
		}
	}
	db_table_free(&t);
	/* A reload goes on from the running windows: they hold every
	 * reading stored since the start, and what the start loaded. */
	if (in->rollups != NULL) {
		load_end(ld, 1);
		return;
	}
	gmtime_r(&secs, &tm);
	strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S+00", &tm);
	db_async_submit(in->db, Q_INGEST_SENSOR_LATEST, 1, params, latest_done,
	                ld);
}

static void
rollups_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct sensors_load *ld = arg;

	if (err != NULL) {
		db_table_free(&t);
		load_failed(ld, "rollups", err);
		return;
	}
	for (int i = 0; i < t->nrows; i++) {
		const char *ind = db_get(t, i, "indicator_id"),
		           *fn = db_get(t, i, "fn"), *a = db_get(t, i, "arg"),
		           *w = db_get(t, i, "window_s");
		enum rollup_fn f;
		if (ind == NULL || w == NULL || rollup_fn_parse(fn, &f) != 0 ||
		    rollups_define(ld->next, ind, f, a ? strtod(a, NULL) : 0,
		                   strtoll(w, NULL, 10) * 1000) < 0)
			log_msg(LOG_WARN, "ingest: rollup %s not understood",
			        ind ? ind : "?");
	}
	db_table_free(&t);
	db_async_submit(ld->in->db, Q_INGEST_SENSORS, 0, NULL, sensors_done,
	                ld);
}

void
ingest_sensors_load(struct ingest *in)
{
	struct sensors_load *ld = xcalloc(1, sizeof *ld);

	ld->in = in;
	ld->next = rollups_new();
	if (in->sensors_state == SENSORS_NONE)
		in->sensors_state = SENSORS_LOADING;
	db_async_submit(in->db, Q_INGEST_ROLLUPS, 0, NULL, rollups_done, ld);
}

int
ingest_sensor_known(const struct ingest *in, const char *key)
{
	return in->rollups != NULL && key != NULL &&
	       rollups_find_sensor(in->rollups, key) >= 0;
}

int
ingest_sensor_reading(struct ingest *in, const char *key, double value,
                      int64_t ts_ms)
{
	int s;

	if (in->rollups == NULL || key == NULL ||
	    (s = rollups_find_sensor(in->rollups, key)) < 0)
		return 0;
	in->c.sensor_readings++;
	ingest_copy_line(&in->scopy, key, value, ts_ms);
	rollups_reading(in->rollups, s, ts_ms, value, feed_wall_ms());
	if (++in->nsbatch >= in->batch_max)
		ingest_flush(in);
	else
		loop_timer_start_if_idle(in->flush_timer, in->flush_ms);
	return 1;
}

static void
emit(void *arg, const struct rollup_value *v)
{
	struct ingest *in = arg;

	in->c.rollup_values++;
	if (v->arrival_ms > 0) {
		if (in->nlag_pending == in->lag_cap) {
			in->lag_cap = in->lag_cap ? in->lag_cap * 2 : 64;
			in->lag_pending = xrealloc(
			    in->lag_pending, in->lag_cap * sizeof(int64_t));
		}
		in->lag_pending[in->nlag_pending++] = v->arrival_ms;
	}
	ingest_batch_add(in, v->indicator, v->value, in->rollup_now);
}

void
ingest_rollup_tick(struct ingest *in)
{
	if (in->rollups == NULL || rollups_count(in->rollups) == 0)
		return;
	in->rollup_now = feed_wall_ms();
	if (rollups_tick(in->rollups, in->rollup_now, emit, in) > 0)
		ingest_flush(in);
}

void
ingest_rollup_timer_cb(void *arg)
{
	struct ingest *in = arg;

	ingest_rollup_tick(in);
	if (!in->stopping)
		loop_timer_start(in->rollup_timer, in->rollup_ms);
}

/* Lag buckets: 1 ms wide to 1 s, then 10 ms wide to 60 s. */
static size_t
lag_bucket(int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		return (size_t)ms;
	if (ms < 60000)
		return 1000 + (size_t)((ms - 1000) / 10);
	return LAG_BUCKETS - 1;
}

static int64_t
bucket_ms(size_t b)
{
	return b < 1000 ? (int64_t)b : 1000 + (int64_t)(b - 1000) * 10;
}

void
ingest_lag_done(struct ingest *in, const int64_t *from, size_t n)
{
	int64_t now = feed_wall_ms();

	for (size_t i = 0; i < n; i++) {
		int64_t lag = now - from[i];
		in->lag_hist[lag_bucket(lag)]++;
		in->lag_n++;
		if (lag > in->lag_max)
			in->lag_max = lag;
	}
}

static int64_t
lag_quantile(const struct ingest *in, double q)
{
	uint64_t want = (uint64_t)(q * (double)in->lag_n), seen = 0;

	for (size_t b = 0; b < LAG_BUCKETS; b++) {
		seen += in->lag_hist[b];
		if (seen > want)
			return bucket_ms(b);
	}
	return in->lag_max;
}

void
ingest_lag_stats(const struct ingest *in, struct buf *b)
{
	if (in->lag_n == 0)
		return;
	buf_printf(b,
	           " rollup_lag_ms=p50:%" PRId64 "/p99:%" PRId64 "/max:%" PRId64
	           "/n:%" PRIu64,
	           lag_quantile(in, 0.50), lag_quantile(in, 0.99), in->lag_max,
	           in->lag_n);
}

void
ingest_sensors_free(struct ingest *in)
{
	rollups_free(&in->rollups);
	buf_free(&in->scopy);
	free(in->lag_pending);
	in->lag_pending = NULL;
}
