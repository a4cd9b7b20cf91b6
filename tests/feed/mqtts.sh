#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# MQTT over TLS with a password, as a city's broker is run: Debian's
# mosquitto with a TLS listener (a throw-away CA and a certificate for
# "localhost" made here with openssl), allow_anonymous false and a
# password file made with mosquitto_passwd. FIWARE UltraLight 2.0
# measures (fixtures/public/ultralight/) are published with mosquitto_pub
# at QoS 1. ingest must:
#   1. refuse the broker when it trusts only the system store, when the
#      URL names the broker by an address its certificate does not carry,
#      and when the password is wrong, storing nothing each time and never
#      writing the password to its log, its health rows or --status;
#   2. with the CA (ca-file=), the user (user=) and the password
#      (password-file=) on a --sources line, store every message exactly
#      once across a kill -9 at a random moment and a restart that takes
#      the credentials from the URL instead (mqtts://USER:PASS@HOST);
#   3. keep its loop running while a broker's name takes minutes to
#      resolve: a second --mqtt source whose DNS server never answers
#      (resolv.conf bound over in a private mount namespace) must not hold
#      up the first. Needs unshare and python3 (as root); said and skipped
#      without them.
# MQTTS_N overrides 120 messages; MQTTS_SEED replays a run.
. "$(dirname "$0")/feed-lib"
need_db
command -v openssl >/dev/null || fail "openssl is needed"
command -v mosquitto_passwd >/dev/null || fail "mosquitto_passwd (mosquitto) is needed"
command -v mosquitto_pub >/dev/null || fail "mosquitto_pub (mosquitto-clients) is needed"
MOSQ=$(command -v mosquitto || echo /usr/sbin/mosquitto)
DB="t_$$_mqtts"
trap 'feed_cleanup; dropdb --force --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
createdb -T "$CITYOPS_TEMPLATE" "$DB"
export PGDATABASE=$DB
n=${MQTTS_N:-120}
seed=${MQTTS_SEED:-$$}
RANDOM=$seed
echo "mqtts: seed $seed, $n messages"
q() { psql -qAt -v ON_ERROR_STOP=1 -c "$1"; }
q "select cityops.entity_map_set('4jggokgpepnvsb2uv4s40d59ov', 'motion001', 'c', 'cm.crowd')" >/dev/null
PASS='Tr0ub4dor-&-3 zebra'
PASSQ='Tr0ub4dor-%26-3%20zebra' # the same, %-escaped for a URL

# ---- certificates, passwords, the broker ---------------------------------
d=$FEED_TMP/pki
mkdir -p "$d"
chmod 755 "$FEED_TMP" "$d"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cityops test CA" \
	-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
	-keyout "$d/srv.key" -out "$d/srv.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >"$d/ext"
openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
	-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/srv.pem" 2>/dev/null
