# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# A malformed drill file is refused with every error and its line number,
# and nothing runs: no drill run, no incident, no reading.
. "$(dirname "$0")/../lib.sh"
scratch_db
snapshot() {
	psql -qAtc "select (select count(*) from cityops.drill_run),
		(select count(*) from cityops.incident), (select count(*) from cityops.reading),
		(select count(*) from cityops.audit)"
}
before=$(snapshot)
f="$CITYOPS_SRC/tests/drill/malformed.drill"

rc=0
out=$("$CITYOPS" drill run "$f" --speed max 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "a malformed drill exited $rc, want 2:
$out"
for line in 3 4 5 6 7 9 10 11 12; do
	expect_in "$out" "malformed.drill:$line: "
done
expect_not_in "$out" 'malformed.drill:8:'
expect_in "$out" "malformed.drill:3: bad time '00:05'"
expect_in "$out" "malformed.drill:6: unknown command 'ackk' \\(did you mean 'ack'\\?\\)"
expect_in "$out" "malformed.drill:7: a drill may not run 'escalation'"
expect_in "$out" 'malformed.drill:10: unknown label \$nobody'
expect_in "$out" 'nothing was run'
rc=0
"$CITYOPS" drill check "$f" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "drill check of a malformed drill exited $rc, want 2"

# A drill that parses but feeds a real indicator is refused before it starts.
tmp=$(mktemp)
trap 'rm -f "$tmp"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
printf 'drill 测试\nat +00:00 reading fx.tide.jinhui 9.9\nat +00:01 incident $x flood 2 南桥镇 测试\n' >"$tmp"
rc=0
out=$("$CITYOPS" drill run "$tmp" --speed max 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "a drill feeding a real indicator exited $rc, want 2: $out"
expect_in "$out" ':2: indicator fx.tide.jinhui is real'
expect_in "$out" 'nothing was run'

# An empty file and a binary file.
: >"$tmp"
rc=0; out=$("$CITYOPS" drill run "$tmp" 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "an empty drill exited $rc"
expect_in "$out" ':1: the drill has no title'
printf 'drill x\n\0\n' >"$tmp"
rc=0; out=$("$CITYOPS" drill run "$tmp" 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "a binary drill exited $rc"

[ "$(snapshot)" = "$before" ] || fail "a refused drill changed the database: $before → $(snapshot)"
echo "1 passed, 0 failed"
