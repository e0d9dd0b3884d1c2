/*-------------------------------------------------------------------------
 * demo-app.c
 *    The application that `make demo` plays against the bundled shop.
 *
 * `demo-app` connects with the PG* environment variables to a database
 * loaded with tests/harness/demo-schema.sql and plays what a small web shop
 * does wrong, one part at a time, each under an application_name of its own
 * (demo-web, demo-events-loop, ...) so that the report can be read part by
 * part:
 *
 *   demo-web           N+1: per request, a customer's ten recent orders, then
 *                      one query per order for its items
 *   demo-events-loop   200 single-row INSERTs, each its own transaction
 *   demo-events-batch  the same 200 rows in one multi-row INSERT (the fix)
 *   demo-config        the same settings row read again and again
 *   demo-churn         100 sessions of one query each
 *   demo-reports       queries that need the indexes the schema lacks
 *   demo-admin         deep OFFSET pagination and SELECT * on a wide table
 *
 * Every statement goes through the extended protocol (PQexecParams or
 * PQprepare/PQexecPrepared), so the log carries its values as DETAIL
 * parameters and pgsift can explain it with them.  What is logged is fixed
 * in number and in values whatever the machine's speed; only durations vary.
 * The app has no setup of its own: demo.sh loads the schema and turns the
 * server's logging on just before the app starts, so the log holds the app
 * alone.  Data that are not the shop's (a customer without exactly ten
 * orders) end the program rather than let a different log through.
 *
 * Build: cc -std=gnu11 -Wall -Wextra -Werror -I/usr/include/postgresql
 *           tests/harness/demo-app.c -lpq -o build/demo-app
 *-------------------------------------------------------------------------
 */
#include <libpq-fe.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define CUSTOMERS			50000	/* demo-schema.sql: ids 1..50000 */
#define ORDERS_PER_CUSTOMER	10
#define WEB_REQUESTS		30
#define EVENT_ROWS			200
#define CONFIG_SESSIONS		4
#define CONFIG_READS		50		/* per demo-config session */
#define CHURN_SESSIONS		100

static const char *const settings_read = "SELECT value FROM settings WHERE key = $1";

static void fail(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));

