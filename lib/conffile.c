/* conffile.c: reading and splitting cqrs's line-based files, and the
 * system-wide layer under /etc/cqrs/ (see conffile.h). */
#include "config.h"
#include "conffile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int conf_parse(const char *text, size_t len, const char *file, conf_line_fn fn, void *ud,
	       struct buf *errs)
{
	int bad = 0, lineno = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char why[256];
		bool ok;
		lineno++;
		if (memchr(p, '\0', n)) {
			snprintf(why, sizeof(why), "the line holds a NUL byte (is this a text file?)");
			ok = false;
		} else {
			char *line = xstrndup(p, n);
			if (n && line[n - 1] == '\r')
				line[n - 1] = '\0';
			ok = fn(ud, line, why, sizeof(why));
			free(line);
		}
		if (!ok) {
			bad++;
			if (errs)
				buf_printf(errs, "%s:%d: %s\n", file, lineno, why);
		}
		p += n;
		if (p < end)
			p++; /* the newline */
	}
	return bad;
}

/* Reads all of fd into text; false with errno on a read error. */
static bool read_all(int fd, struct buf *text)
{
	char chunk[4096];
	for (;;) {
		ssize_t got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return false;
		if (got == 0)
			return true;
		buf_append(text, chunk, (size_t)got);
	}
}

int conf_load_file(const char *path, conf_line_fn fn, void *ud, struct buf *errs)
{
	/* O_NONBLOCK: a FIFO where the file should be must not hang cqrs */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errs)
			buf_printf(errs, "%s:1: cannot open it: %s\n", path, strerror(errno));
		return -1;
	}
	struct buf text;
	struct stat st;
	int rc = -1;
	buf_init(&text);
	if (fstat(fd, &st) != 0) {
		if (errs)
			buf_printf(errs, "%s:1: %s\n", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		if (errs)
			buf_printf(errs, "%s:1: is a directory, not a file\n", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		if (errs)
			buf_printf(errs, "%s:1: is not a regular file\n", path);
		goto out;
	}
	if (!read_all(fd, &text)) {
		if (errs)
			buf_printf(errs, "%s:1: read error: %s\n", path, strerror(errno));
		goto out;
	}
	rc = conf_parse(text.data ? text.data : "", text.len, path, fn, ud, errs);
out:
	close(fd);
	buf_free(&text);
	return rc;
}

char *conf_system_path(const char *leaf)
{
	const char *dir = getenv("CQRS_SYSCONFDIR");
	if (!dir || !*dir)
		dir = CONF_SYSTEM_DIR;
	return xasprintf("%s/%s", dir, leaf);
}

int conf_load_layered(const char *leaf, const char *user_path, conf_line_fn fn, void *ud,
		      struct buf *errs)
{
	char *sys = conf_system_path(leaf);
	int rc = 0;
	conf_load_file(sys, fn, ud, errs);
	if (user_path && strcmp(user_path, sys) != 0)
		rc = conf_load_file(user_path, fn, ud, errs);
	free(sys);
	return rc;
}
