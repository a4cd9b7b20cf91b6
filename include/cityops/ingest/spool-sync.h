/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * Group commit for the spool (spool.h): the fdatasync runs in a helper
 * thread, so the loop goes on reading and appending while the disk
 * works. One sync at a time covers everything appended before it began;
 * what arrives meanwhile waits for the next, which starts as soon as the
 * previous one is over. Each finished sync reports the position now
 * durable, and only then may the sources be answered (the 204s).
 */
#ifndef CITYOPS_SPOOL_SYNC_H
#define CITYOPS_SPOOL_SYNC_H

#include <stdint.h>

struct loop;
struct spool;
struct spool_syncer;

/* Everything before upto is on disk (called on the loop). */
typedef void (*spool_durable_fn)(void *arg, uint64_t upto);

/* Returns NULL (logged) when the thread or its socket cannot be made. */
struct spool_syncer *spool_syncer_new(struct loop *l, struct spool *s,
                                      spool_durable_fn fn, void *arg);
/*
 * Starts a sync of what was appended, unless one is running (then the
 * next starts when it ends) or everything is synced already.
 */
void spool_syncer_kick(struct spool_syncer *sy);
/* Whether a sync is running. */
int spool_syncer_busy(const struct spool_syncer *sy);
/* Syncs made so far. */
uint64_t spool_syncer_count(const struct spool_syncer *sy);
/* Waits for a running sync, stops the thread; sets *syp to NULL. */
void spool_syncer_free(struct spool_syncer **syp);

#endif
