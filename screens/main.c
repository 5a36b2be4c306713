/* main.c: cqrs, the terminal client of CQRS National. main runs its
 * steps in order: read the command line, the config files and the keymaps
 * (system-wide under /etc/cqrs/, then the user's), choose the server
 * (starting the demo server if asked), open the token store (before
 * curses starts) and the API client, start curses, run the frame. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/api.h"
#include "client/creds.h"
#include "client/demo.h"
#include "client/report_cli.h"
#include "client/settings.h"
#include "keymaps/keymap.h"
#include "screens/frame.h"
#include "tui/tui.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("Usage: cqrs [--server URL [--ca-file FILE] | --demo] [--keymap default|vi]\n"
	      "            [--config FILE]\n"
	      "       cqrs [--server URL] report NAME [--param KEY=VALUE]... [--format csv|json]\n"
	      "       cqrs [--server URL] report --list\n"
	      "       cqrs --help | --version\n"
	      "\n"
	      "The terminal client of CQRS National.\n"
	      "  -s, --server URL   the cqrsd to use (else $CQRS_SERVER, else `server`\n"
	      "                     in $XDG_CONFIG_HOME/cqrs/config)\n"
	      "      --ca-file FILE PEM certificate(s) of the authority that signed an\n"
	      "                     https:// server's certificate, when it is not in the\n"
	      "                     system trust store (also `ca_file =` in the config)\n"
	      "  -d, --demo         start the bundled cqrsd with the demo database under\n"
	      "                     $XDG_STATE_HOME/cqrs/ and stop it on exit\n"
	      "  -k, --keymap NAME  default or vi (also `keymap =` in the config)\n"
	      "  -c, --config FILE  read this config file instead of yours (after\n"
	      "                     /etc/cqrs/config)\n"
	      "  -h, --help         show this help\n"
	      "  -V, --version      show the version\n"
	      "\n"
	      "Your key bindings: $XDG_CONFIG_HOME/cqrs/keymap; system-wide files:\n"
	      "/etc/cqrs/config and /etc/cqrs/keymap (read first). See cqrs(1).\n", f);
}

/* What the command line asked for (the strings are argv's). */
struct options {
	const char *server, *keymap, *config, *ca_file;
	bool demo;
	int rargc;                /* `cqrs report ...`: its arguments from "report" */
	char **rargv;
};

/* Everything main sets up, freed by run_free. */
struct run {
	struct cqrs_config cfg;
	struct buf errs;          /* config and keymap errors, "file:line: message\n" */
	struct demo_server ds;
	bool demo_running;
	struct api *api;
	struct creds *creds;
	struct keymap *km;
	char *server;
	char *token;              /* wiped before it is freed */
	char *saved_user;
};

/* Reads the command line into o. Returns -1 to go on, else the exit
 * status (--help, --version, or 2 for a bad command line or no
 * terminal). */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{"server", required_argument, NULL, 's'},
		{"demo", no_argument, NULL, 'd'},
		{"ca-file", required_argument, NULL, 'C'},
		{"keymap", required_argument, NULL, 'k'},
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "+s:dk:c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->server = optarg; break;
		case 'd': o->demo = true; break;
		case 'C': o->ca_file = optarg; break;
		case 'k': o->keymap = optarg; break;
		case 'c': o->config = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("cqrs %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "report") == 0) {
		o->rargc = argc - optind;
		o->rargv = argv + optind;
		if (o->demo) {
			fputs("cqrs: report needs --server (or CQRS_SERVER), not --demo\n", stderr);
			return 2;
		}
		return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "cqrs: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (o->demo && o->server) {
		fputs("cqrs: --demo and --server cannot be used together\n", stderr);
		return 2;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fputs("cqrs: needs a terminal\n", stderr);
		return 2;
	}
	return -1;
}

/* Reads the config files (the system-wide one, then the user's or
 * --config), applies --keymap, and builds the keymap: the built-in one,
 * then the system-wide and the user's keymap files. Bad lines are
 * collected in r->errs. False (said on stderr) if --config names a file
 * that cannot be read or --keymap is wrong. */
