# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Query connections through pgbouncer in transaction mode (docs/scale.md):
# scripts/pgbouncer starts a private one in front of the test cluster; the
# headless tests scripting and race, and ingest's exactly-once test with
# its kill -9 and restarts (tests/feed/ingest.sh), run again with PGHOST
# pointing at it. They must pass as they do directly, and pgbouncer must
# have carried their transactions over fewer server connections than it
# had clients. (Drills keep session settings and connect directly:
# docs/scale.md.)
. "$(dirname "$0")/../lib.sh"
need_db
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] ||
	{ echo "skipped: pgbouncer is not installed" >&2; exit 77; }
tests=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
chmod 755 "$dir"
trap '"$CITYOPS_SRC/scripts/pgbouncer" stop "$dir"; rm -rf "$dir"' EXIT
"$CITYOPS_SRC/scripts/pgbouncer" start "$dir"
bouncer() { PGHOST=$dir PGPORT=6432 "$@"; }
admin() { bouncer psql -U postgres -d pgbouncer -qAt -F ' ' -c "$1"; }
totals() { admin 'SHOW TOTALS' | awk '$1 == "total_xact_count" {print $2}'; }

[ "$(admin 'SHOW CONFIG' | awk '$1 == "pool_mode" {print $2}')" = transaction ] ||
	fail "pgbouncer is not in transaction mode"
x0=$(totals)

for t in headless/scripting headless/race feed/ingest; do
	log=$dir/$(basename "$t").log
	bouncer bash "$tests/$t.sh" >"$log" 2>&1 ||
		fail "$t through pgbouncer: $(tail -20 "$log")"
done

x1=$(totals)
[ $((x1 - x0)) -gt 100 ] || fail "pgbouncer carried $((x1 - x0)) transactions: the tests did not go through it"
servers=$(admin 'SHOW SERVERS' | wc -l)
[ "$servers" -le 10 ] || fail "$servers server connections for one database"

echo "ok: $((x1 - x0)) transactions through pgbouncer on $servers server connections"
