#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# No 204 before the notification is on disk. A kill -9 cannot show a 204
# sent after the spool's write but before its fdatasync (the page cache
# outlives the process; only a power cut loses it), so this test watches
# the system calls instead: ingest --ngsi-listen runs under strace -f,
# curl posts notifications one at a time, then 16 at a time, then one
# after the other on one kept-alive connection (a broker that asks for
# keep-alive gets it: one connect for the round), and at
# every 204 written to a connection, the spool record written for that
# connection's request (the pwritev after the last read from it) must
# have been covered by an fdatasync that began after that write and
# returned 0. At the end the readings are stored.
# NGSI_DURABLE_N overrides 40 notifications per round.
. "$(dirname "$0")/feed-lib"
need_db
DB="t_$$_ngsidur"
trap 'feed_cleanup; dropdb --force --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
createdb -T "$CITYOPS_TEMPLATE" "$DB"
export PGDATABASE=$DB
command -v curl >/dev/null || fail "curl is needed"
command -v strace >/dev/null || fail "strace is needed"
n=${NGSI_DURABLE_N:-40}
FIX=$(dirname "$0")/fixtures/public/ngsi
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }
q "select cityops.entity_map_set('AirQualityObserved', 'urn:ngsi-ld:AirQualityObserved:Madrid-AmbientObserved-28079004', 'pm25', 'bs.pm25')" >/dev/null

LOG=$FEED_TMP/ingest.log
strace -f -qq -s 24 -e trace=pwritev,fdatasync,read,recvfrom,write,writev,sendto,sendmsg -e signal=none \
	-o "$FEED_TMP/trace" "$CITYOPS" ingest --ngsi-listen 127.0.0.1:0/ngsi-ld/notify \
	--state "$FEED_TMP/state" --spool "$FEED_TMP/spool" --log - >"$LOG" 2>&1 &
