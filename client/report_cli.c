/* report_cli.c: `cqrs report`, a report without the full screen (see
 * report_cli.h): the stored token, or a password asked on the terminal;
 * the server's CSV or JSON written to standard output as it arrives
 * (api_download), the catalogue for --list. No curses. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "client/calls.h"
#include "client/report_cli.h"
#include "util.h"

struct answer {
	bool done;
	enum api_outcome outcome;
	long status;
	json_t *json;           /* owned */
	char *code, *message;   /* owned */
};

static void on_answer(void *ud, const struct api_response *r)
{
	struct answer *a = ud;
	a->done = true;
	a->outcome = r->outcome;
	a->status = r->status;
	a->json = json_incref(r->json);
	a->code = xstrdup(r->err_code ? r->err_code : "");
	a->message = xstrdup(r->err_message ? r->err_message : "");
}

static void answer_free(struct answer *a)
{
	json_decref(a->json);
	free(a->code);
	free(a->message);
	memset(a, 0, sizeof(*a));
}

/* Runs call (to out when out is not NULL) and waits for its answer. */
static void sync_call(struct api *api, struct api_call c, FILE *out, struct answer *a)
{
	memset(a, 0, sizeof(*a));
	if (out)
		api_download(api, c.path, out, on_answer, a, a);
	else
		api_request(api, c.method, c.path, c.body, false, on_answer, a, a);
	c.body = NULL;
	api_call_free(&c);
	while (!a->done) {
		api_wait(api, -1, -1, 1000);
		api_run(api);
	}
}

/* The exit status and message of a failed answer; what names the step. */
static int failed(const struct answer *a, const char *server, const char *what)
{
	if (a->outcome == API_NET_ERROR) {
		fprintf(stderr, "cqrs: %s: cannot reach the server at %s (%s)\n", what, server,
			a->message);
		return REPORT_EXIT_UNREACHABLE;
	}
	const char *field = json_string_value(json_object_get(json_object_get(a->json, "error"),
							      "field"));
	fprintf(stderr, "cqrs: %s: %s%s%s%s\n", what, a->message[0] ? a->message :
		"the server answered with an error", field ? " (parameter " : "",
		field ? field : "", field ? ")" : "");
	if (a->status == 401) {
		fputs("cqrs: not signed in: sign in with `cqrs` (or run this on a terminal to be "
		      "asked for the password)\n", stderr);
		return REPORT_EXIT_REFUSED;
	}
	if (a->status == 403)
		return REPORT_EXIT_REFUSED;
	if (a->status == 400 || a->status == 404)
		return REPORT_EXIT_USAGE;
	return 1;
}

