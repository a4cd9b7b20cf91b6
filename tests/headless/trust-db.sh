# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Issue 8 through the real binary and real logins (migration 014):
# `cityops db migrate` leaves operators — and a login added later — no
# temporary schema to shadow tables with; a login's own clock offset is
# ignored; too-long text is refused with a clear message and changes
# nothing; an out-of-scope incident reads exactly as a missing one.
. "$(dirname "$0")/../lib.sh"
scratch_db
late="trust_late_$$"
trap 'dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true
	psql -d postgres -qc "DROP ROLE IF EXISTS $late" >/dev/null 2>&1 || true' EXIT
co() { "$CITYOPS" --headless "$@"; }
as() { local who=$1; shift; psql -U "$who" -v ON_ERROR_STOP=1 -qAt "$@"; }

# ---------------------------------------------------------------- TEMPORARY
# A copy made from a template has the default privileges back (CREATE
# DATABASE does not copy them); migrate takes TEMPORARY away every run.
[ "$(psql -qAt -c "select has_database_privilege('officer_fx', current_database(), 'TEMP')")" = t ] ||
	fail "expected the fresh copy to grant TEMP (test premise)"
"$CITYOPS" db migrate >/dev/null || fail "migrate failed"
psql -qc "CREATE ROLE $late LOGIN; GRANT cityops_user TO $late" >/dev/null
psql -qc "INSERT INTO cityops.operator VALUES ('$late', '后加', 'viewer', '310101')" >/dev/null
for who in officer_fx viewer_wall super_city "$late"; do
	out=$(as "$who" -c 'CREATE TEMP TABLE operator (login name, display_name text,
		role text, scope_code text)' 2>&1) && fail "$who created a temp table"
	expect_in "$out" 'permission denied to create temporary tables'
done
out=$(as "$late" -c 'select role, scope_name from cityops.whoami()')
expect_in "$out" '^viewer\|黄浦区$'

# ---------------------------------------------------------------- the clock
ref=$(psql -qAt -c "select ref from cityops.incident where title = '小区停电'")
out=$(as officer_fx -c "SET cityops.clock_offset = '-100 days'" \
	-c "select to_state from cityops.incident_act('$ref', 'ack')" \
	-c "select to_state from cityops.incident_act('$ref', 'note', '补充说明')")
expect_in "$out" 'acknowledged'
late_rows=$(psql -qAt -c "select count(*) from cityops.incident_event e join cityops.incident i
	on i.id = e.incident_id where i.ref = '$ref' and e.action in ('ack', 'note')
	and e.at > now() - interval '1 minute' and e.at <= now()")
[ "$late_rows" = 2 ] || fail "want the ack and note at real time, got $late_rows rows"

# ---------------------------------------------------------------- lengths
snapshot() { psql -qAt -c "select (select count(*) from cityops.incident),
	(select count(*) from cityops.incident_event), (select count(*) from cityops.audit),
	(select count(*) from cityops.mode)"; }
before=$(snapshot)
t201=$(printf '积%.0s' $(seq 201))
check_long() { # check_long USER COMMAND MESSAGE
	local out rc=0
	out=$(co -U "$1" -c "$2" 2>&1) || rc=$?
	[ "$rc" -eq 1 ] || fail "'${2:0:40}…' as $1 exited $rc, want 1: ${out:0:300}"
	expect_in "$out" "error: $3"
	out=$(co -U "$1" --json -c "$2" 2>&1) || true
	expect_in "$out" '"code":"invalid_argument"'
}
check_long super_fx "raise flood 2 南桥镇 $t201" 'title is too long: 201 characters, at most 200'
check_long super_fx "raise flood 2 南桥镇 积水 --location $t201" \
	'location is too long: 201 characters, at most 200'
check_long super_fx "raise flood 2 南桥镇 积水 --desc $(printf '述%.0s' $(seq 4001))" \
	'description is too long: 4001 characters, at most 4000'
check_long super_fx "note $ref $(printf '注%.0s' $(seq 2001))" \
	'note is too long: 2001 characters, at most 2000'
check_long super_fx "unfounded $ref $(printf '因%.0s' $(seq 2001))" \
	'reason is too long: 2001 characters, at most 2000'
check_long super_fx "switch peace $(printf '因%.0s' $(seq 2001))" \
	'reason is too long: 2001 characters, at most 2000'
check_long super_fx "unit-status FX-F02 out_of_service $(printf '注%.0s' $(seq 2001))" \
	'note is too long: 2001 characters, at most 2000'
[ "$(snapshot)" = "$before" ] || fail "a refused command changed data: $before -> $(snapshot)"
out=$(co -U super_fx -c "raise flood 2 南桥镇 $(printf '积%.0s' $(seq 200))") ||
	fail "a 200-character title was refused: $out"

# ---------------------------------------------------------------- out of scope
hp=$(psql -qAt -c "select ref from cityops.incident where title = '外滩人流密集'")
for cmd in show ack; do
	a=$(co -U officer_fx --json -c "$cmd $hp" 2>&1 | sed "s/$hp/<ref>/g") || true
	b=$(co -U officer_fx --json -c "$cmd 991231-9999" 2>&1 | sed "s/991231-9999/<ref>/g") || true
	[ "$a" = "$b" ] || fail "$cmd of a hidden incident differs from a missing one:
$a
$b"
	expect_in "$a" '"code":"not_found"'
done
out=$(co -U officer_fx -c "ack $hp" 2>&1) && fail "ack of a hidden incident succeeded"
expect_in "$out" "error: no incident $hp"
expect_not_in "$out" '外滩|黄浦'
