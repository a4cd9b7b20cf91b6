/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * MQTT with libmosquitto on the loop (mqtt-source.h). The socket is
 * non-blocking; reads go through mosquitto_loop_read until it would
 * block, writes through mosquitto_loop_write when mosquitto wants to
 * write and nothing is held, and mosquitto_loop_misc runs from a timer
 * (keepalive pings, the keepalive deadline).
 *
 * The broker's name is resolved off the loop (libmosquitto's connect
 * calls getaddrinfo itself, which may block for seconds): a detached
 * helper thread runs getaddrinfo and writes the address into one end of
 * a socket pair the loop watches; mosquitto then connects to the
 * address. For mqtts:// the TLS context is ours (MOSQ_OPT_SSL_CTX): the
 * system store or a CA file, and the certificate checked against the
 * name in the URL, not the address connected to.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mosquitto.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "cityops/core/log.h"
#include "cityops/core/thread.h"
#include "cityops/core/loop.h"
#include "cityops/core/util.h"
#include "cityops/feed/mqtt-source.h"
#include "cityops/feed/mqtt-url.h"

#define MISC_MS        1000
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 15000
#define READS_PER_TURN 4096

struct mqtt_source {
	struct loop *loop;
	struct mosquitto *mosq;
	struct loop_watch *w;
	struct loop_timer *misc, *retry;
	struct loop_watch *rw; /* the resolver's answer */
	int rfd;               /* its socket, -1 when not resolving */
	struct mqtt_url u;
	char *url; /* redacted: no password */
	SSL_CTX *tls;
	char tls_error[80]; /* why the certificate was refused */
	int keepalive, backoff_ms;
	int held, paused, connected;
	int live; /* a socket is open (connecting or up) */
	mqtt_source_msg_fn fn;
	void *arg;
	struct mqtt_source_health h;
};

static const char *link_names[] = {
#define X(id, name) name,
    MQTT_LINK_LIST(X)
#undef X
};

const char *
mqtt_link_name(enum mqtt_link l)
{
	return (unsigned)l < sizeof link_names / sizeof *link_names
	           ? link_names[l]
	           : "?";
}

static void watch(struct mqtt_source *ms);

static void
set_error(struct mqtt_source *ms, const char *what, int rc)
{
	if (rc == MOSQ_ERR_TLS && ms->tls_error[0] != '\0')
		snprintf(ms->h.last_error, sizeof ms->h.last_error,
		         "%s: TLS: %s", what, ms->tls_error);
	else
		snprintf(ms->h.last_error, sizeof ms->h.last_error, "%s: %s",
		         what,
		         rc == MOSQ_ERR_ERRNO ? strerror(errno)
		                              : mosquitto_strerror(rc));
	ms->tls_error[0] = '\0';
}

/* The link is lost: stop watching, reconnect after a jittered backoff. */
static void
lost(struct mqtt_source *ms, const char *why)
{
	loop_unwatch(&ms->w);
	ms->live = 0;
	if (ms->h.link != MQTT_LINK_DOWN)
		log_msg(LOG_WARN, "mqtt: %s: link lost (%s); reconnecting",
		        ms->url, why);
	ms->h.link = MQTT_LINK_DOWN;
	ms->connected = 0;
	ms->held = 0;
	ms->backoff_ms = ms->backoff_ms ? ms->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (ms->backoff_ms > BACKOFF_MAX_MS)
		ms->backoff_ms = BACKOFF_MAX_MS;
	loop_timer_start(ms->retry, ms->backoff_ms / 2 +
	                                rand() % (ms->backoff_ms / 2 + 1));
}

/* Writes what mosquitto queued, unless acknowledgements are held. */
static void
flush(struct mqtt_source *ms)
{
	int rc;

	if (ms->held || !ms->live || !mosquitto_want_write(ms->mosq))
		return;
	errno = 0;
	rc = mosquitto_loop_write(ms->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS) {
		set_error(ms, "write", rc);
		lost(ms, ms->h.last_error);
		return;
	}
	if (ms->w != NULL && mosquitto_want_write(ms->mosq))
		loop_want_write(ms->w);
}

/*
 * Whether another read would find bytes. errno cannot tell: queueing a
 * PUBACK writes a wake-up byte to mosquitto's own socket pair, which
 * nobody reads here, and once that is full every message leaves errno at
 * EAGAIN; reading stopped after each message, and the spool was synced
 * for each one alone (strace: one fdatasync a message).
 */
