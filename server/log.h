/* log.h: cqrsd's log: one line per event on standard error (journald
 * under systemd), "2025-04-10T09:30:00.123Z LEVEL text", filtered by the
 * level given with --log-level. */
#ifndef CQRS_SERVER_LOG_H
#define CQRS_SERVER_LOG_H

#include <stdbool.h>

enum log_level { LV_ERROR, LV_WARN, LV_INFO, LV_DEBUG };

/* Lines above this level are dropped (default LV_INFO). */
void log_set_level(enum log_level lv);
bool log_enabled(enum log_level lv);
/* "error", "warn", "info" or "debug"; false for anything else. */
bool log_parse_level(const char *name, enum log_level *out);
/* Writes one line (fmt without the newline) when lv is enabled. */
void log_msg(enum log_level lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
