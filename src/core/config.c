/*-------------------------------------------------------------------------
 * config.c
 *    Parsing pgsift.conf.
 *
 * The format is deliberately small (sections, key = value, comments): a
 * rule's thresholds are numbers and its switch a boolean, so nothing
 * here needs quoting or nesting, and an INI file is what a DBA expects
 * to edit.  Whether a section or key means anything is the registry's
 * business (rules_check_config); here only the shape of lines is checked.
 *-------------------------------------------------------------------------
 */
#include "src/core/config.h"
#include "src/core/diag.h"
#include "src/lib/arena.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Trim leading and trailing white space in place; returns the start. */
static char *
trim(char *s)
{
	char	   *end;

	while (isspace((unsigned char) *s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char) end[-1]))
		*--end = '\0';
	return s;
}

/* Cut a line at a comment: '#' or ';' at the start or after white space. */
static void
strip_comment(char *s)
{
	for (char *p = s; *p; p++)
		if ((*p == '#' || *p == ';') && (p == s || isspace((unsigned char) p[-1])))
		{
			*p = '\0';
			return;
		}
}

static void
add_entry(pgsift_config *c, const char *section, const char *key, const char *value, int line)
{
	c->entries = xrealloc(c->entries, ((size_t) c->count + 1) * sizeof(config_entry));
	c->entries[c->count++] = (config_entry) {
		.section = xstrdup(section), .key = xstrdup(key), .value = xstrdup(value), .line = line,
	};
}

/* An empty configuration (every rule enabled, every default). */
static pgsift_config *
config_empty(void)
{
	return xcalloc(1, sizeof(pgsift_config));
}

/* Parse the open file f into c; 0, or -1 after reporting the bad line. */
static int
parse_file(pgsift_config *c, FILE *f)
{
	char	   *buf = NULL;
	size_t		cap = 0;
	char	   *section = NULL;
	int			line = 0,
				rc = 0;

	while (rc == 0 && getline(&buf, &cap, f) >= 0)
	{
		char	   *s,
				   *eq;

		line++;
		strip_comment(buf);
		s = trim(buf);
		if (*s == '\0')
			continue;
		if (*s == '[')
		{
			char	   *close = strchr(s, ']');

			if (close != NULL)
				*close = '\0';
			if (close == NULL || trim(close + 1)[0] != '\0' || trim(s + 1)[0] == '\0')
			{
				diag_detail("A section header is a rule id in brackets, like [n-plus-one].");
				diag_error("invalid section header at %s:%d", c->path, line);
				rc = -1;
				break;
			}
			free(section);
			section = xstrdup(trim(s + 1));
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL || section == NULL)
		{
			diag_detail("%s", eq == NULL ? "Lines are \"name = value\"." : "The line comes before any [rule-id] section.");
			diag_hint("See docs/configuration.md for the format.");
			diag_error("invalid line at %s:%d", c->path, line);
			rc = -1;
			break;
		}
		*eq = '\0';
		add_entry(c, section, trim(s), trim(eq + 1), line);
	}
	free(section);
	free(buf);
	return rc;
}

pgsift_config *
config_load(const char *path)
{
	const char *file = path ? path : PGSIFT_CONFIG_DEFAULT_FILE;
	FILE	   *f = fopen(file, "r");
	pgsift_config *c;

	if (f == NULL)
	{
		if (path == NULL && errno == ENOENT)
			return config_empty();
		diag_hint("Check the path given with --config.");
		diag_error("could not open configuration file \"%s\": %m", file);
		return NULL;
	}
	c = config_empty();
	c->path = xstrdup(file);
	if (parse_file(c, f) != 0)
	{
		config_free(c);
		c = NULL;
	}
	fclose(f);
	return c;
}

void
config_free(pgsift_config *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->count; i++)
	{
		free(c->entries[i].section);
		free(c->entries[i].key);
		free(c->entries[i].value);
	}
	free(c->entries);
	free(c->path);
	free(c);
}

const config_entry *
config_lookup(const pgsift_config *c, const char *section, const char *key)
{
	for (int i = c ? c->count - 1 : -1; i >= 0; i--)
		if (strcmp(c->entries[i].section, section) == 0 && strcmp(c->entries[i].key, key) == 0)
			return &c->entries[i];
	return NULL;
}

int
config_parse_bool(const char *text)
{
	static const char *const yes[] = {"true", "on", "yes", "1"};
	static const char *const no[] = {"false", "off", "no", "0"};

	for (int i = 0; i < 4; i++)
	{
		if (strcasecmp(text, yes[i]) == 0)
			return 1;
		if (strcasecmp(text, no[i]) == 0)
			return 0;
	}
	return -1;
}

int
config_rule_enabled(const pgsift_config *c, const char *rule_id)
{
	const config_entry *e = config_lookup(c, rule_id, "enabled");

	return e == NULL || config_parse_bool(e->value) != 0;
}

int
config_parse_number(const char *text, double *out)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || *end != '\0' || errno != 0 || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}
