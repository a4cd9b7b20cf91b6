#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The CAP source's cache is keyed by (sender, identifier, sent): two senders
# using the same identifier are two alerts; a document is fetched once, and
# the same alert served again at another URL is not stored twice; records
# past their time that the index no longer lists are dropped and the state
# file rewritten smaller; a kill -9 while it is rewritten (held before the
# rename by CITYOPS_TEST_COMPACT_STALL_MS) loses and doubles nothing; an
# index entry naming a stored alert (cap:sender, cap:identifier, cap:sent)
# is not fetched, whatever its URL.
. "$(dirname "$0")/feed-lib"
need_db
db="t_$$_capcache"
trap 'feed_cleanup; dropdb --force --if-exists "$db" >/dev/null 2>&1 || true' EXIT
createdb -T "$CITYOPS_TEMPLATE" "$db"
export PGDATABASE=$db
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }

# doc FILE SENDER IDENTIFIER SENT EXPIRES
doc() {
	cat >"$FEED_TMP/$1" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>$3</identifier><sender>$2</sender><sent>$4</sent>
  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info><language>zh-CN</language><category>Met</category><event>暴雨</event>
    <urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>
    <expires>$5</expires><headline>$2 暴雨预警</headline>
    <area><areaDesc>奉贤区</areaDesc><geocode><valueName>GB/T 2260</valueName><value>310120</value></geocode></area>
  </info>
</alert>
XML
}
now=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)
later=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%S+00:00)
doc a.xml met@a.example.cn SAME-1 "$now" "$later"
doc b.xml met@b.example.cn SAME-1 "$now" "$later"
cp "$FEED_TMP/a.xml" "$FEED_TMP/c.xml" # a mirror: the same alert
doc d.xml met@d.example.cn OLD-1 2020-01-01T00:00:00+08:00 2020-01-02T00:00:00+08:00
{
	echo '<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>t</title>'
	for x in a b c d; do
		echo "<entry><id>urn:$x</id><title>$x</title><link type=\"application/cap+xml\" href=\"/docs/$x.xml\"/></entry>"
	done
	echo '</feed>'
} >"$FEED_TMP/index.atom"
start_sim sim --count 1 --http --file /cap/index.atom="$FEED_TMP/index.atom" \
	--file /docs/a.xml="$FEED_TMP/a.xml" --file /docs/b.xml="$FEED_TMP/b.xml" \
	--file /docs/c.xml="$FEED_TMP/c.xml" --file /docs/d.xml="$FEED_TMP/d.xml"
url=${SIM_URL}cap/index.atom
state=$FEED_TMP/state
run_ingest() { # LOG [ENV...]
	local log=$1
	shift
	env "$@" "$CITYOPS" ingest -U cityops_ingest --cap "$url" --poll-min 1 \
		--poll-interval 1 --state "$state" --debug >"$log" 2>&1 &
	ingest_pid=$!
	FEED_PIDS+=("$ingest_pid")
}
lines() { cat "$state".cap-* 2>/dev/null | wc -l; }
polls() { grep -c "cap .*: fetching\|ingest: .* rewritten\|not modified\|cap0=" "$1"; }
fetches() { grep -c 'cap .*: fetching document' "$1" || true; }
kill9() { kill -9 "$ingest_pid"; wait "$ingest_pid" 2>/dev/null || true; }
incidents() { q "select count(*) from cityops.incident where dedup_key like 'cap:%SAME-1'"; }
merges() { q "select count(*) from cityops.incident_event e join cityops.incident i on i.id = e.incident_id where i.dedup_key like 'cap:%SAME-1' and e.action = 'merge'"; }

# 1. Four documents, three alerts (c repeats a), two of them SAME-1.
run_ingest "$FEED_TMP/1.log"
wait_for 60 bash -c "[ \$(cat $state.cap-* 2>/dev/null | wc -l) -ge 4 ]" ||
	fail "ingest confirmed $(lines) of 4 documents: $(tail -5 "$FEED_TMP/1.log")"
# Several more polls of the same index: no document fetched again.
sleep 3
kill9
[ "$(fetches "$FEED_TMP/1.log")" -eq 4 ] ||
	fail "want 4 document fetches, have $(fetches "$FEED_TMP/1.log"): $(grep fetching "$FEED_TMP/1.log")"
grep -q 'is stored already' "$FEED_TMP/1.log" || fail "the mirrored alert was not recognised"
[ "$(q "select count(*) from cityops.incident where dedup_key = 'cap:met@a.example.cn,SAME-1'")" = 1 ] &&
	[ "$(q "select count(*) from cityops.incident where dedup_key = 'cap:met@b.example.cn,SAME-1'")" = 1 ] ||
	fail "two senders' SAME-1 are not two incidents: $(q "select dedup_key from cityops.incident where dedup_key like 'cap:%'")"
