/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* SGR mouse reports: see include/cityops/ui/mouse.h. */
#include "cityops/ui/mouse.h"

size_t
mouse_decode(const unsigned char *p, size_t n, int final,
             struct mouse_report *m, int *ok)
{
	int v[3] = {0, 0, 0}, k = 0, digits = 0;

	*ok = 0;
	if (n < 3 || p[0] != 0x1b || p[1] != '[' || p[2] != '<')
		return n == 0 ? 0 : 1;
	for (size_t i = 3; i < n && i < MOUSE_REPORT_MAX; i++) {
		if (p[i] >= '0' && p[i] <= '9') {
			if (v[k] < 100000)
				v[k] = v[k] * 10 + (p[i] - '0');
			digits++;
		} else if (p[i] == ';' && k < 2 && digits > 0) {
			k++;
			digits = 0;
		} else {
			*ok = (p[i] == 'M' || p[i] == 'm') && k == 2 &&
			      digits > 0;
			m->b = v[0];
			m->x = v[1];
			m->y = v[2];
			m->press = p[i] == 'M';
			return i + 1;
		}
	}
	if (n < MOUSE_REPORT_MAX && !final)
		return 0;
	return n < MOUSE_REPORT_MAX ? n : MOUSE_REPORT_MAX;
}
