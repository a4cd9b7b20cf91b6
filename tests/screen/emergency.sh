# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Emergency mode changes the desk (issue 14): two consoles are open; a
# third process (headless, another supervisor) switches to 防汛防台 II.
# Both consoles show the banner (level, kind, who, since when, how long),
# the event-log line, 气象 first in the vital signs and the flood and
# typhoon incidents first in the queue; back to peace, the banner goes.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

SOCK2="cityops-test-$$-2-${RANDOM}"
tm2() { tmux -L "$SOCK2" -f /dev/null "$@"; }
trap 'tm2 kill-server >/dev/null 2>&1 || true; screen_cleanup' EXIT
cmd=$(printf '%q ' env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen-256color \
	HOME="$SCREEN_HOME" XDG_STATE_HOME="$SCREEN_HOME/state2" \
	XDG_CONFIG_HOME="$SCREEN_HOME/config2" PGHOST="$PGHOST" \
	PGDATABASE="$PGDATABASE" PGTZ="${PGTZ:-Asia/Shanghai}" \
	${PGPORT:+PGPORT="$PGPORT"} "$CITYOPS" -U officer_fx)
tm2 new-session -d -x 200 -y 50 "$cmd; sleep 600"
wait2() {
	local end=$((SECONDS + SCREEN_TIMEOUT))
	while [ $SECONDS -le $end ]; do
		if tm2 capture-pane -p | grep -E -- "$1" >/dev/null; then return 0; fi
		sleep 0.1
	done
	fail "second console: timed out waiting for /$1/:
$(tm2 capture-pane -p)"
}

# The vital signs' category headings in order, and the queue's categories.
headings() { grep -oE '── [^ ─]+' | sed 's/── //' | head -3 | tr '\n' ' '; }
cats() { grep -oE '^P[1-4] [0-9]{6}-[0-9]{4} [^ ]+' | awk '{print $3}' | head -4 | tr '\n' ' '; }
# wait_both WHAT EXPECTED: both consoles show it, with a bound.
wait_both() {
	local end=$((SECONDS + SCREEN_TIMEOUT))
	until [ "$(screen | $1)" = "$2" ] && [ "$(tm2 capture-pane -p | $1)" = "$2" ]; do
		[ $SECONDS -le $end ] || fail "$1: wanted '$2', got '$(screen | $1)' / '$(tm2 capture-pane -p | $1)':
$(screen)"
		sleep 0.1
	done
}
# A traffic incident newer than any flood one: in peace it is above them.
co -U super_fx -c 'raise traffic 1 南桥镇 应急测试交通' >/dev/null || fail "raise failed"
screen_start 200 50 -- -U super_fx
wait_for 'DB ●'
wait2 'DB ●'
wait_for '应急测试交通'
expect_not_in "$(screen | head -1)" '应急响应'
# In peace the queue is the database's order (P1 急救 first here).
peace_cats=$(screen | cats)
[ "${peace_cats%% *}" != 积水内涝 ] || fail "peace queue already starts with flood: $peace_cats"

co -U super_city -c 'switch emergency II 防汛防台 台风橙色预警' >/dev/null ||
	fail "switch failed"
banner='【应急响应 II级 防汛防台 · super_city [0-9]{2}:[0-9]{2}起 已[0-9]+分】'
wait_for "$banner"
wait2 "$banner"
wait_for '应急响应 II级 防汛防台 启动 · super_city'
wait2 '应急响应 II级 防汛防台 启动 · super_city'

# 气象 and 水务/防汛 first in the vital signs (mode_policy 051), then the
# rest by state; the queue: flood, typhoon, power (II), then as before.
wait_both headings '气象 水务/防汛 交通 '
wait_both cats '积水内涝 积水内涝 防台倒伏 停电 '

co -U super_city -c 'switch peace 解除' >/dev/null || fail "switch back failed"
wait_for '应急响应结束，恢复平时 · super_city'
wait2 '恢复平时 · super_city'
wait_gone '【应急响应'
wait_both cats "$peace_cats"
screen_quit
echo "1 passed, 0 failed"
