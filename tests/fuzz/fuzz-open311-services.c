/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The Open311 service list parsers (services.json and services.xml) on
 * arbitrary bytes: no crash, no leak, every code and name kept clean and
 * found again by its code, nothing kept from a list refused.
 */
#include "cityops/feed/open311-services.h"
#include "feed-fuzz.h"

static void
check(const uint8_t *data, size_t size, int xml)
{
	struct o311_services s = {0};
	const char *why = NULL;
	int rc =
	    xml ? o311_services_parse_xml((const char *)data, size, &s, &why)
	        : o311_services_parse((const char *)data, size, &s, &why);

	if (rc >= 0) {
		for (size_t i = 0; i < s.n; i++) {
			fuzz_check_clean(s.code[i], strlen(s.code[i]));
			fuzz_check_clean(s.name[i], strlen(s.name[i]));
			if (o311_services_name(&s, s.code[i]) != s.name[i])
				abort();
		}
	} else if (why == NULL || s.n != 0) {
		abort();
	}
	o311_services_free(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, 0);
	check(data, size, 1);
	return 0;
}
