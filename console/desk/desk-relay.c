/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* The console's relay subscription (desk-relay.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cityops/core/log.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"
#include "cityops/db/db.h"
#include "cityops/desk/desk-relay.h"
#include "cityops/feed/relay.h"

#define TOKEN_RENEW_MS (3600 * 1000) /* tokens live 24 h (76_relay_auth) */
#define TOKEN_RETRY_MS 5000

struct desk_relay {
	struct relay_client *rc;
	struct desk_relay_hooks h;
	struct loop *loop;
	struct db_async *db;
	struct loop_timer *renew;
	char *url, *scope;
	int exercise;
	int was_up;
	int asking; /* a token request in flight */
	int dead;   /* freed while asking: the answer frees it */
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

static void
relay_destroy(struct desk_relay *r)
{
	free(r->url);
	free(r->scope);
	free(r);
}

/* The first token starts the subscription; later ones are kept for the
 * next reconnect. */
static void
token_got(void *arg, struct db_table *t, const struct db_error *err)
{
	struct desk_relay *r = arg;
	const char *tok = t && t->nrows == 1 ? db_get(t, 0, "token") : NULL;
	struct relay_client_opts o = {0};
	struct relay_client_hooks rh = {on_record, on_gap, on_link, r};

	r->asking = 0;
	if (r->dead) {
		relay_destroy(r);
	} else if (tok == NULL) {
		log_msg(LOG_WARN, "relay: no subscriber token: %s",
		        err && err->message ? err->message : "no answer");
		loop_timer_start(r->renew, TOKEN_RETRY_MS);
	} else if (r->rc != NULL) {
		relay_client_set_token(r->rc, tok);
		loop_timer_start(r->renew, TOKEN_RENEW_MS);
	} else {
		o.url = r->url;
		o.scope = r->scope;
		o.token = tok;
		o.exercise = r->exercise;
		r->rc = relay_client_new(loop_lws(r->loop), &o, &rh);
		if (r->rc != NULL)
			log_msg(LOG_INFO, "relay: following %s for scope %s",
			        r->url, *r->scope ? r->scope : "(city)");
		loop_timer_start(r->renew, TOKEN_RENEW_MS);
	}
	db_table_free(&t);
}

static void
token_ask(void *arg)
{
	struct desk_relay *r = arg;

	if (r->asking)
		return;
	r->asking = 1;
	db_async_submit(r->db, Q_RELAY_TOKEN_ISSUE, 0, NULL, token_got, r);
}

struct desk_relay *
desk_relay_new(struct loop *l, struct db_async *db, const char *url,
               const char *scope, int exercise,
               const struct desk_relay_hooks *h)
{
	struct desk_relay *r;

	if (scope == NULL)
		scope = "";
	if (!relay_scope_valid(scope)) {
		log_msg(LOG_ERROR, "relay: scope '%s' is not a region path",
		        scope);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->h = *h;
	r->loop = l;
	r->db = db;
	r->url = xstrdup(url);
	r->scope = xstrdup(scope);
	r->exercise = exercise;
	r->renew = loop_timer_new(l, token_ask, r);
	token_ask(r);
	return r;
}

void
desk_relay_free(struct desk_relay **rp)
{
	struct desk_relay *r = *rp;

	if (r == NULL)
		return;
	*rp = NULL;
	relay_client_free(&r->rc);
	loop_timer_free(&r->renew);
	if (r->asking)
		r->dead = 1; /* token_got frees it when cancelled */
	else
		relay_destroy(r);
}
