/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/* cityops feed-sim's command line (sim-internal.h). */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cityops/core/opt.h"
#include "sim-internal.h"

static void
usage(FILE *f)
{
	fputs(
	    "usage: cityops feed-sim [options]\n"
	    "  -p, --port N          listen on port N (0: any free port; "
	    "default 7681)\n"
	    "      --host ADDR       listen address (default 127.0.0.1)\n"
	    "  -s, --scenario NAME   scenario name (scenarios/NAME.scn) or "
	    "file\n"
	    "      --sensors N       instead of a scenario: readings of N "
	    "sensors\n"
	    "                        s.0000000 … (`sensor generate N`), one "
	    "pass a tick\n"
	    "      --per-message M   readings per --sensors batch message "
	    "(default 100)\n"
	    "                        (default: day)\n"
	    "  -r, --rate N          messages per second (default 20; 0: as "
	    "fast as\n"
	    "                        the client reads)\n"
	    "  -b, --broken PCT      replace PCT % of readings with broken "
	    "messages\n"
	    "  -F, --format F        native, ngsi, mix, cap, open311 or push "
	    "(default\n"
	    "                        native; push: no CAP or Open311)\n"
	    "  -d, --duration S      exit after S seconds\n"
	    "  -n, --count N         the stream ends after N messages\n"
	    "      --start MS        observed time of the first tick, epoch "
	    "ms\n"
	    "                        (default: now)\n"
	    "      --tick-ms N       observed ms between ticks (default: "
	    "from the rate)\n"
	    "      --dump            print messages [from, from+count) and "
	    "exit\n"
	    "      --from N          first position for --dump (default 0)\n"
	    "      --mute            accept TCP, never answer the handshake "
	    "(tests)\n"
	    "      --hold            start the live position when the first "
	    "client\n"
	    "                        connects (tests)\n"
	    "      --record FILE     append every message served to FILE as\n"
	    "                        POSITION<TAB>MESSAGE lines (tests)\n"
	    "      --http            serve HTTP instead: /cap/index.atom with "
	    "CAP XML\n"
	    "                        documents, /open311/requests.json and "
	    ".xml\n"
	    "      --file PATH=FILE  with --http: serve FILE as it is at "
	    "PATH\n"
	    "                        (repeatable, tests' fixtures)\n"
	    "      --cap-gen N       with --http: /cap/gen/S/index.atom lists "
	    "N CAP\n"
	    "                        alerts of sender gen-S, made on request "
	    "(benchmarks)\n"
	    "      --broker FILE     with --http: also the NGSI-LD "
	    "subscription API,\n"
	    "                        each request recorded in FILE (tests)\n"
	    "      --cert FILE --key FILE  HTTPS with this certificate "
	    "(PEM)\n"
	    "      --mqtt mqtt://HOST[:PORT]/TOPIC  publish the stream to an "
	    "MQTT\n"
	    "                        broker instead (QoS 1); ends with the "
	    "stream\n"
	    "      --ul APIKEY       with --mqtt: readings as UltraLight 2.0 "
	    "on\n"
	    "                        /ul/APIKEY/INDICATOR/attrs, the rest "
	    "skipped\n"
	    "      --ngsi-post URL   POST the stream's NGSI-LD notifications "
	    "to URL\n"
	    "                        instead (other messages skipped)\n"
	    "      --window N        --mqtt/--ngsi-post: at most N "
	    "unacknowledged\n"
	    "                        (default 1000 MQTT, 16 POST)\n"
	    "      --ca-file FILE    --ngsi-post to https://: trust these "
	    "CAs\n"
	    "      --log FILE        log to FILE ('-': stderr, the "
	    "default)\n"
	    "The URL is printed on stdout once listening.\n",
	    f);
}

