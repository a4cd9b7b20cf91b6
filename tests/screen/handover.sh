# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The console shows the last shift handover when it starts (issue 15):
# on a read-only console of a viewer too, and an accepted one as
# accepted; with no handover yet it shows none.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

screen_start 100 30 -- --readonly -U viewer_wall
wait_for '事件队列 +[0-9]+ 件未结'
screen | grep -q '上次交接班' && fail "a handover shown before any was given"
screen_stop

co -U super_city -c 'handover officer_city 注意金汇港潮位' >/dev/null || fail "handover failed"
screen_start 100 30 -- --readonly -U viewer_wall
wait_for '事件队列 +[0-9]+ 件未结'
wait_for '上次交接班.*(super_city → officer_city|李静 → 王伟).*待接班'
screen_stop

co -U officer_city -c 'handover accept' >/dev/null || fail "accept failed"
screen_start 100 30 -- -U officer_city
wait_for '事件队列 +[0-9]+ 件未结'
wait_for '上次交接班.*(super_city → officer_city|李静 → 王伟).*已接班'
screen_quit
