/* log.c: timestamped, levelled lines on standard error (see log.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/log.h"

static enum log_level threshold = LV_INFO;
static const char *const names[] = {"error", "warn", "info", "debug"};

void log_set_level(enum log_level lv)
{
	threshold = lv;
}

bool log_enabled(enum log_level lv)
{
	return lv <= threshold;
}

bool log_parse_level(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	return false;
}

void log_msg(enum log_level lv, const char *fmt, ...)
{
	if (!log_enabled(lv))
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* The date and time to the second, formatted once a second per
	 * thread (a line per request makes strftime a measurable cost). */
	static __thread time_t stamp_s = -1;
	static __thread char stamp[32];
	if (ts.tv_sec != stamp_s) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
		stamp_s = ts.tv_sec;
	}
	/* The whole line is formatted first and written with one call, so
	 * lines from the worker threads never interleave. */
	char line[2048];
	size_t n = strlen(stamp);
	memcpy(line, stamp, n);
	long ms = ts.tv_nsec / 1000000L;
	line[n++] = '.';
	line[n++] = (char)('0' + ms / 100);
	line[n++] = (char)('0' + ms / 10 % 10);
	line[n++] = (char)('0' + ms % 10);
	line[n++] = 'Z';
	line[n++] = ' ';
	size_t nl = strlen(names[lv]);
	memcpy(line + n, names[lv], nl);
	n += nl;
	line[n++] = ' ';
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n = n + (size_t)m < sizeof line - 1 ? n + (size_t)m : sizeof line - 2;
	while (n > 0 && line[n - 1] == '\n')
		n--;
	line[n++] = '\n';
	/* Straight to the descriptor: stderr is unbuffered anyway, and this
	 * skips stdio's lock. A short write (a full pipe) is finished. */
	for (size_t off = 0; off < n;) {
		ssize_t w = write(STDERR_FILENO, line + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}
