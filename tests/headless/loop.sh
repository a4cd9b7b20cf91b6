# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# One incident through the whole closed loop, from raise to closure, as the
# officer and supervisor would drive it; the timeline records every step.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless "$@"; }

ref=$(co -U officer_fx --json -c 'raise flood 2 南桥镇 测试积水 --location 沧海路 --source 12345' |
	sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$ref" ] || fail "raise printed no ref"

out=$(co -U officer_fx -c "ack $ref 已核实")
expect_in "$out" "$ref: 新发现 → 已确认"

unit=$(co -U super_fx --json -c "recommend $ref --limit 1" | sed -n 's/.*"callsign":"\([^"]*\)".*/\1/p')
[ -n "$unit" ] || fail "no unit recommended for a flood in 南桥镇"

out=$(co -U super_fx -c "dispatch $ref $unit" -c "accept $ref" -c "arrive $ref" \
	-c "resolve $ref 已抽排" -c "verify $ref" -c "close $ref 结案")
expect_in "$out" "$ref: 已确认 → 已派单"
expect_in "$out" "$ref: 已派单 → 已签收"
expect_in "$out" "$ref: 已签收 → 处置中"
expect_in "$out" "$ref: 处置中 → 已办结"
expect_in "$out" "$ref: 已办结 → 已核查"
expect_in "$out" "$ref: 已核查 → 已结案"

# The unit is free again once the incident is resolved.
out=$(co -U super_fx -c "unit $unit")
expect_in "$out" "状态 +待命"

# Every step is on the timeline, in order, with its actor.
out=$(co -U super_fx --json -c "show $ref")
actions=$(printf '%s' "$out" | grep -o '"action":"[a-z_]*"' | tr '\n' ' ')
expect_in "$actions" '"action":"raise" "action":"ack" "action":"dispatch" "action":"accept" "action":"arrive" "action":"resolve" "action":"verify" "action":"close"'
expect_in "$out" '"state":"closed"'
expect_in "$out" '"actor":"officer_fx"'
expect_in "$out" '"actor":"super_fx"'

# A closed incident leaves the default queue but shows with --all.
expect_not_in "$(co -U super_fx -c 'queue --limit 500')" "$ref"
expect_in "$(co -U super_fx -c 'queue --all --limit 500')" "$ref"

# Incidents can also be named by id.
id=$(printf '%s' "$out" | sed -n 's/.*"incident":{"id":\([0-9]*\).*/\1/p')
[ -n "$id" ] || fail "show --json gave no id"
expect_in "$(co -U super_fx -c "show $id")" "$ref"
echo "1 passed, 0 failed"
