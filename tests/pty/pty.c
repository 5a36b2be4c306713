/* pty.c: the pseudo-terminal test harness (see pty.h): forkpty + libvterm
 * to run the real cqrs, and cqrsd runs that can be killed and restarted on
 * the same port and database. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <vterm.h>

#include "tests/pty/pty.h"

/* ------------------------------------------------------------ children */

/* Every child still running, so the alarm handler can kill them. */
static volatile pid_t children[32];
static char tmp_root[4096];

static void child_add(pid_t pid)
{
	for (size_t i = 0; i < ARRAY_SIZE(children); i++)
		if (children[i] == 0) {
			children[i] = pid;
			return;
		}
}

static void child_remove(pid_t pid)
{
	for (size_t i = 0; i < ARRAY_SIZE(children); i++)
		if (children[i] == pid)
			children[i] = 0;
}

/* SIGALRM: async-signal-safe only. Kills every child, removes the
 * temporary directory with rm -rf, and bails out. */
void pty_track_child(pid_t pid)
{
	child_add(pid);
}

void pty_forget_child(pid_t pid)
{
	child_remove(pid);
}

static void on_alarm(int sig)
{
	static const char msg[] = "Bail out! the test ran out of time\n";
	(void)sig;
	for (size_t i = 0; i < ARRAY_SIZE(children); i++)
		if (children[i] > 0)
			kill(children[i], SIGKILL);
	for (size_t i = 0; i < ARRAY_SIZE(children); i++)
		if (children[i] > 0)
			waitpid(children[i], NULL, 0);
	if (tmp_root[0]) {
		pid_t pid = fork();
		if (pid == 0) {
			char *const argv[] = { (char *)"rm", (char *)"-rf", tmp_root, NULL };
			execv("/bin/rm", argv);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0) {
		/* nothing more can be done */
	}
	_exit(1);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ------------------------------------------------------------ set-up */

void pty_init(unsigned seconds)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	const char *tmp = getenv("TMPDIR");
	snprintf(tmp_root, sizeof tmp_root, "%s/cqrs-pty-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmp_root)) {
		printf("Bail out! mkdtemp %s: %s\n", tmp_root, strerror(errno));
		exit(1);
	}
	alarm(seconds);
}

const char *pty_tmpdir(void)
{
	return tmp_root;
}

char *pty_mkdir(const char *prefix)
{
	char *dir = xasprintf("%s/%s-XXXXXX", tmp_root, prefix);
	if (!mkdtemp(dir))
		pty_bail("mkdtemp %s: %s", dir, strerror(errno));
	return dir;
}

/* Creates the parent directories of path. */
static void mkparents(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	free(p);
}

bool pty_write_file(const char *path, const char *text)
{
	mkparents(path);
	FILE *f = fopen(path, "w");
	if (!f) {
		tap_diag("cannot write %s: %s", path, strerror(errno));
		return false;
	}
	fputs(text, f);
	return fclose(f) == 0;
}

char *pty_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_steal(&b);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void kill_children(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(children); i++) {
		pid_t pid = children[i];
		if (pid <= 0)
			continue;
		kill(pid, SIGTERM);
		int64_t deadline = mono_ms() + 3000;
		while (waitpid(pid, NULL, WNOHANG) == 0) {
			if (mono_ms() > deadline) {
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
				break;
			}
			sleep_ms(10);
		}
		children[i] = 0;
	}
}

void pty_cleanup(void)
{
	alarm(0);
	kill_children();
	if (tmp_root[0] && !getenv("CQRS_PTY_KEEP"))
		nftw(tmp_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else if (tmp_root[0])
		tap_diag("kept %s (CQRS_PTY_KEEP)", tmp_root);
	tmp_root[0] = '\0';
}

int pty_finish(void)
{
	pty_cleanup();
	return tap_done();
}

void pty_bail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	printf("Bail out! %s\n", text);
	fflush(stdout);
	free(text);
	pty_cleanup();
	exit(1);
}

/* ------------------------------------------------------------ server */

static const char LISTEN_PREFIX[] = "cqrsd: listening on http://127.0.0.1:";