/* Reads a line from the terminal, without echo when secret. */
static char *ask(FILE *tty, const char *prompt, bool secret)
{
	struct termios old, raw;
	int fd = fileno(tty);
	fputs(prompt, tty);
	fflush(tty);
	bool quiet = secret && tcgetattr(fd, &old) == 0;
	if (quiet) {
		raw = old;
		raw.c_lflag &= (tcflag_t)~ECHO;
		tcsetattr(fd, TCSAFLUSH, &raw);
	}
	char line[256];
	char *got = fgets(line, sizeof line, tty);
	if (quiet) {
		tcsetattr(fd, TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	if (!got)
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	char *s = xstrdup(line);
	memset(line, 0, sizeof line);
	return s;
}

/* Signs in with a password asked on the terminal; the token is stored as
 * the full-screen client stores it. Returns 0 or the exit status. */
static int sign_in(struct api *api, struct creds *creds, const char *server,
		   const char *saved_user)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	FILE *tty = fd >= 0 ? fdopen(fd, "r+") : NULL;
	if (!tty) {
		if (fd >= 0)
			close(fd);
		fputs("cqrs: not signed in and no terminal to ask for the password: sign in with "
		      "`cqrs` first (the token is stored)\n", stderr);
		return REPORT_EXIT_REFUSED;
	}
	char *prompt = saved_user ? xasprintf("User ID [%s]: ", saved_user) : xstrdup("User ID: ");
	char *user = ask(tty, prompt, false);
	free(prompt);
	if (user && !user[0] && saved_user) {
		free(user);
		user = xstrdup(saved_user);
	}
	char *password = user ? ask(tty, "Password: ", true) : NULL;
	fclose(tty);
	if (!user || !password || !user[0]) {
		free(user);
		free(password);
		fputs("cqrs: not signed in\n", stderr);
		return REPORT_EXIT_REFUSED;
	}
	struct answer a;
	sync_call(api, call_sign_in(user, password), NULL, &a);
	memset(password, 0, strlen(password));
	free(password);
	int rc = 0;
	const char *token = json_string_value(json_object_get(a.json, "token"));
	if (a.outcome == API_HTTP && a.status == 201 && token) {
		api_set_token(api, token);
		if (creds && !creds_save(creds, server, user, token))
			fprintf(stderr, "cqrs: the sign-in could not be stored (%s)\n",
				creds_describe(creds));
	} else {
		rc = failed(&a, server, "signing in");
		if (a.status == 401)
			rc = REPORT_EXIT_REFUSED;
	}
	free(user);
	answer_free(&a);
	return rc;
}

static void usage(FILE *f)
{
	fputs("Usage: cqrs [--server URL] report NAME [--param KEY=VALUE]... [--format csv|json]\n"
	      "       cqrs [--server URL] report --list\n"
	      "Runs a report and writes it to standard output (CSV by default). Exit status:\n"
	      "0 done, 2 bad parameters or usage, 3 not signed in or refused, 4 server\n"
	      "unreachable. See cqrs(1).\n", f);
}

/* Prints the catalogue: each report, its purpose and its parameters. */
static void print_list(json_t *reports)
{
	size_t i, k, c;
	json_t *r, *p, *ch;
	json_array_foreach(reports, i, r) {
		const char *tab = json_string_value(json_object_get(r, "tab"));
		printf("%s  %s%s%s\n", json_string_value(json_object_get(r, "name")),
		       json_string_value(json_object_get(r, "title")),
		       tab && strcmp(tab, "hidden") == 0 ? " (opened from another report)" : "",
		       tab && strcmp(tab, "administrative") == 0 ? " (administrative)" : "");
		printf("    %s\n", json_string_value(json_object_get(r, "purpose")));
		json_array_foreach(json_object_get(r, "params"), k, p) {
			const char *def = json_string_value(json_object_get(p, "default"));
			printf("    --param %s=...  %s (%s%s%s%s)\n",
			       json_string_value(json_object_get(p, "key")),
			       json_string_value(json_object_get(p, "label")),
			       json_string_value(json_object_get(p, "type")),
			       json_is_true(json_object_get(p, "required")) ? ", required" : "",
			       def ? ", default " : "", def ? def : "");
			json_t *choices = json_object_get(p, "choices");
			json_array_foreach(choices, c, ch) {
				if (c == 8) {
					printf("        ... and %zu more\n", json_array_size(choices) - 8);
					break;
				}
				printf("        %s  %s\n", json_string_value(json_object_get(ch, "value")),
				       json_string_value(json_object_get(ch, "label")));
			}
		}
	}
}

int report_cli(struct api *api, struct creds *creds, const char *server, const char *saved_user,
	       int argc, char **argv)
{
	const char *name = NULL, *format = "csv";
	bool list = false;
	json_t *params = json_object();
	int rc = REPORT_EXIT_USAGE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;
		if (strcmp(a, "--list") == 0) {
			list = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (strcmp(a, "--param") == 0 || strcmp(a, "-p") == 0 ||
			   str_has_prefix(a, "--param=")) {
			v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
			const char *eq = v ? strchr(v, '=') : NULL;
			if (!eq || eq == v) {
				fprintf(stderr, "cqrs: report: --param takes KEY=VALUE, not \"%s\"\n",
					v ? v : "");
				goto out;
			}
			char *key = xstrndup(v, (size_t)(eq - v));
			json_object_set_new(params, key, json_string(eq + 1));
			free(key);
		} else if (strcmp(a, "--format") == 0 || str_has_prefix(a, "--format=")) {
			format = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : "");
			if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
				fprintf(stderr, "cqrs: report: --format is csv or json, not \"%s\"\n",
					format);
				goto out;
			}
		} else if (a[0] == '-') {
			fprintf(stderr, "cqrs: report: unknown option \"%s\"\n", a);
			usage(stderr);
			goto out;
		} else if (!name) {
			name = a;
		} else {
			fprintf(stderr, "cqrs: report: one report at a time (\"%s\" and \"%s\")\n", name,
				a);
			goto out;
		}
	}
	if (list == (name != NULL)) {
		fputs(list ? "cqrs: report: --list takes no report name\n" :
		      "cqrs: report: which report? (cqrs report --list shows them)\n", stderr);
		usage(stderr);
		goto out;
	}
	/* The stored token (or none); a 401 asks for the password on the
	 * terminal once and tries again. */
	struct answer ans;
	struct report_q q = {.name = name, .params = params, .format = format};
	for (int attempt = 0;; attempt++) {
		if (list)
			sync_call(api, call_reports(), NULL, &ans);
		else
			sync_call(api, call_report(&q), stdout, &ans);
		if (attempt || ans.outcome != API_HTTP || ans.status != 401)
			break;
		answer_free(&ans);
		rc = sign_in(api, creds, server, saved_user);
		if (rc)
			goto out;
	}
	if (ans.outcome == API_HTTP && ans.status == 200) {
		if (list)
			print_list(json_object_get(ans.json, "reports"));
		rc = fflush(stdout) == 0 ? 0 : 1;
	} else {
		char *what = list ? xstrdup("the reports") : xasprintf("report %s", name);
		rc = failed(&ans, server, what);
		if (!list && ans.status == 404)
			fprintf(stderr, "cqrs: cqrs report --list shows the reports you may run\n");
		free(what);
	}
	answer_free(&ans);
out:
	json_decref(params);
	return rc;
}
