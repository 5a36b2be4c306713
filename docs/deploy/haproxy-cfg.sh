#!/bin/sh
# haproxy-cfg.sh: prints an HAProxy configuration for N cqrsd made from
# the template docs/deploy/haproxy.cfg (beside this script, or $TEMPLATE):
#     haproxy-cfg.sh LISTEN ADDRESS...
# LISTEN is HAProxy's bind address (HOST:PORT); each ADDRESS (HOST:PORT) a
# cqrsd. @LISTEN@ is replaced by LISTEN; the line holding @ADDRESS@ is
# repeated once per ADDRESS, with @N@ its number from 1.
set -eu
if [ $# -lt 2 ]; then
	echo "usage: $0 LISTEN ADDRESS..." >&2
	exit 2
fi
template=${TEMPLATE:-$(dirname "$0")/haproxy.cfg}
listen=$1
shift
awk -v listen="$listen" -v addrs="$*" '
	{ gsub(/@LISTEN@/, listen) }
	/@ADDRESS@/ {
		n = split(addrs, a, " ")
		for (i = 1; i <= n; i++) {
			line = $0
			gsub(/@N@/, i, line)
			gsub(/@ADDRESS@/, a[i], line)
			print line
		}
		next
	}
	{ print }
' "$template"
