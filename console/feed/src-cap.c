/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A polled CAP source (src-cap.h). One poll: the index request, then the
 * documents it links that are neither known nor already queued, through
 * `concurrency` slots, each with its own decoder fed chunk by chunk as
 * the body arrives. The poll ends when the queue is empty and every slot
 * is free, or when its budget runs out (what is left waits for the next
 * poll); the next is scheduled then, so polls never overlap.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

#include "cityops/core/log.h"
#include "cityops/core/util.h"
#include "cityops/feed/cap-cache.h"
#include "cityops/feed/feed-client.h"
#include "cityops/feed/feed-index.h"
#include "cityops/feed/http-client.h"
#include "cityops/feed/keyset.h"
#include "cityops/feed/src-cap.h"

struct slot {
	struct src_cap *s;
	struct http_req *req;
	struct feed_decoder *dec;
	char *key;
};

struct src_cap {
	lws_sorted_usec_list_t sul_poll, sul_budget; /* first */
	struct lws_context *ctx;
	struct src_cap_opts o;
	struct src_hooks h;
	char *url, *etag, *lastmod, *zones;
	struct http_req *index_req;
	struct cap_cache *cache; /* what is stored (cap-cache.h) */
	struct keyset queued;
	struct keyset seen;  /* what this poll's index lists */
	struct keyset taken; /* triples this poll handed over */
	char **queue;
	size_t nq, qhead, qcap;
	struct slot *slots;
	int busy, polling, paused, backoff_ms;
	uint64_t rng;
	struct src_health hl;
};

static void pump(struct src_cap *s);