[ "$(incidents)" = 2 ] && [ "$(merges)" = 0 ] || fail "SAME-1: $(incidents) incidents, $(merges) merges (want 2, 0)"
echo "ok: two senders' SAME-1 are two incidents; 4 documents fetched once over several polls"

# 2. Records past their time that the index no longer lists, as a long
# run leaves them, and lines from an older ingest (bare URLs).
f=$(ls "$state".cap-*)
for i in $(seq 3000); do
	printf 'cap2\t1577894400000\tmet@old.example.cn\tGONE-%d\t1577808000000\t%s/gone/%d.xml\n' "$i" "$SIM_URL" "$i"
done >>"$f"
for i in $(seq 200); do echo "${SIM_URL}legacy/$i.xml"; done >>"$f"
before=$(wc -c <"$f")
sort "$f" >"$FEED_TMP/before.sorted"

# 3. Killed while the smaller file waits to be renamed: the old one stands.
run_ingest "$FEED_TMP/2.log" CITYOPS_TEST_COMPACT_STALL_MS=20000
wait_for 30 grep -q 'compaction stalls' "$FEED_TMP/2.log" ||
	fail "no compaction began: $(tail -5 "$FEED_TMP/2.log")"
kill9
sort "$f" | cmp -s - "$FEED_TMP/before.sorted" || fail "a kill before the rename changed the state file"
[ "$(fetches "$FEED_TMP/2.log")" = 0 ] || fail "documents fetched again after a restart: $(grep fetching "$FEED_TMP/2.log")"

# 4. Again without the stall: the file keeps the four records, nothing else.
run_ingest "$FEED_TMP/3.log"
wait_for 30 grep -q 'rewritten: 4 items' "$FEED_TMP/3.log" ||
	fail "no compaction to 4 records: $(grep -E 'rewritten|dropped' "$FEED_TMP/3.log"; tail -3 "$FEED_TMP/3.log")"
grep -q '3200 of 3204 stored alerts past their time' "$FEED_TMP/3.log" ||
	fail "want 3200 of 3204 dropped: $(grep dropped "$FEED_TMP/3.log")"
after=$(wc -c <"$f")
[ "$(wc -l <"$f")" = 4 ] && [ "$(sort -u "$f" | wc -l)" = 4 ] || fail "state after compaction: $(cat "$f")"
grep -q "/docs/d.xml" "$f" || fail "the expired alert still listed (d) was dropped"
[ ! -e "$f.tmp" ] || fail "the temporary file stayed"
sleep 2
kill9
# 5. After a kill following the rewrite: still nothing fetched again, not
# even a new entry (e, a URL never served) that names a's alert with cap:
# elements, as some feeds do.
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null || true
simport=${SIM_URL##*:}
simport=${simport%/}
sed "s|</feed>|<entry><id>urn:e</id><title>e</title><link type=\"application/cap+xml\" href=\"/docs/e.xml\"/><cap:sender>met@a.example.cn</cap:sender><cap:identifier>SAME-1</cap:identifier><cap:sent>$now</cap:sent></entry></feed>|" \
	"$FEED_TMP/index.atom" | sed 's|<feed xmlns="http://www.w3.org/2005/Atom">|<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">|' >"$FEED_TMP/index2.atom"
grep -q 'cap:identifier>SAME-1' "$FEED_TMP/index2.atom" || fail "index2 not made"
SIM_PORT=$simport start_sim sim2 --count 1 --http --file /cap/index.atom="$FEED_TMP/index2.atom" \
	--file /docs/a.xml="$FEED_TMP/a.xml" --file /docs/b.xml="$FEED_TMP/b.xml" \
	--file /docs/c.xml="$FEED_TMP/c.xml" --file /docs/d.xml="$FEED_TMP/d.xml"
run_ingest "$FEED_TMP/4.log"
wait_for 30 grep -q 'cap0=\|4 items known' "$FEED_TMP/4.log" || fail "ingest did not load its state: $(tail -3 "$FEED_TMP/4.log")"
sleep 3
kill9
[ "$(fetches "$FEED_TMP/3.log")" = 0 ] && [ "$(fetches "$FEED_TMP/4.log")" = 0 ] ||
	fail "documents fetched again: $(grep -h fetching "$FEED_TMP"/[34].log)"
grep -q 'entry .*/docs/e.xml: alert SAME-1 of met@a.example.cn is stored already: not fetched' "$FEED_TMP/4.log" ||
	fail "the entry naming a stored alert was not recognised: $(grep -i 'e.xml' "$FEED_TMP/4.log")"
[ "$(incidents)" = 2 ] && [ "$(merges)" = 0 ] || fail "after the restarts SAME-1: $(incidents) incidents, $(merges) merges"
echo "ok: state file $before -> $after bytes (3204 -> 4 records); kill -9 before the rename kept the old file; nothing fetched or stored twice"
