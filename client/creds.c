/* creds.c: token storage in libsecret, a 0600 file, or memory (see
 * creds.h). GLib's log messages are caught so they never reach the
 * screen. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "client/creds.h"
#include "client/settings.h"
#include "util.h"

struct creds {
	enum creds_backend backend;
	char *path;             /* token file */
	char *desc;
	/* memory store (also the cache of the other two) */
	char *server, *user, *token;
};

static void wipe(char **s)
{
	if (*s) {
		memset(*s, 0, strlen(*s));
		xfree(s);
	}
}

#ifdef HAVE_LIBSECRET
static const SecretSchema token_schema = {
	"uk.nhs.cqrs.Token", SECRET_SCHEMA_NONE,
	{
		{"server", SECRET_SCHEMA_ATTRIBUTE_STRING},
		{"user", SECRET_SCHEMA_ATTRIBUTE_STRING},
		{NULL, 0},
	},
	0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

static GLogWriterOutput quiet_writer(GLogLevelFlags level, const GLogField *fields,
				     gsize n_fields, gpointer ud)
{
	return G_LOG_WRITER_HANDLED;
}

static void quiet_handler(const gchar *domain, GLogLevelFlags level, const gchar *msg,
			  gpointer ud)
{
}

static void glib_quiet(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	g_log_set_writer_func(quiet_writer, NULL, NULL);
	g_log_set_default_handler(quiet_handler, NULL);
}

/* In a child: exits 0 if the Secret Service answers and its default
 * collection exists and is unlocked. */
static void probe_child(void)
{
	int devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
	}
	glib_quiet();
	GError *err = NULL;
	SecretService *svc = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, NULL, &err);
	if (!svc)
		_exit(1);
	SecretCollection *col = secret_collection_for_alias_sync(svc, SECRET_COLLECTION_DEFAULT,
								  SECRET_COLLECTION_NONE, NULL, &err);
	if (!col)
		_exit(2);
	_exit(secret_collection_get_locked(col) ? 3 : 0);
}

static bool secret_usable(int timeout_ms)
{
	const char *bus = getenv("DBUS_SESSION_BUS_ADDRESS");
	if (!bus || !*bus)
		return false;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		alarm((unsigned)(timeout_ms / 1000 + 2));
		probe_child();
	}
	int64_t deadline = mono_ms() + timeout_ms;
	int status = 0;
	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			return false;
		if (mono_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return false;
		}
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Runs one async libsecret call to completion with a deadline. */
struct secret_wait {
	bool done;
	GAsyncResult *res;
};

static void secret_ready(GObject *src, GAsyncResult *res, gpointer ud)
{
	struct secret_wait *w = ud;
	w->res = g_object_ref(res);
	w->done = true;
}

