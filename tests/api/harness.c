/* harness.c: the API tests' support library: runs a real cqrsd on a free
 * loopback port with a temporary database (SQLite, or PostgreSQL under
 * CQRS_TEST_PG), reads that database from a second connection, talks HTTP
 * to it through
 * libcurl or a raw socket, and prints TAP. See harness.h. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <curl/curl.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <zlib.h>

#include "harness.h"

/* ------------------------------------------------------------ TAP */

static int tap_n;        /* cases run */
static int tap_nfail;    /* cases failed */
static int tap_planned;  /* plan given up front, or 0 */

void tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

/* Formats a case name into one line (newlines would break TAP). */
static char *case_name(const char *fmt, va_list ap)
{
	char *name = xvasprintf(fmt, ap);
	for (char *p = name; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '#')
			*p = ' ';
	return name;
}

bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *name = case_name(fmt, ap);
	va_end(ap);
	tap_n++;
	if (!cond)
		tap_nfail++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	fflush(stdout);
	free(name);
	return cond;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *name = case_name(fmt, ap);
	va_end(ap);
	tap_n++;
	printf("ok %d - %s # SKIP %s\n", tap_n, name, reason);
	fflush(stdout);
	free(name);
}

static void diag_text(const char *text)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		printf("# %.*s\n", (int)n, p);
		p += n;
		if (*p == '\n')
			p++;
	}
	fflush(stdout);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	diag_text(text);
	free(text);
}

static void stop_all_servers(void);

void tap_bail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = case_name(fmt, ap);
	va_end(ap);
	printf("Bail out! %s\n", text);
	fflush(stdout);
	free(text);
	stop_all_servers();
	exit(1);
}

int tap_failed(void)
{
	return tap_nfail;
}

int tap_done(void)
{
	if (!tap_planned)
		printf("1..%d\n", tap_n);
	else if (tap_planned != tap_n)
		printf("# planned %d cases but ran %d\n", tap_planned, tap_n);
	fflush(stdout);
	return tap_nfail || (tap_planned && tap_planned != tap_n) ? 1 : 0;
}

/* ------------------------------------------------------------ servers */

/* Servers still running, so that a timeout or an early exit stops them. */
static struct server *live[8];

static void live_add(struct server *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(live); i++)
		if (!live[i]) {
			live[i] = s;
			return;
		}
}

static void live_remove(struct server *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(live); i++)
		if (live[i] == s)
			live[i] = NULL;
}

/* Removes dir and the plain files in it (the database, its WAL and the
 * log); not recursive on purpose. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char *p = xasprintf("%s/%s", dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* ------------------------------------------------------------ PostgreSQL */

const char *harness_pg(void)
{
	const char *base = getenv("CQRS_TEST_PG");
	return base && *base ? base : NULL;
}

/* A libpq connection to database dbname of the CQRS_TEST_PG cluster (never
 * waiting more than 10 s to connect, 5 s for a lock), or NULL with a
 * diagnostic. */
static PGconn *pg_connect(const char *dbname)
{
	char *info = xasprintf("%s dbname=%s connect_timeout=10 options='-c lock_timeout=5000'",
			       harness_pg(), dbname);
	PGconn *c = PQconnectdb(info);
	if (PQstatus(c) != CONNECTION_OK) {
		tap_diag("PostgreSQL: cannot connect with \"%s\": %s", info, PQerrorMessage(c));
		PQfinish(c);
		c = NULL;
	}
	free(info);
	return c;
}

/* Runs one command on the cluster's postgres database; false with a
 * diagnostic when it fails. */
