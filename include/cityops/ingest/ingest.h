/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest: the headless daemon that stores feeds in PostgreSQL —
 * readings in idempotent batches, incidents from CAP, Open311, NGSI-LD
 * Alerts, native reports and alarm-level alarms, deduplicated — and can be
 * stopped or killed at any point and restarted without losing or doubling
 * anything (docs/ingest.md).
 */
#ifndef CITYOPS_INGEST_H
#define CITYOPS_INGEST_H

/* Runs the subcommand; argv[0] is "ingest". Returns the exit status. */
int ingest_main(int argc, char **argv, const char *dsn);

#endif
