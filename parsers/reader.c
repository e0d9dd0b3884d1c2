/*-------------------------------------------------------------------------
 * reader.c
 *    The table of log formats: names and reader implementations.
 *-------------------------------------------------------------------------
 */
#include "parsers/reader.h"

#include <string.h>

static const struct
{
	log_format	format;
	const char *name;
	const format_reader_ops *ops;
}			formats[] = {
	{LOG_FORMAT_AUTO, "auto", NULL},
	{LOG_FORMAT_STDERR, "stderr", &stderr_reader_ops},
	{LOG_FORMAT_CSVLOG, "csvlog", &csvlog_reader_ops},
	{LOG_FORMAT_JSONLOG, "jsonlog", &jsonlog_reader_ops},
	{LOG_FORMAT_SYSLOG, "syslog", &syslog_reader_ops},
	{LOG_FORMAT_SYSLOG2, "syslog2", &syslog2_reader_ops},
	{LOG_FORMAT_RDS, "rds", &rds_reader_ops},
	{LOG_FORMAT_LOGPLEX, "logplex", &logplex_reader_ops},
	{LOG_FORMAT_CNPG, "cnpg", &cnpg_reader_ops},
	{LOG_FORMAT_CLOUDSQL, "cloudsql", &cloudsql_reader_ops},
	{LOG_FORMAT_PGBOUNCER, "pgbouncer", &pgbouncer_reader_ops},
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

int
log_format_from_name(const char *name)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (strcmp(formats[i].name, name) == 0)
			return (int) formats[i].format;
	return -1;
}

const char *
log_format_name(log_format f)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].format == f)
			return formats[i].name;
	return "unknown";
}

const format_reader_ops *
format_reader_for(log_format f)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (formats[i].format == f && formats[i].ops)
			return formats[i].ops;
	return &stderr_reader_ops;
}
