/*-------------------------------------------------------------------------
 * config.h
 *    pgsift.conf: which rules run, and their thresholds.
 *
 * The file is INI-like: a [rule-id] section per rule, with "enabled =
 * true|false" and "threshold_name = number" lines; '#' and ';' start
 * comments.  It is read once per run (from --config, or ./pgsift.conf
 * when present) and is then read-only.  This module only parses; the
 * rule registry checks that every section names a rule and every key one
 * of that rule's thresholds (rules_check_config), so that a typo is an
 * error rather than a silently ignored line; the [migration] section is
 * pgsift migration's, checked by it.  docs/configuration.md.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_CONFIG_H
#define PGSIFT_CONFIG_H

#define PGSIFT_CONFIG_DEFAULT_FILE "pgsift.conf"

/* The section of pgsift migration's settings, not a rule's (src/analyze/migration_gate.h). */
#define CONFIG_MIGRATION_SECTION "migration"

/* One "key = value" line of a section. */
typedef struct config_entry
{
	char	   *section;		/* rule id */
	char	   *key;
	char	   *value;			/* trimmed text */
	int			line;			/* 1-based line number in the file */
} config_entry;

typedef struct pgsift_config
{
	char	   *path;			/* the file read, or NULL for no file */
	int			count;
	config_entry *entries;
} pgsift_config;

/*
 * Read the configuration at path; with path NULL, read ./pgsift.conf when
 * it exists and otherwise return an empty configuration.  A file given
 * explicitly must exist.  Syntax errors (a line outside a section, a line
 * without '=', a bad section header) are reported with file:line, and
 * NULL is returned.  Free with config_free.
 */
pgsift_config *config_load(const char *path);

void		config_free(pgsift_config *c);

/* The value text of section.key (the last one when repeated), or NULL. */
const config_entry *config_lookup(const pgsift_config *c, const char *section, const char *key);

/*
 * Whether rule_id runs: 0 when its section says "enabled = false" (or
 * off/no/0), else 1.  c may be NULL.
 */
int			config_rule_enabled(const pgsift_config *c, const char *rule_id);

/*
 * A number from a config value ("5", "0.5", "1e3"); 0 and *out set, or -1
 * when the text is not a finite number.
 */
int			config_parse_number(const char *text, double *out);

/* 1 for true/on/yes/1, 0 for false/off/no/0, -1 for anything else. */
int			config_parse_bool(const char *text);

#endif
