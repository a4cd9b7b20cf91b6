#include "cityops/query.h"

static const char *const sql[] = {
#define X(id, text) [id] = text,
    QUERY_TABLE(X)
#undef X
};

static const char *const names[] = {
#define X(id, text) [id] = #id,
    QUERY_TABLE(X)
#undef X
};

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