/* Starts one run of cqrsd for s on port; fills s->pid, s->port, s->url. */
static bool server_run(struct pty_server *s, int port, bool quiet)
{
	const char *bin = getenv("CQRSD");
	int pipefd[2] = { -1, -1 };
	int logfd = -1;
	struct buf out;
	bool ok = false;
	char listen[64];

	buf_init(&out);
	if (!bin || !*bin) {
		tap_diag("CQRSD is not set: it must name the cqrsd binary");
		goto out;
	}
	snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
	size_t nextra = 0;
	while (s->extra && s->extra[nextra])
		nextra++;
	const char **argv = xcalloc(nextra + 7, sizeof *argv);
	size_t a = 0;
	argv[a++] = bin;
	argv[a++] = "--listen";
	argv[a++] = listen;
	argv[a++] = "--db";
	argv[a++] = s->db;
	argv[a++] = "--demo";
	for (size_t i = 0; i < nextra; i++)
		argv[a++] = s->extra[i];
	argv[a] = NULL;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		tap_diag("pipe: %s", strerror(errno));
		free(argv);
		goto out;
	}
	logfd = open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (logfd < 0) {
		tap_diag("open %s: %s", s->log, strerror(errno));
		free(argv);
		goto out;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		tap_diag("fork: %s", strerror(errno));
		free(argv);
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
		execv(bin, (char *const *)argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	free(argv);
	s->pid = pid;
	child_add(pid);
	close(pipefd[1]);
	pipefd[1] = -1;

	int64_t deadline = mono_ms() + 15000;
	while (!memchr(out.data ? out.data : "", '\n', out.len)) {
		int64_t left = deadline - mono_ms();
		if (left <= 0) {
			tap_diag("cqrsd did not report its port within 15 s");
			goto out;
		}
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		char chunk[512];
		ssize_t n = read(pipefd[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!quiet)
				tap_diag("cqrsd exited before reporting its port");
			goto out;
		}
		buf_append(&out, chunk, (size_t)n);
	}
	*(char *)memchr(out.data, '\n', out.len) = '\0';
	if (!str_has_prefix(out.data, LISTEN_PREFIX)) {
		tap_diag("unexpected first line from cqrsd: \"%s\"", out.data);
		goto out;
	}
	s->port = atoi(out.data + strlen(LISTEN_PREFIX));
	if (s->port <= 0 || s->port > 65535 || (port && s->port != port)) {
		tap_diag("bad port in cqrsd's line: \"%s\"", out.data);
		goto out;
	}
	snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
	s->out_fd = pipefd[0];
	pipefd[0] = -1;
	ok = true;
out:
	if (!ok && s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		child_remove(s->pid);
		s->pid = 0;
	}
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (logfd >= 0)
		close(logfd);
	buf_free(&out);
	return ok;
}

bool pty_server_start(struct pty_server *s, int port, const char *const *extra)
{
	memset(s, 0, sizeof *s);
	s->out_fd = -1;
	s->dir = pty_mkdir("server");
	s->db = xasprintf("%s/cqrs.db", s->dir);
	s->log = xasprintf("%s/server.log", s->dir);
	size_t n = 0;
	while (extra && extra[n])
		n++;
	s->extra = xcalloc(n + 1, sizeof *s->extra);
	for (size_t i = 0; i < n; i++)
		s->extra[i] = xstrdup(extra[i]);
	if (!server_run(s, port, false)) {
		pty_server_dump_log(s, 40);
		return false;
	}
	return true;
}

void pty_server_kill(struct pty_server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		int64_t deadline = mono_ms() + 5000;
		while (waitpid(s->pid, NULL, WNOHANG) == 0) {
			if (mono_ms() > deadline) {
				tap_diag("cqrsd did not stop within 5 s of SIGTERM; killing it");
				kill(s->pid, SIGKILL);
				waitpid(s->pid, NULL, 0);
				break;
			}
			sleep_ms(10);
		}
		child_remove(s->pid);
		s->pid = 0;
	}
	if (s->out_fd >= 0)
		close(s->out_fd);
	s->out_fd = -1;
}

bool pty_server_restart(struct pty_server *s)
{
	int port = s->port;
	pty_server_kill(s);
	int64_t deadline = mono_ms() + 10000;
	for (;;) {
		if (server_run(s, port, true))
			return true;
		if (mono_ms() > deadline)
			break;
		sleep_ms(200);
	}
	tap_diag("cqrsd could not listen again on port %d", port);
	pty_server_dump_log(s, 20);
	return false;
}

void pty_server_free(struct pty_server *s)
{
	pty_server_kill(s);
	if (s->extra) {
		for (size_t i = 0; s->extra[i]; i++)
			free(s->extra[i]);
		free(s->extra);
	}
	xfree(&s->dir);
	xfree(&s->db);
	xfree(&s->log);
	memset(s, 0, sizeof *s);
	s->out_fd = -1;
}

void pty_server_dump_log(const struct pty_server *s, int max_lines)
{
	char *text = s->log ? pty_read_file(s->log) : NULL;
	if (!text)
		return;
	size_t len = strlen(text);
	const char *start = text;
	int lines = 0;
	for (const char *p = start + len; p > start; p--)
		if (p[-1] == '\n' && p != start + len && ++lines >= max_lines) {
			start = p;
			break;
		}
	tap_diag("--- cqrsd stderr (last %d lines) ---\n%s--- end ---", max_lines, start);
	free(text);
}