static bool secret_wait(struct secret_wait *w, GCancellable *cancel, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	while (!w->done) {
		if (mono_ms() >= deadline) {
			g_cancellable_cancel(cancel);
			/* let the cancellation complete the call */
			int64_t grace = mono_ms() + 500;
			while (!w->done && mono_ms() < grace)
				g_main_context_iteration(NULL, FALSE);
			return false;
		}
		if (!g_main_context_iteration(NULL, FALSE)) {
			struct timespec ts = {0, 2 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	return true;
}

#define SECRET_TIMEOUT_MS 2000

static char *secret_load(const char *server, char **user)
{
	GCancellable *cancel = g_cancellable_new();
	struct secret_wait w = {0};
	char *tok = NULL;
	GHashTable *attrs = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(attrs, (gpointer) "server", (gpointer)server);
	secret_service_search(NULL, &token_schema, attrs,
			      SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS, cancel,
			      secret_ready, &w);
	g_hash_table_unref(attrs);
	bool ok = secret_wait(&w, cancel, SECRET_TIMEOUT_MS);
	if (w.res) {
		GList *items = secret_service_search_finish(NULL, w.res, NULL);
		if (ok && items) {
			SecretItem *item = items->data;
			SecretValue *v = secret_item_get_secret(item);
			GHashTable *ia = secret_item_get_attributes(item);
			const char *u = ia ? g_hash_table_lookup(ia, "user") : NULL;
			if (v) {
				tok = xstrdup(secret_value_get_text(v));
				if (user)
					*user = xstrdup(u ? u : "");
				secret_value_unref(v);
			}
			if (ia)
				g_hash_table_unref(ia);
		}
		g_list_free_full(items, g_object_unref);
		g_object_unref(w.res);
	}
	g_object_unref(cancel);
	return tok;
}

static bool secret_clear(const char *server)
{
	GCancellable *cancel = g_cancellable_new();
	struct secret_wait w = {0};
	secret_password_clear(&token_schema, cancel, secret_ready, &w, "server", server, NULL);
	bool ok = secret_wait(&w, cancel, SECRET_TIMEOUT_MS);
	if (w.res) {
		secret_password_clear_finish(w.res, NULL);
		g_object_unref(w.res);
	}
	g_object_unref(cancel);
	return ok;
}

static bool secret_save(const char *server, const char *user, const char *token)
{
	secret_clear(server);
	GCancellable *cancel = g_cancellable_new();
	struct secret_wait w = {0};
	char *label = xasprintf("cqrs sign-in token for %s at %s", user, server);
	secret_password_store(&token_schema, SECRET_COLLECTION_DEFAULT, label, token, cancel,
			      secret_ready, &w, "server", server, "user", user, NULL);
	bool ok = secret_wait(&w, cancel, SECRET_TIMEOUT_MS);
	if (w.res) {
		ok = secret_password_store_finish(w.res, NULL) && ok;
		g_object_unref(w.res);
	} else {
		ok = false;
	}
	free(label);
	g_object_unref(cancel);
	return ok;
}
#endif /* HAVE_LIBSECRET */

struct creds *creds_open(bool token_file, int timeout_ms)
{
	struct creds *c = xcalloc(1, sizeof(*c));
	c->backend = CREDS_MEMORY;
	/* the file's path even when another store is used: signing out
	 * removes a token an earlier session left there */
	c->path = xdg_path("XDG_STATE_HOME", ".local/state", "token");
#ifdef HAVE_LIBSECRET
	if (secret_usable(timeout_ms)) {
		glib_quiet();
		c->backend = CREDS_SECRET;
		c->desc = xstrdup("keyring (Secret Service)");
		return c;
	}
#endif
	if (token_file) {
		if (c->path) {
			c->backend = CREDS_FILE;
			c->desc = xasprintf("file %s", c->path);
			return c;
		}
	}
	c->desc = xstrdup("memory only");
	return c;
}

void creds_close(struct creds **cp)
{
	struct creds *c = *cp;
	if (!c)
		return;
	free(c->path);
	free(c->desc);
	free(c->server);
	free(c->user);
	wipe(&c->token);
	xfree(cp);
}

enum creds_backend creds_backend(const struct creds *c)
{
	return c->backend;
}

const char *creds_describe(const struct creds *c)
{
	return c->desc;
}

/* The token file holds three lines: server, user, token. */
static char *file_load(const char *path, const char *server, char **user)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char line[3][512];
	char *tok = NULL;
	struct stat st;
	/* refuse a file others can read: someone may have copied it in */
	if (fstat(fileno(f), &st) != 0 || (st.st_mode & 077) != 0)
		goto out;
	for (int i = 0; i < 3; i++) {
		if (!fgets(line[i], sizeof(line[i]), f))
			goto out;
		line[i][strcspn(line[i], "\r\n")] = '\0';
	}
	if (strcmp(line[0], server) != 0 || !line[2][0])
		goto out;
	tok = xstrdup(line[2]);
	if (user)
		*user = xstrdup(line[1]);
out:
	memset(line, 0, sizeof(line));
	fclose(f);
	return tok;
}

static bool file_save(const char *path, const char *server, const char *user,
		      const char *token)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	char *tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	bool ok = false;
	if (slash)
		*slash = '\0';
	if (!mkdir_p(dir, 0700))
		goto out;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	fchmod(fd, 0600);
	char *text = xasprintf("%s\n%s\n%s\n", server, user, token);
	size_t len = strlen(text);
	ok = write(fd, text, len) == (ssize_t)len;
	memset(text, 0, len);
	free(text);
	ok = (close(fd) == 0) && ok;
	if (ok)
		ok = rename(tmp, path) == 0;
	if (!ok)
		unlink(tmp);
out:
	free(tmp);
	free(dir);
	return ok;
}

char *creds_load(struct creds *c, const char *server, char **user)
{
	if (c->token && c->server && strcmp(c->server, server) == 0) {
		if (user)
			*user = xstrdup(c->user ? c->user : "");
		return xstrdup(c->token);
	}
	switch (c->backend) {
	case CREDS_FILE:
		return file_load(c->path, server, user);
	case CREDS_SECRET:
#ifdef HAVE_LIBSECRET
		return secret_load(server, user);
#else
		return NULL;
#endif
	case CREDS_MEMORY:
		break;
	}
	return NULL;
}

bool creds_save(struct creds *c, const char *server, const char *user, const char *token)
{
	free(c->server);
	free(c->user);
	wipe(&c->token);
	c->server = xstrdup(server);
	c->user = xstrdup(user);
	c->token = xstrdup(token);
	switch (c->backend) {
	case CREDS_FILE:
		return file_save(c->path, server, user, token);
	case CREDS_SECRET:
#ifdef HAVE_LIBSECRET
		return secret_save(server, user, token);
#else
		return false;
#endif
	case CREDS_MEMORY:
		break;
	}
	return true;
}

/* How long signing out may wait for a keyring it did not start with. */
#define FORGET_PROBE_MS 500

void creds_forget(struct creds *c, const char *server)
{
	if (c->server && strcmp(c->server, server) == 0) {
		wipe(&c->token);
		xfree(&c->user);
		xfree(&c->server);
	}
	/* Every store the token could be in, not only the one chosen at
	 * start-up: a session with D-Bus may have signed in through the
	 * keyring and an earlier one without it through the file (or the
	 * other way round); either would sign the next session in. */
	if (c->path) {
		char *u = NULL;
		char *t = file_load(c->path, server, &u);
		if (t)
			unlink(c->path);
		wipe(&t);
		free(u);
	}
#ifdef HAVE_LIBSECRET
	if (c->backend == CREDS_SECRET || secret_usable(FORGET_PROBE_MS)) {
		glib_quiet();
		secret_clear(server);
	}
#endif
}
