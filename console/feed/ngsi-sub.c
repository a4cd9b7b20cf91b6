/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * ingest's NGSI-LD subscription (ngsi-sub.h): POST, on 409 PATCH, on a
 * PATCH's 404 POST again; then wait renew_s and do it again. One request
 * at a time, in the loop.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "cityops/core/log.h"
#include "cityops/core/util.h"
#include "cityops/feed/feed-client.h"
#include "cityops/feed/http-client.h"
#include "cityops/feed/ngsi-sub.h"

#define CORE_CONTEXT                                                           \
	"https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"

enum step { STEP_POST, STEP_PATCH };

struct ngsi_sub {
	lws_sorted_usec_list_t sul; /* first */
	struct lws_context *ctx;
	struct ngsi_sub_opts o;
	char *broker, *endpoint, *types, *attrs, *context, *ca;
	char id[128], base[2048];
	struct http_req *req;
	enum step step;
	int backoff_ms;
	uint64_t rng;
	struct src_health hl;
};

static void run(lws_sorted_usec_list_t *sul);

void
ngsi_sub_id(const char *broker, const char *endpoint, char *out, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = broker; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ '|') * 1099511628211ull;
	for (const char *p = endpoint; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	snprintf(out, n, "urn:ngsi-ld:Subscription:cityops-ingest-%016" PRIx64,
	         h);
}

/* A type or attribute name: a short name or a URI, nothing to escape. */
static int
names_ok(const char *list)
{
	const char *ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                 "0123456789_-.:/#,";

	if (list == NULL || list[0] == '\0' || list[0] == ',' ||
	    strlen(list) > 2000 || strspn(list, ok) != strlen(list) ||
	    strstr(list, ",,") != NULL || list[strlen(list) - 1] == ',')
		return 0;
	return 1;
}

/* ["a", "b"], or with as_type [{"type": "a"}, ...]. */
static void
json_list(struct buf *b, const char *list, int as_type)
{
	int first = 1;

	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ",");
		buf_adds(b, first ? "" : ", ");
		if (as_type)
			buf_printf(b, "{\"type\": \"%.*s\"}", (int)k, p);
		else
			buf_printf(b, "\"%.*s\"", (int)k, p);
		first = 0;
		p += k + (p[k] == ',');
	}
}

int
ngsi_sub_body(const struct ngsi_sub_opts *o, const char *id, int with_id,
              struct buf *b, const char **why)
{
	if (!names_ok(o->types)) {
		*why = "entity types: a comma-separated list of names";
		return -1;
	}
	if (o->attrs != NULL && !names_ok(o->attrs)) {
		*why = "attributes: a comma-separated list of names";
		return -1;
	}
	buf_adds(b, "{");
	if (with_id) {
		buf_adds(b, "\"id\": ");
		buf_add_json_string(b, id);
		buf_adds(b, ", \"type\": \"Subscription\", ");
	}
	buf_adds(b, "\"description\": ");
	buf_add_json_string(b, "cityops ingest: made and renewed by cityops "
	                       "ingest at start-up; its id says so");
	buf_adds(b, ", \"entities\": [");
	json_list(b, o->types, 1);
	buf_adds(b, "]");
	if (o->attrs != NULL) {
		buf_adds(b, ", \"watchedAttributes\": [");
		json_list(b, o->attrs, 0);
		buf_adds(b, "]");
	}
	buf_adds(b, ", \"notification\": {");
	if (o->attrs != NULL) {
		buf_adds(b, "\"attributes\": [");
		json_list(b, o->attrs, 0);
		buf_adds(b, "], ");
	}
	buf_adds(b, "\"format\": \"normalized\", \"endpoint\": {\"uri\": ");
	buf_add_json_string(b, o->endpoint);
	buf_adds(b, ", \"accept\": \"application/json\"}}, \"@context\": ");
	buf_add_json_string(b, o->context ? o->context : CORE_CONTEXT);
	buf_adds(b, "}");
	return 0;
}

