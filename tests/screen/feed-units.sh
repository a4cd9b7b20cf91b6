# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The console's live feed judges a reading by the same catalogue as ingest:
# a native reading of the 金汇港 tide stated in centimetres ("u":"CMT") is
# shown converted to the indicator's metres (4.71 m, not 471 m), and a
# reading in an incompatible unit (kilograms) is not shown at all. The
# console learns the indicators' units from the database
# (feed_indicator_units), as ingest does.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

SIM_PID=
trap 'kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; screen_cleanup' EXIT

scn=$SCREEN_HOME/units.scn
cat >"$scn" <<'SCN'
name units
title 单位换算
step 60
length 3600
heartbeat 1
signal fx.tide.jinhui unit CMT 0=471 3600=471 decimals 0
signal fx.tide.zhelin unit KGM 0=9 3600=9 decimals 0
SCN
"$CITYOPS" feed-sim --port 0 --rate 20 --scenario "$scn" --format native \
	>"$SCREEN_HOME/sim.url" 2>"$SCREEN_HOME/sim.log" &
SIM_PID=$!
for _ in $(seq 100); do
	url=$(head -n1 "$SCREEN_HOME/sim.url" 2>/dev/null || true)
	[ -n "$url" ] && break
	sleep 0.1
done
[ -n "$url" ] || fail "feed-sim did not start: $(cat "$SCREEN_HOME/sim.log")"
# The database's own values are older: make them stale history so that
# only the feed can show a current value.
psql -qAt -v ON_ERROR_STOP=1 -c "delete from cityops.reading where indicator_id in ('fx.tide.jinhui','fx.tide.zhelin')" >/dev/null

screen_start 160 48 -- -U super_city --feed "$url"
wait_for 'feed ●1/1'
keys Tab
keys /
type_text 潮位
keys Enter
wait_for '金汇港潮位 .* 4\.71 m ' 40
hasnt() { ! screen | grep -E -- "$1" >/dev/null || fail "did not expect /$1/:
$(screen)"; }
hasnt '471 m'
# 柘林塘 in kilograms is refused (each tick sends it beside 金汇港's, so
# it has arrived by now): never a value from the feed.
hasnt '柘林塘潮位 .* 9(\.0+)? m '
echo "ok: a reading in centimetres shown in metres, one in kilograms refused"