void pty_server_start_api(struct pty_server *s, struct server *api)
{
	if (!pty_server_start(s, 0, NULL))
		pty_bail("cannot start cqrsd");
	memset(api, 0, sizeof(*api));
	api->port = s->port;
	snprintf(api->base, sizeof(api->base), "%s", s->url);
}

int pty_closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		pty_bail("cannot find a free port: %s", strerror(errno));
	int port = ntohs(a.sin_port);
	close(fd); /* bound but never listened: connections are refused */
	return port;
}

/* ------------------------------------------------------------ terminal */

struct pty_term {
	pid_t pid;
	int fd;               /* the master side */
	bool exited;
	int status;
	VTerm *vt;
	VTermScreen *screen;
	int rows, cols;
	uint64_t bytes;
	char *home;
};

static void on_output(const char *s, size_t len, void *user)
{
	struct pty_term *t = user;
	while (len > 0) {
		ssize_t n = write(t->fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = t->fd, .events = POLLOUT };
			poll(&p, 1, 1000);
			continue;
		}
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void env_add(char ***env, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void env_add(char ***env, size_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *e = xvasprintf(fmt, ap);
	va_end(ap);
	/* A later entry for the same name replaces an earlier one. */
	size_t nl = strcspn(e, "=");
	for (size_t i = 0; i < *n; i++)
		if (strncmp((*env)[i], e, nl + 1) == 0) {
			free((*env)[i]);
			(*env)[i] = e;
			return;
		}
	*env = xrealloc(*env, (*n + 2) * sizeof **env);
	(*env)[(*n)++] = e;
	(*env)[*n] = NULL;
}

struct pty_term *pty_spawn(const struct pty_opts *o, const char *const *argv)
{
	static const struct pty_opts defaults = { 0 };
	if (!o)
		o = &defaults;
	struct pty_term *t = xcalloc(1, sizeof *t);
	t->rows = o->rows > 0 ? o->rows : 24;
	t->cols = o->cols > 0 ? o->cols : 80;
	t->fd = -1;
	t->home = o->home ? xstrdup(o->home) : pty_mkdir("home");

	char **env = NULL;
	size_t n = 0;
	const char *path = getenv("PATH");
	env_add(&env, &n, "PATH=%s", path ? path : "/usr/bin:/bin");
	env_add(&env, &n, "HOME=%s", t->home);
	env_add(&env, &n, "XDG_CONFIG_HOME=%s/.config", t->home);
	env_add(&env, &n, "XDG_STATE_HOME=%s/.local/state", t->home);
	env_add(&env, &n, "XDG_DATA_HOME=%s/.local/share", t->home);
	env_add(&env, &n, "XDG_CACHE_HOME=%s/.cache", t->home);
	env_add(&env, &n, "TMPDIR=%s", tmp_root);
	/* No system-wide /etc/cqrs of the machine running the tests. */
	env_add(&env, &n, "CQRS_SYSCONFDIR=%s/etc-cqrs", t->home);
	env_add(&env, &n, "LANG=C.UTF-8");
	env_add(&env, &n, "LC_ALL=C.UTF-8");
	env_add(&env, &n, "TERM=%s", o->term ? o->term : "xterm-256color");
	const char *cqrsd = getenv("CQRSD");
	if (cqrsd)
		env_add(&env, &n, "CQRSD=%s", cqrsd);
	if (o->no_color)
		env_add(&env, &n, "NO_COLOR=1");
	if (o->dbus)
		env_add(&env, &n, "DBUS_SESSION_BUS_ADDRESS=%s", o->dbus);
	for (size_t i = 0; o->env && o->env[i]; i++)
		env_add(&env, &n, "%s", o->env[i]);

	/* The child runs in HOME: a relative program path must not change
	 * meaning. */
	char *prog = argv[0][0] == '/' ? xstrdup(argv[0]) : realpath(argv[0], NULL);
	if (!prog)
		prog = xstrdup(argv[0]);
	struct winsize ws = { .ws_row = (unsigned short)t->rows, .ws_col = (unsigned short)t->cols };
	fflush(NULL);
	pid_t pid = forkpty(&t->fd, NULL, NULL, &ws);
	if (pid < 0) {
		tap_diag("forkpty: %s", strerror(errno));
		free(prog);
		goto fail;
	}
	if (pid == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		signal(SIGPIPE, SIG_DFL);
		if (chdir(t->home) < 0)
			_exit(126);
		execve(prog, (char *const *)argv, env);
		dprintf(STDERR_FILENO, "exec %s: %s\r\n", prog, strerror(errno));
		_exit(127);
	}
	free(prog);
	t->pid = pid;
	child_add(pid);
	fcntl(t->fd, F_SETFD, FD_CLOEXEC);
	fcntl(t->fd, F_SETFL, fcntl(t->fd, F_GETFL) | O_NONBLOCK);

	t->vt = vterm_new(t->rows, t->cols);
	vterm_set_utf8(t->vt, 1);
	vterm_output_set_callback(t->vt, on_output, t);
	t->screen = vterm_obtain_screen(t->vt);
	vterm_screen_enable_altscreen(t->screen, 1);
	vterm_screen_reset(t->screen, 1);
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	free(env);
	return t;
fail:
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	free(env);
	free(t->home);
	free(t);
	return NULL;
}

struct pty_term *pty_spawn_cqrs(const struct pty_opts *o, const char *const *args)
{
	const char *bin = getenv("CQRS");
	if (!bin || !*bin)
		pty_bail("CQRS is not set: it must name the cqrs binary to test");
	size_t n = 0;
	while (args && args[n])
		n++;
	const char **argv = xcalloc(n + 2, sizeof *argv);
	argv[0] = bin;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = args[i];
	struct pty_term *t = pty_spawn(o, argv);
	free(argv);
	return t;
}

static void reap(struct pty_term *t, int flags)
{
	if (t->exited || t->pid <= 0)
		return;
	int st;
	pid_t r = waitpid(t->pid, &st, flags);
	if (r == t->pid) {
		t->exited = true;
		t->status = st;
		child_remove(t->pid);
	}
}

void pty_close(struct pty_term **tp)
{
	struct pty_term *t = *tp;
	if (!t)
		return;
	if (!t->exited && t->pid > 0) {
		kill(t->pid, SIGHUP);
		int64_t deadline = mono_ms() + 1000;
		while (!t->exited && mono_ms() < deadline) {
			pty_pump(t, 10);
			reap(t, WNOHANG);
		}
		if (!t->exited) {
			kill(t->pid, SIGKILL);
			reap(t, 0);
		}
	}
	if (t->fd >= 0)
		close(t->fd);
	if (t->vt)
		vterm_free(t->vt);
	free(t->home);
	free(t);
	*tp = NULL;
}

const char *pty_home(const struct pty_term *t)
{
	return t->home;
}

/* With CQRS_PTY_TRACE=FILE set, appends everything the program writes
 * to FILE, each read preceded by a line "--- pid N, M bytes". */
static void trace(const struct pty_term *t, const char *data, size_t n)
{
	const char *path = getenv("CQRS_PTY_TRACE");
	if (!path || !*path)
		return;
	FILE *f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "\n--- pid %d, %zu bytes\n", (int)t->pid, n);
	fwrite(data, 1, n, f);
	fclose(f);
}

/* Reads what is available now (after waiting up to ms for the first
 * bytes); returns the number of bytes read, -1 at end of file. */
static ssize_t read_some(struct pty_term *t, int ms)
{
	struct pollfd p = { .fd = t->fd, .events = POLLIN };
	int r = poll(&p, 1, ms);
	if (r <= 0)
		return 0;
	ssize_t total = 0;
	for (;;) {
		char chunk[8192];
		ssize_t n = read(t->fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			/* EIO: the slave side is closed, the program is gone. */
			reap(t, WNOHANG);
			return total ? total : -1;
		}
		t->bytes += (uint64_t)n;
		trace(t, chunk, (size_t)n);
		vterm_input_write(t->vt, chunk, (size_t)n);
		total += n;
	}
	return total;
}

void pty_keys(struct pty_term *t, const char *names)
{
	char *copy = xstrdup(names), *save = NULL;
	for (char *k = strtok_r(copy, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
		pty_key(t, k);
		pty_settle(t, 60, 1500);
	}
	free(copy);
}

void pty_pump(struct pty_term *t, int ms)
{
	int64_t deadline = mono_ms() + ms;
	for (;;) {
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			break;
		if (read_some(t, (int)left) < 0) {
			sleep_ms((int)(left < 10 ? left : 10));
			reap(t, WNOHANG);
		}
	}
}

bool pty_settle(struct pty_term *t, int quiet_ms, int max_ms)
{
	int64_t deadline = mono_ms() + max_ms;
	for (;;) {
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return false;
		ssize_t n = read_some(t, (int)(left < quiet_ms ? left : quiet_ms));
		if (n == 0)
			return true;
		if (n < 0)
			return true;
	}
}

bool pty_exited(struct pty_term *t, int *status)
{
	reap(t, WNOHANG);
	if (t->exited && status)
		*status = t->status;
	return t->exited;
}

bool pty_wait_exit(struct pty_term *t, int ms, int *status)
{
	int64_t deadline = mono_ms() + ms;
	while (!pty_exited(t, status) && mono_ms() < deadline)
		if (read_some(t, 20) < 0)
			sleep_ms(10);
	return pty_exited(t, status);
}

void pty_send(struct pty_term *t, const char *bytes)
{
	on_output(bytes, strlen(bytes), t);
}

void pty_key(struct pty_term *t, const char *name)
{
	static const struct {
		const char *name;
		VTermKey key;
	} keys[] = {
		{ "Enter", VTERM_KEY_ENTER }, { "Tab", VTERM_KEY_TAB },
		{ "Esc", VTERM_KEY_ESCAPE }, { "Backspace", VTERM_KEY_BACKSPACE },
		{ "Up", VTERM_KEY_UP }, { "Down", VTERM_KEY_DOWN },
		{ "Left", VTERM_KEY_LEFT }, { "Right", VTERM_KEY_RIGHT },
		{ "Home", VTERM_KEY_HOME }, { "End", VTERM_KEY_END },
		{ "PgUp", VTERM_KEY_PAGEUP }, { "PgDn", VTERM_KEY_PAGEDOWN },
		{ "Insert", VTERM_KEY_INS }, { "Delete", VTERM_KEY_DEL },
	};
	if (strcmp(name, "BTab") == 0) {
		vterm_keyboard_key(t->vt, VTERM_KEY_TAB, VTERM_MOD_SHIFT);
		return;
	}
	if (strcmp(name, "Space") == 0) {
		pty_send(t, " ");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(name, keys[i].name) == 0) {
			vterm_keyboard_key(t->vt, keys[i].key, VTERM_MOD_NONE);
			return;
		}
	if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
		int f = atoi(name + 1);
		if (f >= 1 && f <= 12) {
			vterm_keyboard_key(t->vt, VTERM_KEY_FUNCTION(f), VTERM_MOD_NONE);
			return;
		}
	}
	if (name[0] == 'C' && name[1] == '-' && name[2] && !name[3]) {
		char c = name[2];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c >= 'a' && c <= 'z') {
			char b[2] = { (char)(c - 'a' + 1), 0 };
			pty_send(t, b);
			return;
		}
	}
	if (name[0] && !name[1]) {
		pty_send(t, name);
		return;
	}
	pty_bail("pty_key: unknown key name \"%s\" (a bug in the test)", name);
}

