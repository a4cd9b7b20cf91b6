/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * mouse_decode on arbitrary bytes behind ESC [ <: never past the input,
 * never more than MOUSE_REPORT_MAX, never "wait" once told the input is
 * final; a report it accepts ends in M or m, has no negative field, and
 * decodes the same from exactly its own bytes; a prefix of it waits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/ui/mouse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *p = malloc(size + 3);
	struct mouse_report m, m2;
	size_t n = size + 3, len, len2;
	int ok, ok2;

	if (p == NULL)
		return 0;
	memcpy(p, "\033[<", 3);
	memcpy(p + 3, data, size);
	len = mouse_decode(p, n, 1, &m, &ok);
	if (len == 0 || len > n || len > MOUSE_REPORT_MAX)
		abort();
	if (ok) {
		if ((p[len - 1] != 'M' && p[len - 1] != 'm') || m.b < 0 ||
		    m.x < 0 || m.y < 0 || m.press != (p[len - 1] == 'M'))
			abort();
		len2 = mouse_decode(p, len, 0, &m2, &ok2);
		if (len2 != len || !ok2 || memcmp(&m, &m2, sizeof m) != 0)
			abort();
		if (mouse_decode(p, len - 1, 0, &m2, &ok2) != 0)
			abort();
	}
	free(p);
	return 0;
}
