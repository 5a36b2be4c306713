#!/bin/sh
# cluster.sh: a throwaway PostgreSQL cluster for the tests.
#
#   tests/pg/cluster.sh start DIR   initdb in DIR/data, start postgres
#                                   listening only on a Unix socket in DIR,
#                                   print the libpq conninfo base
#                                   "host=DIR port=N user=U" and exit 0
#   tests/pg/cluster.sh stop DIR    stop that postgres and remove DIR
#
# DIR must be absent or an empty directory; it should be short (a Unix
# socket path is at most 107 bytes) and must not contain spaces or quotes.
# The cluster is for tests only: trust authentication, no TCP, fsync and
# full-page writes off. When run as root, initdb and postgres (which refuse
# to run as root) run as the `postgres` system user the Debian package
# creates, or as `nobody`, and DIR is chowned to that user; DIR's parent
# must let that user in (/tmp does).
#
# CQRS_PG_SHARED_BUFFERS sets shared_buffers (default 16MB).
# Binaries: $CQRS_PG_BINDIR when set, else `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin,
# else initdb on PATH. Exit status 77 (automake's "skipped") when there is
# no initdb, postgres and pg_ctl; 1 on any other failure, after stopping
# what it started and removing DIR. Every step has a time limit.
set -u

me=cluster.sh
die() {
	echo "$me: $*" >&2
	exit 1
}

# How long initdb, a start and a stop may take (seconds).
INITDB_TIMEOUT=${CQRS_PG_INITDB_TIMEOUT:-120}
START_TIMEOUT=${CQRS_PG_START_TIMEOUT:-60}
STOP_TIMEOUT=${CQRS_PG_STOP_TIMEOUT:-30}
# The socket's name: .s.PGSQL.PORT in DIR. Nothing else can use DIR, so
# any port number is free there.
PORT=${CQRS_PG_PORT:-5432}
MARK=.cqrs-pg-cluster
# Shared buffers: small for the tests; a benchmark on national data
# (bench/national) asks for more.
SHARED_BUFFERS=${CQRS_PG_SHARED_BUFFERS:-16MB}

# Sets BINDIR; false when the server programs are not installed.
locate_bindir() {
	d=""
	if [ -n "${CQRS_PG_BINDIR:-}" ]; then
		d=$CQRS_PG_BINDIR
	elif command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null) || d=""
		[ -n "$d" ] && [ -x "$d/initdb" ] || d=""
	fi
	if [ -z "$d" ]; then
		for c in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
			if [ -x "$c/initdb" ]; then
				d=$c
				break
			fi
		done
	fi
	if [ -z "$d" ] && command -v initdb >/dev/null 2>&1; then
		d=$(dirname "$(command -v initdb)")
	fi
	BINDIR=$d
	[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && [ -x "$d/pg_ctl" ]
}

# The user postgres runs as, and how to run a command as it.
pick_user() {
	if [ "$(id -u)" -eq 0 ]; then
		if id postgres >/dev/null 2>&1; then
			RUNAS=postgres
		elif id nobody >/dev/null 2>&1; then
			RUNAS=nobody
		else
			die "running as root and there is neither a postgres nor a nobody user to run PostgreSQL as"
		fi
	else
		RUNAS=$(id -un)
	fi
}

# as_user CMD...: runs CMD as $RUNAS (directly when that is us), from DIR
# (initdb and postgres must be able to read their working directory).
as_user() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd "$DIR" && exec runuser -u "$RUNAS" -- "$@")
	else
		(cd "$DIR" && exec "$@")
	fi
}

