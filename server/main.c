/* main.c: the cqrsd command line: serve the API, seed the demo, or
 * generate a national-scale database. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/http/auth.h"
#include "server/http/clientaddr.h"
#include "server/http/http.h"
#include "server/log.h"
#include "dates.h"
#include "server/rules/lifecycle.h"
#include "server/rules/load.h"
#include "server/rules/recalc.h"
#include "server/mailer.h"
#include "server/store/store.h"

#define DEMO_BUSINESS_DATE "2025-04-10"

/* A database with a business date (the demo's) records times on that
 * date, at the time of day it really is. True (nothing to do otherwise). */
static bool business_clock(struct db *db)
{
	char bdate[16];
	struct ymd bd;
	if (store_setting_get(db, "business_date", bdate, sizeof bdate) && date_parse(bdate, &bd)) {
		struct tm tm = {.tm_year = bd.y - 1900, .tm_mon = bd.m - 1, .tm_mday = bd.d};
		int64_t day = (int64_t)timegm(&tm);
		clock_set_offset(0);
		int64_t now = now_s();
		clock_set_offset(day + now % 86400 - now);
	}
	return true;
}

/* How long a cqrsd --demo waits for another one seeding the database. */
#define DEMO_SEED_WAIT_MS 120000

/* Seeds the demo data into an empty database (store_tx: the caller's
 * one transaction). */
static enum st demo_seed_tx(struct db *db, void *arg)
{
	(void)arg;
	if (!store_is_empty(db))
		return ST_OK;
	fputs("cqrsd: creating the demo database\n", stderr);
	/* The demo lives on 10 April 2025: the 2024/25 year-end is being
	 * entered and declared, so every job aid has something to do. The
	 * date is set first, so that what the seed dates by "today"
	 * (demo.newuser's registration code: 14 days) uses it. */
	char from[11];
	date_add_days(DEMO_BUSINESS_DATE, -120, from);
	if (store_setting_set(db, "business_date", DEMO_BUSINESS_DATE) != ST_OK ||
	    store_seed_demo(db) != ST_OK || !business_clock(db) ||
	    recalc_all(db, false) != ST_OK ||
	    lifecycle_open_declarations(db, from, DEMO_BUSINESS_DATE) != ST_OK ||
	    store_demo_settle_times(db) != ST_OK)
		return ST_ERROR;
	return ST_OK;
}

static void usage(FILE *f)
{
	fputs("Usage: cqrsd [OPTION]...\n"
	      "       cqrsd generate-national --db DATABASE [--seed N]\n"
	      "       cqrsd load-extract --db DATABASE [--user USER_ID] FILE\n"
	      "Serve the CQRS National API over HTTP/JSON from a SQLite or PostgreSQL database.\n\n"
	      "  -l, --listen HOST:PORT     address to listen on (default 127.0.0.1:8080;\n"
	      "                             port 0 picks a free port)\n"
	      "  -d, --db DATABASE          the SQLite database file (created if missing), or\n"
	      "                             PostgreSQL: postgresql://USER@HOST/DB or\n"
	      "                             postgresql:KEY=VALUE... (libpq's forms)\n"
	      "      --demo                 seed the demo data when the database is empty\n"
	      "      --token-idle SECONDS   sign-in token idle timeout (default 1800)\n"
	      "      --token-lifetime SECONDS  absolute token lifetime (default 43200)\n"
	      "      --lockout-seconds SECONDS longest wait after failed sign-ins (default 900)\n"
	      "      --password-max-age DAYS  passwords expire DAYS after they are set (default\n"
	      "                             0: never); users are warned 14 days ahead\n"
	      "      --smtp-url URL         deliver the e-mail outbox to this SMTP relay\n"
	      "                             (e.g. smtp://127.0.0.1:25); without it e-mails\n"
	      "                             wait in the outbox\n"
	      "      --mail-from ADDRESS    the sender of e-mails (default cqrs-noreply@localhost)\n"
	      "      --tls-cert FILE        serve HTTPS only (TLS 1.2 and 1.3) with this PEM\n"
	      "                             certificate (chain)...\n"
	      "      --tls-key FILE         ...and this PEM private key\n"
	      "      --trusted-proxy ADDRESS[/BITS]  a proxy (HAProxy) in front: requests\n"
	      "                             from it are from the last address of\n"
	      "                             X-Forwarded-For that is not a trusted proxy\n"
	      "                             (repeatable; IPv4 or IPv6, CIDR allowed)\n"
	      "      --threads N            worker threads (default: one per core, at least\n"
	      "                             two, and twice that on PostgreSQL); set it when\n"
	      "                             several cqrsd share a machine's cores, or a\n"
	      "                             container has fewer cores than it shows\n"
	      "      --log-level LEVEL      error, warn, info (default: a line per request)\n"
	      "                             or debug\n"
	      "  -q, --quiet                no per-request log lines\n"
	      "  -h, --help                 show this help and exit\n"
	      "  -V, --version              show the version and exit\n\n"
	      "Once listening, cqrsd prints one line to standard output:\n"
	      "  cqrsd: listening on http://HOST:PORT   (https:// with --tls-cert)\n"
	      "and serves until SIGTERM or SIGINT. Log lines go to standard error:\n"
	      "  TIMESTAMP LEVEL text\n", f);
}

