/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Themes: files of semantic colour slots (alert.crit, row.selected, ...).
 * Code names slots, never raw colours or pairs; the theme maps each slot
 * to colours and attributes, with a fallback for 16-colour terminals.
 * Owned by the console engineer; the ui layer only.
 */
#ifndef CITYOPS_THEME_H
#define CITYOPS_THEME_H

#define THEME_SLOTS(X)                                                         \
	X(NORMAL, "normal", "ordinary text")                                   \
	X(STATUS, "status", "the status line")                                 \
	X(STATUS_EMERGENCY, "status.emergency", "status line in emergency")    \
	X(STATUS_EXERCISE, "status.exercise", "the 演练 marker")               \
	X(BANNER, "banner", "database-down banner")                            \
	X(TITLE, "pane.title", "pane title")                                   \
	X(TITLE_FOCUS, "pane.title.focus", "title of the focused pane")        \
	X(HEADER, "column.header", "column headings")                          \
	X(ROW_SELECTED, "row.selected", "the selected row")                    \
	X(ROW_NEW, "row.new", "a newly arrived incident")                      \
	X(ALERT_CRIT, "alert.crit", "alarm, P1, breached SLA")                 \
	X(ALERT_WARN, "alert.warn", "warning, P2")                             \
	X(STATE_OK, "state.ok", "normal, healthy")                             \
	X(FEED_STALE, "feed.stale", "stale or no data")                        \
	X(SLA_BREACHED, "sla.breached", "SLA countdown past its deadline")     \
	X(DIM, "text.dim", "secondary text")                                   \
	X(ACCENT, "text.accent", "breadcrumbs, keys in help")                  \
	X(SPARK, "sparkline", "trend sparklines")                              \
	X(MSG_ERROR, "message.error", "error messages")                        \
	X(MSG_OK, "message.ok", "command succeeded")                           \
	X(PROMPT, "prompt", "the prompt line")

enum theme_slot {
#define X(id, name, help) SLOT_##id,
	THEME_SLOTS(X)
#undef X
	    SLOT_COUNT
};

/*
 * Loads theme name ("dark", or a path ending in .theme) from the user's
 * $XDG_CONFIG_HOME/cityops/themes, then the installed themes folder.
 * With no_color, colours are ignored and only attributes are used (the
 * monochrome theme's). Returns 0, or -1 with *error set (static) and the
 * built-in monochrome fallback in force. Call after initscr().
 */
int theme_load(const char *name, int no_color, const char **error);
/* The curses attributes (colour pair included) of a slot. */
int theme_attr(enum theme_slot slot);
/* Slot name → slot, or -1. */
int theme_slot_parse(const char *name);

#endif
