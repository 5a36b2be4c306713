/* settings.c: the settings of the cqrs configuration file (read by the
 * one loader, lib/conffile.c) and XDG paths. */
#include "config.h"
#include "client/settings.h"
#include "conffile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void config_defaults(struct cqrs_config *c)
{
	*c = (struct cqrs_config){
		.server = NULL,
		.token_file = false,
		.escdelay = 25,
		.vi_keys = false,
		.color = true,
		.connect_timeout = 5,
		.stall_timeout = 6,
		.poll_seconds = 60,
		.page_rows = 50,
	};
}

void config_free(struct cqrs_config *c)
{
	xfree(&c->server);
	xfree(&c->ca_file);
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on")) {
		*out = true;
		return true;
	}
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
	    !strcasecmp(v, "off")) {
		*out = false;
		return true;
	}
	return false;
}

static bool parse_int(const char *v, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return false;
	*out = (int)n;
	return true;
}

static bool url_ok(const char *v)
{
	return (str_has_prefix(v, "http://") && v[7]) ||
	       (str_has_prefix(v, "https://") && v[8]);
}

/* Applies one line; false with why filled on error. */
static bool config_line(struct cqrs_config *c, char *line, char *why, size_t whylen)
{
	char *s = trim(line);
	if (!*s || *s == '#')
		return true;
	char *eq = strchr(s, '=');
	if (!eq) {
		snprintf(why, whylen, "expected \"key = value\"");
		return false;
	}
	*eq = '\0';
	char *key = trim(s), *val = trim(eq + 1);
	if (!*val) {
		snprintf(why, whylen, "%s: missing value", key);
		return false;
	}
	if (!strcmp(key, "server")) {
		if (!url_ok(val)) {
			snprintf(why, whylen, "server: \"%s\" is not an http:// or https:// URL", val);
			return false;
		}
		free(c->server);
		c->server = xstrdup(val);
	} else if (!strcmp(key, "ca_file")) {
		if (!*val) {
			snprintf(why, whylen, "ca_file: expected the path of a PEM file");
			return false;
		}
		free(c->ca_file);
		c->ca_file = xstrdup(val);
	} else if (!strcmp(key, "token_file")) {
		if (!parse_bool(val, &c->token_file)) {
			snprintf(why, whylen, "token_file: expected yes or no, not \"%s\"", val);
			return false;
		}
	} else if (!strcmp(key, "color") || !strcmp(key, "colour")) {
		if (!parse_bool(val, &c->color)) {
			snprintf(why, whylen, "%s: expected yes or no, not \"%s\"", key, val);
			return false;
		}
	} else if (!strcmp(key, "escdelay")) {
		if (!parse_int(val, 0, 2000, &c->escdelay)) {
			snprintf(why, whylen, "escdelay: expected milliseconds 0 to 2000, not \"%s\"", val);
			return false;
		}
	} else if (!strcmp(key, "connect_timeout")) {
		if (!parse_int(val, 1, 120, &c->connect_timeout)) {
			snprintf(why, whylen, "connect_timeout: expected seconds 1 to 120, not \"%s\"", val);
			return false;
		}
	} else if (!strcmp(key, "stall_timeout")) {
		if (!parse_int(val, 1, 600, &c->stall_timeout)) {
			snprintf(why, whylen, "stall_timeout: expected seconds 1 to 600, not \"%s\"", val);
			return false;
		}
	} else if (!strcmp(key, "poll_seconds")) {
		if (!parse_int(val, 5, 3600, &c->poll_seconds)) {
			snprintf(why, whylen, "poll_seconds: expected seconds 5 to 3600, not \"%s\"", val);
			return false;
		}
	} else if (!strcmp(key, "page_rows")) {
		if (!parse_int(val, 5, 500, &c->page_rows)) {
			snprintf(why, whylen, "page_rows: expected rows 5 to 500, not \"%s\"", val);
			return false;
		}
	} else if (!strcmp(key, "keymap")) {
		if (!strcmp(val, "vi")) {
			c->vi_keys = true;
		} else if (!strcmp(val, "default")) {
			c->vi_keys = false;
		} else {
			snprintf(why, whylen, "keymap: expected default or vi, not \"%s\"", val);
			return false;
		}
	} else {
		snprintf(why, whylen, "unknown setting \"%s\"", key);
		return false;
	}
	return true;
}

static bool config_line_fn(void *ud, char *line, char *why, size_t whylen)
{
	return config_line(ud, line, why, whylen);
}

int config_parse(struct cqrs_config *c, const char *text, const char *file, struct buf *errs)
{
	return conf_parse(text, strlen(text), file, config_line_fn, c, errs);
}

int config_load_file(struct cqrs_config *c, const char *path, struct buf *errs)
{
	return conf_load_file(path, config_line_fn, c, errs);
}

int config_load(struct cqrs_config *c, const char *user_path, struct buf *errs)
{
	return conf_load_layered("config", user_path, config_line_fn, c, errs);
}

char *xdg_path(const char *var, const char *fallback, const char *leaf)
{
	const char *base = getenv(var);
	if (base && base[0] == '/')
		return xasprintf("%s/cqrs/%s", base, leaf);
	const char *home = getenv("HOME");
	if (!home || !*home)
		return NULL;
	return xasprintf("%s/%s/cqrs/%s", home, fallback, leaf);
}

bool mkdir_p(const char *dir, unsigned mode)
{
	char *p = xstrdup(dir);
	bool ok = true;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
				ok = false;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	int saved = errno;
	free(p);
	errno = saved;
	return ok;
}
