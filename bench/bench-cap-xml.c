/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * CAP XML decode speed against raw expat on the same bytes: documents/s
 * and MB/s of feed_decode (CAP 1.2 XML → events, scratch, sanitising,
 * times), and of expat alone (XML_Parse of each document with a
 * namespace-aware parser and no handlers, reset between documents), in
 * the same run, then the ratio. The documents: the public fixtures
 * (tests/feed/fixtures/public/cap, OASIS examples and untidy ones) as
 * they are, repeated. Usage: bench-cap-xml FIXTURE_DIR [SECONDS]
 */
#include <dirent.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cityops/core/util.h"
#include "cityops/feed/feed.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *docs[64];
static size_t lens[64], ndocs;
static unsigned long long events;

static void
load(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL) {
		perror(dir);
		exit(2);
	}
	while ((e = readdir(d)) != NULL && ndocs < 64) {
		char path[4096];
		FILE *f;
		long n;
		if (strncmp(e->d_name, "oasis-", 6) != 0 &&
		    strncmp(e->d_name, "untidy-", 7) != 0 &&
		    strncmp(e->d_name, "chain-", 6) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		docs[ndocs] = xmalloc((size_t)n);
		lens[ndocs] = fread(docs[ndocs], 1, (size_t)n, f);
		fclose(f);
		ndocs++;
	}
	closedir(d);
}

static void
sink(void *arg, const struct feed_event *ev)
{
	(void)arg;
	(void)ev;
	events++;
}

/* Runs one pass over every document; returns bytes. */
static size_t
pass_decode(struct feed_decoder *d)
{
	size_t bytes = 0;

	for (size_t i = 0; i < ndocs; i++) {
		feed_decode(d, docs[i], lens[i], FEED_FORMAT_CAP, sink, NULL,
		            NULL);
		bytes += lens[i];
	}
	return bytes;
}

static size_t
pass_expat(XML_Parser p)
{
	size_t bytes = 0;

	for (size_t i = 0; i < ndocs; i++) {
		XML_ParserReset(p, NULL);
		if (XML_Parse(p, docs[i], (int)lens[i], XML_TRUE) ==
		    XML_STATUS_ERROR)
			abort();
		bytes += lens[i];
	}
	return bytes;
}

int
main(int argc, char **argv)
{
	double secs = argc > 2 ? atof(argv[2]) : 3, t0, t;
	struct feed_decoder *d = feed_decoder_new();
	XML_Parser p = XML_ParserCreateNS(NULL, ' ');
	unsigned long long n1 = 0, n2 = 0, b1 = 0, b2 = 0;
	double r1, r2;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-cap-xml FIXTURE_DIR [SECONDS]\n");
		return 2;
	}
	load(argv[1]);
	if (ndocs == 0) {
		fprintf(stderr, "no CAP fixtures in %s\n", argv[1]);
		return 2;
	}
	t0 = now();
	while ((t = now()) - t0 < secs) {
		b2 += pass_expat(p);
		n2 += ndocs;
	}
	r2 = (double)n2 / (t - t0);
	printf("expat alone:  %.0f documents/s, %.1f MB/s\n", r2,
	       (double)b2 / (t - t0) / 1e6);
	t0 = now();
	while ((t = now()) - t0 < secs) {
		b1 += pass_decode(d);
		n1 += ndocs;
	}
	r1 = (double)n1 / (t - t0);
	printf("feed_decode:  %.0f documents/s, %.1f MB/s (%llu events)\n", r1,
	       (double)b1 / (t - t0) / 1e6, events);
	printf("ratio: %.0f %% of raw expat (%zu fixture documents, mean "
	       "%zu bytes)\n",
	       100.0 * r1 / r2, ndocs, (size_t)(b1 / n1));
	XML_ParserFree(p);
	feed_decoder_free(&d);
	return 0;
}
