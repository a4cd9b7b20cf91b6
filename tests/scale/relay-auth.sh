# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# cityops relay subscriber authentication (issue 12, docs/security.md
# "Relay"): a subscriber gets only what its own login's scope allows,
# whatever scope it asks for. officer_fx (scope 奉贤 310120) follows the
# relay three times over, with its own token: asking nothing, asking for
# 黄浦 (310101, not its scope) and asking for the whole city. A forged
# token and a request without any token are refused. Incidents are
# raised in both districts, then a city-wide change (an emergency-mode
# switch) ends the run: every served subscriber must see it, and must
# have seen exactly the change log rows in 310120 (or city-wide) — none
# of 黄浦's — once, in order; the refused ones get nothing at all.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless -U super_city "$@"; }
nobody="relay_nobody_$$"
RELAY_PIDS="curl_pid forged_pid"
forged_pid= curl_pid=
relay_cleanup_more() { psql -d postgres -qc "DROP ROLE IF EXISTS $nobody" >/dev/null 2>&1 || true; }
. "$(dirname "$0")/relay-lib"

start_relay 0
url=$(head -1 "$tmp/relay.url")
hostport=${url#ws://}
hostport=${hostport%%/*}

# A login that is not an operator gets no token.
psql -qc "CREATE ROLE $nobody LOGIN; GRANT cityops_user TO $nobody" >/dev/null
if "$CITYOPS" -U "$nobody" relay-watch --seconds 1 "$url" >/dev/null 2>"$tmp/nobody.err"; then
	fail "a login that is not an operator followed the relay"
fi

start=$(psql -qAt -c "select coalesce(max(seq), 0) from cityops.change_log")
hp=$(psql -qAt -c "select path from cityops.region where code = '310101'")
fx=$(psql -qAt -c "select path from cityops.region where code = '310120'")
city=$(psql -qAt -c "select path from cityops.region where nlevel(path) = 1")
[ -n "$hp" ] && [ -n "$fx" ] && [ -n "$city" ] || fail "expected the demo's regions"

# Subscribers 0, 1, 2 of officer_fx ask: nothing, 黄浦, the city.
"$CITYOPS" -U officer_fx relay-watch -n 3 --scope '' --scope "$hp" --scope "$city" \
	--from "$start" --log "$tmp/watch.log" "$url" >"$tmp/watch.out" &
watch_pid=$!
forged=$(printf '%064x' 0 | tr 0 a)
"$CITYOPS" relay-watch -n 2 --token "$forged" --from "$start" --log "$tmp/forged.log" "$url" \
	>"$tmp/forged.out" &
forged_pid=$!
wait_for 60 "officer_fx's subscribers" grep -qs "all 3 subscribers up" "$tmp/watch.log"
# No token at all: a bare websocket handshake, as any client on the
# network could make.
curl -sS -N --http1.1 -H "Connection: Upgrade" -H "Upgrade: websocket" \
	-H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" \
	-H "Sec-WebSocket-Protocol: cityops-relay" \
	"http://$hostport/changes?scope=&from=$start" >"$tmp/curl.out" 2>&1 &
curl_pid=$!

for d in 310101 310120 310101 310120; do
	co -c "raise fire 2 $d 中继鉴权" >/dev/null || fail "raise in $d"
done
co -c 'switch emergency IV 防汛防台 中继鉴权结束' >/dev/null || fail "the mode switch"
last=$(psql -qAt -c "select max(seq) from cityops.change_log where region_path is null")
[ "$last" -gt "$start" ] || fail "the mode switch wrote no change record"
has_last() { grep -q "^$1 $last mode " "$tmp/watch.out"; }
for i in 0 1 2; do wait_for 120 "subscriber $i to see the mode switch" has_last "$i"; done

# What officer_fx may see after start, in order.
psql -qAt -c "select seq from cityops.change_log where seq > $start and seq <= $last
	and not exercise and (region_path is null or region_path <@ '$fx'::ltree) order by seq" >"$tmp/want"
[ "$(grep -c . "$tmp/want")" -ge 3 ] || fail "expected records in 310120 and the mode switch"
n_hp=$(psql -qAt -c "select count(*) from cityops.change_log where seq > $start and region_path <@ '$hp'::ltree")
[ "$n_hp" -gt 0 ] || fail "expected records in 310101"
for i in 0 2; do
	awk -v i="$i" '$1 == i && $2 ~ /^[0-9]+$/ { print $2 }' "$tmp/watch.out" >"$tmp/got.$i"
	diff "$tmp/want" "$tmp/got.$i" >"$tmp/diff.$i" ||
		fail "subscriber $i (asked '$( [ $i = 0 ] || echo "$city")') did not get exactly 310120's records: $(head -5 "$tmp/diff.$i")"
done
# Asking for 黄浦 gets only what lies in both 黄浦 and 310120: the
# city-wide records.
awk '$1 == 1 && $2 ~ /^[0-9]+$/ { print $2, $5 }' "$tmp/watch.out" >"$tmp/got.1"
if grep -v ' -$' "$tmp/got.1" | grep -q .; then
	fail "asking for 黄浦 with 310120's token got: $(grep -v ' -$' "$tmp/got.1" | head -3)"
fi
grep -q "^$last -$" "$tmp/got.1" || fail "subscriber 1 did not get the city-wide record"

# The refused ones: nothing, and the relay said why.
grep -q . "$tmp/forged.out" && fail "a forged token got: $(head -3 "$tmp/forged.out")"
wait_for 60 "the relay to refuse the forged token" grep -qs "token unknown or expired" "$tmp/relay.log"
wait_for 60 "the relay to refuse the bare handshake" grep -qs "refused a subscriber: no token" "$tmp/relay.log"
grep -q '"seq"' "$tmp/curl.out" && fail "a subscriber without a token got: $(head -c 300 "$tmp/curl.out")"
grep -q "not a cityops operator" "$tmp/nobody.err" ||
	fail "the login without an operator: $(cat "$tmp/nobody.err")"
echo "ok: relay-auth ($(grep -c . "$tmp/want") records for 310120, $n_hp in 310101 withheld)"
