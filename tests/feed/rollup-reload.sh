#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Issue 12: a running ingest picks up sensors and rollups defined while it
# runs (the catalogue NOTIFY, then SIGHUP), with no restart. feed-sim
# --sensors streams readings of s.0000000 … while no sensor exists; an
# admin then adds two sensors and a rollup over one of them: its value
# appears and equals that sensor's newest stored reading. The rollup is
# redefined over both (min over the kind in the region): the new value is
# the min of their newest readings. A second rollup is defined and ingest
# is sent SIGHUP with the NOTIFY's effect already there: nothing breaks.
# Throughout, one ingest process, never restarted.
. "$(dirname "$0")/feed-lib"
scratch_db
trap 'feed_cleanup; [ -n "${KEEP:-}" ] || dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
co() { "$CITYOPS" --headless -U admin_city -c "$1" >/dev/null || fail "admin: $1"; }
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }

# Observed times follow the wall clock: a pass of 40 sensors every 0.1 s
# at 20 messages/s, tick 100 ms.
start_sim sim --sensors 40 --per-message 20 --rate 20 --tick-ms 100 \
	--start "$(($(date +%s) * 1000))"
log=$FEED_TMP/ingest.log
"$CITYOPS" ingest -U cityops_ingest --feed "$SIM_URL" --state "$FEED_TMP/state" \
	--rollup-ms 200 --flush-ms 100 >"$log" 2>&1 &
ingest_pid=$!
FEED_PIDS+=("$ingest_pid")
loaded() { grep -q "$1" "$log"; }
wait_for 60 loaded 'rollups over 0 sensors loaded' || fail "ingest did not load: $(tail -3 "$log")"

# No sensor yet: nothing stored for s.0000003.
sleep 1
[ "$(q "SELECT count(*) FROM cityops.sensor_reading")" -eq 0 ] || fail "readings of unknown sensors stored"

co 'sensor add s.0000003 rain 奉贤区'
co 'sensor add s.0000005 rain 奉贤区'
co 'indicator add fx.reload.one 重载单传感器 --category weather --unit MMT --region 奉贤区 --warn 900 --alarm 950 --stale 600'
co 'indicator rollup fx.reload.one max --window 600 --sensor s.0000003'

# value of IND = VALUE SQL gives, at the newest row of IND
newest() { q "SELECT value FROM cityops.reading WHERE indicator_id = '$1' ORDER BY at DESC LIMIT 1"; }
has_value() { [ -n "$(newest "$1")" ]; }
wait_for 30 has_value fx.reload.one || fail "no value for fx.reload.one without a restart: $(grep -v 'ingest: \(incident\|alarm\)' "$log" | tail -5)"
[ "$(q "SELECT count(*) FROM cityops.sensor_reading WHERE sensor_id = 's.0000003'")" -gt 0 ] ||
	fail "s.0000003's readings were not stored"

co 'indicator rollup fx.reload.one min --window 600 --kind rain --region 奉贤区'
co 'indicator add fx.reload.n 重载点位数 --category weather --unit MMT --region 奉贤区 --warn 900 --alarm 950 --stale 600'
co 'indicator rollup fx.reload.n count_above 0 --window 600 --region 奉贤区'
kill -HUP "$ingest_pid"
two() { [ "$(newest fx.reload.n)" = 2 ]; }
wait_for 30 two || fail "fx.reload.n is '$(newest fx.reload.n)', not 2: $(tail -5 "$log")"

# Stop the stream, let ingest write the last values, stop it, compare.
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null || true
sleep 1
kill -TERM "$ingest_pid"
wait "$ingest_pid" || fail "ingest did not stop cleanly: $(tail -3 "$log")"
[ "$(grep -c 'ingest: database up' "$log")" -eq 1 ] || fail "ingest reconnected or restarted"
grep -q 'rollups over 2 sensors reloaded' "$log" || fail "no reload in the log: $(grep rollups "$log")"
want=$(q "SELECT min(v) FROM (SELECT DISTINCT ON (sensor_id) value AS v FROM cityops.sensor_reading
	WHERE sensor_id IN ('s.0000003', 's.0000005') ORDER BY sensor_id, at DESC) x")
got=$(newest fx.reload.one)
echo "fx.reload.one: $got (min of the newest readings of both: $want); fx.reload.n: $(newest fx.reload.n)"
q "SELECT abs($got - $want) < 1e-9" | grep -qx t || fail "fx.reload.one is $got, want $want"
[ "$(q "SELECT count(DISTINCT sensor_id) FROM cityops.sensor_reading")" -eq 2 ] ||
	fail "readings stored for sensors never added: $(q "SELECT string_agg(DISTINCT sensor_id, ' ') FROM cityops.sensor_reading")"
echo "ok: sensors and rollups defined while ingest ran were used without a restart"
