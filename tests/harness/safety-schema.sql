-- safety-schema.sql — the database of the safety test and `make demo-safety`.
--
-- A small shop (accounts, orders) for the ordinary queries, and the traps:
-- a plpgsql function marked VOLATILE that notifies and changes a setting,
-- a view over a volatile function, a view over stable ones, a table whose
-- trigger calls the function, and a table that a dblink statement fills.
-- Used by tests/cli/test_cli_safety.c and tests/harness/safety-demo.sh.
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE EXTENSION IF NOT EXISTS hypopg;
CREATE TABLE side_effects (x int);
CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO accounts SELECT g, 'user' || g FROM generate_series(1, 1000) g;
CREATE TABLE orders (id int PRIMARY KEY, account_id int NOT NULL, amount int NOT NULL);
INSERT INTO orders SELECT g, 1 + g % 1000, g % 500 FROM generate_series(1, 100000) g;
CREATE FUNCTION notify_and_set() RETURNS int VOLATILE LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('pgsift_victim', 'from a function');
	PERFORM set_config('work_mem', '2GB', false);
	RETURN 1;
END $$;
CREATE VIEW v_locking AS SELECT id, pg_try_advisory_lock(id) AS locked FROM accounts;
CREATE VIEW v_stable AS SELECT id, lower(name) AS name, now() AS at FROM accounts;
CREATE TABLE audited (id serial PRIMARY KEY, note text);
CREATE FUNCTION audit_note() RETURNS trigger VOLATILE LANGUAGE plpgsql AS $$
BEGIN
	PERFORM notify_and_set();
	RETURN NEW;
END $$;
CREATE TRIGGER audited_notes BEFORE INSERT ON audited FOR EACH ROW EXECUTE FUNCTION audit_note();
VACUUM ANALYZE;
