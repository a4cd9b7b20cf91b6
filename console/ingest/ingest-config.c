/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * cityops ingest --sources FILE: every source, and every option, as a
 * config-file line (docs/ingest.md, "Config file"). One mechanism with
 * the command line: a line "NAME VALUE" is taken exactly as --NAME VALUE,
 * so what the command line checks, the file checks. The polled sources'
 * lines also take per-source settings (interval=S, ca-file=FILE).
 * Secrets stay in files of their own (ngsi-secret-file), never on a
 * command line that ps shows.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest-internal.h"

#define MAX_WORDS 8

/* Keeps a value alive as long as the daemon (options point at it). */
static const char *
keep(struct ingest *in, const char *s)
{
	in->cfg_str =
	    xrealloc(in->cfg_str, (size_t)(in->ncfg_str + 1) * sizeof(char *));
	in->cfg_str[in->ncfg_str] = xstrdup(s);
	return in->cfg_str[in->ncfg_str++];
}

/* Splits line into blank-separated words up to a '#' word; returns how
 * many, or -1 when there are more than MAX_WORDS. */
static int
words(char *line, char **w)
{
	int n = 0;

	for (char *t = strtok(line, " \t\r\n"); t != NULL;
	     t = strtok(NULL, " \t\r\n")) {
		if (t[0] == '#')
			break;
		if (n == MAX_WORDS)
			return -1;
		w[n++] = t;
	}
	return n;
}

static int
polled_line(struct ingest *in, char **w, int n, const char *where)
{
	long long secs = 0;
	struct poll_src_opts o = {.lenient = -1};

	if (n < 2) {
		fprintf(stderr, "cityops ingest: %s: %s needs a URL\n", where,
		        w[0]);
		return -1;
	}
	for (int i = 2; i < n; i++) {
		if (strncmp(w[i], "interval=", 9) == 0 &&
		    opt_parse_int(w[i] + 9, 1, 86400, &secs) == 0)
			continue;
		if (strncmp(w[i], "ca-file=", 8) == 0 && w[i][8] != '\0') {
			o.ca_file = w[i] + 8;
			continue;
		}
		if (strncmp(w[i], "zone=", 5) == 0 &&
		    feed_decoder_set_zones(NULL, w[i] + 5) == 0) {
			o.zone = w[i] + 5;
			continue;
		}
		if (strcmp(w[i], "lenient") == 0 ||
		    strcmp(w[i], "strict") == 0) {
			o.lenient = w[i][0] == 'l';
			continue;
		}
		fprintf(stderr,
		        "cityops ingest: %s: '%s': want interval=SECONDS "
		        "(1-86400), ca-file=FILE, zone=Z (+08:00, or "
		        "open311=-05:00,...), lenient or strict\n",
		        where, w[i]);
		return -1;
	}
	o.interval_ms = (int)secs * 1000;
	return ingest_poll_add_opts(in, w[1], strcmp(w[0], "open311") == 0, &o);
}

/* mqtt URL [user=U] [password-file=F] [ca-file=F] */
static int
mqtt_line(struct ingest *in, char **w, int n, const char *where)
{
	const char *user = NULL, *pass = NULL, *ca = NULL;

	if (n < 2) {
		fprintf(stderr, "cityops ingest: %s: mqtt needs a URL\n",
		        where);
		return -1;
	}
	for (int i = 2; i < n; i++) {
		if (strncmp(w[i], "user=", 5) == 0 && w[i][5] != '\0')
			user = w[i] + 5;
		else if (strncmp(w[i], "password-file=", 14) == 0 &&
		         w[i][14] != '\0')
			pass = w[i] + 14;
		else if (strncmp(w[i], "ca-file=", 8) == 0 && w[i][8] != '\0')
			ca = w[i] + 8;
		else {
			fprintf(stderr,
			        "cityops ingest: %s: '%s': want user=NAME, "
			        "password-file=FILE or ca-file=FILE\n",
			        where, w[i]);
			return -1;
		}
	}
	return ingest_push_add_mqtt(in, w[1], user, pass, ca, where);
}

static int
option_line(const struct opt_parser *p, opt_take_fn *take, void *ctx,
            struct ingest *in, char **w, int n, const char *where)
{
	const struct option *o;

	for (o = p->longopts; o->name != NULL; o++)
		if (strcmp(o->name, w[0]) == 0)
			break;
	if (o->name == NULL || strcmp(w[0], "sources") == 0 ||
	    strcmp(w[0], "status") == 0 || strcmp(w[0], "help") == 0) {
		fprintf(stderr,
		        "cityops ingest: %s: '%s' is not a source or an "
		        "option of cityops ingest\n",
		        where, w[0]);
		return -1;
	}
	if (n != (o->has_arg == no_argument ? 1 : 2)) {
		fprintf(stderr, "cityops ingest: %s: %s takes %s\n", where,
		        w[0],
		        o->has_arg == no_argument ? "no value" : "one value");
		return -1;
	}
	return take(p, o->val, n == 2 ? keep(in, w[1]) : NULL, ctx) == 0 ? 0
	                                                                 : -1;
}

int
ingest_sources_file(const struct opt_parser *p, const char *path,
                    opt_take_fn *take, void *ctx, struct ingest *in)
{
	FILE *f = fopen(path, "r");
	char line[4096], where[512], *w[MAX_WORDS];
	int lineno = 0, rc = 0, n;

	if (f == NULL) {
		fprintf(stderr, "cityops ingest: cannot read %s: %s\n", path,
		        strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		lineno++;
		snprintf(where, sizeof where, "%.400s:%d", path, lineno);
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "cityops ingest: %s: line too long\n",
			        where);
			rc = -1;
			break;
		}
		n = words(line, w);
		if (n == 0)
			continue;
		if (n < 0) {
			fprintf(stderr, "cityops ingest: %s: too many words\n",
			        where);
			rc = -1;
		} else if (strcmp(w[0], "cap") == 0 ||
		           strcmp(w[0], "open311") == 0) {
			rc = polled_line(in, w, n, where);
		} else if (strcmp(w[0], "mqtt") == 0 && n > 2) {
			rc = mqtt_line(in, w, n, where);
		} else {
			rc = option_line(p, take, ctx, in, w, n, where);
		}
		if (rc != 0)
			fprintf(stderr, "cityops ingest: %s: refused\n", where);
	}
	fclose(f);
	return rc;
}

void
ingest_config_free(struct ingest *in)
{
	for (int i = 0; i < in->ncfg_str; i++)
		free(in->cfg_str[i]);
	free(in->cfg_str);
	in->cfg_str = NULL;
	in->ncfg_str = 0;
}
