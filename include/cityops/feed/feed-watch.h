/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* cityops feed-watch: the console's feed side, headless (tests, scripts). */
#ifndef CITYOPS_FEED_WATCH_H
#define CITYOPS_FEED_WATCH_H

/* Runs the subcommand; argv[0] is "feed-watch". Returns the exit status. */
int feed_watch_main(int argc, char **argv);

#endif
