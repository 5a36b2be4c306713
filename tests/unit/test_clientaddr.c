/* test_clientaddr.c: unit tests for a request's client address behind
 * trusted proxies (server/http/clientaddr.c): --trusted-proxy's
 * ADDRESS[/BITS] forms, the X-Forwarded-For entry forms, and the walk
 * from the right (spoofed leftmost entries, chains of trusted proxies,
 * malformed and missing headers, untrusted peers). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/http/clientaddr.h"

static struct net nets[4];
static size_t n_nets;

static void trust(const char *text)
{
	assert_true(net_parse(text, &nets[n_nets]));
	n_nets++;
}

/* The client address, as text, of a request from peer with header xff. */
static const char *client(const char *peer, const char *xff)
{
	static char out[64];
	unsigned char p[16], c[16];
	assert_true(addr_parse(peer, strlen(peer), p));
	client_addr(nets, n_nets, p, xff, c);
	addr_format(c, out, sizeof out);
	return out;
}

static bool contains(const char *addr)
{
	unsigned char a[16];
	assert_true(addr_parse(addr, strlen(addr), a));
	return nets_contain(nets, n_nets, a);
}

static void test_nets(void **state)
{
	(void)state;
	struct net n;
	assert_true(net_parse("127.0.0.1", &n));
	assert_int_equal(n.bits, 128);
	assert_true(net_parse("10.0.0.0/8", &n));
	assert_int_equal(n.bits, 104);
	assert_true(net_parse("2001:db8::/32", &n));
	assert_int_equal(n.bits, 32);
	assert_true(net_parse("::1", &n));
	assert_true(net_parse("0.0.0.0/0", &n));
	static const char *const bad[] = {"", "localhost", "10.0.0.0/33", "::/129", "10.0.0.0/",
					  "10.0.0.0/x", "10.0.0.0/-1", "10.0.0", "1.2.3.4:80",
					  "10.0.0.0/8/8", "[::1]"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_false(net_parse(bad[i], &n));

	n_nets = 0;
	trust("10.1.2.3/16"); /* host bits ignored: 10.1.0.0/16 */
	trust("2001:db8::/32");
	trust("192.0.2.7");
	assert_true(contains("10.1.255.9"));
	assert_false(contains("10.2.0.1"));
	assert_true(contains("::ffff:10.1.0.1")); /* IPv4-mapped IPv6 */
	assert_true(contains("2001:db8:ffff::1"));
	assert_false(contains("2001:db9::1"));
	assert_true(contains("192.0.2.7"));
	assert_false(contains("192.0.2.8"));
}

static void test_entries(void **state)
{
	(void)state;
	unsigned char a[16];
	char out[64];
	static const struct { const char *in, *want; } good[] = {
		{"1.2.3.4", "1.2.3.4"}, {"  1.2.3.4\t", "1.2.3.4"}, {"1.2.3.4:8080", "1.2.3.4"},
		{"2001:DB8::1", "2001:db8::1"}, {"[2001:db8::1]", "2001:db8::1"},
		{"[2001:db8::1]:443", "2001:db8::1"}, {"::ffff:1.2.3.4", "1.2.3.4"},
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		assert_true(addr_parse(good[i].in, strlen(good[i].in), a));
		addr_format(a, out, sizeof out);
		assert_string_equal(out, good[i].want);
	}
	static const char *const bad[] = {"", "unknown", "_hidden", "1.2.3", "1.2.3.4:",
					  "1.2.3.4:99999", "[1.2.3.4]", "[::1", "[::1]x",
					  "1.2.3.4 5.6.7.8", "01.2.3.4",
					  "1111:2222:3333:4444:5555:6666:7777:8888:9999"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_false(addr_parse(bad[i], strlen(bad[i]), a));
	/* len bounds the text: "1.2.3.4,x" read as its first 7 bytes */
	assert_true(addr_parse("1.2.3.4,x", 7, a));
}

static void test_walk(void **state)
{
	(void)state;
	n_nets = 0;
	trust("127.0.0.1");
	trust("10.0.0.0/8");
	/* An untrusted peer: the header is ignored, whatever it says. */
	assert_string_equal(client("192.0.2.1", "198.51.100.7"), "192.0.2.1");
	assert_string_equal(client("127.0.0.2", "198.51.100.7"), "127.0.0.2");
	/* A trusted peer without the header, or with nothing in it. */
	assert_string_equal(client("127.0.0.1", NULL), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", " , "), "127.0.0.1");
	/* HAProxy's one entry. */
	assert_string_equal(client("127.0.0.1", "198.51.100.7"), "198.51.100.7");
	/* A client's own (spoofed) entries come first: the rightmost
	 * untrusted one is the address the trusted proxy saw. */
	assert_string_equal(client("127.0.0.1", "203.0.113.9, 198.51.100.7"), "198.51.100.7");
	assert_string_equal(client("127.0.0.1", "10.9.9.9,198.51.100.7"), "198.51.100.7");
	/* A chain of trusted proxies is walked through. */
	assert_string_equal(client("127.0.0.1", "203.0.113.9, 198.51.100.7, 10.0.0.5, 10.0.0.6"),
			    "198.51.100.7");
	/* Every entry trusted: the leftmost. */
	assert_string_equal(client("127.0.0.1", "10.0.0.5, 10.0.0.6"), "10.0.0.5");
	/* Something not an address before an untrusted entry: the peer. */
	assert_string_equal(client("127.0.0.1", "198.51.100.7, unknown"), "127.0.0.1");
	assert_string_equal(client("127.0.0.1", "198.51.100.7, 10.0.0.5, garbage"), "127.0.0.1");
	/* ... but after one it is never reached. */
	assert_string_equal(client("127.0.0.1", "garbage, 198.51.100.7"), "198.51.100.7");
	/* IPv6 and ports as some proxies write them; empty list entries. */
	assert_string_equal(client("127.0.0.1", "[2001:db8::7]:51000"), "2001:db8::7");
	assert_string_equal(client("10.3.3.3", "198.51.100.7:4000,,"), "198.51.100.7");
	/* No trusted proxies at all: always the peer. */
	n_nets = 0;
	assert_string_equal(client("127.0.0.1", "198.51.100.7"), "127.0.0.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nets),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_walk),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
