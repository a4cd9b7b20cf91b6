# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# report period / report shift / handover / note --handover, as the
# documented command lines print them (issue 15): text, CSV, JSON and the
# printable page on fixed data with known answers, an empty period, bad
# input refused with a message and nothing changed, the handover audited.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless "$@"; }

# Fixed data in 2035 (no demo data there): two 奉贤 incidents on 1 March
# Shanghai time, one at 00:30 on 2 March (1 March in UTC). incident_step
# is what the report reads; the owner writes it directly.
psql -qAtX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
INSERT INTO cityops.incident (ref, priority, category_code, title, source, region_code,
	created_by, ack_due, dispatch_due, arrive_due, close_due)
SELECT v.ref, 2, 'flood', 'fixture', '12345', '310120101', 'super_city', now(), now(), now(), now()
FROM (VALUES ('350301-9001'), ('350301-9002'), ('350302-9003')) v(ref);
INSERT INTO cityops.incident_step (incident_id, region_path, category_code, priority, exercise,
	created_at, ack_due, dispatch_due, arrive_due, close_due, ack_at, close_at, end_state)
SELECT i.id, i.region_path, 'flood', 2, false, v.at, v.at + interval '5 min',
	v.at + interval '15 min', v.at + interval '30 min', v.at + interval '1 hour',
	v.at + (v.ack || ' s')::interval, v.at + (v.cl || ' s')::interval, v.st
FROM cityops.incident i JOIN (VALUES
	('350301-9001', '2035-03-01 10:00+08'::timestamptz, 60, 1800, 'closed'),
	('350301-9002', '2035-03-01 23:30+08', 600, NULL, NULL),
	('350302-9003', '2035-03-02 00:30+08', 30, NULL, NULL)) v(ref, at, ack, cl, st)
	ON v.ref = i.ref
ON CONFLICT (incident_id) DO UPDATE SET created_at = EXCLUDED.created_at,
	ack_due = EXCLUDED.ack_due, close_due = EXCLUDED.close_due, ack_at = EXCLUDED.ack_at,
	close_at = EXCLUDED.close_at, end_state = EXCLUDED.end_state;
SQL

# Text for the desk: 奉贤 raised 2, closed 1, ack 50 % (600 s is late),
# close 100 %, median ack 5m30s shown as 5m.
out=$(co -U super_city -c 'report period --from 2035-03-01 --to 2035-03-02')
expect_in "$out" '评估评价'
expect_in "$out" '奉贤区 +2 +1 +50\.0 +- +- +100\.0'
expect_in "$out" '合计 +2 +1 +50\.0'
expect_not_in "$out" '黄浦区'

# CSV: a header of the JSON names, raw seconds, one line per group.
out=$(co -U super_city -c 'report period --from 2035-03-01 --to 2035-03-02 --csv')
[ "$(printf '%s\n' "$out" | head -1)" = "grp,raised,closed,ack_pct,dispatch_pct,arrive_pct,close_pct,ack_median_s,ack_p90_s,dispatch_median_s,dispatch_p90_s,arrive_median_s,arrive_p90_s,close_median_s,close_p90_s,returns,return_reasons,reopens,unfounded_pct,escalations" ] ||
	fail "CSV header: $out"
expect_in "$out" '^奉贤区,2,1,50\.0,,,100\.0,330,546,'
[ "$(printf '%s\n' "$out" | wc -l)" = 3 ] || fail "CSV lines: $out"

# JSON for programs: the same figures, raw.
out=$(co -U super_city --json -c 'report period --from 2035-03-01 --to 2035-03-02 --by street')
expect_in "$out" '"grp":"南桥镇","raised":2,"closed":1,"ack_pct":50\.0'

# Midnight Shanghai: 2 March holds the 00:30 incident alone; the same
# day in UTC (an explicit offset) holds all three.
out=$(co -U super_city --json -c 'report period --from 2035-03-02 --to 2035-03-03')
expect_in "$out" '"grp_code":"310120","grp":"奉贤区","raised":1,'
out=$(co -U super_city --json -c "report period --from '2035-03-01 00:00+00' --to '2035-03-02 00:00+00'")
expect_in "$out" '"grp_code":"310120","grp":"奉贤区","raised":3,'

