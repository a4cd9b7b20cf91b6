-- SPDX-License-Identifier: GPL-3.0-or-later
-- Copyright (C) 2026 the cityops authors; see LICENSE.
-- bench/db/verify.sql: the invariants the write functions and triggers
-- keep, checked over the whole generated database. Every count must be 0;
-- db-bench stops otherwise.
\set ON_ERROR_STOP on
\pset footer off
CREATE TEMP TABLE bench_check AS
SELECT 'is_open / sla_stage / sla_due differ from what incident_derive computes' AS invariant,
	(SELECT count(*) FROM cityops.incident i JOIN cityops.state s ON s.name = i.state
	WHERE i.is_open <> s.is_open OR i.sla_stage IS DISTINCT FROM s.sla_stage
		OR i.sla_due IS DISTINCT FROM CASE s.sla_stage WHEN 'ack' THEN i.ack_due
			WHEN 'dispatch' THEN i.dispatch_due WHEN 'arrive' THEN i.arrive_due
			WHEN 'close' THEN i.close_due END) AS bad
UNION ALL
SELECT 'region_path differs from the region''s path',
	(SELECT count(*) FROM cityops.incident i JOIN cityops.region r ON r.code = i.region_code
	WHERE i.region_path <> r.path)
UNION ALL
SELECT 'deadlines out of order or not from sla_policy (unless reopened)',
	(SELECT count(*) FROM cityops.incident i
	CROSS JOIN LATERAL cityops.sla_for(i.category_code, i.priority) s
	WHERE NOT (i.ack_due <= i.dispatch_due AND i.dispatch_due <= i.arrive_due
			AND i.arrive_due <= i.close_due)
		OR (i.ack_due <> i.created_at + s.ack)
		OR (NOT EXISTS (SELECT 1 FROM cityops.incident_event e WHERE e.incident_id = i.id
				AND e.action = 'reopen')
			AND (i.dispatch_due, i.arrive_due, i.close_due)
				<> (i.created_at + s.dispatch, i.created_at + s.arrive, i.created_at + s.close)))
UNION ALL
SELECT 'ref beyond its day''s counter or not of its creation day',
	(SELECT count(*) FROM cityops.incident i
	LEFT JOIN cityops.ref_counter c
		ON c.day = (i.created_at AT TIME ZONE 'Asia/Shanghai')::date
	WHERE c.day IS NULL OR substr(i.ref, 8)::bigint
			> (SELECT last_value - (NOT is_called)::int FROM cityops.ref_seq) - c.base
		OR left(i.ref, 6) <> to_char(c.day, 'YYMMDD'))
UNION ALL
SELECT 'incident without a raise event, or whose last event is not its state',
	(SELECT count(*) FROM cityops.incident i
	WHERE NOT EXISTS (SELECT 1 FROM cityops.incident_event e WHERE e.incident_id = i.id
			AND e.action = 'raise')
		OR i.state <> (SELECT coalesce(e.to_state, i.state) FROM cityops.incident_event e
			WHERE e.incident_id = i.id AND e.to_state IS NOT NULL
			ORDER BY e.at DESC, e.id DESC LIMIT 1))
UNION ALL
SELECT 'event region_path differs from its incident''s',
	(SELECT count(*) FROM cityops.incident_event e JOIN cityops.incident i ON i.id = e.incident_id
	WHERE e.region_path <> i.region_path)
UNION ALL
SELECT 'timeline step not allowed by the transition table',
	(SELECT count(*) FROM cityops.incident_event e
	WHERE e.action NOT IN ('raise', 'merge') AND NOT EXISTS (SELECT 1 FROM cityops.transition t
		WHERE t.action = e.action AND t.from_state = e.from_state
			AND coalesce(t.to_state, t.from_state) = e.to_state))
UNION ALL
SELECT 'active assignment on an incident not in dispatched / accepted / on_scene',
	(SELECT count(*) FROM cityops.assignment a JOIN cityops.incident i ON i.id = a.incident_id
	WHERE a.released_at IS NULL AND i.state NOT IN ('dispatched', 'accepted', 'on_scene'))
UNION ALL
SELECT 'dispatched / accepted / on_scene incident without an active unit',
	(SELECT count(*) FROM cityops.incident i
	WHERE i.state IN ('dispatched', 'accepted', 'on_scene') AND NOT EXISTS (
		SELECT 1 FROM cityops.assignment a WHERE a.incident_id = i.id AND a.released_at IS NULL))
UNION ALL
SELECT 'unit status does not follow its active assignment',
	(SELECT count(*) FROM cityops.unit u
	LEFT JOIN cityops.assignment a ON a.unit_id = u.id AND a.released_at IS NULL
	LEFT JOIN cityops.incident i ON i.id = a.incident_id
	WHERE (a.id IS NULL AND u.status IN ('dispatched', 'en_route', 'on_scene'))
		OR (a.id IS NOT NULL AND u.status IN ('available', 'out_of_service', 'returning')))
UNION ALL
SELECT 'assignment region_path differs from its incident''s',
	(SELECT count(*) FROM cityops.assignment a JOIN cityops.incident i ON i.id = a.incident_id
	WHERE a.region_path <> i.region_path)
UNION ALL
SELECT 'indicator state not what its newest reading gives, or alarm missing / extra',
	(SELECT count(*) FROM cityops.indicator i
	WHERE i.last_at IS DISTINCT FROM (SELECT max(r.at) FROM cityops.reading r
			WHERE r.indicator_id = i.id)
		OR (i.last_state IN ('warn', 'alarm')) <> EXISTS (SELECT 1 FROM cityops.alarm a
			WHERE a.indicator_id = i.id AND a.state <> 'cleared'))
UNION ALL
SELECT 'incident without its search row (find), or a row not what search_refresh writes',
	(SELECT count(*) FROM cityops.incident i
	LEFT JOIN cityops.incident_search s ON s.incident_id = i.id
	WHERE s.incident_id IS NULL OR s.region_path <> i.region_path
		OR strpos(s.doc, lower(i.ref)) = 0 OR strpos(s.doc, lower(i.location)) = 0
		OR NOT s.grams @> cityops.search_grams(lower(i.title)));
SELECT * FROM bench_check;
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_temp.bench_check WHERE bad <> 0) THEN
		RAISE EXCEPTION 'bench data breaks an invariant (see the table above)';
	END IF;
END
$$;
