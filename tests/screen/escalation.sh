# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Automatic escalation on the screen (issue 14): when the scheduler
# escalates an overdue incident, a supervisor's console shows the event
# line, a 自动督办 count in the status line, and 督办1 on the queue row; an
# officer's console shows the line but no count.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

esc() { PGUSER=cityops_ingest "$CITYOPS" escalate-due; }
overdue() {
	psql -qAt -c "UPDATE cityops.incident SET ack_due = now() - interval '2 minutes' WHERE ref = '$1'" >/dev/null
}
raise() {
	local out
	out=$(co -U super_fx --json -c "raise flood 3 南桥镇 $1" 2>&1) || fail "raise failed: $out"
	sed -n 's/.*"ref":"\([^"]*\)".*/\1/p' <<<"$out"
}
# The demo's open incidents' deadlines a day ahead first: which of them
# are overdue depends on when the demo was seeded, and escalations made
# just before a console starts are in its backlog and counted (seen as
# 自动督办 5 at the start, in a full run). Then a pass escalates nothing.
psql -qAt -c "UPDATE cityops.incident SET ack_due = ack_due + interval '1 day',
	dispatch_due = dispatch_due + interval '1 day', arrive_due = arrive_due + interval '1 day',
	close_due = close_due + interval '1 day' WHERE is_open" >/dev/null
out=$(esc) || fail "first pass failed"
expect_in "$out" '^pass 1: 0 escalated$'

screen_start 200 50 -- -U super_fx
wait_for 'DB ●'
ref=$(raise 督办屏幕测试)
[ -n "$ref" ] || fail "raise failed"
wait_for "$ref 发现"
expect_not_in "$(screen | head -1)" '自动督办'
overdue "$ref"
expect_in "$(esc)" "$ref ack step 1 → 督办1"
wait_for "$ref 升级 → 新发现 · system · 升级 0 → 1; 自动督办"
wait_for '自动督办 1 '
wait_for "$ref .*督办1"
screen_quit
screen_stop

screen_start 200 50 -- -U officer_fx
wait_for 'DB ●'
ref=$(raise 督办屏幕测试二)
wait_for "$ref 发现"
overdue "$ref"
esc >/dev/null || fail "second pass failed"
wait_for "$ref 升级 → 新发现 · system"
expect_not_in "$(screen | head -1)" '自动督办'
screen_quit
echo "1 passed, 0 failed"
