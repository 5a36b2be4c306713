/* pg_schema_sql: prints the store's schema migrations in order, SQLite's
 * text ("sqlite") or PostgreSQL's ("pg"), one after the other, for
 * tests/pg/compat-check.sh to run through sqlite3 and psql. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "server/store/store_int.h"

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "sqlite") && strcmp(argv[1], "pg"))) {
		fprintf(stderr, "usage: pg_schema_sql sqlite|pg\n");
		return 2;
	}
	int pg = !strcmp(argv[1], "pg");
	for (size_t i = 0; i < store_migrations_n; i++) {
		const char *sql = pg ? store_migrations[i].pg : store_migrations[i].sql;
		if (!sql) {
			fprintf(stderr, "pg_schema_sql: migration %d has no %s text\n",
				store_migrations[i].version, argv[1]);
			return 1;
		}
		printf("%s\n", sql);
	}
	return 0;
}
