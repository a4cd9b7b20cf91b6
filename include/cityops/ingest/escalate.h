/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops escalate-due: the scheduler of automatic escalation (自动督办).
 * Each pass calls cityops.escalate_due once; with --every it repeats until
 * SIGINT or SIGTERM. Several may run at once: the database fires each
 * breach step exactly once (migration 050).
 */
#ifndef CITYOPS_ESCALATE_H
#define CITYOPS_ESCALATE_H

/* Runs the subcommand; argv[0] is "escalate-due". Returns the exit status. */
int escalate_main(int argc, char **argv, const char *dsn);

#endif
