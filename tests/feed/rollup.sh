#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Issue 12, sensors and rollups end to end: an admin generates sensors over
# the demo's district indicators and defines more rollups through the
# documented commands (no SQL); feed-sim --sensors sends their readings;
# `cityops ingest` is killed with SIGKILL at random stream positions and
# restarted each time. Then, from the database alone:
#   - every reading the simulator's stream holds (feed-sim --dump) is in
#     sensor_reading exactly once, with its value (none lost, none extra);
#   - the newest value of every rollup indicator equals its function
#     computed here in SQL, from the sensors, regions and rollup rows
#     (membership written out below, not cityops.rollup_members), over
#     the latest reading of each member newer than the value's time
#     minus the window;
#   - ingest's totals give a rollup lag figure.
# ROLLUP_KILLS and ROLLUP_SEED override 3 and a random seed (printed);
# KEEP=1 keeps the scratch database.
. "$(dirname "$0")/feed-lib"
scratch_db
trap 'feed_cleanup; [ -n "${KEEP:-}" ] || dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
co() { "$CITYOPS" --headless -U admin_city -c "$1" >/dev/null || fail "admin: $1"; }
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }

kills=${ROLLUP_KILLS:-3}
seed=${ROLLUP_SEED:-$$}
RANDOM=$seed
nsens=3000 per=40 passes=3
nmsg=$((passes * ((nsens + per - 1) / per)))
echo "rollup: seed $seed, $nsens sensors, $nmsg messages, $kills kills"

co "sensor generate $nsens"
co 'indicator add sh.rain.p90 全市雨量九十分位 --category weather --unit MMT --region 310000 --warn 80 --alarm 95 --stale 600'
co 'indicator rollup sh.rain.p90 percentile 0.9 --window 900 --kind rain'
co 'indicator add sh.rain.over50 全市雨量超50点位数 --category weather --unit MMT --region 310000 --warn 900 --alarm 1000 --stale 600'
co 'indicator rollup sh.rain.over50 count_above 50 --window 900 --kind rain --group generated'
co 'indicator add fx.sensor.min 奉贤传感器最小值 --category weather --unit MMT --region 奉贤区 --warn 90 --alarm 95 --stale 600'
co 'indicator rollup fx.sensor.min min --window 900 --region 奉贤区'
co 'indicator add fx.sensor.one 单传感器 --category weather --unit MMT --region 奉贤区 --warn 90 --alarm 95 --stale 600'
co 'indicator rollup fx.sensor.one max --window 900 --sensor s.0000007'

