# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# A drill switches emergency mode for its exercise scope only (issue 14,
# migration 057): the drill's operators see the drill's mode and its
# incidents get the mode's deadlines, while the real desk stays in peace,
# during the run and after it. A supervisor's console started with a made-
# up drill run in PGOPTIONS (the drill path, from outside) is refused and
# changes nothing.
. "$(dirname "$0")/../lib.sh"
scratch_db
log=$(mktemp)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -f "$log"; dropdb --force --if-exists "$PGDATABASE" >/dev/null 2>&1 || true' EXIT
real_modes() { psql -qAtc "select count(*) || ' ' || (select mode from cityops.mode order by id desc limit 1) from cityops.mode"; }
before=$(real_modes)
expect_in "$before" ' peace$'

# At speed 1 the run lasts 12 s (end +00:00:12): long enough to look at the real desk
# while the drill's mode is in force (the check holds after it too).
"$CITYOPS" drill run "$CITYOPS_SRC/tests/drill/mode.drill" --speed 1 >"$log" 2>&1 &
pid=$!
for _ in $(seq 600); do
	[ "$(psql -qAtc "select count(*) from cityops.audit where action = 'drill.mode'")" = 1 ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.2
done
[ "$(psql -qAtc "select count(*) from cityops.audit where action = 'drill.mode'")" = 1 ] ||
	fail "the drill never switched its mode:
$(cat "$log")"
out=$("$CITYOPS" -U super_city -c mode) || fail "mode failed: $out"
expect_in "$out" '模式 +平时'
[ "$(real_modes)" = "$before" ] || fail "the real mode changed during the drill: $(real_modes)"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" -eq 0 ] || fail "the drill exited $rc:
$(cat "$log")"
out=$(cat "$log")
expect_in "$out" 'super_fx: switch emergency II 防汛防台 演练启动应急响应 — '
expect_in "$out" 'officer_fx: mode — 模式 +应急'
expect_in "$out" '结果 PASSED: 1/1'
# The drill's P1 got II's deadline (0.6 × 2 min), not peace's.
[ "$(psql -qAtc "select ack_due - created_at from cityops.incident where exercise and title = '演练积水'")" = 00:01:12 ] ||
	fail "the drill's incident did not get the drill mode's deadline"
[ "$(real_modes)" = "$before" ] || fail "the real mode changed: $(real_modes)"
out=$("$CITYOPS" -U super_city -c mode)
expect_in "$out" '模式 +平时'

# The drill path from outside: a made-up run is refused, nothing written.
run=$(psql -qAtc "select max(id) + 1000 from cityops.drill_run")
rc=0
out=$(PGOPTIONS="-c cityops.drill=$run" "$CITYOPS" -U super_city -c 'switch emergency I 防汛防台 越权' 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "a made-up drill run switched a mode: $out"
expect_in "$out" "no running drill $run"
[ "$(real_modes)" = "$before" ] || fail "the refused switch changed the real mode"
[ "$(psql -qAtc "select count(*) from cityops.drill_mode")" = 1 ] ||
	fail "the refused switch wrote a drill mode"
echo ok
