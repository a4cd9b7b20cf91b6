/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * MQTT source addresses (mqtt-url.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>

#include "cityops/feed/mqtt-source.h"
#include "cityops/feed/mqtt-url.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into out; -1 on a bad escape, a control
 * character or no room. */
static int
decode(const char *s, size_t n, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || o + 1 >= outsz)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static int
host_ok(const char *h, int bracketed)
{
	if (h[0] == '\0')
		return 0;
	for (const char *c = h; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' ||
		      *c == '_' || (bracketed && *c == ':')))
			return 0;
	return 1;
}

/* HOST[:PORT] in a[0..n) into u. */
static int
hostport(const char *a, size_t n, struct mqtt_url *u)
{
	const char *end = a + n, *hend, *colon;
	size_t hl;
	int br = n > 0 && a[0] == '[';

	if (br) {
		const char *close = memchr(a, ']', n);
		if (close == NULL)
			return -1;
		hend = close;
		colon = close + 1 < end ? close + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return -1;
		a++;
	} else {
		colon = memchr(a, ':', n);
		hend = colon ? colon : end;
	}
	hl = (size_t)(hend - a);
	if (hl >= sizeof u->host)
		return -1;
	memcpy(u->host, a, hl);
	u->host[hl] = '\0';
	if (!host_ok(u->host, br))
		return -1;
	u->port = u->tls ? 8883 : 1883;
	if (colon != NULL) {
		long v = 0;
		if (colon + 1 == end || end - colon > 6)
			return -1;
		for (const char *c = colon + 1; c < end; c++) {
			if (*c < '0' || *c > '9')
				return -1;
			v = v * 10 + (*c - '0');
		}
		if (v < 1 || v > 65535)
			return -1;
		u->port = (int)v;
	}
	return 0;
}

int
mqtt_url_split(const char *url, struct mqtt_url *u)
{
	const char *a, *slash, *at = NULL;

	memset(u, 0, sizeof *u);
	if (strncmp(url, "mqtt://", 7) == 0) {
		a = url + 7;
	} else if (strncmp(url, "mqtts://", 8) == 0) {
		a = url + 8;
		u->tls = 1;
	} else {
		return -1;
	}
	if ((slash = strchr(a, '/')) == NULL || slash[1] == '\0')
		return -1;
	for (const char *c = a; c < slash; c++)
		if (*c == '@')
			at = c;
	if (at != NULL) {
		const char *colon = memchr(a, ':', (size_t)(at - a));
		const char *uend = colon ? colon : at;
		if (uend == a ||
		    decode(a, (size_t)(uend - a), u->user, sizeof u->user) != 0)
			return -1;
		u->has_user = 1;
		if (colon != NULL) {
			if (decode(colon + 1, (size_t)(at - colon - 1), u->pass,
			           sizeof u->pass) != 0)
				return -1;
			u->has_pass = 1;
		}
		a = at + 1;
	}
	if (hostport(a, (size_t)(slash - a), u) != 0)
		return -1;
	if (strlen(slash + 1) >= sizeof u->filter)
		return -1;
	snprintf(u->filter, sizeof u->filter, "%s", slash + 1);
	/* A filter with a wildcard inside a level is refused by brokers. */
	return mosquitto_sub_topic_check(u->filter) == MOSQ_ERR_SUCCESS ? 0
	                                                                : -1;
}

void
mqtt_url_redact(const char *url, char *out, size_t outsz)
{
	const char *a = strstr(url, "://"), *slash, *at = NULL, *colon;

	if (a == NULL || (slash = strchr(a + 3, '/')) == NULL)
		slash = url + strlen(url);
	for (const char *c = a ? a + 3 : url; c < slash; c++)
		if (*c == '@')
			at = c;
	if (a == NULL || at == NULL ||
	    (colon = memchr(a + 3, ':', (size_t)(at - a - 3))) == NULL) {
		snprintf(out, outsz, "%s", url);
		return;
	}
	snprintf(out, outsz, "%.*s:***%s", (int)(colon - url), url, at);
}

void
mqtt_url_bare(const char *url, char *out, size_t outsz)
{
	const char *a = strstr(url, "://"), *slash, *at = NULL;

	if (a == NULL || (slash = strchr(a + 3, '/')) == NULL)
		slash = url + strlen(url);
	for (const char *c = a ? a + 3 : url; c < slash; c++)
		if (*c == '@')
			at = c;
	if (a == NULL || at == NULL)
		snprintf(out, outsz, "%s", url);
	else
		snprintf(out, outsz, "%.*s%s", (int)(a + 3 - url), url, at + 1);
}

int
mqtt_url_parse(const char *url, char *host, size_t hostsz, int *port,
               char *filter, size_t filtersz)
{
	struct mqtt_url u;

	if (mqtt_url_split(url, &u) != 0 || strlen(u.host) >= hostsz ||
	    strlen(u.filter) >= filtersz)
		return -1;
	snprintf(host, hostsz, "%s", u.host);
	snprintf(filter, filtersz, "%s", u.filter);
	*port = u.port;
	return 0;
}
