/*-------------------------------------------------------------------------
 * sequence_testing.h
 *    What the session-sequence suites (test_sequence_rules.c,
 *    test_sequence_live.c, and the store's test_store_sequences.c) share: application sessions on the throwaway
 *    server, waiting for their log lines, and reading pgsift's findings.
 *
 * Sessions use libpq's extended protocol (PQexecParams), so the log
 * carries DETAIL parameters as an application's driver would send them.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_SEQUENCE_TESTING_H
#define PGSIFT_SEQUENCE_TESTING_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

/*
 * A session to dbname named app, with options (libpq's, e.g. "-c
 * log_min_duration_statement=0") applied; NULL (the error printed) when
 * it cannot connect.  The caller PQfinish()es it.
 */
PGconn	   *seq_test_session(const char *dbname, const char *app, const char *options);

/*
 * The shop the sequence suites play against: orders (1,000), order_items
 * (300,000, no index on order_id), events, settings.  SQL for
 * seq_test_create_database.
 */
#define SEQ_TEST_SHOP_SCHEMA \
	"CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL);\n" \
	"CREATE TABLE order_items (id integer PRIMARY KEY, order_id integer NOT NULL, sku text, qty integer);\n" \
	"CREATE TABLE events (id serial PRIMARY KEY, kind text, payload text);\n" \
	"CREATE TABLE settings (key text PRIMARY KEY, value text);\n" \
	"INSERT INTO orders SELECT g, 1 + g % 50 FROM generate_series(1, 1000) g;\n" \
	"INSERT INTO order_items SELECT g, g % 1000, 'sku' || g, 1 FROM generate_series(1, 300000) g;\n"

/*
 * Drop and create database db, run the SQL script setup in it and VACUUM
 * ANALYZE; 0, or -1 when a step failed.
 */
int			seq_test_create_database(const char *db, const char *setup);

/* Drop database db (its sessions too), when there is a server. */
void		seq_test_drop_database(const char *db);

/* Run sql with n text parameters; whether it succeeded (the error printed if not). */
int			seq_test_run(PGconn *c, const char *sql, int n, const char *const *values);

/* Run sql through the simple protocol (PQexec: values inline, no parameters); whether it succeeded. */
int			seq_test_exec(PGconn *c, const char *sql);

/* seq_test_run with one integer parameter. */
int			seq_test_run1(PGconn *c, const char *sql, int value);

/* Wait (up to 10 s) until the server log holds marker; whether it does. */
int			seq_test_wait_for_log(const char *marker);

/* The server's time now, UTC, as --since takes it, into buf; 0, or -1. */
int			seq_test_utc_now(char *buf, size_t len);

/* A new array of the findings of rule in pgsift's JSON j, in order; their count in *n. */
json_t	   *seq_test_findings(json_t *j, const char *rule, size_t *n);

/* The string member name of f, or "" when absent. */
const char *seq_test_field(json_t *f, const char *name);

#endif
