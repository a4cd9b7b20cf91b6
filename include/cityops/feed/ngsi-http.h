/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The head of an HTTP request a context broker (Orion-LD, Scorpio,
 * Stellio) sends to deliver an NGSI-LD notification, judged before any of
 * its body is read: the path (query string ignored), the method, the
 * shared secret, the framing (Content-Length or chunked), the media type,
 * Expect, the tenant and the JSON-LD context of the Link header.
 *
 * Pure: no I/O, no allocation, so the server (ngsi-listen.c) and the fuzz
 * target (tests/fuzz/fuzz-ngsi-http.c) run the same code.
 */
#ifndef CITYOPS_NGSI_HTTP_H
#define CITYOPS_NGSI_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* What the endpoint accepts. */
struct ngsi_http_cfg {
	const char *path;          /* "/notify": exact, query string aside */
	size_t max_body;           /* bytes; larger bodies get 413 */
	const char *secret_header; /* NULL when no secret is asked for */
	const char *secret;        /* its value */
	const char *tenant;        /* NULL: any; else only this NGSILD-Tenant */
};

/* The request head, as read; every field NULL when the header is absent. */
struct ngsi_http_req {
	const char *method; /* "POST" */
	const char *uri;    /* path and query string, as sent */
	const char *content_type;
	const char *content_length;
	const char *transfer_encoding;
	const char *expect;
	const char *secret; /* value of cfg->secret_header */
	const char *tenant; /* NGSILD-Tenant, else Fiware-Service */
	const char *link;
};

#define NGSI_TENANT_MAX  64
#define NGSI_CONTEXT_MAX 512

struct ngsi_http_verdict {
	int status;          /* 0: read the body; else the reply's status */
	const char *why;     /* a sentence for the log; never NULL */
	int chunked;         /* the body comes chunked */
	int expect_continue; /* the sender waits for 100 Continue */
	long long length;    /* Content-Length, -1 when chunked */
	char tenant[NGSI_TENANT_MAX + 1];   /* "" when none */
	char context[NGSI_CONTEXT_MAX + 1]; /* Link's @context, "" when none */
	/* The NGSI-LD error type of a refusal, for a ProblemDetails body
	 * (RFC 7807); NULL when the reply has no body. */
	const char *problem;
};

#define NGSI_PROBLEM_NONEXISTENT_TENANT                                        \
	"https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant"

/*
 * Judges req against cfg into *v. Returns v->status: 0 when the body is
 * to be read (then 204 follows once it is safely kept), else 404 (other
 * path), 405 (not POST), 401 (secret missing or wrong), 400 (bad
 * Content-Length, both framings, bad tenant), 411 (no length), 413 (over
 * max_body), 415 (not JSON), 417 (an expectation other than
 * 100-continue), 501 (a transfer coding other than chunked), and 404
 * with v->problem NonexistentTenant when cfg->tenant is set and the
 * request names another tenant or none (the default tenant): NGSI-LD
 * (ETSI GS CIM 009, the Tenant clause of the HTTP binding) answers a
 * request for a tenant that does not exist so.
 */
int ngsi_http_check(const struct ngsi_http_cfg *cfg,
                    const struct ngsi_http_req *req,
                    struct ngsi_http_verdict *v);

/*
 * The JSON-LD context URL of a Link header value (RFC 8288): the target
 * of the first link whose rel is http://www.w3.org/ns/json-ld#context.
 * Returns 0 and writes it to out (NUL-terminated), or -1 when there is
 * none, it is malformed or does not fit.
 */
int ngsi_http_link_context(const char *link, char *out, size_t outsz);

/*
 * A chunked request body (RFC 9112 §7.1) decoded as it arrives: lws
 * 4.1.6 hands a server the chunked bytes as they came, framing and all,
 * and never ends such a body. Zero it before the first call.
 */
struct ngsi_chunked {
	int state;       /* where in the framing we are */
	uint64_t remain; /* data bytes left in this chunk */
	int digits;      /* hex digits of the size read so far */
	int done;        /* the last chunk and the trailers are read */
};

/*
 * Decodes n bytes of in, writing the data to out (at most n bytes).
 * Returns the number of data bytes written, or -1 when the framing is
 * broken (a bad size, a missing CRLF, a size past 2^40). Bytes after the
 * end are ignored; c->done tells the end.
 */
long ngsi_chunked_decode(struct ngsi_chunked *c, const char *in, size_t n,
                         char *out);

#endif
