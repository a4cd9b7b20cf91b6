# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Runs one pgTAP file on a fresh copy of the seeded template database.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
scratch_db
psql -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION IF NOT EXISTS pgtap' >/dev/null
pg_prove --failures -d "$PGDATABASE" "$1"
