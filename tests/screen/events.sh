# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The event log under a burst: three other consoles write 30 notes at once
# (the old log showed whatever was newest when each notification arrived,
# so some notes went missing and others showed twice). Every note must show
# exactly once. Then the log follows on from its position: one more note,
# one more line.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

# The whole left bottom for the event log: without the alarms pane that
# "alarms auto" puts above it at this size, all 30 notes fit.
mkdir -p "$SCREEN_HOME/config/cityops"
echo 'alarms off' >"$SCREEN_HOME/config/cityops/config"
screen_start 200 100 -- -U super_city
wait_for 'DB ●'
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
ref=$(co -U super_fx --json -c 'raise flood 2 南桥镇 动态测试' | sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$ref" ] || fail "raise failed"
wait_for "$ref 发现"
for w in a b c; do
	(
		args=()
		for i in $(seq 1 10); do args+=(-c "note $ref burst-$w-$i"); done
		co -U super_fx "${args[@]}" >/dev/null
	) &
done
wait
wait_for "burst-c-10"
wait_for "burst-a-10"
wait_for "burst-b-10"
# Let any late (wrong) refetch land before counting.
sleep 1
shot=$(screen)
for w in a b c; do
	for i in $(seq 1 10); do
		n=$(grep -oE -- "burst-$w-$i( |\$)" <<<"$shot" | wc -l)
		[ "$n" -eq 1 ] || fail "note burst-$w-$i shown $n times (want 1)"
	done
done
co -U super_fx -c "note $ref after-burst" >/dev/null
wait_for "after-burst"
sleep 0.5
n=$(screen | grep -oE -- "after-burst( |\$)" | wc -l)
[ "$n" -eq 1 ] || fail "after-burst shown $n times"
screen_quit
