# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# escalation (issue 14): everyone reads the automatic escalation policy;
# only an admin sets or removes a step, audited; refusals (role, bad
# values, steps out of order, usage) change nothing.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless "$@"; }
policy() { psql -qAtc "select string_agg(concat_ws(' ', policy, category_code, priority, step, after), ',' order by 1) from cityops.escalation_policy"; }

out=$(co -U viewer_wall -c 'escalation')
expect_in "$out" 'peace +\* +P1 +2 +10m'
expect_in "$out" 'flood-typhoon +\* +P1 +2 +5m'
expect_in "$(co -U viewer_wall -c 'escalation peace')" '共 12 级'

before=$(policy)
for who_cmd in 'super_city|escalation set peace fire 1 1 1min' \
	'admin_city|escalation set peace fire 1 1 soon' \
	'admin_city|escalation set peace fire 1 4 1min' \
	'admin_city|escalation set peace nosuch 1 1 1min' \
	'admin_city|escalation set peace * 1 1 1hour' \
	'admin_city|escalation set peace * 1 2' \
	'admin_city|escalation remove peace fire 1 1' \
	"admin_city|escalation set 'pe ace' * 1 1 1min" \
	'admin_city|escalation set peace * 9 1 1min'; do
	who=${who_cmd%%|*} cmd=${who_cmd#*|}
	rc=0
	o=$(co -U "$who" --json -c "$cmd" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "'$cmd' by $who succeeded: $o"
	expect_in "$o" '"code":"(usage|not_found|invalid_argument|permission_denied|forbidden)"'
done
[ "$(policy)" = "$before" ] || fail "a refused edit changed the policy"

out=$(co -U admin_city -c 'escalation set peace fire 1 1 3min')
expect_in "$out" '督办策略 peace fire P1 第 1 级: 00:03:00'
expect_in "$(co -U officer_fx -c 'escalation')" 'peace +fire +P1 +1 +3m'
out=$(co -U admin_city -c 'escalation remove peace fire 1 1')
expect_in "$out" '已删除 removed'
[ "$(policy)" = "$before" ] || fail "set and remove did not leave the policy as it was"
[ "$(psql -qAtc "select count(*) from cityops.audit where action = 'escalation.policy' and actor = 'admin_city'")" = 2 ] ||
	fail "the two edits are not both audited"
echo "1 passed, 0 failed"
