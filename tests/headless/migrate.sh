# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# `cityops db migrate` through the real binary (issue 13: one definition
# of every function; docs/sql-api.md, "Migrations and function files"):
#
#  1. A fresh database migrates; a second run applies nothing, changes
#     nothing in the catalogue (tests/catalogue-dump.sql) and `db status`
#     says everything is applied.
#  2. Every function file applied again over itself changes nothing: the
#     files are repeatable.
#  3. On a database migrated before, one changed function file (a comment
#     and a statement; CITYOPS_SQL_DIR points at a copy of sql/) is the only
#     file applied, found by its checksum; `db status` named it changed.
#  4. A function file that fails (a syntax error after a change) leaves the
#     database as it was, records nothing, and migrate exits non-zero
#     naming the file.
. "$(dirname "$0")/../lib.sh"
need_db
fresh="t_fresh_$$"
scratch= # set in 3; PGDATABASE names the maintenance database until then
tmp=$(mktemp -d)
cleanup() {
	dropdb --force --if-exists "$fresh" >/dev/null 2>&1 || true
	[ -z "$scratch" ] || dropdb --force --if-exists "$scratch" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
dump() { psql -qAtX -f "$CITYOPS_SRC/tests/catalogue-dump.sql"; }
nfunctions=$(find "$CITYOPS_SRC/sql/functions" -name '*.sql' | wc -l)

# ------------------------------------------------------------ 1. fresh
createdb "$fresh"
out=$(PGDATABASE=$fresh "$CITYOPS" db migrate) || fail "fresh migrate failed: $out"
expect_in "$out" '^applied 001_schema\.sql$'
expect_in "$out" '^applied functions/10_security\.sql$'
[ "$(grep -c '^applied functions/' <<<"$out")" -eq "$nfunctions" ] ||
	fail "expected all $nfunctions function files applied: $out"
before=$(PGDATABASE=$fresh dump)
out=$(PGDATABASE=$fresh "$CITYOPS" db migrate) || fail "second migrate failed: $out"
[ "$out" = "database is up to date" ] || fail "second migrate applied something: $out"
[ "$(PGDATABASE=$fresh dump)" = "$before" ] || fail "second migrate changed the catalogue"
status=$(PGDATABASE=$fresh "$CITYOPS" db status) || fail "status not 0 after migrate: $status"
expect_not_in "$status" '^(pending|changed) '
expect_in "$status" '^applied  functions/70_console\.sql$'

# ------------------------------------------------------------ 2. repeatable
psql -d "$fresh" -qc 'DELETE FROM public.cityops_function_file' >/dev/null
status=$(PGDATABASE=$fresh "$CITYOPS" db status) && fail "status 0 with files pending"
expect_in "$status" '^pending  functions/30_reads\.sql$'
out=$(PGDATABASE=$fresh "$CITYOPS" db migrate) || fail "re-applying the files failed: $out"
[ "$(grep -c '^applied functions/' <<<"$out")" -eq "$nfunctions" ] ||
	fail "expected every function file applied again: $out"
expect_not_in "$out" 'applied 0'
after=$(PGDATABASE=$fresh dump)
[ "$after" = "$before" ] || fail "re-applying the function files changed the catalogue:
$(diff <(echo "$before") <(echo "$after") | head -20)"

# ------------------------------------------------------------ 3. one change
scratch_db # a copy of the migrated and seeded template
scratch=$PGDATABASE
trap cleanup EXIT # scratch_db set its own
cp -r "$CITYOPS_SRC/sql" "$tmp/sql"
export CITYOPS_SQL_DIR=$tmp/sql
out=$("$CITYOPS" db migrate) || fail "migrate from an unchanged copy failed: $out"
[ "$out" = "database is up to date" ] || fail "an unchanged copy applied something: $out"
before=$(dump)
printf '\n-- an edit\nCOMMENT ON FUNCTION cityops.whoami() IS %s;\n' "'edited'" \
	>>"$tmp/sql/functions/30_reads.sql"
status=$("$CITYOPS" db status) && fail "status 0 with a changed file: $status"
expect_in "$status" '^changed  functions/30_reads\.sql$'
expect_in "$status" '^applied  functions/40_writes\.sql$'
out=$("$CITYOPS" db migrate) || fail "migrate of the changed file failed: $out"
[ "$out" = "applied functions/30_reads.sql" ] || fail "expected only 30_reads applied: $out"
[ "$(psql -qAt -c "select obj_description('cityops.whoami()'::regprocedure)")" = edited ] ||
	fail "the changed file did not run"
changes=$(diff <(echo "$before") <(dump) | grep '^[<>]' || true)
[ "$changes" = "< comment -
> comment edited" ] || fail "expected the catalogue to differ by the comment only: $changes"
out=$("$CITYOPS" db migrate) || fail "migrate after the change failed: $out"
[ "$out" = "database is up to date" ] || fail "the changed file applied twice: $out"

# ------------------------------------------------------------ 4. a failure
before=$(dump)
recorded=$(psql -qAt -c "select checksum from public.cityops_function_file
	where name = '40_writes.sql'")
{
	echo "COMMENT ON FUNCTION cityops.mode_set(text, text, text, text) IS 'half';"
	cat "$CITYOPS_SRC/sql/functions/40_writes.sql"
	echo 'CREATE FUNCTION cityops.broken( AS;'
} >"$tmp/sql/functions/40_writes.sql"
if err=$("$CITYOPS" db migrate 2>&1); then
	fail "migrate with a broken file exited 0: $err"
fi
expect_in "$err" 'functions/40_writes\.sql: .*syntax error'
[ "$(dump)" = "$before" ] || fail "the failed file left changes behind:
$(diff <(echo "$before") <(dump) | head -20)"
[ "$(psql -qAt -c "select checksum from public.cityops_function_file
	where name = '40_writes.sql'")" = "$recorded" ] || fail "the failed file was recorded"
status=$("$CITYOPS" db status) && fail "status 0 with a failed file"
expect_in "$status" '^changed  functions/40_writes\.sql$'
echo "ok: fresh and repeated migrate, one changed file by checksum, a failing file rolled back"