static const struct option sim_longopts[] = {
    {"port", required_argument, NULL, 'p'},
    {"host", required_argument, NULL, 'H'},
    {"scenario", required_argument, NULL, 's'},
    {"rate", required_argument, NULL, 'r'},
    {"broken", required_argument, NULL, 'b'},
    {"format", required_argument, NULL, 'F'},
    {"duration", required_argument, NULL, 'd'},
    {"count", required_argument, NULL, 'n'},
    {"start", required_argument, NULL, 'S'},
    {"tick-ms", required_argument, NULL, 'T'},
    {"dump", no_argument, NULL, 'D'},
    {"from", required_argument, NULL, 'f'},
    {"mute", no_argument, NULL, 'M'},
    {"hold", no_argument, NULL, 'O'},
    {"record", required_argument, NULL, 'R'},
    {"log", required_argument, NULL, 'l'},
    {"http", no_argument, NULL, 'W'},
    {"broker", required_argument, NULL, 'B'},
    {"file", required_argument, NULL, 'V'},
    {"cert", required_argument, NULL, 'c'},
    {"key", required_argument, NULL, 'k'},
    {"mqtt", required_argument, NULL, 'Q'},
    {"ul", required_argument, NULL, 'U'},
    {"ngsi-post", required_argument, NULL, 'P'},
    {"window", required_argument, NULL, 'w'},
    {"ca-file", required_argument, NULL, 'C'},
    {"sensors", required_argument, NULL, 0x700},
    {"per-message", required_argument, NULL, 0x701},
    {"cap-gen", required_argument, NULL, 0x702},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One option with its argument; returns 0, or -1 when it was refused. */
static int
parse_opt(const struct opt_parser *p, int opt, const char *arg, void *ctx)
{
	struct sim_args *a = ctx;
	struct sim *s = a->sim;
	long long v;
	int fmt;

	switch (opt) {
	case 'p':
		return opt_int(p, opt, arg, 0, 65535, &a->port);
	case 'H':
		a->host = arg;
		return 0;
	case 's':
		a->scen = arg;
		return 0;
	case 0x700:
		return opt_int(p, opt, arg, 1, 10000000, &a->sensors);
	case 0x701:
		return opt_int(p, opt, arg, 1, 10000, &a->per_msg);
	case 'r':
		return opt_double(p, opt, arg, 0, 1e9, &s->rate);
	case 'b':
		return opt_double(p, opt, arg, 0, 100, &a->so.broken_pct);
	case 'F':
		if ((fmt = scenario_format_from_name(arg)) < 0)
			return opt_error(
			    p, opt, arg,
			    "not native, ngsi, mix, cap, open311 or push");
		a->so.format = (enum scenario_format)fmt;
		return 0;
	case 'd':
		return opt_double(p, opt, arg, 0.001, 1e9, &a->duration);
	case 'n':
		if (opt_int(p, opt, arg, 0, INT64_MAX, &v) != 0)
			return -1;
		s->count = (uint64_t)v;
		return 0;
	case 'S':
		if (opt_int(p, opt, arg, 1, 253402300799999LL, &v) != 0)
			return -1;
		a->so.start_ms = v;
		return 0;
	case 'T':
		return opt_int(p, opt, arg, 1, 86400000, &a->tick_ms);
	case 'D':
		a->dump = 1;
		return 0;
	case 'f':
		return opt_int(p, opt, arg, 0, INT64_MAX, &a->from);
	case 'M':
		a->mute = 1;
		return 0;
	case 'O':
		s->hold = 1;
		return 0;
	case 'R':
		a->record = arg;
		return 0;
	case 'W':
		a->http = 1;
		return 0;
	case 'B':
		a->broker = arg;
		return 0;
	case 0x702:
		return opt_int(p, opt, arg, 1, 100000, &a->cap_gen);
	case 'V':
		if (arg[0] != '/' || strchr(arg, '=') == NULL ||
		    a->nfiles == MAX_FILES)
			return opt_error(p, opt, arg,
			                 "not /PATH=FILE (at most 8)");
		a->file_arg[a->nfiles++] = arg;
		return 0;
	case 'c':
		a->cert = arg;
		return 0;
	case 'k':
		a->key = arg;
		return 0;
	case 'Q':
		a->push.mqtt_url = arg;
		return 0;
	case 'U':
		a->push.ul_apikey = arg;
		a->push.payload = SIM_PUSH_ULTRALIGHT;
		return 0;
	case 'P':
		a->push.post_url = arg;
		return 0;
	case 'w':
		return opt_int(p, opt, arg, 1, 100000, &a->window);
	case 'C':
		a->push.ca_file = arg;
		return 0;
	case 'l':
		a->logpath = arg;
		return 0;
	}
	return -1;
}

/* Returns -1 to go on, or the exit status. */
int
sim_parse_args(int argc, char **argv, struct sim_args *a)
{
	static const struct opt_parser p = {"cityops feed-sim", sim_longopts,
	                                    "p:s:r:b:F:d:n:h", usage};
	int rc;

	if ((rc = opt_getopt(&p, argc, argv, parse_opt, a)) >= 0)
		return rc;
	if (optind < argc) {
		fprintf(stderr, "cityops feed-sim: unexpected '%s'\n",
		        argv[optind]);
		return 2;
	}
	if ((a->broker != NULL || a->nfiles > 0 || a->cap_gen > 0) &&
	    !a->http) {
		fprintf(stderr,
		        "cityops feed-sim: --broker and --file want --http\n");
		return 2;
	}
	if (a->push.mqtt_url != NULL && a->push.post_url != NULL) {
		fprintf(stderr, "cityops feed-sim: --mqtt or --ngsi-post, not "
		                "both\n");
		return 2;
	}
	if (a->push.ul_apikey != NULL &&
	    (a->push.mqtt_url == NULL ||
	     a->push.ul_apikey[strcspn(a->push.ul_apikey, "/+#")] != '\0' ||
	     a->push.ul_apikey[0] == '\0')) {
		fprintf(stderr,
		        "cityops feed-sim: --ul wants --mqtt and an API "
		        "key without '/', '+' or '#'\n");
		return 2;
	}
	return -1;
}