static int
more_to_read(struct mqtt_source *ms)
{
	SSL *ssl = mosquitto_ssl_get(ms->mosq);
	char c;
	int fd = mosquitto_socket(ms->mosq);

	if (ssl != NULL && SSL_pending(ssl) > 0)
		return 1;
	return fd >= 0 && recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

static void
on_fd(void *arg, unsigned events)
{
	struct mqtt_source *ms = arg;
	int rc = MOSQ_ERR_SUCCESS;

	if (events & LOOP_WRITE)
		flush(ms);
	if (!ms->live || !(events & LOOP_READ) || ms->paused)
		return;
	for (int i = 0; i < READS_PER_TURN && ms->live; i++) {
		rc = mosquitto_loop_read(ms->mosq, 1);
		if (rc != MOSQ_ERR_SUCCESS || ms->paused || !more_to_read(ms))
			break;
	}
	if (ms->live && rc != MOSQ_ERR_SUCCESS) {
		set_error(ms, "read", rc);
		lost(ms, ms->h.last_error);
		return;
	}
	flush(ms);
}

static void
watch(struct mqtt_source *ms)
{
	int fd = mosquitto_socket(ms->mosq);

	loop_unwatch(&ms->w);
	if (fd < 0)
		return;
	/* The loop adopts a dup: lws closes what it adopts, and the
	 * socket changes on every reconnect. */
	ms->w = loop_watch_fd(ms->loop, fd, on_fd, ms);
	if (ms->w != NULL && mosquitto_want_write(ms->mosq))
		loop_want_write(ms->w);
}

/* ---- resolving off the loop ------------------------------------------ */

struct resolve_job {
	int fd; /* the thread's end of the pair */
	char host[256];
};

struct resolve_answer {
	char addr[INET6_ADDRSTRLEN]; /* "" when not resolved */
	char error[64];
};

static void *
resolve_thread(void *arg)
{
	struct resolve_job *j = arg;
	struct resolve_answer a;
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&a, 0, sizeof a);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(j->host, NULL, &hints, &res)) == 0 &&
	    res != NULL) {
		const void *p =
		    res->ai_family == AF_INET6
		        ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)
		              ->sin6_addr
		        : (const void *)&((struct sockaddr_in *)res->ai_addr)
		              ->sin_addr;
		inet_ntop(res->ai_family, p, a.addr, sizeof a.addr);
	} else {
		snprintf(a.error, sizeof a.error, "%s",
		         rc != 0 ? gai_strerror(rc) : "no address");
	}
	if (res != NULL)
		freeaddrinfo(res);
	/* The source may be gone (its end closed): no SIGPIPE then. */
	(void)!send(j->fd, &a, sizeof a, MSG_NOSIGNAL);
	close(j->fd);
	free(j);
	return NULL;
}

static void connect_addr(struct mqtt_source *ms, const char *addr);

static void
stop_resolving(struct mqtt_source *ms)
{
	loop_unwatch(&ms->rw);
	if (ms->rfd >= 0)
		close(ms->rfd);
	ms->rfd = -1;
}

static void
on_resolved(void *arg, unsigned events)
{
	struct mqtt_source *ms = arg;
	struct resolve_answer a;
	ssize_t n = recv(ms->rfd, &a, sizeof a, MSG_DONTWAIT);

	(void)events;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	stop_resolving(ms);
	if (n != (ssize_t)sizeof a || a.addr[0] == '\0') {
		snprintf(ms->h.last_error, sizeof ms->h.last_error,
		         "cannot resolve %.50s: %.28s", ms->u.host,
		         n == (ssize_t)sizeof a ? a.error : "no answer");
		lost(ms, ms->h.last_error);
		return;
	}
	connect_addr(ms, a.addr);
}

/* Starts resolving the broker's name; its answer comes to on_resolved. */
static int
resolve(struct mqtt_source *ms)
{
	struct resolve_job *j;
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	j = xcalloc(1, sizeof *j);
	j->fd = sv[1];
	snprintf(j->host, sizeof j->host, "%s", ms->u.host);
	rc = thread_start(NULL, 1, resolve_thread, j);
	if (rc != 0) {
		close(sv[0]);
		close(sv[1]);
		free(j);
		errno = rc;
		return -1;
	}
	ms->rfd = sv[0];
	ms->rw = loop_watch_fd(ms->loop, ms->rfd, on_resolved, ms);
	return 0;
}

static int
is_address(const char *h)
{
	unsigned char b[16];

	return inet_pton(AF_INET, h, b) == 1 || inet_pton(AF_INET6, h, b) == 1;
}

static void
connect_addr(struct mqtt_source *ms, const char *addr)
{
	int rc;

	/* A fresh connect each time: the address may have changed. */
	rc = mosquitto_connect_async(ms->mosq, addr, ms->u.port, ms->keepalive);
	if (rc != MOSQ_ERR_SUCCESS) {
		set_error(ms, "connect", rc);
		lost(ms, ms->h.last_error);
		return;
	}
	ms->live = 1;
	if (!ms->paused)
		watch(ms);
}

