#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The NGSI-LD notification endpoint (`cityops ingest --ngsi-listen`),
# driven by curl the way a context broker posts (Orion-LD's headers, a
# new connection per notification, ?subscriptionId=, Link, NGSILD-Tenant,
# a shared secret in X-Auth-Token), with public example payloads
# (fixtures/public/ngsi/README.md):
#   - refusals change nothing: wrong path 404, GET 405, no or wrong secret
#     401, not JSON 415, a body over the cap 413 (with Content-Length, with
#     Expect: 100-continue, chunked), a slow sender dropped;
#   - Expect: 100-continue and chunked bodies are answered 204;
#   - exactly once across kill -9: notifications are posted 16 at a time
#     (as a broker's notifier threads do; so a kill finds requests read
#     and waiting for their 204 behind the spool's group commit), each
#     until it gets 204 (a broker never resends after 204);
#     meanwhile ingest is killed with SIGKILL at random moments and
#     restarted (--flush-ms 1000 widens the time between a 204 and the
#     database commit, where a kill finds what a 204 sent too early would
#     lose). At the end the database holds every notification's
#     readings exactly once, none missing, none extra, and the spool is
#     empty. A 204 sent before the notification was safely kept would show
#     here as a missing reading.
# NGSI_N, NGSI_KILLS and NGSI_PARALLEL override 1500, 3 and 16;
# NGSI_SEED replays a run.
. "$(dirname "$0")/feed-lib"
need_db
DB="t_$$_ngsi"
trap 'kill "$(cat "$FEED_TMP/pid" 2>/dev/null)" 2>/dev/null || true; feed_cleanup; dropdb --force --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
createdb -T "$CITYOPS_TEMPLATE" "$DB"
export PGDATABASE=$DB
command -v curl >/dev/null || fail "curl is needed"

n=${NGSI_N:-1500}
kills=${NGSI_KILLS:-3}
parallel=${NGSI_PARALLEL:-16}
seed=${NGSI_SEED:-$$}
RANDOM=$seed
echo "ngsi-http: seed $seed, $n notifications, $kills kills"
FIX=$(dirname "$0")/fixtures/public/ngsi
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }

# What an operator enters for a real platform: these entities feed two
# indicators. (The readings go to the year of the examples, 2016, where
# the demo seed has none.)
q "select cityops.entity_map_set('AirQualityObserved', 'urn:ngsi-ld:AirQualityObserved:Madrid-AmbientObserved-28079004', 'pm25', 'bs.pm25')" >/dev/null
q "select cityops.entity_map_set('WeatherObserved', 'urn:ngsi-ld:WeatherObserved:Spain-WeatherObserved-Valladolid-2016-11-30T07:00:00.00Z', 'windSpeed', 'bs.wind')" >/dev/null

