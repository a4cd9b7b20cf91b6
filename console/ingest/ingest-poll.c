/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest, the polled sources (--cap URL; src-cap.h). Their events
 * go the same way as a feed's (ingest-feed.c). Exactly-once across a kill
 * -9 works as the stream positions do, with a document key in place of a
 * position: when a document's events have been submitted, its key waits
 * behind the requests submitted so far; once the database has answered
 * every one of them, the key is appended to the source's cache file
 * (fsynced) and the source is told it is known. A restarted ingest loads
 * the cache, so a confirmed document is never fetched again, and one that
 * was not confirmed is fetched and submitted again; the database takes a
 * replayed report as a replay (migration 015) and changes nothing.
 *
 * The cache file sits beside the state file: STATE.cap-<hash of URL>, one
 * key a line; a torn last line (a kill mid-write) is ignored on loading.
 * A CAP key is its document's record (cap-cache.h). When the source drops
 * records (past their time and no longer in its index), the file is
 * rewritten whole: a temporary file, fsynced, renamed over it, and the
 * directory fsynced, so a kill at any point leaves the old file or the new
 * one, never a mix (CITYOPS_TEST_COMPACT_STALL_MS holds the rename back,
 * for tests to kill ingest there).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cityops/feed/http-client.h"
#include "cityops/feed/keyset.h"
#include "cityops/feed/src-cap.h"
#include "cityops/feed/src-open311.h"
#include "ingest-internal.h"

#define MAX_POLLED 64

struct pending {
	char *key;
	uint64_t after;
};

struct poll_src {
	struct ingest *in;
	char *url, *cache_path;
	int open311;     /* else CAP */
	int interval_ms; /* 0: --poll-interval */
	char *ca_file;   /* NULL: --ca-file */
	char *zone;      /* NULL: --zone */
	int lenient;     /* -1: --lenient */
	struct src_cap *cap;
	struct src_open311 *o311;
	/* Confirmed keys in the order they were confirmed (Open311's
	 * open set follows the last status of each request). */
	char **order;
	size_t norder;
	FILE *cache;
	struct keyset committed;
	struct pending *pend;
	size_t npend, pcap;
};

struct ingest_poll {
	struct poll_src src[MAX_POLLED];
	int n;
	/* --src-zone and --src-lenient/--src-strict, for the next source. */
	const char *next_zone;
	int next_lenient;
};

static struct ingest_poll *
get(struct ingest *in)
{
	if (in->poll == NULL) {
		in->poll = xcalloc(1, sizeof *in->poll);
		in->poll->next_lenient = -1;
	}
	return in->poll;
}

int
ingest_poll_add(struct ingest *in, const char *url, int open311)
{
	struct ingest_poll *p = get(in);
	struct poll_src_opts o = {.zone = p->next_zone,
	                          .lenient = p->next_lenient};

	p->next_zone = NULL;
	p->next_lenient = -1;
	return ingest_poll_add_opts(in, url, open311, &o);
}

int
ingest_poll_opt(const struct opt_parser *p, int opt, const char *arg,
                struct ingest *in)
{
	switch (opt) {
	case OPT_SRC_ZONE:
		if (feed_decoder_set_zones(NULL, arg) != 0)
			return opt_error(p, opt, arg,
			                 "not a zone: +08:00, or "
			                 "ngsi=+00:00,open311=-05:00");
		get(in)->next_zone = arg;
		return 0;
	case OPT_SRC_LENIENT:
	case OPT_SRC_STRICT:
		get(in)->next_lenient = opt == OPT_SRC_LENIENT;
		return 0;
	}
	return 1;
}

int
ingest_poll_add_opts(struct ingest *in, const char *url, int open311,
                     const struct poll_src_opts *o)
{
	struct ingest_poll *p = get(in);

	char host[256], path[2048];
	int tls, port;

	if (http_url_parse(url, &tls, host, sizeof host, &port, path,
	                   sizeof path) != 0) {
		fprintf(stderr,
		        "cityops ingest: %s: not an http:// or https:// URL\n",
		        url);
		return -1;
	}
	if (p->n == MAX_POLLED) {
		fprintf(stderr, "cityops ingest: more than %d polled sources\n",
		        MAX_POLLED);
		return -1;
	}
	p->src[p->n].in = in;
	p->src[p->n].open311 = open311;
	p->src[p->n].url = xstrdup(url);
	p->src[p->n].interval_ms = o->interval_ms;
	p->src[p->n].ca_file = o->ca_file != NULL ? xstrdup(o->ca_file) : NULL;
	p->src[p->n].zone = o->zone != NULL ? xstrdup(o->zone) : NULL;
	p->src[p->n].lenient = o->lenient;
	p->n++;
	return 0;
}

