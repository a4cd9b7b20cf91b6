/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * An Open311 GeoReport v2 service list (GET services.json, or services.xml
 * beside an XML endpoint): the names the server gives its service codes.
 * Entries whose code or name is not clean text (UTF-8, no control characters,
 * code ≤ 64 bytes, name ≤ 200) are skipped and counted; at most 2,000 entries
 * are kept.
 */
#ifndef CITYOPS_OPEN311_SERVICES_H
#define CITYOPS_OPEN311_SERVICES_H

#include <stddef.h>

struct o311_services {
	char **code, **name;
	size_t n;
};

/* Parses body into out (emptied first); returns the number of entries
 * skipped, or -1 with *why when the body is not a JSON array. */
int o311_services_parse(const char *body, size_t len, struct o311_services *out,
                        const char **why);
/* The same from services.xml (<services><service><service_code>,
 * <service_name>), read with expat: no DOCTYPE or entity declaration,
 * nesting past 16 and text past 64 KiB refused (open311-services-xml.c);
 * -1 with *why when it is not such a list. */
int o311_services_parse_xml(const char *body, size_t len,
                            struct o311_services *out, const char **why);
/* Adds code → name when both are clean text, the code is new and the list
 * not full; returns 1, else 0 (skipped). */
int o311_services_add(struct o311_services *s, const char *code,
                      const char *name);
/* The name of code, or NULL. */
const char *o311_services_name(const struct o311_services *s, const char *code);
void o311_services_free(struct o311_services *s);

#endif