# check_dir DIR: an absolute path we can use for a socket.
check_dir() {
	case $1 in
	/*) ;;
	*) die "DIR must be an absolute path: $1" ;;
	esac
	case $1 in
	*[!A-Za-z0-9/._+-]*) die "DIR may hold only letters, digits and / . _ + -: $1" ;;
	esac
	if [ $((${#1} + 20)) -gt 107 ]; then
		die "DIR is too long for a Unix socket path (${#1} bytes): $1"
	fi
}

# The postmaster's process id from DIR/data/postmaster.pid, or nothing.
postmaster_pid() {
	[ -f "$DIR/data/postmaster.pid" ] && head -n 1 "$DIR/data/postmaster.pid" 2>/dev/null
}

# True while process $1 runs (a zombie waiting for its reaper is gone).
alive() {
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $st in
	'' | Z*) return 1 ;;
	esac
	return 0
}

# Stops the cluster in DIR (fast: immediate shutdown, nothing to keep),
# SIGKILL when pg_ctl cannot, then removes DIR when it is ours.
stop_cluster() {
	if [ -f "$DIR/data/postmaster.pid" ]; then
		pid=$(postmaster_pid)
		as_user timeout --kill-after=5 "$STOP_TIMEOUT" \
			"$BINDIR/pg_ctl" -D "$DIR/data" -m immediate -w -t "$STOP_TIMEOUT" stop \
			>>"$DIR/stop.log" 2>&1 || :
		case $pid in
		'' | *[!0-9]*) ;;
		*)
			if alive "$pid"; then
				echo "$me: postgres (pid $pid) did not stop; killing it" >&2
				kill -KILL "$pid" 2>/dev/null || :
				# Its children leave once the postmaster is gone.
				n=0
				while alive "$pid" && [ $n -lt 50 ]; do
					sleep 0.1
					n=$((n + 1))
				done
			fi
			;;
		esac
	fi
	if [ -f "$DIR/$MARK" ] || [ -z "$(ls -A "$DIR" 2>/dev/null)" ]; then
		rm -rf "$DIR"
	elif [ -d "$DIR" ]; then
		echo "$me: $DIR was not made by $me start; left in place" >&2
		return 1
	fi
	return 0
}

# After start has made DIR: says why, shows the logs' last lines, stops
# what was started, removes DIR and exits 1.
fail() {
	echo "$me: $*" >&2
	for f in "$DIR/initdb.log" "$DIR/postgres.log"; do
		if [ -s "$f" ]; then
			echo "$me: --- ${f##*/} (last lines) ---" >&2
			tail -n 20 "$f" >&2
		fi
	done
	stop_cluster >/dev/null 2>&1 || :
	exit 1
}

start() {
	check_dir "$DIR"
	case $SHARED_BUFFERS in
	'' | *[!0-9A-Za-z]*) die "CQRS_PG_SHARED_BUFFERS must be a size such as 16MB or 1GB: $SHARED_BUFFERS" ;;
	esac
	if ! locate_bindir; then
		echo "$me: PostgreSQL's server programs (initdb, postgres, pg_ctl) are not installed" \
			"(apt-get install postgresql); skipped" >&2
		exit 77
	fi
	pick_user
	if [ -e "$DIR" ]; then
		if [ ! -d "$DIR" ] || [ -n "$(ls -A "$DIR")" ]; then
			die "$DIR exists and is not an empty directory"
		fi
	else
		mkdir -m 700 "$DIR" || die "cannot make $DIR"
	fi
	: >"$DIR/$MARK" || die "cannot write in $DIR"
	trap 'fail "interrupted"' INT TERM HUP
	if [ "$RUNAS" != "$(id -un)" ]; then
		chown "$RUNAS" "$DIR" "$DIR/$MARK" || fail "cannot give $DIR to $RUNAS"
		as_user test -w "$DIR" ||
			fail "$RUNAS cannot write in $DIR (its parent folders must let $RUNAS in; /tmp does)"
	fi

	as_user timeout --kill-after=5 "$INITDB_TIMEOUT" \
		"$BINDIR/initdb" --no-locale -E UTF8 -A trust -U "$RUNAS" -D "$DIR/data" \
		--no-sync --no-instructions >"$DIR/initdb.log" 2>&1 ||
		fail "initdb failed or took more than $INITDB_TIMEOUT s"
	# Settings for a throwaway test cluster: a socket in DIR only, no
	# durability (the data dies with the test), enough connections for
	# several servers with their pools, little memory.
	cat >>"$DIR/data/postgresql.conf" <<EOF || fail "cannot write postgresql.conf"

# cqrs tests (tests/pg/cluster.sh): a throwaway cluster
listen_addresses = ''
unix_socket_directories = '$DIR'
port = $PORT
max_connections = 200
shared_buffers = $SHARED_BUFFERS
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 1GB
checkpoint_timeout = 1h
logging_collector = off
log_min_messages = warning
log_min_error_statement = error
EOF
	as_user timeout --kill-after=5 "$((START_TIMEOUT + 5))" \
		"$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t "$START_TIMEOUT" start \
		>"$DIR/pg_ctl.log" 2>&1 ||
		fail "postgres did not start within $START_TIMEOUT s"
	# pg_ctl -w waited for it; make sure the socket answers.
	n=0
	until "$BINDIR/pg_isready" -q -h "$DIR" -p "$PORT" -U "$RUNAS" -d postgres -t 5 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 50 ] || fail "postgres does not accept connections on $DIR/.s.PGSQL.$PORT"
		sleep 0.2
	done
	trap - INT TERM HUP
	echo "host=$DIR port=$PORT user=$RUNAS"
}

stop() {
	check_dir "$DIR"
	[ -e "$DIR" ] || return 0
	# Without pg_ctl a running postgres is still killed and DIR removed.
	locate_bindir || BINDIR=/nonexistent
	pick_user
	stop_cluster
}

case ${1:-} in
start | stop)
	[ $# -eq 2 ] || die "usage: $me start|stop DIR"
	DIR=$2
	"$1"
	;;
*)
	echo "usage: $me start|stop DIR" >&2
	exit 2
	;;
esac
