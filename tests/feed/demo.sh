#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The demo's feeds (scripts/lib.sh, demo_feeds, what scripts/demo runs on a
# terminal) store as the cityops_ingest login, not as whoever PGUSER names:
# here, as in the demo, that is the cluster superuser, and the event log
# once said `postgres` for every incident the feeds raised.
. "$(dirname "$0")/feed-lib"
. "$CITYOPS_SRC/scripts/lib.sh"
scratch_db
trap 'feed_cleanup; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT

[ "$(psql -qAt -c 'select rolsuper from pg_roles where rolname = current_user')" = t ] ||
	fail "this test wants PGUSER to be a superuser, as in the demo"
since=$(psql -qAt -c 'select now()')
CITYOPS_DEMO_RATE=2000 demo_feeds "$CITYOPS" "$FEED_TMP/demo" ||
	fail "the demo's simulator did not start: $(cat "$FEED_TMP/demo/feed-sim.log")"
FEED_PIDS+=($DEMO_PIDS)

q() { psql -qAt -c "$1"; }
raised() {
	[ "$(q "select count(*) from cityops.incident_event
		where at >= '$since' and action in ('raise', 'merge')")" -ge 2 ]
}
wait_for 60 raised || fail "the demo's feeds raised nothing: $(tail -5 "$FEED_TMP/demo/ingest.log")"
actors=$(q "select string_agg(distinct actor::text, ',') from cityops.incident_event
	where at >= '$since' and action in ('raise', 'merge')")
[ "$actors" = cityops_ingest ] || fail "feed incidents were raised by: $actors"
grep -q 'ingest: starting as cityops_ingest' "$FEED_TMP/demo/ingest.log" ||
	fail "ingest did not log in as cityops_ingest: $(head -3 "$FEED_TMP/demo/ingest.log")"
echo "ok: the demo's ingest acts as cityops_ingest"
