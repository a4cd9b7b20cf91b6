/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest, sensor history over connections of its own (issue 12;
 * docs/scale.md "Sensor history apart from the rollup values"). A batch of
 * sensor readings is one COPY into sensor_inbox and ingest_sensor_inbox()
 * in one transaction (Q_SENSOR_COPY). With --copy-links N (default 2) the
 * batches go over N connections of their own, each taking the next batch
 * when it has the fewest queued: several batches in flight, and the rollup
 * values, indicator readings and incident reports on the main connection
 * never wait behind history. --copy-links 0 sends them on the main
 * connection, in its one queue, as before.
 *
 * Each connection answers in order, so a checkpoint records how many
 * requests each had been given (ingest_checkpoint) and commits once each
 * has answered that many: exactly-once is kept across connections. A batch
 * a deadlock or serialization failure refused (two batches in flight
 * holding the same reading) is sent again, up to COPY_RETRIES times; while
 * one is being sent again no checkpoint commits (it is behind requests
 * answered after it).
 */
#include <stdlib.h>
#include <string.h>

#include "ingest-internal.h"

#define COPY_RETRIES 3

struct copy_req {
	struct ingest *in;
	int link; /* index in in->links, or -1: the main connection */
	size_t n;
	char *text; /* kept for a resend */
	int tries;  /* sent again this many times */
};

static struct db_async *
link_db(struct ingest *in, int link)
{
	return link < 0 ? in->db : in->links[link];
}

static void
link_state(void *arg, enum db_link link, const char *why)
{
	(void)arg;
	if (link == DB_LINK_DOWN)
		log_msg(LOG_WARN,
		        "ingest: a sensor history connection is down (%s); its "
		        "batches are kept for resending",
		        why ? why : "?");
}

void
ingest_copy_start(struct ingest *in, const char *dsn)
{
	struct db_async_hooks hooks;

	memset(&hooks, 0, sizeof hooks);
	hooks.state = link_state; /* no notify: no LISTEN, one connection */
	hooks.arg = in;
	for (int i = 0; i < in->nlinks; i++)
		in->links[i] = db_async_new(in->loop, dsn, &hooks);
}

void
ingest_copy_free(struct ingest *in)
{
	for (int i = 0; i < in->nlinks; i++)
		db_async_free(&in->links[i]);
}

int
ingest_pending(const struct ingest *in)
{
	int n = in->db != NULL ? db_async_pending(in->db) : 0;

	for (int i = 0; i < in->nlinks; i++)
		if (in->links[i] != NULL)
			n += db_async_pending(in->links[i]);
	return n;
}

int
ingest_copy_settled(const struct ingest *in, const struct ckpt *k)
{
	if (in->copy_retrying > 0)
		return 0;
	for (int i = 0; i < in->nlinks; i++)
		if (in->link_ans[i] < k->link_after[i])
			return 0;
	return 1;
}

int
ingest_copy_depth(const struct ingest *in)
{
	int d = 0;

	for (int i = 0; i < in->nlinks; i++)
		if (in->links[i] != NULL && db_async_pending(in->links[i]) > d)
			d = db_async_pending(in->links[i]);
	return d;
}

static void copy_done(void *arg, struct db_table *t,
                      const struct db_error *err);

static void
submit(struct copy_req *r)
{
	const char *params[1] = {r->text};
	struct ingest *in = r->in;

	if (r->link < 0)
		in->submitted++;
	else
		in->link_sub[r->link]++;
	db_async_submit(link_db(in, r->link), Q_SENSOR_COPY, 1, params,
	                copy_done, r);
}

/* A request of link answered: checkpoints may commit. */
static void
link_answered(struct ingest *in, int link)
{
	if (link < 0)
		in->answered++;
	else
		in->link_ans[link]++;
	ingest_commit_checkpoints(in);
	ingest_pace(in);
	if (in->stopping && ingest_pending(in) == 0)
		ingest_finish_stop(in);
}

static int
retryable(const struct db_error *err)
{
	return strcmp(err->sqlstate, "40P01") == 0 ||
	       strcmp(err->sqlstate, "40001") == 0;
}

static void
copy_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct copy_req *r = arg;
	struct ingest *in = r->in;
	int link = r->link;

	if (r->tries > 0 && !(err != NULL && retryable(err) &&
	                      r->tries + 1 < COPY_RETRIES && !in->stopping))
		in->copy_retrying--; /* its last answer */
	if (err != NULL && err->sqlstate[0] == '\0') {
		/* Not completed (cancelled at exit): never answered, so no
		 * checkpoint passes it; resent after a restart. */
		log_msg(LOG_WARN,
		        "ingest: a batch of sensor readings was not confirmed "
		        "(%s); it will be resent after a restart",
		        err->message ? err->message : "?");
		free(r->text);
		free(r);
		return;
	}
	if (err != NULL && retryable(err) && r->tries + 1 < COPY_RETRIES &&
	    !in->stopping) {
		/* Counted answered, and given again; no checkpoint commits
		 * until it is answered. */
		if (r->tries++ == 0)
			in->copy_retrying++;
		log_msg(LOG_INFO,
		        "ingest: a batch of sensor readings is sent "
		        "again (%s)",
		        err->message ? err->message : "?");
		submit(r);
		link_answered(in, link);
		return;
	}
	if (err != NULL) {
		in->c.refused += r->n;
		log_msg(LOG_ERROR,
		        "ingest: a batch of sensor readings was refused: %s",
		        err->message ? err->message : "?");
	} else if (t->nrows > 0) {
		in->c.sensor_stored +=
		    strtoull(db_get(t, 0, "accepted") ?: "0", NULL, 10);
		in->c.sensor_duplicate +=
		    strtoull(db_get(t, 0, "duplicate") ?: "0", NULL, 10);
		in->c.sensor_unknown +=
		    strtoull(db_get(t, 0, "unknown") ?: "0", NULL, 10);
	}
	db_table_free(&t);
	free(r->text);
	free(r);
	link_answered(in, link);
}

/* The connection with the fewest queued; the main one without links. */
static int
pick_link(const struct ingest *in)
{
	int best = -1, depth = 0;

	for (int i = 0; i < in->nlinks; i++) {
		int d = db_async_pending(in->links[i]);
		if (best < 0 || d < depth) {
			best = i;
			depth = d;
		}
	}
	return best;
}

void
ingest_copy_flush(struct ingest *in)
{
	struct copy_req *r;

	if (in->nsbatch == 0)
		return;
	r = xcalloc(1, sizeof *r);
	r->in = in;
	r->n = in->nsbatch;
	r->link = pick_link(in);
	/* The batch's text is handed over whole, not copied. */
	r->text = in->scopy.data != NULL ? in->scopy.data : xstrdup("");
	memset(&in->scopy, 0, sizeof in->scopy);
	in->nsbatch = 0;
	in->c.batches++;
	submit(r);
}
