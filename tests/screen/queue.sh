# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The queue pane shows open incidents in the engine's urgency order, and
# the status line counts them by priority.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

want=$(co -U super_city -c 'queue --limit 6' | grep -oE '^P[1-4] +[0-9]{6}-[0-9]{4}' | awk '{print $2}' | head -6 | tr '\n' ' ')
[ -n "$want" ] || fail "headless queue gave no refs"
screen_start 120 36 -- -U super_city
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
wait_for 'P1:[0-9]+ P2:[0-9]+'
got=$(screen | grep -oE '^P[1-4] [0-9]{6}-[0-9]{4}' | awk '{print $2}' | head -6 | tr '\n' ' ')
[ "$got" = "$want" ] || fail "queue order: got '$got', want '$want'
$(screen)"
screen_has '李静 值班长'
screen_quit
