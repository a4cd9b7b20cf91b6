#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Issue 10, end to end: public example payloads (tests/feed/fixtures/
# public/, sources in its README) through feed-sim → ingest → database,
# with the mapping entered by an admin through the documented commands
# (no SQL). Asserted as database rows: each value in its indicator's unit,
# at the source's observation time; and each refusal with its reason in
# ingest's log and totals (unit_mismatch, future_time, out_of_area,
# leading_zero, expired, unmapped → `feed unmapped`).
. "$(dirname "$0")/feed-lib"
scratch_db
trap 'feed_cleanup; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
psql -qAt -f "$CITYOPS_SRC/sql/seed/feeds.sql" >/dev/null
pub=$CITYOPS_SRC/tests/feed/fixtures/public
co() { "$CITYOPS" --headless -U admin_city -c "$1" >/dev/null || fail "admin: $1"; }

# Stable identity (refDevice), not the entity id with the time in it.
co 'feed map add WeatherObserved urn:ngsi-ld:Device:device-0A3478 windSpeed fx.wind.haiwan'
co 'feed map add WeatherObserved urn:ngsi-ld:Device:device-0A3478 streamGauge fx.tide.zhelin'
# An id pattern for ids that change per observation.
co 'feed map add AirQualityObserved Madrid-AmbientObserved-28079004-* no2 fx.pm25'
co 'feed map add AirQualityObserved Madrid-AmbientObserved-28079004-* co hp.pm25'
co 'feed map add AirQualityObserved Madrid-AmbientObserved-28079004-* temperature hp.noise.huaihai'
# The same models located inside the city (rules/*-haiwan, *-huaihai).
# An admin adds an indicator and maps a real sensor to it, no SQL.
co 'indicator add fx.wind.haiwan2 海湾镇二号站风速 --category weather --unit KMH --region 海湾镇 --warn 50 --alarm 75 --stale 600'
co 'feed map add WeatherObserved urn:ngsi-ld:Device:haiwan-aws-1 windSpeed fx.wind.haiwan2'
co 'feed map add WeatherObserved urn:ngsi-ld:Device:haiwan-aws-1 streamGauge fx.tide.zhelin'
co 'feed map add AirQualityObserved Huaihai-AmbientObserved-310101022-* no2 fx.pm25'
co 'feed map add AirQualityObserved Huaihai-AmbientObserved-310101022-* co hp.pm25'
co 'feed map add AirQualityObserved Huaihai-AmbientObserved-310101022-* temperature hp.noise.huaihai'
co 'feed map add WeatherObserved urn:ngsi-ld:WeatherObserved:zhelin-swapped streamGauge fx.tide.zhelin'
# A second gauge on the same indicator, to conflict with the first.
co 'feed map add WeatherObserved urn:ngsi-ld:WeatherObserved:fx-haiwan-b precipitation fx.rain.haiwan'
rc=0
out=$("$CITYOPS" --headless -U officer_fx -c 'feed map add A * b fx.rain' 2>&1) || rc=$?
[ "$rc" -ne 0 ] && expect_in "$out" '需要管理员权限' || fail "an officer mapped a feed: $out"