static bool pg_admin(const char *sql)
{
	PGconn *c = pg_connect("postgres");
	if (!c)
		return false;
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		tap_diag("PostgreSQL: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok;
}

/* Makes a new database for s (a name no other start of this program or
 * any other uses) and sets s->pg_db and s->db_arg. */
static bool pg_create_db(struct server *s)
{
	static unsigned made;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char *name = xasprintf("cqrs_t_%ld_%u_%lld", (long)getpid(), ++made,
			       (long long)now.tv_sec % 1000000);
	char *sql = xasprintf("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'"
			      " LC_COLLATE 'C' LC_CTYPE 'C'", name);
	bool ok = pg_admin(sql);
	free(sql);
	if (!ok) {
		free(name);
		return false;
	}
	s->pg_db = name;
	s->db_arg = xasprintf("postgresql:%s dbname=%s", harness_pg(), name);
	return true;
}

/* Drops s's database (its server is stopped; WITH (FORCE) ends any
 * connection a killed server left behind). */
static void pg_drop_db(struct server *s)
{
	char *sql = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", s->pg_db);
	pg_admin(sql);
	free(sql);
}

static void server_clear(struct server *s)
{
	if (s->out_fd >= 0)
		close(s->out_fd);
	s->out_fd = -1;
	if (s->dir)
		remove_dir(s->dir);
	if (s->pg_db)
		pg_drop_db(s);
	xfree(&s->dir);
	xfree(&s->db);
	xfree(&s->pg_db);
	xfree(&s->db_arg);
	xfree(&s->log);
	xfree(&s->ca);
	s->pid = 0;
	s->port = 0;
}

static void stop_all_servers(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(live); i++)
		if (live[i])
			server_stop(live[i], 5, false);
}

/* SIGALRM: async-signal-safe only; kill the servers and bail out. The
 * temporary directories are removed with unlink/rmdir on known names. */
static void on_alarm(int sig)
{
	static const char msg[] = "Bail out! the test ran out of time\n";
	static const char *const files[] = { "t.db", "t.db-wal", "t.db-shm", "server.log",
					     "ca.key", "ca.pem", "ca.srl", "server.csr",
					     "server.key", "server.pem", "ext.cnf",
					     "other-ca.key", "other-ca.pem", "openssl.log" };
	(void)sig;
	for (size_t i = 0; i < ARRAY_SIZE(live); i++) {
		struct server *s = live[i];
		if (!s)
			continue;
		if (s->pid > 0) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, NULL, 0);
		}
		if (s->dir) {
			char p[4096];
			size_t dl = strlen(s->dir);
			for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
				size_t fl = strlen(files[f]);
				if (dl + 1 + fl + 1 > sizeof p)
					continue;
				memcpy(p, s->dir, dl);
				p[dl] = '/';
				memcpy(p + dl + 1, files[f], fl + 1);
				unlink(p);
			}
			rmdir(s->dir);
		}
	}
	if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0) {
		/* nothing more can be done */
	}
	_exit(1);
}

void harness_timeout(unsigned seconds)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm(seconds);
}

char *server_log(const struct server *s)
{
	return harness_read_file(s->log);
}

char *harness_read_file(const char *path)
{
	struct buf b;
	buf_init(&b);
	FILE *f = path ? fopen(path, "r") : NULL;
	if (f) {
		char chunk[4096];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_append(&b, chunk, n);
		fclose(f);
	}
	return buf_steal(&b);
}

static const char LISTEN_PREFIX[] = "cqrsd: listening on http://127.0.0.1:";
static const char LISTEN_PREFIX_TLS[] = "cqrsd: listening on https://127.0.0.1:";

char *run_capture(const char *cmd, int *status)
{
	fflush(stdout);
	FILE *p = popen(cmd, "r");
	struct buf b;
	buf_init(&b);
	char chunk[512];
	size_t n;
	while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_append(&b, chunk, n);
	int st = p ? pclose(p) : -1;
	if (status)
		*status = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	char *out = buf_steal(&b);
	return out ? out : xstrdup("");
}

bool harness_have_openssl(void)
{
	return system("openssl version >/dev/null 2>&1") == 0;
}

/* Makes a test CA, a server certificate for 127.0.0.1 and localhost that
 * it signs (P-256 keys: quick to make), and a second CA that signed
 * nothing, in dir. */
