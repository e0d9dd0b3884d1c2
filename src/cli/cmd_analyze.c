/*-------------------------------------------------------------------------
 * cmd_analyze.c
 *    The `pgsift analyze` and `pgsift report` commands: options, inputs,
 *    the store, the analysis and the report.
 *
 *    pgsift analyze [options] FILE...     analyse log files ("-" is stdin)
 *    pgsift analyze --dsn DSN [options]   and a live database
 *    pgsift report --store FILE [options] print a stored run's report again
 *
 * Both share the options table; report takes the output ones only.  The
 * report goes to every -o given (src/cli/outputs.c), from one read.  On
 * stderr, what is neither a warning nor an error (progress, the format
 * found in each file, a resumed file) is a notice, printed only when
 * stderr is a terminal.  Exit codes are the PGSIFT_EXIT_* constants of
 * diag.h (docs/cli.md).
 *-------------------------------------------------------------------------
 */
#include "rules/rule.h"
#include "rules/sequence_rules.h"
#include "src/analyze/analyze.h"
#include "src/cli/cli.h"
#include "src/cli/outputs.h"
#include "src/core/color.h"
#include "src/core/config.h"
#include "src/core/diag.h"
#include "src/core/output.h"
#include "src/lib/arena.h"
#include "src/model/ingest.h"
#include "src/model/workload.h"
#include "src/report/report.h"
#include "src/store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct cli_options
{
	ingest_options ingest;
	workload_filter filter;
	report_format format;
	cli_outputs outputs;		/* -o, repeatable */
	color_when	color;			/* --color, COLOR_WHEN_UNSET when not given */
	const char *config_path;
	int			fail_on;		/* severity, -1: not given */
	int			top;
	size_t		html_max_bytes;
	const char *store_path;
	int			quiet;
	analyze_options live;
} cli_options;

static void
usage_analyze(FILE *out)
{
	fputs("Usage: pgsift analyze [OPTION]... FILE...\n\n"
		  "Input:\n"
		  "  -f, --log-format FMT\n"
		  "                     auto (default), stderr, csvlog, jsonlog, syslog, syslog2, rds,\n"
		  "                     logplex, cnpg, cloudsql, pgbouncer\n"
		  "  --prefix PREFIX    the server's log_line_prefix (default: detected per file)\n"
		  "  -j, --jobs N       read with N threads, and with --dsn use N connections (default 1)\n"
		  "  --syslog-year YEAR year of syslog timestamps, which carry none (default: current)\n"
		  "  --store FILE       keep the run in a SQLite store; files fed again resume\n"
		  "                     where the last run stopped\n"
		  "  --max-fingerprints N\n"
		  "                     track at most N fingerprints (default 20000, 0: no bound);\n"
		  "                     the lightest fold into an exact \"other\" row\n"
		  "Live database:\n"
		  "  --dsn DSN          libpq conninfo or URI (PG* variables, .pgpass, services work)\n"
		  "  --measure MODE     off, hypo (default) or real (staging only: runs DML and builds\n"
		  "                     indexes inside transactions that are always rolled back)\n"
		  "  --statement-timeout MS, --lock-timeout MS   of every transaction pgsift opens (default 5000, 1000)\n"
		  "  --explain-top N    queries to explain, by total time (default 20)\n"
		  "  --interval SECONDS two pg_stat_statements snapshots; report the activity between\n"
		  "  --max-build-size MB  --measure real builds no index on a larger table (default 1024)\n"
		  "  --server-cores N   the database server's cores, for pool sizing (default: unknown)\n"
		  "  --spindles N       its effective spindles, for pool sizing (default 1)\n"
		  "Rules:\n"
		  "  --config FILE      rules to disable and thresholds (default: ./pgsift.conf if present)\n"
		  "  --fail-on SEVERITY exit 1 when a finding is at least SEVERITY (info, low, medium,\n"
		  "                     high, critical): a gate for CI\n"
		  "Filters:\n"
		  "  --since TIME       only events at or after TIME (UTC; \"2024-01-31\",\n"
		  "                     \"2024-01-31 12:00\", \"2024-01-31T12:00:00Z\")\n"
		  "  --until TIME       only events before TIME\n"
		  "  --dbname NAME, --user NAME, --app NAME\n"
		  "Output:\n"
		  "  --format FMT       text (default), json, markdown or html: of stdout, and of each\n"
		  "                     -o whose name has no .txt, .json, .md, .markdown, .html or\n"
		  "                     .htm extension\n"
		  "  -o, --output FILE  write the report to FILE instead of stdout (\"-\": stdout);\n"
		  "                     repeatable, each in the format of its extension\n"
		  "  --top N            queries to list (default 20 in text, 50 in HTML, all in JSON)\n"
		  "  --html-max-bytes N past N bytes the HTML report leaves out samples, then plans\n"
		  "                     (default 20971520)\n"
		  "  --color[=WHEN]     colour the text report and messages: auto (default: on a\n"
		  "                     terminal), always or never; NO_COLOR and PG_COLOR are read\n"
		  "  -q, --quiet        no warnings, notices or progress on stderr\n"
		  "  -V, --version      print the version and exit\n"
		  "  -h, --help         this help\n\n"
		  "Exit status: 0 success, 1 a finding at or above --fail-on, 2 bad usage, 3 nothing\n"
		  "could be read, 4 database unreachable, 5 store error, 6 a report not written.\n", out);
}