scn=$FEED_TMP/rules.scn
{
	printf 'name rules\ntitle issue 10 rules\nstep 1\nlength 100\nheartbeat 1\n'
	t=1
	for f in "$pub"/*.json* "$pub"/rules/*.json*; do
		case $f in *open311*) fmt=open311 ;; *cap-*) fmt=cap ;; *) fmt=ngsi ;; esac
		printf 'at %d %s %s\n' "$t" "$fmt" "$(tr '\n' ' ' <"$f")"
		t=$((t + 1))
	done
} >"$scn"
start_sim sim --scenario "$scn" --rate 200 --count 60 --hold
"$CITYOPS" ingest -U cityops_ingest --feed "$SIM_URL" --state "$FEED_TMP/state" \
	--flush-ms 50 >"$FEED_TMP/ingest.log" 2>&1 &
ingest_pid=$!
FEED_PIDS+=("$ingest_pid")
done_reading() { grep -q 'CAP rules-cap-expired-1 expired' "$FEED_TMP/ingest.log" &&
	[ "$(cut -f1 "$FEED_TMP/state" 2>/dev/null || echo 0)" -ge 60 ]; }
wait_for 60 done_reading || fail "ingest did not take the stream: $(tail -5 "$FEED_TMP/ingest.log")"
kill -TERM "$ingest_pid"
wait "$ingest_pid" || fail "ingest did not stop cleanly"
log=$(cat "$FEED_TMP/ingest.log")
[ -z "${RULES_KEEP_LOG:-}" ] || cp "$FEED_TMP/ingest.log" "$RULES_KEEP_LOG"

val() { psql -qAtc "select value::float8 from cityops.reading where indicator_id = '$1' and at = '$2'"; }
# Place: the Valladolid and Madrid sensors are mapped, but lie outside the
# city: refused out_of_area with their coordinates, nothing stored.
expect_in "$log" 'out_of_area: WeatherObserved urn:ngsi-ld:WeatherObserved:Spain-WeatherObserved-Valladolid-2016-11-30T07:00:00.00Z windSpeed at lat 41.640833 lon -4.754444'
expect_in "$log" 'out_of_area: AirQualityObserved Madrid-AmbientObserved-28079004-2016-03-15T11:00:00 no2 at lat 40.423853 lon -3.712247'
[ "$(psql -qAtc "select count(*) from cityops.reading where at in ('2016-11-30 07:00:00+00', '2016-03-15 11:00:00+00')")" = 0 ] ||
	fail "a reading located in Spain was stored"
# Latitude first in GeoJSON: placed with the two swapped, and said.
expect_in "$log" 'swapped: WeatherObserved urn:ngsi-ld:WeatherObserved:zhelin-swapped gives lat 121.485000 lon 30.850000, .* placed in 310120118'
[ "$(val fx.tide.zhelin '2025-06-01 05:00:00+00')" = 3 ] || fail "the swapped gauge's 300 cm is not 3 m"
# Units: SDM windSpeed m/s → km/h; streamGauge cm → m; mg/m³ → μg/m³.
[ "$(val fx.wind.haiwan2 '2016-11-30 08:00:00+00')" = 7.2 ] || fail "windSpeed 2 m/s is not 7.2 km/h: $(val fx.wind.haiwan2 '2016-11-30 08:00:00+00')"
[ "$(val fx.tide.zhelin '2016-11-30 08:00:00+00')" = 0.5 ] || fail "streamGauge 50 cm is not 0.5 m"
[ "$(val hp.pm25 '2016-03-15 12:00:00+00')" = 500000 ] || fail "co 500 mg/m³ is not 500000 μg/m³"
# Time: a zone-less NGSIv2 dateObserved is UTC, not +08:00.
[ "$(val fx.pm25 '2016-03-15 12:00:00+00')" = 69 ] || fail "no2 not at 12:00 UTC"
[ "$(val fx.tide.jinhui '2025-06-01 03:00:00+00')" = 4.12 ] || fail "metadata.timestamp (zone-less) / unitCode string not taken"
# notifiedAt is the fallback observation time.
[ "$(val fx.rain.haiwan '2025-06-01 04:00:00+00')" = 3.25 ] || fail "notifiedAt fallback not used"
# Refusals, each with its reason.
expect_in "$log" 'unit_mismatch: AirQualityObserved Huaihai-AmbientObserved-310101022-2016-03-15T12:00:00 temperature sends CEL, indicator hp.noise.huaihai is in 2N'
expect_in "$log" 'future_time: fx.rain.haiwan observed at 4070908800000'
[ "$(psql -qAtc "select count(*) from cityops.reading where at > now() + interval '1 day'")" = 0 ] ||
	fail "a reading from the future was stored"
expect_in "$log" 'out_of_area: 37.762221815, -122.4651145 \(lat, lon\)'
expect_in "$log" 'out_of_area: .*40.42'
expect_in "$log" 'leading_zero'
expect_in "$log" 'conflict: fx.rain.haiwan at 1748754000000 \(epoch ms\): 5 from urn:ngsi-ld:WeatherObserved:fx-haiwan, 6 from urn:ngsi-ld:WeatherObserved:fx-haiwan-b'
# ... and an admin lists it by command: the value beside the one kept.
out=$("$CITYOPS" --headless -U admin_city --json -c 'feed conflicts fx.rain.haiwan')
expect_in "$out" '"value":6.*"kept":5|"kept":5.*"value":6'
expect_in "$log" 'CAP rules-cap-expired-1 expired'
expect_in "$log" 'unmapped: type FillingLevelSensor id urn:ngsi-ld:FillingLevelSensor:xidu-bin-7 attribute fillingLevel'
expect_in "$log" 'out_of_area: ACMeasurement urn:ngsi-ld:ACMeasurement:ACMeasurement:MNCA-ACM-001'
# The later Smart Data Models examples (Sevilla, Galicia, Vitoria): out of
# the city, whatever their time form.
expect_in "$log" 'out_of_area: WaterQualityObserved urn:ngsi-ld:WaterQualityObserved:waterqualityobserved:Sevilla:D1 .* at lat 37.362882 lon -5.993307'
expect_in "$log" 'out_of_area: WasteContainer urn:ngsi-ld:wastecontainer:1021:AAWD .* at lat 42.602145 lon -8.768460'
expect_in "$log" 'out_of_area: NoiseLevelObserved Vitoria-NoiseLevelObserved-2016-12-28T11:00:00_2016-12-28T12:00:00 .* at lat 42.849100 lon -2.698000'
# Place: a two-district CAP alert is one incident at their common region.
[ "$(psql -qAtc "select region_code from cityops.incident where dedup_key = 'cap:warning@sh.cma.gov.cn,rules-cap-gb2260-1'")" = 310120 ] ||
	fail "the GB/T 2260 alert is not one incident in 奉贤区"
# CAP Update: the alert's incident takes the update's priority (Extreme → 1),
# area and expiry, one timeline row each.
[ "$(psql -qAtc "select priority || '|' || location || '|' || (source_expires_at at time zone 'UTC') from cityops.incident where dedup_key = 'cap:warning@sh.cma.gov.cn,rules-cap-gb2260-1'")" = '1|南桥镇; 奉城镇; 海湾镇|2099-01-01 16:00:00' ] ||
	fail "the CAP Update did not revise its alert's incident: $(psql -qAtc "select priority, location, source_expires_at from cityops.incident where dedup_key = 'cap:warning@sh.cma.gov.cn,rules-cap-gb2260-1'")"
[ "$(psql -qAtc "select count(*) from cityops.incident_event e join cityops.incident i on i.id = e.incident_id where i.dedup_key = 'cap:warning@sh.cma.gov.cn,rules-cap-gb2260-1' and e.action = 'source_update'")" = 3 ] ||
	fail "not one timeline row per revised field"
# ... and the deadlines of its new priority, counted from its creation.
[ "$(psql -qAtc "select count(*) from cityops.incident i, cityops.sla_for(i.category_code, 1) s where i.dedup_key = 'cap:warning@sh.cma.gov.cn,rules-cap-gb2260-1' and i.ack_due = i.created_at + s.ack and i.close_due = i.created_at + s.close and i.sla_due = case i.sla_stage when 'ack' then i.ack_due when 'dispatch' then i.dispatch_due when 'arrive' then i.arrive_due when 'close' then i.close_due end")" = 1 ] ||
	fail "the CAP Update's priority did not bring its SLA deadlines: $(psql -qAtc "select priority, created_at, ack_due, close_due, sla_stage, sla_due from cityops.incident where dedup_key = 'cap:warning@sh.cma.gov.cn,rules-cap-gb2260-1'")"
[ "$(psql -qAtc "select count(*) from cityops.incident where dedup_key like 'open311:638349' or title like '%trafficJam%'")" = 0 ] ||
	fail "a San Francisco or Madrid report landed in the city"
out=$("$CITYOPS" --headless -U admin_city -c 'feed unmapped')
expect_in "$out" 'FillingLevelSensor'
expect_in "$out" 'fillingLevel'
case $out in *ACMeasurement*) fail "an entity outside the city is listed as unmapped: $out" ;; esac
echo "1 passed, 0 failed"
