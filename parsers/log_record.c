/*-------------------------------------------------------------------------
 * log_record.c
 *    Helpers shared by every reader for the log_record struct.
 *-------------------------------------------------------------------------
 */
#include "parsers/log_record.h"

#include <string.h>

void
log_record_clear(log_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->ts_ms = LOG_TS_UNKNOWN;
	rec->utc_offset_min = LOG_UTC_OFFSET_UNKNOWN;
	rec->session_start_ms = LOG_TS_UNKNOWN;
	rec->pid = -1;
	rec->leader_pid = -1;
	rec->session_line = -1;
}

const char *
log_record_session_key(const log_record *rec, char buf[LOG_SESSION_KEY_BUF], size_t *len)
{
	if (rec->session_id != NULL && rec->session_id[0] != '\0')
	{
		*len = strlen(rec->session_id);
		return rec->session_id;
	}
	if (rec->pid < 0)
	{
		*len = 0;
		return "";
	}
	/* by hand: this runs for every statement, and snprintf showed in profiles */
	char		digits[11];
	int			n = 0;
	uint32_t	pid = (uint32_t) rec->pid;

	do
		digits[n++] = (char) ('0' + pid % 10);
	while ((pid /= 10) != 0);
	memcpy(buf, "pid:", 4);
	for (int i = 0; i < n; i++)
		buf[4 + i] = digits[n - 1 - i];
	buf[4 + n] = '\0';
	*len = (size_t) (4 + n);
	return buf;
}

static const char *const severity_names[] = {
	"UNKNOWN", "DEBUG", "INFO", "NOTICE", "WARNING", "LOG", "ERROR", "FATAL", "PANIC"
};

log_severity
log_severity_from_name(const char *s, size_t len)
{
	switch (len)
	{
		case 3:
			return memcmp(s, "LOG", 3) == 0 ? SEV_LOG : SEV_UNKNOWN;
		case 4:
			return memcmp(s, "INFO", 4) == 0 ? SEV_INFO : SEV_UNKNOWN;
		case 5:
			if (memcmp(s, "ERROR", 5) == 0)
				return SEV_ERROR;
			if (memcmp(s, "FATAL", 5) == 0)
				return SEV_FATAL;
			if (memcmp(s, "PANIC", 5) == 0)
				return SEV_PANIC;
			return SEV_UNKNOWN;
		case 6:
			if (memcmp(s, "NOTICE", 6) == 0)
				return SEV_NOTICE;
			if (memcmp(s, "DEBUG", 5) == 0 && s[5] >= '1' && s[5] <= '5')
				return SEV_DEBUG;
			return SEV_UNKNOWN;
		case 7:
			return memcmp(s, "WARNING", 7) == 0 ? SEV_WARNING : SEV_UNKNOWN;
		default:
			return SEV_UNKNOWN;
	}
}

const char *
log_severity_name(log_severity sev)
{
	if ((int) sev < 0 || (size_t) sev >= sizeof(severity_names) / sizeof(severity_names[0]))
		return "UNKNOWN";
	return severity_names[sev];
}