void pty_resize(struct pty_term *t, int rows, int cols)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	t->rows = rows;
	t->cols = cols;
	vterm_set_size(t->vt, rows, cols);
	if (ioctl(t->fd, TIOCSWINSZ, &ws) < 0)
		tap_diag("TIOCSWINSZ: %s", strerror(errno));
}

int pty_rows(const struct pty_term *t)
{
	return t->rows;
}

int pty_cols(const struct pty_term *t)
{
	return t->cols;
}

uint64_t pty_bytes(const struct pty_term *t)
{
	return t->bytes;
}

/* ------------------------------------------------------------ screen */

static void get_cell(const struct pty_term *t, int r, int c, VTermScreenCell *cell)
{
	VTermPos pos = { .row = r, .col = c };
	memset(cell, 0, sizeof *cell);
	if (r < 0 || c < 0 || r >= t->rows || c >= t->cols ||
	    !vterm_screen_get_cell(t->screen, pos, cell))
		memset(cell, 0, sizeof *cell);
}

static void put_utf8(struct buf *b, uint32_t cp)
{
	char s[4];
	size_t n;
	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		s[0] = (char)(0xF0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_append(b, s, n);
}

/* Row r as one code point per column (0 for the right half of a wide
 * character); cells must hold t->cols entries. */
static void row_cells(const struct pty_term *t, int r, uint32_t *cells)
{
	for (int c = 0; c < t->cols; c++) {
		VTermScreenCell cell;
		get_cell(t, r, c, &cell);
		cells[c] = cell.chars[0] ? cell.chars[0] : ' ';
		if (cell.width == 2 && c + 1 < t->cols) {
			cells[c + 1] = 0;
			c++;
		}
	}
}

char *pty_row(const struct pty_term *t, int r)
{
	struct buf b;
	buf_init(&b);
	uint32_t *cells = xcalloc((size_t)t->cols, sizeof *cells);
	row_cells(t, r, cells);
	for (int c = 0; c < t->cols; c++)
		if (cells[c])
			put_utf8(&b, cells[c]);
	free(cells);
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	if (!b.data)
		buf_puts(&b, "");
	return buf_steal(&b);
}

char *pty_screen(const struct pty_term *t)
{
	struct buf b;
	buf_init(&b);
	for (int r = 0; r < t->rows; r++) {
		char *row = pty_row(t, r);
		buf_puts(&b, row);
		buf_putc(&b, '\n');
		free(row);
	}
	return buf_steal(&b);
}

/* Decodes UTF-8 text into code points; returns how many (caller frees
 * *out). Invalid bytes are taken as Latin-1. */
static size_t decode_utf8(const char *s, uint32_t **out)
{
	size_t len = strlen(s), n = 0;
	uint32_t *cp = xcalloc(len + 1, sizeof *cp);
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t c = *p;
		int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
		if (extra) {
			c &= 0x3Fu >> extra;
			int i;
			for (i = 1; i <= extra && (p[i] & 0xC0) == 0x80; i++)
				c = (c << 6) | (p[i] & 0x3F);
			if (i <= extra) {
				c = *p;
				extra = 0;
			}
		}
		cp[n++] = c;
		p += extra + 1;
	}
	*out = cp;
	return n;
}

