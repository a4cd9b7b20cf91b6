# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Exercise data is invisible to real views while a drill runs and after
# it: the real queue, region rollups, unit lists and availability,
# recommendations, vital signs and alarms are exactly as before. The
# exercise views show the drill, marked 演练. `drill clear` removes the
# drill's data — and nothing real.
. "$(dirname "$0")/../lib.sh"
scratch_db
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
co() { "$CITYOPS" --headless "$@"; }
asop() { PGUSER=$1 psql -qAt -c "$2"; }

# A real incident in 南桥镇, for recommendations.
real=$(co -U officer_fx --json -c 'raise flood 2 南桥镇 真实积水 --source 12345' |
	sed -n 's/.*"ref":"\([^"]*\)".*/\1/p')
[ -n "$real" ] || fail "raise printed no ref"

# Real views, as the city supervisor sees them. Ages and SLA countdowns
# move with the clock, so they are left out; everything else must match.
snapshot() {
	asop super_city "
	select 'queue', ref, state, priority from cityops.queue(p_limit => 1000) order by ref;
	select 'rollup', code, open_incidents, worst_indicator from cityops.region_children('310000') order by code;
	select 'rollup', code, open_incidents, worst_indicator from cityops.region_children('310120') order by code;
	select 'rollup', code, open_incidents, worst_indicator from cityops.region_children('310101') order by code;
	select 'units', callsign, status, incident_ref from cityops.units(p_exercise => false) order by callsign;
	select 'available', count(*) from cityops.units(p_status => 'available', p_exercise => false);
	select 'recommend', callsign from cityops.recommend('$real', 100) order by callsign;
	select 'vitals', indicator_id, value from cityops.vitals(p_limit => 1000) order by indicator_id;
	select 'alarms', id, indicator_id, level, state from cityops.alarms(p_open => false) order by id;
	select 'history', count(*) from cityops.incident_event e join cityops.incident i on i.id = e.incident_id where not i.exercise;
	select 'audit', count(*) from cityops.audit where not exercise and action not like 'drill.%';"
}
snapshot >"$tmp/before"
grep -q '^vitals|' "$tmp/before" || fail "empty snapshot"
grep -q '^units|FX-D01|' "$tmp/before" || fail "no real drainage unit in the snapshot"

# The typhoon drill at a speed that leaves time to look while it runs.
"$CITYOPS" drill run "$CITYOPS_SRC/drills/typhoon-fengxian.drill" --speed 600 --quiet \
	>"$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	n=$(asop super_city "select count(*) from cityops.units(p_exercise => true) where status <> 'available'")
	[ "$n" -ge 3 ] && break
	sleep 0.1
done
[ "$n" -ge 3 ] || fail "the drill never dispatched: $(cat "$tmp/out")"
snapshot >"$tmp/during"
diff -u "$tmp/before" "$tmp/during" || fail "real views changed while the drill ran"

# The exercise side shows it: the queue marked 演练, the busy exercise
# units, the drill's vital signs in alarm.
out=$(co -U super_city -c 'queue --exercise --limit 100')
expect_in "$out" '演练'
expect_in "$out" '沧海路'
expect_in "$(co -U super_city -c 'units --exercise --kind drainage')" 'EX-FX-D0[123] .* [0-9]{6}-[0-9]{4}'
expect_not_in "$(co -U super_city -c 'units')" 'EX-'
expect_not_in "$(co -U super_city -c 'vitals --limit 500')" 'ex\.fx\.'
expect_in "$(asop super_city "select state from cityops.drill_vitals() where indicator_id = 'ex.fx.tide.jinhui'")" 'alarm|warn'

wait $pid || fail "the drill failed: $(cat "$tmp/out")"
pid=
snapshot >"$tmp/after"
diff -u "$tmp/before" "$tmp/after" || fail "real views changed after the drill"

# Kept for review until cleared; then gone, exercise units free.
[ "$(asop postgres "select count(*) from cityops.incident i join cityops.drill_run r on r.id = i.drill_run where r.name = 'typhoon-fengxian'")" -ge 4 ] ||
	fail "the drill's incidents were not kept"
out=$("$CITYOPS" drill clear typhoon-fengxian) || fail "drill clear failed: $out"
expect_in "$out" 'cleared drill typhoon-fengxian: [0-9]+ incidents, [0-9]+ timeline rows'
[ "$(asop postgres "select count(*) from cityops.incident where exercise and drill_run is not null")" = 0 ] ||
	fail "exercise incidents left after clear"
[ "$(asop postgres "select count(*) from cityops.audit where exercise and drill_run is not null")" = 0 ] ||
	fail "exercise audit rows left after clear"
[ "$(asop postgres "select count(*) from cityops.reading r join cityops.indicator i on i.id = r.indicator_id where i.exercise")" = 0 ] ||
	fail "exercise readings left after clear"
[ "$(asop postgres "select count(*) from cityops.unit where exercise and status <> 'available'")" = 0 ] ||
	fail "exercise units still busy after clear"
expect_not_in "$(co -U super_city -c 'queue --exercise --limit 100')" '沧海路'
snapshot >"$tmp/cleared"
diff -u "$tmp/before" "$tmp/cleared" || fail "drill clear changed real views"

# Clearing needs a supervisor, and an unknown drill is an error.
rc=0; out=$("$CITYOPS" -U officer_fx drill clear typhoon-fengxian 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "an officer cleared a drill (rc $rc)"
expect_in "$out" 'needs role supervisor'
rc=0; out=$("$CITYOPS" drill clear no-such-drill 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "clearing an unknown drill exited $rc"
expect_in "$out" 'no drill no-such-drill'
echo "1 passed, 0 failed"
