#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Open311 GeoReport v2 polling with kill -9: feed-sim --http serves the
# typhoon scenario's hotline requests as requests.json and requests.xml
# (published at the stream's rate, filtered by start_date/end_date and
# service_request_id); `cityops ingest --open311 URL` polls it, once for
# each format, and is killed with SIGKILL at random points and restarted.
# At the end every open request published is one incident (open311:ID),
# none lost, none doubled; closed ones raise nothing.
# Then (phase "sources", below) services.json, closing, and per-source
# zone and lenient against fixtures served as they are (feed-sim --file).
. "$(dirname "$0")/feed-lib"
need_db
DBS=()
trap 'feed_cleanup; for d in "${DBS[@]}"; do dropdb --force --if-exists "$d" >/dev/null 2>&1 || true; done' EXIT
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
at_least() { [ "$(lines "$1")" -ge "$2" ]; }
seed=${OPEN311_SEED:-$$}
RANDOM=$seed
n=2928

for fmt in ${OPEN311_FORMATS-json xml}; do
	db="t_$$_o311_$fmt"
	createdb -T "$CITYOPS_TEMPLATE" "$db"
	DBS+=("$db")
	export PGDATABASE=$db
	record=$FEED_TMP/record.$fmt state=$FEED_TMP/state.$fmt log=$FEED_TMP/ingest.$fmt.log
	start=$(($(date +%s) * 1000))
	start_sim "sim$fmt" --scenario typhoon --format open311 --start "$start" --tick-ms 1000 \
		--count $n --http --rate 300 --hold --record "$record"
	total=$("$CITYOPS" feed-sim --scenario typhoon --format open311 --start "$start" \
		--tick-ms 1000 --count $n --dump | grep -c 'requested_datetime')
	[ "$total" -ge 8 ] || fail "only $total requests with a requested time"
	url=${SIM_URL}open311/requests.$fmt
	points=$(for k in 1 2 3; do echo $((1 + $RANDOM % (total - 1))); done | sort -n | tr '\n' ' ')
	echo "$fmt: seed $seed, $total requests, kill -9 after $points published; $url"
	ingest_pid= ups=0
	run_ingest() {
		# Starts that reached the database so far (a run killed early
		# never does).
		ups=$(grep -c 'ingest: database up' "$log" 2>/dev/null || true)
		"$CITYOPS" ingest -U cityops_ingest --open311 "$url" --poll-min 1 \
			--poll-interval 1 --state "$state" >>"$log" 2>&1 &
		ingest_pid=$!
		FEED_PIDS+=("$ingest_pid")
	}
	run_ingest
	for p in $points; do
		wait_for 60 at_least "$record" "$p" ||
			fail "$fmt: never published $p: $(tail -3 "$log")"
		kill -9 "$ingest_pid"
		wait "$ingest_pid" 2>/dev/null || true
		run_ingest
	done
	wait_for 60 at_least "$record" "$total" || fail "$fmt: published $(lines "$record") of $total"
	wait_for 60 bash -c "[ \$(cat $state.open311-* 2>/dev/null | wc -l) -ge $total ]" ||
		fail "$fmt: ingest confirmed $(cat "$state".open311-* 2>/dev/null | wc -l) of $total: $(tail -5 "$log")"
	# The last run may find everything confirmed by the one killed before
	# it: SIGTERM only once it is up (a signal before its handling is set
	# up kills it like any process: exit 143, seen in CI).
	wait_for 60 ingest_ready "$log" $((ups + 1)) || fail "$fmt: ingest did not start: $(tail -5 "$log")"
	kill -TERM "$ingest_pid"
	wait "$ingest_pid" || fail "$fmt: ingest did not stop cleanly (exit $?): $(tail -20 "$log")"
	kill -TERM "$SIM_PID"
	wait "$SIM_PID" || true

	# Expected: each open request published, once.
	awk -F'\t' '$5 == "open" { print "open311:" $3 }' "$record" | sort -u >"$FEED_TMP/want.$fmt"
	q "SELECT dedup_key FROM cityops.incident WHERE dedup_key LIKE 'open311:%'
		ORDER BY 1" >"$FEED_TMP/got.$fmt"
	merges=$(q "SELECT count(*) FROM cityops.incident_event e JOIN cityops.incident i
		ON i.id = e.incident_id WHERE i.dedup_key LIKE 'open311:%' AND e.action = 'merge'")
	want=$(wc -l <"$FEED_TMP/want.$fmt")
	got=$(wc -l <"$FEED_TMP/got.$fmt")
	lost=$(comm -23 "$FEED_TMP/want.$fmt" "$FEED_TMP/got.$fmt" | wc -l)
	extra=$(comm -13 "$FEED_TMP/want.$fmt" "$FEED_TMP/got.$fmt" | wc -l)
	doubled=$(($(sort "$FEED_TMP/got.$fmt" | uniq -d | wc -l) + merges))
	echo "$fmt: requests expected $want incidents $got lost $lost extra $extra doubled $doubled"
	[ "$want" -ge 4 ] || fail "$fmt: too few open requests expected"
	[ "$lost" -eq 0 ] && [ "$extra" -eq 0 ] && [ "$doubled" -eq 0 ] ||
		fail "$fmt: a restart lost or doubled requests"
	grep -q 'requests.*service_request_id=\|open311.*known from' "$log" || true
done
[ -z "${OPEN311_FORMATS-x}" ] ||
	echo "ok: every open Open311 request stored exactly once over 3 kill -9 restarts, JSON and XML"

# ---- Phase "sources": four Open311 sources in one ingest -------------------
#  a  requests.json whose requests give a service_code only, beside a
#     services.json naming the codes (the GeoReport v2 service list shape):
#     the incident is titled by the list; a request closed when first seen
#     raises nothing; then the server's answer turns both open requests
#     closed (ingest killed -9 at a random moment meanwhile): the one still
#     new gets one source note asking the desk, the one on scene is
#     resolved, each exactly one row.
#  b  the GeoReport v2 spec's own requests.json (fixtures/public/open311,
#     "service_code":006, a leading-zero number), marked --src-lenient:
#     its open request raises an incident;
#  c  the same body under other ids, strict: refused (leading_zero),
#     nothing raised;
#  d  zone-less times (an untidy server), `zone=+08:00` on its sources
#     line: the requested time confirmed is read at +08:00.
FIX=$(dirname "$0")/fixtures/public/open311
db="t_$$_o311_src"
createdb -T "$CITYOPS_TEMPLATE" "$db"
DBS+=("$db")
export PGDATABASE=$db
T1=$(date -u -d '-20 min' +%Y-%m-%dT%H:%M:%SZ)
T2=$(date -u -d '-2 min' +%Y-%m-%dT%H:%M:%SZ)
req() { # req ID STATUS CODE [NAME] [UPDATED]
	printf '{"service_request_id":"%s","status":"%s","service_code":"%s",%s"description":"人民路积水","address":"奉贤区南桥镇人民路100号","lat":30.9187,"long":121.4741,"requested_datetime":"%s"%s}' \
		"$1" "$2" "$3" "${4:+\"service_name\":\"$4\",}" "$T1" "${5:+,\"updated_datetime\":\"$5\"}"
}
echo "[$(req SVC1 open flood),$(req SVC2 open road),$(req SVC3 closed road)]" >"$FEED_TMP/a-open.json"
echo "[$(req SVC1 closed flood "" "$T2"),$(req SVC2 closed road "" "$T2"),$(req SVC3 closed road)]" >"$FEED_TMP/a-closed.json"
cat >"$FEED_TMP/services.json" <<'JSON'
[{"service_code":"flood","service_name":"道路积水","description":"积水没过路面","metadata":false,"type":"realtime","keywords":"积水, 内涝","group":"防汛"},
 {"service_code":"road","service_name":"井盖缺失","metadata":false,"type":"realtime","group":"市政"}]
JSON
# The spec's requests are in San Francisco: moved into the city (else
# out_of_area), nothing else changed.
inside() { sed -e 's/"lat":37.762221815/"lat":30.9187/' -e 's/"long":-122.4651145/"long":121.4741/' "$@"; }
inside "$FIX/spec-requests.json" >"$FEED_TMP/b.json"
grep -q '"service_code":006' "$FEED_TMP/b.json" || fail "b.json lost its leading zero"
inside "$FIX/spec-requests.json" | sed 's/6383/7383/g' >"$FEED_TMP/c.json"
inside "$FIX/spec-requests.json" | sed -e 's/6383/8383/g' -e 's/"service_code":006/"service_code":"006"/' \
	-e 's/\(_datetime":"[-0-9T:]*\)-08:00"/\1"/' >"$FEED_TMP/d.json"
grep -q '"requested_datetime":"2010-04-19T06:37:38"' "$FEED_TMP/d.json" || fail "d.json not zone-less"
files=(--file /b/requests.json="$FEED_TMP/b.json" --file /c/requests.json="$FEED_TMP/c.json"
	--file /d/requests.json="$FEED_TMP/d.json" --file /a/services.json="$FEED_TMP/services.json")
start_sim srcsim --count 1 --http "${files[@]}" --file /a/requests.json="$FEED_TMP/a-open.json"
simport=${SIM_URL##*:}
simport=${simport%/}
cat >"$FEED_TMP/sources" <<CONF
open311 ${SIM_URL}a/requests.json
open311 ${SIM_URL}d/requests.json zone=+08:00 interval=1
CONF
state=$FEED_TMP/state.src log=$FEED_TMP/ingest.src.log
: >"$log"
runs=0
run_src_ingest() {
	"$CITYOPS" ingest -U cityops_ingest --poll-min 1 --poll-interval 1 --state "$state" \
		--src-lenient --open311 "${SIM_URL}b/requests.json" --open311 "${SIM_URL}c/requests.json" \
		--sources "$FEED_TMP/sources" --log - >>"$log" 2>&1 &
	ingest_pid=$!
	FEED_PIDS+=("$ingest_pid")
	runs=$((runs + 1))
	wait_for 60 ingest_ready "$log" "$runs" || fail "sources: ingest did not start: $(tail -5 "$log")"
}
incident() { q "select count(*) from cityops.incident where dedup_key = 'open311:$1'"; }
has_incident() { [ "$(incident "$1")" -ge 1 ]; }
run_src_ingest
for id in SVC1 SVC2 638349; do
	wait_for 60 has_incident "$id" || fail "sources: no incident for $id: $(tail -5 "$log")"
done
title=$(q "select title from cityops.incident where dedup_key = 'open311:SVC1'")
[ "$title" = 道路积水 ] || fail "sources: SVC1 titled '$title', not by services.json"
[ "$(incident SVC3)" -eq 0 ] || fail "sources: a request closed when first seen raised an incident"
wait_for 30 grep -q "c/requests.json: answer refused: leading_zero" "$log" ||
	fail "sources: the strict source took leading zeros: $(grep 'c/requests' "$log" | tail -2)"
[ "$(incident 738349)" -eq 0 ] || fail "sources: the strict source raised an incident"
want_ms=$(($(date -d '2010-04-19T06:37:38+08:00' +%s) * 1000))
dcache() { cat "$state".open311-* 2>/dev/null | grep "^838349|"; }
wait_for 30 dcache >/dev/null || fail "sources: d's request never confirmed"
got_ms=$(dcache | head -1 | cut -d'|' -f4)
[ "$got_ms" = "$want_ms" ] || fail "sources: d's zone-less time read as $got_ms, not $want_ms (+08:00)"
echo "sources: services.json named SVC1; closed-at-first raised nothing; lenient b raised, strict c refused; d read at +08:00"

# SVC2 is on scene (as the desk would have it; set here directly).
q "update cityops.incident set state = 'on_scene' where dedup_key = 'open311:SVC2'" >/dev/null
kill -9 "$ingest_pid"
wait "$ingest_pid" 2>/dev/null || true
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null || true
SIM_PORT=$simport start_sim srcsim2 --count 1 --http "${files[@]}" --file /a/requests.json="$FEED_TMP/a-closed.json"
run_src_ingest
sleep "0.$((RANDOM % 9 + 1))"
kill -9 "$ingest_pid"
wait "$ingest_pid" 2>/dev/null || true
run_src_ingest
rows() { q "select count(*) from cityops.incident_event e join cityops.incident i on i.id = e.incident_id
	where i.dedup_key = 'open311:$1' and e.note like 'Open311 $1: closed%'"; }
settled() { [ "$(rows SVC1)" -ge 1 ] && [ "$(rows SVC2)" -ge 1 ]; }
wait_for 60 settled || fail "sources: the closings did not arrive: $(tail -5 "$log")"
# Everything the server says is confirmed (5 keys of a), then stop.
akeys() { [ "$(cat "$state".open311-* | grep -c '^SVC')" -ge 5 ]; }
wait_for 60 akeys || fail "sources: ingest confirmed $(cat "$state".open311-* | grep -c '^SVC') of 5 keys"
kill -TERM "$ingest_pid"
wait "$ingest_pid" || fail "sources: ingest did not stop cleanly"
[ "$(rows SVC1)" -eq 1 ] && [ "$(rows SVC2)" -eq 1 ] || fail "sources: closing rows SVC1 $(rows SVC1), SVC2 $(rows SVC2), want 1 each"
s1=$(q "select state || ' ' || (select action from cityops.incident_event e where e.incident_id = i.id and e.note like 'Open311%') from cityops.incident i where dedup_key = 'open311:SVC1'")
s2=$(q "select state || ' ' || (select action from cityops.incident_event e where e.incident_id = i.id and e.note like 'Open311%') from cityops.incident i where dedup_key = 'open311:SVC2'")
[ "$s1" = "new note" ] || fail "sources: SVC1 (new) after closing: '$s1', want 'new note'"
[ "$s2" = "resolved resolve" ] || fail "sources: SVC2 (on scene) after closing: '$s2', want 'resolved resolve'"
echo "ok: sources: closing gave one row each over a kill -9 (new → note to the desk, on scene → resolved)"
