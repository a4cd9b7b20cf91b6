/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * A polled Open311 GeoReport v2 server (src-open311.h). One poll is a
 * chain of requests, one at a time: the window (new requests), then the
 * open set by id in groups of 50; the next poll is scheduled when the
 * chain ends. Window and open set come from the confirmed keys, so a
 * restart resumes where the database is, not where the last run got.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libwebsockets.h>

#include "cityops/core/log.h"
#include "cityops/core/util.h"
#include "cityops/feed/cap-xml.h"
#include "cityops/feed/feed-client.h"
#include "cityops/feed/http-client.h"
#include "cityops/feed/keyset.h"
#include "cityops/feed/open311-services.h"
#include "cityops/feed/src-open311.h"

#define ID_BATCH 50

struct src_open311 {
	lws_sorted_usec_list_t sul_poll; /* first */
	struct lws_context *ctx;
	struct src_open311_opts o;
	struct src_hooks h;
	char *url, *base, *ext; /* ext: "json" or "xml" */
	struct http_req *req;
	struct feed_decoder *dec;
	struct keyset known;
	int64_t since_ms; /* latest requested time confirmed */
	/* The open set: id → 1, kept as a list with a set beside it. */
	struct keyset open_set;
	char **open_ids;
	size_t nopen, ocap;
	size_t step; /* where the chain is: 0 window, k: open ids from k-1 */
	int paused, backoff_ms;
	uint64_t rng;
	struct src_health hl;
	/* services.json (.xml): names for codes, read again every svc_every_ms
	 * with its validators (304 keeps what we have). */
	struct o311_services svc;
	char *svc_etag, *svc_lastmod;
	int64_t svc_next_ms;
	int svc_every_ms, svc_said;
};

static void poll_cb(lws_sorted_usec_list_t *sul);
static void next_step(struct src_open311 *s);

static void
schedule(struct src_open311 *s, int ms, const char *state)
{
	s->hl.state = state;
	s->hl.next_ms = feed_wall_ms() + ms;
	lws_sul_schedule(s->ctx, 0, &s->sul_poll, poll_cb,
	                 (lws_usec_t)ms * LWS_US_PER_MS);
}