static bool make_certs(const char *dir)
{
	char *cmd = xasprintf(
		"cd '%s' && exec >openssl.log 2>&1 && "
		"printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n"
		"extendedKeyUsage=serverAuth\\n' >ext.cnf && "
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		"-keyout ca.key -out ca.pem -days 2 -subj '/CN=cqrs test CA' && "
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		"-keyout other-ca.key -out other-ca.pem -days 2 -subj '/CN=cqrs other CA' && "
		"openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		"-keyout server.key -out server.csr -subj '/CN=127.0.0.1' && "
		"openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
		"-days 2 -out server.pem -extfile ext.cnf", dir);
	int rc = system(cmd);
	free(cmd);
	if (rc != 0) {
		char *p = xasprintf("%s/openssl.log", dir);
		FILE *f = fopen(p, "r");
		char line[512];
		while (f && fgets(line, sizeof line, f))
			tap_diag("openssl: %s", line);
		if (f)
			fclose(f);
		free(p);
		tap_diag("could not make the test certificates with openssl (exit %d)", rc);
		return false;
	}
	return true;
}

static bool start(struct server *s, const char *const *extra_args, int timeout_s, bool tls);

bool server_start(struct server *s, const char *const *extra_args, int timeout_s)
{
	const char *e = getenv("CQRS_TEST_TLS");
	return start(s, extra_args, timeout_s, e && strcmp(e, "1") == 0);
}

bool server_start_tls(struct server *s, const char *const *extra_args, int timeout_s)
{
	return start(s, extra_args, timeout_s, true);
}