/* A whole number from lo to hi, nothing after it. */
static bool parse_range(const char *s, long lo, long hi, long *out)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_seconds(const char *s, int64_t *out)
{
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 1 || v > 10LL * 365 * 86400)
		return false;
	*out = v;
	return true;
}

/* Removes path and the -wal, -shm and -journal files SQLite keeps beside
 * it; true when at least one was there. */
static bool remove_db_files(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	bool any = false;
	for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
		char *f = xasprintf("%s%s", path, sfx[i]);
		any |= unlink(f) == 0;
		free(f);
	}
	return any;
}

/* fsync of a file, or of the directory that holds path (dir true). */
static bool sync_path(const char *path, bool dir)
{
	char *p = xstrdup(path);
	if (dir) {
		char *slash = strrchr(p, '/');
		if (!slash)
			strcpy(p, ".");
		else if (slash == p)
			p[1] = '\0';
		else
			*slash = '\0';
	}
	int fd = open(p, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	bool ok = fd >= 0 && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	free(p);
	return ok;
}

/* Builds the national database in PATH.partial beside PATH and renames it
 * into place only once complete and on disk: a kill part-way leaves no
 * PATH (or the one that was there), never half a database. A .partial
 * left by a killed run is removed first, with a message. */
static int generate_national(int argc, char **argv)
{
	const char *db_path = NULL;
	unsigned seed = 2025;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db_path = argv[++i];
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = (unsigned)strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "cqrsd generate-national: unexpected argument %s\n", argv[i]);
			return 2;
		}
	}
	if (!db_path) {
		fputs("cqrsd generate-national: --db PATH is required\n", stderr);
		return 2;
	}
	char err[256];
	if (store_names_postgresql(db_path)) {
		/* PostgreSQL: built in one transaction in the database itself,
		 * which must hold nothing yet; a failure leaves it empty. */
		struct store *s = store_open(db_path, err, sizeof err);
		if (!s) {
			fprintf(stderr, "cqrsd: %s\n", err);
			return 1;
		}
		enum st st = store_generate_national(store_db(s), seed);
		store_close(&s);
		if (st != ST_OK)
			fputs("cqrsd generate-national: failed; the database is unchanged\n", stderr);
		return st == ST_OK ? 0 : 1;
	}
	struct stat sb;
	if (stat(db_path, &sb) == 0) {
		/* An existing database is replaced only when it holds nothing. */
		struct store *s = store_open(db_path, err, sizeof err);
		if (!s) {
			fprintf(stderr, "cqrsd: %s\n", err);
			return 1;
		}
		bool empty = store_is_empty(store_db(s));
		store_close(&s);
		if (!empty) {
			fprintf(stderr, "cqrsd generate-national: %s is not empty\n", db_path);
			return 1;
		}
	}
	char *part = xasprintf("%s.partial", db_path);
	if (remove_db_files(part))
		fprintf(stderr, "cqrsd generate-national: removed %s, left by an interrupted run\n",
			part);
	struct store *s = store_open(part, err, sizeof err);
	if (!s) {
		fprintf(stderr, "cqrsd: %s\n", err);
		free(part);
		return 1;
	}
	enum st st = store_generate_national(store_db(s), seed);
	store_close(&s); /* checkpoints the WAL into the file and removes it */
	bool ok = st == ST_OK && sync_path(part, false);
	if (ok) {
		/* Stale -wal/-shm of the old (empty) file must not meet the new one. */
		char *f = xasprintf("%s-wal", db_path);
		unlink(f);
		free(f);
		f = xasprintf("%s-shm", db_path);
		unlink(f);
		free(f);
		ok = rename(part, db_path) == 0;
		if (!ok)
			fprintf(stderr, "cqrsd generate-national: cannot rename %s to %s: %s\n", part,
				db_path, strerror(errno));
		else
			sync_path(db_path, true);
	}
	if (!ok) {
		remove_db_files(part);
		fprintf(stderr, "cqrsd generate-national: failed; %s is unchanged\n", db_path);
	}
	free(part);
	return ok ? 0 : 1;
}

