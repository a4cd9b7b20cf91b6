/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* feed-sim's NGSI-LD subscription API (sim-broker.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cityops/core/util.h"
#include "sim-broker.h"

#define PREFIX "/ngsi-ld/v1/subscriptions"

struct sub {
	char *id;
	cJSON *body;
};

struct sim_broker {
	FILE *record;
	struct sub *subs;
	size_t n;
	unsigned made;
	char tenant[80]; /* of the request being answered */
};

void
sim_broker_tenant(struct sim_broker *b, const char *tenant)
{
	snprintf(b->tenant, sizeof b->tenant, "%s", tenant ? tenant : "");
}

struct sim_broker *
sim_broker_new(FILE *record)
{
	struct sim_broker *b = xcalloc(1, sizeof *b);

	b->record = record;
	return b;
}

void
sim_broker_free(struct sim_broker **bp)
{
	struct sim_broker *b = *bp;

	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++) {
		free(b->subs[i].id);
		cJSON_Delete(b->subs[i].body);
	}
	free(b->subs);
	free(b);
	*bp = NULL;
}

int
sim_broker_path(const char *path)
{
	size_t n = strlen(PREFIX);

	return strncmp(path, PREFIX, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

static struct sub *
find(struct sim_broker *b, const char *id)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->subs[i].id, id) == 0)
			return &b->subs[i];
	return NULL;
}

static const char *
str_at(const cJSON *o, const char *a, const char *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	if (c != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, c);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* One line of the record; tabs and newlines in values become spaces. */
static void
note(struct sim_broker *b, const char *method, const char *id, int status,
     const cJSON *body)
{
	const cJSON *ents = cJSON_GetObjectItemCaseSensitive(body, "entities");
	const cJSON *e;
	struct buf l = {0};

	if (b->record == NULL)
		return;
	buf_printf(
	    &l, "%s\t%s\t%d\t%s\t", method, id, status,
	    str_at(cJSON_GetObjectItemCaseSensitive(body, "notification"),
	           "endpoint", "uri"));
	cJSON_ArrayForEach(e, ents)
	{
		buf_printf(&l, "%s%s", e == ents->child ? "" : ",",
		           str_at(e, "type", NULL));
	}
	buf_printf(&l, "\t%s\t%s", str_at(body, "description", NULL),
	           b->tenant);
	for (size_t i = 0; i < l.len; i++)
		if (l.data[i] == '\n' || l.data[i] == '\r')
			l.data[i] = ' ';
	fprintf(b->record, "%s\n", l.data);
	fflush(b->record);
	buf_free(&l);
}

static int
problem(struct buf *out, int status, const char *type, const char *title)
{
	buf_printf(out,
	           "{\"type\":\"https://uri.etsi.org/ngsi-ld/errors/%s\","
	           "\"title\":\"%s\"}",
	           type, title);
	return status;
}

static int
post(struct sim_broker *b, cJSON *body, struct buf *out)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "id");
	const cJSON *ents = cJSON_GetObjectItemCaseSensitive(body, "entities");
	const char *uri =
	    str_at(cJSON_GetObjectItemCaseSensitive(body, "notification"),
	           "endpoint", "uri");
	char made[64];
	struct sub *s;
	int st;

	if (!cJSON_IsObject(body) || (id != NULL && !cJSON_IsString(id)) ||
	    !cJSON_IsArray(ents) || cJSON_GetArraySize(ents) == 0 ||
	    uri[0] == '\0') {
		st =
		    problem(out, 400, "BadRequestData",
		            "not a subscription with entities and an endpoint");
		note(b, "POST", id && cJSON_IsString(id) ? id->valuestring : "",
		     st, body);
		return st;
	}
	if (id == NULL) {
		snprintf(made, sizeof made, "urn:ngsi-ld:Subscription:sim-%u",
		         ++b->made);
		cJSON_AddStringToObject(body, "id", made);
		id = cJSON_GetObjectItemCaseSensitive(body, "id");
	}
	if (find(b, id->valuestring) != NULL) {
		st = problem(out, 409, "AlreadyExists",
		             "a subscription with this id exists");
		note(b, "POST", id->valuestring, st, body);
		return st;
	}
	b->subs = xrealloc(b->subs, (b->n + 1) * sizeof *b->subs);
	s = &b->subs[b->n++];
	s->id = xstrdup(id->valuestring);
	s->body = cJSON_Duplicate(body, 1);
	note(b, "POST", s->id, 201, body);
	return 201;
}

