/* mailer.c: the outbox delivery thread: RFC 5322 messages over SMTP. */
#include "config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/mailer.h"
#include "server/store/store.h"
#include "util.h"

static struct {
	struct store *store;
	char *url;
	char *from;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	bool running;
} m = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;
	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return n;
}

/* Builds the RFC 5322 message text (caller frees). */
static char *message(const struct mail *mail, const char *from)
{
	char date[64];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "Date: %s\r\nFrom: CQRS National <%s>\r\nTo: <%s>\r\n", date, from, mail->to);
	buf_printf(&b, "Subject: %s\r\nMessage-ID: <cqrs-%lld-%lld@%s>\r\n", mail->subject,
		   (long long)mail->id, (long long)t, strchr(from, '@') ? strchr(from, '@') + 1 :
		   "localhost");
	buf_printf(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		   "Content-Transfer-Encoding: 8bit\r\nX-CQRS-Kind: %s\r\n\r\n", mail->kind);
	/* Body lines end CRLF; a line that starts with a dot is doubled
	 * (libcurl does the SMTP dot-stuffing itself since 7.x, so only
	 * normalise line ends here). */
	for (const char *p = mail->body; *p; p++) {
		if (*p == '\n' && (p == mail->body || p[-1] != '\r'))
			buf_putc(&b, '\r');
		buf_putc(&b, *p);
	}
	buf_puts(&b, "\r\n");
	return buf_steal(&b);
}

static bool deliver(CURL *curl, const struct mail *mail, char *err, size_t errlen)
{
	char *text = message(mail, m.from);
	struct upload u = {text, strlen(text), 0};
	struct curl_slist *rcpt = NULL;
	char *to = xasprintf("<%s>", mail->to);
	char *from = xasprintf("<%s>", m.from);
	rcpt = curl_slist_append(rcpt, to);
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, m.url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(curl);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", *ebuf ? ebuf : curl_easy_strerror(rc));
	curl_slist_free_all(rcpt);
	free(to);
	free(from);
	free(text);
	return rc == CURLE_OK;
}

static void *run(void *arg)
{
	CURL *curl = curl_easy_init();
	struct db *db = store_db(m.store);
	for (;;) {
		pthread_mutex_lock(&m.lock);
		if (m.stop) {
			pthread_mutex_unlock(&m.lock);
			break;
		}
		pthread_mutex_unlock(&m.lock);
		struct mail *mails = NULL;
		size_t n = 0;
		if (curl && store_outbox_pending(db, now_s(), 20, &mails, &n) == ST_OK) {
			for (size_t i = 0; i < n; i++) {
				char err[300] = "";
				if (deliver(curl, &mails[i], err, sizeof err)) {
					store_outbox_sent(db, mails[i].id, now_s());
				} else {
					int a = mails[i].attempts + 1;
					/* 2, 4, 8 ... seconds, at most an hour. */
					int64_t wait = 1LL << (a < 12 ? a : 12);
					if (wait > 3600)
						wait = 3600;
					store_outbox_failed(db, mails[i].id, now_s() + wait, err);
					fprintf(stderr, "cqrsd: mail to %s delayed (attempt %d): %s\n",
						mails[i].to, a, err);
				}
			}
		}
		free(mails);
		/* Sleep a second, or until woken to stop. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_mutex_lock(&m.lock);
		if (!m.stop)
			pthread_cond_timedwait(&m.cond, &m.lock, &ts);
		pthread_mutex_unlock(&m.lock);
	}
	if (curl)
		curl_easy_cleanup(curl);
	return NULL;
}

bool mailer_start(struct store *store, const char *smtp_url, const char *from)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return false;
	m.store = store;
	m.url = xstrdup(smtp_url);
	m.from = xstrdup(from);
	m.stop = false;
	if (pthread_create(&m.thread, NULL, run, NULL) != 0)
		return false;
	m.running = true;
	return true;
}

void mailer_stop(void)
{
	if (!m.running)
		return;
	pthread_mutex_lock(&m.lock);
	m.stop = true;
	pthread_cond_signal(&m.cond);
	pthread_mutex_unlock(&m.lock);
	pthread_join(m.thread, NULL);
	m.running = false;
	xfree(&m.url);
	xfree(&m.from);
}
