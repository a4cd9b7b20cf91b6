# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Bad input gets a clear message, a non-zero exit, and changes nothing.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless "$@"; }
snapshot() { psql -qAtc "select count(*), max(id) from cityops.incident_event"; }

ref=$(co -U super_fx --json -c 'raise gas 1 南桥镇 测试燃气异味' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$ref" ] || fail "raise printed no ref"
hp=$(co -U super_city --json -c 'raise noise 4 外滩街道 测试噪声' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$hp" ] || fail "raise in 黄浦 printed no ref"
before=$(snapshot)

check_refused() { # check_refused USER COMMAND PATTERN
	local out rc=0
	out=$(co -U "$1" -c "$2" 2>&1) || rc=$?
	[ "$rc" -eq 1 ] || fail "'$2' as $1 exited $rc, want 1: $out"
	expect_in "$out" "$3"
}

check_refused super_fx 'dispach 1 FX-F01' "unknown command 'dispach'"
check_refused super_fx 'dispach 1 FX-F01' "did you mean 'dispatch'"
check_refused super_fx "dispatch $ref" 'usage: dispatch <incident> <unit>'
check_refused super_fx "close $ref" "is new"
check_refused super_fx "close $ref" "hint: allowed: .*ack"
check_refused officer_fx "dispatch $ref FX-F01" '需要值班长权限'
check_refused officer_fx "ack $hp" '(outside your scope|no incident)'
check_refused super_fx "dispatch $ref NO-SUCH-UNIT" 'NO-SUCH-UNIT'
check_refused super_fx 'show 999999-9999' '999999-9999'
check_refused super_fx "return $ref" 'usage: return <incident> <reason'
check_refused super_fx 'raise flood 9 南桥镇 bad priority' 'priority'
check_refused super_fx 'raise flood 2 火星 unknown region' '火星'
check_refused super_fx 'queue --region' '--region needs a value'
check_refused viewer_wall "ack $ref" '需要值班员权限'
check_refused super_fx 'note "unterminated' 'unterminated quote'

# --readonly refuses every changing command before it reaches the database.
out=$(co -U super_fx --readonly -c "ack $ref" 2>&1) && fail "readonly ack succeeded"
expect_in "$out" 'read-only console: ack would change data'
co -U super_fx --readonly -c "show $ref" >/dev/null || fail "readonly show failed"

# An operator's role is enforced by the database too, not only the client:
# a direct table write is refused.
out=$(psql -U officer_fx -qAtc "update cityops.incident set state='closed'" 2>&1) &&
	fail "direct table write succeeded"
expect_in "$out" 'permission denied'

[ "$(snapshot)" = "$before" ] || fail "a refused command changed the timeline"

# Unit already busy: the second dispatch names the holder.
co -U super_fx -c "dispatch $ref FX-G01" >/dev/null || fail "first dispatch failed"
ref2=$(co -U super_fx --json -c 'raise gas 2 南桥镇 测试第二起' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
check_refused super_fx "dispatch $ref2 FX-G01" "FX-G01 is on incident $ref"

# A database that is not there is reported, not crashed on.
out=$(PGHOST=/nonexistent CITYOPS_CONNECT_WAIT=0 co -U super_fx -c 'queue' 2>&1) && fail "queue without db succeeded"
expect_in "$out" 'database unreachable'
# help works without one.
PGHOST=/nonexistent CITYOPS_CONNECT_WAIT=0 co -c 'help' >/dev/null 2>&1 || fail "help needs no database"
echo "1 passed, 0 failed"