static uint64_t
next_rand(struct src_open311 *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static void
failed(struct src_open311 *s, const char *what, const struct http_reply *r)
{
	int ms = feed_backoff_next(&s->backoff_ms, s->o.backoff_min_ms,
	                           s->o.backoff_max_ms, next_rand(s));

	s->hl.failures++;
	snprintf(s->hl.why, sizeof s->hl.why, "%s: %.150s (HTTP %d)", what,
	         r->error ? r->error : "refused", r->status);
	s->hl.failed_ms = feed_wall_ms();
	log_msg(LOG_WARN, "open311 %s: %s; next try in %d ms", s->url,
	        s->hl.why, ms);
	s->step = 0;
	schedule(s, ms, "waiting");
}

/* "id|updated|status|requested" */
static void
make_key(char *out, size_t n, const struct feed_open311 *r)
{
	snprintf(out, n, "%s|%" PRId64 "|%s|%" PRId64, r->id, r->updated_ms,
	         r->status ? r->status : "", r->requested_ms);
}

static void
set_open(struct src_open311 *s, const char *id, int open)
{
	if (open && keyset_add(&s->open_set, id)) {
		if (s->nopen == s->ocap) {
			s->ocap = s->ocap ? s->ocap * 2 : 32;
			s->open_ids = xrealloc(s->open_ids,
			                       s->ocap * sizeof *s->open_ids);
		}
		s->open_ids[s->nopen++] = xstrdup(id);
	} else if (!open && keyset_has(&s->open_set, id)) {
		/* Rare: rebuild the list without it. */
		struct keyset ks = {0};
		size_t k = 0;
		for (size_t i = 0; i < s->nopen; i++) {
			if (strcmp(s->open_ids[i], id) == 0) {
				free(s->open_ids[i]);
				continue;
			}
			keyset_add(&ks, s->open_ids[i]);
			s->open_ids[k++] = s->open_ids[i];
		}
		s->nopen = k;
		keyset_free(&s->open_set);
		s->open_set = ks;
	}
}

static void
on_event(void *arg, const struct feed_event *ev)
{
	struct src_open311 *s = arg;
	char key[FEED_ID_MAX * 2 + 64];
	struct feed_result res;

	if (ev->type != FEED_EV_OPEN311)
		return;
	make_key(key, sizeof key, &ev->u.open311);
	if (keyset_has(&s->known, key))
		return;
	s->hl.events++;
	if (ev->u.open311.service_name == NULL &&
	    ev->u.open311.service_code != NULL &&
	    o311_services_name(&s->svc, ev->u.open311.service_code) != NULL) {
		/* The service list names the code the request left bare. */
		struct feed_event named = *ev;
		named.u.open311.service_name =
		    o311_services_name(&s->svc, ev->u.open311.service_code);
		s->h.event(s->h.arg, key, &named);
	} else {
		s->h.event(s->h.arg, key, ev);
	}
	memset(&res, 0, sizeof res);
	res.events = 1;
	s->hl.docs++;
	s->h.doc(s->h.arg, key, &res);
}

static void
got(void *arg, const struct http_reply *r)
{
	struct src_open311 *s = arg;
	struct feed_result res;
	enum feed_status st;

	s->req = NULL;
	if (r->status != 200) {
		failed(s, s->step == 0 ? "requests" : "open requests by id", r);
		return;
	}
	s->backoff_ms = 0;
	s->hl.last_ok_ms = feed_wall_ms();
	st = feed_decode(s->dec, r->body, r->len, FEED_FORMAT_OPEN311, on_event,
	                 s, &res);
	if (st == FEED_REJECTED && !(r->len <= 2)) {
		s->hl.rejected[res.reason]++;
		log_msg(LOG_WARN, "open311 %s: answer refused: %s", s->url,
		        feed_reject_name(res.reason));
	} else if (res.skipped > 0) {
		s->hl.rejected[res.reason] += res.skipped;
		log_msg(LOG_WARN, "open311 %s: %u requests skipped (%s)",
		        s->url, res.skipped, feed_reject_name(res.reason));
	}
	next_step(s);
}

static void
get(struct src_open311 *s, struct buf *url)
{
	struct http_opts ho;
	const char *why = NULL;

	memset(&ho, 0, sizeof ho);
	ho.max_body = s->o.max_body;
	ho.timeout_ms = s->o.timeout_ms;
	ho.ca_file = s->o.ca_file;
	s->req = http_request(s->ctx, url->data, &ho, NULL, got, s, &why);
	if (s->req == NULL) {
		struct http_reply r = {.error = why};
		failed(s, "request", &r);
	}
}

static void
keep_svc_validators(struct src_open311 *s, const struct http_reply *r)
{
	free(s->svc_etag);
	free(s->svc_lastmod);
	s->svc_etag = r->etag ? xstrdup(r->etag) : NULL;
	s->svc_lastmod = r->last_modified ? xstrdup(r->last_modified) : NULL;
}

/* The endpoint speaks XML (requests.xml): its service list is XML too. */
static int
is_xml(const struct src_open311 *s)
{
	return strcmp(s->ext, "xml") == 0;
}

/* services.json answered (services.xml beside an XML endpoint): kept,
 * or the old list stays. Never fatal: a server without the list has
 * requests named by themselves only. */
static void
got_services(void *arg, const struct http_reply *r)
{
	struct src_open311 *s = arg;
	const char *why = NULL,
	           *file = is_xml(s) ? "services.xml" : "services.json";
	int skipped;

	s->req = NULL;
	s->svc_next_ms = feed_wall_ms() + s->svc_every_ms;
	if (r->status == 304) {
		s->hl.not_modified++;
	} else if (r->status != 200) {
		/* Said once a run: many servers have no list. */
		if (s->svc_said++ > 0)
			goto next;
		log_msg(LOG_WARN,
		        "open311 %s: %s: %.120s (HTTP %d); requests keep their "
		        "own names; tried again every %d s (said once)",
		        s->url, file, r->error ? r->error : "not there",
		        r->status, s->svc_every_ms / 1000);
	} else if ((skipped = is_xml(s)
	                          ? o311_services_parse_xml(r->body, r->len,
	                                                    &s->svc, &why)
	                          : o311_services_parse(r->body, r->len,
	                                                &s->svc, &why)) < 0) {
		s->hl.rejected[is_xml(s) ? FEED_REJECT_INVALID_XML
		                         : FEED_REJECT_INVALID_JSON]++;
		log_msg(LOG_WARN, "open311 %s: %s refused: %s", s->url, file,
		        why);
	} else {
		keep_svc_validators(s, r);
		log_msg(
		    LOG_INFO,
		    "open311 %s: %s: %zu services named, %d entries skipped",
		    s->url, file, s->svc.n, skipped);
	}
next:
	next_step(s);
}

static void
get_services(struct src_open311 *s)
{
	struct http_opts ho;
	const char *why = NULL;
	char *url = xasprintf("%sservices.%s", s->base, s->ext);

	memset(&ho, 0, sizeof ho);
	ho.max_body = s->o.max_body;
	ho.timeout_ms = s->o.timeout_ms;
	ho.ca_file = s->o.ca_file;
	ho.etag = s->svc_etag;
	ho.last_modified = s->svc_lastmod;
	ho.accept =
	    is_xml(s) ? "application/xml, text/xml;q=0.9" : "application/json";
	s->req = http_request(s->ctx, url, &ho, NULL, got_services, s, &why);
	free(url);
	if (s->req == NULL) {
		struct http_reply r = {.error = why};
		got_services(s, &r);
	}
}

/* The chain: the service list when due, the window, then the open set
 * by id. */
static void
next_step(struct src_open311 *s)
{
	struct buf u = {0};
	size_t from = s->step == 0 ? 0 : (s->step - 1) * ID_BATCH;

	if (s->paused) {
		schedule(s, 200, "paused");
		return;
	}
	if (s->step == 0 && feed_wall_ms() >= s->svc_next_ms) {
		s->hl.state = "polling";
		get_services(s);
		return;
	}
	if (s->step == 0) {
		/* A first poll looks back a day; later ones from the last
		 * request confirmed, less the overlap. */
		int64_t start = s->since_ms > 0 ? s->since_ms - s->o.overlap_ms
		                                : feed_wall_ms() - 86400000;
		buf_printf(&u, "%srequests.%s?start_date=", s->base, s->ext);
		xml_time(&u, start > 0 ? start : 0);
		buf_adds(&u, "&end_date=");
		xml_time(&u, feed_wall_ms() + 3600000);
	} else if (from < s->nopen) {
		buf_printf(&u, "%srequests.%s?service_request_id=", s->base,
		           s->ext);
		for (size_t i = from; i < s->nopen && i < from + ID_BATCH; i++)
			buf_printf(&u, "%s%s", i > from ? "," : "",
			           s->open_ids[i]);
	} else {
		int ms = s->o.interval_ms;
		s->step = 0;
		buf_free(&u);
		schedule(s, ms - (int)(next_rand(s) % (uint64_t)(ms / 10 + 1)),
		         "idle");
		return;
	}
	s->step++;
	s->hl.state = "polling";
	get(s, &u);
	buf_free(&u);
}

static void
poll_cb(lws_sorted_usec_list_t *sul)
{
	struct src_open311 *s =
	    lws_container_of(sul, struct src_open311, sul_poll);

	if (s->step == 0)
		s->hl.polls++;
	s->hl.next_ms = 0;
	next_step(s);
}

/* Splits the URL into the endpoint base and the format. */
static int
split(struct src_open311 *s)
{
	const char *u = s->url, *q = u + strcspn(u, "?");
	size_t n = (size_t)(q - u);

	if (n >= 13 && strncmp(q - 13, "requests.json", 13) == 0) {
		s->base = xstrndup(u, n - 13);
		s->ext = xstrdup("json");
	} else if (n >= 12 && strncmp(q - 12, "requests.xml", 12) == 0) {
		s->base = xstrndup(u, n - 12);
		s->ext = xstrdup("xml");
	} else {
		s->base = xasprintf("%.*s%s", (int)n, u,
		                    n > 0 && u[n - 1] == '/' ? "" : "/");
		s->ext = xstrdup("json");
	}
	return 0;
}

struct src_open311 *
src_open311_new(struct lws_context *ctx, const struct src_open311_opts *o,
                const struct src_hooks *h, const char **why)
{
	struct src_open311 *s;
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
	s->o.zones = NULL; /* applied to the decoder, not kept */
	if (s->o.min_interval_ms <= 0)
		s->o.min_interval_ms = 10000;
	if (s->o.interval_ms <= 0)
		s->o.interval_ms = 60000;
	if (s->o.interval_ms < s->o.min_interval_ms)
		s->o.interval_ms = s->o.min_interval_ms;
	if (s->o.overlap_ms <= 0)
		s->o.overlap_ms = 600000;
	if (s->o.timeout_ms <= 0)
		s->o.timeout_ms = 15000;
	if (s->o.max_body == 0)
		s->o.max_body = 4 << 20;
	if (s->o.backoff_min_ms <= 0)
		s->o.backoff_min_ms = 1000;
	if (s->o.backoff_max_ms <= 0)
		s->o.backoff_max_ms = 300000;
	s->h = *h;
	s->url = xstrdup(o->url);
	/* The list changes seldom: every ten polls, at most hourly. */
	s->svc_every_ms =
	    s->o.interval_ms > 360000 ? 3600000 : s->o.interval_ms * 10;
	split(s);
	s->dec = feed_decoder_new();
	feed_decoder_set_max(s->dec, s->o.max_body);
	feed_decoder_set_lenient(s->dec, o->lenient);
	if (o->zones != NULL)
		(void)feed_decoder_set_zones(s->dec, o->zones);
	s->rng = (uint64_t)feed_wall_ms() ^ (uint64_t)(uintptr_t)s;
	s->hl.url = s->url;
	schedule(s, 0, "idle");
	return s;
}

void
src_open311_free(struct src_open311 **sp)
{
	struct src_open311 *s = *sp;

	if (s == NULL)
		return;
	lws_sul_cancel(&s->sul_poll);
	http_cancel(&s->req);
	feed_decoder_free(&s->dec);
	keyset_free(&s->known);
	keyset_free(&s->open_set);
	for (size_t i = 0; i < s->nopen; i++)
		free(s->open_ids[i]);
	free(s->open_ids);
	free(s->url);
	free(s->base);
	free(s->ext);
	o311_services_free(&s->svc);
	free(s->svc_etag);
	free(s->svc_lastmod);
	free(s);
	*sp = NULL;
}

void
src_open311_known(struct src_open311 *s, const char *key)
{
	const char *p1 = strchr(key, '|'), *p2, *p3;
	char id[FEED_ID_MAX + 1];
	long long req;

	keyset_add(&s->known, key);
	s->hl.known = s->known.n;
	if (p1 == NULL || (p2 = strchr(p1 + 1, '|')) == NULL ||
	    (p3 = strchr(p2 + 1, '|')) == NULL ||
	    (size_t)(p1 - key) > FEED_ID_MAX)
		return;
	memcpy(id, key, (size_t)(p1 - key));
	id[p1 - key] = '\0';
	req = strtoll(p3 + 1, NULL, 10);
	if (req > s->since_ms)
		s->since_ms = req;
	/* Keys come in the order they were confirmed: the last says. */
	set_open(s, id,
	         (size_t)(p3 - p2 - 1) == 4 &&
	             strncasecmp(p2 + 1, "open", 4) == 0);
}

void
src_open311_pause(struct src_open311 *s, int pause)
{
	s->paused = pause;
}

const struct src_health *
src_open311_health(struct src_open311 *s)
{
	return &s->hl;
}