# An empty period: the total alone, zero, no percentages.
out=$(co -U super_city --json -c 'report period --from 2035-05-01 --to 2035-05-02')
expect_in "$out" '"groups":\[\{"grp_code":null,"grp":"合计","raised":0,"closed":0,"ack_pct":null'

# Bad input: a message, exit 1, no escape sequence reaches the terminal.
for line in 'report period --from x --to 2035-01-01' 'report period --from 2035-01-02 --to 2035-01-01' \
	'report period --from 2035-01-01' 'report weekly' 'report period --from 2035-01-01 --to 2035-01-02 --by weather' \
	"report period --from $(printf '\033[31m') --to 2035-01-02"; do
	if err=$(co -U super_city -c "$line" 2>&1); then fail "accepted: $line"; fi
	expect_in "$err" 'error'
	case $err in *$'\033'*) fail "escape sequence in: $err" ;; esac
done

# Handover: given, shown, accepted, audited; twice is refused.
audit0=$(psql -qAtX -c "SELECT count(*) FROM cityops.audit WHERE action LIKE 'handover.%'")
expect_in "$(co -U super_city -c 'handover officer_city 注意金汇港潮位')" '已交班 handed over to officer_city'
expect_in "$(co -U officer_city -c 'handover')" '注意金汇港潮位'
expect_in "$(co -U officer_city -c 'handover accept')" '已接班 accepted the handover from super_city'
if co -U officer_city -c 'handover accept' 2>/dev/null; then fail "accepted twice"; fi
if co -U super_city -c 'handover nobody_at_all' 2>/dev/null; then fail "handed over to nobody"; fi
audit1=$(psql -qAtX -c "SELECT count(*) FROM cityops.audit WHERE action LIKE 'handover.%'")
[ $((audit1 - audit0)) = 2 ] || fail "audit rows: $audit0 → $audit1"
if co --readonly -U super_city -c 'handover officer_city x' 2>/dev/null; then fail "read-only handed over"; fi
# Showing the last handover is a read: on a read-only console and for a
# viewer; giving and accepting stay writes for officers and up.
expect_in "$(co --readonly -U officer_city -c 'handover')" '注意金汇港潮位'
expect_in "$(co -U viewer_wall -c 'handover')" '注意金汇港潮位'
out=$(co --readonly -U officer_city -c 'handover accept' 2>&1) && fail "read-only accepted"
expect_in "$out" 'read-only console: handover accept would change data'
out=$(co -U viewer_wall -c 'handover officer_city x' 2>&1) && fail "a viewer handed over"
expect_in "$out" 'needs role officer'
[ "$(psql -qAtX -c "SELECT count(*) FROM cityops.audit WHERE action LIKE 'handover.%'")" = "$audit1" ] ||
	fail "a refused handover was audited"

# A note for the next shift and the shift report (since the handover).
ref=$(co -U officer_city --json -c 'queue --limit 1' | grep -o '"ref":"[0-9-]*"' | head -1 | cut -d'"' -f4)
expect_in "$(co -U officer_city -c "note --handover $ref 泵车明早归还")" '交班事项已记'
expect_in "$(co -U officer_city -c 'note --handover - 交班: 注意潮位')" '交班事项已记'
expect_in "$(co -U officer_city -c "show $ref")" '泵车明早归还'
out=$(co -U officer_city -c 'report shift')
expect_in "$out" 'note 2'
expect_in "$out" 'handover 1'
out=$(co -U officer_city -c 'report shift --printable')
expect_in "$out" '== 交班事项 handover notes =='
expect_in "$out" '泵车明早归还'
expect_in "$out" '交班人 handed over by'
expect_in "$(co -U officer_city --json -c 'report shift')" '"section":"open"'
