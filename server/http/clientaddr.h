/* clientaddr.h: who a request is from. Its client address is the peer of
 * its connection, unless that peer is a trusted proxy (cqrsd
 * --trusted-proxy): then it is the last address of X-Forwarded-For that
 * is not itself a trusted proxy, walking from the right (each proxy
 * appends the address it was connected from, so only the entries that
 * trusted proxies wrote can be believed, and they are the rightmost).
 * Addresses are kept as 16 bytes: IPv6, with IPv4 as ::ffff:a.b.c.d. */
#ifndef CQRS_CLIENTADDR_H
#define CQRS_CLIENTADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* An address and a prefix length (an IPv4 /N is stored as /96+N). */
struct net {
	unsigned char a[16];
	unsigned bits;
};

/* ADDR or ADDR/BITS (IPv4 or IPv6; BITS at most 32 or 128). An IPv4 net
 * also matches its IPv4-mapped IPv6 form. False when it is neither. */
bool net_parse(const char *text, struct net *out);
/* One address as a proxy writes it in X-Forwarded-For: IPv4, IPv6,
 * [IPv6], [IPv6]:PORT or IPv4:PORT (len bytes of text, spaces around
 * allowed). False when it is none of these. */
bool addr_parse(const char *text, size_t len, unsigned char out[16]);
/* The address of a socket (AF_INET or AF_INET6); false for others. */
bool addr_from_sockaddr(const struct sockaddr *sa, unsigned char out[16]);
/* Text for an address: dotted IPv4 for IPv4 (and IPv4-mapped), else
 * IPv6's shortest form. outlen of 46 (INET6_ADDRSTRLEN) is enough. */
void addr_format(const unsigned char a[16], char *out, size_t outlen);
/* True when a is in one of the n nets. */
bool nets_contain(const struct net *nets, size_t n, const unsigned char a[16]);
/* The client address of a request from peer whose X-Forwarded-For lines
 * are xff (joined with commas; NULL when it sent none). From a peer that
 * is not in nets the header is ignored: anyone can send it. From a
 * trusted peer: the rightmost entry that is not in nets; when every
 * entry is, the leftmost; when the header is missing or the walk meets
 * an entry that is not an address, the peer itself. */
void client_addr(const struct net *nets, size_t n, const unsigned char peer[16], const char *xff,
		 unsigned char out[16]);

#endif