/* Finds needle (n code points) in row r from column from; returns the
 * column or -1. Wide characters' right halves are skipped. */
static int match_row(const struct pty_term *t, int r, const uint32_t *needle, size_t n,
		     int from, bool anchored)
{
	uint32_t *cells = xcalloc((size_t)t->cols, sizeof *cells);
	int found = -1;
	row_cells(t, r, cells);
	for (int c = from; c < t->cols && found < 0; c++) {
		int cc = c;
		size_t i = 0;
		while (i < n && cc < t->cols) {
			if (cells[cc] == 0) {
				cc++;
				continue;
			}
			if (cells[cc] != needle[i])
				break;
			i++;
			cc++;
		}
		if (i == n)
			found = c;
		if (anchored)
			break;
	}
	free(cells);
	return found;
}

bool pty_find(const struct pty_term *t, const char *text, int *row, int *col)
{
	uint32_t *needle;
	size_t n = decode_utf8(text, &needle);
	bool ok = false;
	for (int r = 0; r < t->rows && !ok; r++) {
		int c = match_row(t, r, needle, n, 0, false);
		if (c >= 0) {
			if (row)
				*row = r;
			if (col)
				*col = c;
			ok = true;
		}
	}
	free(needle);
	return ok;
}

bool pty_find_in_row(const struct pty_term *t, int r, const char *text, int *col)
{
	uint32_t *needle;
	size_t n = decode_utf8(text, &needle);
	int c = r >= 0 && r < t->rows ? match_row(t, r, needle, n, 0, false) : -1;
	free(needle);
	if (c >= 0 && col)
		*col = c;
	return c >= 0;
}

