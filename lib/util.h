/* util.h: allocation helpers that abort on out-of-memory, a growable
 * byte buffer, and small string and time helpers shared by cqrs and cqrsd. */
#ifndef CQRS_UTIL_H
#define CQRS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);
/* Frees *p and sets it to NULL. */
void xfree(void *pp);

/* A growable byte buffer, always NUL-terminated. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (who frees it) and leaves b empty. */
char *buf_steal(struct buf *b);

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy_s(char *dst, const char *src, size_t size);
bool str_has_prefix(const char *s, const char *prefix);
/* Case-insensitive substring search. */
bool str_icontains(const char *hay, const char *needle);

/* Seconds since the epoch (shifted by clock_set_offset), and a monotonic
 * clock in milliseconds. */
int64_t now_s(void);
/* Shifts now_s() by seconds: the demo server lives on its business date,
 * so that the times it records agree with the dates it judges by. */
void clock_set_offset(int64_t seconds);
/* The real time, never shifted: for sign-in tokens and lockouts, which
 * clients and people compare with their own clocks. */
int64_t wall_s(void);
int64_t mono_ms(void);

#endif
