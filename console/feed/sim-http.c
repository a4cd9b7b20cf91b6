/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * feed-sim over HTTP (sim-http.h). Every document is made once at start
 * from the scenario stream: each CAP alert message becomes a CAP 1.2 XML
 * document at /cap/docs/POSITION.xml, each Open311 request a record. The
 * publishing clock follows the stream's rate: what a position below the
 * live position holds is published. /cap/index.atom lists the published
 * documents, newest first, with an ETag (the count published), so an
 * unchanged index answers 304. /open311/requests.json and .xml give the
 * published requests, filtered by start_date/end_date (requested time)
 * or by service_request_id, as GeoReport v2 servers do.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "cityops/core/log.h"
#include "cityops/core/util.h"
#include "cityops/feed/cap-xml.h"
#include "cityops/feed/feed-client.h"
#include "cityops/feed/feed-run.h"
#include "cityops/feed/feed.h"
#include "cityops/feed/scenario.h"
#include "sim-broker.h"
#include "sim-http.h"

struct doc {
	uint64_t pos;
	char *id;     /* CAP identifier, or Open311 service_request_id */
	int64_t ms;   /* sent, or requested */
	char *body;   /* CAP XML, or one Open311 request as JSON */
	char *xml;    /* Open311 only: the request as XML */
	char *status; /* Open311 only */
	int recorded;
};

struct sim_http {
	struct sim_http_opts o;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct lws_protocols protocols[2];
	struct doc *caps, *reqs;
	size_t ncaps, nreqs;
	int64_t t0_us;
	int started;
	uint64_t served;
	struct sim_broker *broker; /* --broker: NULL when not asked */
	int64_t gen_sent_ms;       /* --cap-gen: the alerts' sent */
};

struct conn {
	struct buf body;
	size_t off;
	/* A broker request waiting for its body. */
	struct buf rx;
	char method[8], path[512];
	char tenant[80]; /* NGSILD-Tenant of a broker request */
};

/* ---- the documents, made once --------------------------------------- */

struct build {
	struct sim_http *h;
	uint64_t pos;
};

static void
add(struct doc **v, size_t *n, uint64_t pos, const char *id, int64_t ms,
    struct buf *body, struct buf *xml)
{
	struct doc *d;

	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	d = &(*v)[(*n)++];
	memset(d, 0, sizeof *d);
	d->pos = pos;
	d->id = xstrdup(id);
	d->ms = ms;
	d->body = xstrdup(body->data ? body->data : "");
	d->xml = xml != NULL ? xstrdup(xml->data ? xml->data : "") : NULL;
}

static void
o311_json(struct buf *b, const struct feed_open311 *r)
{
	buf_adds(b, "{\"service_request_id\":");
	buf_add_json_string(b, r->id);
#define S(name, v)                                                             \
	if ((v) != NULL) {                                                     \
		buf_adds(b, ",\"" name "\":");                                 \
		buf_add_json_string(b, v);                                     \
	}
	S("status", r->status)
	S("service_code", r->service_code)
	S("service_name", r->service_name)
	S("description", r->description)
	S("address", r->address)
#undef S
	if (!isnan(r->lat) && !isnan(r->lon))
		buf_printf(b, ",\"lat\":%.6f,\"long\":%.6f", r->lat, r->lon);
	buf_adds(b, ",\"requested_datetime\":\"");
	xml_time(b, r->requested_ms);
	buf_adds(b, "\"}");
}

static void
xel(struct buf *b, const char *name, const char *v)
{
	if (v == NULL)
		return;
	buf_printf(b, "<%s>", name);
	xml_escape(b, v);
	buf_printf(b, "</%s>", name);
}

static void
o311_xml(struct buf *b, const struct feed_open311 *r)
{
	buf_adds(b, "<request>");
	xel(b, "service_request_id", r->id);
	xel(b, "status", r->status ? r->status : "open");
	xel(b, "service_code", r->service_code);
	xel(b, "service_name", r->service_name);
	xel(b, "description", r->description);
	xel(b, "address", r->address);
	if (!isnan(r->lat) && !isnan(r->lon))
		buf_printf(b, "<lat>%.6f</lat><long>%.6f</long>", r->lat,
		           r->lon);
	buf_adds(b, "<requested_datetime>");
	xml_time(b, r->requested_ms);
	buf_adds(b, "</requested_datetime></request>");
}