int
ingest_poll_count(const struct ingest *in)
{
	return in->poll != NULL ? in->poll->n : 0;
}

static char *
cache_path(const char *state, const char *url, int open311)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *s = url; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return xasprintf("%s.%s-%016" PRIx64, state,
	                 open311 ? "open311" : "cap", h);
}

/* Loads the keys confirmed by earlier runs; opens the file to append. */
static void
cache_load(struct poll_src *ps)
{
	FILE *f = fopen(ps->cache_path, "r");
	char line[8192];
	size_t n = 0;

	if (f != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			size_t len = strlen(line);
			if (len == 0 || line[len - 1] != '\n')
				continue; /* torn by a kill mid-write */
			line[len - 1] = '\0';
			if (line[0] == '\0' ||
			    !keyset_add(&ps->committed, line))
				continue;
			n++;
			ps->order = xrealloc(ps->order, (ps->norder + 1) *
			                                    sizeof *ps->order);
			ps->order[ps->norder++] = xstrdup(line);
		}
		fclose(f);
		log_msg(LOG_INFO, "ingest: %s: %zu items known from %s",
		        ps->url, n, ps->cache_path);
	} else if (errno != ENOENT) {
		log_msg(LOG_WARN, "ingest: cannot read %s: %s", ps->cache_path,
		        strerror(errno));
	}
	ps->cache = fopen(ps->cache_path, "a");
	if (ps->cache == NULL)
		log_msg(LOG_ERROR,
		        "ingest: cannot write %s: %s; items will be "
		        "fetched again after a restart",
		        ps->cache_path, strerror(errno));
}

static void
on_event(void *arg, const char *key, const struct feed_event *ev)
{
	struct poll_src *ps = arg;

	(void)key;
	ingest_feed_event(ps->in, NULL, ev);
}

static void
on_doc(void *arg, const char *key, const struct feed_result *res)
{
	struct poll_src *ps = arg;
	struct pending *p;

	(void)res;
	if (ps->npend == ps->pcap) {
		ps->pcap = ps->pcap ? ps->pcap * 2 : 16;
		ps->pend = xrealloc(ps->pend, ps->pcap * sizeof *ps->pend);
	}
	p = &ps->pend[ps->npend++];
	p->key = xstrdup(key);
	p->after = ps->in->submitted;
	ingest_poll_commit(ps->in);
}

static void
write_key(void *arg, const char *key)
{
	struct poll_src *ps = arg;

	if (keyset_add(&ps->committed, key))
		fprintf(ps->cache, "%s\n", key);
}

/* Syncs the directory of path, so that a rename in it is durable. */
static int
sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY), rc = -1;

	free(copy);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	return rc;
}

static void
test_stall(void)
{
	const char *e = getenv("CITYOPS_TEST_COMPACT_STALL_MS");

	if (e != NULL && atoi(e) > 0) {
		log_msg(LOG_INFO, "ingest: compaction stalls %s ms (test)", e);
		usleep((useconds_t)atoi(e) * 1000);
	}
}

/* The source dropped records: its cache file is rewritten with the rest. */
static void
on_compact(void *arg)
{
	struct poll_src *ps = arg;
	char *tmp = xasprintf("%s.tmp", ps->cache_path);
	FILE *old = ps->cache;
	int bad;

	ps->cache = fopen(tmp, "w");
	if (ps->cache == NULL || ps->cap == NULL) {
		log_msg(LOG_ERROR, "ingest: cannot write %s: %s", tmp,
		        strerror(errno));
		if (ps->cache != NULL)
			fclose(ps->cache);
		ps->cache = old;
		free(tmp);
		return;
	}
	keyset_free(&ps->committed);
	src_cap_each(ps->cap, write_key, ps);
	bad = fflush(ps->cache) != 0 || fsync(fileno(ps->cache)) != 0;
	bad |= fclose(ps->cache) != 0;
	test_stall();
	if (bad || rename(tmp, ps->cache_path) != 0 ||
	    sync_dir(ps->cache_path) != 0)
		log_msg(LOG_ERROR,
		        "ingest: cannot rewrite %s: %s; it keeps every line",
		        ps->cache_path, strerror(errno));
	else
		log_msg(LOG_INFO, "ingest: %s rewritten: %zu items",
		        ps->cache_path, ps->committed.n);
	if (old != NULL)
		fclose(old);
	ps->cache = fopen(ps->cache_path, "a");
	if (ps->cache == NULL)
		log_msg(LOG_ERROR, "ingest: cannot write %s: %s",
		        ps->cache_path, strerror(errno));
	free(tmp);
}

