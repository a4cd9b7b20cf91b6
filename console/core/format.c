/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include <stdio.h>
#include <string.h>

#include "cityops/core/format.h"
#include "cityops/core/text.h"

void
format_duration(long long secs, char *out, size_t outsz)
{
	const char *sign = secs < 0 ? "-" : "";
	long long s = secs < 0 ? -secs : secs;

	if (s < 60)
		snprintf(out, outsz, "%s%llds", sign, s);
	else if (s < 3600)
		snprintf(out, outsz, "%s%lldm", sign, s / 60);
	else if (s < 86400)
		snprintf(out, outsz, "%s%lldh%02lldm", sign, s / 3600,
		         s % 3600 / 60);
	else
		snprintf(out, outsz, "%s%lldd%02lldh", sign, s / 86400,
		         s % 86400 / 3600);
}

void
format_sla(long long left, char *out, size_t outsz)
{
	char d[32];

	format_duration(left < 0 ? -left : left, d, sizeof d);
	if (left < 0)
		snprintf(out, outsz, "超时 %s", d);
	else
		snprintf(out, outsz, "%s", d);
}

void
format_time(const char *pg, char *out, size_t outsz)
{
	int y, mo, d, h, mi;

	if (pg != NULL &&
	    sscanf(pg, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) == 5)
		snprintf(out, outsz, "%02d-%02d %02d:%02d", mo, d, h, mi);
	else
		snprintf(out, outsz, "%s", pg ? pg : "");
}

void
format_iso8601(const char *pg, char *out, size_t outsz)
{
	size_t n = pg != NULL ? strlen(pg) : 0, z;

	if (outsz == 0)
		return;
	/* YYYY-MM-DD HH:MM:SS[.f…]±HH[:MM[:SS]] */
	z = n > 19 ? strcspn(pg + 19, "+-") + 19 : n;
	if (n < 22 || n + 4 > outsz || pg[10] != ' ' || pg[4] != '-' ||
	    pg[13] != ':' || z + 3 > n ||
	    strspn(pg + z + 1, "0123456789") != 2) {
		snprintf(out, outsz, "%s", pg != NULL ? pg : "");
		return;
	}
	memcpy(out, pg, n + 1);
	out[10] = 'T';
	if (z + 3 == n) /* ±HH: minutes, as ISO 8601 writes them with hours */
		memcpy(out + n, ":00", 4);
}

void
format_pad(const char *s, int cols, int right_align, char *out, size_t outsz)
{
	int used = 0, pad;
	size_t n;

	if (outsz == 0)
		return;
	n = text_fit(s, cols, &used);
	if (n < strlen(s) && cols > 0) {
		/* Cut: leave room for an ellipsis that says so. */
		n = text_fit(s, cols - 1, &used);
		if (n + 4 + (size_t)(cols - used) >= outsz)
			n = 0;
		memcpy(out, s, n);
		memcpy(out + n, "…", 3);
		n += 3;
		used++;
		pad = cols - used;
		memset(out + n, ' ', (size_t)pad);
		out[n + (size_t)pad] = '\0';
		return;
	}
	pad = cols - used;
	if ((size_t)pad + n + 1 > outsz)
		pad = 0;
	if (right_align) {
		memset(out, ' ', (size_t)pad);
		memcpy(out + pad, s, n);
	} else {
		memcpy(out, s, n);
		memset(out + n, ' ', (size_t)pad);
	}
	out[n + (size_t)pad] = '\0';
}

void
format_sparkline(const double *v, int n, int cols, char *out, size_t outsz)
{
	static const char *const bars[] = {"▁", "▂", "▃", "▄",
	                                   "▅", "▆", "▇", "█"};
	double lo, hi;
	size_t o = 0;
	int from = n > cols ? n - cols : 0;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (n <= 0)
		return;
	lo = hi = v[from];
	for (int i = from; i < n; i++) {
		if (v[i] < lo)
			lo = v[i];
		if (v[i] > hi)
			hi = v[i];
	}
	for (int i = from; i < n && o + 4 <= outsz; i++) {
		int k =
		    hi > lo ? (int)((v[i] - lo) / (hi - lo) * 7.0 + 0.5) : 3;
		memcpy(out + o, bars[k], 3);
		o += 3;
	}
	out[o] = '\0';
}