static bool load_settings(const struct options *o, struct run *r)
{
	char *path = o->config ? xstrdup(o->config)
			       : xdg_path("XDG_CONFIG_HOME", ".config", "config");
	int got = config_load(&r->cfg, path, &r->errs);
	free(path);
	if (got < 0 && o->config) {
		fputs(r->errs.data ? r->errs.data : "", stderr);
		return false;
	}
	if (o->keymap) {
		if (strcmp(o->keymap, "vi") == 0) {
			r->cfg.vi_keys = true;
		} else if (strcmp(o->keymap, "default") == 0) {
			r->cfg.vi_keys = false;
		} else {
			fprintf(stderr, "cqrs: --keymap: expected default or vi, not \"%s\"\n",
				o->keymap);
			return false;
		}
	}
	r->km = keymap_builtin(r->cfg.vi_keys);
	path = xdg_path("XDG_CONFIG_HOME", ".config", "keymap");
	keymap_load(r->km, path, &r->errs);
	free(path);
	return true;
}

/* Sets r->server: the demo server started now, else --server, else
 * $CQRS_SERVER, else the config's server. False (said on stderr) if there
 * is none, the demo does not start, or it is not an http(s) URL. */
static bool choose_server(const struct options *o, struct run *r)
{
	const char *env = getenv("CQRS_SERVER");
	if (o->demo) {
		char err[512];
		fputs("cqrs: starting the demo server...\n", stderr);
		if (!demo_start(&r->ds, err, sizeof(err))) {
			fprintf(stderr, "cqrs: --demo: %s\n", err);
			return false;
		}
		r->demo_running = true;
		r->server = xstrdup(r->ds.url);
	} else if (o->server) {
		r->server = xstrdup(o->server);
	} else if (env && *env) {
		r->server = xstrdup(env);
	} else if (r->cfg.server) {
		r->server = xstrdup(r->cfg.server);
	} else {
		fputs("cqrs: no server: use --server URL, set CQRS_SERVER, put `server = URL` in "
		      "the config file, or try `cqrs --demo`\n", stderr);
		return false;
	}
	if (!str_has_prefix(r->server, "http://") && !str_has_prefix(r->server, "https://")) {
		fprintf(stderr, "cqrs: \"%s\" is not an http:// or https:// URL\n", r->server);
		return false;
	}
	const char *ca = o->ca_file ? o->ca_file : r->cfg.ca_file;
	if (ca && !o->demo && access(ca, R_OK) != 0) {
		fprintf(stderr, "cqrs: the CA file %s cannot be read: %s\n", ca, strerror(errno));
		return false;
	}
	return true;
}

/* Opens the token store (the keyring probe runs before curses, with a
 * deadline) and the API client, with the saved token unless in the
 * demo. */
static void open_session(const struct options *o, struct run *r)
{
	r->creds = creds_open(r->cfg.token_file, 1500);
	r->api = api_new(r->server, r->cfg.connect_timeout, r->cfg.stall_timeout);
	if (!o->demo)
		api_set_ca_file(r->api, o->ca_file ? o->ca_file : r->cfg.ca_file);
	if (!o->demo) {
		r->token = creds_load(r->creds, r->server, &r->saved_user);
		if (r->token)
			api_set_token(r->api, r->token);
	}
}

/* The locale: the user's, but with a UTF-8 character set. When the
 * user's is not UTF-8 (over SSH LANG is often unset: POSIX), LC_CTYPE
 * becomes C.UTF-8 where the system has it; otherwise the screens are
 * drawn in ASCII ("GBP" for the pound sign, tui_ascii) and non-ASCII
 * keys are refused with a message (frame.c). */
static void choose_locale(void)
{
	setlocale(LC_ALL, "");
	if (tui_utf8())
		return;
	static const char *const utf8[] = {"C.UTF-8", "C.utf8", "en_GB.UTF-8", "en_US.UTF-8"};
	for (size_t i = 0; i < ARRAY_SIZE(utf8); i++)
		if (setlocale(LC_CTYPE, utf8[i]) && tui_utf8())
			return;
	setlocale(LC_CTYPE, "");
}