static void
build_event(void *arg, const struct feed_event *ev)
{
	struct build *bd = arg;
	struct buf b = {0}, x = {0};

	if (ev->type == FEED_EV_CAP) {
		cap_xml_write(&b, &ev->u.cap);
		add(&bd->h->caps, &bd->h->ncaps, bd->pos, ev->u.cap.identifier,
		    ev->u.cap.sent_ms, &b, NULL);
	} else if (ev->type == FEED_EV_OPEN311 &&
	           ev->u.open311.requested_ms > 0) {
		o311_json(&b, &ev->u.open311);
		o311_xml(&x, &ev->u.open311);
		add(&bd->h->reqs, &bd->h->nreqs, bd->pos, ev->u.open311.id,
		    ev->u.open311.requested_ms, &b, &x);
		bd->h->reqs[bd->h->nreqs - 1].status = xstrdup(
		    ev->u.open311.status ? ev->u.open311.status : "open");
	}
	buf_free(&b);
	buf_free(&x);
}

static void
build(struct sim_http *h)
{
	struct feed_decoder *d = feed_decoder_new();
	struct buf msg = {0};
	struct build bd = {.h = h};

	for (uint64_t k = 0; k < h->o.count; k++) {
		buf_reset(&msg);
		scenario_message(h->o.sc, k, 0, &msg);
		bd.pos = k;
		feed_decode(d, msg.data, msg.len, FEED_FORMAT_AUTO, build_event,
		            &bd, NULL);
	}
	buf_free(&msg);
	feed_decoder_free(&d);
}

/* ---- publishing --------------------------------------------------------- */

static uint64_t
live_pos(struct sim_http *h)
{
	double p;

	if (!h->started) {
		h->started = 1;
		h->t0_us = feed_mono_us();
	}
	if (h->o.rate <= 0)
		return h->o.count;
	p = (double)(feed_mono_us() - h->t0_us) / 1e6 * h->o.rate;
	return p >= (double)h->o.count ? h->o.count : (uint64_t)p;
}

static size_t
published(struct sim_http *h, struct doc *v, size_t n, const char *kind)
{
	uint64_t live = live_pos(h);
	size_t k = 0;

	while (k < n && v[k].pos < live) {
		if (!v[k].recorded && h->o.record != NULL) {
			fprintf(h->o.record,
			        "%" PRIu64 "\t%s\t%s\t%" PRId64 "\t%s\n",
			        v[k].pos, kind, v[k].id, v[k].ms,
			        v[k].status ? v[k].status : "");
			fflush(h->o.record);
		}
		v[k].recorded = 1;
		k++;
	}
	return k;
}

static void
atom(struct sim_http *h, struct buf *b, size_t n)
{
	buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	            "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
	            "  <id>urn:cityops:feed-sim:cap</id>\n"
	            "  <title>cityops feed-sim CAP alerts</title>\n");
	for (size_t i = n; i-- > 0;) {
		const struct doc *d = &h->caps[i];
		buf_adds(b, "  <entry>\n    <id>");
		xml_escape(b, d->id);
		buf_adds(b, "</id>\n    <updated>");
		xml_time(b, d->ms);
		buf_printf(b,
		           "</updated>\n    <link rel=\"alternate\" "
		           "type=\"application/cap+xml\" "
		           "href=\"docs/%" PRIu64 ".xml\"/>\n  </entry>\n",
		           d->pos);
	}
	buf_adds(b, "</feed>\n");
}

/* 1 when id is in the comma-separated list. */
static int
in_list(const char *list, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && memcmp(p, id, n) == 0)
			return 1;
		p += k + (p[k] == ',');
	}
	return 0;
}

/* 1 when a request published after reqs[i] is the same one: a server
 * gives each request once, as it stands now. */
static int
later_state(const struct sim_http *h, size_t i, size_t n)
{
	for (size_t k = i + 1; k < n; k++)
		if (strcmp(h->reqs[k].id, h->reqs[i].id) == 0)
			return 1;
	return 0;
}

