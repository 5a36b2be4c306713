#!/bin/sh
# compat-check.sh: the PostgreSQL text of every schema migration
# (server/store/store_schema.c) against SQLite's, on a throwaway
# PostgreSQL server of its own (initdb in a temporary folder, a Unix
# socket only). TAP. It checks:
# - every migration's PostgreSQL text applies, in order, in one
#   transaction, and dbi_install_version_triggers() then gives every table
#   the trigger that moves the version row;
# - the final schema is SQLite's: the same tables, columns (order, type,
#   NOT NULL, primary key, default), indexes, foreign keys, views and
#   triggers;
# - the append-only and final-payment triggers refuse with SQLite's
#   messages; CHECK constraints refuse what SQLite's refuse;
# - the version row moves once per writing transaction, never for one
#   that only reads;
# - the sq_* functions of the translation contract (date, strftime,
#   julianday, group_concat, json_extract, sum, max of a comparison)
#   answer what the sqlite3 CLI answers for the same expressions.
# Skipped (exit 77 when run alone; a TAP skip under make check) when the
# PostgreSQL server binaries, psql or sqlite3 are not installed.
# Needs tests/pg/pg_schema_sql (built with the tree) in the current
# folder, or CQRS_PG_SCHEMA_SQL naming it.

skip() {
	echo "1..0 # SKIP $1"
	# The TAP driver of make check counts a non-zero exit as an error.
	[ -n "${CQRS_TEST_SRCDIR:-}" ] && exit 0
	exit 77
}

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
	bindir=$(pg_config --bindir)
else
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && bindir=$d
	done
fi
[ -n "$bindir" ] && [ -x "$bindir/pg_ctl" ] && [ -x "$bindir/postgres" ] ||
	skip "the PostgreSQL server binaries (initdb, pg_ctl, postgres) are not installed"
psql=$(command -v psql || true)
[ -x "$bindir/psql" ] && psql=$bindir/psql
[ -n "$psql" ] || skip "psql is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip "the sqlite3 command is not installed"
schema_sql=${CQRS_PG_SCHEMA_SQL:-$PWD/tests/pg/pg_schema_sql}
[ -x "$schema_sql" ] || { echo "Bail out! $schema_sql is not built"; exit 1; }

# PostgreSQL refuses to run as root: then the server runs as postgres.
as=""
if [ "$(id -u)" -eq 0 ]; then
	id postgres >/dev/null 2>&1 || skip "running as root and there is no postgres user"
	as="runuser -u postgres --"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cqrs-pgcheck-XXXXXX") || { echo "Bail out! mktemp"; exit 1; }
chmod 755 "$tmp"
[ -n "$as" ] && chown postgres "$tmp"
cleanup() {
	$as "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! $as "$bindir/initdb" --no-locale -E UTF8 -A trust -U postgres -D "$tmp/data" >"$tmp/initdb.log" 2>&1 ||
	! $as "$bindir/pg_ctl" -D "$tmp/data" -w -t 30 -l "$tmp/server.log" \
		-o "-k $tmp -c listen_addresses= -p 5432 -c fsync=off" start >/dev/null 2>&1; then
	echo "Bail out! cannot start a PostgreSQL server: $(tail -n 3 "$tmp/initdb.log" "$tmp/server.log" 2>/dev/null)"
	exit 1
fi
pq() {
	"$psql" -X -q -At -v ON_ERROR_STOP=1 -h "$tmp" -p 5432 -U postgres -d cqrs "$@"
}
"$psql" -X -q -h "$tmp" -p 5432 -U postgres -d postgres -v ON_ERROR_STOP=1 \
	-c "CREATE DATABASE cqrs TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C' ENCODING 'UTF8'" ||
	{ echo "Bail out! cannot create the database"; exit 1; }

n=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
notok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	[ -n "${2:-}" ] && sed 's/^/#   /' "$2"
	return 0
}
# check DESCRIPTION FILE_A FILE_B: ok when the two files are the same.
check_same() {
	if diff -u "$2" "$3" >"$tmp/diff"; then ok "$1"; else notok "$1" "$tmp/diff"; fi
}