static void
connect_now(struct mqtt_source *ms)
{
	ms->h.link = MQTT_LINK_CONNECTING;
	ms->h.reconnects++;
	stop_resolving(ms);
	if (is_address(ms->u.host)) {
		connect_addr(ms, ms->u.host);
	} else if (resolve(ms) != 0) {
		set_error(ms, "resolve", MOSQ_ERR_ERRNO);
		lost(ms, ms->h.last_error);
	}
}

static void
retry_cb(void *arg)
{
	connect_now(arg);
}

static void
misc_cb(void *arg)
{
	struct mqtt_source *ms = arg;

	if (ms->live) {
		int rc = mosquitto_loop_misc(ms->mosq);
		if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
			set_error(ms, "keepalive", rc);
			lost(ms, ms->h.last_error);
		} else {
			flush(ms);
		}
	}
	loop_timer_start(ms->misc, MISC_MS);
}

static void
on_connect(struct mosquitto *mosq, void *arg, int rc)
{
	struct mqtt_source *ms = arg;

	if (rc != 0) {
		snprintf(ms->h.last_error, sizeof ms->h.last_error,
		         "refused: %s", mosquitto_connack_string(rc));
		log_msg(LOG_WARN, "mqtt: %s: %s", ms->url, ms->h.last_error);
		return;
	}
	ms->h.link = MQTT_LINK_UP;
	ms->connected = 1;
	ms->backoff_ms = 0;
	log_msg(LOG_INFO, "mqtt: %s: connected, subscribing to '%s' (QoS 1)",
	        ms->url, ms->u.filter);
	/* With a kept session the subscription is there already;
	 * subscribing again is harmless and covers a lost session. */
	rc = mosquitto_subscribe(mosq, NULL, ms->u.filter, 1);
	if (rc != MOSQ_ERR_SUCCESS)
		set_error(ms, "subscribe", rc);
}

static void
on_message(struct mosquitto *mosq, void *arg, const struct mosquitto_message *m)
{
	struct mqtt_source *ms = arg;

	ms->h.messages++;
	/* Its PUBACK is queued already: held until the owner releases. */
	if (m->qos > 0)
		ms->held = 1;
	ms->fn(ms->arg, ms, m->topic, m->payload, (size_t)m->payloadlen);
}

static void
on_disconnect(struct mosquitto *mosq, void *arg, int rc)
{
	struct mqtt_source *ms = arg;

	if (ms->live)
		lost(ms, rc == 0 ? "disconnected" : mosquitto_strerror(rc));
}

/* Remembers why OpenSSL refused the broker's certificate (for the log:
 * mosquitto only says "A TLS error occurred."). */
static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl =
	    X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct mqtt_source *ms =
	    ssl ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;

	if (!ok && ms != NULL)
		snprintf(
		    ms->tls_error, sizeof ms->tls_error, "%s",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(x)));
	return ok;
}

/* The TLS context for mqtts://: peer verified against the system store
 * or ca_file, and against the URL's host (name or address). */
static SSL_CTX *
tls_context(struct mqtt_source *ms, const char *ca_file)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	X509_VERIFY_PARAM *vp;
	unsigned char b[16];
	int ip = inet_pton(AF_INET, ms->u.host, b) == 1 ||
	         inet_pton(AF_INET6, ms->u.host, b) == 1;

	if (c == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
	if ((ca_file != NULL ? SSL_CTX_load_verify_locations(c, ca_file, NULL)
	                     : SSL_CTX_set_default_verify_paths(c)) != 1) {
		log_msg(LOG_ERROR, "mqtt: %s: cannot load the CAs from %s",
		        ms->url, ca_file ? ca_file : "the system store");
		SSL_CTX_free(c);
		return NULL;
	}
	vp = SSL_CTX_get0_param(c);
	if ((ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, ms->u.host)
	        : X509_VERIFY_PARAM_set1_host(vp, ms->u.host, 0)) != 1) {
		SSL_CTX_free(c);
		return NULL;
	}
	X509_VERIFY_PARAM_set_hostflags(vp,
	                                X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	SSL_CTX_set_app_data(c, ms);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, verify_cb);
	return c;
}

/* Credentials and TLS on a new client; -1 (logged) when they cannot be
 * set. */
