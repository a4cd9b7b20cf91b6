/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The NGSI-LD endpoint's request judging on arbitrary heads and bodies:
 * the input is split at newlines into method, URI, Content-Type,
 * Content-Length, Transfer-Encoding, Expect, secret, tenant and Link (an
 * empty line is an absent header); what follows is a chunked body, fed to
 * the chunked decoder in pieces whose sizes come from the input too.
 * The endpoint serves one tenant when the input's last byte is odd.
 * Checked: a verdict is always one of the documented statuses with a
 * reason, 0 only for POST on the path with the right secret and a length
 * within the cap, and for the served tenant only when one is; a
 * ProblemDetails type only on the 404 of another tenant; the tenant and
 * context are NUL-terminated and clean;
 * the decoder never writes more data than it was given, and decoding in
 * pieces gives what decoding at once gives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/ngsi-http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIELDS 9

/* A header value equals want once the blanks around it (RFC 9110 OWS)
 * are gone, as the judge reads it. */
static int
same_trimmed(const char *got, const char *want)
{
	size_t n = strlen(got);

	while (n > 0 && (got[n - 1] == ' ' || got[n - 1] == '\t'))
		n--;
	while (n > 0 && (*got == ' ' || *got == '\t')) {
		got++;
		n--;
	}
	return n == strlen(want) && memcmp(got, want, n) == 0;
}

static void
check_verdict(const struct ngsi_http_cfg *cfg, const struct ngsi_http_req *r,
              const struct ngsi_http_verdict *v)
{
	static const int ok[] = {0,   400, 401, 404, 405,
	                         411, 413, 415, 417, 501};
	int found = 0;

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		found |= v->status == ok[i];
	if (!found || v->why == NULL)
		abort();
	if (strnlen(v->tenant, sizeof v->tenant) == sizeof v->tenant ||
	    strnlen(v->context, sizeof v->context) == sizeof v->context)
		abort();
	for (const char *c = v->context; *c; c++)
		if ((unsigned char)*c <= ' ')
			abort();
	if (v->problem != NULL && (v->status != 404 || cfg->tenant == NULL ||
	                           strcmp(v->tenant, cfg->tenant) == 0))
		abort();
	if (v->status != 0)
		return;
	if (cfg->tenant != NULL && strcmp(v->tenant, cfg->tenant) != 0)
		abort();
	if (r->method == NULL || strcmp(r->method, "POST") != 0 ||
	    r->uri == NULL ||
	    strncmp(r->uri, cfg->path, strlen(cfg->path)) != 0)
		abort();
	if (r->secret == NULL || !same_trimmed(r->secret, cfg->secret))
		abort();
	if (!v->chunked && (v->length < 0 || (size_t)v->length > cfg->max_body))
		abort();
}

static void
check_chunked(const char *body, size_t n, const uint8_t *cuts, size_t ncuts)
{
	struct ngsi_chunked a = {0}, b = {0};
	char *once = malloc(n + 1), *parts = malloc(n + 1);
	long wa = ngsi_chunked_decode(&a, body, n, once), wb = 0;
	size_t off = 0, k = 0;
	int broken = 0;

	if (wa > (long)n)
		abort();
	while (off < n) {
		size_t piece = ncuts ? (size_t)cuts[k++ % ncuts] % 17 + 1 : n;
		long w;
		if (piece > n - off)
			piece = n - off;
		w = ngsi_chunked_decode(&b, body + off, piece, parts + wb);
		if (w < 0) {
			broken = 1;
			break;
		}
		wb += w;
		off += piece;
		if (b.done)
			break;
	}
	/* Same bytes, same data, whatever the pieces. */
	if ((wa < 0) != broken)
		abort();
	if (wa >= 0 && (wa != wb || memcmp(once, parts, (size_t)wa) != 0 ||
	                a.done != b.done))
		abort();
	free(once);
	free(parts);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *f[NFIELDS] = {0}, *p = copy, *body;
	struct ngsi_http_cfg cfg = {"/notify", 4096, "x-auth-token:", "s3cret",
	                            NULL};
	struct ngsi_http_req r;
	struct ngsi_http_verdict v;
	char ctx[64];

	if (size > 0 && (data[size - 1] & 1))
		cfg.tenant = "city-a";
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (int i = 0; i < NFIELDS && p != NULL; i++) {
		char *nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		f[i] = *p ? p : NULL;
		p = nl ? nl + 1 : NULL;
	}
	memset(&r, 0, sizeof r);
	r.method = f[0];
	r.uri = f[1];
	r.content_type = f[2];
	r.content_length = f[3];
	r.transfer_encoding = f[4];
	r.expect = f[5];
	r.secret = f[6];
	r.tenant = f[7];
	r.link = f[8];
	ngsi_http_check(&cfg, &r, &v);
	check_verdict(&cfg, &r, &v);
	if (f[8] != NULL &&
	    ngsi_http_link_context(f[8], ctx, sizeof ctx) == 0 &&
	    strnlen(ctx, sizeof ctx) == sizeof ctx)
		abort();
	body = p != NULL ? p : copy + size;
	check_chunked(body, size - (size_t)(body - copy), data,
	              size < 8 ? size : 8);
	free(copy);
	return 0;
}
