# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# scripts/check-sql passes on the tree and fails on planted second
# definitions: a function defined again in another function file, a
# function redefined in a numbered migration, a trigger created twice on
# the same table, a view outside sql/functions/.
set -euo pipefail
SRC=${CITYOPS_SRC:?}
"$SRC/scripts/check-sql" "$SRC" || { echo "FAIL: the tree defines something twice"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$SRC/sql" "$tmp/sql"
printf 'CREATE OR REPLACE FUNCTION cityops.queue(p int) RETURNS int\nLANGUAGE sql RETURN 1;\n' \
	>>"$tmp/sql/functions/70_console.sql"
printf 'CREATE FUNCTION cityops.mode_get() RETURNS int LANGUAGE sql RETURN 1;\n' \
	>>"$tmp/sql/migrations/016_event_log.sql"
printf 'CREATE TRIGGER unit_notify AFTER UPDATE ON cityops.unit\n\tFOR EACH ROW EXECUTE FUNCTION cityops.notify_change();\n' \
	>>"$tmp/sql/functions/60_drills.sql"
printf 'CREATE VIEW cityops.extra AS SELECT 1;\n' >>"$tmp/sql/migrations/015_ingest_idempotent.sql"
if out=$("$SRC/scripts/check-sql" "$tmp" 2>&1); then
	echo "FAIL: planted definitions passed: $out"
	exit 1
fi
for want in 'defined twice: function cityops\.queue at sql/functions/30_reads\.sql:[0-9]+ sql/functions/70_console\.sql' \
	'defined twice: function cityops\.mode_get at .*sql/migrations/016_event_log\.sql' \
	'defined in a migration, not sql/functions/: function cityops\.mode_get at sql/migrations/016_event_log\.sql' \
	'defined twice: trigger cityops\.unit\.unit_notify at sql/functions/20_records\.sql:[0-9]+ sql/functions/60_drills\.sql' \
	'defined in a migration, not sql/functions/: view cityops\.extra'; do
	grep -Eq "$want" <<<"$out" || { echo "FAIL: no '$want' in: $out"; exit 1; }
done
echo "ok: every function, view, trigger and policy is defined once; 4 planted definitions caught"