/* Parse a UTC time; returns 0 and sets *ms, or -1. */
static int
parse_cli_time(const char *s, int64_t *ms)
{
	struct tm	tm = {0};
	int			frac = 0;
	char		zone[8] = "";
	int			n = sscanf(s, "%4d-%2d-%2d%*[ T]%2d:%2d:%2d.%3d%7s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
						   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &frac, zone);

	if (n < 7)
	{
		frac = 0;
		n = sscanf(s, "%4d-%2d-%2d%*[ T]%2d:%2d:%2d%7s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
				   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, zone);
		if (n < 6)
		{
			tm.tm_sec = 0;
			zone[0] = '\0';
			n = sscanf(s, "%4d-%2d-%2d%*[ T]%2d:%2d%7s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
					   &tm.tm_hour, &tm.tm_min, zone);
			if (n < 5)
			{
				tm.tm_hour = tm.tm_min = 0;
				if (sscanf(s, "%4d-%2d-%2d%7s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, zone) < 3)
					return -1;
			}
		}
	}
	if (zone[0] && strcmp(zone, "Z") != 0 && strcmp(zone, "UTC") != 0 && strcmp(zone, "+00:00") != 0)
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*ms = (int64_t) timegm(&tm) * 1000 + frac;
	return 0;
}

static int
parse_int_arg(const char *opt, const char *s, int min, int *out)
{
	char	   *end;
	long		v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > 1000000)
	{
		diag_hint("Give a whole number.");
		diag_error("invalid value \"%s\" for %s", s, opt);
		return -1;
	}
	*out = (int) v;
	return 0;
}

/* A byte count (at least 1024); returns 0 and sets *out, or -1 (reported). */
static int
parse_size_arg(const char *opt, const char *s, size_t *out)
{
	char	   *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno == ERANGE || v < 1024 || v > SIZE_MAX)
	{
		diag_hint("Give a number of bytes, at least 1024.");
		diag_error("invalid value \"%s\" for %s", s, opt);
		return -1;
	}
	*out = (size_t) v;
	return 0;
}

/*
 * When the report is made, for the HTML report's header: SOURCE_DATE_EPOCH
 * (seconds) when set, as reproducible builds set it, else now.
 */
static int64_t
report_clock_ms(void)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	char	   *end;
	long long	secs;

	if (epoch && *epoch && (secs = strtoll(epoch, &end, 10)) > 0 && *end == '\0')
		return (int64_t) secs * 1000;
	return (int64_t) time(NULL) * 1000;
}

