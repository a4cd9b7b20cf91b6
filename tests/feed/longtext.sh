#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Long Chinese text in every text field of every format becomes an
# incident: the simulator serves a native report, an NGSI-LD Alert, a CAP
# alert whose first areaDesc lists many districts, and an Open311 request,
# each with 300-character titles, names and addresses and a 5,000-character
# description; ingest (plain URL, as documented) cuts each text on a
# character boundary to what the database stores (title and location 200
# characters, description 4000, ending in "…") and every report is raised,
# none refused. Cutting by bytes once split a character (an Open311
# service_name at 511 bytes, a CAP areaDesc at 127) and PostgreSQL refused
# the whole report. A report with a NUL (\u0000) in its title is refused
# whole and logged, not stored cut short at the NUL.
. "$(dirname "$0")/feed-lib"
scratch_db
trap 'feed_cleanup; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT

ten=奉贤区南桥镇人民路积
many=奉贤区、金山区、松江区、闵行区、浦东新区、
t300= d5000= areas=
for _ in $(seq 30); do t300+=$ten; done
for _ in $(seq 500); do d5000+=$ten; done
for _ in $(seq 20); do areas+=$many; done # 120 characters, 360 bytes

scn=$FEED_TMP/long.scn
cat >"$scn" <<EOF
name longtext
step 60
length 600
heartbeat 1
signal fx.rain 0=1 600=1
at 60 native {"t":"i","src":"12345","cat":"flood","pri":2,"title":"$t300","desc":"$d5000","reg":"310120","loc":"$t300","lat":30.9187,"lon":121.4741,"dk":"long:native:{{cycle}}","ts":{{ts}}}
at 120 ngsi {"id":"urn:ngsi-ld:Alert:long-{{cycle}}","type":"Alert","category":{"type":"Property","value":"environment"},"subCategory":{"type":"Property","value":"flood"},"severity":{"type":"Property","value":"high"},"name":{"type":"Property","value":"$t300"},"description":{"type":"Property","value":"$d5000"},"address":{"type":"Property","value":{"addressLocality":"$t300","streetAddress":"$t300"}},"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[121.50,30.91]}},"dateIssued":{"type":"Property","value":"{{iso}}"}}
at 180 cap {"identifier":"LONG-{{cycle}}","sender":"warning@sh.cma.gov.cn","sent":"{{iso}}","status":"Actual","msgType":"Alert","info":{"category":"Met","event":"$t300","urgency":"Immediate","severity":"Severe","certainty":"Likely","headline":"$t300","description":"$d5000","area":[{"areaDesc":"$areas","polygon":"30.98,121.35 30.98,121.80 30.75,121.80 30.75,121.35"},{"areaDesc":"$t300"}]}}
at 240 open311 [{"service_request_id":"LONG{{cycle}}","status":"open","service_code":"flood","service_name":"$t300","description":"$d5000","address":"$t300","lat":30.9187,"long":121.4741,"requested_datetime":"{{iso}}"}]
at 300 native {"t":"i","src":"110","cat":"typhoon","pri":2,"title":"广告牌\u0000松动","reg":"310120","dk":"nul:{{cycle}}","ts":{{ts}}}
EOF
n=$("$CITYOPS" feed-sim --scenario "$scn" --dump | wc -l)
start_sim sim --scenario "$scn" --rate 200 --count "$n" --hold
"$CITYOPS" ingest -U cityops_ingest --max-ahead-s 864000 --feed "$SIM_URL" --state "$FEED_TMP/state" \
	>"$FEED_TMP/ingest.log" 2>&1 &
ingest_pid=$!
FEED_PIDS+=("$ingest_pid")
committed() { [ "$(cut -f1 "$FEED_TMP/state" 2>/dev/null || echo 0)" -ge "$n" ]; }
wait_for 60 committed || fail "ingest did not finish the stream: $(tail -5 "$FEED_TMP/ingest.log")"
kill -TERM "$ingest_pid"
wait "$ingest_pid" || fail "ingest did not stop cleanly"

grep -q 'ingest totals:.* raised=4 .*inc_refused=0' "$FEED_TMP/ingest.log" ||
	fail "not every report was raised: $(grep -E 'refused|totals' "$FEED_TMP/ingest.log")"
got=$(psql -qAt -F ' ' -c "select dedup_key, char_length(title), char_length(description),
	char_length(location), right(title, 1), right(description, 1), right(location, 1),
	left(title, 10)
	from cityops.incident where dedup_key in ('long:native:0', 'urn:ngsi-ld:Alert:long-0',
		'cap:warning@sh.cma.gov.cn,LONG-0', 'open311:LONG0') order by 1")
want="cap:warning@sh.cma.gov.cn,LONG-0 200 4000 200 … … … $ten
long:native:0 200 4000 200 … … … $ten
open311:LONG0 200 4000 200 … … … $ten
urn:ngsi-ld:Alert:long-0 200 4000 200 … … … $ten"
[ "$got" = "$want" ] || fail "incidents:
$got
want:
$want"
# A NUL would have cut the title to "广告牌": the message is refused whole,
# counted and logged by its reason.
[ "$(psql -qAt -c "select count(*) from cityops.incident where dedup_key = 'nul:0'")" -eq 0 ] ||
	fail "a report with a NUL in its title was stored"
grep -q 'dropped 1 message as nul' "$FEED_TMP/ingest.log" ||
	fail "the NUL was not reported: $(grep dropped "$FEED_TMP/ingest.log")"
echo "ok: 4 reports with long Chinese text raised, cut to 200/4000/200 characters"