[ -s "$d/srv.pem" ] || fail "openssl made no certificate"
: >"$d/passwd"
mosquitto_passwd -b "$d/passwd" cityops "$PASS" || fail "mosquitto_passwd failed"
mosquitto_passwd -b "$d/passwd" publisher pub-secret || fail "mosquitto_passwd failed"
printf '%s\n' "$PASS" >"$FEED_TMP/mqtt.pass"
printf 'wrong-%s\n' "$PASS" >"$FEED_TMP/wrong.pass"
chmod 644 "$d"/*

for try in 1 2 3 4 5; do
	BPORT=$((20000 + RANDOM % 30000))
	cat >"$FEED_TMP/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous false
password_file $d/passwd
persistence false
max_queued_messages 0
log_dest stderr
listener $BPORT 127.0.0.1
cafile $d/ca.pem
certfile $d/srv.pem
keyfile $d/srv.key
CONF
	chmod 644 "$FEED_TMP/mosquitto.conf"
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u mosquitto -- "$MOSQ" -c "$FEED_TMP/mosquitto.conf" 2>"$FEED_TMP/broker.log" &
	else
		"$MOSQ" -c "$FEED_TMP/mosquitto.conf" 2>"$FEED_TMP/broker.log" &
	fi
	FEED_PIDS+=($!)
	wait_for 10 grep -q "Opening ipv4 listen socket on port $BPORT" "$FEED_TMP/broker.log" &&
		! grep -qi "error" "$FEED_TMP/broker.log" && break
	[ "$try" -lt 5 ] || { cat "$FEED_TMP/broker.log" >&2; fail "mosquitto did not start"; }
done

TOPIC=/ul/4jggokgpepnvsb2uv4s40d59ov/motion001/attrs
at() { printf '2016-03-16T09:%02d:%02d.%03dZ' $(($1 / 60 % 60)) $(($1 % 60)) $((300 + $1 % 7)); }
publish() { # publish FROM TO
	local i
	for ((i = $1; i < $2; i++)); do printf 'TimeInstant|%s|c|%d\n' "$(at "$i")" "$i"; done |
		mosquitto_pub -h localhost -p "$BPORT" --cafile "$d/ca.pem" -u publisher -P pub-secret \
			-q 1 -i "cityops-test-pub-$$" -t "$TOPIC" -l || fail "mosquitto_pub failed"
}
in_db() { q "select count(*) from cityops.reading where indicator_id = 'cm.crowd' and at >= '2016-03-16 09:00Z' and at < '2016-03-16 10:00Z'"; }
LOG=$FEED_TMP/ingest.log
: >"$LOG"
no_password_anywhere() {
	! grep -qF "$PASS" "$LOG" || fail "the password is in ingest's log"
	! grep -qF "$PASSQ" "$LOG" || fail "the URL's password is in ingest's log"
	! q "select row_to_json(h)::text from cityops.source_health h" | grep -qF -e "$PASS" -e "$PASSQ" ||
		fail "the password is in the health rows"
	! "$CITYOPS" ingest --status -U cityops_ingest 2>&1 | grep -qF -e "$PASS" -e "$PASSQ" ||
		fail "the password is in ingest --status"
}

# ---- 1. refused: untrusted, wrong name, wrong password ----------------------
refused() { # refused NAME EXPECTED-LOG-REGEX SOURCES-LINE
	local name=$1 want=$2 pid
	printf '%s\nhealth-s 1\nname test-mqtts\n' "$3" >"$FEED_TMP/$name.conf"
	: >"$LOG"
	"$CITYOPS" ingest -U cityops_ingest --sources "$FEED_TMP/$name.conf" --mqtt-id "cityops-test-$$" \
		--state "$FEED_TMP/$name.state" --log - >>"$LOG" 2>&1 &
	pid=$!
	FEED_PIDS+=("$pid")
	said_or_gone() { grep -Eq "$want" "$LOG" || ! kill -0 "$pid" 2>/dev/null; }
	wait_for 60 said_or_gone || true
	grep -Eq "$want" "$LOG" || { cat "$LOG" >&2; fail "$name: no '$want' in ingest's log"; }
	publish 0 3
	# The health row says the link is not up (and keeps the password out).
	health_down() { q "select state from cityops.source_health where kind = 'mqtt'" | grep -qv '^up$'; }
	wait_for 30 health_down || fail "$name: no health row for the MQTT source, or it says up"
	no_password_anywhere
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	[ "$(in_db)" -eq 0 ] || fail "$name: readings stored from a broker that should have been refused"
	echo "refused ($name): $(grep -Eo "$want" "$LOG" | head -1)"
}
refused untrusted 'certificate verify failed|unable to get local issuer certificate|self.signed' \
	"mqtt mqtts://localhost:$BPORT/#  user=cityops  password-file=$FEED_TMP/mqtt.pass"
refused wrong-name 'IP address mismatch|hostname mismatch' \
	"mqtt mqtts://127.0.0.1:$BPORT/#  user=cityops  password-file=$FEED_TMP/mqtt.pass  ca-file=$d/ca.pem"
refused wrong-password 'not authori[sz]ed' \
	"mqtt mqtts://localhost:$BPORT/#  user=cityops  password-file=$FEED_TMP/wrong.pass  ca-file=$d/ca.pem"
# Nobody was subscribed: the 3 messages each try published went nowhere.

# ---- 2. TLS + password, kill -9 and a restart --------------------------------
cat >"$FEED_TMP/good.conf" <<CONF
# the city's broker: TLS with our CA, a user and its password
mqtt  mqtts://localhost:$BPORT/#  user=cityops  password-file=$FEED_TMP/mqtt.pass  ca-file=$d/ca.pem
health-s 1
name test-mqtts
CONF
subscribed() { [ "$(grep -c "subscribing to '#'" "$LOG" || true)" -gt "$1" ]; }
start_ingest() { # start_ingest ARGS...
	local before
	before=$(grep -c "subscribing to '#'" "$LOG" || true)
	"$CITYOPS" ingest -U cityops_ingest "$@" --mqtt-id "cityops-test-$$" \
		--state "$FEED_TMP/state" --spool "$FEED_TMP/spool" --flush-ms 50 --log - >>"$LOG" 2>&1 &
	ingest_pid=$!
	FEED_PIDS+=("$ingest_pid")
	wait_for 60 subscribed "$before" || { tail -20 "$LOG" >&2; fail "ingest did not subscribe"; }
}
: >"$LOG"
start_ingest --sources "$FEED_TMP/good.conf"
a=$((n / 2))
(sleep "0.$((RANDOM % 9 + 1))"; kill -9 "$ingest_pid" 2>/dev/null) &
killer=$!
publish 0 "$a"
wait "$killer" || true
kill -9 "$ingest_pid" 2>/dev/null || true
wait "$ingest_pid" 2>/dev/null || true
before=$(in_db)
start_ingest --mqtt "mqtts://cityops:$PASSQ@localhost:$BPORT/#" --ca-file "$d/ca.pem" --health-s 1
publish "$a" "$n"
db_has() { [ "$(in_db)" -ge "$1" ]; }
wait_for 90 db_has "$n" || true
for ((i = 0; i < n; i++)); do printf 'cm.crowd\t%s\t%d\n' "$(at "$i")" "$i"; done | sort >"$FEED_TMP/sent"
q "select indicator_id, to_char(at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), value
   from cityops.reading where indicator_id = 'cm.crowd' and at >= '2016-03-16 09:00Z' and at < '2016-03-16 10:00Z'" |
	tr '|' '\t' | sort >"$FEED_TMP/stored"
diff "$FEED_TMP/sent" "$FEED_TMP/stored" >"$FEED_TMP/diff" || {
	head "$FEED_TMP/diff" >&2
	grep -E 'mqtt' "$LOG" | tail -10 >&2
	fail "stored readings differ from those published ($(in_db) stored, $n sent)"
}
health_up() { q "select state from cityops.source_health where kind = 'mqtt'" | grep -q '^up$'; }
wait_for 30 health_up || fail "the health row never said up"
no_password_anywhere
grep -q "mqtts://cityops:\*\*\*@localhost:$BPORT/#" "$LOG" || fail "the log does not show the URL with its password hidden"
kill -9 "$ingest_pid"
wait "$ingest_pid" 2>/dev/null || true
echo "mqtts: ok ($n messages over TLS with a password, each once; $before stored before the kill)"

# ---- 3. a broker name that never resolves does not stop the loop -------------
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || ! command -v python3 >/dev/null ||
	! unshare -m true 2>/dev/null; then
	echo "skip: slow DNS (needs root, unshare -m and python3)"
	exit 0
fi
# A DNS server that reads every question and never answers, on a loopback
# address of its own (resolv.conf takes no port).
python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.77", 53))
print("ready", flush=True)
while True:
    s.recvfrom(4096)
' >"$FEED_TMP/dns.ready" 2>"$FEED_TMP/dns.err" &
FEED_PIDS+=($!)
wait_for 10 test -s "$FEED_TMP/dns.ready" || { cat "$FEED_TMP/dns.err" >&2; fail "the silent DNS server did not start on 127.0.0.77:53"; }
printf 'nameserver 127.0.0.77\noptions timeout:30 attempts:5\n' >"$FEED_TMP/resolv.conf"
chmod 644 "$FEED_TMP/resolv.conf"
q "delete from cityops.reading where indicator_id = 'cm.crowd'"
: >"$LOG"
unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' sh "$FEED_TMP/resolv.conf" \
	"$CITYOPS" ingest -U cityops_ingest --mqtt "mqtt://never-answers.example:1883/x/#" \
	--mqtt "mqtts://cityops:$PASSQ@localhost:$BPORT/#" --ca-file "$d/ca.pem" --mqtt-id "cityops-test-$$" \
	--state "$FEED_TMP/state" --spool "$FEED_TMP/spool" --flush-ms 50 --log - >>"$LOG" 2>&1 &
ingest_pid=$!
FEED_PIDS+=("$ingest_pid")
t0=$(date +%s)
publish 0 10
db_has() { [ "$(in_db)" -ge "$1" ]; }
# glibc gives up on the silent server after 5 × 30 s per query: readings
# before then show the loop ran while the other name was being resolved.
wait_for 100 db_has 10 || { tail -20 "$LOG" >&2; fail "no readings while another broker's name was resolving (loop blocked?)"; }
t1=$(date +%s)
grep -q 'cannot resolve never-answers.example' "$LOG" &&
	fail "the silent DNS server answered (glibc gave up within $((t1 - t0)) s): the test proves nothing"
echo "mqtts: 10 readings in $((t1 - t0)) s while never-answers.example was still resolving"
