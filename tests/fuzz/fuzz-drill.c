/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The drill file parser on arbitrary bytes: it never crashes or leaks,
 * and either returns a drill whose steps are in time order and whose
 * expectations name bound labels, or reports at least one error line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cityops/drill/drill.h"
#include "cityops/core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf errors = {0};
	struct drill *d = NULL;
	int n;

	if (size > 64 * 1024)
		return 0;
	n = drill_parse((const char *)data, size, "fuzz", &d, &errors);
	if (n == 0) {
		if (d == NULL || d->title == NULL || d->nsteps == 0)
			abort();
		for (int i = 1; i < d->nsteps; i++)
			if (d->steps[i].at < d->steps[i - 1].at ||
			    d->steps[i].at > d->end)
				abort();
	} else if (d != NULL || errors.data == NULL ||
	           strncmp(errors.data, "fuzz:", 5) != 0) {
		abort();
	}
	drill_free(&d);
	buf_free(&errors);
	return 0;
}
