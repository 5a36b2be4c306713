/* test_mail.c: e-mail notifications end to end: a declaration leaves an
 * e-mail for the approver in the outbox; cqrsd delivers it over SMTP to a
 * listener on loopback once the relay is up (a relay that is down delays
 * delivery without losing the message); and a user who turns a kind of
 * notification off in My Account gets no more of them. Every wait is for
 * an event with a deadline: a line in the server's log, or a message
 * arriving at the listener (which wakes the waiting test). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#include "smtpd.h"

static json_int_t first_declaration(struct server *s, const char *token, const char *status)
{
	struct http_resp r;
	char path[128];
	snprintf(path, sizeof path, "/api/v1/declarations?status=%s", status);
	http_get(s, path, token, &r);
	json_int_t id = 0;
	json_t *list = r.json ? json_object_get(r.json, "declarations") : NULL;
	if (json_array_size(list))
		id = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
	http_resp_free(&r);
	return id;
}

/* Declares id with every checklist item ticked; returns the HTTP status. */
static long declare(struct server *s, const char *token, json_int_t id)
{
	struct http_resp r;
	char path[96];
	snprintf(path, sizeof path, "/api/v1/declarations/%lld", (long long)id);
	http_get(s, path, token, &r);
	json_t *ticked = json_array();
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(r.json, "checklist"), i, item)
		json_array_append(ticked, json_object_get(item, "id"));
	json_t *body = json_pack("{s:O, s:o, s:s}", "version", json_object_get(r.json, "version"),
				 "ticked", ticked, "notes", "checked by the mail test");
	http_resp_free(&r);
	char *text = json_dumps(body, 0);
	json_decref(body);
	snprintf(path, sizeof path, "/api/v1/declarations/%lld/declare", (long long)id);
	http_send(s, "POST", path, token, text, &r);
	free(text);
	long st = r.status;
	if (st != 200)
		diag_resp(&r);
	http_resp_free(&r);
	return st;
}

int main(void)
{
	harness_timeout(120);
	tap_plan(9);
	int port = free_port();
	char url[64];
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
	const char *args[] = {"--smtp-url", url, "--mail-from", "cqrs@test.nhs.uk", NULL};
	struct server s;
	if (!server_start(&s, args, 30))
		tap_bail("cqrsd did not start");

	char *practice = sign_in(&s, "demo.practice", "Terminal-2025", NULL);
	char *approver = sign_in(&s, "demo.approver", "Terminal-2025", NULL);
	if (!practice || !approver)
		tap_bail("demo users cannot sign in");
	json_int_t id = first_declaration(&s, practice, "AWAITING_PROVIDER");
	tap_ok(id > 0, "the demo practice has an achievement awaiting declaration");
	tap_ok(declare(&s, practice, id) == 200, "demo.practice declares it through the checklist");

	/* The relay is down: the message waits, and the server says so. */
	tap_ok(wait_log(&s, 20, "delayed"), "with the relay down, delivery is delayed (logged)");
	tap_ok(smtp_count() == 0, "nothing was delivered while the relay was down");

	if (!smtp_listen(port))
		tap_bail("cannot listen on %d", port);
	char *m = wait_mail(20, "sarah.okafor@nhs.net", "Subject: Declaration awaiting approval");
	tap_ok(m != NULL, "once the relay is up the approver's e-mail arrives");
	tap_ok(m && strstr(m, "From: CQRS National <cqrs@test.nhs.uk>") && strstr(m, "Date: ") &&
	       strstr(m, "Message-ID: <") && strstr(m, "charset=utf-8"),
	       "it is an RFC 5322 message (Date, From, Message-ID, UTF-8 body)");
	if (m)
		tap_diag("%.600s", m);
	/* What the declaration is ("The Densham Surgery (A81001), ..."): the
	 * e-mails about it name it in their subject. */
	const char *subj = m ? strstr(m, "Subject: Declaration awaiting approval: ") : NULL;
	char *what = subj ? xstrndup(subj + 40, strcspn(subj + 40, "\r\n")) : xstrdup("?");
	char *due_subject = xasprintf("Subject: Declaration due: %s", what);
	free(m);

	/* The approver turns declaration e-mails off in My Account. */
	struct http_resp r;
	http_send(&s, "PUT", "/api/v1/me/notifications", approver,
		  "{\"DECLARATION_APPROVAL\": false}", &r);
	bool off = false;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(r.json, "preferences"), i, p)
		if (!strcmp(jstr(p, "kind"), "DECLARATION_APPROVAL"))
			off = json_is_false(json_object_get(p, "enabled"));
	tap_ok(r.status == 200 && off, "the approver turns 'awaits my approval' e-mails off");
	http_resp_free(&r);

	/* Return it (the practice is e-mailed), declare again: no new
	 * e-mail for the approver this time. */
	char body[160];
	snprintf(body, sizeof body, "{\"action\": \"return\", \"declarations\": [%lld],"
		 " \"reason\": \"recount\"}", (long long)id);
	long long last = newest_mail();
	http_send(&s, "POST", "/api/v1/declarations/actions", approver, body, &r);
	http_resp_free(&r);
	tap_ok(wait_for_mail(20, "RCPT TO:<priya.shah@nhs.net>", due_subject, 1, last, NULL),
	       "returning it e-mails the practice's declarer");
	int before = count_mail("RCPT TO:<sarah.okafor@nhs.net>", "Subject: Declaration awaiting approval");
	last = newest_mail();
	long declared = declare(&s, practice, id);
	/* The outbox goes out in the order it was written (new messages at
	 * once; the demo's older ones may come later, after their back-off):
	 * once a message queued after the declaration has arrived, an e-mail
	 * the declaration queued for the approver would have arrived before
	 * it. Returning the declaration once more queues one for the practice. */
	http_send(&s, "POST", "/api/v1/declarations/actions", approver, body, &r);
	long returned = r.status;
	http_resp_free(&r);
	bool later = wait_for_mail(20, "RCPT TO:<priya.shah@nhs.net>", due_subject, 1, last, NULL);
	if (declared != 200 || returned != 200 || !later)
		tap_diag("declared again: %ld, returned again: %ld, the later e-mail %s", declared,
			 returned, later ? "arrived" : "did not arrive");
	int after = count_mail("RCPT TO:<sarah.okafor@nhs.net>", "Subject: Declaration awaiting approval");
	tap_ok(before == 1 && after == before && later,
	       "with the preference off, declaring again e-mails the approver nothing");

	free(what);
	free(due_subject);
	free(practice);
	free(approver);
	server_stop(&s, 10, tap_failed() > 0);
	return tap_done();
}
