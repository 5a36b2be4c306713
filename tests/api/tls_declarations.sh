#!/bin/sh
# tls_declarations.sh: the declarations API tests again, over HTTPS: with
# CQRS_TEST_TLS=1 the harness makes a test CA and a server certificate,
# starts cqrsd with --tls-cert and --tls-key and trusts only that CA.
# Any API test program can be run this way except test_http, which also
# speaks raw bytes on plain sockets.
CQRS_TEST_TLS=1
export CQRS_TEST_TLS
exec ./tests/api/test_declarations "$@"
