#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# CAP-over-Atom with kill -9: see cap-lib. Also: the per-source cache makes
# an unchanged index cost one 304 and no document fetch, and the stats line
# shows the source's health.
. "$(dirname "$0")/cap-lib"
need_db
CAP_DB=
trap 'feed_cleanup; dropdb --force --if-exists "$CAP_DB" >/dev/null 2>&1 || true' EXIT
cap_restart_run "" 3
grep -q 'cap0=' "$CAP_LOG" || fail "no per-source health in the log"
echo "ok: every CAP report stored exactly once over 3 kill -9 restarts"