tracer=$!
# ingest itself (strace's child) first: stopping strace alone would
# leave it running.
ingest_of() { pgrep -P "$tracer" | head -n1; }
wait_for 20 ingest_of >/dev/null || fail "strace did not start ingest"
FEED_PIDS+=("$(ingest_of)" "$tracer")
wait_for 60 grep -q 'NGSI-LD notifications on' "$LOG" || { cat "$LOG" >&2; fail "ingest did not listen"; }
port=$(grep 'NGSI-LD notifications on' "$LOG" | tail -n1 | sed 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/')

# Three rounds of n notifications: one at a time, 16 at a time, and
# on one connection.
mkdir "$FEED_TMP/n"
for round in 1 2 3; do
	awk -v n="$n" -v r="$round" -v dir="$FEED_TMP/n" -v a="$FIX/notification-airquality.json" \
		-v url="http://127.0.0.1:$port/ngsi-ld/notify" '
	BEGIN {
		while ((getline l < a) > 0) t0 = t0 l "\n"
		for (i = 0; i < n; i++) {
			k = (r - 1) * n + i
			t = t0
			gsub(/@SEQ@/, k, t); gsub(/@V1@/, 10 + k % 50, t); gsub(/@V2@/, "1.5", t)
			gsub(/@AT@/, sprintf("2016-03-16T08:%02d:%02d.000Z", int(k / 60), k % 60), t)
			printf "%s", t > (dir "/" k); close(dir "/" k)
			if (i > 0) print "next"
			printf "url = \"%s\"\nheader = \"Content-Type: application/json\"\n", url
			printf "data-binary = \"@%s/%d\"\noutput = \"/dev/null\"\nwrite-out = \"%%{http_code} %%{num_connects}\\n\"\nmax-time = 20\n", dir, k
		}
	}' >"$FEED_TMP/curl-$round.cfg"
done
# Rounds 1 and 2 close each connection, as Orion-LD does by default.
sed -i 's|^url = |header = "Connection: close"\nurl = |' "$FEED_TMP/curl-1.cfg" "$FEED_TMP/curl-2.cfg"
curl -s -K "$FEED_TMP/curl-1.cfg" >"$FEED_TMP/codes"
curl -s --no-progress-meter --parallel --parallel-max 16 -K "$FEED_TMP/curl-2.cfg" >>"$FEED_TMP/codes"
curl -s -K "$FEED_TMP/curl-3.cfg" >"$FEED_TMP/codes-3"
cat "$FEED_TMP/codes-3" >>"$FEED_TMP/codes"
[ "$(grep -c '^204 ' "$FEED_TMP/codes")" -eq $((3 * n)) ] || fail "not every notification was answered 204: $(cut -d' ' -f1 "$FEED_TMP/codes" | sort | uniq -c | tr '\n' ' ')"
connects=$(awk '{ c += $2 } END { print c }' "$FEED_TMP/codes-3")
[ "$connects" -eq 1 ] || fail "keep-alive: $n notifications on one connection took $connects connects"
in_db() { q "select count(*) from cityops.reading where indicator_id = 'bs.pm25' and at >= '2016-03-16 08:00Z' and at < '2016-03-16 09:00Z'"; }
db_has() { [ "$(in_db)" -ge "$1" ]; }
wait_for 30 db_has $((3 * n)) || fail "the database holds $(in_db) of $((3 * n)) readings"

# The trace, in the order the calls happened. A call interrupted by
# another thread's line shows as "NAME(... <unfinished ...>" and later
# "<... NAME resumed> ...) = R".
awk -v want=$((3 * n)) '
	function fail(m) { print "FAIL: " m > "/dev/stderr"; bad = 1; exit 1 }
	{ pid = $1 }
	# The connection a record came from: the last one read from by the
	# thread that writes the record, in the same turn of the loop.
	/ (read|recvfrom)\([0-9]+,/ {
		split($2, f, /[(,]/); readfd[pid] = f[2]
		if (!/unfinished/ && / = [1-9][0-9]*$/) lastfd[pid] = f[2]
	}
	/<\.\.\. (read|recvfrom) resumed>/ && / = [1-9][0-9]*$/ { lastfd[pid] = readfd[pid] }
	# A write counts once it has returned.
	/ pwritev\(/ && !/unfinished/ && / = [0-9]+$/ { written++; rec[lastfd[pid]] = written }
	/<\.\.\. pwritev resumed>/ && / = [0-9]+$/ { written++; rec[lastfd[pid]] = written }
	/ fdatasync\(/ {
		began[pid] = written
		if (/unfinished/) next
	}
	/fdatasync\(/ || /<\.\.\. fdatasync resumed>/ {
		if ($NF == "0" && began[pid] > synced) synced = began[pid]
	}
	/HTTP\/1\.1 204/ && (/ write\(/ || / writev\(/ || / send/) {
		replies++
		split($2, f, /[(,]/)
		if (!(f[2] in rec))
			fail("a 204 on a connection whose request wrote nothing to the spool (reply " replies ", line " NR ")")
		if (synced < rec[f[2]])
			fail("a 204 went out before the fdatasync of its record " rec[f[2]] " (synced " synced ", reply " replies ", line " NR ")")
		delete rec[f[2]]
	}
	END {
		if (bad) exit 1
		if (replies != want) { print "FAIL: " replies " 204s in the trace, expected " want > "/dev/stderr"; exit 1 }
		if (written < want) { print "FAIL: " written " spool writes in the trace, expected " want > "/dev/stderr"; exit 1 }
		printf "ngsi-durable: %d 204s, %d spool writes, each 204 after the fdatasync covering its own record\n", replies, written
	}' "$FEED_TMP/trace" || { grep -E 'pwritev|fdatasync|204' "$FEED_TMP/trace" | head -30 >&2; fail "a 204 before its notification was synced"; }
syncs=$(grep -c 'fdatasync(' "$FEED_TMP/trace")
# A graceful stop ends when the database has answered the last request
# (the sources' last health report), not at the 10 s grace timer.
kill -TERM "$(ingest_of)"
wait_for 20 eval '! kill -0 "$tracer" 2>/dev/null' || fail "ingest did not stop"
grep -q 'ingest totals' "$LOG" || fail "ingest did not stop cleanly"
! grep 'not answered in time' "$LOG" || fail "the stop waited for its grace timer"
echo "ngsi-durable: ok ($((3 * n)) notifications, $syncs fdatasync calls)"
