#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# Issue 10: every public example payload (tests/feed/fixtures/public/ and
# its rules/) decodes as its README's `expect` column says, understood,
# partly, or refused with the named reason; none is wrong silently and
# none is missing from the README. bench/public-payloads.sh prints the
# share and exits 1 on any file that is wrong.
set -euo pipefail
exec bash "$CITYOPS_SRC/bench/public-payloads.sh" "$CITYOPS"
