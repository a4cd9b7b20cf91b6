# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# --readonly: changing commands are refused with a clear message, reads
# work, the layout survives; the prompt completes command names.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

screen_start 100 30 -- -U super_city --readonly
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
wait_for '\[只读\]'
ref=$(screen | grep -oE '^P[1-4] [0-9]{6}-[0-9]{4}' | head -1 | awk '{print $2}')
keys :
type_text "ack $ref 测试"
keys Enter
wait_for 'read-only console: ack would change data'
keys :
type_text "dispatch $ref FX-F01"
keys Enter
wait_for 'read-only console: dispatch would change data'
# The queue is untouched and still drawn.
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
co -U super_city -c "show $ref" | grep '新发现\|已确认\|已派单\|已签收\|已退单\|处置中\|已重启\|已办结\|已核查' >/dev/null || fail "show failed"
# Reads run from the prompt; Tab completes a command name.
keys :
type_text "who"
keys Tab
wait_for '^:whoami'
keys Enter
wait_for 'super_city'
keys Escape
wait_for '事件队列'
screen_quit
