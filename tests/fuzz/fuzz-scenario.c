/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The scenario parser and stream generator on arbitrary bytes: no crash,
 * no leak, no unbounded allocation; a scenario that parses generates its
 * messages (a few positions, including across cycles) without trouble,
 * and the same position twice gives the same bytes (determinism is what
 * resuming depends on).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/feed/scenario.h"
#include "cityops/core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario *sc = NULL;
	char err[256];
	struct buf a = {0}, b = {0};

	if (scenario_parse((const char *)data, size, &sc, err, sizeof err) !=
	    0) {
		if (err[0] == '\0')
			abort(); /* a failure always says why */
		return 0;
	}
	for (int f = 0; f < SCENARIO_FORMAT_COUNT; f++) {
		struct scenario_opts o = {0};
		uint64_t len;
		o.format = (enum scenario_format)f;
		o.broken_pct = f == 0 ? 0 : 30;
		o.tick_ms = 1 + f;
		scenario_set_opts(sc, &o);
		len = scenario_cycle_len(sc);
		for (uint64_t k = 0; k < 24; k++) {
			uint64_t pos = k < 12 ? k : len * (k - 11) + k % 3;
			buf_reset(&a);
			buf_reset(&b);
			scenario_message(sc, pos, 0, &a);
			scenario_message(sc, pos, 0, &b);
			if (a.len == 0 || a.len != b.len ||
			    memcmp(a.data, b.data, a.len) != 0)
				abort();
		}
	}
	buf_free(&a);
	buf_free(&b);
	scenario_free(&sc);
	return 0;
}