static void
src_known(struct poll_src *ps, const char *key)
{
	if (ps->cap != NULL)
		src_cap_known(ps->cap, key);
	if (ps->o311 != NULL)
		src_open311_known(ps->o311, key);
}

static int
src_start(struct ingest *in, struct poll_src *ps, const struct src_hooks *h,
          const char **why)
{
	if (ps->open311) {
		struct src_open311_opts o;
		memset(&o, 0, sizeof o);
		o.url = ps->url;
		o.interval_ms =
		    ps->interval_ms ? ps->interval_ms : in->capopts.interval_ms;
		o.min_interval_ms = in->capopts.min_interval_ms;
		o.ca_file = ps->ca_file ? ps->ca_file : in->capopts.ca_file;
		o.zones = ps->zone ? ps->zone : in->fopts.zones;
		o.lenient = ps->lenient >= 0 ? ps->lenient : in->fopts.lenient;
		ps->o311 = src_open311_new(loop_lws(in->loop), &o, h, why);
		return ps->o311 != NULL ? 0 : -1;
	} else {
		struct src_cap_opts o = in->capopts;
		o.url = ps->url;
		if (ps->interval_ms)
			o.interval_ms = ps->interval_ms;
		if (ps->ca_file)
			o.ca_file = ps->ca_file;
		o.zones = ps->zone ? ps->zone : in->fopts.zones;
		o.lenient = ps->lenient >= 0 ? ps->lenient : in->fopts.lenient;
		ps->cap = src_cap_new(loop_lws(in->loop), &o, h, why);
		return ps->cap != NULL ? 0 : -1;
	}
}

void
ingest_poll_start(struct ingest *in)
{
	struct src_hooks h = {
	    .event = on_event, .doc = on_doc, .compact = on_compact};
	struct ingest_poll *p = in->poll;

	for (int i = 0; p != NULL && i < p->n; i++) {
		struct poll_src *ps = &p->src[i];
		const char *why = NULL;

		ps->cache_path =
		    cache_path(in->state_path, ps->url, ps->open311);
		cache_load(ps);
		h.arg = ps;
		if (src_start(in, ps, &h, &why) != 0) {
			log_msg(LOG_ERROR, "ingest: %s: %s", ps->url, why);
			continue;
		}
		for (size_t k = 0; k < ps->norder; k++)
			src_known(ps, ps->order[k]);
		for (size_t k = 0; k < ps->norder; k++)
			free(ps->order[k]);
		free(ps->order);
		ps->order = NULL;
		ps->norder = 0;
		if (in->paused)
			ingest_poll_pause(in, 1);
	}
}

void
ingest_poll_commit(struct ingest *in)
{
	struct ingest_poll *p = in->poll;

	for (int i = 0; p != NULL && i < p->n; i++) {
		struct poll_src *ps = &p->src[i];
		size_t n = 0;

		while (n < ps->npend && ps->pend[n].after <= in->answered) {
			const char *key = ps->pend[n].key;
			if (keyset_add(&ps->committed, key) &&
			    ps->cache != NULL)
				fprintf(ps->cache, "%s\n", key);
			src_known(ps, key);
			free(ps->pend[n].key);
			n++;
		}
		if (n == 0)
			continue;
		memmove(ps->pend, ps->pend + n,
		        (ps->npend - n) * sizeof *ps->pend);
		ps->npend -= n;
		if (ps->cache != NULL &&
		    (fflush(ps->cache) != 0 || fsync(fileno(ps->cache)) != 0))
			log_msg(LOG_ERROR, "ingest: cannot save %s: %s",
			        ps->cache_path, strerror(errno));
	}
}

void
ingest_poll_pause(struct ingest *in, int pause)
{
	struct ingest_poll *p = in->poll;

	for (int i = 0; p != NULL && i < p->n; i++) {
		if (p->src[i].cap != NULL)
			src_cap_pause(p->src[i].cap, pause);
		if (p->src[i].o311 != NULL)
			src_open311_pause(p->src[i].o311, pause);
	}
}

