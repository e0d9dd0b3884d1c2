/*-------------------------------------------------------------------------
 * params.c
 *    Parse the bind parameters PostgreSQL logs in a DETAIL line.
 *
 * errdetail_params() (postgres.c) writes "parameters: $1 = 'a', $2 = NULL":
 * each value is single-quoted with embedded quotes doubled, may hold
 * newlines, commas and "$n = " sequences, and, when log_parameter_max_length
 * cuts it, ends in "..." inside the quotes ('abc...'), which we keep as is.
 *
 * The text is scanned twice: once to check it and size the result, once
 * to copy the values, so a list costs one allocation.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_event.h"
#include "src/lib/arena.h"

#include <stdlib.h>
#include <string.h>

/*
 * One pass over the list.  Without values, only checks the syntax, counts
 * parameters in *count and the bytes of their unquoted values (with NULs)
 * in *bytes.  With values (sized by a first pass), stores each value into
 * storage.  Returns 0, or -1 if text is not a parameter list.
 */
static int
scan_params(const char *p, char **values, char *storage, int *count, size_t *bytes)
{
	int			n = 0;
	size_t		used = 0;

	for (;;)
	{
		long		number = 0;

		if (*p != '$' || p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9' && number <= n + 1; p++)
			number = number * 10 + (*p - '0');
		/* PostgreSQL numbers them $1, $2, ... in order: values[i] is $(i+1). */
		if (number != n + 1 || strncmp(p, " = ", 3) != 0)
			return -1;
		p += 3;
		if (strncmp(p, "NULL", 4) == 0)
		{
			if (values)
				values[n] = NULL;
			p += 4;
		}
		else if (*p == '\'')
		{
			size_t		start = used;

			for (p++;; p++)
			{
				if (*p == '\0')
					return -1;
				if (*p == '\'')
				{
					if (p[1] != '\'')
						break;
					p++;		/* '' stands for one quote */
				}
				if (storage)
					storage[used] = *p;
				used++;
			}
			p++;
			if (storage)
			{
				storage[used] = '\0';
				values[n] = storage + start;
			}
			used++;
		}
		else
			return -1;
		n++;
		if (*p == ',' && p[1] == ' ')
		{
			p += 2;
			continue;
		}
		while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			p++;
		if (*p != '\0')
			return -1;
		break;
	}
	*count = n;
	*bytes = used;
	return 0;
}

/*
 * Parse text (the DETAIL after "parameters: "; the prefix itself is also
 * accepted) into out.  out->values is one malloc'd block holding the
 * array and the strings; release it with param_list_free.  On -1, out is
 * empty and needs no freeing.
 */
int
param_list_parse(const char *text, param_list *out)
{
	int			count;
	size_t		bytes;
	char	  **values;

	out->count = 0;
	out->values = NULL;
	if (text == NULL)
		return -1;
	if (strncmp(text, "parameters: ", 12) == 0)
		text += 12;
	if (scan_params(text, NULL, NULL, &count, &bytes) < 0)
		return -1;
	values = xmalloc((size_t) count * sizeof(char *) + bytes);
	scan_params(text, values, (char *) (values + count), &count, &bytes);
	out->count = count;
	out->values = values;
	return 0;
}

/* Release what param_list_parse stored; pl is left empty.  NULL is allowed. */
void
param_list_free(param_list *pl)
{
	if (pl == NULL)
		return;
	free(pl->values);
	pl->values = NULL;
	pl->count = 0;
}
