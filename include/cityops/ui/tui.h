/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The live full-screen console (issue 3): status line, vital signs,
 * incident queue, units, event log and a readline prompt, on the one event
 * loop (loop.h) with the asynchronous database (db.h). Owned by the console
 * engineer; main.c calls tui_run on a terminal.
 */
#ifndef CITYOPS_TUI_H
#define CITYOPS_TUI_H

struct session;

struct tui_opts {
	const char *dsn;    /* libpq conninfo, or NULL for PG* */
	const char *config; /* config file, or NULL for the XDG default */
	const char *theme;  /* overrides the config's theme, or NULL */
	int no_color;       /* --no-color, or NO_COLOR in the environment */
	int exercise;       /* show exercise (演练) data instead of real */
	/* --feed URLs (they replace the config's "feed" lines), or none. */
	const char *const *feeds;
	int nfeeds;
	const char *relay; /* --relay URL: change records without LISTEN */
};

/*
 * Runs the console until the operator quits. s->readonly is honoured;
 * s->db is set to the console's own connection while it runs. Returns the
 * exit status (0, or 1 when the screen could not start).
 */
int tui_run(struct session *s, const struct tui_opts *o);

#endif
