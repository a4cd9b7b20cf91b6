# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# One clock (issue 14): on a machine in UTC the status clock shows
# Shanghai time, like the tables; "timezone UTC" in the config moves the
# clock, the tables (the database formats them) and the time axis of an
# indicator's chart together; a zone name that is not one is refused with
# a message and the default stays.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"
# The alarm's raise time as the database prints it in each zone (MM-DD HH:MI).
at_in() { psql -qAtc "set timezone = '$1'; select to_char(raised_at, 'MM-DD HH24:MI') from cityops.alarm where indicator_id = 'fx.tide.jinhui'"; }
# The first point of the tide's 24 h history in zone $1 (HH:MI): the
# chart's first axis label.
first_in() { psql -qAtc "set timezone = '$1'; select to_char(min(at), 'HH24:MI') from cityops.indicator_history('fx.tide.jinhui', 24)"; }
# chart_axis ZONE_ABBREV HH:MI: opens the tide's chart from the vitals
# pane and waits for its axis: the zone in the margin, the first time.
chart_axis() {
	keys Escape
	keys Tab
	keys /
	type_text 金汇港
	keys Enter
	wait_for '生命体征 .*/金汇港'
	keys Enter
	wait_for "^$1 +╵$2 +╵"
}
clock_re() { # the minute now and the next, in zone $1: HH:MM
	echo "($(TZ=$1 date +%H:%M)|$(TZ=$1 date -d '+1 minute' +%H:%M)):[0-9]{2}$"
}
sh=$(at_in Asia/Shanghai) utc=$(at_in UTC)
[ "$sh" != "$utc" ] || fail "the two zones print the same time"

re=$(clock_re Asia/Shanghai)
screen_start 140 36 TZ=UTC PGTZ= -- -U officer_fx
wait_for 'DB ●'
screen | head -1 | grep -Eq "$re" || fail "clock is not Shanghai time (want /$re/):
$(screen | head -1)"
keys :
type_text 'alarms'
keys Enter
wait_for "fx.tide.jinhui .* $sh"
chart_axis CST "$(first_in Asia/Shanghai)"
screen_stop

mkdir -p "$SCREEN_HOME/config/cityops"
echo 'timezone UTC' >"$SCREEN_HOME/config/cityops/config"
re=$(clock_re UTC)
screen_start 140 36 TZ=Asia/Shanghai -- -U officer_fx
wait_for 'DB ●'
screen | head -1 | grep -Eq "$re" || fail "clock is not UTC with timezone UTC (want /$re/):
$(screen | head -1)"
keys :
type_text 'alarms'
keys Enter
wait_for "fx.tide.jinhui .* $utc"
chart_axis UTC "$(first_in UTC)"
screen_stop

echo 'timezone ../../etc/passwd' >"$SCREEN_HOME/config/cityops/config"
re=$(clock_re Asia/Shanghai)
screen_start 140 36 TZ=UTC PGTZ= -- -U officer_fx
wait_for "config: .*timezone: cannot use '../../etc/passwd'"
screen | head -1 | grep -Eq "$re" || fail "a bad zone moved the clock:
$(screen | head -1)"
screen_quit
echo ok
