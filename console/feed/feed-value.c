/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The values decoders read: numbers (in the C locale, whatever locale the
 * console set), ISO 8601 times with or without a zone, and the zone each
 * format's zone-less times are read in (--zone). Split from feed-decode.c,
 * which keeps the decoder itself: its memory, its counters and dispatch.
 */
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feed-internal.h"

void
feed_decoder_set_zone(struct feed_decoder *d, enum feed_format f, int minutes)
{
	for (int i = 0; i < FEED_FORMAT_COUNT; i++)
		if (f == FEED_FORMAT_AUTO || (int)f == i)
			d->zone[i] = minutes;
}

/* "+08:00", "-0500", "+8", "UTC": minutes east of UTC; 0 or -1. */
static int
parse_offset(const char *s, size_t n, int *out)
{
	int sign, h = 0, m = 0, digits = 0;
	size_t i = 1;

	if (n == 3 && memcmp(s, "UTC", 3) == 0) {
		*out = 0;
		return 0;
	}
	if (n < 2 || (s[0] != '+' && s[0] != '-'))
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	for (; i < n && s[i] >= '0' && s[i] <= '9' && digits < 2; i++, digits++)
		h = h * 10 + (s[i] - '0');
	if (digits == 0)
		return -1;
	if (i < n && s[i] == ':')
		i++;
	for (digits = 0; i < n && s[i] >= '0' && s[i] <= '9' && digits < 2;
	     i++, digits++)
		m = m * 10 + (s[i] - '0');
	if (i != n || h > 14 || m > 59)
		return -1;
	*out = sign * (h * 60 + m);
	return 0;
}

int
feed_decoder_set_zones(struct feed_decoder *d, const char *spec)
{
	int zones[FEED_FORMAT_COUNT], all, off;
	const char *p = spec;

	if (d != NULL)
		memcpy(zones, d->zone, sizeof zones);
	else
		memset(zones, 0, sizeof zones);
	if (spec == NULL || *spec == '\0')
		return -1;
	if (strchr(spec, '=') == NULL) {
		if (parse_offset(spec, strlen(spec), &all) != 0)
			return -1;
		for (int i = 0; i < FEED_FORMAT_COUNT; i++)
			zones[i] = all;
	} else {
		while (*p != '\0') {
			size_t n = strcspn(p, ","), k = strcspn(p, "=");
			char name[16];
			int f;

			if (k >= n || k == 0 || k >= sizeof name)
				return -1;
			memcpy(name, p, k);
			name[k] = '\0';
			if ((f = feed_format_from_name(name)) <= 0 ||
			    parse_offset(p + k + 1, n - k - 1, &off) != 0)
				return -1;
			zones[f] = off;
			p += n;
			if (*p == ',')
				p++;
		}
	}
	if (d != NULL)
		memcpy(d->zone, zones, sizeof zones);
	return 0;
}

/* strtod in the C locale, whatever setlocale the console did. */
static double
c_strtod(const char *s, char **end)
{
	static locale_t c_locale;

	if (c_locale == (locale_t)0)
		c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	return strtod_l(s, end, c_locale);
}