bool pty_row_has(const struct pty_term *t, const char *text, const char *what)
{
	int r = -1;
	if (!pty_find(t, text, &r, NULL))
		return false;
	char *line = pty_row(t, r);
	bool ok = strstr(line, what) != NULL;
	free(line);
	return ok;
}

bool pty_text_at(const struct pty_term *t, int r, int c, const char *text)
{
	uint32_t *needle;
	size_t n = decode_utf8(text, &needle);
	bool ok = r >= 0 && r < t->rows && match_row(t, r, needle, n, c, true) == c;
	free(needle);
	return ok;
}

int pty_wait_any(struct pty_term *t, const char *const *texts, int ms)
{
	int64_t deadline = mono_ms() + ms;
	for (;;) {
		for (int i = 0; texts[i]; i++)
			if (pty_find(t, texts[i], NULL, NULL)) {
				/* Let the rest of this screen update arrive: a
				 * frame may come in several reads. */
				pty_settle(t, 30, 1000);
				return i;
			}
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return -1;
		if (read_some(t, (int)(left < 50 ? left : 50)) < 0) {
			/* The program has gone: nothing more will come. */
			if (pty_exited(t, NULL))
				return -1;
			sleep_ms(10);
		}
	}
}

bool pty_wait_text(struct pty_term *t, const char *text, int ms)
{
	const char *texts[] = { text, NULL };
	return pty_wait_any(t, texts, ms) == 0;
}

bool pty_wait_title(struct pty_term *t, const char *text, int ms)
{
	int64_t deadline = mono_ms() + ms;
	while (!pty_find_in_row(t, PTY_TITLE_ROW, text, NULL)) {
		if (mono_ms() > deadline)
			return false;
		pty_pump(t, 50);
	}
	return true;
}

bool pty_wait_gone(struct pty_term *t, const char *text, int ms)
{
	int64_t deadline = mono_ms() + ms;
	for (;;) {
		if (!pty_find(t, text, NULL, NULL))
			return true;
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return false;
		if (read_some(t, (int)(left < 50 ? left : 50)) < 0 && pty_exited(t, NULL))
			return !pty_find(t, text, NULL, NULL);
	}
}

static int colour_of(const VTermColor *col, bool fg)
{
	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(col) : VTERM_COLOR_IS_DEFAULT_BG(col))
		return PTY_DEFAULT;
	if (VTERM_COLOR_IS_INDEXED(col))
		return col->indexed.idx;
	return PTY_RGB | (col->rgb.red << 16) | (col->rgb.green << 8) | col->rgb.blue;
}