static int
patch(struct sim_broker *b, const char *id, cJSON *body, struct buf *out)
{
	struct sub *s = find(b, id);
	const cJSON *f;
	int st;

	if (!cJSON_IsObject(body)) {
		st = problem(out, 400, "BadRequestData", "not an object");
		note(b, "PATCH", id, st, NULL);
		return st;
	}
	if (s == NULL) {
		st = problem(out, 404, "ResourceNotFound",
		             "no such subscription");
		note(b, "PATCH", id, st, body);
		return st;
	}
	cJSON_ArrayForEach(f, body)
	{
		if (strcmp(f->string, "id") == 0 ||
		    strcmp(f->string, "type") == 0)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(s->body, f->string);
		cJSON_AddItemToObject(s->body, f->string,
		                      cJSON_Duplicate(f, 1));
	}
	note(b, "PATCH", id, 204, s->body);
	return 204;
}

static int
del(struct sim_broker *b, const char *id, struct buf *out)
{
	struct sub *s = find(b, id);
	size_t k;

	if (s == NULL) {
		note(b, "DELETE", id, 404, NULL);
		return problem(out, 404, "ResourceNotFound",
		               "no such subscription");
	}
	k = (size_t)(s - b->subs);
	note(b, "DELETE", id, 204, s->body);
	free(s->id);
	cJSON_Delete(s->body);
	memmove(s, s + 1, (b->n - k - 1) * sizeof *s);
	b->n--;
	return 204;
}

static int
get(struct sim_broker *b, const char *id, struct buf *out)
{
	char *txt;

	if (id == NULL) {
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; i < b->n; i++)
			cJSON_AddItemToArray(
			    a, cJSON_Duplicate(b->subs[i].body, 1));
		txt = cJSON_PrintUnformatted(a);
		cJSON_Delete(a);
	} else if (find(b, id) != NULL) {
		txt = cJSON_PrintUnformatted(find(b, id)->body);
	} else {
		return problem(out, 404, "ResourceNotFound",
		               "no such subscription");
	}
	buf_adds(out, txt);
	free(txt);
	return 200;
}

int
sim_broker_request(struct sim_broker *b, const char *method, const char *path,
                   const char *body, size_t len, struct buf *out, char *created,
                   size_t createdsz)
{
	const char *id = path[strlen(PREFIX)] == '/' && path[strlen(PREFIX) + 1]
	                     ? path + strlen(PREFIX) + 1
	                     : NULL;
	cJSON *j = NULL;
	int st;

	if (strcmp(method, "GET") == 0)
		return get(b, id, out);
	if (strcmp(method, "DELETE") == 0 && id != NULL)
		return del(b, id, out);
	if (strcmp(method, "POST") != 0 && strcmp(method, "PATCH") != 0)
		return problem(out, 405, "OperationNotSupported", "method");
	if ((strcmp(method, "POST") == 0) != (id == NULL))
		return problem(out, 405, "OperationNotSupported", "method");
	j = cJSON_ParseWithLength(body, len);
	if (j == NULL) {
		note(b, method, id ? id : "", 400, NULL);
		return problem(out, 400, "InvalidRequest", "not JSON");
	}
	st = id == NULL ? post(b, j, out) : patch(b, id, j, out);
	if (st == 201)
		snprintf(created, createdsz, "%s", b->subs[b->n - 1].id);
	cJSON_Delete(j);
	return st;
}
