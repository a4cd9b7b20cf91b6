#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# NGSILD-Tenant on the notification endpoint (`cityops ingest --ngsi-listen
# ... --ngsi-tenant NAME`), posted with curl as a broker does: the served
# tenant's notifications are kept (204; Fiware-Service too, as NGSIv2-era
# brokers send it); another tenant's, or none (the default tenant), are
# refused 404 with an NGSI-LD ProblemDetails body of type NonexistentTenant
# and change nothing; a malformed tenant is 400; the refusals are counted
# (other_tenant). `--ngsi-broker` sends the header on its subscription
# (the feed-sim broker records it). A separate file from feed/ngsi-http.
. "$(dirname "$0")/feed-lib"
need_db
command -v curl >/dev/null || fail "curl is needed"
DB="t_$$_ntenant"
trap 'feed_cleanup; dropdb --force --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
createdb -T "$CITYOPS_TEMPLATE" "$DB"
export PGDATABASE=$DB
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }
FIX=$(dirname "$0")/fixtures/public/ngsi
q "select cityops.entity_map_set('AirQualityObserved', 'urn:ngsi-ld:AirQualityObserved:Madrid-AmbientObserved-28079004', 'pm25', 'bs.pm25')" >/dev/null
REC=$FEED_TMP/broker.rec
: >"$REC"
start_sim broker --scenario typhoon --count 10 --http --broker "$REC"
LOG=$FEED_TMP/ingest.log
"$CITYOPS" ingest --ngsi-listen 127.0.0.1:0/ngsi-ld/notify --ngsi-tenant shanghai \
	--ngsi-broker "$SIM_URL" --ngsi-types AirQualityObserved \
	--state "$FEED_TMP/state" --spool "$FEED_TMP/spool" --flush-ms 50 --log - >"$LOG" 2>&1 &
ingest_pid=$!
FEED_PIDS+=("$ingest_pid")
wait_for 30 grep -q 'NGSI-LD notifications on' "$LOG" || { cat "$LOG" >&2; fail "ingest did not listen"; }
port=$(grep 'NGSI-LD notifications on' "$LOG" | tail -n1 | sed 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/')
url="http://127.0.0.1:$port/ngsi-ld/notify?subscriptionId=urn:ngsi-ld:Subscription:cityops-air"

# post N HEADER...: notification N (its own observed minute); prints the
# status, the body into $FEED_TMP/reply.N
post() {
	local i=$1
	shift
	sed -e "s/@SEQ@/$i/g" -e "s/@AT@/2016-03-15T12:$(printf %02d "$i"):00.000Z/g" \
		-e "s/@V1@/$((10 + i))/" -e "s/@V2@/1.5/" "$FIX/notification-airquality.json" |
		curl -s -o "$FEED_TMP/reply.$i" -w '%{http_code}' -m 10 -H 'Content-Type: application/json' \
			"$@" --data-binary @- "$url" || true
}
pm25() { q "select count(*) from cityops.reading where indicator_id = 'bs.pm25' and at >= '2016-03-15 12:00Z' and at < '2016-03-15 13:00Z'"; }

[ "$(post 1 -H 'NGSILD-Tenant: shanghai')" = 204 ] || fail "the served tenant was refused: $(cat "$FEED_TMP/reply.1")"
[ "$(post 2 -H 'Fiware-Service: shanghai')" = 204 ] || fail "Fiware-Service of the served tenant was refused"
[ "$(post 3 -H 'NGSILD-Tenant: beijing')" = 404 ] || fail "another tenant was not refused 404"
grep -q '"type":"https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant"' "$FEED_TMP/reply.3" &&
	grep -q '"status":404' "$FEED_TMP/reply.3" || fail "no ProblemDetails: $(cat "$FEED_TMP/reply.3")"
[ "$(post 4)" = 404 ] || fail "a notification without a tenant (the default) was not refused"
[ "$(post 5 -H 'NGSILD-Tenant: shang hai')" = 400 ] || fail "a malformed tenant was not 400"
[ "$(post 6 -H 'NGSILD-Tenant: Shanghai')" = 404 ] || fail "Shanghai was taken for shanghai (tenants compare exactly)"
wait_for 30 eval '[ "$(pm25)" -ge 2 ]' || fail "the served tenant's readings never arrived: $(pm25)"
sleep 1
[ "$(pm25)" = 2 ] || fail "want the 2 readings of the served tenant, have $(pm25)"
echo "ok: shanghai 204 (NGSILD-Tenant and Fiware-Service), beijing and none 404 NonexistentTenant, malformed 400; 2 readings stored"

wait_for 30 grep -q 'subscription .* created' "$LOG" || fail "ingest did not subscribe: $(tail -5 "$LOG")"
line=$(grep -m1 "^POST	urn:ngsi-ld:Subscription:cityops-ingest-" "$REC")
[ "$(cut -f7 <<<"$line")" = shanghai ] || fail "the subscription was not made in the tenant: $line"
echo "ok: --ngsi-broker subscribed with NGSILD-Tenant: shanghai"

kill -TERM "$ingest_pid"
wait "$ingest_pid" || fail "ingest did not stop cleanly: $(tail -5 "$LOG")"
grep -q 'refused/[0-9]*waiting/3other_tenant' "$LOG" || fail "the refusals were not counted by reason: $(grep 'ngsi=' "$LOG" | tail -2)"
echo "ok: 3 notifications counted as other_tenant"
