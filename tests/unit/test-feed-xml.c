/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The XML decoders (CAP 1.2/1.1, Open311 XML) and the Atom/RSS index
 * parser on the public example fixtures (tests/feed/fixtures/public/, see
 * its README), pushed whole and in small chunks, which must agree.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cityops/feed/feed-index.h"
#include "cityops/feed/feed.h"

static char *
slurp(const char *rel, size_t *len)
{
	char path[1024];
	FILE *f;
	char *s;
	long n;

	snprintf(path, sizeof path, "%s/../feed/fixtures/public/%s",
	         getenv("CITYOPS_FIXTURES") ? getenv("CITYOPS_FIXTURES") : ".",
	         rel);
	f = fopen(path, "rb");
	if (f == NULL) {
		check_fail(__FILE__, __LINE__, "cannot open %s", path);
		*len = 0;
		return calloc(1, 1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	*len = fread(s, 1, (size_t)n, f);
	fclose(f);
	return s;
}

struct got {
	int n;
	char line[8][8192];
	struct feed_event ev; /* the last, valid during the sink only */
	const struct feed_cap_info *picked;
	size_t ninfo, ngeo, ncircles, npolys, nparams, nrefs;
};

static void
sink(void *arg, const struct feed_event *ev)
{
	struct got *g = arg;

	if (g->n < 8)
		feed_event_describe(ev, g->line[g->n], sizeof g->line[0]);
	g->n++;
	if (ev->type == FEED_EV_CAP) {
		const struct feed_cap *c = &ev->u.cap;
		g->picked = feed_cap_pick_info(c);
		g->ninfo = c->ninfo;
		g->nrefs = c->nrefs;
		if (g->picked != NULL) {
			g->ngeo = g->picked->ngeocodes;
			g->ncircles = g->picked->ncircles;
			g->npolys = g->picked->npolygons;
			g->nparams = g->picked->nparams;
		}
	}
}

/* Decodes rel whole; then in 7-byte chunks, which must describe the same. */
static enum feed_status
decode(const char *rel, struct got *g, struct feed_result *res)
{
	struct feed_decoder *d = feed_decoder_new();
	struct got g2;
	size_t len;
	char *s = slurp(rel, &len);
	enum feed_status st, st2;

	memset(g, 0, sizeof *g);
	memset(&g2, 0, sizeof g2);
	st = feed_decode(d, s, len, FEED_FORMAT_AUTO, sink, g, res);
	feed_xml_begin(d, FEED_FORMAT_AUTO);
	for (size_t i = 0; i < len; i += 7)
		feed_xml_push(d, s + i, len - i < 7 ? len - i : 7);
	st2 = feed_xml_end(d, sink, &g2, NULL);
	CHECK_INT(st2, st);
	CHECK_INT(g2.n, g->n);
	for (int i = 0; i < g->n && i < 8; i++)
		CHECK_STR(g2.line[i], g->line[i]);
	free(s);
	feed_decoder_free(&d);
	return st;
}

static void
oasis_examples(void)
{
	struct got g;
	struct feed_result r;

	CHECK_INT(decode("cap/oasis-a1-homeland.xml", &g, &r), FEED_OK);
	CHECK_INT(g.n, 1);
	CHECK(strstr(g.line[0], "identifier=\"43b080713727\"") != NULL);
	CHECK(strstr(g.line[0], "status=Actual msgType=Alert") != NULL);
	CHECK(strstr(g.line[0], "parameter=\"HSAS\":\"ORANGE\"") != NULL);
	CHECK(strstr(g.line[0], "sent=1049312341000") != NULL);

	CHECK_INT(decode("cap/oasis-a2-thunderstorm.xml", &g, &r), FEED_OK);
	CHECK_INT(g.npolys, 1);
	CHECK_INT(g.ngeo, 3);
	CHECK(strstr(g.line[0], "expires=1055890800000") != NULL);
	CHECK(strstr(g.line[0], "geocode=\"SAME\":\"006109\"") != NULL);

	CHECK_INT(decode("cap/oasis-a3-earthquake.xml", &g, &r), FEED_OK);
	CHECK_INT(g.ncircles, 1);
	CHECK_INT(g.nparams, 5);
	CHECK_INT(g.nrefs, 1);
	CHECK(strstr(g.line[0], "msgType=Update") != NULL);
	CHECK(strstr(g.line[0], "| ref sender=\"trinet@caltech.edu\" "
	                        "identifier=\"TRI13970876.1\"") != NULL);
	CHECK(strstr(g.line[0], "circle=32.9525") != NULL);
}

/* A parameter lacking its <value> is skipped, even right after a document
 * that was cut inside a parameter after its <value> (the half pair was
 * kept across documents and pointed into the earlier one's scratch: found
 * by fuzz-cap-xml). */
static void
cut_inside_a_parameter(void)
{
	static const char head[] =
	    "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
	    "<identifier>ID1</identifier><sender>s@example.org</sender>"
	    "<sent>2003-06-11T20:56:00-07:00</sent><status>Actual</status>"
	    "<msgType>Alert</msgType><scope>Public</scope><info>"
	    "<category>Geo</category><event>Earthquake</event>"
	    "<urgency>Past</urgency><severity>Minor</severity>"
	    "<certainty>Observed</certainty><parameter>";
	char cut[2048], whole[2048];
	struct feed_decoder *d = feed_decoder_new();
	struct feed_result r;
	struct got g;

	snprintf(cut, sizeof cut,
	         "%s<valueName>A</valueName><value>stale</value>", head);
	snprintf(whole, sizeof whole,
	         "%s<valueName>B</valueName></parameter></info></alert>", head);
	memset(&g, 0, sizeof g);
	CHECK(feed_decode(d, cut, strlen(cut), FEED_FORMAT_CAP, sink, &g, &r) !=
	      FEED_OK);
	memset(&g, 0, sizeof g);
	/* Partial: its half parameter is skipped. */
	CHECK_INT(
	    feed_decode(d, whole, strlen(whole), FEED_FORMAT_CAP, sink, &g, &r),
	    FEED_PARTIAL);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.nparams, 0);
	CHECK(strstr(g.line[0], "stale") == NULL);
	feed_decoder_free(&d);
}

static void
untidy(void)
{
	struct got g;
	struct feed_result r;

	CHECK_INT(decode("cap/untidy-prefixed-multilang.xml", &g, &r), FEED_OK);
	CHECK_INT(g.ninfo, 2);
	CHECK(g.n == 1 && g.picked != NULL);
	CHECK(strstr(g.line[0], "language=\"zh-CN\"") != NULL);
	CHECK_INT(g.ngeo, 2);
	/* ds:Signature's text never reaches the event. */
	CHECK(strstr(g.line[0], "AAAA") == NULL);
	CHECK(strstr(g.line[0], "sent=1787731753000") != NULL);

	CHECK_INT(decode("cap/untidy-cap11-noexpires.xml", &g, &r), FEED_OK);
	CHECK(strstr(g.line[0], "status=Exercise") != NULL);
	CHECK(strstr(g.line[0], "expires") == NULL);
	CHECK_INT(g.ncircles, 1);
	CHECK_INT(g.npolys, 1); /* left open, closed by the decoder */

	CHECK_INT(decode("cap/chain-3-cancel.xml", &g, &r), FEED_OK);
	CHECK_INT(g.nrefs, 2);
	CHECK_INT(g.ninfo, 0);
	CHECK(strstr(g.line[0], "msgType=Cancel") != NULL);
}

static void
refused(void)
{
	struct got g;
	struct feed_result r;

	CHECK_INT(decode("cap/bad-doctype.xml", &g, &r), FEED_REJECTED);
	CHECK_INT(r.reason, FEED_REJECT_INVALID_XML);
	CHECK_INT(g.n, 0);
}

static void
depth_and_size(void)
{
	struct feed_decoder *d = feed_decoder_new();
	struct got g;
	struct feed_result r;
	char deep[4096] =
	    "<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'>";

	memset(&g, 0, sizeof g);
	for (int i = 0; i < 40; i++)
		strcat(deep, "<info>");
	CHECK_INT(
	    feed_decode(d, deep, strlen(deep), FEED_FORMAT_AUTO, sink, &g, &r),
	    FEED_REJECTED);
	CHECK_INT(r.reason, FEED_REJECT_INVALID_XML);
	feed_decoder_set_max(d, 100);
	feed_xml_begin(d, FEED_FORMAT_CAP);
	for (int i = 0; i < 10; i++)
		feed_xml_push(d, deep + 20 * i, 20);
	CHECK_INT(feed_xml_end(d, sink, &g, &r), FEED_REJECTED);
	CHECK_INT(r.reason, FEED_REJECT_TOO_LARGE);
	/* Not CAP, not Open311. */
	CHECK_INT(feed_decode(d, "<html/>", 7, FEED_FORMAT_AUTO, sink, &g, &r),
	          FEED_REJECTED);
	CHECK_INT(r.reason, FEED_REJECT_UNKNOWN_FORMAT);
	feed_decoder_free(&d);
}

static void
open311_xml(void)
{
	struct got g;
	struct feed_result r;

	CHECK_INT(decode("open311/spec-requests.xml", &g, &r), FEED_PARTIAL);
	CHECK_INT(g.n, 2);
	CHECK(strstr(g.line[0], "id=\"638344\"") != NULL);
	CHECK(strstr(g.line[0], "status=\"closed\"") != NULL);
	CHECK(strstr(g.line[1], "id=\"638349\"") != NULL);
	CHECK_INT(r.skipped, 1);
}

struct entries {
	int n;
	char link[4][256], id[4][256], key[4][256];
};

static void
entry(void *arg, const struct feed_index_entry *e)
{
	struct entries *x = arg;

	if (x->n < 4) {
		snprintf(x->link[x->n], 256, "%s", e->link);
		snprintf(x->id[x->n], 256, "%s", e->id ? e->id : "");
		snprintf(x->key[x->n], 256, "%s|%s|%lld",
		         e->cap_sender ? e->cap_sender : "",
		         e->cap_identifier ? e->cap_identifier : "",
		         (long long)e->cap_sent_ms);
	}
	x->n++;
}

static void
indexes(void)
{
	struct entries x;
	size_t len, skipped;
	const char *why = NULL;
	char *s = slurp("cap/atom-index.xml", &len);

	memset(&x, 0, sizeof x);
	CHECK_INT(feed_index_parse(s, len, 1 << 20, entry, &x, &skipped, &why),
	          FEED_INDEX_ATOM);
	CHECK_INT(x.n, 2);
	CHECK_STR(x.link[0], "docs/SH-TIDE-2026-0003.xml");
	CHECK_STR(x.id[0], "urn:oid:SH-TIDE-2026-0003");
	CHECK_STR(x.link[1],
	          "https://alerts.example.cn/cap/docs/SH-TIDE-2026-0001.xml");
	free(s);
	s = slurp("cap/rss-index.xml", &len);
	memset(&x, 0, sizeof x);
	CHECK_INT(feed_index_parse(s, len, 1 << 20, entry, &x, &skipped, &why),
	          FEED_INDEX_RSS);
	CHECK_INT(x.n, 1);
	CHECK_INT(skipped, 1);
	CHECK_STR(x.id[0], "31011541600000_20260826160913");
	free(s);
	s = slurp("cap/chain-1-alert.xml", &len);
	CHECK_INT(feed_index_parse(s, len, 1 << 20, entry, &x, NULL, &why),
	          FEED_INDEX_CAP);
	free(s);
	s = slurp("cap/bad-doctype.xml", &len);
	CHECK_INT(feed_index_parse(s, len, 1 << 20, entry, &x, NULL, &why), -1);
	free(s);
}

/* An entry naming its alert with cap: elements gives its key; one that
 * names only part of it, or a sent that is no time, gives none. */
static void
index_alert_keys(void)
{
	static const char doc[] =
	    "<feed xmlns='http://www.w3.org/2005/Atom' "
	    "xmlns:c='urn:oasis:names:tc:emergency:cap:1.2'>"
	    "<entry><link href='a.xml'/><c:sender> s@x </c:sender>"
	    "<c:identifier>ID-1</c:identifier>"
	    "<c:sent>2026-09-10T06:00:00+08:00</c:sent></entry>"
	    "<entry><link href='b.xml'/><c:identifier>ID-2</c:identifier>"
	    "<c:sent>2026-09-10T06:00:00+08:00</c:sent></entry>"
	    "<entry><link href='c.xml'/><c:sender>s@x</c:sender>"
	    "<c:identifier>ID-3</c:identifier><c:sent>soon</c:sent></entry>"
	    "<entry><link href='d.xml'/><x><c:sender>s@x</c:sender>"
	    "<c:identifier>ID-4</c:identifier>"
	    "<c:sent>2026-09-10T06:00:00+08:00</c:sent></x></entry></feed>";
	struct entries x;
	const char *why = NULL;

	memset(&x, 0, sizeof x);
	CHECK_INT(feed_index_parse(doc, sizeof doc - 1, 1 << 20, entry, &x,
	                           NULL, &why),
	          FEED_INDEX_ATOM);
	CHECK_INT(x.n, 4);
	CHECK_STR(x.key[0], "s@x|ID-1|1788991200000");
	CHECK_STR(x.key[1], "||0");
	CHECK_STR(x.key[2], "||0");
	CHECK_STR(x.key[3], "||0"); /* not the entry's own children */
}

int
main(int argc, char **argv)
{
	static const struct check_case cases[] = {
	    TEST(oasis_examples), TEST(cut_inside_a_parameter),
	    TEST(untidy),         TEST(refused),
	    TEST(depth_and_size), TEST(open311_xml),
	    TEST(indexes),        TEST(index_alert_keys),
	    {NULL, NULL},
	};

	return check_main(cases, argc, argv);
}
