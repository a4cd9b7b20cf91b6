#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# HTTPS: the CAP-over-Atom restart run of cap-lib over TLS, with a
# throw-away CA and a server certificate for "localhost" made here with
# openssl. The URL names the host (localhost), so the name goes through the
# resolver thread and is kept for SNI and the certificate check; ingest
# trusts the CA through --ca-file. Before that, the same ingest without
# --ca-file (the system store) must refuse the server and store nothing.
. "$(dirname "$0")/cap-lib"
need_db
command -v openssl >/dev/null || { echo "skip: no openssl"; exit 77; }
CAP_DB=
trap 'feed_cleanup; dropdb --force --if-exists "$CAP_DB" >/dev/null 2>&1 || true' EXIT

d=$FEED_TMP/pki
mkdir -p "$d"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cityops test CA" \
	-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
	-keyout "$d/srv.key" -out "$d/srv.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >"$d/ext"
openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
	-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/srv.pem" 2>/dev/null
[ -s "$d/srv.pem" ] || fail "openssl made no certificate"

# Not trusted by the system store: refused, nothing stored.
start_sim untrusted --scenario typhoon --format cap --count 400 --rate 0 --http \
	--cert "$d/srv.pem" --key "$d/srv.key"
u=${SIM_URL/127.0.0.1/localhost}
[ "${u#https://}" != "$u" ] || fail "feed-sim did not serve https: $u"
db="t_$$_tls0"
createdb -T "$CITYOPS_TEMPLATE" "$db"
PGDATABASE=$db timeout 8 "$CITYOPS" ingest -U cityops_ingest --cap "${u}cap/index.atom" \
	--poll-min 1 --poll-interval 1 --state "$FEED_TMP/state0" >"$FEED_TMP/untrusted.log" 2>&1 || true
n=$(PGDATABASE=$db q "SELECT count(*) FROM cityops.incident WHERE dedup_key LIKE 'cap:%'")
dropdb --force "$db"
grep -q 'cap .*index: ' "$FEED_TMP/untrusted.log" ||
	fail "an untrusted server was not refused: $(tail -3 "$FEED_TMP/untrusted.log")"
[ "$n" -eq 0 ] || fail "$n incidents from an untrusted server"
echo "untrusted server refused: $(grep -m1 'index: ' "$FEED_TMP/untrusted.log" | sed 's/.*index: //')"
kill "$SIM_PID"

INGEST_EXTRA="--ca-file $d/ca.pem" CAP_HOST=localhost cap_restart_run "" 2 \
	--cert "$d/srv.pem" --key "$d/srv.key"
echo "ok: HTTPS with a private CA, each CAP report exactly once over 2 kill -9 restarts"
