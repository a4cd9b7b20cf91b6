#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Simulator → ingest → database, with restarts: the typhoon scenario (native
# and NGSI-LD readings, CAP, Open311, an NGSI-LD Alert, a native report)
# with broken messages mixed in, played twice over. ingest is killed with
# SIGKILL mid-stream, stopped with SIGTERM mid-stream, and started again
# each time; at the end the database must hold exactly the readings the
# simulator sent (feed-sim --dump), each once, nothing from a broken
# message, the CAP/Open311/Alert incidents once each, alarms raised with
# hysteresis, and an incident for each alarm-level alarm.
. "$(dirname "$0")/feed-lib"
scratch_db
trap 'feed_cleanup; [ -n "${FEED_KEEP:-}" ] || dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
psql -qAt -f "$CITYOPS_SRC/sql/seed/feeds.sql" >/dev/null 2>&1 || true

start=$(($(date +%s) * 1000))
cycle=$("$CITYOPS" feed-sim --scenario typhoon --dump | wc -l)
n=$((2 * cycle))
args=(--scenario typhoon --broken 3 --start "$start" --tick-ms 1000)
# Values and times do not depend on the format, so the native dump is
# what the mixed stream says.
"$CITYOPS" feed-sim "${args[@]}" --format native --dump --count $n >"$FEED_TMP/dump"
# --hold: the stream starts with ingest's first connection, so the whole
# stream is what ingest was sent. The URL is the plain one docs/ingest.md
# shows: a restart must resume from the state file by itself (?from=0
# here once hid that it did not, and replayed reports doubled merge rows).
start_sim sim "${args[@]}" --format mix --rate 2500 --count $n --hold
url=$SIM_URL
state=$FEED_TMP/ingest.state

ingest_pid=
run_ingest() {
	"$CITYOPS" ingest -U cityops_ingest --max-ahead-s 864000 --feed "$url" --state "$state" \
		--batch 200 --flush-ms 50 >>"$FEED_TMP/ingest.log" 2>&1 &
	ingest_pid=$!
	FEED_PIDS+=("$ingest_pid")
}
pos() { cut -f1 "$state" 2>/dev/null || echo 0; }
past() { [ "$(pos)" -ge "$1" ]; }

run_ingest
wait_for 60 past 3000 || fail "ingest made no progress: $(tail -5 "$FEED_TMP/ingest.log")"
kill -9 "$ingest_pid"
wait "$ingest_pid" 2>/dev/null || true
killed_at=$(pos)
run_ingest
wait_for 60 past $((killed_at + 3000)) || fail "no progress after kill -9: $(tail -5 "$FEED_TMP/ingest.log")"
kill -TERM "$ingest_pid"
wait "$ingest_pid" || fail "ingest did not stop cleanly on SIGTERM"
grep -q 'ingest totals:' "$FEED_TMP/ingest.log" || fail "no totals on stop"
run_ingest
wait_for 180 past $n || fail "stream not finished: at $(pos) of $n"
# The run before may have finished the stream: then this one has only
# just started.
wait_for 30 ingest_ready "$FEED_TMP/ingest.log" 3 || fail "ingest did not start: $(tail -5 "$FEED_TMP/ingest.log")"
kill -TERM "$ingest_pid"
wait "$ingest_pid" || fail "ingest did not stop cleanly"
[ "$(pos)" -eq $n ] || fail "state at $(pos), want $n"

# Expected readings: the dump decoded by the same decoder, minus what no
# indicator takes (zz.unknown.sensor); one row each.
"$CITYOPS" feed-watch --json --file "$FEED_TMP/dump" |
	grep '"type":"reading"' | grep -v '"key":"zz\.' |
	sed 's/.*"key":"\([^"]*\)","value":\([^,]*\),"ts":\([0-9]*\).*/\1,\2,\3/' >"$FEED_TMP/want.csv"
want=$(wc -l <"$FEED_TMP/want.csv")
[ "$want" -gt 1000 ] || fail "only $want readings expected"
check=$(psql -qAt -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE want (k text, v float8, ms bigint);
\copy want FROM '$FEED_TMP/want.csv' WITH (FORMAT csv)
CREATE TEMP TABLE got AS SELECT indicator_id AS k, value::float8 AS v,
	(extract(epoch FROM at) * 1000)::bigint AS ms
	FROM cityops.reading WHERE at >= to_timestamp($start / 1000.0);
SELECT (SELECT count(*) FROM want) || ' ' || (SELECT count(*) FROM got) || ' ' ||
	(SELECT count(*) FROM want w WHERE NOT EXISTS (SELECT 1 FROM got g
		WHERE g.k = w.k AND g.ms = w.ms AND abs(g.v - w.v) < 1e-9)) || ' ' ||
	(SELECT count(*) FROM got g WHERE NOT EXISTS (SELECT 1 FROM want w
		WHERE g.k = w.k AND g.ms = w.ms));
SELECT w.k || ' ' || w.ms || ' ' || w.v || ' db:' || coalesce(g.v::text, '-')
	FROM want w LEFT JOIN got g ON g.k = w.k AND g.ms = w.ms
	WHERE g.v IS NULL OR abs(g.v - w.v) >= 1e-9 ORDER BY w.ms LIMIT 8;
SQL
)
read -r nwant ngot missing extra <<<"$(head -n1 <<<"$check")"
[ "$missing" -eq 0 ] || fail "$missing of $nwant readings missing from the database:
$(tail -n +2 <<<"$check")
$(grep -E 'totals|refused|down' "$FEED_TMP/ingest.log")"
[ "$extra" -eq 0 ] || fail "$extra readings in the database that were never sent"
[ "$nwant" -eq "$ngot" ] || fail "want $nwant readings, database has $ngot"

