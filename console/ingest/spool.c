/* SPDX-License-Identifier: GPL-3.0-or-later
 * Copyright (C) 2026 the cityops authors; see LICENSE. */
/*
 * The spool (spool.h): segment files "NNNNNNNN.spool" in one folder,
 * numbered in the order they were started. Only the last is written to;
 * a segment is deleted once the database has confirmed every record in
 * it, and the current one is emptied in place when everything in it is
 * confirmed, so an idle spool takes no room and needs no new files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cityops/core/log.h"
#include "cityops/core/util.h"
#include "cityops/ingest/spool.h"

static const unsigned char MAGIC[4] = {'C', 'S', 'P', '1'};

struct segment {
	unsigned long no;
	uint64_t start; /* position of its first byte */
	uint64_t size;
};

struct spool {
	char *dir;
	int fd; /* the current segment, the last of segs */
	struct segment *segs;
	size_t nsegs, cap;
	unsigned long next_no;
	uint64_t end, synced, committed;
};

static uint32_t
fnv1a(uint32_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static char *
seg_path(const struct spool *s, unsigned long no)
{
	return xasprintf("%s/%08lu.spool", s->dir, no);
}

static int
cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a,
	              y = *(const unsigned long *)b;
	return x < y ? -1 : x > y;
}

/* Reads a whole file; returns its bytes (free them) or NULL. */
static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, len = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			data = xrealloc(data, cap);
		}
		got = fread(data + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	*n = len;
	return data;
}

/* Hands every whole record of one old segment to fn. */
static void
replay_segment(struct spool *s, const char *path, spool_replay_fn fn, void *arg)
{
	size_t n = 0, off = 0;
	char *data = slurp(path, &n);
	unsigned records = 0;

	while (data != NULL && n - off >= SPOOL_HEADER) {
		const unsigned char *h = (const unsigned char *)data + off;
		uint32_t total = get32(h + 4), sum = get32(h + 12);
		unsigned kind = h[8] | (unsigned)h[9] << 8,
		         mlen = h[10] | (unsigned)h[11] << 8;
		const char *meta = data + off + SPOOL_HEADER;
		if (memcmp(h, MAGIC, 4) != 0 || mlen > total ||
		    total > n - off - SPOOL_HEADER ||
		    fnv1a(2166136261u, meta, total) != sum) {
			/* Torn by a kill mid-write: never acknowledged. */
			log_msg(LOG_WARN,
			        "spool: %s: %zu bytes after record %u are "
			        "not a whole record; skipped",
			        path, n - off, records);
			break;
		}
		off += SPOOL_HEADER + total;
		s->end += SPOOL_HEADER + total;
		records++;
		fn(arg, (enum spool_kind)kind, meta, mlen, meta + mlen,
		   total - mlen, s->end);
	}
	free(data);
	if (records > 0)
		log_msg(LOG_INFO, "spool: replayed %u records of %s", records,
		        path);
}

static void
add_segment(struct spool *s, unsigned long no, uint64_t start, uint64_t size)
{
	if (s->nsegs == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->segs = xrealloc(s->segs, s->cap * sizeof *s->segs);
	}
	s->segs[s->nsegs].no = no;
	s->segs[s->nsegs].start = start;
	s->segs[s->nsegs].size = size;
	s->nsegs++;
}

/* Starts a new current segment at the end; returns 0 or -1 (logged). */
static int
start_segment(struct spool *s)
{
	char *path = seg_path(s, s->next_no);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int dfd;

	if (fd < 0) {
		log_msg(LOG_ERROR, "spool: cannot create %s: %s", path,
		        strerror(errno));
		free(path);
		return -1;
	}
	/* The new name must survive a crash too. */
	if ((dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(path);
	if (s->fd >= 0) {
		/* What was written to the old segment reaches the disk
		 * before anything of the new one can be acknowledged. */
		if (fdatasync(s->fd) != 0)
			log_msg(LOG_ERROR, "spool: cannot sync %s: %s", s->dir,
			        strerror(errno));
		close(s->fd);
	}
	s->fd = fd;
	add_segment(s, s->next_no++, s->end, 0);
	return 0;
}

/* The numbers of the segments left in dir, sorted; *n of them. */
static unsigned long *
list_segments(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned long *nos = NULL;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		char *end;
		unsigned long no = strtoul(e->d_name, &end, 10);
		if (end == e->d_name || strcmp(end, ".spool") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			nos = xrealloc(nos, cap * sizeof *nos);
		}
		nos[(*n)++] = no;
	}
	closedir(d);
	if (*n > 1)
		qsort(nos, *n, sizeof *nos, cmp_ulong);
	return nos;
}

struct spool *
spool_open(const char *dir, spool_replay_fn fn, void *arg)
{
	struct spool *s = xcalloc(1, sizeof *s);
	unsigned long *old;
	size_t nold;

	s->dir = xstrdup(dir);
	s->fd = -1;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_msg(LOG_ERROR, "spool: cannot create %s: %s", dir,
		        strerror(errno));
		spool_close(&s);
		return NULL;
	}
	old = list_segments(dir, &nold);
	for (size_t i = 0; i < nold; i++) {
		char *path = seg_path(s, old[i]);
		uint64_t start = s->end;
		replay_segment(s, path, fn, arg);
		/* Kept until its replayed records are confirmed. */
		add_segment(s, old[i], start, s->end - start);
		s->next_no = old[i] + 1;
		free(path);
	}
	free(old);
	s->synced = s->end;
	if (start_segment(s) != 0) {
		spool_close(&s);
		return NULL;
	}
	return s;
}