void pty_cell(const struct pty_term *t, int r, int c, struct pty_cell *out)
{
	VTermScreenCell cell;
	get_cell(t, r, c, &cell);
	memset(out, 0, sizeof *out);
	out->ch = cell.chars[0] ? cell.chars[0] : ' ';
	out->fg = colour_of(&cell.fg, true);
	out->bg = colour_of(&cell.bg, false);
	out->bold = cell.attrs.bold;
	out->underline = cell.attrs.underline != 0;
	out->reverse = cell.attrs.reverse;
	out->italic = cell.attrs.italic;
	out->blink = cell.attrs.blink;
}

bool pty_any_colour(const struct pty_term *t)
{
	for (int r = 0; r < t->rows; r++)
		for (int c = 0; c < t->cols; c++) {
			struct pty_cell cell;
			pty_cell(t, r, c, &cell);
			if (cell.fg != PTY_DEFAULT || cell.bg != PTY_DEFAULT)
				return true;
		}
	return false;
}

void pty_cursor(const struct pty_term *t, int *row, int *col)
{
	VTermPos pos;
	vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &pos);
	if (row)
		*row = pos.row;
	if (col)
		*col = pos.col;
}

/* One letter for a palette colour in the snapshot's colour maps. */
static char colour_letter(int colour)
{
	static const char low[] = "krgybmcw", high[] = "KRGYBMCW";
	if (colour == PTY_DEFAULT)
		return ' ';
	if (colour & PTY_RGB)
		return '#';
	return colour < 8 ? low[colour] : colour < 16 ? high[colour - 8] : '+';
}

/* Appends one map of the screen: a heading, then "%3d |...|" for each row
 * where letter() gives anything but a blank. */
static void snapshot_map(struct buf *b, const struct pty_term *t, const char *heading,
			 char (*letter)(const struct pty_cell *cell))
{
	buf_printf(b, "%s\n", heading);
	char *line = xcalloc((size_t)t->cols + 1, 1);
	for (int r = 0; r < t->rows; r++) {
		bool any = false;
		for (int c = 0; c < t->cols; c++) {
			struct pty_cell cell;
			pty_cell(t, r, c, &cell);
			line[c] = letter(&cell);
			any |= line[c] != ' ';
		}
		if (any)
			buf_printf(b, "%3d |%s|\n", r, line);
	}
	free(line);
}

static char attr_letter(const struct pty_cell *cell)
{
	int k = cell->bold + cell->reverse + cell->underline +
		(cell->fg != PTY_DEFAULT || cell->bg != PTY_DEFAULT);
	return k > 1 ? '*' : cell->bold ? 'b' : cell->reverse ? 'r' :
	       cell->underline ? 'u' : k ? 'c' : ' ';
}

static char fg_letter(const struct pty_cell *cell)
{
	return colour_letter(cell->fg);
}

static char bg_letter(const struct pty_cell *cell)
{
	return colour_letter(cell->bg);
}

char *pty_snapshot(const struct pty_term *t)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "    +");
	for (int c = 0; c < t->cols; c++)
		buf_putc(&b, (char)(c % 10 == 0 ? '0' + (c / 10) % 10 : '-'));
	buf_puts(&b, "+\n");
	uint32_t *cells = xcalloc((size_t)t->cols, sizeof *cells);
	for (int r = 0; r < t->rows; r++) {
		row_cells(t, r, cells);
		buf_printf(&b, "%3d |", r);
		for (int c = 0; c < t->cols; c++)
			if (cells[c])
				put_utf8(&b, cells[c]);
		buf_puts(&b, "|\n");
	}
	free(cells);
	snapshot_map(&b, t, "attributes (b bold, r reverse, u underline, c colour, * several):",
		     attr_letter);
	snapshot_map(&b, t, "foreground (k black, r red, g green, y yellow, b blue, m magenta, "
		     "c cyan, w white; capitals bright, + other, # RGB):", fg_letter);
	snapshot_map(&b, t, "background (the same letters):", bg_letter);
	return buf_steal(&b);
}

void pty_dump(const struct pty_term *t, const char *why)
{
	int cr, cc;
	pty_cursor(t, &cr, &cc);
	char *shot = pty_snapshot(t);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "screen %dx%d (%s), cursor at %d,%d, %llu bytes so far:\n",
		   t->cols, t->rows, why ? why : "dump", cr, cc, (unsigned long long)t->bytes);
	buf_puts(&b, shot);
	if (t->exited)
		buf_printf(&b, "the program has exited (wait status 0x%x)\n", t->status);
	tap_diag("%s", b.data);
	buf_free(&b);
	free(shot);
}

/* ------------------------------------------------------------ cases */

bool pty_expect(struct pty_term *t, const char *text, int ms, const char *fmt, ...)
{
	bool ok = pty_wait_text(t, text, ms);
	va_list ap;
	va_start(ap, fmt);
	char *name = xvasprintf(fmt, ap);
	va_end(ap);
	tap_ok(ok, "%s", name);
	if (!ok) {
		pty_exited(t, NULL);
		char *why = xasprintf("waited %d ms for \"%s\"", ms, text);
		pty_dump(t, why);
		free(why);
	}
	free(name);
	return ok;
}