static uint64_t
next_rand(struct src_cap *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static void poll_cb(lws_sorted_usec_list_t *sul);

static void
schedule(struct src_cap *s, int ms, const char *state)
{
	s->hl.state = state;
	s->hl.next_ms = feed_wall_ms() + ms;
	lws_sul_schedule(s->ctx, 0, &s->sul_poll, poll_cb,
	                 (lws_usec_t)ms * LWS_US_PER_MS);
}

/* The next poll: the interval, less up to 10 % so sources spread out. */
static void
poll_done(struct src_cap *s)
{
	int ms = s->o.interval_ms;

	s->polling = 0;
	lws_sul_cancel(&s->sul_budget);
	for (size_t i = s->qhead; i < s->nq; i++)
		free(s->queue[i]);
	s->nq = s->qhead = 0;
	keyset_free(&s->queued);
	keyset_free(&s->taken);
	/* Decoders are per poll: an idle source holds none. */
	for (int i = 0; i < s->o.concurrency; i++)
		feed_decoder_free(&s->slots[i].dec);
	schedule(s, ms - (int)(next_rand(s) % (uint64_t)(ms / 10 + 1)), "idle");
}

static void
poll_failed(struct src_cap *s, const char *why)
{
	int ms = feed_backoff_next(&s->backoff_ms, s->o.backoff_min_ms,
	                           s->o.backoff_max_ms, next_rand(s));

	s->hl.failures++;
	snprintf(s->hl.why, sizeof s->hl.why, "%s", why);
	s->hl.failed_ms = feed_wall_ms();
	log_msg(LOG_WARN, "cap %s: %s; next try in %d ms", s->url, why, ms);
	s->polling = 0;
	schedule(s, ms, "waiting");
}

/* ---- documents ---------------------------------------------------------- */

/* One document being decoded: its alert's record once read. */
struct doc_ctx {
	struct src_cap *s;
	const char *url;
	char *line, *triple; /* cap-cache.h; NULL until the alert */
	int skip;            /* its triple is stored: events not again */
};

static void
doc_event(void *arg, const struct feed_event *ev)
{
	struct doc_ctx *c = arg;
	struct src_cap *s = c->s;

	if (c->line == NULL && ev->type == FEED_EV_CAP) {
		c->line = cap_cache_line(c->url, &ev->u.cap);
		c->triple = cap_cache_triple(&ev->u.cap);
		/* Stored, or handed over from another URL this poll (its
		 * record commits after that one's reports: same order). */
		c->skip = cap_cache_has_triple(s->cache, c->triple) ||
		          !keyset_add(&s->taken, c->triple);
		if (c->skip)
			log_msg(LOG_INFO,
			        "cap %s: document %s: alert %s of %s, sent "
			        "%" PRId64 ", is stored already",
			        s->url, c->url, ev->u.cap.identifier,
			        ev->u.cap.sender, ev->u.cap.sent_ms);
	}
	if (c->skip)
		return;
	s->hl.events++;
	s->h.event(s->h.arg, c->url, ev);
}

/* Hands the document's record (a refused one's if none) to the owner. */
static void
doc_result(struct src_cap *s, struct doc_ctx *c, const struct feed_result *r,
           enum feed_status st)
{
	if (st == FEED_REJECTED) {
		s->hl.rejected[r->reason]++;
		log_msg(LOG_WARN, "cap %s: document %s refused: %s", s->url,
		        c->url, feed_reject_name(r->reason));
	} else if (r->skipped > 0) {
		log_msg(LOG_INFO, "cap %s: document %s: %u items skipped (%s)",
		        s->url, c->url, r->skipped,
		        feed_reject_name(r->reason));
	}
	if (c->line == NULL)
		c->line = cap_cache_line(c->url, NULL);
	s->hl.docs++;
	s->h.doc(s->h.arg, c->line, r);
}

static void
doc_ctx_free(struct doc_ctx *c)
{
	free(c->line);
	free(c->triple);
}

static int
doc_chunk(void *arg, int status, const char *data, size_t len)
{
	struct slot *sl = arg;

	(void)status;
	feed_xml_push(sl->dec, data, len);
	return 0;
}

/* A decoder with the source's cap, zone and leniency. */
static struct feed_decoder *
doc_decoder(const struct src_cap *s)
{
	struct feed_decoder *d = feed_decoder_new();

	feed_decoder_set_max(d, s->o.max_doc);
	feed_decoder_set_lenient(d, s->o.lenient);
	if (s->o.zones != NULL)
		(void)feed_decoder_set_zones(d, s->o.zones);
	return d;
}

static void
slot_free(struct slot *sl)
{
	http_cancel(&sl->req);
	free(sl->key);
	sl->key = NULL;
	sl->s->busy--;
}

static void
doc_done(void *arg, const struct http_reply *r)
{
	struct slot *sl = arg;
	struct src_cap *s = sl->s;
	struct doc_ctx c = {.s = s, .url = sl->key};
	struct feed_result res;
	enum feed_status st;

	sl->req = NULL;
	if (r->status != 200) {
		s->hl.docs_failed++;
		snprintf(s->hl.why, sizeof s->hl.why, "document %.120s: %s",
		         sl->key, r->error ? r->error : "not 200");
		s->hl.failed_ms = feed_wall_ms();
		log_msg(LOG_WARN,
		        "cap %s: document %s: %s (HTTP %d); tried again next "
		        "poll",
		        s->url, sl->key, r->error ? r->error : "no document",
		        r->status);
	} else {
		st = feed_xml_end(sl->dec, doc_event, &c, &res);
		doc_result(s, &c, &res, st);
	}
	doc_ctx_free(&c);
	slot_free(sl);
	pump(s);
}

static void
start_doc(struct src_cap *s, struct slot *sl, char *url)
{
	struct http_opts ho;
	const char *why = NULL;

	memset(&ho, 0, sizeof ho);
	ho.accept = "application/cap+xml, application/xml;q=0.9, */*;q=0.5";
	ho.max_body = s->o.max_doc + 1;
	ho.timeout_ms = s->o.timeout_ms;
	ho.ca_file = s->o.ca_file;
	if (sl->dec == NULL)
		sl->dec = doc_decoder(s);
	feed_xml_begin(sl->dec, FEED_FORMAT_CAP);
	sl->key = url;
	s->busy++;
	log_msg(LOG_DEBUG, "cap %s: fetching document %s", s->url, url);
	sl->req = http_request(s->ctx, url, &ho, doc_chunk, doc_done, sl, &why);
	if (sl->req == NULL) {
		log_msg(LOG_WARN, "cap %s: document %s: %s", s->url, url, why);
		s->hl.docs_failed++;
		slot_free(sl);
	}
}

static void
pump(struct src_cap *s)
{
	for (int i = 0; i < s->o.concurrency && !s->paused; i++) {
		if (s->slots[i].key != NULL)
			continue;
		if (s->qhead == s->nq)
			break;
		start_doc(s, &s->slots[i], s->queue[s->qhead++]);
	}
	if (s->polling && s->busy == 0 && s->qhead == s->nq &&
	    s->index_req == NULL)
		poll_done(s);
}

static void
budget_cb(lws_sorted_usec_list_t *sul)
{
	struct src_cap *s = lws_container_of(sul, struct src_cap, sul_budget);
	size_t left = s->nq - s->qhead + (size_t)s->busy;

	log_msg(LOG_WARN,
	        "cap %s: the poll's %d ms ran out; %zu documents wait for "
	        "the next poll",
	        s->url, s->o.budget_ms, left);
	for (int i = 0; i < s->o.concurrency; i++)
		if (s->slots[i].key != NULL)
			slot_free(&s->slots[i]);
	for (size_t i = s->qhead; i < s->nq; i++)
		free(s->queue[i]);
	s->qhead = s->nq = 0;
	pump(s);
}

/* ---- the index ------------------------------------------------------------
 */

static void
index_entry(void *arg, const struct feed_index_entry *e)
{
	struct src_cap *s = arg;
	char url[4096];

	if (http_url_join(s->url, e->link, url, sizeof url) != 0) {
		log_msg(LOG_WARN, "cap %s: entry %s: link %s not usable",
		        s->url, e->id ? e->id : "?", e->link);
		return;
	}
	keyset_add(&s->seen, url);
	if (e->cap_identifier != NULL) {
		/* The entry names its alert: one stored is not fetched,
		 * whatever URL it is listed under now. */
		char *t = cap_cache_triple_of(e->cap_sender, e->cap_identifier,
		                              e->cap_sent_ms);
		int stored = cap_cache_has_triple(s->cache, t);
		keyset_add(&s->seen, t);
		free(t);
		if (stored) {
			log_msg(LOG_DEBUG,
			        "cap %s: entry %s: alert %s of %s is stored "
			        "already: not fetched",
			        s->url, url, e->cap_identifier, e->cap_sender);
			return;
		}
	}
	if (cap_cache_has_url(s->cache, url) || !keyset_add(&s->queued, url))
		return;
	if (s->nq == s->qcap) {
		s->qcap = s->qcap ? s->qcap * 2 : 32;
		s->queue = xrealloc(s->queue, s->qcap * sizeof *s->queue);
	}
	s->queue[s->nq++] = xstrdup(url);
}

static void
keep_validators(struct src_cap *s, const struct http_reply *r)
{
	free(s->etag);
	free(s->lastmod);
	s->etag = r->etag ? xstrdup(r->etag) : NULL;
	s->lastmod = r->last_modified ? xstrdup(r->last_modified) : NULL;
}

/* The URL is one CAP document: decode it here, keyed by its alert. */
static void
single_doc(struct src_cap *s, const struct http_reply *r)
{
	struct feed_decoder *d = doc_decoder(s);
	struct doc_ctx c = {.s = s, .url = s->url};
	struct feed_result res;
	enum feed_status st;

	st = feed_decode(d, r->body, r->len, FEED_FORMAT_CAP, doc_event, &c,
	                 &res);
	if (c.triple != NULL)
		keyset_add(&s->seen, c.triple);
	if ((c.line != NULL && !c.skip) || st == FEED_REJECTED)
		doc_result(s, &c, &res, st);
	doc_ctx_free(&c);
	feed_decoder_free(&d);
}

/*
 * After an index was read: the records whose time has passed and that it
 * no longer lists are dropped, and the owner rewrites its state.
 */
static void
compact(struct src_cap *s)
{
	size_t before = cap_cache_count(s->cache), n;

	n = cap_cache_compact(s->cache, &s->seen, feed_wall_ms());
	keyset_free(&s->seen);
	s->hl.known = cap_cache_count(s->cache);
	if (n == 0)
		return;
	log_msg(LOG_INFO,
	        "cap %s: %zu of %zu stored alerts past their time and no "
	        "longer listed: dropped",
	        s->url, n, before);
	if (s->h.compact != NULL)
		s->h.compact(s->h.arg);
}

static void
index_done(void *arg, const struct http_reply *r)
{
	struct src_cap *s = arg;
	const char *why = NULL;
	size_t skipped = 0;
	int kind;

	s->index_req = NULL;
	if (r->status == 304) {
		s->hl.not_modified++;
		s->backoff_ms = 0;
		s->hl.last_ok_ms = feed_wall_ms();
		pump(s);
		return;
	}
	if (r->status != 200) {
		char msg[200];
		snprintf(msg, sizeof msg, "index: %s%s%d",
		         r->error ? r->error : "HTTP status",
		         r->error ? "" : " ", r->error ? 0 : r->status);
		if (r->error)
			snprintf(msg, sizeof msg, "index: %.180s", r->error);
		poll_failed(s, msg);
		return;
	}
	s->backoff_ms = 0;
	/* why stays: the last failure, for ingest --status. */
	s->hl.last_ok_ms = feed_wall_ms();
	kind = feed_index_parse(r->body, r->len, s->o.max_index, index_entry, s,
	                        &skipped, &why);
	if (kind < 0) {
		char msg[200];
		snprintf(msg, sizeof msg, "index not usable: %.150s", why);
		s->hl.rejected[FEED_REJECT_INVALID_XML]++;
		poll_failed(s, msg);
		return;
	}
	keep_validators(s, r);
	if (skipped > 0)
		log_msg(LOG_INFO, "cap %s: %zu entries without a link", s->url,
		        skipped);
	if (kind == FEED_INDEX_CAP)
		single_doc(s, r);
	compact(s);
	lws_sul_schedule(s->ctx, 0, &s->sul_budget, budget_cb,
	                 (lws_usec_t)s->o.budget_ms * LWS_US_PER_MS);
	pump(s);
}

static void
poll_cb(lws_sorted_usec_list_t *sul)
{
	struct src_cap *s = lws_container_of(sul, struct src_cap, sul_poll);
	struct http_opts ho;
	const char *why = NULL;

	memset(&ho, 0, sizeof ho);
	ho.etag = s->etag;
	ho.last_modified = s->lastmod;
	ho.accept = "application/atom+xml, application/rss+xml, "
	            "application/cap+xml, application/xml;q=0.9";
	ho.max_body = s->o.max_index;
	ho.timeout_ms = s->o.timeout_ms;
	ho.ca_file = s->o.ca_file;
	keyset_free(&s->seen);
	s->polling = 1;
	s->hl.polls++;
	s->hl.state = "polling";
	s->hl.next_ms = 0;
	s->index_req =
	    http_request(s->ctx, s->url, &ho, NULL, index_done, s, &why);
	if (s->index_req == NULL)
		poll_failed(s, why);
}

/* ---- life ------------------------------------------------------------------
 */

static void
defaults(struct src_cap_opts *o)
{
	if (o->min_interval_ms <= 0)
		o->min_interval_ms = 10000;
	if (o->interval_ms <= 0)
		o->interval_ms = 60000;
	if (o->interval_ms < o->min_interval_ms)
		o->interval_ms = o->min_interval_ms;
	if (o->concurrency <= 0)
		o->concurrency = 4;
	if (o->budget_ms <= 0)
		o->budget_ms = 30000;
	if (o->timeout_ms <= 0)
		o->timeout_ms = 15000;
	if (o->max_index == 0)
		o->max_index = 4 << 20;
	if (o->max_doc == 0)
		o->max_doc = FEED_MAX_DEFAULT;
	if (o->backoff_min_ms <= 0)
		o->backoff_min_ms = 1000;
	if (o->backoff_max_ms <= 0)
		o->backoff_max_ms = 300000;
}

struct src_cap *
src_cap_new(struct lws_context *ctx, const struct src_cap_opts *o,
            const struct src_hooks *h, const char **why)
{
	struct src_cap *s;
	char host[256], path[2048];
	int tls, port;

	if (http_url_parse(o->url, &tls, host, sizeof host, &port, path,
	                   sizeof path) != 0) {
		*why = "not an http:// or https:// URL";
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->ctx = ctx;
	s->o = *o;
	defaults(&s->o);
	s->h = *h;
	s->url = xstrdup(o->url);
	s->o.url = s->url;
	s->zones = o->zones != NULL ? xstrdup(o->zones) : NULL;
	s->o.zones = s->zones;
	s->cache = cap_cache_new(s->o.retention_ms);
	s->slots = xcalloc((size_t)s->o.concurrency, sizeof *s->slots);
	for (int i = 0; i < s->o.concurrency; i++)
		s->slots[i].s = s;
	s->rng = (uint64_t)feed_wall_ms() ^ (uint64_t)(uintptr_t)s;
	s->hl.url = s->url;
	s->hl.state = "idle";
	schedule(s, 0, "idle");
	return s;
}

void
src_cap_free(struct src_cap **sp)
{
	struct src_cap *s = *sp;

	if (s == NULL)
		return;
	lws_sul_cancel(&s->sul_poll);
	lws_sul_cancel(&s->sul_budget);
	http_cancel(&s->index_req);
	for (int i = 0; i < s->o.concurrency; i++) {
		if (s->slots[i].key != NULL)
			slot_free(&s->slots[i]);
		feed_decoder_free(&s->slots[i].dec);
	}
	for (size_t i = s->qhead; i < s->nq; i++)
		free(s->queue[i]);
	free(s->queue);
	free(s->slots);
	cap_cache_free(&s->cache);
	keyset_free(&s->queued);
	keyset_free(&s->seen);
	keyset_free(&s->taken);
	free(s->etag);
	free(s->lastmod);
	free(s->url);
	free(s->zones);
	free(s);
	*sp = NULL;
}

void
src_cap_known(struct src_cap *s, const char *key)
{
	cap_cache_add(s->cache, key);
	s->hl.known = cap_cache_count(s->cache);
}

void
src_cap_each(const struct src_cap *s, void (*fn)(void *arg, const char *key),
             void *arg)
{
	cap_cache_each(s->cache, fn, arg);
}

void
src_cap_pause(struct src_cap *s, int pause)
{
	s->paused = pause;
	if (!pause)
		pump(s);
}

const struct src_health *
src_cap_health(struct src_cap *s)
{
	return &s->hl;
}
