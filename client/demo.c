/* demo.c: starting and stopping the bundled cqrsd for `cqrs --demo`. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/demo.h"
#include "client/settings.h"
#include "util.h"

#define LISTEN_PREFIX "cqrsd: listening on "

/* The cqrsd to run: next to /proc/self/exe (a build directory), else
 * $CQRSD, else the installed one under sbin, else "cqrsd" to be found on
 * PATH. Returns a new string. */
static char *find_cqrsd(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			char *p = xasprintf("%s/cqrsd", self);
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	const char *env = getenv("CQRSD");
	if (env && *env)
		return xstrdup(env);
	if (access(CQRS_SBINDIR "/cqrsd", X_OK) == 0)
		return xstrdup(CQRS_SBINDIR "/cqrsd");
	return xstrdup("cqrsd");
}

bool demo_start(struct demo_server *d, char *err, size_t errlen)
{
	int pfd[2] = {-1, -1};
	char *bin = find_cqrsd();
	char *dir = NULL;
	bool ok = false;
	memset(d, 0, sizeof(*d));
	d->db = xdg_path("XDG_STATE_HOME", ".local/state", "demo.db");
	d->log = xdg_path("XDG_STATE_HOME", ".local/state", "demo.log");
	if (!d->db || !d->log) {
		snprintf(err, errlen, "neither XDG_STATE_HOME nor HOME is set");
		goto out;
	}
	dir = xstrdup(d->db);
	*strrchr(dir, '/') = '\0';
	if (!mkdir_p(dir, 0700)) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	int logfd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (logfd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", d->log, strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(logfd);
		goto out;
	}
	if (pid == 0) {
		/* the server must not outlive us, even if we are killed */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(logfd, 2);
		setpgid(0, 0); /* keep terminal signals (Ctrl-C) away from it */
		execlp(bin, bin, "--listen", "127.0.0.1:0", "--db", d->db, "--demo",
		       (char *)NULL);
		dprintf(2, "cqrs: cannot run %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(logfd);
	close(pfd[1]);
	pfd[1] = -1;
	d->pid = pid;

	/* read the listening line, 15 s at most */
	char line[512];
	size_t len = 0;
	int64_t deadline = mono_ms() + 15000;
	for (;;) {
		int64_t left = deadline - mono_ms();
		if (left <= 0) {
			snprintf(err, errlen, "%s did not say it was listening within 15 s (see %s)",
				 bin, d->log);
			goto out;
		}
		struct pollfd p = {pfd[0], POLLIN, 0};
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t got = read(pfd[0], line + len, sizeof(line) - 1 - len);
		if (got <= 0) {
			int status = 0;
			waitpid(pid, &status, 0);
			d->pid = 0;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
				snprintf(err, errlen, "cannot run %s (not found); set CQRSD to its path", bin);
			else
				snprintf(err, errlen, "%s stopped before listening (see %s)", bin, d->log);
			goto out;
		}
		len += (size_t)got;
		line[len] = '\0';
		char *nl = strchr(line, '\n');
		if (nl) {
			*nl = '\0';
			char *at = strstr(line, LISTEN_PREFIX);
			if (!at) {
				snprintf(err, errlen, "unexpected output from %s: %s", bin, line);
				goto out;
			}
			d->url = xstrdup(at + strlen(LISTEN_PREFIX));
			break;
		}
		if (len == sizeof(line) - 1) {
			snprintf(err, errlen, "unexpected output from %s", bin);
			goto out;
		}
	}
	ok = true;
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	free(dir);
	free(bin);
	if (!ok)
		demo_stop(d);
	return ok;
}

void demo_stop(struct demo_server *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		int64_t deadline = mono_ms() + 3000;
		int status;
		while (waitpid(d->pid, &status, WNOHANG) == 0) {
			if (mono_ms() >= deadline) {
				kill(d->pid, SIGKILL);
				waitpid(d->pid, &status, 0);
				break;
			}
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		d->pid = 0;
	}
	xfree(&d->url);
	xfree(&d->db);
	xfree(&d->log);
}
