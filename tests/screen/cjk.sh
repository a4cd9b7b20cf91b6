# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# CJK text aligns by display width: every queue row's state column starts
# at the same screen column, whatever the widths of the names before it.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"

screen_start 160 40 -- -U super_city
wait_for '^P[1-4] [0-9]{6}-[0-9]{4}'
screen >"$SCREEN_HOME/cap"
python3 - "$SCREEN_HOME/cap" <<'PY' || fail "misaligned: $(cat "$SCREEN_HOME/cap")"
import re, sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
states = "新发现|已确认|已派单|已签收|已退单|处置中|已办结|已核查|已重启"
cols = set()
rows = 0
for line in open(sys.argv[1], encoding="utf-8"):
    if not re.match(r"P[1-4] \d{6}-\d{4}", line):
        continue
    m = re.search(states, line)
    if not m:
        sys.exit("no state in: " + line)
    cols.add(width(line[:m.start()]))
    rows += 1
if rows < 5 or len(cols) != 1:
    sys.exit("rows %d, state columns %s" % (rows, sorted(cols)))
PY
screen_quit
