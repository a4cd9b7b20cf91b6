/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest, the health of each source in the database: every
 * --health-s seconds (default 10) ingest sends one row per source through
 * cityops.source_health_put (sql/functions/52_sources.sql, migration 075),
 * which `cityops ingest --status` and the console's status line read
 * through cityops.source_health(). One report in flight at a time, none
 * while the database is down (the next one after it is back says it all).
 * Why the database rather than a status file: docs/ingest.md, "Health".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest-internal.h"

static void
add_time(struct buf *b, const char *key, int64_t wall_ms)
{
	char t[40];
	time_t s = (time_t)(wall_ms / 1000);
	struct tm tm;

	if (wall_ms <= 0 || gmtime_r(&s, &tm) == NULL)
		return;
	strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(b, ",\"%s\":\"%s.%03dZ\"", key, t, (int)(wall_ms % 1000));
}

void
ingest_health_row(struct buf *b, const struct ingest_health_row *r)
{
	if (b->len > 1)
		buf_adds(b, ",");
	buf_printf(b, "{\"kind\":\"%s\",\"label\":\"%s\",\"url\":", r->kind,
	           r->label);
	buf_add_json_string(b, r->url);
	buf_printf(b, ",\"ok\":%s,\"state\":", r->ok ? "true" : "false");
	buf_add_json_string(b, r->state);
	add_time(b, "last_ok", r->last_ok_ms);
	if (r->last_error != NULL && r->last_error[0] != '\0') {
		buf_adds(b, ",\"last_error\":");
		buf_add_json_string(b, r->last_error);
	}
	if (r->position[0] != '\0') {
		buf_adds(b, ",\"position\":");
		buf_add_json_string(b, r->position);
	}
	buf_printf(b, ",\"reconnects\":%" PRIu64 ",\"counts\":{%s}}",
	           r->reconnects, r->counts.data ? r->counts.data : "");
}

void
ingest_health_count(struct ingest_health_row *r, const char *name, uint64_t n)
{
	buf_printf(&r->counts, "%s\"%s\":%" PRIu64,
	           r->counts.len > 0 ? "," : "", name, n);
}

static void
feed_rows(struct ingest *in, struct buf *b)
{
	for (int i = 0; i < in->nfeeds; i++) {
		struct ingest_health_row r = {0};
		const struct feed_health *h;

		if (in->fc[i] == NULL)
			continue;
		h = feed_client_health(in->fc[i]);
		r.kind = "feed";
		snprintf(r.label, sizeof r.label, "feed%d", i);
		r.url = in->urls[i];
		r.ok = h->link == FEED_LINK_UP;
		r.state = feed_link_name(h->link);
		r.last_ok_ms = h->last_msg_ms;
		r.last_error = h->why;
		r.reconnects = h->connects > 0 ? h->connects - 1 : 0;
		if (in->committed[i] != FEED_POS_UNKNOWN)
			snprintf(r.position, sizeof r.position,
			         "stream %" PRIu64, in->committed[i]);
		ingest_health_count(&r, "messages", h->messages);
		ingest_health_count(&r, "rejected", h->rejected);
		ingest_health_count(&r, "skipped", h->skipped);
		ingest_health_count(&r, "failures", h->failures);
		ingest_health_row(b, &r);
		buf_free(&r.counts);
	}
}

static void
put_done(void *arg, struct db_table *t, const struct db_error *err)
{
	struct ingest *in = arg;

	in->health_inflight = 0;
	if (err != NULL && !in->health_refused) {
		/* Said once: a login without the right to report keeps
		 * ingesting, its sources' health stays in the log. */
		in->health_refused = 1;
		log_msg(LOG_WARN, "ingest: source health not stored: %s",
		        err->message ? err->message : "?");
	} else if (err == NULL) {
		in->health_refused = 0;
	}
	db_table_free(&t);
	/* The stop sends the last report: it may be the last answer. */
	if (in->stopping && db_async_pending(in->db) == 0)
		ingest_finish_stop(in);
}

void
ingest_health_report(struct ingest *in)
{
	struct buf b = {0};
	char every[16];
	const char *p[3];

	if (in->health_inflight || !in->db_up || in->db == NULL)
		return;
	buf_adds(&b, "[");
	feed_rows(in, &b);
	ingest_poll_health_rows(in, &b);
	ingest_push_health_rows(in, &b);
	ingest_ngsisub_health_rows(in, &b);
	buf_adds(&b, "]");
	snprintf(every, sizeof every, "%d", in->health_ms / 1000);
	p[0] = in->name;
	p[1] = every;
	p[2] = b.data;
	in->health_inflight = 1;
	db_async_submit(in->db, Q_SOURCE_HEALTH_PUT, 3, p, put_done, in);
	buf_free(&b);
}

void
ingest_health_timer_cb(void *arg)
{
	struct ingest *in = arg;

	ingest_health_report(in);
	if (!in->stopping)
		loop_timer_start(in->health_timer, in->health_ms);
}

char *
ingest_default_name(void)
{
	char host[256] = "";
	size_t n = 0;

	if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
		snprintf(host, sizeof host, "ingest");
	/* What migration 075 takes: [A-Za-z0-9_.:@-]{1,64}. */
	for (char *s = host; *s != '\0' && n < 64; s++, n++)
		if (!strchr("_.:@-", *s) &&
		    !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			*s = '-';
	host[n] = '\0';
	return xstrdup(host);
}