/* A progress bar on a terminal, a line now and then otherwise. */
static void show_progress(void *ctx, const char *phase, size_t done, size_t total)
{
	static const char *last_phase;
	static int last_pct = -1;
	bool tty = *(bool *)ctx;
	int pct = total ? (int)(done * 100 / total) : 100;
	if (phase == last_phase && pct == last_pct)
		return;
	if (tty) {
		char bar[41];
		int fill = pct * 40 / 100;
		for (int i = 0; i < 40; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[40] = '\0';
		fprintf(stderr, "\r%-14s [%s] %3d%%", phase, bar, pct);
		if (pct == 100)
			fputc('\n', stderr);
	} else if (pct % 25 == 0 && (phase != last_phase || pct != last_pct)) {
		static int64_t t0;
		if (!t0)
			t0 = mono_ms();
		fprintf(stderr, "%s: %d%% (%.1f s)\n", phase, pct, (double)(mono_ms() - t0) / 1000.0);
	}
	last_phase = phase;
	last_pct = pct;
}

static int load_extract_cmd(int argc, char **argv)
{
	const char *db_path = NULL, *file = NULL, *user = "extract.loader";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db_path = argv[++i];
		else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else if (!file && strcmp(argv[i], "-") == 0)
			file = argv[i];
		else {
			fprintf(stderr, "cqrsd load-extract: unexpected argument %s\n", argv[i]);
			return 2;
		}
	}
	if (!db_path || !file) {
		fputs("usage: cqrsd load-extract --db PATH [--user USER_ID] FILE\n", stderr);
		return 2;
	}
	char err[256];
	struct store *s = store_open(db_path, err, sizeof err);
	if (!s) {
		fprintf(stderr, "cqrsd: %s\n", err);
		return 1;
	}
	struct db *db = store_db(s);
	struct user_rec u;
	if (store_user_by_login(db, user, &u) != ST_OK) {
		fprintf(stderr, "cqrsd load-extract: no user %s to record the load as\n", user);
		store_close(&s);
		return 1;
	}
	bool tty = isatty(2);
	struct load_summary sum;
	json_t *errors = NULL, *refused = NULL;
	const char *label = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	enum st st = load_extract(db, NULL, 0, file, label, u.id, &sum, &errors, &refused,
				  show_progress, &tty);
	int rc = 0;
	if (st == ST_INVALID) {
		if (tty)
			fputc('\n', stderr);
		size_t i;
		json_t *e;
		json_array_foreach(errors, i, e)
			fprintf(stderr, "%s: %s\n", file, json_string_value(json_object_get(e, "message")));
		fprintf(stderr, "cqrsd load-extract: %s was not loaded; nothing changed\n", file);
		rc = 1;
	} else if (st != ST_OK) {
		fprintf(stderr, "cqrsd load-extract: loading %s failed; nothing changed\n", file);
		rc = 1;
	} else {
		if (tty && refused)
			fputc('\n', stderr);
		size_t i;
		json_t *e;
		json_array_foreach(refused, i, e)
			fprintf(stderr, "%s: %s\n", file, json_string_value(json_object_get(e, "message")));
		printf("loaded %s: %zu lines, %zu practices, %zu values (%zu changed), %zu achievements"
		       " (%zu changed), %zu recalculated, %zu tick-box defaults, %zu refused,"
		       " %.1f s\n", label, sum.lines, sum.practices, sum.values, sum.values_changed,
		       sum.achievements, sum.achievements_changed, sum.recalculated, sum.defaults_set,
		       sum.refused, (double)sum.ms / 1000.0);
		if (sum.refused)
			rc = 2; /* loaded, but not every line */
	}
	json_decref(errors);
	json_decref(refused);
	store_close(&s);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "generate-national") == 0)
		return auth_init() ? generate_national(argc - 1, argv + 1) : 1;
	if (argc > 1 && strcmp(argv[1], "load-extract") == 0)
		return auth_init() ? load_extract_cmd(argc - 1, argv + 1) : 1;

	enum { OPT_DEMO = 256, OPT_IDLE, OPT_LIFETIME, OPT_LOCKOUT, OPT_SMTP, OPT_FROM,
	       OPT_TLS_CERT, OPT_TLS_KEY, OPT_LOG_LEVEL, OPT_PW_AGE, OPT_TRUSTED_PROXY, OPT_THREADS };
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"db", required_argument, NULL, 'd'},
		{"demo", no_argument, NULL, OPT_DEMO},
		{"token-idle", required_argument, NULL, OPT_IDLE},
		{"token-lifetime", required_argument, NULL, OPT_LIFETIME},
		{"lockout-seconds", required_argument, NULL, OPT_LOCKOUT},
		{"password-max-age", required_argument, NULL, OPT_PW_AGE},
		{"smtp-url", required_argument, NULL, OPT_SMTP},
		{"mail-from", required_argument, NULL, OPT_FROM},
		{"tls-cert", required_argument, NULL, OPT_TLS_CERT},
		{"tls-key", required_argument, NULL, OPT_TLS_KEY},
		{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
		{"trusted-proxy", required_argument, NULL, OPT_TRUSTED_PROXY},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *listen = "127.0.0.1:8080", *db_path = NULL;
	const char *smtp_url = NULL, *mail_from = "cqrs-noreply@localhost";
	bool demo = false;
	struct server srv;
	memset(&srv, 0, sizeof srv);
	srv.cfg.token_idle = 1800;
	srv.cfg.token_lifetime = 12 * 3600;
	srv.cfg.lockout_seconds = 900;
	srv.cfg.max_failures = 5;
	srv.cfg.body_limit = 64 * 1024;
	struct net trusted[32];
	int c;
	while ((c = getopt_long(argc, argv, "l:d:qhV", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 'd': db_path = optarg; break;
		case OPT_DEMO: demo = true; break;
		case 'q': srv.cfg.quiet = true; break;
		case OPT_SMTP: smtp_url = optarg; break;
		case OPT_PW_AGE: {
			long v;
			if (!parse_range(optarg, 0, 3650, &v)) {
				fprintf(stderr, "cqrsd: --password-max-age wants a number of days from 0"
					" (never) to 3650, not %s\n", optarg);
				return 2;
			}
			srv.cfg.password_max_age = (int)v;
			break;
		}
		case OPT_FROM: mail_from = optarg; break;
		case OPT_THREADS: {
			long v;
			if (!parse_range(optarg, 1, 256, &v)) {
				fprintf(stderr, "cqrsd: --threads wants a number of worker threads from 1"
					" to 256, not %s\n", optarg);
				return 2;
			}
			srv.cfg.threads = (unsigned)v;
			break;
		}
		case OPT_TRUSTED_PROXY:
			if (srv.cfg.n_trusted == sizeof trusted / sizeof *trusted) {
				fprintf(stderr, "cqrsd: at most %zu --trusted-proxy options\n",
					sizeof trusted / sizeof *trusted);
				return 2;
			}
			if (!net_parse(optarg, &trusted[srv.cfg.n_trusted])) {
				fprintf(stderr, "cqrsd: --trusted-proxy wants an IPv4 or IPv6 address,"
					" optionally /BITS, not %s\n", optarg);
				return 2;
			}
			srv.cfg.trusted = trusted;
			srv.cfg.n_trusted++;
			break;
		case OPT_TLS_CERT: srv.cfg.tls_cert = optarg; break;
		case OPT_TLS_KEY: srv.cfg.tls_key = optarg; break;
		case OPT_LOG_LEVEL: {
			enum log_level lv;
			if (!log_parse_level(optarg, &lv)) {
				fprintf(stderr, "cqrsd: --log-level wants error, warn, info or debug, "
					"not %s\n", optarg);
				return 2;
			}
			log_set_level(lv);
			break;
		}
		case OPT_IDLE:
		case OPT_LIFETIME:
		case OPT_LOCKOUT: {
			int64_t *dst = c == OPT_IDLE ? &srv.cfg.token_idle :
				       c == OPT_LIFETIME ? &srv.cfg.token_lifetime :
				       &srv.cfg.lockout_seconds;
			if (!parse_seconds(optarg, dst)) {
				fprintf(stderr, "cqrsd: %s must be a number of seconds\n", optarg);
				return 2;
			}
			break;
		}
		case 'h': usage(stdout); return 0;
		case 'V': printf("cqrsd %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cqrsd: unexpected argument %s\n", argv[optind]);
		return 2;
	}
	if (!db_path) {
		fputs("cqrsd: --db PATH is required (see --help)\n", stderr);
		return 2;
	}
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end = NULL;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || (size_t)(colon - listen) >= sizeof host || !*(colon + 1) || *end ||
	    port < 0 || port > 65535) {
		fprintf(stderr, "cqrsd: --listen wants HOST:PORT, not %s\n", listen);
		return 2;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	bool tls = srv.cfg.tls_cert || srv.cfg.tls_key;
	if (tls && !(srv.cfg.tls_cert && srv.cfg.tls_key)) {
		fputs("cqrsd: HTTPS needs both --tls-cert FILE and --tls-key FILE\n", stderr);
		return 2;
	}
	if (tls && !http_tls_supported()) {
		fputs("cqrsd: this cqrsd cannot serve HTTPS: its libmicrohttpd was built without "
		      "TLS (GnuTLS) support\n", stderr);
		return 1;
	}
	if (!tls && !http_host_is_loopback(host))
		log_msg(LV_WARN, "listening on %s without TLS: passwords and sign-in tokens will "
			"cross the network in clear text; give --tls-cert and --tls-key, or listen "
			"on 127.0.0.1 behind a TLS proxy", host);
	if (!auth_init()) {
		fputs("cqrsd: libsodium failed to initialise\n", stderr);
		return 1;
	}
	/* Signals are taken synchronously below; block them in every thread. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	char err[256];
	srv.store = store_open(db_path, err, sizeof err);
	if (!srv.store) {
		fprintf(stderr, "cqrsd: %s\n", err);
		return 1;
	}
	struct db *db = store_db(srv.store);
	if (demo) {
		/* One transaction: a seed is whole or absent, and of several
		 * cqrsd started at once on one database one seeds while the
		 * others wait for the writers' lock, then find it seeded. */
		enum st r;
		int64_t until = mono_ms() + DEMO_SEED_WAIT_MS;
		while ((r = store_tx(db, true, demo_seed_tx, NULL)) == ST_BUSY && mono_ms() < until)
			usleep(200 * 1000);
		if (r != ST_OK) {
			fputs("cqrsd: seeding the demo data failed\n", stderr);
			store_close(&srv.store);
			return 1;
		}
	}
	business_clock(db);
	int bound = 0;
	if (!http_start(&srv, host, (int)port, &bound, err, sizeof err)) {
		fprintf(stderr, "cqrsd: %s\n", err);
		store_close(&srv.store);
		return 1;
	}
	mailer_password_max_age(srv.cfg.password_max_age);
	if (smtp_url && !mailer_start(srv.store, smtp_url, mail_from)) {
		fputs("cqrsd: cannot start the mail delivery thread\n", stderr);
		http_stop(&srv);
		store_close(&srv.store);
		return 1;
	}
	printf("cqrsd: listening on %s://%s:%d\n", tls ? "https" : "http", host, bound);
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	log_msg(LV_INFO, "stopping (signal %d)", sig);
	http_stop(&srv);
	mailer_stop();
	store_close(&srv.store);
	return 0;
}