printf 'tr0ub4dor&3\n' >"$FEED_TMP/secret"
LOG=$FEED_TMP/ingest.log
ingest_pid=
port=
: >"$LOG"
listens() { grep -c 'NGSI-LD notifications on' "$LOG" || true; }
listens_past() { [ "$(listens)" -gt "$1" ]; }
start_ingest() {
	local before
	before=$(listens)
	"$CITYOPS" ingest --ngsi-listen 127.0.0.1:0/ngsi-ld/notify \
		--ngsi-secret-file "$FEED_TMP/secret" --ngsi-max-body 65536 \
		--ngsi-timeout 2 --state "$FEED_TMP/state" --spool "$FEED_TMP/spool" \
		--flush-ms 1000 --log - >>"$LOG" 2>&1 &
	ingest_pid=$!
	FEED_PIDS+=("$ingest_pid")
	echo "$ingest_pid" >"$FEED_TMP/pid"
	wait_for 20 listens_past "$before" ||
		{ cat "$LOG" >&2; fail "ingest did not listen"; }
	port=$(grep 'NGSI-LD notifications on' "$LOG" | tail -n1 | sed 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/')
}

# at I: the observed time of notification I (ms apart from the seed's).
at() { printf '2016-03-15T11:%02d:%02d.%03dZ' $(($1 / 60 % 60)) $(($1 % 60)) $((100 + $1 % 7)); }
body() { # body I FIXTURE
	sed -e "s/@SEQ@/$1/g" -e "s/@AT@/$(at "$1")/g" -e "s/@V1@/$((10 + $1 % 50))/" \
		-e "s/@V2@/$(($1 % 20)).5/" "$FIX/$2"
}
# Every notification's body, written at once (awk: one process).
mkdir "$FEED_TMP/n"
awk -v n="$n" -v dir="$FEED_TMP/n" -v a="$FIX/notification-airquality.json" \
	-v b="$FIX/notification-ldjson.json" '
	function slurp(f,   l, t) { t = ""; while ((getline l < f) > 0) t = t l "\n"; close(f); return t }
	BEGIN {
		ta = slurp(a); tb = slurp(b)
		for (i = 0; i < n; i++) {
			t = (i % 4 == 3) ? tb : ta
			at = sprintf("2016-03-15T11:%02d:%02d.%03dZ", int(i / 60) % 60, i % 60, 100 + i % 7)
			gsub(/@SEQ@/, i, t); gsub(/@AT@/, at, t)
			gsub(/@V1@/, 10 + i % 50, t); gsub(/@V2@/, (i % 20) ".5", t)
			printf "%s", t > (dir "/" i); close(dir "/" i)
		}
	}'
# post_all FILE: posts every notification numbered in FILE, $parallel at
# a time, each over a new connection, as a broker does, in one of four
# framings by number; prints "I CODE" per notification (000 when the
# connection failed). One curl for all: this machine may be busy.
post_all() {
	awk -v url="http://127.0.0.1:$port/ngsi-ld/notify?subscriptionId=urn:ngsi-ld:Subscription:cityops-air" \
		-v dir="$FEED_TMP/n" '
	BEGIN { link = "Link: <https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld>; rel=\\\"http://www.w3.org/ns/json-ld#context\\\"; type=\\\"application/ld+json\\\"" }
	{
		i = $1
		if (NR > 1) print "next"
		printf "url = \"%s\"\n", url
		print "header = \"User-Agent: orionld/1.5.1\"\nheader = \"NGSILD-Tenant: shanghai\""
		print "header = \"Ngsild-Attribute-Format: Normalized\"\nheader = \"X-Auth-Token: tr0ub4dor&3\""
		print "header = \"Connection: close\""
		if (i % 4 == 0) print "header = \"Content-Type: application/json; charset=utf-8\"\nheader = \"Expect:\""
		if (i % 4 == 1) print "header = \"Content-Type: application/json\"\nheader = \"Expect: 100-continue\""
		if (i % 4 == 2) print "header = \"Content-Type: application/json\"\nheader = \"Transfer-Encoding: chunked\""
		if (i % 4 == 3) print "header = \"Content-Type: application/ld+json\""
		else printf "header = \"%s\"\n", link
		printf "data-binary = \"@%s/%s\"\noutput = \"/dev/null\"\nwrite-out = \"%%{stderr}%s %%{http_code}\\n\"\nmax-time = 10\n", dir, i, i
	}' "$1" >"$FEED_TMP/curl.cfg"
	# Answers go to stderr, written as they come (stdout is buffered):
	# the killer watches them.
	curl -s --no-progress-meter --parallel --parallel-max "$parallel" -K "$FEED_TMP/curl.cfg" 2>"$FEED_TMP/codes.live" || true
	cat "$FEED_TMP/codes.live" >>"$FEED_TMP/all-codes"
	cat "$FEED_TMP/codes.live"
	: >"$FEED_TMP/codes.live"
}
code() { curl -s -o /dev/null -w '%{http_code}' -m 10 "$@" || true; }
in_db() { q "select count(*) from cityops.reading where indicator_id in ('bs.pm25','bs.wind') and at >= '2016-03-15 11:00Z' and at < '2016-03-15 12:00Z'"; }

start_ingest

# ---- refusals: each answered, nothing kept ----------------------------
u="http://127.0.0.1:$port/ngsi-ld/notify"
ok=(-H 'X-Auth-Token: tr0ub4dor&3' -H 'Content-Type: application/json')
body 3599 notification-airquality.json >"$FEED_TMP/one.json"
head -c 100000 /dev/zero | tr '\0' ' ' >"$FEED_TMP/big.json"
[ "$(code "${ok[@]}" --data-binary @"$FEED_TMP/one.json" "http://127.0.0.1:$port/other")" = 404 ] || fail "wrong path not 404"
[ "$(code "${ok[@]}" "$u")" = 405 ] || fail "GET not 405"
[ "$(code -X PUT "${ok[@]}" --data-binary @"$FEED_TMP/one.json" "$u")" = 405 ] || fail "PUT not 405"
[ "$(code -H 'Content-Type: application/json' --data-binary @"$FEED_TMP/one.json" "$u")" = 401 ] || fail "no secret not 401"
[ "$(code -H 'X-Auth-Token: guess' -H 'Content-Type: application/json' --data-binary @"$FEED_TMP/one.json" "$u")" = 401 ] || fail "wrong secret not 401"
[ "$(code -H 'X-Auth-Token: tr0ub4dor&3' -H 'Content-Type: text/plain' --data-binary @"$FEED_TMP/one.json" "$u")" = 415 ] || fail "text/plain not 415"
[ "$(code "${ok[@]}" -H 'Expect:' --data-binary @"$FEED_TMP/big.json" "$u")" = 413 ] || fail "big body not 413"
[ "$(code "${ok[@]}" -H 'Expect: 100-continue' --data-binary @"$FEED_TMP/big.json" "$u")" = 413 ] || fail "big body (100-continue) not 413"
[ "$(code "${ok[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$FEED_TMP/big.json" "$u")" = 413 ] || fail "big chunked body not 413"
# A slow sender: half a body, then silence. The server drops it within
# the read timeout (2 s here); cat returns at the close, not at its own
# 15 s limit.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /ngsi-ld/notify HTTP/1.1\r\nHost: x\r\nX-Auth-Token: tr0ub4dor&3\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{"id":"urn:ngsi-ld:Notification:slow",' >&3
t0=$(date +%s)
timeout 15 cat <&3 >/dev/null || fail "a slow sender was not dropped within 15 s"
exec 3<&-
[ $(($(date +%s) - t0)) -le 10 ] || fail "a slow sender held the connection past 10 s"
[ "$(in_db)" = 0 ] || fail "a refused request stored readings: $(in_db)"
kill -0 "$ingest_pid" || fail "ingest died on refusals"

# ---- the stream, with kill -9 at random moments -----------------------
# The killer: sleeps a random 0.2-1.5 s, kills, restarts; $kills times.
# The killer: kills at random points of the stream (by notifications
# answered so far), restarting ingest after each.
answered() { cat "$FEED_TMP/all-codes" "$FEED_TMP/codes.live" 2>/dev/null | grep -c ' 204$' || true; }
answered_past() { [ "$(answered)" -ge "$1" ]; }
points=
for k in $(seq "$kills"); do points+="$((5 + RANDOM % (n - 20))) "; done
points=$(printf '%s\n' $points | sort -n | tr '\n' ' ')
killer() {
	local p
	for p in $points; do
		wait_for 120 answered_past "$p" || break
		kill -9 "$ingest_pid" 2>/dev/null || true
		echo "killed at $(answered)" >>"$FEED_TMP/kills"
		start_ingest
		echo "$port" >"$FEED_TMP/port"
	done
	echo done >>"$FEED_TMP/kills"
}
: >"$FEED_TMP/all-codes"
echo "$port" >"$FEED_TMP/port"
killer &
killer_pid=$!
FEED_PIDS+=("$killer_pid")
seq 0 $((n - 1)) >"$FEED_TMP/pending"
rounds=0 retries=0
while [ -s "$FEED_TMP/pending" ]; do
	rounds=$((rounds + 1))
	[ "$rounds" -le 200 ] || fail "notifications never got 204: $(wc -l <"$FEED_TMP/pending") left"
	port=$(cat "$FEED_TMP/port")
	post_all "$FEED_TMP/pending" >"$FEED_TMP/codes"
	bad=$(awk '$2 != 204 && $2 != "000" && $2 != 100 && $2 != 503' "$FEED_TMP/codes")
	[ -z "$bad" ] || fail "answers other than 204 or a failed connection: $bad"
	# Sent once each, unless the connection failed (000, or 100 Continue
	# and then nothing; then, as a broker
	# with retries would: again, on the next round).
	awk '$2 != 204 { print $1 }' "$FEED_TMP/codes" >"$FEED_TMP/pending.next"
	# Those curl never reached (it stops at nothing, but be sure).
	awk -v codes="$FEED_TMP/codes" 'BEGIN { while ((getline l < codes) > 0) { split(l, f, " "); seen[f[1]] = 1 } }
		!($1 in seen)' "$FEED_TMP/pending" >>"$FEED_TMP/pending.next"
	retries=$((retries + $(wc -l <"$FEED_TMP/pending.next")))
	mv "$FEED_TMP/pending.next" "$FEED_TMP/pending"
	[ -s "$FEED_TMP/pending" ] && sleep 0.2
done
wait "$killer_pid" || true
port=$(cat "$FEED_TMP/port")
ingest_pid=$(cat "$FEED_TMP/pid")
echo "ngsi-http: $n notifications answered 204 ($retries resends after connection failures), kills: $(grep killed "$FEED_TMP/kills" | tr '\n' ' ')"
[ "$(grep -c killed "$FEED_TMP/kills")" -eq "$kills" ] || fail "the killer did not finish"
# A duplicate delivery (brokers may resend) changes nothing.
echo 0 >"$FEED_TMP/dup"
[ "$(post_all "$FEED_TMP/dup")" = "0 204" ] || fail "a duplicate was not answered 204"

want=$((2 * n))
db_has() { [ "$(in_db)" -ge "$1" ]; }
wait_for 30 db_has "$want" || true
got=$(in_db)
[ "$got" = "$want" ] || {
	grep -E 'warn|error' "$LOG" | tail -20 >&2
	fail "the database holds $got readings of the stream, expected $want"
}
# Each notification's own two readings, by time and value; windSpeed is
# m/s by its Smart Data Model, bs.wind is km/h (docs/ingest.md, "Units").
awk -v n="$n" 'BEGIN {
	for (i = 0; i < n; i++) {
		printf "2016-03-15T11:%02d:%02d.%03dZ\t%d\t", int(i / 60) % 60, i % 60, 100 + i % 7, 10 + i % 50
		v = (i % 20) ".5"
		print v * 3.6
	} }' >"$FEED_TMP/sent"
q "select to_char(p.at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), p.value::float8, round(w.value::numeric, 6)::float8
   from cityops.reading p join cityops.reading w on w.at = p.at and w.indicator_id = 'bs.wind'
   where p.indicator_id = 'bs.pm25' and p.at >= '2016-03-15 11:00Z' and p.at < '2016-03-15 12:00Z' order by 1" |
	tr '|' '\t' >"$FEED_TMP/stored"
diff "$FEED_TMP/sent" "$FEED_TMP/stored" >"$FEED_TMP/diff" || { head -20 "$FEED_TMP/diff" >&2; fail "stored readings differ from those sent"; }

# Everything confirmed: a graceful stop leaves an empty spool.
kill -TERM "$ingest_pid"
wait_for 20 eval '! kill -0 "$ingest_pid" 2>/dev/null' || fail "ingest did not stop"
grep -q 'ingest totals' "$LOG" || fail "ingest did not stop cleanly"
left=$(cat "$FEED_TMP"/spool/*.spool 2>/dev/null | wc -c)
[ "$left" -eq 0 ] || fail "the spool still holds $left bytes after a clean stop"
grep -q 'spooled messages replayed' "$LOG" || echo "ngsi-http: (no kill landed between a 204 and its commit this run)"
echo "ngsi-http: ok ($want readings, each once)"