enum
{
	OPT_LOG_FORMAT = 256, OPT_PREFIX, OPT_FORMAT, OPT_TOP, OPT_SINCE, OPT_UNTIL,
	OPT_DBNAME, OPT_USER, OPT_APP, OPT_STORE, OPT_SYSLOG_YEAR,
	OPT_DSN, OPT_MEASURE, OPT_STATEMENT_TIMEOUT, OPT_LOCK_TIMEOUT, OPT_EXPLAIN_TOP, OPT_MAX_BUILD_SIZE, OPT_INTERVAL,
	OPT_CONFIG, OPT_FAIL_ON, OPT_SERVER_CORES, OPT_SPINDLES, OPT_COLOR, OPT_HTML_MAX_BYTES,
	OPT_MAX_FINGERPRINTS
};

static const struct option analyze_long_options[] = {
	{"log-format", required_argument, NULL, OPT_LOG_FORMAT},
	{"prefix", required_argument, NULL, OPT_PREFIX},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"output", required_argument, NULL, 'o'},
	{"top", required_argument, NULL, OPT_TOP},
	{"html-max-bytes", required_argument, NULL, OPT_HTML_MAX_BYTES},
	{"since", required_argument, NULL, OPT_SINCE},
	{"until", required_argument, NULL, OPT_UNTIL},
	{"dbname", required_argument, NULL, OPT_DBNAME},
	{"user", required_argument, NULL, OPT_USER},
	{"app", required_argument, NULL, OPT_APP},
	{"jobs", required_argument, NULL, 'j'},
	{"store", required_argument, NULL, OPT_STORE},
	{"syslog-year", required_argument, NULL, OPT_SYSLOG_YEAR},
	{"dsn", required_argument, NULL, OPT_DSN},
	{"measure", required_argument, NULL, OPT_MEASURE},
	{"statement-timeout", required_argument, NULL, OPT_STATEMENT_TIMEOUT},
	{"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},
	{"explain-top", required_argument, NULL, OPT_EXPLAIN_TOP},
	{"max-build-size", required_argument, NULL, OPT_MAX_BUILD_SIZE},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"server-cores", required_argument, NULL, OPT_SERVER_CORES},
	{"spindles", required_argument, NULL, OPT_SPINDLES},
	{"color", optional_argument, NULL, OPT_COLOR},
	{"max-fingerprints", required_argument, NULL, OPT_MAX_FINGERPRINTS},
	{"quiet", no_argument, NULL, 'q'},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0}
};

/* An option of the live analysis; 0, -1, or NOT_MINE when c is not one. */
#define NOT_MINE 2
static int
apply_live_option(cli_options *o, int c, const char *arg)
{
	switch (c)
	{
		case OPT_DSN:
			o->live.dsn = arg;
			return 0;
		case OPT_MEASURE:
			if (measure_mode_from_name(arg) < 0)
			{
				diag_hint("Use off, hypo or real.");
				diag_error("unknown measure mode \"%s\"", arg);
				return -1;
			}
			o->live.measure = (measure_mode) measure_mode_from_name(arg);
			o->live.measure_given = 1;
			return 0;
		case OPT_STATEMENT_TIMEOUT:
			return parse_int_arg("--statement-timeout", arg, 1, &o->live.statement_timeout_ms);
		case OPT_LOCK_TIMEOUT:
			return parse_int_arg("--lock-timeout", arg, 1, &o->live.lock_timeout_ms);
		case OPT_EXPLAIN_TOP:
			return parse_int_arg("--explain-top", arg, 1, &o->live.explain_top);
		case OPT_INTERVAL:
			return parse_int_arg("--interval", arg, 1, &o->live.interval_s);
		case OPT_MAX_BUILD_SIZE:
			{
				int			mb;

				if (parse_int_arg("--max-build-size", arg, 1, &mb) != 0)
					return -1;
				o->live.max_build_bytes = (int64_t) mb * 1024 * 1024;
				return 0;
			}
		case OPT_SERVER_CORES:
			return parse_int_arg("--server-cores", arg, 1, &o->live.server_cores);
		case OPT_SPINDLES:
			return parse_int_arg("--spindles", arg, 1, &o->live.spindles);
		default:
			return NOT_MINE;
	}
}