static int
client_setup(struct mqtt_source *ms, const struct mqtt_source_opts *o)
{
	const char *user = o->user          ? o->user
	                   : ms->u.has_user ? ms->u.user
	                                    : NULL;
	const char *pass = o->password      ? o->password
	                   : ms->u.has_pass ? ms->u.pass
	                                    : NULL;

	if (pass != NULL && user == NULL) {
		log_msg(LOG_ERROR, "mqtt: %s: a password needs a user",
		        ms->url);
		return -1;
	}
	if (user != NULL &&
	    mosquitto_username_pw_set(ms->mosq, user, pass) != MOSQ_ERR_SUCCESS)
		return -1;
	if (!ms->u.tls) {
		if (o->ca_file != NULL)
			log_msg(LOG_WARN,
			        "mqtt: %s: no TLS (mqtt://): the CA "
			        "file is not used",
			        ms->url);
		return 0;
	}
	if ((ms->tls = tls_context(ms, o->ca_file)) == NULL)
		return -1;
	/* Our context as it is: mosquitto's defaults would want a CA file
	 * and check the host against the address it connects to. */
	if (mosquitto_int_option(ms->mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0) !=
	        MOSQ_ERR_SUCCESS ||
	    mosquitto_void_option(ms->mosq, MOSQ_OPT_SSL_CTX, ms->tls) !=
	        MOSQ_ERR_SUCCESS) {
		log_msg(LOG_ERROR, "mqtt: %s: this libmosquitto has no TLS",
		        ms->url);
		return -1;
	}
	return 0;
}

struct mqtt_source *
mqtt_source_new(struct loop *loop, const struct mqtt_source_opts *o,
                mqtt_source_msg_fn fn, void *arg)
{
	struct mqtt_source *ms = xcalloc(1, sizeof *ms);
	char shown[1024];
	static int inited;

	mqtt_url_redact(o->url, shown, sizeof shown);
	if (mqtt_url_split(o->url, &ms->u) != 0) {
		log_msg(LOG_ERROR,
		        "mqtt: cannot use '%s' (mqtt[s]://[USER[:PASSWORD]@]"
		        "HOST[:PORT]/TOPIC expected)",
		        shown);
		free(ms);
		return NULL;
	}
	if (!inited++)
		mosquitto_lib_init();
	ms->loop = loop;
	ms->rfd = -1;
	ms->url = xstrdup(shown);
	ms->fn = fn;
	ms->arg = arg;
	ms->keepalive = o->keepalive_s > 0 ? o->keepalive_s : 30;
	ms->mosq = mosquitto_new(o->client_id, false, ms);
	if (ms->mosq == NULL || client_setup(ms, o) != 0) {
		if (ms->mosq == NULL)
			log_msg(LOG_ERROR, "mqtt: cannot create a client: %s",
			        strerror(errno));
		mosquitto_destroy(ms->mosq);
		SSL_CTX_free(ms->tls);
		free(ms->url);
		free(ms);
		return NULL;
	}
	mosquitto_int_option(ms->mosq, MOSQ_OPT_PROTOCOL_VERSION,
	                     MQTT_PROTOCOL_V311);
	/* Packets are queued, never written from inside a read: that holds
	 * the PUBACKs until mqtt_source_release. */
	mosquitto_threaded_set(ms->mosq, true);
	mosquitto_connect_callback_set(ms->mosq, on_connect);
	mosquitto_message_callback_set(ms->mosq, on_message);
	mosquitto_disconnect_callback_set(ms->mosq, on_disconnect);
	ms->misc = loop_timer_new(loop, misc_cb, ms);
	ms->retry = loop_timer_new(loop, retry_cb, ms);
	log_msg(LOG_INFO, "mqtt: %s: client id '%s'%s%s", ms->url, o->client_id,
	        ms->u.tls ? ", TLS, CAs from " : "",
	        ms->u.tls ? (o->ca_file ? o->ca_file : "the system store")
	                  : "");
	connect_now(ms);
	loop_timer_start(ms->misc, MISC_MS);
	return ms;
}

void
mqtt_source_free(struct mqtt_source **msp)
{
	struct mqtt_source *ms = *msp;

	if (ms == NULL)
		return;
	loop_unwatch(&ms->w);
	stop_resolving(ms);
	loop_timer_free(&ms->misc);
	loop_timer_free(&ms->retry);
	/* No DISCONNECT: held acknowledgements must not go out now. */
	mosquitto_destroy(ms->mosq);
	SSL_CTX_free(ms->tls);
	free(ms->url);
	free(ms);
	*msp = NULL;
}

void
mqtt_source_release(struct mqtt_source *ms)
{
	if (!ms->held)
		return;
	ms->held = 0;
	flush(ms);
}

void
mqtt_source_drop(struct mqtt_source *ms)
{
	if (ms->live)
		lost(ms, "a message could not be kept");
}

void
mqtt_source_pause(struct mqtt_source *ms, int pause)
{
	if (pause == ms->paused)
		return;
	ms->paused = pause;
	/* Not watched while paused (the poll is level-triggered); the
	 * broker keeps the rest, TCP pushes back. */
	if (pause)
		loop_unwatch(&ms->w);
	else if (ms->live)
		watch(ms);
}

const struct mqtt_source_health *
mqtt_source_health(const struct mqtt_source *ms)
{
	return &ms->h;
}
