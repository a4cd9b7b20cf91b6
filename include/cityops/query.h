/*
 * Every SQL statement the console sends, named once. The text lives in
 * console/query.c; the functions it calls are in sql/ (docs/sql-api.md).
 */
#ifndef CITYOPS_QUERY_H
#define CITYOPS_QUERY_H

#define QUERY_TABLE(X)                                                         \
	X(Q_WHOAMI, "SELECT * FROM cityops.whoami()")                          \
	X(Q_QUEUE, "SELECT * FROM cityops.queue($1, $2, $3::int, $4, "         \
	           "$5::bool, $6::bool, $7::int)")                             \
	X(Q_INCIDENT, "SELECT * FROM cityops.incident_get($1)")                \
	X(Q_TIMELINE, "SELECT * FROM cityops.incident_timeline($1)")           \
	X(Q_INCIDENT_UNITS, "SELECT * FROM cityops.incident_units($1)")        \
	X(Q_RAISE, "SELECT * FROM cityops.incident_raise($1, $2::int, $3, "    \
	           "$4, $5, $6, $7, $8, $9::bool)")                            \
	X(Q_ACT, "SELECT * FROM cityops.incident_act($1, $2, $3, $4::text[])") \
	X(Q_UNITS, "SELECT * FROM cityops.units($1, $2, $3, $4::bool)")        \
	X(Q_UNIT, "SELECT * FROM cityops.unit_get($1)")                        \
	X(Q_UNIT_SET, "SELECT * FROM cityops.unit_set_status($1, $2, $3)")     \
	X(Q_RECOMMEND, "SELECT * FROM cityops.recommend($1, $2::int)")         \
	X(Q_REGION, "SELECT * FROM cityops.region_get($1)")                    \
	X(Q_REGION_CHILDREN, "SELECT * FROM cityops.region_children($1)")      \
	X(Q_VITALS, "SELECT * FROM cityops.vitals($1, $2, $3::int)")           \
	X(Q_HISTORY, "SELECT * FROM cityops.indicator_history($1, $2::int)")   \
	X(Q_MODE, "SELECT * FROM cityops.mode_get()")                          \
	X(Q_MODE_SET, "SELECT * FROM cityops.mode_set($1, $2, $3, $4)")        \
	X(Q_LISTEN, "LISTEN cityops")                                          \
	/* The console's own reads (console/tui.c), over the same functions. */ \
	X(Q_TUI_COUNTS, "SELECT priority, count(*) AS n FROM cityops.queue("  \
	                "NULL, NULL, NULL, NULL, false, $1::bool, 1000000) "  \
	                "GROUP BY priority ORDER BY priority")                \
	X(Q_TUI_HISTORY, "SELECT (extract(epoch FROM at) * 1000)::bigint "    \
	                 "AS ms, value FROM cityops.indicator_history($1, "   \
	                 "$2::int) ORDER BY at")                              \
	X(Q_TUI_LAST_EVENT, "SELECT * FROM cityops.incident_timeline($1) "    \
	                    "ORDER BY at DESC LIMIT 1")                       \
	X(Q_MIGRATION_INIT,                                                    \
	  "CREATE TABLE IF NOT EXISTS public.cityops_migration ("              \
	  "version text PRIMARY KEY, applied_at timestamptz NOT NULL "         \
	  "DEFAULT now())")                                                    \
	X(Q_MIGRATION_LOCK, "SELECT pg_advisory_xact_lock(20261121)")          \
	X(Q_MIGRATION_DONE,                                                    \
	  "SELECT 1 FROM public.cityops_migration WHERE version = $1")         \
	X(Q_MIGRATION_RECORD,                                                  \
	  "INSERT INTO public.cityops_migration (version) VALUES ($1)")        \
	X(Q_BEGIN, "BEGIN")                                                    \
	X(Q_COMMIT, "COMMIT")                                                  \
	X(Q_ROLLBACK, "ROLLBACK")                                              \
	X(Q_IS_SUPERUSER, "SELECT rolsuper FROM pg_roles WHERE rolname = "     \
	                  "session_user")

enum query_id {
#define X(id, sql) id,
	QUERY_TABLE(X)
#undef X
	    QUERY_COUNT
};

/* The SQL text of a named query. */
const char *query_sql(enum query_id q);
/* The query's name, e.g. "Q_QUEUE", for logs. */
const char *query_name(enum query_id q);

#endif