# ---- the migrations -------------------------------------------------------
"$schema_sql" sqlite >"$tmp/sqlite.sql" && "$schema_sql" pg >"$tmp/pg.sql" ||
	{ echo "Bail out! pg_schema_sql failed"; exit 1; }
sqlite3 -bail "$tmp/db.sqlite" <"$tmp/sqlite.sql" >"$tmp/sqlite.out" 2>&1 ||
	{ echo "Bail out! SQLite's migrations fail: $(cat "$tmp/sqlite.out")"; exit 1; }
{ echo "BEGIN;"; cat "$tmp/pg.sql"; echo "SELECT dbi_install_version_triggers(); COMMIT;"; } |
	pq >"$tmp/pg.out" 2>&1
rc=$?
tables=$(pq -c "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()
	AND tablename NOT IN ('dbi_version', 'schema_version')" 2>/dev/null)
bumped=$(pq -c "SELECT count(*) FROM pg_trigger WHERE tgname = 'dbi_version_bump'" 2>/dev/null)
if [ $rc -eq 0 ] && [ -n "$tables" ] && [ "$tables" -gt 0 ] && [ "$bumped" = "$tables" ]; then
	ok "every migration applies in one transaction; $tables tables get the version trigger"
else
	notok "every migration applies in one transaction; every table gets the version trigger ($bumped of $tables)" "$tmp/pg.out"
	echo "Bail out! the PostgreSQL schema does not apply"
	exit 1
fi
if pq -c "SELECT dbi_install_version_triggers()" | grep -qx 0; then
	ok "dbi_install_version_triggers() again adds nothing"
else
	notok "dbi_install_version_triggers() again adds nothing"
fi

# ---- the same schema --------------------------------------------------------
sq() { sqlite3 "$tmp/db.sqlite" "$@"; }
# Columns: table|position|name|type|not null|primary key position|default.
sq "SELECT m.name, p.cid, p.name,
	CASE upper(p.type) WHEN 'INTEGER' THEN 'bigint' WHEN 'TEXT' THEN 'text' WHEN 'BLOB' THEN 'bytea' ELSE p.type END,
	p.\"notnull\" OR p.pk > 0, p.pk, coalesce(p.dflt_value, '')
	FROM sqlite_master m JOIN pragma_table_info(m.name) p
	WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' ORDER BY m.name, p.cid" >"$tmp/cols.sqlite"
pq -F '|' -c "SELECT c.table_name, row_number() OVER (PARTITION BY c.table_name ORDER BY c.ordinal_position) - 1,
	c.column_name, CASE WHEN c.data_type = 'USER-DEFINED' AND c.udt_name = 'citext' THEN 'text' ELSE c.data_type END,
	CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END, coalesce(k.ordinal_position, 0),
	coalesce(regexp_replace(c.column_default, '::(text|bigint|citext)$', ''), '')
	FROM information_schema.columns c JOIN information_schema.tables t
	  ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
	LEFT JOIN (information_schema.table_constraints tc JOIN information_schema.key_column_usage k
	  ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema)
	  ON tc.table_schema = c.table_schema AND tc.table_name = c.table_name
	  AND tc.constraint_type = 'PRIMARY KEY' AND k.column_name = c.column_name
	WHERE c.table_schema = current_schema() AND c.table_name NOT IN ('dbi_version', 'schema_version')
	ORDER BY 1, 2" >"$tmp/cols.pg"
check_same "the same tables and columns (order, type, NOT NULL, primary key, default): $(wc -l <"$tmp/cols.pg") columns" \
	"$tmp/cols.sqlite" "$tmp/cols.pg"

# SQLite's INTEGER PRIMARY KEY ids are identities; COLLATE NOCASE columns citext.
sq "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
	WHERE m.type = 'table' AND p.pk = 1 AND upper(p.type) = 'INTEGER'
	AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) q WHERE q.pk = 2) ORDER BY 1" >"$tmp/ids.sqlite"
pq -c "SELECT table_name || '.' || column_name FROM information_schema.columns
	WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY 1" >"$tmp/ids.pg"
