#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# `cityops ingest --status` as an integrator runs it (docs/ingest.md,
# "Health"): the real ingest polls two CAP sources served by the real
# feed-sim over HTTP, configured by a --sources file, one that works (the Atom index) and one that fails
# (a path feed-sim answers 404); --status, a separate process reading the
# database, must show the first ok with its documents counted and the
# second FAILING with the server's answer, and exit 1. Killed with -9,
# ingest stops reporting and --status must call both sources SILENT.
# Hostile logins: a district officer and a viewer cannot paint a source
# green (CO003, CO002), and an error text with terminal escapes is shown
# without them.
. "$(dirname "$0")/feed-lib"
scratch_db
trap 'feed_cleanup; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT

q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }
status() { "$CITYOPS" ingest --status -U "${1:-viewer_wall}" >"$FEED_TMP/status" 2>&1; }
status_has() { status "${2:-}" || true; grep -Eq -- "$1" "$FEED_TMP/status"; }

start=$(($(date +%s) * 1000))
start_sim sim --scenario typhoon --format cap --start "$start" --tick-ms 1000 \
	--count 400 --http --rate 50
good=${SIM_URL}cap/index.atom
bad=${SIM_URL}cap/no-such-index.atom
log=$FEED_TMP/ingest.log

# A sources file line that is not a source or an option is refused with
# its file and line, and nothing starts.
printf 'cap %s\nopen311 %s interval=0\n' "$good" "$good" >"$FEED_TMP/bad.conf"
rc=0
err=$("$CITYOPS" ingest --sources "$FEED_TMP/bad.conf" --state "$FEED_TMP/x" 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "a bad sources file gave exit $rc: $err"
expect_in "$err" 'bad.conf:2: .interval=0.: want interval=SECONDS'
printf 'feed %s\nstatus\n' "$SIM_URL" >"$FEED_TMP/bad.conf"
rc=0
err=$("$CITYOPS" ingest --sources "$FEED_TMP/bad.conf" 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "'status' in a sources file gave exit $rc: $err"
expect_in "$err" "bad.conf:2: 'status' is not a source or an option"

# Nothing reported yet: exit 1 and say so.
rc=0
status || rc=$?
[ "$rc" -eq 1 ] || fail "--status with no ingest exited $rc: $(cat "$FEED_TMP/status")"
expect_in "$(cat "$FEED_TMP/status")" 'no source has reported'

# Configured by a sources file as docs/ingest.md shows it: source lines
# with their own interval, option lines as the command line's options.
cat >"$FEED_TMP/sources" <<CONF
# CAP sources, each polled every second
cap     $good   interval=1
cap     $bad    interval=1   # this one answers 404
poll-min 1
health-s 1
name     test-ingest
CONF
"$CITYOPS" ingest -U cityops_ingest --sources "$FEED_TMP/sources" \
	--state "$FEED_TMP/state" >"$log" 2>&1 &
ing=$!
FEED_PIDS+=("$ing")

wait_for 60 status_has 'cap0 +ok +cap .*cap/index.atom' ||
	fail "cap0 never reported ok: $(cat "$FEED_TMP/status"; tail -5 "$log")"
wait_for 60 status_has 'docs=[1-9]' ||
	fail "cap0's documents never counted: $(cat "$FEED_TMP/status")"
wait_for 60 status_has 'cap1 +FAILING +cap .*no-such-index.atom' ||
	fail "cap1 never reported failing: $(cat "$FEED_TMP/status")"
out=$(cat "$FEED_TMP/status")
echo "$out"
expect_in "$out" 'ingest test-ingest'
expect_in "$out" 'last error +index: .*404'
expect_in "$out" 'position +[1-9][0-9]* known'
expect_in "$out" 'failures=[1-9]'
rc=0
status || rc=$?
[ "$rc" -eq 1 ] || fail "--status with a failing source exited $rc"

# Hostile logins: no painting a failing source green.
row='[{"kind":"cap","label":"cap1","url":"'"$bad"'","ok":true,"state":"idle"}]'
for who in officer_fx:CO003 viewer_wall:CO002; do
	login=${who%%:*} code=${who##*:}
	err=$(PGUSER=$login psql -qAt -v VERBOSITY=verbose -c \
		"SELECT cityops.source_health_put('test-ingest', 1, '$row')" 2>&1 || true)
	expect_in "$err" "$code"
done
err=$(PGUSER=viewer_wall psql -qAt -c "SELECT * FROM cityops.source_health" 2>&1 || true)
expect_in "$err" 'permission denied'
status_has 'cap1 +FAILING' || fail "a refused write changed cap1: $(cat "$FEED_TMP/status")"

kill -9 "$ing"
wait "$ing" 2>/dev/null || true
wait_for 60 status_has 'cap0 +SILENT' ||
	fail "cap0 not shown silent after kill -9: $(cat "$FEED_TMP/status")"
status_has 'cap1 +SILENT' || fail "cap1 not silent: $(cat "$FEED_TMP/status")"

# An error text with terminal controls (a hostile server's reason) is
# shown without them.
PGUSER=cityops_ingest q "SELECT cityops.source_health_put('evil', 1, '[{\"kind\":\"cap\",\"label\":\"cap0\",\"url\":\"http://x/\",\"ok\":false,\"state\":\"waiting\",\"last_error\":\"bad\\u001b[2J\\u001b]0;pwned\\u0007 reply\"}]')" \
	>/dev/null
status || true
if grep -q $'\e' "$FEED_TMP/status" || grep -q $'\a' "$FEED_TMP/status"; then
	fail "--status printed terminal controls"
fi
expect_in "$(cat "$FEED_TMP/status")" 'ingest evil'
echo "ok: --status shows the working source ok, the failing one FAILING, both SILENT after kill -9"