void
spool_close(struct spool **sp)
{
	struct spool *s = *sp;

	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->segs);
	free(s->dir);
	free(s);
	*sp = NULL;
}

uint64_t
spool_append(struct spool *s, enum spool_kind kind, const char *meta,
             size_t mlen, const char *body, size_t blen)
{
	unsigned char h[SPOOL_HEADER];
	struct iovec iov[3];
	size_t total = mlen + blen;
	ssize_t w;
	struct segment *cur;

	if (mlen > SPOOL_META_MAX || total > UINT32_MAX - SPOOL_HEADER)
		return 0;
	cur = &s->segs[s->nsegs - 1];
	if (cur->size >= SPOOL_SEGMENT && start_segment(s) != 0)
		return 0;
	cur = &s->segs[s->nsegs - 1];
	memcpy(h, MAGIC, 4);
	put32(h + 4, (uint32_t)total);
	h[8] = (unsigned char)kind;
	h[9] = (unsigned char)(kind >> 8);
	h[10] = (unsigned char)mlen;
	h[11] = (unsigned char)(mlen >> 8);
	put32(h + 12, fnv1a(fnv1a(2166136261u, meta, mlen), body, blen));
	iov[0].iov_base = h;
	iov[0].iov_len = sizeof h;
	iov[1].iov_base = (void *)meta;
	iov[1].iov_len = mlen;
	iov[2].iov_base = (void *)body;
	iov[2].iov_len = blen;
	/* One write at the segment's end; a short one is undone so that
	 * the next record starts on a frame. */
	w = pwritev(s->fd, iov, 3, (off_t)cur->size);
	if (w != (ssize_t)(SPOOL_HEADER + total)) {
		log_msg(LOG_ERROR, "spool: cannot write to %s: %s", s->dir,
		        w < 0 ? strerror(errno) : "short write");
		if (ftruncate(s->fd, (off_t)cur->size) != 0)
			log_msg(LOG_ERROR, "spool: cannot undo: %s",
			        strerror(errno));
		return 0;
	}
	cur->size += SPOOL_HEADER + total;
	s->end += SPOOL_HEADER + total;
	return s->end;
}

int
spool_sync(struct spool *s)
{
	if (s->synced == s->end)
		return 0;
	/* Older segments were synced before the next one started. */
	if (fdatasync(s->fd) != 0) {
		log_msg(LOG_ERROR, "spool: cannot sync %s: %s", s->dir,
		        strerror(errno));
		return -1;
	}
	s->synced = s->end;
	return 0;
}

int
spool_sync_begin(struct spool *s, uint64_t *upto)
{
	int fd;

	if (s->synced == s->end)
		return -1;
	/* A copy: the segment may be closed (rotated) during the sync. */
	if ((fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		log_msg(LOG_ERROR, "spool: cannot dup the segment of %s: %s",
		        s->dir, strerror(errno));
		return -1;
	}
	*upto = s->end;
	return fd;
}

void
spool_sync_done(struct spool *s, uint64_t upto)
{
	if (upto > s->synced && upto <= s->end)
		s->synced = upto;
}

uint64_t
spool_synced(const struct spool *s)
{
	return s->synced;
}

uint64_t
spool_end(const struct spool *s)
{
	return s->end;
}

uint64_t
spool_pending(const struct spool *s)
{
	return s->end - s->committed;
}

void
spool_commit(struct spool *s, uint64_t pos)
{
	size_t drop = 0;
	struct segment *cur;

	if (pos <= s->committed || pos > s->end)
		return;
	s->committed = pos;
	/* Whole old segments before pos go. */
	while (drop + 1 < s->nsegs &&
	       s->segs[drop].start + s->segs[drop].size <= pos) {
		char *path = seg_path(s, s->segs[drop].no);
		if (unlink(path) != 0 && errno != ENOENT)
			log_msg(LOG_WARN, "spool: cannot delete %s: %s", path,
			        strerror(errno));
		free(path);
		drop++;
	}
	if (drop > 0) {
		memmove(s->segs, s->segs + drop,
		        (s->nsegs - drop) * sizeof *s->segs);
		s->nsegs -= drop;
	}
	/* All of it confirmed: the current segment is emptied in place. */
	cur = &s->segs[s->nsegs - 1];
	if (s->nsegs == 1 && pos == s->end && cur->size > 0) {
		if (ftruncate(s->fd, 0) != 0) {
			log_msg(LOG_WARN, "spool: cannot empty %s: %s", s->dir,
			        strerror(errno));
			return;
		}
		cur->start = s->end;
		cur->size = 0;
	}
}