check_same "INTEGER PRIMARY KEY ids are identity columns" "$tmp/ids.sqlite" "$tmp/ids.pg"
sq "SELECT DISTINCT m.name || '.' || x.name FROM sqlite_master m JOIN pragma_index_list(m.name) l
	JOIN pragma_index_xinfo(l.name) x WHERE m.type = 'table' AND x.key AND x.coll = 'NOCASE' ORDER BY 1" >"$tmp/nocase.sqlite"
pq -c "SELECT table_name || '.' || column_name FROM information_schema.columns
	WHERE table_schema = current_schema() AND udt_name = 'citext' ORDER BY 1" >"$tmp/nocase.pg"
check_same "COLLATE NOCASE columns are citext" "$tmp/nocase.sqlite" "$tmp/nocase.pg"

# Indexes other than primary keys: table|unique|columns (an expression: *),
# and the explicit ones by name.
sq "SELECT m.name, l.\"unique\", (SELECT group_concat(coalesce(i.name, '*'), ',')
	FROM (SELECT * FROM pragma_index_info(l.name) ORDER BY seqno) i)
	FROM sqlite_master m JOIN pragma_index_list(m.name) l
	WHERE m.type = 'table' AND l.origin <> 'pk' ORDER BY 1, 2, 3" >"$tmp/idx.sqlite"
pq -F '|' -c "SELECT t.relname, x.indisunique::int, (SELECT string_agg(coalesce(a.attname, '*'), ',' ORDER BY k.o)
	FROM unnest(x.indkey) WITH ORDINALITY AS k(n, o)
	LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n AND k.n > 0)
	FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace
	WHERE s.nspname = current_schema() AND NOT x.indisprimary
	AND t.relname NOT IN ('dbi_version', 'schema_version') ORDER BY 1, 2, 3" >"$tmp/idx.pg"
check_same "the same indexes (unique or not, columns): $(wc -l <"$tmp/idx.pg")" "$tmp/idx.sqlite" "$tmp/idx.pg"
sq "SELECT tbl_name || '|' || name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY 1" >"$tmp/idxn.sqlite"
pq -c "SELECT tablename || '|' || indexname FROM pg_indexes i WHERE schemaname = current_schema()
	AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I', i.indexname)::regclass)
	AND tablename NOT IN ('dbi_version', 'schema_version') ORDER BY 1" >"$tmp/idxn.pg"
check_same "the explicit indexes have SQLite's names" "$tmp/idxn.sqlite" "$tmp/idxn.pg"

# Foreign keys: table|columns|parent|parent columns.
sq "SELECT m.name, group_concat(f.\"from\", ','), f.\"table\", group_concat(f.\"to\", ',')
	FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'
	GROUP BY m.name, f.id ORDER BY 1, 2, 3" >"$tmp/fk.sqlite"
pq -F '|' -c "SELECT t.relname,
	(SELECT string_agg(a.attname, ',' ORDER BY k.o) FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
	  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n),
	r.relname,
	(SELECT string_agg(a.attname, ',' ORDER BY k.o) FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
	  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n)
	FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
	JOIN pg_namespace s ON s.oid = t.relnamespace
	WHERE c.contype = 'f' AND s.nspname = current_schema() ORDER BY 1, 2, 3" >"$tmp/fk.pg"
check_same "the same foreign keys: $(wc -l <"$tmp/fk.pg")" "$tmp/fk.sqlite" "$tmp/fk.pg"

# CHECK constraints, counted per table (SQLite's from the CREATE text).
sq "SELECT name, (length(sql) - length(replace(sql, 'CHECK (', ''))) / 7 FROM sqlite_master
	WHERE type = 'table' AND sql LIKE '%CHECK (%' ORDER BY 1" >"$tmp/ck.sqlite"
pq -F '|' -c "SELECT t.relname, count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
	JOIN pg_namespace s ON s.oid = t.relnamespace WHERE c.contype = 'c' AND s.nspname = current_schema()
	AND t.relname NOT IN ('dbi_version', 'schema_version') GROUP BY 1 ORDER BY 1" >"$tmp/ck.pg"
check_same "the same CHECK constraints per table" "$tmp/ck.sqlite" "$tmp/ck.pg"

