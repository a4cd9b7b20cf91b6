# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Bad input is refused before it reaches the database, with the caller's
# error code, and changes nothing (issue 8, defect 8): a NUL byte in a
# line read from stdin or a script; whole numbers that overflow, are
# negative, zero or absurdly large; bytes that are not UTF-8.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless "$@"; }
snapshot() { psql -qAtc "select count(*), max(id) from cityops.incident_event"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT

ref=$(co -U super_fx --json -c 'raise gas 3 南桥镇 参数测试' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$ref" ] || fail "raise printed no ref"
before=$(snapshot)

# 1. A NUL byte cuts a C string: "note REF 前半<NUL>后半" would store only
# 前半. The whole line is refused, on stdin and from --script, and the
# next line still runs.
printf 'note %s 前半\0后半\nwhoami\n' "$ref" >"$tmp/nul.script"
rc=0
out=$(co -U super_fx --json --keep-going <"$tmp/nul.script" 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "a NUL line on stdin exited $rc, want 1: $out"
expect_in "$out" '"code":"parse","message":"a NUL byte at byte [0-9]+ of the line; it was refused and nothing was run"'
expect_in "$out" '"command":"whoami","ok":true'
rc=0
out=$(co -U super_fx --script "$tmp/nul.script" 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "a NUL line in a script exited $rc, want 1: $out"
expect_in "$out" 'line 1: error: a NUL byte at byte'
[ "$(snapshot)" = "$before" ] || fail "a line with a NUL byte changed the timeline"
[ "$(psql -qAtc "select count(*) from cityops.incident_event where note like '前半%'")" = 0 ] ||
	fail "the text before the NUL byte was stored"

# 2. Whole numbers: overflow, negative, zero, too large, not a number.
# Each is invalid_argument naming the option and its range, never
# db_error.
check_int() { # check_int COMMAND PATTERN
	local out rc=0
	out=$(co -U super_city --json -c "$1" 2>&1) || rc=$?
	[ "$rc" -eq 1 ] || fail "'$1' exited $rc, want 1: $out"
	expect_in "$out" '"code":"invalid_argument"'
	expect_in "$out" "$2"
}
big=99999999999999999999
for v in $big -$big -1 0 1001 1e3 0x10 +5 '5 ' ''; do
	check_int "queue --limit '$v'" '--limit must be a whole number from 1 to 1000'
done
check_int "queue --limit=$big" '--limit must be a whole number from 1 to 1000'
check_int "queue --priority $big" '--priority must be a whole number from 1 to 4'
check_int "queue --priority 0" '--priority must be a whole number from 1 to 4'
check_int "vitals --limit $big" '--limit must be a whole number from 1 to 10000'
check_int "vitals --limit -1" '--limit must be a whole number from 1 to 10000'
check_int "recommend $ref --limit $big" '--limit must be a whole number from 1 to 100'
check_int "recommend $ref --limit 0" '--limit must be a whole number from 1 to 100'
check_int "history no.such --hours $big" '--hours must be a whole number from 1 to 8784'
check_int "history no.such --hours -24" '--hours must be a whole number from 1 to 8784'
check_int "raise flood $big 南桥镇 溢出" 'priority must be a whole number from 1 to 4'
check_int "raise flood -1 南桥镇 负数" 'priority must be a whole number from 1 to 4'
# The bounds themselves are accepted.
co -U super_city -c 'queue --limit 1' -c 'queue --limit 1000' -c 'queue --priority 4' \
	-c 'vitals --limit 10000' -c "recommend $ref --limit 100" >/dev/null ||
	fail "a limit at its bound was refused"
# An incident named by an overlong number is simply not there.
out=$(co -U super_city --json -c "show $big" 2>&1) && fail "show $big succeeded"
expect_in "$out" '"code":"not_found"'

# 3. Bytes that are not UTF-8 are the caller's mistake (parse), not a
# database error.
printf 'show \xff\xfe\nunits \xe4\xb8\n' >"$tmp/latin.script"
out=$(co -U super_city --json --keep-going <"$tmp/latin.script" 2>&1) && fail "invalid UTF-8 succeeded"
expect_in "$out" '"code":"parse","message":"invalid UTF-8 at byte 6 of the line'
expect_not_in "$out" 'db_error'

[ "$(snapshot)" = "$before" ] || fail "a refused command changed the timeline"
echo "1 passed, 0 failed"
