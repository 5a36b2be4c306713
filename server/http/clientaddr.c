/* clientaddr.c: a request's client address behind trusted proxies
 * (clientaddr.h). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http/clientaddr.h"

static const unsigned char v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static void from_v4(const void *in4, unsigned char out[16])
{
	memcpy(out, v4_prefix, 12);
	memcpy(out + 12, in4, 4);
}

static bool is_v4(const unsigned char a[16])
{
	return memcmp(a, v4_prefix, 12) == 0;
}

/* An address alone (no port, no brackets), nul-terminated. */
static bool parse_plain(const char *s, unsigned char out[16], bool *v4)
{
	struct in_addr a4;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		from_v4(&a4, out);
		*v4 = true;
		return true;
	}
	*v4 = false;
	return inet_pton(AF_INET6, s, out) == 1;
}

/* True when s (len bytes) is a port number. */
static bool is_port(const char *s, size_t len)
{
	if (len == 0 || len > 5)
		return false;
	unsigned long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v <= 65535;
}

bool addr_parse(const char *text, size_t len, unsigned char out[16])
{
	while (len && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= 64)
		return false;
	char s[64];
	memcpy(s, text, len);
	s[len] = '\0';
	bool v4;
	if (s[0] == '[') { /* [IPv6] or [IPv6]:PORT */
		char *close = strchr(s, ']');
		if (!close || (close[1] && (close[1] != ':' || !is_port(close + 2, strlen(close + 2)))))
			return false;
		*close = '\0';
		return parse_plain(s + 1, out, &v4) && !v4;
	}
	char *colon = strchr(s, ':');
	if (colon && !strchr(colon + 1, ':')) { /* IPv4:PORT */
		if (!is_port(colon + 1, strlen(colon + 1)))
			return false;
		*colon = '\0';
		return parse_plain(s, out, &v4) && v4;
	}
	return parse_plain(s, out, &v4);
}

bool net_parse(const char *text, struct net *out)
{
	char s[64];
	size_t len = strlen(text);
	if (len == 0 || len >= sizeof s)
		return false;
	memcpy(s, text, len + 1);
	char *slash = strchr(s, '/');
	long bits = -1;
	if (slash) {
		char *end = NULL;
		*slash = '\0';
		if (slash[1] < '0' || slash[1] > '9')
			return false;
		bits = strtol(slash + 1, &end, 10);
		if (*end)
			return false;
	}
	bool v4;
	memset(out, 0, sizeof *out);
	if (!parse_plain(s, out->a, &v4))
		return false;
	long max = v4 ? 32 : 128;
	if (bits < 0)
		bits = max;
	if (bits > max)
		return false;
	out->bits = (unsigned)(v4 ? bits + 96 : bits);
	/* The host bits are cleared, so 10.1.2.3/8 means 10.0.0.0/8. */
	for (unsigned i = out->bits; i < 128; i++)
		out->a[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
	return true;
}

bool addr_from_sockaddr(const struct sockaddr *sa, unsigned char out[16])
{
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		from_v4(&((const struct sockaddr_in *)(const void *)sa)->sin_addr, out);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

void addr_format(const unsigned char a[16], char *out, size_t outlen)
{
	const char *ok = is_v4(a) ? inet_ntop(AF_INET, a + 12, out, (socklen_t)outlen)
				  : inet_ntop(AF_INET6, a, out, (socklen_t)outlen);
	if (!ok && outlen)
		snprintf(out, outlen, "?");
}

static bool net_contains(const struct net *n, const unsigned char a[16])
{
	unsigned whole = n->bits / 8, rest = n->bits % 8;
	if (memcmp(n->a, a, whole) != 0)
		return false;
	if (!rest)
		return true;
	unsigned char mask = (unsigned char)(0xffu << (8 - rest));
	return (a[whole] & mask) == n->a[whole];
}

bool nets_contain(const struct net *nets, size_t n, const unsigned char a[16])
{
	for (size_t i = 0; i < n; i++)
		if (net_contains(&nets[i], a))
			return true;
	return false;
}

void client_addr(const struct net *nets, size_t n, const unsigned char peer[16], const char *xff,
		 unsigned char out[16])
{
	memcpy(out, peer, 16);
	if (!xff || !nets_contain(nets, n, peer))
		return;
	/* Walk the entries from the right. Empty ones (", ,") are skipped,
	 * as HTTP lists allow. */
	const char *end = xff + strlen(xff);
	bool any = false;
	unsigned char a[16];
	while (end > xff) {
		const char *start = end;
		while (start > xff && start[-1] != ',')
			start--;
		size_t len = (size_t)(end - start);
		size_t blank = 0;
		while (blank < len && (start[blank] == ' ' || start[blank] == '\t'))
			blank++;
		if (blank < len) {
			if (!addr_parse(start, len, a)) {
				memcpy(out, peer, 16); /* not an address: believe nothing */
				return;
			}
			memcpy(out, a, 16);
			any = true;
			if (!nets_contain(nets, n, a))
				return;
		}
		end = start > xff ? start - 1 : xff;
	}
	if (!any)
		memcpy(out, peer, 16);
}