sq "SELECT type || '|' || tbl_name || '|' || name FROM sqlite_master
	WHERE type IN ('view', 'trigger') ORDER BY 1" >"$tmp/trg.sqlite"
pq -c "SELECT * FROM (SELECT 'trigger|' || c.relname || '|' || g.tgname FROM pg_trigger g
	JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace s ON s.oid = c.relnamespace
	WHERE NOT g.tgisinternal AND g.tgname <> 'dbi_version_bump' AND s.nspname = current_schema()
	UNION ALL SELECT 'view|' || viewname || '|' || viewname FROM pg_views WHERE schemaname = current_schema()) x
	ORDER BY 1" >"$tmp/trg.pg"
check_same "the same views and triggers" "$tmp/trg.sqlite" "$tmp/trg.pg"

# ---- refusals ----------------------------------------------------------------
# refused DESCRIPTION PATTERN SQL: ok when the SQL fails on both engines
# with a message PATTERN finds (an extended regular expression, any case);
# rolled back on both.
seed="INSERT INTO organisation(id, code, name, kind) VALUES (1, 'X1', 'X', 'PRACTICE');
INSERT INTO app_user(id, user_id, name, created_at) VALUES (1, 'Someone', 'S', 0);
INSERT INTO quality_service(id, code, name, financial_year, payment_type, frequency, level,
  start_date, end_date, payment_period, entry) VALUES (1, 'S', 'S', '2025/26', 'QOF', 'ANNUAL',
  'PRACTICE', '2025-04-01', '2026-03-31', 'ANNUAL', 'MANUAL');
INSERT INTO achievement_date(id, service_id, date) VALUES (1, 1, '2026-03-31');
INSERT INTO achievement(id, service_id, org_id, date_id, created_at, updated_at) VALUES (1, 1, 1, 1, 0, 0);
INSERT INTO submission(id, achievement_id, kind, source, at) VALUES (1, 1, 'SUBMIT', 'MANUAL', 0);
INSERT INTO audit_log(id, at, action, entity) VALUES (1, 0, 'a', 'e');
INSERT INTO offer(id, service_id, org_id, status, start_date, end_date, created_at, updated_at)
  VALUES (1, 1, 1, 'OFFERED', '2025-04-01', '2026-03-31', 0, 0);
INSERT INTO offer_history(id, offer_id, at, to_status) VALUES (1, 1, 0, 'OFFERED');
INSERT INTO declaration(id, achievement_id, status, updated_at) VALUES (1, 1, 'FINANCIALLY_APPROVED', 0);
INSERT INTO declaration_history(id, declaration_id, at, to_status) VALUES (1, 1, 0, 'AWAITING_PROVIDER');"
printf '%s\n' "$seed" | sq >"$tmp/seed.out" 2>&1 &&
	printf '%s\n' "BEGIN;" "$seed" "SELECT dbi_sync_identities(); COMMIT;" | pq >>"$tmp/seed.out" 2>&1 ||
	{ echo "Bail out! cannot seed: $(cat "$tmp/seed.out")"; exit 1; }
refused() {
	sqe=$(printf 'PRAGMA foreign_keys=ON;\nBEGIN;\n%s;\nROLLBACK;\n' "$3" | sqlite3 "$tmp/db.sqlite" 2>&1 >/dev/null)
	pge=$(printf 'BEGIN;\n%s;\n' "$3" | pq 2>&1 >/dev/null)
	if ! printf '%s' "$sqe" | grep -qiE "$2"; then
		notok "$1 (SQLite said: $sqe)"
	elif ! printf '%s' "$pge" | grep -qiE "$2"; then
		notok "$1 (PostgreSQL said: $pge)"
	else
		ok "$1"
	fi
}
refused "a submission cannot be changed" "submissions are append-only" "UPDATE submission SET notes = 'x'"
refused "a submission cannot be deleted" "submissions are append-only" "DELETE FROM submission"
refused "the audit log cannot be changed" "the audit log is append-only" "UPDATE audit_log SET action = 'b'"
refused "the audit log cannot be deleted" "the audit log is append-only" "DELETE FROM audit_log WHERE id = 1"
refused "offer history cannot be changed" "history is append-only" "UPDATE offer_history SET note = 'x'"
refused "declaration history cannot be changed" "history is append-only" "UPDATE declaration_history SET note = 'x'"
refused "a financially approved achievement's values cannot be written" \
	"final: the payment was financially approved" \
	"INSERT INTO achievement_value(achievement_id, indicator_id, source, updated_at) VALUES (1, 1, 'MANUAL', 0)"
