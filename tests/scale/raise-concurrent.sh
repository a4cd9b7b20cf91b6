# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Two raises on the same Shanghai day do not wait for each other
# (migration 040): while one raise's transaction is still open, another
# supervisor's raise completes under a 2 s lock timeout, and both get
# distinct refs of the day, numbered after the demo's. Before 040 the
# second waited on the day's ref_counter row until the first committed.
. "$(dirname "$0")/../lib.sh"
scratch_db
region=$(psql -qAt -c "select code from cityops.region where name = '南桥镇'")
[ -n "$region" ] || fail "no region 南桥镇 in the demo"
before=$(psql -qAt -c "select max(substr(ref, 8)::int) from cityops.incident
	where left(ref, 6) = to_char(cityops.now() at time zone 'Asia/Shanghai', 'YYMMDD')")
raise="SELECT ref FROM cityops.incident_raise('fire', 2, '$region', '并发测试')"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT

psql -U super_fx -qAt -v ON_ERROR_STOP=1 >"$tmp/a" 2>&1 <<SQL &
BEGIN;
$raise;
SELECT pg_sleep(8);
COMMIT;
SQL
a_pid=$!
for _ in $(seq 100); do
	[ "$(psql -qAt -c "select count(*) from pg_stat_activity where datname = current_database()
		and usename = 'super_fx' and query like 'SELECT pg_sleep(8)%'")" = 1 ] && break
	sleep 0.1
done
rc=0
b=$(psql -U super_city -qAt -v ON_ERROR_STOP=1 -c "SET lock_timeout = '2s'" -c "$raise" 2>&1) || rc=$?
wait "$a_pid" || fail "first raise failed: $(cat "$tmp/a")"
[ "$rc" -eq 0 ] || fail "second raise waited for the first: $b"
a=$(head -1 "$tmp/a")
[[ $a =~ ^[0-9]{6}-[0-9]{4,}$ && $b =~ ^[0-9]{6}-[0-9]{4,}$ ]] || fail "bad refs: '$a' '$b'"
[ "$a" != "$b" ] || fail "both raises got $a"
for r in "$a" "$b"; do
	[ "${r#*-}" -gt "${before:-0}" ] || fail "$r is not numbered after the day's $before"
done
echo "ok: $a and $b"