# Incidents: each once per cycle, whatever the restarts replayed.
q() { psql -qAt -c "$1"; }
[ "$(q "select count(*) from cityops.incident where created_at >= to_timestamp($start / 1000.0) and dedup_key like 'cap:%,SMB-TY-%' and not exercise")" -eq 6 ] ||
	fail "CAP warnings: $(q "select dedup_key, count(*) from cityops.incident where created_at >= to_timestamp($start / 1000.0) and dedup_key like 'cap:%' group by 1")"
[ "$(q "select count(*) from cityops.incident where created_at >= to_timestamp($start / 1000.0) and dedup_key like 'cap:%,SMB-EX-%' and exercise")" -eq 2 ] ||
	fail "CAP Exercise must raise exercise incidents"
[ "$(q "select count(*) from cityops.incident where created_at >= to_timestamp($start / 1000.0) and dedup_key like 'cap:%,SMB-TEST-%'")" -eq 0 ] ||
	fail "a CAP Test message reached a queue"
[ "$(q "select count(*) from cityops.incident where created_at >= to_timestamp($start / 1000.0) and dedup_key like 'open311:%'")" -eq 6 ] ||
	fail "Open311: $(q "select dedup_key, count(*) from cityops.incident where created_at >= to_timestamp($start / 1000.0) and dedup_key like 'open311:%' group by 1")"
[ "$(q "select count(*) from cityops.incident where created_at >= to_timestamp($start / 1000.0) and dedup_key like 'urn:ngsi-ld:Alert:%'")" -eq 2 ] ||
	fail "NGSI-LD Alerts"
[ "$(q "select count(*) from cityops.incident where created_at >= to_timestamp($start / 1000.0) and dedup_key like '110:typhoon:%'")" -eq 2 ] ||
	fail "native incident reports"
[ "$(q "select count(*) from (select dedup_key from cityops.incident where dedup_key is not null group by 1 having count(*) > 1) d")" -eq 0 ] ||
	fail "an incident was doubled"
# The repeated red warning and the updated Open311 call were merged, once
# a cycle each, whatever the restarts replayed.
[ "$(q "select count(*) from cityops.incident_event e join cityops.incident i on i.id = e.incident_id where i.dedup_key like 'open311:FX%0001' and e.action = 'merge'")" -eq 2 ] ||
	fail "the updated Open311 request: want 2 merge rows, have $(q "select count(*) from cityops.incident_event e join cityops.incident i on i.id = e.incident_id where i.dedup_key like 'open311:FX%0001' and e.action = 'merge'")"
[ "$(q "select count(*) from cityops.incident_event e join cityops.incident i on i.id = e.incident_id where i.dedup_key like 'cap:%,SMB-TY-%-RED' and e.action = 'merge'")" -eq 2 ] ||
	fail "the repeated red warning: want 2 merge rows, have $(q "select count(*) from cityops.incident_event e join cityops.incident i on i.id = e.incident_id where i.dedup_key like 'cap:%,SMB-TY-%-RED' and e.action = 'merge'")"

# Alarms with hysteresis: 奉城 hovers around its warning line (150, 10 of
# hysteresis) and dips to 144-146 three times a cycle; one alarm a cycle.
[ "$(q "select count(*) from cityops.alarm where indicator_id = 'fx.pond.fengcheng' and raised_at >= to_timestamp($start / 1000.0)")" -eq 2 ] ||
	fail "fengcheng alarms: $(q "select level, state, value, raised_at from cityops.alarm where indicator_id = 'fx.pond.fengcheng'")"
# 金汇港 passes its alarm line (4.6) each cycle: the alarm, raised at the
# warning line and escalated, got an incident (an alarm row keeps its
# current level, so the incident is the record that it reached alarm).
[ "$(q "select count(*) from cityops.alarm a where a.indicator_id = 'fx.tide.jinhui' and a.raised_at >= to_timestamp($start / 1000.0) and exists (select 1 from cityops.incident i where i.dedup_key = 'alarm:' || a.id)")" -ge 2 ] ||
	fail "no incident for the alarm on fx.tide.jinhui: $(q "select id, level, state, value from cityops.alarm where indicator_id = 'fx.tide.jinhui'")"

# Broken messages were counted by reason and logged, not fatal.
grep -q 'dropped .* as invalid_json' "$FEED_TMP/ingest.log" || fail "invalid JSON not reported"
grep -q 'dropped .* as invalid_utf8' "$FEED_TMP/ingest.log" || fail "invalid UTF-8 not reported"
[ "$(grep -c 'resumes at position' "$FEED_TMP/ingest.log")" -ge 2 ] ||
	fail "the restarts did not resume from the state file"
echo "ok: $nwant readings exactly once after kill -9 at $killed_at and a SIGTERM"
