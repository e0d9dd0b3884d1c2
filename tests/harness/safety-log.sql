-- safety-log.sql — the statements with side effects that the safety log holds.
--
-- Run once, by one session with log_min_duration_statement = 0, before the
-- victim session exists: the server writes each into its log, which is
-- then the input of pgsift.  The dblink statement needs PGHOST and PGPORT
-- in the environment (psql's \getenv).  Used by tests/cli/test_cli_safety.c
-- (which adds the extended-protocol statements) and safety-demo.sh.
\getenv pghost PGHOST
\getenv pgport PGPORT
SET log_min_duration_statement = 0;
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgsift_victim';
SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgsift_victim';
SELECT pg_stat_statements_reset();
SELECT pg_stat_reset();
SELECT pg_stat_reset_shared('bgwriter');
SELECT pg_reload_conf();
SELECT pg_rotate_logfile();
SELECT pg_advisory_lock(4711);
SELECT pg_try_advisory_lock(4712);
SELECT set_config('work_mem', '1GB', false);
SELECT pg_notify('pgsift_victim', 'hello');
SELECT dblink_exec('host=' || :'pghost' || ' port=' || :'pgport' || ' dbname=' || current_database(),
                   'INSERT INTO side_effects VALUES (1)');
SELECT lo_create(0);
SELECT pg_switch_wal();
SELECT pg_create_physical_replication_slot('pgsift_safety_slot');
SELECT pg_drop_replication_slot('pgsift_safety_slot');
SELECT pg_sleep(0.2);
SELECT length(pg_read_file('postgresql.conf'));
SELECT notify_and_set();
SELECT * FROM v_locking WHERE id = 1;
SELECT * FROM v_stable WHERE id = 3;
SELECT id, amount FROM orders WHERE account_id = 7;
