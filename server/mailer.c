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
#include "password.h"
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

/* A header value on one line: CR, LF and other control characters (a
 * header injection, or a stray tab) become spaces. Returns a new string. */
static char *header_clean(const char *v)
{
	char *out = xstrdup(v ? v : "");
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return out;
}

static void base64(struct buf *b, const unsigned char *p, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		buf_putc(b, al[v >> 18 & 63]);
		buf_putc(b, al[v >> 12 & 63]);
		buf_putc(b, i + 1 < n ? al[v >> 6 & 63] : '=');
		buf_putc(b, i + 2 < n ? al[v & 63] : '=');
	}
}

/* Appends a header value as RFC 5322 allows: printable ASCII as it is;
 * anything else (UTF-8, or text that looks like an encoded-word) as RFC
 * 2047 encoded-words "=?UTF-8?B?...?=", each at most 75 characters, cut
 * between UTF-8 characters and folded onto continuation lines. Control
 * characters never reach the header (header_clean). */
static void header_value(struct buf *b, const char *value)
{
	char *v = header_clean(value);
	bool plain = !strstr(v, "=?");
	for (const char *p = v; plain && *p; p++)
		plain = (unsigned char)*p < 0x80;
	if (plain) {
		buf_puts(b, v);
		free(v);
		return;
	}
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v);
	bool first = true;
	while (n) {
		size_t k = n < 45 ? n : 45; /* 45 bytes: 60 base64 characters */
		while (k < n && k > 1 && (p[k] & 0xc0) == 0x80)
			k--;
		if (!first)
			buf_puts(b, "\r\n ");
		buf_puts(b, "=?UTF-8?B?");
		base64(b, p, k);
		buf_puts(b, "?=");
		p += k;
		n -= k;
		first = false;
	}
	free(v);
}

char *mailer_message(const struct mail *mail, const char *from, int64_t when)
{
	char date[64];
	time_t t = (time_t)when;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	char *to = header_clean(mail->to), *sender = header_clean(from);
	char *kind = header_clean(mail->kind);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "Date: %s\r\nFrom: ", date);
	header_value(&b, "CQRS National");
	buf_printf(&b, " <%s>\r\nTo: <%s>\r\nSubject: ", sender, to);
	header_value(&b, mail->subject);
	buf_printf(&b, "\r\nMessage-ID: <cqrs-%lld-%lld@%s>\r\n", (long long)mail->id,
		   (long long)t, strchr(sender, '@') ? strchr(sender, '@') + 1 : "localhost");
	buf_printf(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		   "Content-Transfer-Encoding: 8bit\r\nX-CQRS-Kind: %s\r\n\r\n", kind);
	free(to);
	free(sender);
	free(kind);
	/* Body lines end CRLF (libcurl does the SMTP dot-stuffing). */
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
	char *text = mailer_message(mail, m.from, (int64_t)time(NULL));
	struct upload u = {text, strlen(text), 0};
	struct curl_slist *rcpt = NULL;
	char *to_c = header_clean(mail->to), *from_c = header_clean(m.from);
	char *to = xasprintf("<%s>", to_c);
	char *from = xasprintf("<%s>", from_c);
	free(to_c);
	free(from_c);
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

static int password_max_age;

void mailer_password_max_age(int days)
{
	password_max_age = days;
}

/* The expiry warnings due now (see mailer.h). */
static enum st expiry_tx(struct db *db, void *arg)
{
	(void)arg;
	return store_password_expiry_warn(db, (int64_t)password_max_age * 86400,
		(int64_t)PASSWORD_WARN_DAYS * 86400, wall_s(),
		"CQRS: your password expires on %s",
		"Dear %s,\n\n"
		"The password of your CQRS account %s expires on %s.\n\n"
		"Change it before then in the client: My Account > Change password.\n"
		"After that date you can set a new one with \"Forgotten password\" on the\n"
		"sign-in screen.\n");
}

static void *run(void *arg)
{
	int64_t last_sweep = -60000;
	CURL *curl = curl_easy_init();
	struct db *db = store_db(m.store);
	for (;;) {
		pthread_mutex_lock(&m.lock);
		if (m.stop) {
			pthread_mutex_unlock(&m.lock);
			break;
		}
		pthread_mutex_unlock(&m.lock);
		if (password_max_age > 0 && mono_ms() - last_sweep >= 60000) {
			last_sweep = mono_ms();
			if (store_tx(db, true, expiry_tx, NULL) != ST_OK)
				fprintf(stderr, "cqrsd: password expiry warnings: not queued; trying later\n");
		}
		struct mail *mails = NULL;
		size_t n = 0;
		/* A claim lasts longer than 20 deliveries can take (curl gives
		 * each at most 70 s). */
		if (curl && store_outbox_claim(db, now_s(), 20 * 70 + 60, 20, &mails, &n) == ST_OK) {
			for (size_t i = 0; i < n; i++) {
				char err[300] = "";
				if (deliver(curl, &mails[i], err, sizeof err)) {
					/* Not recorded (busy): sent again later, a
					 * duplicate rather than a loss. */
					if (store_outbox_sent(db, mails[i].id, now_s()) != ST_OK)
						fprintf(stderr, "cqrsd: mail %lld sent but not marked sent;"
							" it may be sent twice\n", (long long)mails[i].id);
				} else {
					int a = mails[i].attempts + 1;
					/* 2, 4, 8 ... seconds, at most an hour. */
					int64_t wait = 1LL << (a < 12 ? a : 12);
					if (wait > 3600)
						wait = 3600;
					if (store_outbox_failed(db, mails[i].id, now_s() + wait, err) !=
					    ST_OK)
						fprintf(stderr, "cqrsd: mail %lld: cannot record the failure\n",
							(long long)mails[i].id);
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