/* --color[=WHEN] (no WHEN: always); 0 or -1. */
static int
apply_color(cli_options *o, const char *arg)
{
	int			when = arg ? color_when_from_name(arg) : COLOR_WHEN_ALWAYS;

	if (when < 0)
	{
		diag_hint("Use --color=auto, --color=always or --color=never.");
		diag_error("invalid value \"%s\" for --color", arg);
		return -1;
	}
	o->color = (color_when) when;
	return 0;
}

/* One option of analyze/report; returns 0, 1 for --help, 2 for --version, or -1. */
static int
apply_option(cli_options *o, int c, const char *arg)
{
	int64_t		ts;
	int			rc = apply_live_option(o, c, arg);

	if (rc != NOT_MINE)
		return rc;
	switch (c)
	{
		case OPT_LOG_FORMAT:
			if (log_format_from_name(arg) < 0)
			{
				diag_hint("Use auto, stderr, csvlog, jsonlog, syslog, syslog2, rds, logplex, cnpg, cloudsql or pgbouncer.");
				diag_error("unknown log format \"%s\"", arg);
				return -1;
			}
			o->ingest.format = (log_format) log_format_from_name(arg);
			return 0;
		case OPT_PREFIX:
			o->ingest.prefix = arg;
			return 0;
		case OPT_FORMAT:
			if (report_format_from_name(arg) < 0)
			{
				diag_hint("Use text, json, markdown or html.");
				diag_error("unknown report format \"%s\"", arg);
				return -1;
			}
			o->format = (report_format) report_format_from_name(arg);
			return 0;
		case 'o':
			return cli_outputs_add(&o->outputs, arg);
		case OPT_COLOR:
			return apply_color(o, arg);
		case OPT_TOP:
			return parse_int_arg("--top", arg, 1, &o->top);
		case OPT_HTML_MAX_BYTES:
			return parse_size_arg("--html-max-bytes", arg, &o->html_max_bytes);
		case 'j':
			return parse_int_arg("--jobs", arg, 1, &o->ingest.jobs);
		case OPT_SYSLOG_YEAR:
			return parse_int_arg("--syslog-year", arg, 1970, &o->ingest.syslog_year);
		case OPT_SINCE:
		case OPT_UNTIL:
			if (parse_cli_time(arg, &ts) != 0)
			{
				diag_detail("Times are read as UTC.");
				diag_hint("Use a form like 2024-01-31, \"2024-01-31 12:00\" or 2024-01-31T12:00:00Z.");
				diag_error("invalid time \"%s\"", arg);
				return -1;
			}
			*(c == OPT_SINCE ? &o->filter.since_ms : &o->filter.until_ms) = ts;
			return 0;
		case OPT_DBNAME:
			o->filter.dbname = arg;
			return 0;
		case OPT_USER:
			o->filter.user = arg;
			return 0;
		case OPT_APP:
			o->filter.app = arg;
			return 0;
		case OPT_STORE:
			o->store_path = arg;
			return 0;
		case OPT_MAX_FINGERPRINTS:
			{
				int			n;

				if (parse_int_arg("--max-fingerprints", arg, 0, &n) != 0)
					return -1;
				o->filter.max_fingerprints = n == 0 ? WORKLOAD_UNBOUNDED : (size_t) n;
				return 0;
			}
		case OPT_CONFIG:
			o->config_path = arg;
			return 0;
		case OPT_FAIL_ON:
			if ((o->fail_on = finding_severity_from_name(arg)) < 0)
			{
				diag_hint("Use info, low, medium, high or critical.");
				diag_error("unknown severity \"%s\"", arg);
				return -1;
			}
			return 0;
		case 'q':
			o->quiet = 1;
			diag_quiet = 1;
			return 0;
		case 'h':
			return 1;
		case 'V':
			return 2;
		default:
			return -1;
	}
}

/*
 * After the options: the outputs' formats, and the colours of stdout and
 * (when --color was given) stderr.  Returns whether stdout's text report
 * is coloured.
 */
