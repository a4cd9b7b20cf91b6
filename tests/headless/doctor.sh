# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# cityops doctor: all well on a migrated database; each real problem a
# FAIL line with a hint and exit status 1 — a wrong host, a pending
# migration, an old schema, a non-UTF-8 locale, an unreachable feed, a bad
# feed URL, a config line it cannot read; a login that may not read the
# migration records is a note, not a failure. And it changes nothing.
. "$(dirname "$0")/../lib.sh"
scratch_db
tmp=$(mktemp -d)
sim=
trap 'rm -rf "$tmp"; [ -n "$sim" ] && kill "$sim" 2>/dev/null; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
export LC_ALL=C.UTF-8 XDG_CONFIG_HOME=$tmp/config HOME=$tmp
D() { "$CITYOPS" doctor "$@"; }

# expect_problem CHECK PATTERN [doctor args...]: exit 1, a FAIL line for
# CHECK matching PATTERN, a hint under it, and the summary naming CHECK.
expect_problem() {
	local check=$1 pat=$2 out rc=0
	shift 2
	out=$("$@") || rc=$?
	[ $rc -eq 1 ] || fail "expected exit 1 for $check, got $rc:
$out"
	expect_in "$out" "^FAIL +$check +.*$pat"
	expect_in "$out" "^FAIL +$check .*
 +hint: [a-zA-Z]"
	expect_in "$out" "^doctor: [0-9]+ problems?; the first: $check\$"
}

out=$(D) || fail "doctor on a good database failed:
$out"
expect_in "$out" '^ok +connection +socket .* port [0-9]+, database t_.* as postgres, no TLS \(a local socket\), PostgreSQL 1[5-9]'
expect_in "$out" '^ok +schema +[0-9]+ migrations applied, none pending; [0-9]+ function files current'
expect_in "$out" '^ok +login +postgres .*: admin, scope 310000'
expect_in "$out" '^ok +time +session zone .*clocks [0-9.]+ s apart'
expect_in "$out" '^note +feeds +none configured'
expect_in "$out" '^note +terminal +not a terminal'
expect_in "$out" '^ok +locale +C.UTF-8'
expect_in "$out" '^doctor: no problems found$'

# An operator may not read the migration records: a note.
out=$("$CITYOPS" -U officer_fx doctor) || fail "doctor as officer_fx failed:
$out"
expect_in "$out" '^note +schema +this login may not read'
expect_in "$out" '^ok +login +officer_fx .*: officer, scope 310120'

# A wrong host (socket folder) and a wrong port. A diagnosis answers at
# once: one attempt, not the 30 s a session waits for a database that
# fails over (db_connect_now).
expect_problem connection 'cannot connect to socket /nonexistent' env PGHOST=/nonexistent "$CITYOPS" doctor
expect_not_in "$(env PGHOST=/nonexistent "$CITYOPS" doctor)" 'gave up reconnecting|attempts\)'
expect_problem connection 'cannot connect' "$CITYOPS" --dsn "host=127.0.0.1 port=1 connect_timeout=2" doctor

# A pending migration: the shipped files plus one more.
mkdir -p "$tmp/sql"
cp -r "$CITYOPS_SRC/sql/migrations" "$CITYOPS_SRC/sql/functions" "$CITYOPS_SRC/sql/seed" "$tmp/sql/"
echo 'CREATE TABLE cityops.doctor_probe (id int);' >"$tmp/sql/migrations/999_doctor_probe.sql"
expect_problem schema '1 pending.*first: migrations/999_doctor_probe.sql' env CITYOPS_SQL_DIR="$tmp/sql" "$CITYOPS" doctor
# A changed function file is pending too.
rm "$tmp/sql/migrations/999_doctor_probe.sql"
printf '\n-- changed\n' >>"$tmp/sql/functions/30_reads.sql"
expect_problem schema '1 of [0-9]+ function files not current' env CITYOPS_SQL_DIR="$tmp/sql" "$CITYOPS" doctor

# An empty database: nothing applied, and doctor creates nothing there.
createdb "${PGDATABASE}_empty"
expect_problem schema '0 migrations applied, [0-9]+ pending' env PGDATABASE="${PGDATABASE}_empty" "$CITYOPS" doctor
left=$(psql -d "${PGDATABASE}_empty" -qAt -c "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'")
dropdb --force "${PGDATABASE}_empty"
[ "$left" = 0 ] || fail "doctor created $left relations in an empty database"

# Not UTF-8.
expect_problem locale 'C uses ANSI_X3.4-1968, not UTF-8' env LC_ALL=C "$CITYOPS" doctor

# Feeds: a live one (feed-sim) is reachable, a closed port and a bad URL
# are problems, in the config file or given with --feed.
"$CITYOPS" feed-sim --port 0 --scenario day >"$tmp/sim.url" 2>"$tmp/sim.err" &
sim=$!
for _ in $(seq 100); do [ -s "$tmp/sim.url" ] && break; sleep 0.1; done
url=$(head -n 1 "$tmp/sim.url")
expect_in "$url" '^ws://'
out=$(D --feed "$url") || fail "doctor with a live feed failed:
$out"
expect_in "$out" "^ok +feed +$url: reachable"
expect_problem feed 'ws://127.0.0.1:1/: unreachable .*Connection refused' D --feed "$url" --feed ws://127.0.0.1:1/
expect_problem feed 'http://example.org/: not a ws:// URL' D --feed http://example.org/
mkdir -p "$tmp/config/cityops"
printf 'feed ws://127.0.0.1:1/\n' >"$tmp/config/cityops/config"
expect_problem feed 'ws://127.0.0.1:1/: unreachable' D
printf 'bell maybe\n' >"$tmp/config/cityops/config"
expect_problem config 'config' D
expect_problem config 'cannot read' D --config "$tmp/no-such-file"

# Bad invocation.
rc=0
D --no-such-option >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "doctor --no-such-option exited $rc"
rc=0
D extra >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "doctor extra exited $rc"
