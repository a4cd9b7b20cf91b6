# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# alarms and alarm ack (issue 14): the board in scope, unacknowledged
# alarm-level first; acknowledging by indicator key or id, audited and
# NOTIFYed; refusals (role, scope, state, bad ids) change nothing.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless "$@"; }
acks() { psql -qAtc "select count(*) from cityops.alarm where state = 'acknowledged'"; }

out=$(co -U officer_fx -c 'alarms')
expect_in "$out" '共 5 条告警，2 条告警级未确认'
# Worst first: both alarm-level rows before the first warn row.
first_warn=$(grep -n '预警' <<<"$out" | head -1 | cut -d: -f1)
last_alarm=$(grep -n ' 告警 ' <<<"$out" | tail -1 | cut -d: -f1)
[ "$last_alarm" -lt "$first_warn" ] || fail "a warn row came before an alarm row:
$out"
# Scope: 黄浦's officer does not see 奉贤's alarms, nor can ack them.
expect_not_in "$(co -U officer_hp -c 'alarms')" 'fx\.'

# Refusals: nothing changes.
before=$(acks)
for cmd in 'alarm ack' 'alarm clear fx.tide.jinhui' 'alarm ack no.such.indicator' \
	'alarm ack 99999999999999999999' 'alarm ack 0' "alarm ack 'fx.tide.jinhui; drop table x'"; do
	rc=0
	o=$(co -U officer_fx --json -c "$cmd" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "'$cmd' succeeded: $o"
	expect_in "$o" '"code":"(usage|not_found|invalid_argument)"'
done
rc=0
o=$(co -U viewer_wall --json -c 'alarm ack fx.tide.jinhui' 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "a viewer acknowledged an alarm: $o"
rc=0
o=$(co -U officer_hp --json -c 'alarm ack fx.tide.jinhui' 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "an officer out of scope acknowledged an alarm: $o"
expect_in "$o" '"code":"not_found"'
[ "$(acks)" = "$before" ] || fail "a refused acknowledgement changed an alarm"

# By indicator key, with a note, seen by a listener on another session.
out=$(psql -qAt <<SQL 2>&1
LISTEN cityops;
\! "$CITYOPS" --headless -U officer_fx -c 'alarm ack fx.tide.jinhui 潮位已知会水务' >&2
SELECT 1;
SQL
)
expect_in "$out" '告警 4 fx.tide.jinhui 已由 officer_fx 确认'
# The payload is jsonb's rendering (keys in its order, a change-log seq):
# match the fields, not the text.
payload=$(grep -o 'Asynchronous notification "cityops" with payload ".*"' <<<"$out")
for field in '"t": "alarm"' '"id": 4[,}]' '"state": "acknowledged"' '"indicator": "fx.tide.jinhui"'; do
	expect_in "$payload" "$field"
done
[ "$(psql -qAtc "select acknowledged_by from cityops.alarm where id = 4")" = officer_fx ] ||
	fail "alarm 4 not acknowledged by officer_fx"
[ "$(psql -qAtc "select detail->>'note' from cityops.audit where action = 'alarm.ack' and object = '4'")" = 潮位已知会水务 ] ||
	fail "no audit row with the note"

# Twice: refused with the state; by id.
rc=0
o=$(co -U officer_fx --json -c 'alarm ack 4' 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "a second acknowledgement succeeded: $o"
expect_in "$o" 'alarm 4 is acknowledged; only a raised alarm can be acknowledged'
co -U super_fx -c 'alarm ack 2' >/dev/null

# The board shows who acknowledged and when; the unacknowledged first.
out=$(co -U officer_fx --json -c 'alarms')
expect_in "$out" '"acknowledged_by":"officer_fx","acknowledged_at":"[0-9-]+[ T][0-9:.]+\+08(:00)?"'
out=$(co -U officer_fx -c 'alarms')
expect_in "$out" '共 5 条告警，0 条告警级未确认'
[ "$(sed -n 2p <<<"$out" | grep -c officer_fx)" = 0 ] || fail "an acknowledged alarm came first:
$out"
echo ok