static int
settle_outputs(cli_options *o)
{
	cli_outputs_resolve(&o->outputs, o->format);
	if (o->color != COLOR_WHEN_UNSET)
		diag_color = color_decide_for_fd(o->color, STDERR_FILENO);
	return color_decide_for_fd(o->color, STDOUT_FILENO);
}

/* Resume offsets from the store; returns 0 or -1 (reported). */
static int
resume_from_store(store *st, ingest_file *files, int n)
{
	for (int i = 0; i < n; i++)
	{
		if (strcmp(files[i].path, "-") == 0)
			continue;
		if (store_resume_offset(st, files[i].path, &files[i].start_offset) != 0)
			return -1;
		if (files[i].start_offset > 0)
			diag_notice("log file \"%s\" was read up to byte %llu before; resuming there",
						files[i].path, (unsigned long long) files[i].start_offset);
	}
	return 0;
}

static void
announce_inputs(const ingest_file *files, int n, const cli_options *o)
{
	if (o->quiet)
		return;
	for (int i = 0; i < n; i++)
	{
		const ingest_file *f = &files[i];

		if (!f->opened)
			continue;
		if (f->prefix && !o->ingest.prefix)
			diag_notice("\"%s\": %s, using log_line_prefix '%s'", f->path, log_format_name(f->format), f->prefix);
		else
			diag_notice("\"%s\": %s", f->path, log_format_name(f->format));
		if (f->malformed > 0 && f->malformed * 2 > f->lines)
		{
			diag_detail("Most lines did not match the log format, so most of the file is missing from the report.");
			diag_hint("Check --log-format and --prefix against the server's log_destination and log_line_prefix.");
			diag_warning("%llu of %llu lines of \"%s\" could not be read", (unsigned long long) f->malformed, (unsigned long long) f->lines, f->path);
		}
	}
}

/*
 * The configuration at path (or ./pgsift.conf), checked against the rule
 * registry, and the run thresholds it gives the sequence detectors, which
 * decide what the model keeps while the log is read.  NULL after reporting
 * a bad file.
 */
static pgsift_config *
load_rules_config(const char *path, session_pattern_options *patterns)
{
	pgsift_config *config = config_load(path);

	if (config == NULL || rules_check_config(config) != 0)
	{
		config_free(config);
		return NULL;
	}
	*patterns = sequence_rules_pattern_options(config);
	return config;
}

/*
 * analyze's command line into o: PGSIFT_EXIT_OK after --help or
 * --version, PGSIFT_EXIT_USAGE after a bad option (reported), -1 to go on
 * with the files at argv[optind...].
 */
static int
parse_analyze_args(int argc, char **argv, cli_options *o)
{
	int			c;

	o->filter.since_ms = o->filter.until_ms = LOG_TS_UNKNOWN;
	o->fail_on = -1;
	o->live.measure = MEASURE_MODE_HYPO;
	optind = 1;
	o->color = COLOR_WHEN_UNSET;
	while ((c = getopt_long(argc, argv, "f:o:j:qVh", analyze_long_options, NULL)) != -1)
	{
		int			rc = apply_option(o, c == 'f' ? OPT_LOG_FORMAT : c, optarg);

		if (rc == 1)
		{
			usage_analyze(stdout);
			return PGSIFT_EXIT_OK;
		}
		if (rc == 2)
			return cli_version();
		if (rc < 0)
		{
			fputs("Try \"pgsift analyze --help\" for more information.\n", stderr);
			return PGSIFT_EXIT_USAGE;
		}
	}
	return -1;
}

/* The report's "live" section (docs/json-schema.md) from a live run. */
static json_t *
live_section(const analyze_result *live)
{
	return json_pack("{s:i, s:b, s:b, s:i, s:i, s:i, s:i, s:O, s:O, s:O}",
					 "server_version", live->server_version,
					 "pg_stat_statements_available", live->pgss_available,
					 "catalog", live->catalog_taken, "explained", live->explained,
					 "explain_failed", live->explain_failed, "explain_refused", live->explain_refused,
					 "not_executed", live->not_executed,
					 "pg_stat_statements", live->pg_stat_statements, "plans", live->plans,
					 "sandbox", live->sandbox);
}

