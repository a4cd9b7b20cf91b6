/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Every SQL statement the console sends, named once, with whether it is
 * SAFE to send again after the connection was lost while it ran (reads,
 * and writes that are idempotent by design: readings keyed by time,
 * incidents merged by dedup key) or must run ONCE (a change that may or
 * may not have been applied: the caller is told, never retried silently).
 * The functions it calls are in sql/ (docs/sql-api.md).
 */
#ifndef CITYOPS_QUERY_H
#define CITYOPS_QUERY_H

#define QUERY_TABLE(X)                                                         \
	X(Q_WHOAMI, SAFE, "SELECT * FROM cityops.whoami()")                    \
	X(Q_QUEUE, SAFE,                                                       \
	  "SELECT * FROM cityops.queue($1, $2, $3::int, $4, "                  \
	  "$5::bool, $6::bool, $7::int)")                                      \
	X(Q_INCIDENT, SAFE, "SELECT * FROM cityops.incident_get($1)")          \
	X(Q_TIMELINE, SAFE, "SELECT * FROM cityops.incident_timeline($1)")     \
	X(Q_INCIDENT_UNITS, SAFE, "SELECT * FROM cityops.incident_units($1)")  \
	X(Q_RAISE, REQ,                                                        \
	  "SELECT * FROM cityops.request_raise($1::uuid, $2, $3::int, $4, "    \
	  "$5, $6, $7, $8, $9, $10::bool)")                                    \
	X(Q_ACT, REQ,                                                          \
	  "SELECT * FROM cityops.request_act($1::uuid, $2, $3, $4, "           \
	  "$5::text[])")                                                       \
	X(Q_UNITS, SAFE, "SELECT * FROM cityops.units($1, $2, $3, $4::bool)")  \
	X(Q_UNIT, SAFE, "SELECT * FROM cityops.unit_get($1)")                  \
	X(Q_UNIT_SET, REQ,                                                     \
	  "SELECT * FROM cityops.request_unit_set($1::uuid, $2, $3, $4)")      \
	X(Q_RECOMMEND, SAFE, "SELECT * FROM cityops.recommend($1, $2::int)")   \
	X(Q_REGION, SAFE, "SELECT * FROM cityops.region_get($1)")              \
	X(Q_REGION_CHILDREN, SAFE,                                             \
	  "SELECT * FROM cityops.region_children($1)")                         \
	X(Q_REGION_MAP, SAFE, "SELECT * FROM cityops.region_map($1)")          \
	X(Q_REGION_OUTLINE, SAFE, "SELECT * FROM cityops.region_outline($1)")  \
	X(Q_INCIDENT_POINTS, SAFE,                                             \
	  "SELECT * FROM cityops.incident_points($1, $2::int)")                \
	/* Reports and the shift handover (console/cmd/cmd-report.c,           \
	 * cmd-handover.c; sql/functions/80_reports.sql). */                   \
	X(Q_REPORT_PERIOD, SAFE,                                               \
	  "SELECT * FROM cityops.report_period(cityops.report_time($1), "      \
	  "cityops.report_time($2), $3)")                                      \
	X(Q_REPORT_SHIFT, SAFE,                                                \
	  "SELECT * FROM cityops.report_shift(cityops.report_time($1), "       \
	  "cityops.report_time($2))")                                          \
	X(Q_HANDOVER_GIVE, ONCE,                                               \
	  "SELECT * FROM cityops.handover_give($1, $2)")                       \
	X(Q_HANDOVER_ACCEPT, ONCE, "SELECT * FROM cityops.handover_accept()")  \
	X(Q_HANDOVER_LAST, SAFE, "SELECT * FROM cityops.handover_last()")      \
	X(Q_HANDOVER_NOTE, ONCE,                                               \
	  "SELECT * FROM cityops.handover_note($1, $2)")                       \
	X(Q_VITALS, SAFE, "SELECT * FROM cityops.vitals($1, $2, $3::int)")     \
	X(Q_HISTORY, SAFE,                                                     \
	  "SELECT * FROM cityops.indicator_history($1, $2::int)")              \
	X(Q_MODE, SAFE, "SELECT * FROM cityops.mode_get()")                    \
	X(Q_MODE_DESK, SAFE, "SELECT * FROM cityops.mode_desk()")              \
	X(Q_MODE_SET, REQ,                                                     \
	  "SELECT * FROM cityops.request_mode_set($1::uuid, $2, $3, $4, $5)")  \
	/* Settles a request after a lost link (migration 031). */             \
	X(Q_REQUEST_GET, SAFE,                                                 \
	  "SELECT r.command, n.name, n.val FROM cityops.request_get("          \
	  "$1::uuid) r LEFT JOIN LATERAL unnest(r.names, r.vals) "             \
	  "AS n(name, val) ON true")                                           \
	X(Q_LISTEN, SAFE, "LISTEN cityops")                                    \
	/* The console's own reads (console/tui.c), over the same functions.   \
	 */                                                                    \
	X(Q_TUI_COUNTS, SAFE,                                                  \
	  "SELECT priority, n, breached "                                      \
	  "FROM cityops.open_counts($1::bool)")                                \
	X(Q_TUI_HISTORY, SAFE,                                                 \
	  "SELECT (extract(epoch FROM at) * 1000)::bigint "                    \
	  "AS ms, value FROM cityops.indicator_history($1, "                   \
	  "$2::int) ORDER BY at")                                              \
	X(Q_TUI_EVENTS, SAFE,                                                  \
	  "SELECT horizon::text, span, tx::text, id, ref, "                    \
	  "extract(epoch FROM at)::bigint AS at_s, actor, action, "            \
	  "from_state, to_state, unit, note, exercise "                        \
	  "FROM cityops.events_since($1::xid8, $2::bool, 500)")                \
	/* The change log (sql/functions/75_changes.sql): catch-up by seq. */  \
	X(Q_TUI_CHANGES, SAFE,                                                 \
	  "SELECT horizon::text, total, seq, tx::text, kind, payload::text "   \
	  "FROM cityops.changes_since($1::bigint, $2::xid8, $3::bool, 500)")   \
	X(Q_TUI_CHANGE_HEAD, SAFE,                                             \
	  "SELECT horizon::text, 0 AS total, seq, NULL::text AS tx, "          \
	  "NULL::text AS kind, NULL::text AS payload "                         \
	  "FROM cityops.change_head()")                                        \
	/* Acting on the selection, alarms (sql/functions/75_desk.sql). */     \
	X(Q_DESK_ACTIONS, SAFE, "SELECT * FROM cityops.desk_actions()")        \
	X(Q_ALARM_BOARD, SAFE,                                                 \
	  "SELECT * FROM cityops.alarm_board($1::bool, $2::int)")              \
	X(Q_ALARM_ACK, ONCE, "SELECT * FROM cityops.alarm_ack_ref($1, $2)")    \
	/* find (sql/functions/77_search.sql). */                              \
	X(Q_SEARCH, SAFE,                                                      \
	  "SELECT * FROM cityops.search($1, $2::bool, $3::int)")               \
	/* Escalation (sql/functions/76_escalation.sql). ONCE: a pass cut      \
	 * off is not sent again on the same call; the next pass takes it.     \
	 */                                                                    \
	X(Q_ESCALATE_DUE, ONCE, "SELECT * FROM cityops.escalate_due($1::int)") \
	X(Q_ESCALATION_LIST, SAFE,                                             \
	  "SELECT *, extract(epoch FROM after)::bigint AS after_s "            \
	  "FROM cityops.escalation_policies($1)")                              \
	X(Q_ESCALATION_SET, ONCE,                                              \
	  "SELECT * FROM cityops.escalation_policy_set($1, $2, $3::int, "      \
	  "$4::int, $5)")                                                      \
	X(Q_RAISE_FROM, SAFE,                                                  \
	  "SELECT coalesce(ic.incident_category, 'city_mgmt') AS category, "   \
	  "r.name AS region, i.name, i.last_value::text AS value, i.uom "      \
	  "FROM cityops.indicator i JOIN cityops.region r ON r.code = "        \
	  "i.region_code LEFT JOIN cityops.indicator_category ic ON ic.code "  \
	  "= i.category_code WHERE i.id = $1")                                 \
	/* The drill runner (console/drill/), migration 008. */                \
	/* The offset is taken against the server's own clock as the step      \
	 * starts: drill second $1 of run $2 is clock_start + $1, to the       \
	 * millisecond, whatever the delays between runner and server. */      \
	X(Q_DRILL_SET, SAFE,                                                   \
	  "SELECT set_config('cityops.clock_offset', "                         \
	  "(r.clock_start + make_interval(secs => $1::float8) "                \
	  "- pg_catalog.now())::text, false), "                                \
	  "set_config('cityops.drill', $2, false) "                            \
	  "FROM cityops.drill_run r WHERE r.id = $2::bigint")                  \
	X(Q_DRILL_START, REQ,                                                  \
	  "SELECT * FROM cityops.request_drill_start($1::uuid, $2, $3, "       \
	  "$4::numeric)")                                                      \
	X(Q_DRILL_FINISH, REQ,                                                 \
	  "SELECT * FROM cityops.request_drill_finish($1::uuid, $2::bigint, "  \
	  "$3, cityops.now(), $4::int, $5::int, $6::jsonb)")                   \
	X(Q_DRILL_INCIDENTS, SAFE,                                             \
	  "SELECT * FROM cityops.drill_incidents("                             \
	  "$1::bigint)")                                                       \
	X(Q_DRILL_ALARM, SAFE,                                                 \
	  "SELECT * FROM cityops.drill_alarm($1::bigint, $2)")                 \
	X(Q_DRILL_CLEAR, REQ,                                                  \
	  "SELECT * FROM cityops.request_drill_clear($1::uuid, $2)")           \
	X(Q_DRILL_RUNS, SAFE, "SELECT * FROM cityops.drill_runs()")            \
	X(Q_DRILL_FEED, SAFE,                                                  \
	  "SELECT * FROM cityops.feed_incident($1, $2, $3::int, "              \
	  "$4, $5, $6, $7, $8::float8, $9::float8, $10, true)")                \
	X(Q_DRILL_READING, SAFE,                                               \
	  "SELECT * FROM cityops.ingest_readings("                             \
	  "ARRAY[$1], ARRAY[$2::float8], "                                     \
	  "ARRAY[cityops.now()])")                                             \
	X(Q_DRILL_AVAILABLE, SAFE,                                             \
	  "SELECT count(*) AS n FROM cityops.units($1, "                       \
	  "'available', $2, true)")                                            \
	X(Q_DRILL_INDICATOR, SAFE,                                             \
	  "SELECT id, exercise FROM cityops.indicator "                        \
	  "WHERE id = $1")                                                     \
	/* Feeds and ingest (console/ingest/, console/feed/feed-live.c). */    \
	X(Q_INGEST_READINGS, SAFE,                                             \
	  "SELECT * FROM cityops.ingest_readings("                             \
	  "$1::text[], $2::float8[], $3::timestamptz[])")                      \
	/* COPY: a simple-protocol string, one implicit transaction; the       \
	 * request's one parameter is the COPY data (db_async_submit).         \
	 * SAFE to resend: ingest_inbox is idempotent by (indicator, time). */ \
	X(Q_INGEST_COPY, COPY,                                                 \
	  "COPY cityops.reading_inbox (indicator_id, value, at) FROM STDIN; "  \
	  "SELECT * FROM cityops.ingest_inbox()")                              \
	X(Q_READING_PARTITIONS, SAFE,                                          \
	  "SELECT * FROM cityops.reading_partitions()")                        \
	/* Sensors and rollups (console/ingest/ingest-sensors.c, 48_sensors).  \
	 * Q_SENSOR_COPY is SAFE to resend: stored once per (sensor, time). */ \
	X(Q_INGEST_ROLLUPS, SAFE, "SELECT * FROM cityops.ingest_rollups()")    \
	X(Q_INGEST_SENSORS, SAFE, "SELECT * FROM cityops.ingest_sensors()")    \
	X(Q_INGEST_SENSOR_LATEST, SAFE,                                        \
	  "SELECT * FROM cityops.ingest_sensor_latest($1::timestamptz)")       \
	X(Q_SENSOR_COPY, COPY,                                                 \
	  "COPY cityops.sensor_inbox (sensor_id, value, at) FROM STDIN; "      \
	  "SELECT * FROM cityops.ingest_sensor_inbox()")                       \
	X(Q_SENSOR_ADD, ONCE,                                                  \
	  "SELECT * FROM cityops.sensor_add($1, $2, $3, $4)")                  \
	X(Q_SENSOR_GENERATE, ONCE,                                             \
	  "SELECT * FROM cityops.sensor_generate($1::int)")                    \
	X(Q_ROLLUP_DEFINE, ONCE,                                               \
	  "SELECT * FROM cityops.indicator_rollup_define($1, $2, $3::float8, " \
	  "$4::int, $5, $6, $7, $8)")                                          \
	X(Q_FEED_INCIDENT, SAFE,                                               \
	  "SELECT * FROM cityops.feed_incident(CASE WHEN $1 IN ('12345', "     \
	  "'110', '119', '120', 'sensor', 'patrol', 'opinion', 'officer') "    \
	  "THEN $1 ELSE 'sensor' END, coalesce((SELECT c.code FROM "           \
	  "cityops.category c WHERE c.code = lower($2) OR c.name = $2 "        \
	  "LIMIT 1), cityops.source_category_of(CASE WHEN $1 = '12345' THEN "  \
	  "'open311' ELSE 'fiware' END, ARRAY[split_part($2, '/', 2), "        \
	  "split_part($2, '/', 1)]), 'city_mgmt'), $3::int, coalesce((SELECT " \
	  "r.code FROM cityops.region r WHERE r.code = $4 OR r.name = $4 OR "  \
	  "r.short_name = $4 ORDER BY nlevel(r.path) LIMIT 1), CASE WHEN $4 "  \
	  "~ '^[0-9]{6}([0-9]{6})?$' THEN $4 WHEN $8::float8 IS NULL OR "      \
	  "$9::float8 IS NULL THEN '310000' END), $5, "                        \
	  "$6, $7, $8::float8, $9::float8, $10, $11::bool, $12)")              \
	X(Q_ENTITY_MAPPINGS, SAFE, "SELECT * FROM cityops.feed_mappings()")    \
	X(Q_SOURCE_HEALTH_PUT, SAFE,                                           \
	  "SELECT cityops.source_health_put($1, $2::int, $3::jsonb)")          \
	X(Q_SOURCE_HEALTH, SAFE,                                               \
	  "SELECT h.*, to_char(h.last_ok, 'YYYY-MM-DD HH24:MI:SS') AS "        \
	  "last_ok_text, (SELECT string_agg(k || '=' || v, ' ' ORDER BY k) "   \
	  "FROM jsonb_each_text(h.counts) c(k, v)) AS counts_text, "           \
	  "extract(epoch FROM now() - h.last_ok)::bigint AS ok_age_s FROM "    \
	  "cityops.source_health() h")                                         \
	X(Q_REGION_EXTENTS, SAFE,                                              \
	  "SELECT * FROM cityops.feed_region_extents()")                       \
	X(Q_INDICATOR_UNITS, SAFE,                                             \
	  "SELECT * FROM cityops.feed_indicator_units()")                      \
	X(Q_FEED_INCIDENT_UPDATE, SAFE,                                        \
	  "SELECT * FROM cityops.feed_incident_update($1, $2, $3, $4::bool, "  \
	  "$5)")                                                               \
	X(Q_FEED_INCIDENT_REVISE, SAFE,                                        \
	  "SELECT * FROM cityops.feed_incident_revise($1, $2::bool, $3::int, " \
	  "$4, $5::float8, $6::float8, $7::timestamptz, $8)")                  \
	X(Q_UNMAPPED_NOTE, SAFE,                                               \
	  "SELECT cityops.feed_unmapped_note($1, $2, $3, $4, $5::int)")        \
	/* The catalogue (console/cmd/cmd-catalogue.c, 55_catalogue.sql). */   \
	X(Q_INDICATOR_ADD, ONCE,                                               \
	  "SELECT * FROM cityops.indicator_add($1, $2, $3, $4, $5, $6, "       \
	  "$7::numeric, $8::numeric, $9::numeric, $10::int, $11)")             \
	X(Q_INDICATOR_SET, ONCE,                                               \
	  "SELECT * FROM cityops.indicator_set($1, $2, $3)")                   \
	X(Q_INDICATOR_RETIRE, ONCE,                                            \
	  "SELECT * FROM cityops.indicator_retire($1)")                        \
	X(Q_FEED_MAP_ADD, ONCE,                                                \
	  "SELECT * FROM cityops.feed_map_add($1, $2, $3, $4, $5)")            \
	X(Q_FEED_MAP_REMOVE, ONCE,                                             \
	  "SELECT * FROM cityops.feed_map_remove($1, $2, $3)")                 \
	X(Q_FEED_MAP_LIST, SAFE, "SELECT * FROM cityops.feed_map_list($1)")    \
	X(Q_FEED_UNMAPPED, SAFE, "SELECT * FROM cityops.feed_unmapped()")      \
	X(Q_FEED_CONFLICTS, SAFE, "SELECT * FROM cityops.feed_conflicts($1)")  \
	X(Q_REGION_IMPORT, ONCE,                                               \
	  "SELECT * FROM cityops.region_import($1::jsonb)")                    \
	/* Alarm-level alarms without an open incident get one, once. */       \
	X(Q_ALARM_INCIDENTS, SAFE,                                             \
	  "SELECT * FROM cityops.raise_alarm_incidents()")                     \
	X(Q_MIGRATION_INIT, ONCE,                                              \
	  "CREATE TABLE IF NOT EXISTS public.cityops_migration ("              \
	  "version text PRIMARY KEY, applied_at timestamptz NOT NULL "         \
	  "DEFAULT now())")                                                    \
	X(Q_MIGRATION_LOCK, SAFE, "SELECT pg_advisory_xact_lock(20261121)")    \
	X(Q_MIGRATION_DONE, SAFE,                                              \
	  "SELECT 1 FROM public.cityops_migration WHERE version = $1")         \
	X(Q_MIGRATION_RECORD, ONCE,                                            \
	  "INSERT INTO public.cityops_migration (version) VALUES ($1)")        \
	/* Function files (sql/functions/) are applied again whenever their    \
	 * content changed; the checksum of what was applied is kept here. */  \
	X(Q_FUNCTION_FILE_INIT, ONCE,                                          \
	  "CREATE TABLE IF NOT EXISTS public.cityops_function_file ("          \
	  "name text PRIMARY KEY, checksum text NOT NULL, "                    \
	  "applied_at timestamptz NOT NULL DEFAULT now())")                    \
	X(Q_CHECKSUM, SAFE,                                                    \
	  "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS checksum")  \
	X(Q_FUNCTION_FILE_GET, SAFE,                                           \
	  "SELECT checksum FROM public.cityops_function_file WHERE name = $1") \
	X(Q_FUNCTION_FILE_RECORD, ONCE,                                        \
	  "INSERT INTO public.cityops_function_file (name, checksum) "         \
	  "VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET checksum = "       \
	  "EXCLUDED.checksum, applied_at = now()")                             \
	/* Not copied by CREATE DATABASE ... TEMPLATE, so migrate asserts      \
	 * it every time (migration 014, docs/security.md). */                 \
	X(Q_MIGRATION_NO_TEMP, SAFE,                                           \
	  "DO $$BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I "        \
	  "FROM PUBLIC', current_database()); END$$")                          \
	X(Q_BEGIN, ONCE, "BEGIN")                                              \
	X(Q_COMMIT, ONCE, "COMMIT")                                            \
	X(Q_ROLLBACK, ONCE, "ROLLBACK")                                        \
	X(Q_IS_SUPERUSER, SAFE,                                                \
	  "SELECT rolsuper FROM pg_roles WHERE rolname = "                     \
	  "session_user")                                                      \
	/* cityops doctor (console/ui/doctor.c): read-only checks. */          \
	X(Q_MIGRATION_TABLES, SAFE,                                            \
	  "SELECT CASE WHEN to_regclass($1) IS NULL THEN 'absent' "            \
	  "WHEN has_table_privilege(to_regclass($1), 'SELECT') THEN 'ok' "     \
	  "ELSE 'denied' END AS migrations, "                                  \
	  "CASE WHEN to_regclass($2) IS NULL THEN 'absent' "                   \
	  "WHEN has_table_privilege(to_regclass($2), 'SELECT') THEN 'ok' "     \
	  "ELSE 'denied' END AS functions")                                    \
	X(Q_SERVER_CLOCK, SAFE,                                                \
	  "SELECT current_setting('TimeZone') AS timezone, "                   \
	  "extract(epoch FROM clock_timestamp())::text AS epoch")              \
	/* cityops relay (console/feed/relay.c): the change log in order. */   \
	X(Q_RELAY_CHANGES, SAFE,                                               \
	  "SELECT drawn, xmin::text, own::text, seq, kind, object, "           \
	  "incident_id, region_path, exercise "                                \
	  "FROM cityops.relay_changes($1::bigint, $2::int)")                   \
	/* Relay subscriber tokens (76_relay_auth.sql). */                     \
	X(Q_RELAY_TOKEN_ISSUE, SAFE,                                           \
	  "SELECT cityops.relay_token_issue() AS token")                       \
	X(Q_RELAY_TOKEN_SCOPE, SAFE,                                           \
	  "SELECT login, scope_path FROM cityops.relay_token_scope($1)")

enum query_id {
#define X(id, mode, sql) id,
	QUERY_TABLE(X)
#undef X
	    QUERY_COUNT
};

/* The SQL text of a named query. */
const char *query_sql(enum query_id q);
/* The query's name, e.g. "Q_QUEUE", for logs. */
const char *query_name(enum query_id q);
/* 1 when the query must not be sent again after a lost connection. */
int query_once(enum query_id q);
/* 1 when the query is a change with a request id in $1 (REQ). */
int query_request(enum query_id q);
/* 1 when the query is COPY ... FROM STDIN plus statements after it, sent
 * as one simple query with its one parameter as the data (COPY). */
int query_copy(enum query_id q);

#endif
