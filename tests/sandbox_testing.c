/*-------------------------------------------------------------------------
 * sandbox_testing.c
 *    A sandbox and its own policy, opened and closed together.
 *-------------------------------------------------------------------------
 */
#include "tests/sandbox_testing.h"

sandbox *
sandbox_test_open(const char *dsn, int allow_writes)
{
	sandbox_settings settings = {.dsn = dsn, .allow_writes = allow_writes};
	sandbox_policy *p = sandbox_policy_create(&settings);
	sandbox    *s = sandbox_connect(p);

	if (s == NULL)
		sandbox_policy_free(p);
	return s;
}

void
sandbox_test_close(sandbox *s)
{
	sandbox_policy *p;

	if (s == NULL)
		return;
	p = sandbox_get_policy(s);
	sandbox_close(s);
	sandbox_policy_free(p);
}
