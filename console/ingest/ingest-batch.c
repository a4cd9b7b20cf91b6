/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest, the database side: readings gathered into batches, one
 * statement each; incident reports one statement each, in arrival order;
 * stream positions checkpointed when the database has answered every
 * request before them, and committed to the state file; the feeds paused
 * past a queue depth; alarm-level alarms turned into incidents. How these
 * make exactly-once across restarts is told at the top of ingest.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cityops/core/opt.h"
#include "ingest-internal.h"

static void alarms_done(void *arg, struct db_table *t,
                        const struct db_error *err);

/* ---- state file: "position<TAB>url" per feed ------------------------- */

void
ingest_state_load(struct ingest *in)
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
void
ingest_state_save(struct ingest *in)
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

void
ingest_state_timer_cb(void *arg)
{
	ingest_state_save(arg);
}

/* ---- checkpoints ------------------------------------------------------ */

void
ingest_checkpoint(struct ingest *in)
{
	struct ckpt *k;

	if (in->nck == in->ck_cap) {
		in->ck_cap = in->ck_cap ? in->ck_cap * 2 : 16;
		in->ck = xrealloc(in->ck, in->ck_cap * sizeof *in->ck);
	}
	k = &in->ck[in->nck++];
	k->after = in->submitted;
	memcpy(k->pos, in->reached, sizeof k->pos);
	k->spool = in->spool_reached;
	memcpy(k->link_after, in->link_sub, sizeof k->link_after);
}

void
ingest_commit_checkpoints(struct ingest *in)
{
	size_t n = 0;

	while (n < in->nck && in->ck[n].after <= in->answered &&
	       ingest_copy_settled(in, &in->ck[n])) {
		for (int i = 0; i < in->nfeeds; i++)
			if (in->ck[n].pos[i] != FEED_POS_UNKNOWN &&
			    in->ck[n].pos[i] != in->committed[i]) {
				in->committed[i] = in->ck[n].pos[i];
				in->state_dirty = 1;
			}
		if (in->ck[n].spool > in->spool_committed) {
			in->spool_committed = in->ck[n].spool;
			ingest_push_committed(in, in->spool_committed);
		}
		n++;
	}
	if (n > 0) {
		memmove(in->ck, in->ck + n, (in->nck - n) * sizeof *in->ck);
		in->nck -= n;
	}
	if (in->state_dirty)
		loop_timer_start_if_idle(in->state_timer, STATE_MS);
	ingest_poll_commit(in);
}

/* ---- backpressure ----------------------------------------------------- */

void
ingest_pace(struct ingest *in)
{
	int depth = db_async_pending(in->db), copies = ingest_copy_depth(in);
	int pause;

	if (copies > depth)
		depth = copies;
	pause = in->paused ? depth > RESUME_DEPTH : depth >= PAUSE_DEPTH;

	if (pause == in->paused)
		return;
	in->paused = pause;
	log_msg(pause ? LOG_WARN : LOG_INFO,
	        "ingest: %s the feeds (%d requests queued for the database)",
	        pause ? "pausing" : "resuming", depth);
	for (int i = 0; i < in->nfeeds; i++)
		if (in->fc[i] != NULL)
			feed_client_pause(in->fc[i], pause);
	ingest_poll_pause(in, pause);
	ingest_push_pause(in, pause);
}

/* ---- database requests ------------------------------------------------ */

static void
answered(struct ingest *in)
{
	in->answered++;
	ingest_commit_checkpoints(in);
	ingest_pace(in);
	if (in->stopping && ingest_pending(in) == 0)
		ingest_finish_stop(in);
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

/* Values that differ from one already stored are noted by the database. */
static void
conflicting(struct ingest *in, const char *n)
{
	uint64_t k = strtoull(n ? n : "0", NULL, 10);

	if (k == 0)
		return;
	in->c.conflicts_stored += k;
	log_msg(LOG_WARN,
	        "ingest: %" PRIu64 " reading%s conflicted with the value "
	        "already stored for the same indicator and time; the stored "
	        "value is kept, the others are in cityops.reading_conflict",
	        k, k == 1 ? "" : "s");
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
		conflicting(in, db_get(t, 0, "conflicting"));
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
	int64_t *lag; /* arrivals of the rollup values in it */
	size_t nlag;
};

static void
batch_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct batch_req *b = arg;
	struct ingest *in = b->in;

	if (err != NULL && !not_completed(err))
		readings_done_refused(in, b->n);
	if (err == NULL)
		ingest_lag_done(in, b->lag, b->nlag);
	free(b->lag);
	free(b);
	readings_done(in, t, err);
}

/*
 * A line of COPY text: key, value, time (UTC), tab-separated. The key is
 * escaped as COPY's text format wants; the rest are numbers.
 */
void
ingest_copy_line(struct buf *b, const char *key, double value, int64_t ms)
{
	int64_t sec = ms >= 0 ? ms / 1000 : -((999 - ms) / 1000);
	time_t s = (time_t)sec;
	struct tm tm;

	for (const char *p = key; *p; p++) {
		const char *esc = *p == '\\'   ? "\\\\"
		                  : *p == '\t' ? "\\t"
		                  : *p == '\n' ? "\\n"
		                  : *p == '\r' ? "\\r"
		                               : NULL;
		if (esc != NULL)
			buf_add(b, esc, 2);
		else
			buf_add(b, p, 1);
	}
	gmtime_r(&s, &tm);
	buf_printf(b, "\t%.17g\t%04d-%02d-%02d %02d:%02d:%02d.%03d+00\n", value,
	           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	           tm.tm_min, tm.tm_sec, (int)(ms - sec * 1000));
}