bool pty_expect_not(struct pty_term *t, const char *text, const char *fmt, ...)
{
	bool ok = !pty_find(t, text, NULL, NULL);
	va_list ap;
	va_start(ap, fmt);
	char *name = xvasprintf(fmt, ap);
	va_end(ap);
	tap_ok(ok, "%s", name);
	if (!ok) {
		char *why = xasprintf("\"%s\" should not be on the screen", text);
		pty_dump(t, why);
		free(why);
	}
	free(name);
	return ok;
}

bool pty_check(struct pty_term *t, bool cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *name = xvasprintf(fmt, ap);
	va_end(ap);
	tap_ok(cond, "%s", name);
	if (!cond && t) {
		pty_exited(t, NULL);
		pty_dump(t, name);
	}
	free(name);
	return cond;
}

/* ------------------------------------------------------------ cqrs */

bool pty_sign_in(struct pty_term *t, const char *user, const char *password, int ms)
{
	int64_t deadline = mono_ms() + ms;
	if (!pty_wait_text(t, PTY_SIGNIN_READY, ms)) {
		pty_dump(t, "the sign-in screen did not appear");
		return false;
	}
	pty_settle(t, 50, 1000);
	/* An error already on the message line (a keymap error, say) is not
	 * the answer to this sign-in. */
	char *before = pty_message(t);
	pty_send(t, user);
	pty_key(t, "Tab");
	pty_send(t, password);
	pty_key(t, "Enter");
	char *want = xasprintf(PTY_SIGNED_IN "%s", user);
	const char *why = "timed out";
	bool ok = false;
	for (;;) {
		if (pty_find(t, want, NULL, NULL)) {
			pty_settle(t, 30, 1000);
			ok = true;
			break;
		}
		char *msg = pty_message(t);
		bool error = str_has_prefix(msg, "Error:") && strcmp(msg, before) != 0;
		free(msg);
		if (error) {
			why = "an error was shown";
			break;
		}
		if (mono_ms() > deadline || pty_exited(t, NULL))
			break;
		pty_pump(t, 30);
	}
	if (!ok) {
		char *text = xasprintf("signing in as %s: %s", user, why);
		pty_dump(t, text);
		free(text);
	}
	free(before);
	free(want);
	return ok;
}

char *pty_message(const struct pty_term *t)
{
	/* A long message wraps upwards from the message row: its later lines
	 * are indented, its first is not. */
	int first = PTY_MSG_ROW(t);
	for (int k = 0; k < 3 && first > PTY_TAB_ROW + 2; k++) {
		char *row = pty_row(t, first);
		bool cont = row[0] == ' ';
		free(row);
		if (!cont)
			break;
		first--;
	}
	struct buf b;
	buf_init(&b);
	for (int r = first; r <= PTY_MSG_ROW(t); r++) {
		char *row = pty_row(t, r);
		const char *p = row + (r > first ? strspn(row, " ") : 0);
		buf_printf(&b, "%s%s", b.len ? " " : "", p);
		free(row);
	}
	return buf_steal(&b);
}

char *pty_active_item(const struct pty_term *t, int r)
{
	char *row = pty_row(t, r);
	char *open = strchr(row, '[');
	char *close = open ? strchr(open, ']') : NULL;
	char *name;
	if (!open || !close) {
		name = xstrdup("");
	} else {
		const char *p = open + 1;
		if (r == PTY_TAB_ROW && p[0] >= '1' && p[0] <= '9' && p[1] == ' ')
			p += 2;
		name = xstrndup(p, (size_t)(close - p));
	}
	free(row);
	return name;
}

struct pty_term *pty_client_as(const struct pty_opts *o, const char *server_url, const char *user)
{
	const char *args[] = { "--server", server_url, NULL };
	struct pty_term *t = pty_spawn_cqrs(o, args);
	if (!t)
		pty_bail("cannot run cqrs");
	if (!pty_sign_in(t, user, PTY_DEMO_PASSWORD, 15000))
		pty_bail("cannot sign in as %s", user);
	pty_wait_text(t, "Message Centre: your tasks", 5000);
	pty_settle(t, 100, 3000);
	return t;
}

bool pty_move_to(struct pty_term *t, const char *key, const char *text)
{
	for (int i = 0; i < 30; i++) {
		int r = -1;
		if (pty_find(t, text, &r, NULL)) {
			char *row = pty_row(t, r);
			bool here = strstr(row, "> ") != NULL || strstr(row, "|>") != NULL;
			free(row);
			if (here)
				return true;
		}
		pty_key(t, key);
		pty_settle(t, 40, 1000);
	}
	pty_dump(t, "the cursor never reached the item");
	return false;
}
