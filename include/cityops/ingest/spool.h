/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The spool of cityops ingest: every message a push source hands over
 * (an NGSI-LD notification POSTed to us, an MQTT message) is appended
 * here and synced to disk before the source is told it was received (the
 * HTTP 204, the MQTT PUBACK), and stays until the database has confirmed
 * everything decoded from it. A restart replays what is left; replays are
 * idempotent in the database (readings by indicator and time, reports by
 * digest), so nothing acknowledged is lost and nothing is stored twice.
 *
 * A spool is a folder of segment files written in order. A record is
 * framed (magic, lengths, checksum), so a record torn by a kill during
 * its write is recognised and skipped at replay: it was never
 * acknowledged. Positions are byte counts since the spool was opened,
 * only ever increasing; they are not kept across restarts.
 */
#ifndef CITYOPS_SPOOL_H
#define CITYOPS_SPOOL_H

#include <stddef.h>
#include <stdint.h>

/* Who handed a record over: decides how it is decoded at replay. */
enum spool_kind {
	SPOOL_NGSI_HTTP = 1, /* meta: "tenant", body: the notification */
	SPOOL_MQTT = 2,      /* meta: the topic, body: the payload */
};

struct spool;

/*
 * Called once per record at replay, in order; end is the record's end
 * position (what to commit once its content is in the database).
 */
typedef void (*spool_replay_fn)(void *arg, enum spool_kind kind,
                                const char *meta, size_t mlen, const char *body,
                                size_t blen, uint64_t end);

/*
 * Opens (creating) the spool folder dir. Every record left by an earlier
 * run is handed to fn, in order, before this returns; new records go to
 * a fresh segment. Returns NULL (logged) when dir cannot be used.
 */
struct spool *spool_open(const char *dir, spool_replay_fn fn, void *arg);
/* Closes the spool and sets *sp to NULL; nothing is deleted. */
void spool_close(struct spool **sp);

/*
 * Appends one record (written, not yet synced). Returns its end position,
 * or 0 when it could not be written (logged; the source must not be told
 * it was received).
 */
uint64_t spool_append(struct spool *s, enum spool_kind kind, const char *meta,
                      size_t mlen, const char *body, size_t blen);
/* Syncs what was appended to disk; returns 0, or -1 (logged). */
int spool_sync(struct spool *s);
/*
 * A sync off the loop (spool-sync.h): returns a copy of the current
 * segment's descriptor to fdatasync and close, and in *upto the position
 * that sync makes durable (the end now: older segments were synced before
 * the current one started); -1 when everything is synced already (or the
 * copy failed, logged). Appending may go on during that sync.
 */
int spool_sync_begin(struct spool *s, uint64_t *upto);
/* The sync begun for upto succeeded: everything before upto is on disk. */
void spool_sync_done(struct spool *s, uint64_t upto);
/* Everything before this position is on disk. */
uint64_t spool_synced(const struct spool *s);
/* The end of the last record appended. */
uint64_t spool_end(const struct spool *s);
/*
 * Everything before pos is in the database: drops the segments wholly
 * before it, and empties the current one when pos is its end.
 */
void spool_commit(struct spool *s, uint64_t pos);
/* Bytes kept (not yet committed), for health and the size cap. */
uint64_t spool_pending(const struct spool *s);

/* The record frame, for tests: magic "CSP1", then lengths and FNV-1a. */
#define SPOOL_HEADER   16
#define SPOOL_SEGMENT  (16u << 20) /* a new segment past this many bytes */
#define SPOOL_META_MAX 1024

#endif