# Refused, nothing changed: an officer, a bad function, a bad fraction,
# no selector, a sensor that does not exist, a hostile id.
before=$(q "SELECT count(*) || '/' || md5(string_agg(indicator_rollup::text, ',' ORDER BY indicator_id)) FROM cityops.indicator_rollup")
refused() {
	local rc=0 out
	out=$("$CITYOPS" --headless -U "$1" -c "$2" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "accepted: $2"
	expect_in "$out" "$3"
	expect_not_in "$out" $'\e'
}
refused officer_fx 'indicator rollup fx.rain max --window 60 --kind rain' '需要管理员权限'
refused admin_city 'indicator rollup fx.rain median --window 60 --kind rain' 'function'
refused admin_city 'indicator rollup fx.rain percentile 1.5 --window 60 --kind rain' 'fraction'
refused admin_city 'indicator rollup fx.rain max --window 60' 'region, a kind, a group or a sensor'
refused admin_city 'indicator rollup fx.rain max --window 0 --kind rain' 'window'
refused admin_city 'indicator rollup fx.rain max --window 60 --sensor nosuch' 'no sensor'
refused admin_city $'sensor add s.\e[2J rain 奉贤区' 'sensor id'
refused officer_fx 'sensor generate 10' '需要管理员权限'
[ "$(q "SELECT count(*) || '/' || md5(string_agg(indicator_rollup::text, ',' ORDER BY indicator_id)) FROM cityops.indicator_rollup")" = "$before" ] ||
	fail "a refused command changed the rollups"
[ "$(q "SELECT count(*) FROM cityops.audit WHERE action IN ('indicator.rollup', 'sensor.generate')")" -eq 5 ] ||
	fail "rollups and the generator are not audited: $(q "SELECT action, count(*) FROM cityops.audit GROUP BY 1")"

# Observed times in the last minutes, well inside every window.
start=$(($(date +%s) * 1000 - 240000))
args=(--sensors $nsens --per-message $per --start "$start" --tick-ms 20000 --count $nmsg)
record=$FEED_TMP/record state=$FEED_TMP/state log=$FEED_TMP/ingest.log
start_sim sim "${args[@]}" --rate 400 --hold --record "$record"
sent() { tail -n1 "$1" 2>/dev/null | cut -f1 | grep -E '^[0-9]+$' || echo 0; }
sent_past() { [ "$(sent "$1")" -ge "$2" ]; }
committed() { cut -f1 "$1" 2>/dev/null | grep -E '^[0-9]+$' || echo 0; }
committed_at() { [ "$(committed "$1")" -ge "$2" ]; }
run_ingest() {
	ups=$(grep -c 'ingest: database up' "$log" 2>/dev/null || true)
	"$CITYOPS" ingest -U cityops_ingest --feed "$SIM_URL" --state "$state" --rollup-ms 200 \
		>>"$log" 2>&1 &
	ingest_pid=$!
	FEED_PIDS+=("$ingest_pid")
}
points=
for k in $(seq "$kills"); do
	points+="$((5 + RANDOM % (nmsg * 85 / 100))) "
done
points=$(printf '%s\n' $points | sort -n | tr '\n' ' ')
run_ingest
for p in $points; do
	wait_for 120 sent_past "$record" "$p" || fail "the simulator never reached $p: $(tail -3 "$log")"
	kill -9 "$ingest_pid"
	wait "$ingest_pid" 2>/dev/null || true
	run_ingest
done
wait_for 180 committed_at "$state" $nmsg || fail "ingest committed $(committed "$state") of $nmsg: $(tail -3 "$log")"
wait_for 60 ingest_ready "$log" $((ups + 1)) || fail "ingest did not start: $(tail -3 "$log")"
kill -TERM "$ingest_pid"
wait "$ingest_pid" || fail "ingest did not stop cleanly: $(tail -3 "$log")"
grep -q 'rollups over' "$log" || fail "ingest never loaded the rollups: $(head -20 "$log")"

# What the stream holds: one row per reading.
"$CITYOPS" feed-sim "${args[@]}" --dump |
	awk '{ match($0, /"ts":[0-9]+/); ts = substr($0, RSTART + 5, RLENGTH - 5)
		s = $0; sub(/.*"r":\[\[/, "", s); sub(/\]\]\}$/, "", s)
		n = split(s, a, /\],\[/)
		for (i = 1; i <= n; i++) { r = a[i]; gsub(/"/, "", r); print r "," ts } }' >"$FEED_TMP/want.csv"
[ "$(wc -l <"$FEED_TMP/want.csv")" -eq $((passes * nsens)) ] ||
	fail "the dump holds $(wc -l <"$FEED_TMP/want.csv") readings, not $((passes * nsens)): $(head -2 "$FEED_TMP/want.csv")"

psql -qAt -v ON_ERROR_STOP=1 >"$FEED_TMP/figures" <<SQL
CREATE TEMP TABLE want (s text, v float8, ms bigint);
\copy want FROM '$FEED_TMP/want.csv' WITH (FORMAT csv)
CREATE TEMP TABLE got AS SELECT sensor_id AS s, value AS v,
	(extract(epoch FROM at) * 1000)::bigint AS ms FROM cityops.sensor_reading;
-- readings: expected stored lost extra
SELECT concat_ws(' ', (SELECT count(*) FROM want), (SELECT count(*) FROM got),
	(SELECT count(*) FROM want w WHERE NOT EXISTS (SELECT 1 FROM got g
		WHERE g.s = w.s AND g.ms = w.ms AND abs(g.v - w.v) < 1e-9)),
	(SELECT count(*) FROM got g WHERE NOT EXISTS (SELECT 1 FROM want w
		WHERE g.s = w.s AND g.ms = w.ms)));
-- Each rollup's newest value against its function over its members'
-- latest readings newer than the value's time minus the window.
CREATE TEMP TABLE latest AS SELECT DISTINCT ON (sensor_id) sensor_id, at, value
	FROM cityops.sensor_reading ORDER BY sensor_id, at DESC;
CREATE TEMP TABLE val AS SELECT DISTINCT ON (r.indicator_id) r.indicator_id, r.at, r.value::float8 AS v
	FROM cityops.reading r JOIN cityops.indicator_rollup u USING (indicator_id)
	ORDER BY r.indicator_id, r.at DESC;
CREATE TEMP TABLE calc AS
SELECT u.indicator_id, u.fn, x.v AS got, x.at,
	(SELECT CASE u.fn WHEN 'max' THEN max(l.value) WHEN 'min' THEN min(l.value)
		WHEN 'mean' THEN avg(l.value) WHEN 'sum' THEN sum(l.value)
		WHEN 'count_above' THEN count(*) FILTER (WHERE l.value > u.arg)
		ELSE percentile_cont(CASE u.fn WHEN 'percentile' THEN u.arg ELSE 0 END) WITHIN GROUP (ORDER BY l.value) END
	 FROM cityops.sensor s JOIN latest l ON l.sensor_id = s.id
	 WHERE l.at > x.at - make_interval(secs => u.window_s)
		AND (u.region_code IS NULL OR s.region_path <@ (SELECT path FROM cityops.region WHERE code = u.region_code))
		AND (u.kind IS NULL OR s.kind = u.kind) AND (u.grp IS NULL OR s.grp = u.grp)
		AND (u.sensor_id IS NULL OR s.id = u.sensor_id)) AS want
FROM cityops.indicator_rollup u LEFT JOIN val x USING (indicator_id);
-- rollups, with a value, agreeing
SELECT concat_ws(' ', count(*), count(got), count(*) FILTER (WHERE abs(got - want) <= 1e-9 * (1 + abs(want))))
	FROM calc;
SELECT 'differs: ' || indicator_id || ' ' || fn || ' got ' || coalesce(got::text, 'none') || ' want ' || coalesce(want::text, 'none')
	FROM calc WHERE got IS NULL OR abs(got - want) > 1e-9 * (1 + abs(want)) ORDER BY 1 LIMIT 10;
SQL
read -r rw rs rl rx <<<"$(sed -n 1p "$FEED_TMP/figures")"
read -r nr nv nok <<<"$(sed -n 2p "$FEED_TMP/figures")"
echo "kill -9 at $points"
echo "sensor readings expected $rw stored $rs lost $rl extra $rx"
echo "rollups $nr with a value $nv agreeing with SQL $nok"
tail -n +3 "$FEED_TMP/figures"
grep 'ingest totals' "$log" | tail -1 | grep -o 'rollup_values=[0-9]*\|sensor_[a-z]*=[0-9]*\|rollup_lag_ms=[^ ]*' | tr '\n' ' '
echo
[ "$rl" -eq 0 ] && [ "$rx" -eq 0 ] && [ "$rs" -eq "$rw" ] || fail "sensor readings lost or doubled"
[ "$nr" -eq 148 ] || fail "expected 148 rollups, have $nr"
[ "$nv" -eq "$nr" ] && [ "$nok" -eq "$nr" ] || fail "rollup values differ from SQL (above)"
grep 'ingest totals' "$log" | tail -1 | grep -q 'rollup_lag_ms=p50:' || fail "no rollup lag figure in the totals"
echo "ok: $rs sensor readings once each over $kills kill -9 restarts; all $nr rollups equal SQL"