static void
fail(const char *fmt,...)
{
	va_list		ap;

	fputs("demo-app: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Notices are expected here; the server log is what counts. */
static void
ignore_notice(void *arg, const char *message)
{
	(void) arg;
	(void) message;
}

/*
 * Open a session named app; a connection that fails ends the program.  The
 * caller PQfinish()es it.
 */
static PGconn *
open_session(const char *app)
{
	const char *keys[] = {"application_name", NULL};
	const char *values[] = {app, NULL};
	PGconn	   *conn = PQconnectdbParams(keys, values, 0);

	if (conn == NULL)
		fail("out of memory");
	if (PQstatus(conn) != CONNECTION_OK)
		fail("could not connect as %s: %s", app, PQerrorMessage(conn));
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	return conn;
}

/* Check that res succeeded and return it; anything else ends the program. */
static PGresult *
check_ok(PGconn *conn, PGresult *res, const char *sql)
{
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail("statement failed: %s\n%s", sql, PQerrorMessage(conn));
	return res;
}

/* Run sql (unnamed extended-protocol statement) with text parameters. */
static void
run_params(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PQclear(check_ok(conn, PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0), sql));
}

static void
prepare(PGconn *conn, const char *name, const char *sql, int nparams)
{
	PQclear(check_ok(conn, PQprepare(conn, name, sql, nparams, NULL), sql));
}

static PGresult *
query_prepared(PGconn *conn, const char *name, int nparams, const char *const *params)
{
	return check_ok(conn, PQexecPrepared(conn, name, nparams, params, NULL, NULL, 0), name);
}

/* The customer that request r is for: spread over the table, all distinct. */
static long
customer_of_request(int r)
{
	return 1 + (r * 1637L) % CUSTOMERS;
}

/*
 * N+1: each request reads the currency, a customer's ten most recent
 * orders, then the items of each order with one query per order.
 */
static void
part_web(void)
{
	PGconn	   *conn = open_session("demo-web");
	const char *currency[] = {"currency"};

	prepare(conn, "recent_orders",
			"SELECT id, status, total, created_at\n"
			"  FROM orders\n"
			" WHERE customer_id = $1\n"
			" ORDER BY created_at DESC\n"
			" LIMIT 10", 1);
	prepare(conn, "order_lines",
			"SELECT product_id, quantity, unit_price FROM order_items WHERE order_id = $1", 1);
	for (int r = 0; r < WEB_REQUESTS; r++)
	{
		char		customer[16];
		const char *p[] = {customer};
		PGresult   *orders;

		run_params(conn, settings_read, 1, currency);
		snprintf(customer, sizeof(customer), "%ld", customer_of_request(r));
		orders = query_prepared(conn, "recent_orders", 1, p);
		if (PQntuples(orders) != ORDERS_PER_CUSTOMER)
			fail("customer %s has %d orders, expected %d",
				 customer, PQntuples(orders), ORDERS_PER_CUSTOMER);
		for (int i = 0; i < PQntuples(orders); i++)
		{
			const char *order[] = {PQgetvalue(orders, i, 0)};

			PQclear(query_prepared(conn, "order_lines", 1, order));
		}
		PQclear(orders);
	}
	PQfinish(conn);
	printf("   demo-web           %d requests: 1 settings read, 1 orders query and"
		   " %d order_items queries each (N+1)\n", WEB_REQUESTS, ORDERS_PER_CUSTOMER);
}

/* The values of event row i: customer, kind, payload. */
static void
event_values(int i, char customer[16], const char **kind, char payload[32])
{
	static const char *const kinds[] = {"view", "cart", "checkout"};

	snprintf(customer, 16, "%ld", customer_of_request(i));
	*kind = kinds[i % 3];
	snprintf(payload, 32, "page=/p/%d", 1 + (i * 7) % 2000);
}

/* Unbatched: one autocommitted single-row INSERT per event. */
static void
part_events_loop(void)
{
	PGconn	   *conn = open_session("demo-events-loop");

	for (int i = 0; i < EVENT_ROWS; i++)
	{
		char		customer[16],
					payload[32];
		const char *kind;
		const char *p[3];

		event_values(i, customer, &kind, payload);
		p[0] = customer;
		p[1] = kind;
		p[2] = payload;
		run_params(conn, "INSERT INTO events (customer_id, kind, payload) VALUES ($1, $2, $3)",
				   3, p);
	}
	PQfinish(conn);
	printf("   demo-events-loop   %d single-row INSERTs into events, one transaction each\n",
		   EVENT_ROWS);
}

/* The same rows as part_events_loop, in one multi-row INSERT. */
static void
part_events_batch(void)
{
	PGconn	   *conn = open_session("demo-events-batch");
	static char customers[EVENT_ROWS][16],
				payloads[EVENT_ROWS][32];
	const char *params[EVENT_ROWS * 3];
	char		sql[64 + EVENT_ROWS * 24];
	size_t		len;

	len = (size_t) snprintf(sql, sizeof(sql),
							"INSERT INTO events (customer_id, kind, payload) VALUES");
	for (int i = 0; i < EVENT_ROWS; i++)
	{
		event_values(i, customers[i], &params[3 * i + 1], payloads[i]);
		params[3 * i] = customers[i];
		params[3 * i + 2] = payloads[i];
		len += (size_t) snprintf(sql + len, sizeof(sql) - len, "%s ($%d, $%d, $%d)",
								 i == 0 ? "" : ",", 3 * i + 1, 3 * i + 2, 3 * i + 3);
		if (len >= sizeof(sql))
			fail("the batched INSERT does not fit in %zu bytes", sizeof(sql));
	}
	run_params(conn, sql, EVENT_ROWS * 3, params);
	PQfinish(conn);
	printf("   demo-events-batch  the same %d rows in one multi-row INSERT (the fix, for contrast)\n",
		   EVENT_ROWS);
}

/* The same settings row, read again and again by long-lived sessions. */
static void
part_config(void)
{
	const char *currency[] = {"currency"};

	for (int s = 0; s < CONFIG_SESSIONS; s++)
	{
		PGconn	   *conn = open_session("demo-config");

		for (int i = 0; i < CONFIG_READS; i++)
			run_params(conn, settings_read, 1, currency);
		PQfinish(conn);
	}
	printf("   demo-config        %d sessions reading settings 'currency' %d times each\n",
		   CONFIG_SESSIONS, CONFIG_READS);
}

/* Connection churn: connect, one query, disconnect. */
static void
part_churn(void)
{
	const char *currency[] = {"currency"};

	for (int s = 0; s < CHURN_SESSIONS; s++)
	{
		PGconn	   *conn = open_session("demo-churn");

		run_params(conn, settings_read, 1, currency);
		PQfinish(conn);
	}
	printf("   demo-churn         %d sessions of one query each (the same settings read)\n",
		   CHURN_SESSIONS);
}

/*
 * Queries that need the indexes demo-schema.sql leaves out: orders
 * (customer_id) and order_items (order_id) for a customer's spending, and
 * lower(customers.email) for the login lookup.
 */
static void
report_spending(PGconn *conn, int request)
{
	char		customer[16];
	const char *p[] = {customer};

	snprintf(customer, sizeof(customer), "%ld", customer_of_request(request));
	run_params(conn,
			   "SELECT o.id, o.created_at, sum(oi.quantity * oi.unit_price) AS amount\n"
			   "  FROM orders o\n"
			   "  JOIN order_items oi ON oi.order_id = o.id\n"
			   " WHERE o.customer_id = $1\n"
			   " GROUP BY o.id, o.created_at\n"
			   " ORDER BY o.created_at", 1, p);
}

static void
log_in(PGconn *conn, int request)
{
	char		email[48];
	const char *p[] = {email};

	/* as typed at login: the stored case differs for one in three */
	snprintf(email, sizeof(email), "Customer%ld@example.COM", customer_of_request(request));
	run_params(conn, "SELECT id, name, country FROM customers WHERE lower(email) = lower($1)", 1, p);
}

/*
 * Two logins, then a report, five times: slow queries, but no loop of
 * one statement (those are the web part's N+1).
 */
static void
part_reports(void)
{
	PGconn	   *conn = open_session("demo-reports");

	for (int i = 0; i < 10; i++)
	{
		log_in(conn, 200 + i);
		if (i % 2 == 1)
			report_spending(conn, 100 + i / 2);
	}
	PQfinish(conn);
	printf("   demo-reports       5 spending reports by customer, 10 logins by email\n");
}

/* Deep OFFSET pagination, and SELECT * on the wide products table. */
static void
part_admin(void)
{
	static const char *const categories[] = {"garden", "kitchen", "tools"};
	PGconn	   *conn = open_session("demo-admin");
	const char *delivered[] = {"delivered"};
	char		sql[256];

	/* pages 401 to 403 of 50: the literal OFFSET is what the list view sends */
	for (int page = 401; page <= 403; page++)
	{
		snprintf(sql, sizeof(sql),
				 "SELECT id, customer_id, total, created_at\n"
				 "  FROM orders\n"
				 " WHERE status = $1\n"
				 " ORDER BY id DESC\n"
				 " LIMIT 50 OFFSET %d", (page - 1) * 50);
		run_params(conn, sql, 1, delivered);
	}
	for (int i = 0; i < 3; i++)
	{
		const char *p[] = {categories[i]};

		run_params(conn, "SELECT * FROM products WHERE category = $1 AND active", 1, p);
	}
	PQfinish(conn);
	printf("   demo-admin         3 list pages at OFFSET 20000..20100, 3 SELECT * on products\n");
}

int
main(int argc, char **argv)
{
	if (argc != 1)
	{
		fprintf(stderr,
				"demo-app: unexpected argument \"%s\"\n"
				"usage: demo-app\n"
				"  Plays the demo shop's workload against the database named by the\n"
				"  PG* environment variables, loaded with tests/harness/demo-schema.sql.\n", argv[1]);
		return 2;
	}
	part_web();
	part_events_loop();
	part_events_batch();
	part_config();
	part_churn();
	part_reports();
	part_admin();
	return 0;
}
