# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# A drill step acknowledges an exercise alarm with the console's
# "alarm ack" command and the "acknowledged" expectation holds, naming who
# (issue 14); without the step the same expectation fails.
. "$(dirname "$0")/../lib.sh"
scratch_db
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT

out=$("$CITYOPS" drill run "$CITYOPS_SRC/tests/drill/alarm-ack.drill" --speed max 2>&1) ||
	fail "the drill failed:
$out"
expect_in "$out" '✓ line 9: alarm ex.fx.tide.jinhui acknowledged by \+00:05 — ex.fx.tide.jinhui acknowledged at \+00:03 by officer_fx'
expect_in "$out" '结果 PASSED: 2/2'
# The real alarm on the real indicator of the same name was not touched.
[ "$(psql -qAtc "select state from cityops.alarm where indicator_id = 'fx.tide.jinhui' and state <> 'cleared'")" = raised ] ||
	fail "the drill acknowledged a real alarm"

grep -v '^at +00:03 as' "$CITYOPS_SRC/tests/drill/alarm-ack.drill" >"$tmp/no-ack.drill"
sed -i 's/^drill .*/drill 测试：告警未确认/' "$tmp/no-ack.drill"
rc=0
out=$("$CITYOPS" drill run "$tmp/no-ack.drill" --speed max 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "a drill without the acknowledgement exited $rc:
$out"
expect_in "$out" '✗ line 8: alarm ex.fx.tide.jinhui acknowledged by \+00:05'
echo ok