void
ingest_batch_add(struct ingest *in, const char *indicator, double value,
                 int64_t ms)
{
	ingest_copy_line(&in->copy, indicator, value, ms);
	if (++in->nbatch >= in->batch_max)
		ingest_flush(in);
	else
		loop_timer_start_if_idle(in->flush_timer, in->flush_ms);
}

/*
 * The batch goes as one COPY into reading_inbox and, in the same
 * transaction, ingest_inbox() stores it (sql/functions/50_feeds.sql).
 */
void
ingest_flush(struct ingest *in)
{
	const char *params[1];
	struct batch_req *b;

	loop_timer_stop(in->flush_timer);
	if (in->nbatch == 0 && in->nsbatch == 0)
		return;
	ingest_copy_flush(in); /* the sensor readings (ingest-copy.c) */
	if (in->nbatch == 0) {
		ingest_checkpoint(in);
		ingest_pace(in);
		return;
	}
	params[0] = in->copy.data;
	b = xcalloc(1, sizeof *b);
	b->in = in;
	b->n = in->nbatch;
	b->lag = in->lag_pending;
	b->nlag = in->nlag_pending;
	in->lag_pending = NULL;
	in->nlag_pending = in->lag_cap = 0;
	in->c.batches++;
	in->submitted++;
	db_async_submit(in->db, Q_INGEST_COPY, 1, params, batch_done, b);
	buf_reset(&in->copy);
	in->nbatch = 0;
	ingest_checkpoint(in);
	/* Right behind the batch, in the same queue: an alarm that this
	 * batch took to alarm level gets its incident before a later batch
	 * can take it back down (its row keeps only the current level). */
	in->alarm_inflight++;
	db_async_submit(in->db, Q_ALARM_INCIDENTS, 0, NULL, alarms_done, in);
	ingest_pace(in);
}

void
ingest_flush_timer_cb(void *arg)
{
	struct ingest *in = arg;

	ingest_flush(in);
	/* Positions may have moved with no reading (heartbeats only). */
	ingest_checkpoint(in);
	ingest_commit_checkpoints(in);
}

void
ingest_incident_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	if (not_completed(err)) {
		log_msg(LOG_WARN,
		        "ingest: an incident report was not confirmed "
		        "(%s); it will be resent after a restart",
		        err->message ? err->message : "?");
		return;
	}
	if (err != NULL && strcmp(err->sqlstate, "CO008") == 0) {
		/* Located outside the city: refused, never snapped. The
		 * message names the coordinates or the region code. */
		in->c.out_of_area++;
		log_msg(LOG_WARN, "ingest: report refused: %s",
		        err->message ? err->message : "out_of_area");
	} else if (err != NULL) {
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
	if (in->stopping && ingest_pending(in) == 0)
		ingest_finish_stop(in);
}

void
ingest_alarm_timer_cb(void *arg)
{
	struct ingest *in = arg;

	if (in->alarm_inflight > 0) {
		in->alarm_again = 1;
		return;
	}
	in->alarm_inflight++;
	db_async_submit(in->db, Q_ALARM_INCIDENTS, 0, NULL, alarms_done, in);
}

/* ---- reading partitions ------------------------------------------------ */

static void
partitions_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	if (err != NULL)
		log_msg(LOG_WARN, "ingest: reading partitions: %s",
		        err->message ? err->message : "?");
	for (int i = 0; err == NULL && i < t->nrows; i++)
		log_msg(LOG_INFO, "ingest: reading partitions: %s %s (%s rows)",
		        db_get(t, i, "action") ?: "?",
		        db_get(t, i, "partition") ?: "?",
		        db_get(t, i, "rows") ?: "?");
	db_table_free(&t);
	if (in->stopping && ingest_pending(in) == 0)
		ingest_finish_stop(in);
}

/* At start and every hour: days ahead made, days past retention dropped. */
void
ingest_partitions_timer_cb(void *arg)
{
	struct ingest *in = arg;

	if (in->stopping)
		return;
	db_async_submit(in->db, Q_READING_PARTITIONS, 0, NULL, partitions_done,
	                in);
	loop_timer_start(in->part_timer, PARTITIONS_MS);
}

void
ingest_revise_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	if (not_completed(err)) {
		log_msg(LOG_WARN,
		        "ingest: a source revision was not confirmed (%s); it "
		        "will be resent after a restart",
		        err->message ? err->message : "?");
		return;
	}
	if (err != NULL)
		log_msg(LOG_WARN, "ingest: a source revision was refused: %s",
		        err->message ? err->message : "?");
	else
		for (int i = 0; i < t->nrows; i++)
			log_msg(LOG_INFO, "ingest: incident %s: %s %s -> %s",
			        db_get(t, i, "ref") ?: "?",
			        db_get(t, i, "field") ?: "?",
			        db_get(t, i, "old_value") ?: "none",
			        db_get(t, i, "new_value") ?: "?");
	db_table_free(&t);
	answered(in);
}

void
ingest_update_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	if (not_completed(err)) {
		log_msg(LOG_WARN,
		        "ingest: a source update was not confirmed (%s); it "
		        "will be resent after a restart",
		        err->message ? err->message : "?");
		return;
	}
	if (err != NULL)
		log_msg(LOG_WARN, "ingest: a source update was refused: %s",
		        err->message ? err->message : "?");
	else if (t->nrows == 0)
		log_msg(LOG_INFO, "ingest: a source update names no open "
		                  "incident; nothing changed");
	else
		log_msg(LOG_INFO, "ingest: incident %s: %s (%s)",
		        db_get(t, 0, "ref") ?: "?",
		        db_get(t, 0, "action") ?: "?",
		        db_get(t, 0, "to_state") ?: "?");
	db_table_free(&t);
	answered(in);
}
