/*-------------------------------------------------------------------------
 * report_pooler.h
 *    The "Pooler (pgBouncer)" section of the text, Markdown and JSON
 *    reports, beside the server's sessions.
 *
 * Each writer does nothing (the JSON gives null) when no pgBouncer record
 * was read, so reports of server logs alone are unchanged.
 *-------------------------------------------------------------------------
 */
#ifndef PGSIFT_REPORT_POOLER_H
#define PGSIFT_REPORT_POOLER_H

#include "src/model/workload.h"

#include <jansson.h>
#include <stdio.h>

/* The section as text, after the server's sessions; its heading bold when color. */
void		report_text_pooler(FILE *out, const workload *w, int color);

/* The section as Markdown; log text is escaped (md_escape). */
void		report_markdown_pooler(FILE *out, const workload *w);

/* The "pooler" object of the JSON report (new reference), or JSON null. */
json_t	   *report_json_pooler(const workload *w);

#endif