/* The Esc delay: $ESCDELAY (milliseconds, as for ncurses) wins over the
 * config's `escdelay`. cqrs decodes keys itself (tui/keys.h), so this is
 * its own wait after a lone Esc, not ncurses'. */
static void choose_escdelay(struct cqrs_config *cfg)
{
	const char *env = getenv("ESCDELAY");
	char *end;
	long v = env && *env ? strtol(env, &end, 10) : -1;
	if (env && *env && !*end && v >= 0 && v <= 2000)
		cfg->escdelay = (int)v;
}

/* Starts curses in raw, non-blocking mode with colours. False (said on
 * stderr) if the terminal cannot be used. */
static bool start_curses(const struct cqrs_config *cfg)
{
	if (!initscr()) {
		fputs("cqrs: cannot initialise the terminal\n", stderr);
		return false;
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	/* Keys are read through stdscr, whose first refresh would clear the
	 * whole screen; refresh it now, before anything is drawn, so that
	 * reading a key never wipes the frame. */
	refresh();
	const char *no_color = getenv("NO_COLOR");
	tui_styles_init(cfg->color && !(no_color && *no_color));
	return true;
}

/* The first config or keymap error, for the message line, with a count
 * of the others; NULL when there are none. Returns a new string. */
static char *first_error(const struct buf *errs)
{
	if (!errs->len)
		return NULL;
	size_t n = strcspn(errs->data, "\n");
	int more = -1;
	for (const char *p = errs->data; *p; p++)
		more += *p == '\n';
	return more > 0 ? xasprintf("%.*s (and %d more)", (int)n, errs->data, more)
			: xstrndup(errs->data, n);
}

/* For measurements (bench/): writes the HTTP traffic of the whole session
 * to $CQRS_HTTP_STATS, when set. */
static void write_http_stats(struct api *api)
{
	const char *stats = getenv("CQRS_HTTP_STATS");
	if (!stats || !*stats)
		return;
	FILE *sf = fopen(stats, "w");
	if (!sf)
		return;
	uint64_t in, outb;
	unsigned nreq;
	api_counters(api, &in, &outb, &nreq);
	fprintf(sf, "requests %u\nbytes_in %llu\nbytes_out %llu\n", nreq,
		(unsigned long long)in, (unsigned long long)outb);
	fclose(sf);
}

/* Runs the frame in the started curses until the user quits, then ends
 * curses. Returns the exit status. */
static int run_frame(const struct options *o, struct run *r)
{
	char *first = first_error(&r->errs);
	struct app_setup setup = {
		.cfg = &r->cfg, .api = r->api, .creds = r->creds, .km = r->km,
		.demo = o->demo, .server = r->server, .saved_user = r->saved_user,
		.message = first,
	};
	int rc = app_run(&setup);
	free(first);
	endwin();
	write_http_stats(r->api);
	return rc;
}

static void run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	config_defaults(&r->cfg);
	buf_init(&r->errs);
}

/* Stops the demo server if it was started and frees what r holds. */
static void run_free(struct run *r)
{
	if (r->demo_running)
		demo_stop(&r->ds);
	api_free(&r->api);
	creds_close(&r->creds);
	keymap_free(&r->km);
	config_free(&r->cfg);
	buf_free(&r->errs);
	if (r->token) {
		memset(r->token, 0, strlen(r->token));
		free(r->token);
	}
	free(r->saved_user);
	free(r->server);
}

int main(int argc, char **argv)
{
	struct options o = {0};
	struct run r;
	int rc;

	choose_locale();
	rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	run_init(&r);
	rc = 1;
	if (o.rargv) {
		/* `cqrs report`: no curses; a missing server is a usage error */
		rc = REPORT_EXIT_USAGE;
		if (load_settings(&o, &r) && choose_server(&o, &r)) {
			open_session(&o, &r);
			rc = report_cli(r.api, r.creds, r.server, r.saved_user, o.rargc, o.rargv);
		}
	} else if (load_settings(&o, &r) && choose_server(&o, &r)) {
		choose_escdelay(&r.cfg);
		open_session(&o, &r);
		if (start_curses(&r.cfg))
			rc = run_frame(&o, &r);
	}
	run_free(&r);
	return rc;
}