static void
requests(struct sim_http *h, struct lws *wsi, struct buf *b, int xml)
{
	size_t n = published(h, h->reqs, h->nreqs, "open311");
	char v[2048], ids[2048] = "";
	int64_t from = 0, to = INT64_MAX;
	int first = 1;

	if (lws_get_urlarg_by_name(wsi, "start_date=", v, sizeof v) != NULL)
		feed_parse_time(v, strlen(v), 0, &from);
	if (lws_get_urlarg_by_name(wsi, "end_date=", v, sizeof v) != NULL)
		feed_parse_time(v, strlen(v), 0, &to);
	if (lws_get_urlarg_by_name(wsi, "service_request_id=", v, sizeof v) !=
	    NULL)
		snprintf(ids, sizeof ids, "%s", v);
	buf_adds(b, xml ? "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	                  "<service_requests>\n"
	                : "[");
	for (size_t i = 0; i < n; i++) {
		const struct doc *d = &h->reqs[i];
		if (ids[0] ? !in_list(ids, d->id) : d->ms < from || d->ms > to)
			continue;
		if (later_state(h, i, n))
			continue;
		if (!xml && !first)
			buf_adds(b, ",");
		buf_adds(b, xml ? d->xml : d->body);
		if (xml)
			buf_adds(b, "\n");
		first = 0;
	}
	buf_adds(b, xml ? "</service_requests>\n" : "]");
}

/* ---- serving ------------------------------------------------------------ */

static int
answer(struct lws *wsi, struct conn *c, int status, const char *ctype,
       const char *etag)
{
	unsigned char hb[LWS_PRE + 1024], *start = hb + LWS_PRE, *p = start,
	                                  *end = hb + sizeof hb - 1;

	if (lws_add_http_common_headers(wsi, (unsigned)status, ctype,
	                                c->body.len, &p, end) ||
	    (etag != NULL &&
	     lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_ETAG,
	                                  (const unsigned char *)etag,
	                                  (int)strlen(etag), &p, end)) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return 1;
	if (c->body.len == 0)
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	lws_callback_on_writable(wsi);
	return 0;
}

static const char *
method_of(struct lws *wsi)
{
	if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0)
		return "POST";
	if (lws_hdr_total_length(wsi, WSI_TOKEN_PATCH_URI) > 0)
		return "PATCH";
	if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI) > 0)
		return "DELETE";
	if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI) > 0)
		return "PUT";
	return "GET";
}

/* The broker's answer to a whole request (sim-broker.h). */
static int
broker_answer(struct sim_http *h, struct lws *wsi, struct conn *c)
{
	char made[256] = "";
	int st;

	buf_reset(&c->body);
	c->off = 0;
	sim_broker_tenant(h->broker, c->tenant);
	st = sim_broker_request(h->broker, c->method, c->path,
	                        c->rx.data ? c->rx.data : "", c->rx.len,
	                        &c->body, made, sizeof made);
	buf_free(&c->rx);
	c->method[0] = '\0';
	if (st == 201) {
		/* Location: the new subscription, as a broker answers. */
		unsigned char hb[LWS_PRE + 1024], *start = hb + LWS_PRE,
		                                  *p = start,
		                                  *end = hb + sizeof hb - 1;
		char loc[800];
		snprintf(loc, sizeof loc, "%s/%s", c->path, made);
		if (lws_add_http_common_headers(wsi, 201, "application/json", 0,
		                                &p, end) ||
		    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_LOCATION,
		                                 (unsigned char *)loc,
		                                 (int)strlen(loc), &p, end) ||
		    lws_finalize_write_http_header(wsi, start, &p, end))
			return 1;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	}
	return answer(wsi, c, st,
	              c->body.len ? "application/json" : "text/plain", NULL);
}

/*
 * --cap-gen N: /cap/gen/S/index.atom lists N alerts of sender gen-S,
 * /cap/gen/S/K.xml (K < N), identifiers GEN-K shared by every sender, all
 * sent when feed-sim started, status Test (CAP: "technical testing only,
 * all recipients disregard", so ingest caches them and raises nothing);
 * made on request, so any number of sources cost nothing to hold
 * (benchmarks). Returns 1 when path was one of them.
 */
