#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Open311 services.xml: an XML endpoint (requests.xml) has its service list
# read as services.xml (GeoReport v2 makes XML the mandatory format), the
# specification's example (fixtures/public/open311/spec-services.xml)
# served by feed-sim --file; requests that give only a service_code take
# the list's name. A list with a DOCTYPE is refused (logged, counted) and
# the requests are polled all the same.
. "$(dirname "$0")/feed-lib"
need_db
db="t_$$_o311svcxml"
trap 'feed_cleanup; dropdb --force --if-exists "$db" >/dev/null 2>&1 || true' EXIT
createdb -T "$CITYOPS_TEMPLATE" "$db"
export PGDATABASE=$db
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }
FIX=$(dirname "$0")/fixtures/public/open311
T1=$(date -u -d '-20 min' +%Y-%m-%dT%H:%M:%SZ)
req() { # req ID CODE
	printf '<request><service_request_id>%s</service_request_id><status>open</status><service_code>%s</service_code><description>人民路井盖</description><address>奉贤区南桥镇人民路100号</address><lat>30.9187</lat><long>121.4741</long><requested_datetime>%s</requested_datetime></request>\n' "$1" "$2" "$T1"
}
{
	echo '<?xml version="1.0" encoding="utf-8"?><service_requests>'
	req XSVC1 002
	req XSVC2 003
	echo '</service_requests>'
} >"$FEED_TMP/x.xml"
sed 's/XSVC/YSVC/' "$FEED_TMP/x.xml" >"$FEED_TMP/y.xml"
{
	echo '<?xml version="1.0"?><!DOCTYPE services [<!ENTITY n "Construction plate shifted">]>'
	echo '<services><service><service_code>002</service_code><service_name>&n;</service_name></service></services>'
} >"$FEED_TMP/bad-services.xml"
start_sim sim --count 1 --http --file /x/requests.xml="$FEED_TMP/x.xml" \
	--file /x/services.xml="$FIX/spec-services.xml" --file /y/requests.xml="$FEED_TMP/y.xml" \
	--file /y/services.xml="$FEED_TMP/bad-services.xml"
log=$FEED_TMP/ingest.log
"$CITYOPS" ingest -U cityops_ingest --poll-min 1 --poll-interval 1 --state "$FEED_TMP/state" \
	--open311 "${SIM_URL}x/requests.xml" --open311 "${SIM_URL}y/requests.xml" --log - >"$log" 2>&1 &
ingest_pid=$!
FEED_PIDS+=("$ingest_pid")
incident() { q "select count(*) from cityops.incident where dedup_key = 'open311:$1'"; }
raised() { for id in "$@"; do [ "$(incident "$id")" -ge 1 ] || return 1; done; }
wait_for 60 raised XSVC1 XSVC2 YSVC1 YSVC2 || fail "not every request raised: $(tail -5 "$log")"
grep -q "x/requests.xml: services.xml: 3 services named, 0 entries skipped" "$log" ||
	fail "services.xml was not read: $(grep -i services "$log")"
t1=$(q "select title from cityops.incident where dedup_key = 'open311:XSVC1'")
t2=$(q "select title from cityops.incident where dedup_key = 'open311:XSVC2'")
[ "$t1" = "Construction plate shifted" ] && [ "$t2" = "Curb or curb ramp defect" ] ||
	fail "titles '$t1', '$t2' are not the services.xml names"
grep -q "y/requests.xml: services.xml refused: a DOCTYPE (refused)" "$log" ||
	fail "the DOCTYPE list was not refused: $(grep -i 'y/.*services' "$log")"
ty=$(q "select title from cityops.incident where dedup_key = 'open311:YSVC1'")
[ "$ty" != "Construction plate shifted" ] || fail "a refused list named a request"
kill -TERM "$ingest_pid"
wait "$ingest_pid" || fail "ingest did not stop cleanly: $(tail -5 "$log")"
grep -q 'open3111=.*invalid_xml=1' "$log" || fail "the refused list was not counted: $(grep 'open311' "$log" | tail -2)"
echo "ok: services.xml named XSVC1/XSVC2 ('$t1', '$t2'); a DOCTYPE list refused and counted, YSVC1 titled '$ty'"