# A second achievement with a value, then financially approved: its
# value cannot be changed (PostgreSQL: once per statement, migration 10)
# nor deleted.
final2="INSERT INTO service_domain(id, service_id, position, name) VALUES (1, 1, 1, 'D');
INSERT INTO indicator_group(id, domain_id, position, code, name, kind) VALUES (1, 1, 1, 'G', 'G', 'PAYMENT');
INSERT INTO indicator(id, group_id, position, code, description, kind) VALUES (1, 1, 1, 'I', 'I', 'count');
INSERT INTO achievement_date(id, service_id, date) VALUES (2, 1, '2026-02-28');
INSERT INTO achievement(id, service_id, org_id, date_id, created_at, updated_at) VALUES (2, 1, 1, 2, 0, 0);
INSERT INTO achievement_value(achievement_id, indicator_id, value, source, updated_at) VALUES (2, 1, 1, 'MANUAL', 0);
INSERT INTO declaration(id, achievement_id, status, updated_at) VALUES (2, 2, 'FINANCIALLY_APPROVED', 0)"
refused "a financially approved achievement's values cannot be changed" \
	"final: the payment was financially approved" "$final2; UPDATE achievement_value SET value = 7"
refused "a financially approved achievement's values cannot be deleted" \
	"final: the payment was financially approved" "$final2; DELETE FROM achievement_value"
notfinal=$(printf '%s' "$final2" | sed '$d')
sqe=$(printf 'PRAGMA foreign_keys=ON;\nBEGIN;\n%s;\nUPDATE achievement_value SET value = 7;\nROLLBACK;\n' "$notfinal" |
	sqlite3 "$tmp/db.sqlite" 2>&1 >/dev/null)
pge=$(printf 'BEGIN;\n%s;\nUPDATE achievement_value SET value = 7;\nROLLBACK;\n' "$notfinal" | pq 2>&1 >/dev/null)
if [ -z "$sqe" ] && [ -z "$pge" ]; then
	ok "the value of an achievement that is not final can be changed"
else
	notok "the value of an achievement that is not final can be changed (SQLite: $sqe; PostgreSQL: $pge)"
fi
refused "a financially approved achievement's calculations cannot be written" \
	"final: the payment was financially approved" \
	"INSERT INTO calculation(achievement_id, at, points_milli, pence, breakdown) VALUES (1, 0, 0, 0, '{}')"
refused "a CHECK refuses an organisation kind" "check constraint" "UPDATE organisation SET kind = 'X'"
refused "user IDs are unique whatever their case" "unique" \
	"INSERT INTO app_user(user_id, name, created_at) VALUES ('SOMEONE', 'S', 0)"
refused "a foreign key refuses a missing organisation" "foreign key" \
	"INSERT INTO pcn_membership(pcn_id, practice_id, start_date) VALUES (99, 1, '2025-04-01')"
if [ "$(pq -c "SELECT count(*) FROM app_user WHERE user_id = 'someone'")" = 1 ] &&
	[ "$(sq "SELECT count(*) FROM app_user WHERE user_id = 'someone'")" = 1 ]; then
	ok "user IDs compare without case, as SQLite's NOCASE"
else
	notok "user IDs compare without case, as SQLite's NOCASE"
fi
if [ "$(pq -c "INSERT INTO organisation(code, name, kind) VALUES ('X2', 'Y', 'ICB') RETURNING id")" = 2 ]; then
	ok "after rows with explicit ids, dbi_sync_identities() lets identities continue above them"
else
	notok "after rows with explicit ids, dbi_sync_identities() lets identities continue above them"
fi

# ---- the version row -----------------------------------------------------------
v0=$(pq -c "SELECT v FROM dbi_version")
pq -c "BEGIN; UPDATE organisation SET name = 'Z' WHERE id = 1;
	INSERT INTO setting(key, value) VALUES ('k', 'v'); DELETE FROM setting; COMMIT;"
