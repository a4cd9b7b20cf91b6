/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
#include "cityops/db/query.h"

static const char *const sql[] = {
#define X(id, mode, text) [id] = text,
    QUERY_TABLE(X)
#undef X
};

static const char *const names[] = {
#define X(id, mode, text) [id] = #id,
    QUERY_TABLE(X)
#undef X
};

enum { SAFE, ONCE, REQ, COPY };

static const unsigned char modes[] = {
#define X(id, mode, text) [id] = mode,
    QUERY_TABLE(X)
#undef X
};

int
query_once(enum query_id q)
{
	return modes[q] == ONCE || modes[q] == REQ;
}

int
query_request(enum query_id q)
{
	return modes[q] == REQ;
}

int
query_copy(enum query_id q)
{
	return modes[q] == COPY;
}

const char *
query_sql(enum query_id q)
{
	return sql[q];
}

const char *
query_name(enum query_id q)
{
	return names[q];
}
