#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# `cityops ingest --ngsi-broker URL` against feed-sim's NGSI-LD
# subscription API (feed-sim --http --broker FILE, which records every
# subscription request):
#   - a subscription someone else made (the NGSI-LD spec's own example
#     shape, ETSI GS CIM 009 V1.6.1 §C.5 "Subscription") is there first;
#   - ingest creates its own subscription once (POST 201), pointing at its
#     --ngsi-listen endpoint, with the entity types asked for;
#   - killed with SIGKILL and started again from a --sources file, it
#     renews the same subscription (POST 409, PATCH 204): still one of its
#     own on the broker, never a second;
#   - the foreign subscription is never PATCHed nor DELETEd and reads back
#     as it was made;
#   - notifications POSTed to the endpoint the broker holds (feed-sim
#     --ngsi-post to that URI, ?subscriptionId= the id ingest chose), with
#     ingest killed -9 once while they arrive, are stored exactly once.
. "$(dirname "$0")/feed-lib"
need_db
command -v curl >/dev/null || fail "curl is needed"
DB="t_$$_nbroker"
trap 'kill -9 "$(cat "$FEED_TMP/pid" 2>/dev/null)" 2>/dev/null || true; feed_cleanup; dropdb --force --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
createdb -T "$CITYOPS_TEMPLATE" "$DB"
export PGDATABASE=$DB
n=${BROKER_N:-600}
RANDOM=${BROKER_SEED:-$$}
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }
REC=$FEED_TMP/broker.rec
: >"$REC"
start_sim broker --scenario typhoon --count 10 --http --broker "$REC"
BROKER=$SIM_URL
SUBS=${BROKER}ngsi-ld/v1/subscriptions

# The foreign subscription, as a dashboard would have made it.
FOREIGN=urn:ngsi-ld:Subscription:city-dashboard-1
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/ld+json' \
	--data-binary @- "$SUBS" <<JSON
{"id": "$FOREIGN", "type": "Subscription",
 "description": "dashboard: water levels",
 "entities": [{"type": "WaterObserved"}],
 "watchedAttributes": ["height"],
 "notification": {"attributes": ["height"], "format": "keyValues",
  "endpoint": {"uri": "http://dashboard.example:8080/notify", "accept": "application/json"}},
 "@context": "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"}
JSON
)
[ "$code" = 201 ] || fail "the foreign subscription was not made: $code"
curl -sS "$SUBS/$FOREIGN" >"$FEED_TMP/foreign.before"

NPORT=
for _ in 1 2 3 4 5 6 7 8; do
	p=$((20000 + RANDOM % 30000))
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { NPORT=$p; break; }
done
[ -n "$NPORT" ] || fail "no free port found"
ENDPOINT=http://127.0.0.1:$NPORT/ngsi-ld/notify
LOG=$FEED_TMP/ingest.log
: >"$LOG"
cat >"$FEED_TMP/sources" <<CONF
# the same subscription, by config lines
ngsi-listen 127.0.0.1:$NPORT/ngsi-ld/notify
ngsi-broker $BROKER
ngsi-types WaterObserved,WeatherObserved,Device
CONF
starts=0
start_ingest() { # start_ingest ARGS...
	"$CITYOPS" ingest "$@" --state "$FEED_TMP/state" --spool "$FEED_TMP/spool" \
		--flush-ms 50 --log - >>"$LOG" 2>&1 &
	ingest_pid=$!
	FEED_PIDS+=("$ingest_pid")
	echo "$ingest_pid" >"$FEED_TMP/pid"
	starts=$((starts + 1))
	wait_for 60 ingest_ready "$LOG" "$starts" || { tail -20 "$LOG" >&2; fail "ingest did not start"; }
}
ours() { grep -c "^$1	urn:ngsi-ld:Subscription:cityops-ingest-[0-9a-f]*	$2	" "$REC" || true; }

# Bad options are refused before anything starts.
for bad in "--ngsi-broker $BROKER" "--ngsi-broker $BROKER --ngsi-types Water\"x --ngsi-listen 0" \
	"--ngsi-broker ftp://x/ --ngsi-types T --ngsi-listen 0" "--ngsi-types T --ngsi-listen 0"; do
	# shellcheck disable=SC2086
	if "$CITYOPS" ingest $bad --state "$FEED_TMP/bad" >"$FEED_TMP/bad.out" 2>&1; then
		fail "ingest took: $bad"
	fi
	grep -q 'ngsi' "$FEED_TMP/bad.out" || { cat "$FEED_TMP/bad.out" >&2; fail "no word on: $bad"; }
done

# 1. First start: created once.
start_ingest --ngsi-listen "127.0.0.1:$NPORT/ngsi-ld/notify" --ngsi-broker "$BROKER" \
	--ngsi-types WaterObserved,WeatherObserved,Device
wait_for 60 eval '[ "$(ours POST 201)" -ge 1 ]' || { cat "$REC" >&2; tail -5 "$LOG" >&2; fail "no subscription made"; }
wait_for 30 grep -q 'subscription .* created' "$LOG" || fail "ingest did not say it subscribed"
line=$(grep -m1 "^POST	urn:ngsi-ld:Subscription:cityops-ingest-" "$REC")
ID=$(cut -f2 <<<"$line")
[ "$(cut -f4 <<<"$line")" = "$ENDPOINT" ] || fail "the subscription points at $(cut -f4 <<<"$line"), not $ENDPOINT"
[ "$(cut -f5 <<<"$line")" = "WaterObserved,WeatherObserved,Device" ] || fail "types: $(cut -f5 <<<"$line")"
echo "ngsi-broker: created $ID -> $ENDPOINT"

