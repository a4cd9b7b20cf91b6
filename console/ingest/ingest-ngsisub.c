/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest --ngsi-broker URL: its own subscription on the broker
 * (ngsi-sub.h), pointing at its --ngsi-listen endpoint, made or renewed
 * at start-up once the endpoint listens. Options here; health as an
 * "ngsi" row labelled ngsi-sub.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/http-client.h"
#include "cityops/feed/ngsi-sub.h"
#include "ingest-internal.h"

struct ingest_ngsisub {
	const char *broker, *types, *attrs, *endpoint, *context;
	int renew_s;
	struct ngsi_sub *sub;
	char uri[2300];
};

static struct ingest_ngsisub *
sub_of(struct ingest *in)
{
	if (in->ngsisub == NULL)
		in->ngsisub = xcalloc(1, sizeof *in->ngsisub);
	return in->ngsisub;
}

static int
is_url(const char *s)
{
	char host[256], path[2048];
	int tls, port;

	return http_url_parse(s, &tls, host, sizeof host, &port, path,
	                      sizeof path) == 0;
}

int
ingest_ngsisub_opt(const struct opt_parser *p, int opt, const char *arg,
                   struct ingest *in)
{
	struct ingest_ngsisub *s;
	struct ngsi_sub_opts o = {.types = arg, .endpoint = "http://x/"};
	struct buf b = {0};
	const char *why = NULL;
	long long v;
	int rc;

	if (opt < OPT_NGSISUB_FIRST || opt > OPT_NGSISUB_LAST)
		return 1;
	s = sub_of(in);
	switch (opt) {
	case OPT_NGSI_BROKER:
		if (!is_url(arg) || strchr(arg, '?') != NULL)
			return opt_error(p, opt, arg,
			                 "not an http:// or https:// URL");
		s->broker = arg;
		return 0;
	case OPT_NGSI_ENDPOINT:
		if (!is_url(arg))
			return opt_error(p, opt, arg,
			                 "not an http:// or https:// URL");
		s->endpoint = arg;
		return 0;
	case OPT_NGSI_CONTEXT:
		if (!is_url(arg) || strpbrk(arg, "\"\\") != NULL)
			return opt_error(p, opt, arg,
			                 "not an http:// or https:// URL");
		s->context = arg;
		return 0;
	case OPT_NGSI_TYPES:
	case OPT_NGSI_ATTRS:
		if (opt == OPT_NGSI_ATTRS)
			o = (struct ngsi_sub_opts){.types = "T", .attrs = arg};
		rc = ngsi_sub_body(&o, "x", 1, &b, &why);
		buf_free(&b);
		if (rc != 0)
			return opt_error(p, opt, arg, why);
		*(opt == OPT_NGSI_TYPES ? &s->types : &s->attrs) = arg;
		return 0;
	case OPT_NGSI_RENEW:
		if (opt_int(p, opt, arg, 10, 7 * 86400, &v) != 0)
			return -1;
		s->renew_s = (int)v;
		return 0;
	}
	return 1;
}

int
ingest_ngsisub_check(const struct ingest *in)
{
	const struct ingest_ngsisub *s = in->ngsisub;

	if (s == NULL)
		return 0;
	if (s->broker == NULL) {
		fprintf(stderr, "cityops ingest: --ngsi-types, --ngsi-attrs, "
		                "--ngsi-endpoint, --ngsi-context and "
		                "--ngsi-renew need --ngsi-broker\n");
		return -1;
	}
	if (s->types == NULL) {
		fprintf(stderr, "cityops ingest: --ngsi-broker needs "
		                "--ngsi-types (the entity types to watch)\n");
		return -1;
	}
	if (!ingest_push_ngsi_listening(in)) {
		fprintf(stderr,
		        "cityops ingest: --ngsi-broker needs "
		        "--ngsi-listen (where the broker is to POST)\n");
		return -1;
	}
	return 0;
}

int
ingest_ngsisub_start(struct ingest *in)
{
	struct ingest_ngsisub *s = in->ngsisub;
	struct ngsi_sub_opts o;
	const char *why = NULL;

	if (s == NULL || s->broker == NULL)
		return 0;
	if (s->endpoint != NULL)
		snprintf(s->uri, sizeof s->uri, "%s", s->endpoint);
	else if (ingest_push_ngsi_endpoint(in, s->uri, sizeof s->uri) != 0)
		return -1;
	memset(&o, 0, sizeof o);
	o.broker = s->broker;
	o.endpoint = s->uri;
	o.types = s->types;
	o.attrs = s->attrs;
	o.context = s->context;
	o.ca_file = in->capopts.ca_file;
	o.renew_s = s->renew_s;
	o.tenant = ingest_push_ngsi_tenant(in);
	s->sub = ngsi_sub_new(loop_lws(in->loop), &o, &why);
	if (s->sub == NULL) {
		log_msg(LOG_ERROR, "ingest: --ngsi-broker %s: %s", s->broker,
		        why);
		return -1;
	}
	return 0;
}

void
ingest_ngsisub_health_rows(struct ingest *in, struct buf *b)
{
	struct ingest_ngsisub *s = in->ngsisub;
	const struct src_health *h;
	struct ingest_health_row r = {0};

	if (s == NULL || s->sub == NULL)
		return;
	h = ngsi_sub_health(s->sub);
	r.kind = "ngsi";
	snprintf(r.label, sizeof r.label, "ngsi-sub");
	r.url = s->broker;
	r.ok = h->failed_ms == 0 || h->last_ok_ms >= h->failed_ms;
	r.state = h->state;
	r.last_ok_ms = h->last_ok_ms;
	r.last_error = h->why;
	r.reconnects = h->failures;
	snprintf(r.position, sizeof r.position, "%.50s", s->uri);
	ingest_health_count(&r, "attempts", h->polls);
	ingest_health_count(&r, "subscribed", h->docs);
	ingest_health_count(&r, "failures", h->failures);
	ingest_health_row(b, &r);
	buf_free(&r.counts);
}

void
ingest_ngsisub_free(struct ingest *in)
{
	if (in->ngsisub == NULL)
		return;
	ngsi_sub_free(&in->ngsisub->sub);
	free(in->ngsisub);
	in->ngsisub = NULL;
}