int
feed_parse_number(const char *s, size_t len, double *out)
{
	char tmp[64];
	size_t i = 0, j;
	int digits = 0;
	char *end;
	double v;

	while (len > 0 && s[len - 1] == ' ')
		len--;
	while (i < len && s[i] == ' ')
		i++;
	/*
	 * Only decimal notation: strtod would also take "inf", "nan" and hex,
	 * which no sensor means as a reading.
	 */
	for (j = i; j < len; j++) {
		char c = s[j];
		if (c >= '0' && c <= '9')
			digits++;
		else if (c != '+' && c != '-' && c != '.' && c != 'e' &&
		         c != 'E')
			return -1;
	}
	if (digits == 0 || len - i >= sizeof tmp)
		return -1;
	memcpy(tmp, s + i, len - i);
	tmp[len - i] = '\0';
	v = c_strtod(tmp, &end);
	if (*end != '\0' || end == tmp || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int
feed_number(const cJSON *v, double *out)
{
	if (v == NULL || cJSON_IsNull(v))
		return 1;
	if (cJSON_IsNumber(v)) {
		if (!isfinite(v->valuedouble))
			return -1;
		*out = v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v))
		return feed_parse_number(v->valuestring, strlen(v->valuestring),
		                         out);
	return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
digits_at(const char *s, size_t len, size_t *i, int n, int *out)
{
	int v = 0;

	for (int k = 0; k < n; k++) {
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return -1;
		v = v * 10 + (s[(*i)++] - '0');
	}
	*out = v;
	return 0;
}

int
feed_parse_time(const char *s, size_t len, int local, int64_t *ms)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30,
	                            31, 31, 30, 31, 30, 31};
	int y, mo, dd, h = 0, mi = 0, sec = 0, frac = 0, off = local;
	size_t i = 0;
	int64_t t;

	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (digits_at(s, len, &i, 4, &y) || i >= len || s[i++] != '-' ||
	    digits_at(s, len, &i, 2, &mo) || i >= len || s[i++] != '-' ||
	    digits_at(s, len, &i, 2, &dd))
		return -1;
	if (mo < 1 || mo > 12 || dd < 1 || dd > mdays[mo - 1] ||
	    (mo == 2 && dd == 29 &&
	     !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return -1;
	if (i < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		i++;
		if (digits_at(s, len, &i, 2, &h) || i >= len || s[i++] != ':' ||
		    digits_at(s, len, &i, 2, &mi))
			return -1;
		if (i < len && s[i] == ':') {
			i++;
			if (digits_at(s, len, &i, 2, &sec))
				return -1;
			if (i < len && (s[i] == '.' || s[i] == ',')) {
				int n = 0;

				i++;
				while (i < len && s[i] >= '0' && s[i] <= '9') {
					if (n++ < 3)
						frac = frac * 10 + (s[i] - '0');
					i++;
				}
				if (n == 0)
					return -1;
				for (; n < 3; n++)
					frac *= 10;
			}
		}
		/* A leap second is held at the end of its minute. */
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (sec == 60) {
			sec = 59;
			frac = 999;
		}
		if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
			off = 0;
			i++;
		} else if (i < len && (s[i] == '+' || s[i] == '-')) {
			int sign = s[i++] == '-' ? -1 : 1, oh, om = 0;

			if (digits_at(s, len, &i, 2, &oh))
				return -1;
			if (i < len && s[i] == ':')
				i++;
			if (i < len && digits_at(s, len, &i, 2, &om))
				return -1;
			if (oh > 14 || om > 59)
				return -1;
			off = sign * (oh * 60 + om);
		}
	}
	if (i != len)
		return -1;
	t = days_from_civil(y, (unsigned)mo, (unsigned)dd) * 86400 + h * 3600 +
	    mi * 60 + sec - (int64_t)off * 60;
	t = t * 1000 + frac;
	if (t <= 0 || t > FEED_TS_LIMIT)
		return -1;
	*ms = t;
	return 0;
}

int
feed_time(struct feed_decoder *d, const cJSON *v, int64_t *ms)
{
	const char *s;

	if (v == NULL || cJSON_IsNull(v))
		return 1;
	/* NGSI-LD wraps temporal values: {"@type": "DateTime", "@value": …} */
	if (cJSON_IsObject(v)) {
		const cJSON *inner = feed_get(v, "@value");
		if (inner == NULL)
			inner = feed_get(v, "value");
		if (inner == NULL || cJSON_IsObject(inner))
			return -1;
		v = inner;
	}
	if (!cJSON_IsString(v))
		return -1;
	s = v->valuestring;
	if (s[0] == '\0')
		return 1; /* some servers say null this way */
	/* An interval "start/end" (dateObserved in some models): the end. */
	if (strchr(s, '/') != NULL)
		s = strrchr(s, '/') + 1;
	return feed_parse_time(s, strlen(s), d->zone[d->fmt], ms) == 0 ? 0 : -1;
}