void
ingest_poll_stop(struct ingest *in)
{
	struct ingest_poll *p = in->poll;
	struct buf b = {0};

	if (p == NULL || p->n == 0)
		return;
	/* The sources' health, once, before they go. */
	ingest_poll_stats(in, &b);
	if (b.len > 0)
		log_msg(LOG_INFO, "ingest: polled sources at stop:%s", b.data);
	buf_free(&b);
	for (int i = 0; i < p->n; i++) {
		src_cap_free(&p->src[i].cap);
		src_open311_free(&p->src[i].o311);
	}
}

void
ingest_poll_stats(struct ingest *in, struct buf *b)
{
	struct ingest_poll *p = in->poll;

	for (int i = 0; p != NULL && i < p->n; i++) {
		const struct src_health *h;
		uint64_t rej = 0;

		if (p->src[i].cap != NULL)
			h = src_cap_health(p->src[i].cap);
		else if (p->src[i].o311 != NULL)
			h = src_open311_health(p->src[i].o311);
		else
			continue;
		for (int r = 0; r < FEED_REJECT_COUNT; r++)
			rej += h->rejected[r];
		buf_printf(b,
		           " %s%d=%s/%" PRIu64 "poll/%" PRIu64 "304/%" PRIu64
		           "doc/%" PRIu64 "fail/%" PRIu64 "rej/%zuknown",
		           p->src[i].open311 ? "open311" : "cap", i, h->state,
		           h->polls, h->not_modified, h->docs,
		           h->docs_failed + h->failures, rej, h->known);
		for (int r = 1; r < FEED_REJECT_COUNT; r++)
			if (h->rejected[r] > 0)
				buf_printf(
				    b, "/%s=%" PRIu64,
				    feed_reject_name((enum feed_reject)r),
				    h->rejected[r]);
	}
}

void
ingest_poll_health_rows(struct ingest *in, struct buf *b)
{
	struct ingest_poll *p = in->poll;

	for (int i = 0; p != NULL && i < p->n; i++) {
		struct ingest_health_row r = {0};
		const struct src_health *h;
		uint64_t rej = 0;

		if (p->src[i].cap != NULL)
			h = src_cap_health(p->src[i].cap);
		else if (p->src[i].o311 != NULL)
			h = src_open311_health(p->src[i].o311);
		else
			continue;
		r.kind = p->src[i].open311 ? "open311" : "cap";
		snprintf(r.label, sizeof r.label, "%s%d", r.kind, i);
		r.url = p->src[i].url;
		/* Failing from a failure until the next success. */
		r.ok = h->failed_ms == 0 || h->last_ok_ms >= h->failed_ms;
		r.state = h->state;
		r.last_ok_ms = h->last_ok_ms;
		r.last_error = h->why;
		r.reconnects = h->failures;
		snprintf(r.position, sizeof r.position, "%zu known", h->known);
		ingest_health_count(&r, "polls", h->polls);
		ingest_health_count(&r, "not_modified", h->not_modified);
		ingest_health_count(&r, "docs", h->docs);
		ingest_health_count(&r, "failures", h->failures);
		ingest_health_count(&r, "docs_failed", h->docs_failed);
		ingest_health_count(&r, "events", h->events);
		for (int k = 0; k < FEED_REJECT_COUNT; k++)
			rej += h->rejected[k];
		ingest_health_count(&r, "rejected", rej);
		for (int k = 1; k < FEED_REJECT_COUNT; k++)
			if (h->rejected[k] > 0)
				ingest_health_count(
				    &r, feed_reject_name((enum feed_reject)k),
				    h->rejected[k]);
		ingest_health_row(b, &r);
		buf_free(&r.counts);
	}
}

void
ingest_poll_free(struct ingest *in)
{
	struct ingest_poll *p = in->poll;

	if (p == NULL)
		return;
	for (int i = 0; i < p->n; i++) {
		struct poll_src *ps = &p->src[i];
		src_cap_free(&ps->cap);
		src_open311_free(&ps->o311);
		for (size_t k = 0; k < ps->norder; k++)
			free(ps->order[k]);
		free(ps->order);
		if (ps->cache != NULL)
			fclose(ps->cache);
		for (size_t k = 0; k < ps->npend; k++)
			free(ps->pend[k].key);
		free(ps->pend);
		keyset_free(&ps->committed);
		free(ps->url);
		free(ps->ca_file);
		free(ps->zone);
		free(ps->cache_path);
	}
	free(p);
	in->poll = NULL;
}
