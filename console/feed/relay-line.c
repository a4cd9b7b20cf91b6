/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The relay's wire lines (relay.h): parsing what a relay sends, and the
 * scope rule both ends apply.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "cityops/feed/relay.h"

#define LINE_MAX_BYTES 4096

int
relay_scope_valid(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n > 255)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '_') {
			label++;
		} else {
			return 0;
		}
	}
	return n == 0 || label > 0;
}

int
relay_token_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* A region code (one label) names its region and everything under it:
 * a path is the chain of codes from the city down, so a region lies in
 * code C's subtree exactly when one of its labels is C. */
static int
has_label(const char *path, const char *label, size_t n)
{
	for (const char *p = path; p != NULL;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (len == n && memcmp(p, label, n) == 0)
			return 1;
		p = dot ? dot + 1 : NULL;
	}
	return 0;
}

int
relay_in_scope(const char *region, const char *scope)
{
	size_t n = strlen(scope);

	if (region[0] == '\0' || n == 0)
		return 1;
	if (strchr(scope, '.') == NULL)
		return has_label(region, scope, n);
	return strncmp(region, scope, n) == 0 &&
	       (region[n] == '\0' || region[n] == '.');
}

/* A whole number in [0, 2^53]; returns 0 or -1. */
static int
get_int(const cJSON *o, const char *name, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!isfinite(d) || d < 0 || d > 9007199254740992.0 || d != floor(d))
		return -1;
	*out = (int64_t)d;
	return 0;
}

/* Copies a string member (absent: ""); -1 when not a string or too long. */
static int
get_str(const cJSON *o, const char *name, char *out, size_t outsz)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	out[0] = '\0';
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= outsz)
		return -1;
	memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
	return 0;
}

static int
parse_record(const cJSON *o, struct relay_line *out)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, "x");

	out->kind = RELAY_LINE_RECORD;
	out->incident = 0;
	if (get_int(o, "seq", &out->seq) != 0 || out->seq < 1 ||
	    get_str(o, "t", out->t, sizeof out->t) != 0 || out->t[0] == '\0' ||
	    get_str(o, "id", out->id, sizeof out->id) != 0 ||
	    get_str(o, "region", out->region, sizeof out->region) != 0 ||
	    !relay_scope_valid(out->region))
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(o, "incident") != NULL &&
	    get_int(o, "incident", &out->incident) != 0)
		return -1;
	if (x != NULL && !cJSON_IsBool(x))
		return -1;
	out->exercise = cJSON_IsTrue(x);
	return 0;
}

int
relay_line_parse(const char *s, size_t len, struct relay_line *out)
{
	cJSON *o;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (len == 0 || len > LINE_MAX_BYTES)
		return -1;
	o = cJSON_ParseWithLength(s, len);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return -1;
	}
	if (cJSON_GetObjectItemCaseSensitive(o, "hello") != NULL) {
		out->kind = RELAY_LINE_HELLO;
		rc = get_int(o, "head", &out->head) == 0 &&
		             get_int(o, "base", &out->base) == 0
		         ? 0
		         : -1;
	} else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "gap"))) {
		out->kind = RELAY_LINE_GAP;
		rc = get_int(o, "base", &out->base);
	} else {
		rc = parse_record(o, out);
	}
	cJSON_Delete(o);
	return rc;
}