static int
cap_gen(struct sim_http *h, const char *path, struct buf *b, int *index)
{
	unsigned s, k;
	char tail[16];

	if (h->o.cap_gen <= 0 ||
	    sscanf(path, "/cap/gen/%u/%15s", &s, tail) != 2)
		return 0;
	if (strcmp(tail, "index.atom") == 0) {
		*index = 1;
		buf_printf(b,
		           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		           "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
		           "<id>urn:cityops:feed-sim:gen:%u</id><title>gen %u"
		           "</title>\n",
		           s, s);
		for (int i = 0; i < h->o.cap_gen; i++)
			buf_printf(b,
			           "<entry><id>urn:gen:%u:%d</id><link "
			           "type=\"application/cap+xml\" "
			           "href=\"%d.xml\"/></entry>\n",
			           s, i, i);
		buf_adds(b, "</feed>\n");
		return 1;
	}
	if (sscanf(tail, "%u.xml", &k) != 1 || k >= (unsigned)h->o.cap_gen)
		return 0;
	*index = 0;
	buf_printf(b,
	           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	           "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
	           "<identifier>GEN-%u</identifier><sender>gen-%u@feed-sim."
	           "cityops</sender><sent>",
	           k, s);
	xml_time(b, h->gen_sent_ms);
	buf_printf(b,
	           "</sent><status>Test</status><msgType>Alert</msgType>"
	           "<scope>Public</scope><info><language>zh-CN</language>"
	           "<category>Met</category><event>大风</event><urgency>"
	           "Expected</urgency><severity>Minor</severity><certainty>"
	           "Likely</certainty><headline>大风蓝色预警 %u-%u</headline>"
	           "<area><areaDesc>奉贤区</areaDesc><geocode><valueName>"
	           "GB/T 2260</valueName><value>310120</value></geocode>"
	           "</area></info></alert>\n",
	           s, k);
	return 1;
}

static int
on_request(struct sim_http *h, struct lws *wsi, struct conn *c,
           const char *path)
{
	int gen_index;

	char inm[128] = "", etag[32];
	unsigned long long pos;
	size_t n;

	buf_reset(&c->body);
	c->off = 0;
	h->served++;
	if (h->broker != NULL && sim_broker_path(path)) {
		snprintf(c->method, sizeof c->method, "%s", method_of(wsi));
		snprintf(c->path, sizeof c->path, "%s", path);
		if (lws_hdr_custom_copy(wsi, c->tenant, sizeof c->tenant,
		                        "ngsild-tenant:", 14) < 0)
			c->tenant[0] = '\0';
		buf_reset(&c->rx);
		/* POST and PATCH: answered when the body is in. */
		if (strcmp(c->method, "POST") == 0 ||
		    strcmp(c->method, "PATCH") == 0)
			return 0;
		return broker_answer(h, wsi, c);
	}
	for (int i = 0; i < h->o.nfiles; i++) {
		uint32_t hash = 2166136261u;
		if (strcmp(path, h->o.file_path[i]) != 0)
			continue;
		for (const char *q = h->o.file_body[i]; *q; q++)
			hash = (hash ^ (unsigned char)*q) * 16777619u;
		snprintf(etag, sizeof etag, "\"f%08x\"", hash);
		if (lws_hdr_copy(wsi, inm, sizeof inm,
		                 WSI_TOKEN_HTTP_IF_NONE_MATCH) > 0 &&
		    strcmp(inm, etag) == 0)
			return answer(wsi, c, 304, "application/json", etag);
		buf_adds(&c->body, h->o.file_body[i]);
		return answer(wsi, c, 200,
		              strstr(path, ".xml") ? "text/xml"
		                                   : "application/json",
		              etag);
	}
	if (cap_gen(h, path, &c->body, &gen_index)) {
		if (!gen_index)
			return answer(wsi, c, 200, "application/cap+xml", NULL);
		if (lws_hdr_copy(wsi, inm, sizeof inm,
		                 WSI_TOKEN_HTTP_IF_NONE_MATCH) > 0 &&
		    strcmp(inm, "\"gen\"") == 0) {
			buf_reset(&c->body);
			return answer(wsi, c, 304, "application/atom+xml",
			              "\"gen\"");
		}
		return answer(wsi, c, 200, "application/atom+xml", "\"gen\"");
	}
	if (strcmp(path, "/cap/index.atom") == 0) {
		n = published(h, h->caps, h->ncaps, "cap");
		snprintf(etag, sizeof etag, "\"%zu\"", n);
		if (lws_hdr_copy(wsi, inm, sizeof inm,
		                 WSI_TOKEN_HTTP_IF_NONE_MATCH) > 0 &&
		    strcmp(inm, etag) == 0)
			return answer(wsi, c, 304, "application/atom+xml",
			              etag);
		atom(h, &c->body, n);
		return answer(wsi, c, 200, "application/atom+xml", etag);
	}
	if (sscanf(path, "/cap/docs/%llu.xml", &pos) == 1) {
		n = published(h, h->caps, h->ncaps, "cap");
		for (size_t i = 0; i < n; i++)
			if (h->caps[i].pos == pos) {
				buf_adds(&c->body, h->caps[i].body);
				return answer(wsi, c, 200,
				              "application/cap+xml", NULL);
			}
	} else if (strcmp(path, "/open311/requests.json") == 0) {
		requests(h, wsi, &c->body, 0);
		return answer(wsi, c, 200, "application/json", NULL);
	} else if (strcmp(path, "/open311/requests.xml") == 0) {
		requests(h, wsi, &c->body, 1);
		return answer(wsi, c, 200, "text/xml", NULL);
	}
	buf_adds(&c->body, "not found\n");
	return answer(wsi, c, 404, "text/plain", NULL);
}

