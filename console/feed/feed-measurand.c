/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The Device model's packed `value` string: URL decoding, key=number
 * pairs separated by ';', and the rule naming each key's property.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/feed-measurand.h"

enum { DECODED_MAX = 1024 };

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s into buf (NUL-terminated); -1 on a bad escape. */
static int
url_decode(const char *s, char *buf, size_t cap, const char **why)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		int c = (unsigned char)*s;

		if (c == '%') {
			int hi = hex(s[1]), lo = hi < 0 ? -1 : hex(s[2]);

			if (hi < 0 || lo < 0) {
				*why = "bad escape";
				return -1;
			}
			c = hi * 16 + lo;
			s += 2;
		}
		if (c == '\0' || n + 1 >= cap) {
			*why = c == '\0' ? "bad escape" : "too long";
			return -1;
		}
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return 0;
}

static int
key_ok(const char *k, size_t n)
{
	if (n == 0 || n >= FEED_MEASURAND_KEY)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)k[i]) &&
		    strchr("_-.", k[i]) == NULL)
			return 0;
	return 1;
}

/* A whole finite decimal number, nothing before or after it. */
static int
number_ok(const char *s, double *v)
{
	char *end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return 0;
	for (const char *p = s; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p) && strchr("+-.eE", *p) == NULL)
			return 0; /* no hex, inf, nan */
	errno = 0;
	*v = strtod(s, &end);
	return *end == '\0' && errno == 0 && isfinite(*v);
}

static int
pair(char *seg, struct feed_measurand *out, int n, const char **why)
{
	char *eq = strchr(seg, '=');

	if (eq == NULL || !key_ok(seg, (size_t)(eq - seg))) {
		*why = "bad key";
		return -1;
	}
	*eq = '\0';
	if (!number_ok(eq + 1, &out[n].value)) {
		*why = "bad number";
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (strcmp(out[i].key, seg) == 0) {
			*why = "duplicate key";
			return -1;
		}
	memcpy(out[n].key, seg, (size_t)(eq - seg) + 1);
	return 0;
}

int
feed_measurand_parse(const char *s, struct feed_measurand *out, int max,
                     const char **why)
{
	char buf[DECODED_MAX], *seg, *next;
	const char *dummy;
	int n = 0;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (s == NULL || (strchr(s, '=') == NULL && strstr(s, "%3D") == NULL &&
	                  strstr(s, "%3d") == NULL))
		return 0;
	if (url_decode(s, buf, sizeof buf, why) != 0)
		return -1;
	if (strchr(buf, '=') == NULL)
		return 0;
	for (seg = buf; seg != NULL; seg = next) {
		next = strchr(seg, ';');
		if (next != NULL)
			*next++ = '\0';
		if (*seg == '\0' && next == NULL && n > 0)
			break; /* one trailing ';' */
		if (n >= max) {
			*why = "too many pairs";
			return -1;
		}
		if (pair(seg, out, n, why) != 0)
			return -1;
		n++;
	}
	return n;
}

/* Whether the letters of key appear in name in order, case aside. */
static int
abbreviates(const char *key, const char *name)
{
	for (; *key != '\0'; key++) {
		while (*name != '\0' && tolower((unsigned char)*name) !=
		                            tolower((unsigned char)*key))
			name++;
		if (*name == '\0')
			return 0;
		name++;
	}
	return 1;
}

static int
named(const char *key, const char *const *props, int nprops)
{
	for (int i = 0; i < nprops; i++)
		if (props[i] != NULL && strcmp(props[i], key) == 0)
			return i;
	return -1;
}

const char *
feed_measurand_property(const struct feed_measurand *pairs, int npairs,
                        int index, const char *const *props, int nprops)
{
	int i;

	if (index < 0 || index >= npairs || props == NULL)
		return NULL;
	if ((i = named(pairs[index].key, props, nprops)) >= 0)
		return props[i];
	if (npairs != nprops)
		return NULL;
	for (i = 0; i < npairs; i++)
		if (named(pairs[i].key, props, nprops) >= 0)
			return NULL;
	return props[index] != NULL &&
	               abbreviates(pairs[index].key, props[index])
	           ? props[index]
	           : NULL;
}