/* --fail-on: PGSIFT_EXIT_FINDINGS (said on stderr) when a finding reaches it. */
static int
fail_on_gate(const cli_options *o, const finding_list *findings)
{
	if (o->fail_on < 0 || finding_list_max_severity(findings) < o->fail_on)
		return PGSIFT_EXIT_OK;
	diag_warning("findings at or above severity %s: exit status 1 (--fail-on)",
				 finding_severity_name((finding_severity) o->fail_on));
	return PGSIFT_EXIT_FINDINGS;
}

int
cmd_analyze(int argc, char **argv)
{
	cli_options o = {0};
	int			parsed = parse_analyze_args(argc, argv, &o);

	if (parsed >= 0)
	{
		cli_outputs_free(&o.outputs);
		return parsed;
	}

	int			nfiles = argc - optind;
	int			stdout_color = settle_outputs(&o);

	if (nfiles <= 0 && o.live.dsn == NULL)
	{
		diag_hint("Give one or more log files (- for standard input), or a database with --dsn.");
		diag_error("nothing to analyse");
		cli_outputs_free(&o.outputs);
		return PGSIFT_EXIT_USAGE;
	}
	ingest_file *files = xcalloc((size_t) nfiles + 1, sizeof(ingest_file));

	for (int i = 0; i < nfiles; i++)
		files[i].path = argv[optind + i];
	o.ingest.filter = &o.filter;
	o.live.jobs = o.ingest.jobs;
	o.ingest.progress = diag_notices && !diag_quiet;

	session_pattern_options patterns;
	pgsift_config *config = load_rules_config(o.config_path, &patterns);

	if (config == NULL)
	{
		free(files);
		cli_outputs_free(&o.outputs);
		return PGSIFT_EXIT_USAGE;
	}
	o.live.config = config;
	o.filter.patterns = &patterns;

	workload   *w = workload_create(&o.filter);
	store	   *st = NULL;
	int			rc = PGSIFT_EXIT_OK;
	diag_tally	tally = {0};
	finding_list findings = {0};
	analyze_result live = {0};

	/*
	 * With -j 2 or more, a thread made now, asleep until needed: it
	 * destroys the parts' models once merged, then renders the JSON
	 * report's queries while the rules run (report_json_start_ahead).
	 */
	int			json_top = cli_outputs_top(&o.outputs, REPORT_JSON, o.top);
	spare_thread *spare = o.ingest.jobs > 1 ? spare_thread_start() : NULL;

	o.ingest.spare = spare;

	if (o.store_path)
	{
		st = store_open(o.store_path, 1);
		if (st == NULL || store_load(st, w) != 0 || resume_from_store(st, files, nfiles) != 0)
		{
			rc = PGSIFT_EXIT_STORE;
			goto done;
		}
	}
	uint64_t	records = nfiles > 0 ? ingest_files(w, files, nfiles, &o.ingest, &tally) : 0;

	announce_inputs(files, nfiles, &o);
	if (nfiles > 0 && records == 0 && workload_get_summary(w)->records == 0)
	{
		diag_detail("No file gave a single log record.");
		diag_hint("Check the file names, --log-format and --prefix.");
		diag_error("nothing could be read");
		rc = PGSIFT_EXIT_NOINPUT;
		goto done;
	}
	if (st && store_save(st, w, files, nfiles) != 0)
	{
		rc = PGSIFT_EXIT_STORE;
		goto done;
	}
	json_t	   *live_json = NULL;
	report_json_ahead *json_ahead = NULL;

	if (o.live.dsn)
	{
		if (analyze_live(&o.live, w, &findings, &live) != 0)
		{
			rc = PGSIFT_EXIT_DATABASE;
			goto done;
		}
		live_json = live_section(&live);
	}
	else
	{
		/* the rules change no query's figures: the JSON report's queries render meanwhile */
		if (spare && json_top >= 0)
			json_ahead = report_json_start_ahead(w, json_top, spare);
		analyze_offline(&o.live, w, &findings);
	}

	report_input in = {.model = w, .files = files, .nfiles = nfiles, .tally = &tally,
		.store_path = o.store_path, .findings = &findings, .live = live_json, .jobs = o.ingest.jobs,
		.json_ahead = json_ahead, .dsn = o.live.dsn, .generated_ms = report_clock_ms(),
	.html_max_bytes = o.html_max_bytes};

	rc = cli_outputs_write(&o.outputs, &in, o.top, stdout_color);
	report_json_ahead_free(json_ahead);
	json_decref(live_json);
	if (rc == PGSIFT_EXIT_OK)
		rc = fail_on_gate(&o, &findings);
done:
	spare_thread_finish(spare);
	finding_list_free(&findings);
	analyze_result_free(&live);
	store_close(st);
	config_free(config);
	for (int i = 0; i < nfiles; i++)
		ingest_file_clear(&files[i]);
	free(files);
	diag_tally_free(&tally);
	workload_destroy(w);
	cli_outputs_free(&o.outputs);
	return rc;
}

