# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Property test: many generated hostile command lines through the real
# headless binary; see hostile.py for what it checks. Prints its seed;
# CITYOPS_SEED=N replays a run.
. "$(dirname "$0")/../lib.sh"
scratch_db
python3 "$(dirname "$0")/hostile.py" || fail "hostile command lines (replay with the seed above)"
echo "1 passed, 0 failed"
