/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * CITYOPS_LATENCY_LOG=FILE: when feed data reaches the screen, for
 * bench/console-feed-bench. Lines: "r ARRIVED DRAWN" for a live reading
 * drawn, "h SENT ARRIVED DRAWN" for a heartbeat shown with the status line,
 * "s NOW FEED MESSAGES APPLIED" every second; epoch milliseconds.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cityops/feed/feed-live.h"
#include "cityops/core/log.h"
#include "tui-internal.h"

/* Readings and heartbeats between two passes; more are not timed (a
 * sample is enough for the benchmark, and the arrays never grow). */
#define LAT_READINGS   256
#define LAT_HEARTBEATS 64

struct latency {
	FILE *f;
	int64_t prev_ms; /* wall ms of the last render pass */
	int64_t rd[LAT_READINGS];
	int nrd;
	struct {
		int64_t sent, arrived;
	} hb[LAT_HEARTBEATS];
	int nhb;
};

struct latency *
latency_open(void)
{
	const char *path = getenv("CITYOPS_LATENCY_LOG");
	struct latency *l;
	FILE *f;

	if (path == NULL || *path == '\0')
		return NULL;
	f = fopen(path, "w");
	if (f == NULL) {
		log_msg(LOG_WARN, "cannot write %s", path);
		return NULL;
	}
	l = xcalloc(1, sizeof *l);
	l->f = f;
	return l;
}

void
latency_close(struct latency **lp)
{
	if (*lp == NULL)
		return;
	fclose((*lp)->f);
	free(*lp);
	*lp = NULL;
}

void
latency_heartbeat(struct latency *l, int64_t sent_ms, int64_t arrived_ms)
{
	if (l == NULL || l->nhb >= LAT_HEARTBEATS)
		return;
	l->hb[l->nhb].sent = sent_ms;
	l->hb[l->nhb].arrived = arrived_ms;
	l->nhb++;
}

void
latency_reading(struct latency *l, const struct model_indicator *ind)
{
	if (l != NULL && ind != NULL && ind->seen_ms > l->prev_ms &&
	    l->nrd < LAT_READINGS)
		l->rd[l->nrd++] = ind->seen_ms;
}

void
latency_pass(struct latency *l, int status_drawn)
{
	int64_t now;

	if (l == NULL)
		return;
	now = feed_wall_ms();
	for (int i = 0; i < l->nrd; i++)
		fprintf(l->f, "r %lld %lld\n", (long long)l->rd[i],
		        (long long)now);
	l->nrd = 0;
	if (status_drawn) {
		for (int i = 0; i < l->nhb; i++)
			fprintf(l->f, "h %lld %lld %lld\n",
			        (long long)l->hb[i].sent,
			        (long long)l->hb[i].arrived, (long long)now);
		l->nhb = 0;
	}
	l->prev_ms = now;
}

void
latency_tick(struct latency *l, struct desk *d)
{
	if (l == NULL)
		return;
	for (int i = 0; i < d->nfeeds; i++) {
		const struct feed_health *h =
		    feed_live_health(d->feeds, (size_t)i);
		fprintf(l->f, "s %lld %d %llu %llu\n",
		        (long long)feed_wall_ms(), i,
		        (unsigned long long)h->messages,
		        feed_live_applied(d->feeds));
	}
	fflush(l->f);
}
