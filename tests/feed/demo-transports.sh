#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The demo's feeds (scripts/lib.sh, demo_feeds, what scripts/demo starts on
# a terminal), run here without one: the typhoon must reach the database
# through the transports a city's systems use, not the websocket stream:
#   - the meteorological bureau's CAP alerts as CAP 1.2 XML behind an Atom
#     index (feed-sim --http, ingest --cap): the blue warning's incident;
#   - the sensors' readings over MQTT through Debian's mosquitto (feed-sim
#     --mqtt, ingest --mqtt): NGSI-LD entities (the 金汇港 tide gauge) and
#     native readings (the river level);
#   - the 12345 hotline's Open311 requests.json (ingest --open311).
# ingest is given no websocket feed at all (its command line is checked),
# and its per-source counters must show documents and messages taken.
. "$(dirname "$0")/feed-lib"
. "$CITYOPS_SRC/scripts/lib.sh"
scratch_db
DEMO_PIDS= DEMO_SIM= DEMO_INGEST=
trap 'kill $DEMO_PIDS $DEMO_SIM $DEMO_INGEST 2>/dev/null || true; feed_cleanup; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || fail "mosquitto (Debian package, scripts/lib.sh) is needed"

since=$(psql -qAt -c 'select now()')
CITYOPS_DEMO_RATE=2000 CITYOPS_DEMO_POLL=1 demo_feeds "$CITYOPS" "$FEED_TMP/demo" ||
	fail "the demo's simulator did not start: $(cat "$FEED_TMP/demo/feed-sim.log")"
FEED_PIDS+=($DEMO_PIDS)
D=$FEED_TMP/demo
grep -q '^mqtt: mqtt://' "$D/feeds.txt" || fail "the demo did not start MQTT: $(cat "$D/feeds.txt")"
tr '\0' ' ' <"/proc/$DEMO_INGEST/cmdline" >"$FEED_TMP/cmdline"
grep -q -- '--cap http://.*/cap/index.atom' "$FEED_TMP/cmdline" || fail "ingest polls no CAP index: $(cat "$FEED_TMP/cmdline")"
grep -q -- '--mqtt mqtt://' "$FEED_TMP/cmdline" || fail "ingest subscribes to no broker: $(cat "$FEED_TMP/cmdline")"
! grep -q -- '--feed' "$FEED_TMP/cmdline" || fail "ingest reads the websocket stream: $(cat "$FEED_TMP/cmdline")"

q() { psql -qAt -c "$1"; }
cap_raised() {
	[ "$(q "select count(*) from cityops.incident where dedup_key = 'cap:warning@sh.cma.gov.cn,SMB-TY-0-BLUE'
		and created_at >= '$since' and created_by::text = 'cityops_ingest'")" = 1 ]
}
readings() { # indicator: readings observed since the start
	q "select count(*) from cityops.reading where indicator_id = '$1' and at >= timestamptz '$since' - interval '1 minute'"
}
has_readings() { [ "$(readings fx.tide.jinhui)" -ge 2 ] && [ "$(readings fx.river)" -ge 2 ]; }
reported() { [ "$(q "select count(*) from cityops.incident where dedup_key = 'open311:FX00001' and created_at >= '$since'")" = 1 ]; }
# The stats line: cap0=STATE/Npoll/N304/Ndoc/... and mqtt0=STATE/Nmsg.
counted() {
	grep -Eq 'cap0=[a-z]+/[0-9]+poll/[0-9]+304/[1-9][0-9]*doc/' "$D/ingest.log" &&
		grep -Eq 'mqtt0=up/[1-9][0-9]*msg' "$D/ingest.log"
}
wait_for 120 cap_raised || fail "the CAP blue warning did not arrive over Atom: $(tail -5 "$D/ingest.log")"
wait_for 120 has_readings || fail "readings did not arrive over MQTT (tide $(readings fx.tide.jinhui), river $(readings fx.river)): $(tail -5 "$D/ingest.log")"
wait_for 60 reported || fail "the Open311 request did not arrive: $(tail -5 "$D/ingest.log")"
wait_for 60 counted || fail "ingest's counters show no CAP documents or MQTT messages: $(grep stored= "$D/ingest.log" | tail -1)"
echo "ok: CAP over Atom ($(grep -Eo 'cap0=[^ ]*' "$D/ingest.log" | tail -1)), MQTT ($(grep -Eo 'mqtt0=[^ ]*' "$D/ingest.log" | tail -1); tide $(readings fx.tide.jinhui), river $(readings fx.river) readings), Open311"