static int
write_more(struct lws *wsi, struct conn *c)
{
	size_t n = c->body.len - c->off, chunk = n > 16384 ? 16384 : n;
	unsigned char *b = xmalloc(LWS_PRE + chunk);
	int final = chunk == n, w;

	memcpy(b + LWS_PRE, c->body.data + c->off, chunk);
	w = lws_write(wsi, b + LWS_PRE, chunk,
	              final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
	free(b);
	if (w < (int)chunk)
		return -1;
	c->off += chunk;
	if (!final) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int
http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
        size_t len)
{
	const struct lws_protocols *pr = wsi ? lws_get_protocol(wsi) : NULL;
	struct conn *c = user;

	(void)len;
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		if (pr == NULL || pr->user == NULL)
			return -1;
		return on_request(pr->user, wsi, c, (const char *)in);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return c->off < c->body.len ? write_more(wsi, c) : 0;
	case LWS_CALLBACK_HTTP_BODY:
		if (c == NULL || c->method[0] == '\0' ||
		    c->rx.len + len > 65536)
			return -1;
		buf_add(&c->rx, in, len);
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (pr == NULL || pr->user == NULL || c == NULL ||
		    c->method[0] == '\0')
			return -1;
		return broker_answer(pr->user, wsi, c);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (c != NULL) {
			buf_free(&c->body);
			buf_free(&c->rx);
		}
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

struct sim_http *
sim_http_new(struct lws_context *ctx, const struct sim_http_opts *o)
{
	struct sim_http *h = xcalloc(1, sizeof *h);
	struct lws_context_creation_info info;

	h->o = *o;
	h->ctx = ctx;
	h->gen_sent_ms = feed_wall_ms() / 1000 * 1000;
	if (o->broker != NULL)
		h->broker = sim_broker_new(o->broker);
	build(h);
	h->protocols[0].name = "http";
	h->protocols[0].callback = http_cb;
	h->protocols[0].per_session_data_size = sizeof(struct conn);
	h->protocols[0].user = h;
	memset(&info, 0, sizeof info);
	info.port = o->port;
	info.iface = o->host;
	info.protocols = h->protocols;
	info.vhost_name = "feed-sim-http";
	info.gid = -1;
	info.uid = -1;
	if (o->cert != NULL) {
		info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = o->cert;
		info.ssl_private_key_filepath = o->key;
	}
	h->vh = lws_create_vhost(ctx, &info);
	if (h->vh == NULL) {
		fprintf(stderr, "cityops feed-sim: cannot listen on %s:%d%s\n",
		        o->host, o->port,
		        o->cert ? " (or the certificate or key is unusable)"
		                : "");
		sim_http_free(&h);
		return NULL;
	}
	if (!o->hold)
		live_pos(h);
	log_msg(LOG_INFO,
	        "feed-sim: %zu CAP documents and %zu Open311 requests in "
	        "%" PRIu64 " stream positions, %g/s",
	        h->ncaps, h->nreqs, o->count, o->rate);
	return h;
}

int
sim_http_port(const struct sim_http *h)
{
	return lws_get_vhost_listen_port(h->vh);
}

static void
docs_free(struct doc *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].body);
		free(v[i].xml);
		free(v[i].status);
	}
	free(v);
}

void
sim_http_free(struct sim_http **hp)
{
	struct sim_http *h = *hp;

	if (h == NULL)
		return;
	docs_free(h->caps, h->ncaps);
	docs_free(h->reqs, h->nreqs);
	sim_broker_free(&h->broker);
	free(h);
	*hp = NULL;
}
