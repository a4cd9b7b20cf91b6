/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* cityops feed-sim: serves scenario feeds over websocket (docs/scenarios.md).
 */
#ifndef CITYOPS_FEED_SIM_H
#define CITYOPS_FEED_SIM_H

/* Runs the subcommand; argv[0] is "feed-sim". Returns the exit status. */
int feed_sim_main(int argc, char **argv);

#endif