static bool start(struct server *s, const char *const *extra_args, int timeout_s, bool tls)
{
	const char *bin = getenv("CQRSD");
	int pipefd[2] = { -1, -1 };
	int logfd = -1;
	char **argv = NULL;
	struct buf out;
	bool ok = false;

	memset(s, 0, sizeof *s);
	s->out_fd = -1;
	buf_init(&out);
	if (!bin || !*bin) {
		tap_diag("CQRSD is not set: it must name the cqrsd binary to test");
		goto out;
	}
	s->dir = harness_mkdtemp("cqrs-api");
	if (!s->dir)
		goto out;
	s->log = xasprintf("%s/server.log", s->dir);
	if (harness_pg()) {
		if (!pg_create_db(s))
			goto out;
	} else {
		s->db = xasprintf("%s/t.db", s->dir);
		s->db_arg = xstrdup(s->db);
	}

	size_t nextra = 0;
	while (extra_args && extra_args[nextra])
		nextra++;
	if (tls) {
		if (!make_certs(s->dir))
			goto out;
		s->ca = xasprintf("%s/ca.pem", s->dir);
	}
	argv = xcalloc(nextra + 11, sizeof *argv);
	size_t a = 0;
	argv[a++] = xstrdup(bin);
	argv[a++] = xstrdup("--listen");
	argv[a++] = xstrdup("127.0.0.1:0");
	argv[a++] = xstrdup("--db");
	argv[a++] = xstrdup(s->db_arg);
	argv[a++] = xstrdup("--demo");
	if (tls) {
		argv[a++] = xstrdup("--tls-cert");
		argv[a++] = xasprintf("%s/server.pem", s->dir);
		argv[a++] = xstrdup("--tls-key");
		argv[a++] = xasprintf("%s/server.key", s->dir);
	}
	for (size_t i = 0; i < nextra; i++)
		argv[a++] = xstrdup(extra_args[i]);
	argv[a] = NULL;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		tap_diag("pipe: %s", strerror(errno));
		goto out;
	}
	logfd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd < 0) {
		tap_diag("open %s: %s", s->log, strerror(errno));
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		tap_diag("fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		signal(SIGPIPE, SIG_DFL);
		execv(bin, argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	s->pid = pid;
	live_add(s);
	close(pipefd[1]);
	pipefd[1] = -1;
	s->out_fd = pipefd[0];
	pipefd[0] = -1;

	/* Read stdout until the first line or the deadline. */
	int64_t deadline = mono_ms() + (int64_t)timeout_s * 1000;
	while (out.len == 0 || !memchr(out.data, '\n', out.len)) {
		int64_t left = deadline - mono_ms();
		if (left <= 0) {
			tap_diag("cqrsd did not report its port within %d s", timeout_s);
			goto out;
		}
		struct pollfd p = { .fd = s->out_fd, .events = POLLIN };
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		char chunk[512];
		ssize_t n = read(s->out_fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			tap_diag("cqrsd closed its stdout before reporting its port");
			goto out;
		}
		buf_append(&out, chunk, (size_t)n);
	}
	char *nl = memchr(out.data, '\n', out.len);
	*nl = '\0';
	const char *prefix = tls ? LISTEN_PREFIX_TLS : LISTEN_PREFIX;
	if (!str_has_prefix(out.data, prefix)) {
		tap_diag("unexpected first line from cqrsd: \"%s\"", out.data);
		goto out;
	}
	const char *ps = out.data + strlen(prefix);
	char *end;
	long port = strtol(ps, &end, 10);
	if (end == ps || *end != '\0' || port <= 0 || port > 65535) {
		tap_diag("bad port in cqrsd's line: \"%s\"", out.data);
		goto out;
	}
	s->port = (int)port;
	snprintf(s->base, sizeof s->base, "%s://127.0.0.1:%d", tls ? "https" : "http", s->port);
	ok = true;
out:
	if (!ok && s->pid > 0) {
		server_stop(s, 5, true);
	} else if (!ok) {
		server_clear(s);
	}
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (logfd >= 0)
		close(logfd);
	if (argv) {
		for (size_t i = 0; argv[i]; i++)
			free(argv[i]);
		free(argv);
	}
	buf_free(&out);
	return ok;
}

int server_stop(struct server *s, int timeout_s, bool dump_log)
{
	int status = -1;
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		int64_t deadline = mono_ms() + (int64_t)timeout_s * 1000;
		for (;;) {
			pid_t r = waitpid(s->pid, &status, WNOHANG);
			if (r == s->pid)
				break;
			if (r < 0 && errno != EINTR) {
				status = -1;
				break;
			}
			if (mono_ms() > deadline) {
				tap_diag("cqrsd (pid %d) did not stop within %d s of SIGTERM; killing it",
					 (int)s->pid, timeout_s);
				kill(s->pid, SIGKILL);
				waitpid(s->pid, NULL, 0);
				status = -1;
				break;
			}
			struct timespec ts = { 0, 20 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	if (dump_log) {
		char *log = server_log(s);
		if (*log) {
			tap_diag("--- cqrsd stderr ---");
			diag_text(log);
			tap_diag("--- end of cqrsd stderr ---");
		}
		free(log);
	}
	live_remove(s);
	server_clear(s);
	return status;
}

/* ------------------------------------------------------------ HTTP */

static CURL *curl;
static int requests_answered;

static size_t on_body(char *p, size_t size, size_t n, void *userdata)
{
	buf_append(userdata, p, size * n);
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *userdata)
{
	struct buf *b = userdata;
	/* A new status line (after 100 Continue) starts a new header block. */
	if (size * n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		buf_reset(b);
	buf_append(b, p, size * n);
	return size * n;
}

static void http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->headers);
	buf_init(&r->body);
}

void http_resp_free(struct http_resp *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
	if (r->json)
		json_decref(r->json);
	r->json = NULL;
}

void http_do(const struct server *s, const struct http_req *q, struct http_resp *r)
{
	struct curl_slist *hdrs = NULL;
	char *url = NULL;
	char *auth = NULL;
	char *ctype = NULL;
	const char *method = q->method ? q->method : "GET";

	http_resp_init(r);
	if (!curl) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl = curl_easy_init();
		if (!curl)
			tap_bail("curl_easy_init failed");
	}
	curl_easy_reset(curl);
	url = xasprintf("%s%s", s->base, q->path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, q->timeout_ms > 0 ? q->timeout_ms : 10000L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r->headers);
	if (s->ca)
		curl_easy_setopt(curl, CURLOPT_CAINFO, s->ca);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (q->body) {
		size_t len = q->body_len ? q->body_len : strlen(q->body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, q->body);
		if (strcmp(method, "GET") == 0)
			curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "GET");
		ctype = xasprintf("Content-Type: %s",
				  q->content_type ? q->content_type : "application/json");
		hdrs = curl_slist_append(hdrs, ctype);
	}
	/* The whole body is sent at once; the 100-continue path is tested with
	 * raw_exchange. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (q->token) {
		auth = xasprintf("Authorization: Bearer %s", q->token);
		hdrs = curl_slist_append(hdrs, auth);
	}
	for (size_t i = 0; q->headers && q->headers[i]; i++)
		hdrs = curl_slist_append(hdrs, q->headers[i]);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);

	CURLcode rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		snprintf(r->error, sizeof r->error, "%s %s: %s", method, q->path,
			 curl_easy_strerror(rc));
		r->status = 0;
	} else {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
		requests_answered++;
	}
	curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &r->seconds);
	if (r->body.len > 0)
		r->json = json_loadb(r->body.data, r->body.len, 0, NULL);
	curl_slist_free_all(hdrs);
	free(url);
	free(auth);
	free(ctype);
}

void http_get(const struct server *s, const char *path, const char *token, struct http_resp *r)
{
	struct http_req q = { .method = "GET", .path = path, .token = token };
	http_do(s, &q, r);
}

void http_send(const struct server *s, const char *method, const char *path,
	       const char *token, const char *body, struct http_resp *r)
{
	struct http_req q = { .method = method, .path = path, .token = token, .body = body };
	http_do(s, &q, r);
}

int http_count(void)
{
	return requests_answered;
}

char *http_header(const struct http_resp *r, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = r->headers.data;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t llen = eol ? (size_t)(eol - p) : strlen(p);
		if (llen > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			const char *v = p + nlen + 1;
			const char *e = p + llen;
			while (v < e && isspace((unsigned char)*v))
				v++;
			while (e > v && isspace((unsigned char)e[-1]))
				e--;
			return xstrndup(v, (size_t)(e - v));
		}
		p += llen;
		if (*p == '\n')
			p++;
	}
	return NULL;
}

char *gunzip(const void *data, size_t len, size_t *out_len)
{
	z_stream z;
	struct buf b;
	memset(&z, 0, sizeof z);
	buf_init(&b);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return NULL;
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	int rc;
	do {
		unsigned char chunk[16384];
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
		buf_append(&b, chunk, sizeof chunk - z.avail_out);
	} while (rc != Z_STREAM_END);
	inflateEnd(&z);
	if (rc != Z_STREAM_END || z.avail_in != 0) {
		buf_free(&b);
		return NULL;
	}
	if (out_len)
		*out_len = b.len;
	return buf_steal(&b);
}

/* True when out holds a whole HTTP response (headers plus Content-Length
 * bytes of body, or headers of a response without a length). */
static bool response_complete(const struct buf *out)
{
	if (!out->data)
		return false;
	const char *end = strstr(out->data, "\r\n\r\n");
	if (!end)
		return false;
	size_t hlen = (size_t)(end - out->data) + 4;
	const char *cl = NULL;
	for (const char *p = out->data; p < end; p++) {
		if ((p == out->data || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0) {
			cl = p + 15;
			break;
		}
	}
	if (!cl)
		return false; /* wait for the close */
	unsigned long n = strtoul(cl, NULL, 10);
	return out->len >= hlen + n;
}

int raw_connect(const struct server *s, const char *src)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	if (src && (inet_pton(AF_INET, src, &sa.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)) {
		close(fd);
		return -1;
	}
	sa.sin_port = htons((uint16_t)s->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void raw_read(int fd, struct buf *out, int64_t deadline)
{
	while (!response_complete(out)) {
		int64_t wait = deadline - mono_ms();
		if (wait <= 0)
			break;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = poll(&pfd, 1, (int)wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		char chunk[4096];
		ssize_t n = recv(fd, chunk, sizeof chunk, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_append(out, chunk, (size_t)n);
	}
}

long raw_exchange_from(const struct server *s, const char *src, const void *data, size_t len,
		       long timeout_ms, struct buf *out)
{
	int64_t t0 = mono_ms();
	int fd = raw_connect(s, src);
	if (fd < 0)
		return -1;
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t n = send(fd, p, left, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the server may refuse early; read its answer */
		p += n;
		left -= (size_t)n;
	}
	raw_read(fd, out, t0 + timeout_ms);
	long elapsed = (long)(mono_ms() - t0);
	close(fd);
	return elapsed;
}

long raw_exchange(const struct server *s, const void *data, size_t len,
		  long timeout_ms, struct buf *out)
{
	return raw_exchange_from(s, NULL, data, len, timeout_ms, out);
}

long raw_signin(const struct server *s, const char *src, const char *extra, const char *user,
		const char *password)
{
	char *body = xasprintf("{\"user_id\": \"%s\", \"password\": \"%s\"}", user, password);
	char *req = xasprintf("POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n%s"
			      "Content-Type: application/json\r\nContent-Length: %zu\r\n"
			      "Connection: close\r\n\r\n%s", extra, strlen(body), body);
	struct buf out;
	buf_init(&out);
	raw_exchange_from(s, src, req, strlen(req), 10000, &out);
	long status = out.data && strncmp(out.data, "HTTP/1.", 7) == 0 ?
			      strtol(out.data + 9, NULL, 10) : 0;
	buf_free(&out);
	free(req);
	free(body);
	return status;
}

/* ------------------------------------------------------------ helpers */

char *sign_in(const struct server *s, const char *user, const char *password, long *status)
{
	json_t *j = json_pack("{s:s, s:s}", "user_id", user, "password", password);
	char *body = json_dumps(j, JSON_COMPACT);
	struct http_resp r;
	char *token = NULL;
	http_send(s, "POST", "/api/v1/session", NULL, body, &r);
	if (status)
		*status = r.status;
	if (r.status == 201 && jstr(r.json, "token"))
		token = xstrdup(jstr(r.json, "token"));
	else
		tap_diag("sign-in of %s answered %ld: %s", user, r.status,
			 r.body.data ? r.body.data : r.error);
	http_resp_free(&r);
	free(body);
	json_decref(j);
	return token;
}

const char *jstr(const json_t *obj, const char *key)
{
	return obj ? json_string_value(json_object_get(obj, key)) : NULL;
}

const char *err_code(const struct http_resp *r)
{
	json_t *e = r->json ? json_object_get(r->json, "error") : NULL;
	const char *c = jstr(e, "code");
	return c ? c : "";
}

void diag_resp(const struct http_resp *r)
{
	if (r->status == 0) {
		tap_diag("no answer: %s", r->error);
		return;
	}
	tap_diag("got status %ld", r->status);
	if (r->headers.len)
		tap_diag("%s", r->headers.data);
	if (r->body.len)
		tap_diag("body: %.*s%s", r->body.len > 800 ? 800 : (int)r->body.len,
			 r->body.data, r->body.len > 800 ? " ..." : "");
}

bool expect_error(const struct http_resp *r, long want_status, const char *want_code,
		  const char *want_field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *name = xvasprintf(fmt, ap);
	va_end(ap);
	json_t *e = r->json ? json_object_get(r->json, "error") : NULL;
	const char *msg = jstr(e, "message");
	bool ok = r->status == want_status;
	if (want_code) {
		ok = ok && json_is_object(e) && strcmp(err_code(r), want_code) == 0 &&
		     msg && *msg;
	}
	if (want_field)
		ok = ok && jstr(e, "field") && strcmp(jstr(e, "field"), want_field) == 0;
	tap_ok(ok, "%s", name);
	if (!ok) {
		tap_diag("expected %ld%s%s%s%s", want_status, want_code ? " " : "",
			 want_code ? want_code : "", want_field ? " field=" : "",
			 want_field ? want_field : "");
		diag_resp(r);
	}
	free(name);
	return ok;
}

bool expect_status(const struct http_resp *r, long want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *name = xvasprintf(fmt, ap);
	va_end(ap);
	bool ok = r->status == want && json_is_object(r->json);
	tap_ok(ok, "%s", name);
	if (!ok) {
		tap_diag("expected %ld with a JSON object", want);
		diag_resp(r);
	}
	free(name);
	return ok;
}

char *url_encode(const char *s)
{
	struct buf b;
	buf_init(&b);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~')
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	return buf_steal(&b);
}

char *harness_mkdtemp(const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	if (mkdtemp(dir))
		return dir;
	tap_diag("mkdtemp %s: %s", dir, strerror(errno));
	free(dir);
	return NULL;
}

/* ------------------------------------------------------------ database */

struct dbconn {
	sqlite3 *lite; /* SQLite, or */
	PGconn *pg;    /* PostgreSQL */
};

struct dbconn *server_db_open(const struct server *s)
{
	struct dbconn *c = xcalloc(1, sizeof *c);
	if (s->pg_db) {
		c->pg = pg_connect(s->pg_db);
		if (c->pg)
			return c;
	} else if (s->db) {
		if (sqlite3_open_v2(s->db, &c->lite, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
		    sqlite3_busy_timeout(c->lite, 5000) == SQLITE_OK)
			return c;
		tap_diag("SQLite: cannot open %s: %s", s->db,
			 c->lite ? sqlite3_errmsg(c->lite) : "out of memory");
		sqlite3_close(c->lite);
	} else {
		tap_diag("server_db_open: the server has no database");
	}
	free(c);
	return NULL;
}

/* SQLite: every statement of sql in turn, each stepped to its end. */
static char *lite_query(sqlite3 *h, const char *sql)
{
	char *val = xstrdup("");
	const char *next = sql;
	while (next && *next) {
		sqlite3_stmt *st = NULL;
		const char *tail = NULL;
		if (sqlite3_prepare_v2(h, next, -1, &st, &tail) != SQLITE_OK)
			goto fail;
		next = tail;
		if (!st)
			continue; /* only spaces or a comment were left */
		bool first = true;
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (first) {
				const unsigned char *t = sqlite3_column_text(st, 0);
				free(val);
				val = xstrdup(t ? (const char *)t : "");
				first = false;
			}
		}
		if (first) {
			free(val);
			val = xstrdup("");
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	return val;
fail:
	tap_diag("SQLite: %s: %s", sql, sqlite3_errmsg(h));
	free(val);
	return NULL;
}

char *dbconn_query(struct dbconn *c, const char *sql)
{
	if (!c)
		return NULL;
	if (c->lite)
		return lite_query(c->lite, sql);
	PGresult *r = PQexec(c->pg, sql);
	char *val = NULL;
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_TUPLES_OK)
		val = xstrdup(PQntuples(r) > 0 && PQnfields(r) > 0 ? PQgetvalue(r, 0, 0) : "");
	else if (st == PGRES_COMMAND_OK)
		val = xstrdup("");
	else
		tap_diag("PostgreSQL: %s: %s", sql, PQerrorMessage(c->pg));
	PQclear(r);
	return val;
}

void dbconn_close(struct dbconn *c)
{
	if (!c)
		return;
	sqlite3_close(c->lite);
	if (c->pg)
		PQfinish(c->pg);
	free(c);
}

char *server_sql(const struct server *s, const char *sql)
{
	struct dbconn *c = server_db_open(s);
	char *val = c ? dbconn_query(c, sql) : NULL;
	dbconn_close(c);
	return val;
}
