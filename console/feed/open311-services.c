/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* An Open311 service list (open311-services.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cityops/core/text.h"
#include "cityops/core/util.h"
#include "cityops/feed/open311-services.h"

#define MAX_SERVICES 2000

void
o311_services_free(struct o311_services *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->code[i]);
		free(s->name[i]);
	}
	free(s->code);
	free(s->name);
	memset(s, 0, sizeof *s);
}

static int
clean(const char *v, size_t max)
{
	size_t n = strlen(v);

	if (n == 0 || n > max || !text_utf8_valid(v, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return 0;
	return 1;
}

/* service_code as the requests give it: a string, or a whole number. */
static const char *
code_of(const cJSON *v, char *num, size_t n)
{
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e15 &&
	    v->valuedouble == (double)(long long)v->valuedouble) {
		snprintf(num, n, "%lld", (long long)v->valuedouble);
		return num;
	}
	return NULL;
}

int
o311_services_parse(const char *body, size_t len, struct o311_services *out,
                    const char **why)
{
	cJSON *root = cJSON_ParseWithLength(body, len), *e;
	int skipped = 0;

	o311_services_free(out);
	if (!cJSON_IsArray(root)) {
		cJSON_Delete(root);
		*why = "not a JSON array of services";
		return -1;
	}
	cJSON_ArrayForEach(e, root)
	{
		char num[32];
		const char *code =
		    code_of(cJSON_GetObjectItemCaseSensitive(e, "service_code"),
		            num, sizeof num);
		const cJSON *name =
		    cJSON_GetObjectItemCaseSensitive(e, "service_name");

		if (code == NULL || !cJSON_IsString(name) ||
		    !o311_services_add(out, code, name->valuestring))
			skipped++;
	}
	cJSON_Delete(root);
	return skipped;
}

int
o311_services_add(struct o311_services *s, const char *code, const char *name)
{
	if (!clean(code, 64) || !clean(name, 200) ||
	    o311_services_name(s, code) != NULL || s->n == MAX_SERVICES)
		return 0;
	s->code = xrealloc(s->code, (s->n + 1) * sizeof *s->code);
	s->name = xrealloc(s->name, (s->n + 1) * sizeof *s->name);
	s->code[s->n] = xstrdup(code);
	s->name[s->n] = xstrdup(name);
	s->n++;
	return 1;
}

const char *
o311_services_name(const struct o311_services *s, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->code[i], code) == 0)
			return s->name[i];
	return NULL;
}