v1=$(pq -c "SELECT v FROM dbi_version")
pq -c "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM organisation; COMMIT;" >/dev/null
v2=$(pq -c "SELECT v FROM dbi_version")
pq -c "INSERT INTO setting(key, value) VALUES ('k', 'v')"
v3=$(pq -c "SELECT v FROM dbi_version")
pq -c "BEGIN; SAVEPOINT a; DELETE FROM setting; ROLLBACK TO a; UPDATE setting SET value = 'w'; COMMIT;"
v4=$(pq -c "SELECT v FROM dbi_version")
if [ $((v1 - v0)) -eq 1 ] && [ "$v2" = "$v1" ] && [ $((v3 - v2)) -eq 1 ] && [ $((v4 - v3)) -eq 1 ]; then
	ok "the version row moves once per writing transaction, not for reading ones ($v0 $v1 $v2 $v3 $v4)"
else
	notok "the version row moves once per writing transaction, not for reading ones ($v0 $v1 $v2 $v3 $v4)"
fi

# ---- the functions of the translation contract ----------------------------------------
# One SQLite expression a line; PostgreSQL gets it with the contract's
# renames (and CAST AS BIGINT). "~N expr": numbers equal within N. Both engines failing is equal.
cat >"$tmp/exprs" <<'EOF'
date('2025-04-10')
date('2025-02-30')
date('2025-04-31')
date('2025-02-29', '+0 days')
date('2024-02-29', '+1 year')
date('2025-13-01')
date('2025-02-32')
date('2025-00-10')
date('2025-1-10')
date(' 2025-01-10')
date('2025-01-10 ')
date('2025-01-10T')
date('2025-01-10x')
date('')
date(NULL)
date('0000-01-01')
date('9999-12-31', '+1 day')
date('-0010-03-01')
date('2025-04-10', '+14 days')
date('2025-04-10', '+' || 14 || ' days')
date('2025-04-10', '+' || -3 || ' days')
date('2025-04-10', '-3 days')
date('2025-04-10', '-1 day')
date('2025-04-10', '+1.5 days')
date('2025-04-10', '-0.5 days')
date('2025-04-10', '+3 DAYS')
date('2025-04-10', '+3days')
date('2025-04-10', '+ 3 days')
date('2025-04-10', '+3 days ')
date('2025-04-10', '3 days')
date('2025-04-10', '+3 fortnights')
date('2025-04-10', NULL)
date('2025-01-31', '+1 month')
date('2025-01-31', '-2 months')
date('2025-03-31', '-13 months')
date('2025-03-15', '+1.5 months')
date('2025-04-10', '+2 years')
date('2025-04-10', '-2.25 years')
date('2025-04-17', 'start of month')
date('2025-04-17', 'start of year')
date('2025-04-17 13:14', 'start of day')
date('2025-04-17', 'start of week')
date('2025-04-17', 'start of month', '+1 month', '-1 day')
date('2025-04-17', 'weekday 0')
date('2025-04-17', 'weekday 4')
date('2025-04-17', 'weekday 7')
date('2025-04-17', 'weekday 1.5')
date('2025-04-17 23:30', '+1 hour')
date('2025-04-17 23:30', '+29 minutes')
date('2025-04-17 23:30', '+1800 seconds')
date('2025-04-17 23:30', '+00:30')
date('2025-04-17 00:30', '-01:00')
date('2025-04-17 23:30:00+02:00')
date('2025-04-17 23:30:00-02:00')
date('2025-04-17 22:30:00Z')
date('2025-04-17T23:30:59.999')
date('2025-04-17 24:00')
date('2025-04-17 25:00')
date('12:30')
date('now') = date('now', '+0 days')
date(1744243200, 'unixepoch')
date(1744243199, 'unixepoch')
date(0, 'unixepoch')
date(-86400, 'unixepoch')
date(-62135596800, 'unixepoch')
date(-62135596801, 'unixepoch')
date(253402300799, 'unixepoch')
date(253402300800, 'unixepoch')
date(1744243200 + 59 * 86400, 'unixepoch')
date(1744243200, 'unixepoch', '+14 days')
date(1744243200, '+14 days', 'unixepoch')
date(1744243200.5, 'unixepoch')
date('1744243200', 'unixepoch')
date(1744243200)
date(2460776)
date(2460776.4)
date('2460776.5')
date(2460776.5, 'julianday')
date('2025-04-10', 'unixepoch')
date('2025-04-10', 'julianday')
date(1744243200, 'auto')
date(2460776, 'auto')
date(1744243200, 'unixepoch', 'unixepoch')
date('2025-04-10', 'bogus')
date('NOW') = date('now')
strftime('%Y-%m-%dT%H:%M:%SZ', 1744243200, 'unixepoch')
strftime('%Y-%m-%dT%H:%M:%SZ', 1744286399, 'unixepoch')
strftime('%Y-%m-%dT%H:%M:%SZ', -1, 'unixepoch')
strftime('%Y-%m-%dT%H:%M:%SZ', NULL, 'unixepoch')
strftime('%Y-%m-%dT%H:%M:%SZ', 253402300800, 'unixepoch')
strftime('%Y-%m-%dT%H:%M:%SZ', '2025-04-10 12:34:56.789')
strftime('%Y', '2025-04-10')
strftime('%s', '2025-04-10 12:00')
strftime('%s', 1744243200, 'unixepoch')
strftime('%s', '1969-12-31 23:59:59.5')
strftime('%d/%m/%Y %H:%M:%S', '2025-04-10 01:02:03')
strftime('%f', '2025-04-10 01:02:03.4567')
strftime('%f', '2025-04-10 01:02:59.9999')
strftime('%j %W %w', '2025-01-01')
strftime('%j %W %w', '2025-12-31')
strftime('%j %W %w', '2024-12-31')
strftime('%j %W %w', '2023-01-01')
strftime('%J', '2025-04-10 12:34:56')
strftime('%J', '2025-04-10')
strftime('%%Y%', '2025-04-10')
strftime('%Q', '2025-04-10')
strftime('%F', '2025-04-10')
strftime('%H:%M', '2025-04-10 24:00')
strftime('%Y-%m-%d', '2025-04-10', '+1 month')
strftime(NULL, '2025-04-10')
strftime('%Y', 'now') = strftime('%Y', date('now'))
julianday('2025-04-10')
julianday('2025-04-10 12:34:56.789')
julianday('2000-01-01 12:00')
julianday('0000-01-01')
julianday('2025-02-30')
julianday('2024-02-29')
julianday('0001-01-01')
julianday('9999-12-31 23:59:59.999')
julianday(1744243200, 'unixepoch')
julianday('2025-04-10') - julianday('2025-03-01')
CAST(julianday('2025-04-10') - julianday('2024-04-10') AS INTEGER)
julianday('bogus')
julianday(NULL)
~2000 CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
~0.0001 julianday('now') - julianday(date('now'))
(SELECT group_concat(x) FROM (SELECT 'a' AS x UNION ALL SELECT NULL UNION ALL SELECT 'b') AS t)
(SELECT group_concat(x, ', ') FROM (SELECT 'a' AS x UNION ALL SELECT 'b' UNION ALL SELECT 'c') AS t)
(SELECT group_concat(x, NULL) FROM (SELECT 'a' AS x UNION ALL SELECT 'b') AS t)
(SELECT group_concat(x) FROM (SELECT '' AS x UNION ALL SELECT 'b') AS t)
(SELECT group_concat(x) FROM (SELECT NULL AS x) AS t)
(SELECT sum(x) FROM (SELECT 1 AS x UNION ALL SELECT NULL UNION ALL SELECT 41) AS t)
(SELECT sum(x) FROM (SELECT 4000000000 AS x UNION ALL SELECT 4000000000) AS t)
(SELECT sum(x) FROM (SELECT CAST(NULL AS INTEGER) AS x) AS t)
(SELECT sum(x) FROM (SELECT 1 AS x) AS t WHERE x > 1)
(SELECT sum(x > 1) FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) AS t)
(SELECT sum(x = 'a') FROM (SELECT 'a' AS x UNION ALL SELECT 'b' UNION ALL SELECT NULL) AS t)
(SELECT max(x IS NULL) FROM (SELECT 'a' AS x UNION ALL SELECT NULL) AS t)
(SELECT max(x IS NULL) FROM (SELECT 'a' AS x UNION ALL SELECT 'b') AS t)
(SELECT min(x IS NULL) FROM (SELECT 'a' AS x UNION ALL SELECT NULL) AS t)
json_extract('{"detail":"a \"quoted\" word","n":5}', '$.detail')
json_extract('{"detail":"x","list_size":12345}', '$.list_size')
json_extract('{"a":{"b":[10,20,{"c":"deep"}]}}', '$.a.b[2].c')
json_extract('{"a":{"b":[10,20]}}', '$.a.b[1]')
json_extract('{"a":1.5}', '$.a')
json_extract('{"a":-7}', '$.a')
json_extract('{"a":true,"b":false}', '$.a') || json_extract('{"a":true,"b":false}', '$.b')
json_extract('{"a":null}', '$.a')
json_extract('{"a":1}', '$.b')
json_extract('{"a":1}', '$.a.b')
json_extract(NULL, '$.a')
json_extract('{"a":"é ü"}', '$.a')
json_extract('{"a":[1,2]}', '$.a')
EOF
i=0
: >"$tmp/q.sqlite"
: >"$tmp/q.pg"
while IFS= read -r line; do
	i=$((i + 1))
	e=${line#\~* }
	esc=$(printf '%s' "$line" | sed "s/'/''/g")
	pe=$(printf '%s' "$e" | sed -E 's/(^|[^_a-z])(date|strftime|julianday|group_concat|json_extract|sum)\(/\1sq_\2(/g; s/(^|[^_a-z])(date|strftime|julianday|group_concat|json_extract|sum)\(/\1sq_\2(/g; s/ AS INTEGER\)/ AS BIGINT)/g')
	printf "SELECT %d || '|' || coalesce(CAST((%s) AS TEXT), 'NULL');\n" "$i" "$e" >>"$tmp/q.sqlite"
	printf "SELECT %d || '|' || coalesce(t_txt(%s), 'NULL');\n" "$i" "$pe" >>"$tmp/q.pg"
done <"$tmp/exprs"
sqlite3 "$tmp/db.sqlite" <"$tmp/q.sqlite" >"$tmp/r.sqlite" 2>/dev/null
{ echo "CREATE FUNCTION pg_temp.t_txt(v anyelement) RETURNS text LANGUAGE sql AS
	\$\$ SELECT CASE WHEN pg_typeof(v) = 'boolean'::regtype THEN CASE WHEN v::text = 'true' THEN '1' ELSE '0' END
	ELSE v::text END \$\$;"; sed 's/t_txt(/pg_temp.t_txt(/' "$tmp/q.pg"; } |
	"$psql" -X -q -At -h "$tmp" -p 5432 -U postgres -d cqrs >"$tmp/r.pg" 2>"$tmp/r.pg.err"
i=0
bad=0
while IFS= read -r line; do
	i=$((i + 1))
	tol=0
	case "$line" in "~"*) tol=${line%% *}; tol=${tol#\~} ;; esac
	a=$(grep "^$i|" "$tmp/r.sqlite" | head -n 1 | cut -d '|' -f 2-)
	b=$(grep "^$i|" "$tmp/r.pg" | head -n 1 | cut -d '|' -f 2-)
	[ -z "$a" ] && a="(error)"
	[ -z "$b" ] && b="(error)"
	if [ "$a" = "$b" ] || awk -v a="$a" -v b="$b" -v t="$tol" 'BEGIN {
		n = "^-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?$"
		if (a !~ n || b !~ n) exit 1
		d = a - b; if (d < 0) d = -d
		m = a < 0 ? -a : a
		exit !(d <= t || d <= m * 1e-12) }'; then
		ok "$line = $a"
	else
		notok "$line: SQLite $a, PostgreSQL $b"
		bad=1
	fi
done <"$tmp/exprs"
[ $bad -eq 0 ] || sed 's/^/#   /' "$tmp/r.pg.err"

echo "1..$n"