# 2. kill -9, start again from the sources file: renewed, not doubled.
kill -9 "$ingest_pid"
wait "$ingest_pid" 2>/dev/null || true
start_ingest --sources "$FEED_TMP/sources"
wait_for 60 eval '[ "$(ours PATCH 204)" -ge 1 ]' || { cat "$REC" >&2; tail -5 "$LOG" >&2; fail "not renewed"; }
grep -q "^POST	$ID	409" "$REC" || fail "the renewal did not try the same id"
[ "$(ours POST 201)" -eq 1 ] || { cat "$REC" >&2; fail "a second subscription was made"; }
curl -sS "$SUBS" >"$FEED_TMP/list"
[ "$(grep -o '"id":"urn:ngsi-ld:Subscription:[^"]*"' "$FEED_TMP/list" | sort | tr '\n' ' ')" = \
	"\"id\":\"$FOREIGN\" \"id\":\"$ID\" " ] || { cat "$FEED_TMP/list" >&2; fail "the broker holds other subscriptions than the two"; }
echo "ngsi-broker: renewed after kill -9, one subscription of ours"

# 3. The foreign one untouched.
! grep -q "^\(PATCH\|DELETE\)	$FOREIGN	" "$REC" || fail "ingest touched the foreign subscription"
curl -sS "$SUBS/$FOREIGN" >"$FEED_TMP/foreign.after"
cmp -s "$FEED_TMP/foreign.before" "$FEED_TMP/foreign.after" || fail "the foreign subscription changed"

# 4. Notifications to the endpoint the broker holds, ingest killed once.
q "select entity_id || '|' || attribute, indicator_id from cityops.entity_map" | tr '|' '\t' |
	awk -F'\t' '{ print $1 "|" $2 "\t" $3 }' >"$FEED_TMP/map"
start=1472688000000 # 2016-09-01
"$CITYOPS" feed-sim --dump -s typhoon -F push --start "$start" --tick-ms 1000 -n "$n" |
	awk -v mapf="$FEED_TMP/map" '
	BEGIN { while ((getline l < mapf) > 0) { split(l, f, "\t"); m[f[1]] = f[2] } }
	function grab(s, re) { return match(s, re) ? substr(s, RSTART, RLENGTH) : "" }
	/"type":"Notification"/ {
		e = grab($0, "\"data\":[[][{]\"id\":\"[^\"]*\""); e = substr(e, 16, length(e) - 16)
		a = grab($0, "\"type\":\"[A-Za-z]*\",\"[A-Za-z0-9]*\":[{]"); sub(/^"type":"[A-Za-z]*","/, "", a); sub(/":[{]$/, "", a)
		v = grab($0, "\"value\":[-0-9.]+"); t = grab($0, "\"observedAt\":\"[^\"]*\"")
		print m[e "|" a] "\t" substr(t, 15, length(t) - 15) "\t" substr(v, 9) }' >"$FEED_TMP/want"
want=$(wc -l <"$FEED_TMP/want")
[ "$want" -ge 20 ] || fail "only $want notifications in the stream"
"$CITYOPS" feed-sim -s typhoon -F push --start "$start" --tick-ms 1000 -n "$n" --rate 1000 \
	--ngsi-post "$ENDPOINT?subscriptionId=$ID" >/dev/null 2>"$FEED_TMP/post.log" &
sim=$!
FEED_PIDS+=("$sim")
sleep "0.$((RANDOM % 9 + 1))"
kill -9 "$ingest_pid" 2>/dev/null || true
wait "$ingest_pid" 2>/dev/null || true
start_ingest --sources "$FEED_TMP/sources"
wait_for 180 eval '! kill -0 "$sim" 2>/dev/null' || fail "feed-sim did not finish"
wait "$sim" || { cat "$FEED_TMP/post.log" >&2; fail "feed-sim failed"; }
from=$((start / 1000))
has() { [ "$(q "select count(*) from cityops.reading where indicator_id like 'fx.%' and at >= to_timestamp($from) and at < to_timestamp($((from + n)))")" -ge "$want" ]; }
wait_for 90 has || true
psql -qAt -v ON_ERROR_STOP=1 >"$FEED_TMP/diff" <<SQL || fail "comparison failed"
create temp table w (ind text, t text, v float8);
\copy w from '$FEED_TMP/want'
with want as (select ind, t::timestamptz as at, round(v::numeric, 3) as v from w),
got as (select indicator_id as ind, at, round(value::numeric, 3) as v from cityops.reading
	where indicator_id like 'fx.%' and at >= to_timestamp($from) and at < to_timestamp($((from + n))))
(select 'missing', * from want except all select 'missing', * from got)
union all
(select 'extra', * from got except all select 'extra', * from want)
order by 1, 3 limit 10;
SQL
[ ! -s "$FEED_TMP/diff" ] || { cat "$FEED_TMP/diff" >&2; fail "the database differs from the notifications"; }
kill -TERM "$ingest_pid"
wait_for 30 eval '! kill -0 "$ingest_pid" 2>/dev/null' || fail "ingest did not stop"
echo "ngsi-broker: ok ($want notified readings stored once, over a kill -9; subscription made once, renewed once, foreign one untouched)"
