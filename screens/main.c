/* main.c: cqrs, the terminal client of CQRS National. Reads the command
 * line, the config file and the keymaps, picks the token store (before
 * curses starts), starts the demo server if asked, then runs the frame. */
#include "config.h"

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
#include "client/settings.h"
#include "keymaps/keymap.h"
#include "screens/frame.h"
#include "tui/tui.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("Usage: cqrs [--server URL | --demo] [--keymap default|vi] [--config FILE]\n"
	      "       cqrs --help | --version\n"
	      "\n"
	      "The terminal client of CQRS National.\n"
	      "  -s, --server URL   the cqrsd to use (else $CQRS_SERVER, else `server`\n"
	      "                     in $XDG_CONFIG_HOME/cqrs/config)\n"
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"server", required_argument, NULL, 's'},
		{"demo", no_argument, NULL, 'd'},
		{"keymap", required_argument, NULL, 'k'},
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *opt_server = NULL, *opt_keymap = NULL, *opt_config = NULL;
	bool demo = false;
	int c, rc = 1;
	struct cqrs_config cfg;
	struct buf errs;
	struct demo_server ds;
	struct api *api = NULL;
	struct creds *creds = NULL;
	struct keymap *km = NULL;
	char *cfg_path = NULL, *km_path = NULL, *token = NULL, *saved_user = NULL;
	char *server = NULL;
	bool demo_running = false;

	setlocale(LC_ALL, "");
	config_defaults(&cfg);
	buf_init(&errs);
	memset(&ds, 0, sizeof(ds));

	while ((c = getopt_long(argc, argv, "s:dk:c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's': opt_server = optarg; break;
		case 'd': demo = true; break;
		case 'k': opt_keymap = optarg; break;
		case 'c': opt_config = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("cqrs %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cqrs: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (demo && opt_server) {
		fputs("cqrs: --demo and --server cannot be used together\n", stderr);
		return 2;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fputs("cqrs: needs a terminal\n", stderr);
		return 2;
	}

	cfg_path = opt_config ? xstrdup(opt_config)
			      : xdg_path("XDG_CONFIG_HOME", ".config", "config");
	/* the system-wide file first, then the user's, which wins */
	if (config_load(&cfg, cfg_path, &errs) < 0 && opt_config)
		goto bad_start;
	if (opt_keymap) {
		if (strcmp(opt_keymap, "vi") == 0) {
			cfg.vi_keys = true;
		} else if (strcmp(opt_keymap, "default") == 0) {
			cfg.vi_keys = false;
		} else {
			fprintf(stderr, "cqrs: --keymap: expected default or vi, not \"%s\"\n", opt_keymap);
			goto out;
		}
	}
	km = keymap_builtin(cfg.vi_keys);
	km_path = xdg_path("XDG_CONFIG_HOME", ".config", "keymap");
	keymap_load(km, km_path, &errs);

	if (demo) {
		char err[512];
		fputs("cqrs: starting the demo server...\n", stderr);
		if (!demo_start(&ds, err, sizeof(err))) {
			fprintf(stderr, "cqrs: --demo: %s\n", err);
			goto out;
		}
		demo_running = true;
		server = xstrdup(ds.url);
	} else if (opt_server) {
		server = xstrdup(opt_server);
	} else if (getenv("CQRS_SERVER") && *getenv("CQRS_SERVER")) {
		server = xstrdup(getenv("CQRS_SERVER"));
	} else if (cfg.server) {
		server = xstrdup(cfg.server);
	} else {
		fputs("cqrs: no server: use --server URL, set CQRS_SERVER, put `server = URL` in "
		      "the config file, or try `cqrs --demo`\n", stderr);
		goto out;
	}
	if (!str_has_prefix(server, "http://") && !str_has_prefix(server, "https://")) {
		fprintf(stderr, "cqrs: \"%s\" is not an http:// or https:// URL\n", server);
		goto out;
	}

	/* the keyring probe runs before curses, with a deadline */
	creds = creds_open(cfg.token_file, 1500);
	api = api_new(server, cfg.connect_timeout, cfg.stall_timeout);
	if (!demo) {
		token = creds_load(creds, server, &saved_user);
		if (token)
			api_set_token(api, token);
	}

	if (!getenv("ESCDELAY"))
		set_escdelay(cfg.escdelay);
	if (!initscr()) {
		fputs("cqrs: cannot initialise the terminal\n", stderr);
		goto out;
	}
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(cfg.escdelay);
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
	tui_styles_init(cfg.color && !(no_color && *no_color));

	/* the first keymap or config error is shown on the message line */
	char *first = NULL;
	if (errs.len) {
		size_t n = strcspn(errs.data, "\n");
		int more = -1;
		for (const char *p = errs.data; *p; p++)
			more += *p == '\n';
		first = more > 0 ? xasprintf("%.*s (and %d more)", (int)n, errs.data, more)
				 : xstrndup(errs.data, n);
	}
	struct app_setup setup = {
		.cfg = &cfg, .api = api, .creds = creds, .km = km, .demo = demo,
		.server = server, .saved_user = saved_user, .message = first,
	};
	rc = app_run(&setup);
	free(first);
	endwin();
	/* for measurements (bench/): HTTP traffic of the whole session */
	const char *stats = getenv("CQRS_HTTP_STATS");
	if (stats && *stats) {
		FILE *sf = fopen(stats, "w");
		if (sf) {
			uint64_t in, outb;
			unsigned nreq;
			api_counters(api, &in, &outb, &nreq);
			fprintf(sf, "requests %u\nbytes_in %llu\nbytes_out %llu\n", nreq,
				(unsigned long long)in, (unsigned long long)outb);
			fclose(sf);
		}
	}
	goto out;

bad_start:
	fputs(errs.data ? errs.data : "", stderr);
out:
	if (demo_running)
		demo_stop(&ds);
	api_free(&api);
	creds_close(&creds);
	keymap_free(&km);
	config_free(&cfg);
	buf_free(&errs);
	free(cfg_path);
	free(km_path);
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	free(saved_user);
	free(server);
	return rc;
}
