/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The relay's wire lines (relay-line.c) on arbitrary bytes, as a console
 * reads them from a relay it does not trust. Checked: relay_line_parse
 * never crashes; a record it accepts has a positive sequence, a non-empty
 * kind, NUL-terminated strings inside their fields and a region that is
 * a valid path; relay_in_scope agrees with itself (a region is in its own
 * scope and in the city's).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct relay_line l;

	if (relay_line_parse((const char *)data, size, &l) != 0)
		return 0;
	if (l.kind != RELAY_LINE_RECORD)
		return 0;
	if (l.seq < 1 || l.t[0] == '\0' ||
	    memchr(l.t, '\0', sizeof l.t) == NULL ||
	    memchr(l.id, '\0', sizeof l.id) == NULL ||
	    memchr(l.region, '\0', sizeof l.region) == NULL)
		abort();
	if (!relay_scope_valid(l.region) || !relay_in_scope(l.region, "") ||
	    !relay_in_scope(l.region, l.region))
		abort();
	return 0;
}
