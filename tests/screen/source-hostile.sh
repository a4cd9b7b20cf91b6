# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# A hostile ingest login (psql as cityops_ingest, the role ingest runs as)
# reports a source whose label carries a clear-screen, an OSC title change
# and a bidi override: the database refuses it. Then one with a plain label
# and those controls in its URL, state and error text: the console's status
# line ("src ✗ 0/1 LABEL") and its event line ("数据源故障 source failing:
# LABEL") show it, no control reaches the terminal, its title is unchanged
# and the screen is not cleared.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

screen_start 200 40 -- -U super_city
wait_for 'DB ●'
tm set-option -g set-titles on >/dev/null 2>&1 || true
title_before=$(tm display-message -p '#{pane_title}')
put() {
	PGUSER=cityops_ingest psql -qAt -v ON_ERROR_STOP=1 \
		-c "SELECT cityops.source_health_put('hostile', 1, '$1')" 2>&1
}
# The label with controls is refused by the database (labels are
# [a-z0-9]{1,32}): nothing stored, nothing shown.
out=$(put '[{"kind":"cap","url":"http://x/","label":"bad\u001b[2J\u001b]0;PWNED\u0007\u202e","ok":false,"state":"waiting","last_error":"x"}]') &&
	fail "a label with controls was accepted: $out"
expect_in "$out" 'source_health_label_check'
[ "$(psql -qAtc "select count(*) from cityops.source_health where ingest = 'hostile'")" = 0 ] ||
	fail "a refused report left a row"
# A plain label with the controls in its error text and URL instead: the
# console shows the label, and none of the rest reaches the terminal.
put '[{"kind":"cap","url":"http://x/\u001b]0;PWNED\u0007\u001b[2J","label":"evil0","ok":false,"state":"waiting\u001b[31m","last_error":"bad\u001b[2J\u001b]0;PWNED\u0007\u202e reply"}]' >/dev/null ||
	fail "the ingest login could not report a source"
wait_for 'src ✗ 0/1 evil0' 40
wait_for '数据源故障: evil0' 40
raw=$(screen_raw)
printf '%s' "$raw" | grep 'PWNED'$'\a' >/dev/null && fail "an OSC reached the terminal"
printf '%s' "$raw" | grep $'\u202e' >/dev/null && fail "a bidi override reached the terminal"
printf '%s' "$raw" | grep $'\e\\[2J' >/dev/null && fail "a clear-screen reached the terminal"
[ "$(tm display-message -p '#{pane_title}')" = "$title_before" ] || fail "the terminal title changed"
screen_has '^ 上海市'
screen_has '事件队列'
screen_quit
echo "ok: a hostile source label is shown inert on the status line and in the event log"
