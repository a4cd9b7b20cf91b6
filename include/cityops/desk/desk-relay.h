/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The console's change records from cityops relay (--relay ws://…), in
 * place of its own LISTEN: each record is handed over as the payload a
 * NOTIFY would carry ({"t":KIND,"id":ID,"seq":SEQ}), so the desk refetches
 * what it names through its own connection, where row-level security
 * decides what it sees. A gap (records lost) asks for a full resync.
 */
#ifndef CITYOPS_DESK_RELAY_H
#define CITYOPS_DESK_RELAY_H

struct loop;
struct db_async;
struct desk_relay;

struct desk_relay_hooks {
	void (*notify)(void *arg, const char *payload);
	void (*resync)(void *arg);
	void *arg;
};

/* Asks db for a relay token (relay_token_issue(), the console's own
 * login), then subscribes to url for scope (a region code or path), with
 * exercise records when exercise; renews the token hourly. NULL (logged)
 * when the scope is unusable; a bad URL is logged when the token came. */
struct desk_relay *desk_relay_new(struct loop *l, struct db_async *db,
                                  const char *url, const char *scope,
                                  int exercise,
                                  const struct desk_relay_hooks *h);
void desk_relay_free(struct desk_relay **rp);

#endif
