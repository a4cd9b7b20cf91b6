# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Two supervisors dispatch the same unit at the same moment, from two
# processes: exactly one succeeds; the other is told who has it.
. "$(dirname "$0")/../lib.sh"
scratch_db
co() { "$CITYOPS" --headless "$@"; }

a=$(co -U super_fx --json -c 'raise fire 1 南桥镇 竞争测试甲' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
b=$(co -U super_city --json -c 'raise fire 1 奉城镇 竞争测试乙' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$a" ] && [ -n "$b" ] || fail "raise failed"
unit=$(co -U super_fx --json -c "recommend $a --limit 1" | sed -n 's/.*"callsign":"\([^"]*\)".*/\1/p')
[ -n "$unit" ] || fail "no unit to race for"

for round in 1 2 3 4 5; do
	tmp=$(mktemp -d)
	co -U super_fx -c "dispatch $a $unit" >"$tmp/a" 2>&1 && echo ok >"$tmp/a.rc" &
	co -U super_city -c "dispatch $b $unit" >"$tmp/b" 2>&1 && echo ok >"$tmp/b.rc" &
	wait
	wins=$(cat "$tmp"/*.rc 2>/dev/null | wc -l)
	[ "$wins" -eq 1 ] || fail "round $round: $wins dispatches succeeded: $(cat "$tmp/a" "$tmp/b")"
	expect_in "$(cat "$tmp/a" "$tmp/b")" "$unit is on incident ($a|$b) \\(dispatched by super_(fx|city)\\)"
	holders=$(psql -qAtc "select count(*) from cityops.assignment a join cityops.unit u on u.callsign = a.unit_callsign where u.callsign = '$unit' and a.released_at is null" 2>/dev/null || echo "?")
	# Free the unit for the next round: cancel whichever won and raise anew.
	winner=$a; grep -q ok "$tmp/b.rc" 2>/dev/null && winner=$b
	co -U super_city -c "cancel $winner 测试回合结束" >/dev/null || fail "cancel failed"
	if [ "$winner" = "$a" ]; then
		a=$(co -U super_fx --json -c 'raise fire 1 南桥镇 竞争测试甲' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
	else
		b=$(co -U super_city --json -c 'raise fire 1 奉城镇 竞争测试乙' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
	fi
	rm -rf "$tmp"
done
echo "1 passed, 0 failed"
