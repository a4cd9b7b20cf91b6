# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The bash completion (completions/cityops) against the build tree's
# binary: subcommands, options (from --help), themes, scenarios and drills
# found where the binary finds them.
. "$(dirname "$0")/../lib.sh"
comp="$CITYOPS_SRC/completions/cityops"
bash -n "$comp" || fail "syntax"
complete_words() { # complete_words WORD... -> the candidates for the last word
	PATH="$(dirname "$CITYOPS"):$PATH" bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cityops; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@"
}
out=$(complete_words cityops "")
for w in db drill doctor feed-sim feed-watch ingest; do expect_in "$out" "^$w\$"; done
out=$(complete_words cityops --th)
expect_in "$out" '^--theme$'
out=$(complete_words cityops --theme "")
for t in dark light high-contrast monochrome; do expect_in "$out" "^$t\$"; done
out=$(complete_words cityops -U x --theme h)
expect_in "$out" '^high-contrast$'
expect_not_in "$out" '^dark$'
out=$(complete_words cityops db "")
for w in migrate seed status; do expect_in "$out" "^$w\$"; done
out=$(complete_words cityops drill run "")
for d in typhoon-fengxian bund-crowd gas-huangpu; do expect_in "$out" "^$d\$"; done
out=$(complete_words cityops feed-sim --scenario "")
expect_in "$out" '^typhoon$'
out=$(complete_words cityops doctor --)
expect_in "$out" '^--config$'
expect_in "$out" '^--feed$'
out=$(complete_words cityops ingest --ba)
expect_in "$out" '^--batch$'
