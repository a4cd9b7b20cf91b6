/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Judging an NGSI-LD notification request by its head (ngsi-http.h).
 * Every header value here came from the network: nothing is trusted,
 * nothing is written past the verdict's own buffers.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "cityops/feed/ngsi-http.h"

#define JSONLD_CONTEXT_REL "http://www.w3.org/ns/json-ld#context"

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* s[0..n) without leading and trailing blanks. */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

static int
token_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* The path, up to '?' or '#', equals path. */
static int
path_matches(const char *uri, const char *path)
{
	size_t n = strcspn(uri, "?#");

	return strlen(path) == n && memcmp(uri, path, n) == 0;
}

/* Compares without an early exit, so timing tells nothing of the secret. */
static int
secret_equal(const char *got, const char *want)
{
	size_t gn = strlen(got), wn = strlen(want);

	/* A header value may carry blanks around it (RFC 9110 OWS). */
	trim(&got, &gn);
	unsigned diff = gn != wn;

	for (size_t i = 0; i < wn; i++)
		diff |= (unsigned char)want[i] ^
		        (unsigned char)(i < gn ? got[i] : 0);
	return diff == 0;
}

/* A media type we read: application/json, ld+json or geo+json. */
static int
json_type(const char *ct)
{
	const char *s = ct;
	size_t n = strcspn(ct, ";");

	trim(&s, &n);
	return token_is(s, n, "application/json") ||
	       token_is(s, n, "application/ld+json") ||
	       token_is(s, n, "application/geo+json");
}

/* Content-Length: digits only (one value), into *out. */
static int
parse_length(const char *s, long long *out)
{
	size_t n = strlen(s);
	long long v = 0;

	trim(&s, &n);
	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Transfer-Encoding is exactly "chunked" (the only coding we read). */
static int
chunked_only(const char *te)
{
	const char *s = te;
	size_t n = strlen(te);

	trim(&s, &n);
	return token_is(s, n, "chunked");
}

/* A tenant names a database in the brokers: letters, digits, _ and -. */
static int
copy_tenant(const char *t, char *out)
{
	size_t n = strlen(t);

	trim(&t, &n);
	if (n == 0 || n > NGSI_TENANT_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return -1;
	}
	memcpy(out, t, n);
	out[n] = '\0';
	return 0;
}

/* Does the parameter list p[0..n) say rel="...json-ld#context"? */
static int
rel_is_context(const char *p, size_t n)
{
	while (n > 0) {
		size_t seg = 0;
		int quoted = 0;
		const char *name, *val;
		size_t nn, vn;

		/* One parameter, up to a ';' outside quotes. */
		while (seg < n && (quoted || p[seg] != ';')) {
			if (p[seg] == '"')
				quoted = !quoted;
			seg++;
		}
		name = p;
		nn = seg;
		val = memchr(p, '=', seg);
		if (val != NULL) {
			nn = (size_t)(val - p);
			val++;
			vn = seg - (size_t)(val - p);
			trim(&name, &nn);
			trim(&val, &vn);
			if (vn >= 2 && val[0] == '"' && val[vn - 1] == '"') {
				val++;
				vn -= 2;
			}
			if (token_is(name, nn, "rel")) {
				/* rel may list several space-separated. */
				while (vn > 0) {
					size_t w = 0;
					while (w < vn && val[w] != ' ')
						w++;
					if (w == strlen(JSONLD_CONTEXT_REL) &&
					    memcmp(val, JSONLD_CONTEXT_REL,
					           w) == 0)
						return 1;
					val += w;
					vn -= w;
					while (vn > 0 && *val == ' ') {
						val++;
						vn--;
					}
				}
			}
		}
		p += seg;
		n -= seg;
		if (n > 0) {
			p++;
			n--;
		}
	}
	return 0;
}

int
ngsi_http_link_context(const char *link, char *out, size_t outsz)
{
	const char *p = link;

	/* link-value *( "," link-value ); a target has no ',' or '>'. */
	while (*p != '\0') {
		const char *lt, *gt, *end;
		while (is_space(*p) || *p == ',')
			p++;
		if (*p != '<')
			return -1;
		lt = p + 1;
		if ((gt = strchr(lt, '>')) == NULL)
			return -1;
		/* The parameters run to the next ',' outside quotes. */
		end = gt + 1;
		{
			int quoted = 0;
			while (*end != '\0' && (quoted || *end != ',')) {
				if (*end == '"')
					quoted = !quoted;
				end++;
			}
		}
		if (rel_is_context(gt + 1, (size_t)(end - gt - 1))) {
			size_t n = (size_t)(gt - lt);
			if (n == 0 || n >= outsz)
				return -1;
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)lt[i] <= ' ' ||
				    lt[i] == 0x7f)
					return -1;
			memcpy(out, lt, n);
			out[n] = '\0';
			return 0;
		}
		p = end;
	}
	return -1;
}

static int
verdict(struct ngsi_http_verdict *v, int status, const char *why)
{
	v->status = status;
	v->why = why;
	return status;
}