static uint64_t
next_rand(struct ngsi_sub *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static void
schedule(struct ngsi_sub *s, int ms, const char *state)
{
	s->hl.state = state;
	s->hl.next_ms = feed_wall_ms() + ms;
	lws_sul_schedule(s->ctx, 0, &s->sul, run,
	                 (lws_usec_t)ms * LWS_US_PER_MS);
}

static void
failed(struct ngsi_sub *s, const char *what, const struct http_reply *r)
{
	int ms = feed_backoff_next(&s->backoff_ms, s->o.backoff_min_ms,
	                           s->o.backoff_max_ms, next_rand(s));

	s->hl.failures++;
	s->hl.failed_ms = feed_wall_ms();
	snprintf(s->hl.why, sizeof s->hl.why, "%s: %.120s (HTTP %d)", what,
	         r->error ? r->error
	                  : (r->body && r->len ? r->body : "refused"),
	         r->status);
	log_msg(LOG_WARN, "ngsi-broker %s: %s; next try in %d ms", s->broker,
	        s->hl.why, ms);
	s->step = STEP_POST;
	schedule(s, ms, "waiting");
}

static void
done_ok(struct ngsi_sub *s, const char *how)
{
	s->backoff_ms = 0;
	s->hl.last_ok_ms = feed_wall_ms();
	s->hl.docs++;
	s->step = STEP_POST;
	log_msg(LOG_INFO, "ngsi-broker %s: subscription %s %s (endpoint %s)",
	        s->broker, s->id, how, s->endpoint);
	schedule(s, s->o.renew_s * 1000, "subscribed");
}

static void
got(void *arg, const struct http_reply *r)
{
	struct ngsi_sub *s = arg;

	s->req = NULL;
	if (s->step == STEP_POST) {
		if (r->status == 201 || r->status == 200 || r->status == 204)
			done_ok(s, "created");
		else if (r->status == 409) {
			s->step = STEP_PATCH;
			schedule(s, 0, "renewing");
		} else
			failed(s, "create", r);
	} else {
		if (r->status == 204 || r->status == 200)
			done_ok(s, "renewed");
		else if (r->status == 404) {
			/* Gone between the two: make it again. */
			s->step = STEP_POST;
			schedule(s, 0, "subscribing");
		} else
			failed(s, "renew", r);
	}
}

static void
run(lws_sorted_usec_list_t *sul)
{
	struct ngsi_sub *s = lws_container_of(sul, struct ngsi_sub, sul);
	struct http_opts ho;
	struct buf body = {0}, url = {0};
	const char *why = NULL;
	int post = s->step == STEP_POST;

	s->hl.polls++;
	s->hl.next_ms = 0;
	s->hl.state = post ? "subscribing" : "renewing";
	(void)ngsi_sub_body(&s->o, s->id, post, &body, &why);
	buf_printf(&url, "%sngsi-ld/v1/subscriptions%s%s", s->base,
	           post ? "" : "/", post ? "" : s->id);
	memset(&ho, 0, sizeof ho);
	ho.method = post ? "POST" : "PATCH";
	ho.accept = "application/json";
	ho.content_type = "application/ld+json";
	ho.body = body.data;
	ho.body_len = body.len;
	ho.timeout_ms = 15000;
	ho.ca_file = s->o.ca_file;
	ho.tenant = s->o.tenant;
	ho.max_body = 64 * 1024;
	s->req = http_request(s->ctx, url.data, &ho, NULL, got, s, &why);
	if (s->req == NULL) {
		struct http_reply r = {.error = why};
		failed(s, post ? "create" : "renew", &r);
	}
	buf_free(&body);
	buf_free(&url);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct ngsi_sub *
ngsi_sub_new(struct lws_context *ctx, const struct ngsi_sub_opts *o,
             const char **why)
{
	struct ngsi_sub *s;
	struct buf probe = {0};
	char host[256], path[2048];
	int tls, port;

	if (http_url_parse(o->broker, &tls, host, sizeof host, &port, path,
	                   sizeof path) != 0 ||
	    strchr(o->broker, '?') != NULL) {
		*why = "the broker is not an http:// or https:// URL";
		return NULL;
	}
	if (o->endpoint == NULL ||
	    http_url_parse(o->endpoint, &tls, host, sizeof host, &port, path,
	                   sizeof path) != 0) {
		*why = "the endpoint is not an http:// or https:// URL";
		return NULL;
	}
	if (ngsi_sub_body(o, "x", 1, &probe, why) != 0) {
		buf_free(&probe);
		return NULL;
	}
	buf_free(&probe);
	s = xcalloc(1, sizeof *s);
	s->ctx = ctx;
	s->o = *o;
	s->o.broker = s->broker = xstrdup(o->broker);
	s->o.endpoint = s->endpoint = xstrdup(o->endpoint);
	s->o.types = s->types = xstrdup(o->types);
	s->o.attrs = s->attrs = dup_or_null(o->attrs);
	s->o.context = s->context = dup_or_null(o->context);
	s->o.ca_file = s->ca = dup_or_null(o->ca_file);
	if (s->o.renew_s <= 0)
		s->o.renew_s = 3600;
	if (s->o.backoff_min_ms <= 0)
		s->o.backoff_min_ms = 1000;
	if (s->o.backoff_max_ms <= 0)
		s->o.backoff_max_ms = 300000;
	snprintf(s->base, sizeof s->base, "%s%s", s->broker,
	         s->broker[strlen(s->broker) - 1] == '/' ? "" : "/");
	ngsi_sub_id(s->broker, s->endpoint, s->id, sizeof s->id);
	s->rng = (uint64_t)feed_wall_ms() ^ (uint64_t)(uintptr_t)s;
	s->hl.url = s->broker;
	schedule(s, 0, "subscribing");
	return s;
}

void
ngsi_sub_free(struct ngsi_sub **sp)
{
	struct ngsi_sub *s = *sp;

	if (s == NULL)
		return;
	lws_sul_cancel(&s->sul);
	http_cancel(&s->req);
	free(s->broker);
	free(s->endpoint);
	free(s->types);
	free(s->attrs);
	free(s->context);
	free(s->ca);
	free(s);
	*sp = NULL;
}

const struct src_health *
ngsi_sub_health(const struct ngsi_sub *s)
{
	return &s->hl;
}
