/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The console's relay subscription (desk-relay.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"
#include "cityops/desk/desk-relay.h"
#include "cityops/feed/relay.h"

struct desk_relay {
	struct relay_client *rc;
	struct desk_relay_hooks h;
	int was_up;
};

static void
on_record(void *arg, const struct relay_line *l)
{
	struct desk_relay *r = arg;
	struct buf b = {0};

	buf_adds(&b, "{\"t\":");
	buf_add_json_string(&b, l->t);
	buf_adds(&b, ",\"id\":");
	buf_add_json_string(&b, l->id);
	buf_printf(&b, ",\"seq\":%" PRId64 "}", l->seq);
	r->h.notify(r->h.arg, b.data);
	buf_free(&b);
}

static void
on_gap(void *arg)
{
	struct desk_relay *r = arg;

	log_msg(LOG_WARN, "relay: change records were lost; full resync");
	r->h.resync(r->h.arg);
}

/* The first link starts from the relay's newest record: what changed
 * between the console's first reads and then is read again. Later links
 * resume after the last record received (or say gap). */
static void
on_link(void *arg, int up)
{
	struct desk_relay *r = arg;

	log_msg(up ? LOG_INFO : LOG_WARN, "relay: link %s", up ? "up" : "down");
	if (up && !r->was_up) {
		r->was_up = 1;
		r->h.resync(r->h.arg);
	}
}

struct desk_relay *
desk_relay_new(struct loop *l, const char *url, const char *scope, int exercise,
               const struct desk_relay_hooks *h)
{
	struct desk_relay *r = xcalloc(1, sizeof *r);
	struct relay_client_opts o = {0};
	struct relay_client_hooks rh = {on_record, on_gap, on_link, r};

	r->h = *h;
	o.url = url;
	o.scope = scope;
	o.exercise = exercise;
	r->rc = relay_client_new(loop_lws(l), &o, &rh);
	if (r->rc == NULL) {
		free(r);
		return NULL;
	}
	log_msg(LOG_INFO, "relay: following %s for scope %s", url,
	        scope && *scope ? scope : "(city)");
	return r;
}

void
desk_relay_free(struct desk_relay **rp)
{
	struct desk_relay *r = *rp;

	if (r == NULL)
		return;
	relay_client_free(&r->rc);
	free(r);
	*rp = NULL;
}