int
ngsi_http_check(const struct ngsi_http_cfg *cfg,
                const struct ngsi_http_req *req, struct ngsi_http_verdict *v)
{
	memset(v, 0, sizeof *v);
	v->length = -1;
	if (req->uri == NULL || !path_matches(req->uri, cfg->path))
		return verdict(v, 404, "not the notification path");
	if (req->method == NULL || strcmp(req->method, "POST") != 0)
		return verdict(v, 405, "only POST is accepted");
	if (cfg->secret_header != NULL &&
	    (req->secret == NULL || !secret_equal(req->secret, cfg->secret)))
		return verdict(v, 401, "shared secret missing or wrong");
	if (req->transfer_encoding != NULL) {
		/* Both framings at once is how requests are smuggled. */
		if (req->content_length != NULL)
			return verdict(v, 400,
			               "both Content-Length and "
			               "Transfer-Encoding");
		if (!chunked_only(req->transfer_encoding))
			return verdict(v, 501,
			               "a transfer coding other than chunked");
		v->chunked = 1;
	} else if (req->content_length == NULL) {
		return verdict(v, 411, "no Content-Length");
	} else if (parse_length(req->content_length, &v->length) != 0) {
		return verdict(v, 400, "Content-Length is not a number");
	} else if ((unsigned long long)v->length > cfg->max_body) {
		return verdict(v, 413, "body over the size cap");
	}
	if (req->content_type == NULL || !json_type(req->content_type))
		return verdict(v, 415,
		               "not application/json, ld+json or geo+json");
	if (req->expect != NULL) {
		const char *s = req->expect;
		size_t n = strlen(s);
		trim(&s, &n);
		if (!token_is(s, n, "100-continue") && n > 0)
			return verdict(v, 417,
			               "an expectation other than "
			               "100-continue");
		v->expect_continue = n > 0;
	}
	if (req->tenant != NULL && *req->tenant != '\0' &&
	    copy_tenant(req->tenant, v->tenant) != 0)
		return verdict(v, 400, "tenant is not a tenant name");
	if (cfg->tenant != NULL && strcmp(v->tenant, cfg->tenant) != 0) {
		v->problem = NGSI_PROBLEM_NONEXISTENT_TENANT;
		return verdict(v, 404,
		               v->tenant[0] ? "a tenant not served here"
		                            : "no tenant, and one is served");
	}
	if (req->link != NULL && ngsi_http_link_context(req->link, v->context,
	                                                sizeof v->context) != 0)
		v->context[0] = '\0';
	return verdict(v, 0, "accepted");
}

enum chunk_state {
	CH_SIZE,      /* hex digits of the chunk size */
	CH_EXT,       /* ;extensions up to CR */
	CH_SIZE_LF,   /* LF after the size line */
	CH_DATA,      /* remain data bytes */
	CH_DATA_CR,   /* CR after the data */
	CH_DATA_LF,   /* LF after the data */
	CH_TRAILER,   /* start of a trailer line (or the final CRLF) */
	CH_TRAILER_X, /* inside a trailer line */
	CH_TRAILER_LF,
	CH_END_LF, /* LF of the final empty line */
	CH_DONE,
};

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
ngsi_chunked_decode(struct ngsi_chunked *c, const char *in, size_t n, char *out)
{
	long w = 0;

	for (size_t i = 0; i < n && c->state != CH_DONE; i++) {
		char ch = in[i];
		int h;
		switch (c->state) {
		case CH_SIZE:
			if ((h = hex_value(ch)) >= 0) {
				if (++c->digits > 10)
					return -1; /* past 2^40 */
				c->remain = c->remain * 16 + (uint64_t)h;
				break;
			}
			if (c->digits == 0)
				return -1;
			if (ch == ';' || ch == ' ' || ch == '\t')
				c->state = CH_EXT;
			else if (ch == '\r')
				c->state = CH_SIZE_LF;
			else
				return -1;
			break;
		case CH_EXT:
			if (ch == '\r')
				c->state = CH_SIZE_LF;
			else if (ch == '\n' || ch == '\0')
				return -1;
			break;
		case CH_SIZE_LF:
			if (ch != '\n')
				return -1;
			c->digits = 0;
			c->state = c->remain > 0 ? CH_DATA : CH_TRAILER;
			break;
		case CH_DATA: {
			size_t take = n - i;
			if (take > c->remain)
				take = (size_t)c->remain;
			memcpy(out + w, in + i, take);
			w += (long)take;
			c->remain -= take;
			i += take - 1;
			if (c->remain == 0)
				c->state = CH_DATA_CR;
			break;
		}
		case CH_DATA_CR:
			if (ch != '\r')
				return -1;
			c->state = CH_DATA_LF;
			break;
		case CH_DATA_LF:
			if (ch != '\n')
				return -1;
			c->state = CH_SIZE;
			break;
		case CH_TRAILER:
			c->state = ch == '\r' ? CH_END_LF : CH_TRAILER_X;
			if (ch == '\n')
				return -1;
			break;
		case CH_TRAILER_X:
			if (ch == '\r')
				c->state = CH_TRAILER_LF;
			else if (ch == '\n')
				return -1;
			break;
		case CH_TRAILER_LF:
			if (ch != '\n')
				return -1;
			c->state = CH_TRAILER;
			break;
		case CH_END_LF:
			if (ch != '\n')
				return -1;
			c->state = CH_DONE;
			c->done = 1;
			break;
		}
	}
	return w;
}