int
cmd_report(int argc, char **argv)
{
	cli_options o = {0};
	int			c;

	o.color = COLOR_WHEN_UNSET;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qVh", analyze_long_options, NULL)) != -1)
	{
		int			rc = c == OPT_STORE || c == OPT_FORMAT || c == 'o' || c == OPT_TOP || c == 'q' || c == 'h' ||
			c == 'V' || c == OPT_CONFIG || c == OPT_COLOR || c == OPT_HTML_MAX_BYTES ? apply_option(&o, c, optarg) : -1;

		if (rc == 1 || rc == 2 || rc < 0)
			cli_outputs_free(&o.outputs);
		if (rc == 1)
		{
			fputs("Usage: pgsift report --store FILE [--format text|json|markdown|html] [-o FILE]...\n"
				  "                     [--top N] [--html-max-bytes N] [--config FILE] [--color[=WHEN]] [-q]\n",
				  stdout);
			return PGSIFT_EXIT_OK;
		}
		if (rc == 2)
			return cli_version();
		if (rc < 0)
		{
			fputs("Try \"pgsift report --help\" for more information.\n", stderr);
			return PGSIFT_EXIT_USAGE;
		}
	}
	if (o.store_path == NULL || optind < argc)
	{
		diag_hint("Use: pgsift report --store FILE");
		diag_error("report takes a --store and no log files");
		cli_outputs_free(&o.outputs);
		return PGSIFT_EXIT_USAGE;
	}

	int			stdout_color = settle_outputs(&o);

	/* the thresholds the store was built with, if it was built with this configuration */
	session_pattern_options patterns;
	pgsift_config *config = load_rules_config(o.config_path, &patterns);

	if (config == NULL)
	{
		cli_outputs_free(&o.outputs);
		return PGSIFT_EXIT_USAGE;
	}

	/* the stored model as it was kept, with no bound of this run's */
	workload_filter filter = {.since_ms = LOG_TS_UNKNOWN, .until_ms = LOG_TS_UNKNOWN, .patterns = &patterns,
	.max_fingerprints = WORKLOAD_UNBOUNDED};
	store	   *st = store_open(o.store_path, 0);
	workload   *w = workload_create(&filter);
	finding_list findings = {0};
	int			rc;

	o.live.config = config;
	if (st == NULL || store_load(st, w) != 0)
		rc = PGSIFT_EXIT_STORE;
	else
	{
		/* the workload rules on the stored model, as analyze runs them without --dsn */
		analyze_offline(&o.live, w, &findings);
		report_input in = {.model = w, .store_path = o.store_path, .findings = &findings,
		.generated_ms = report_clock_ms(), .html_max_bytes = o.html_max_bytes};

		rc = cli_outputs_write(&o.outputs, &in, o.top, stdout_color);
	}
	finding_list_free(&findings);
	store_close(st);
	workload_destroy(w);
	config_free(config);
	cli_outputs_free(&o.outputs);
	return rc;
}
