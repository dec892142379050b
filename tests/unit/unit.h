/* unit: a tiny test harness, header only.
 *
 *   static void test_thing(void)
 *   {
 *           CHECK(1 + 1 == 2);
 *           CHECK_STREQ(name, "fetch");
 *           CHECK_INTEQ(n, 3);
 *   }
 *   UNIT_MAIN(test_thing, test_other)
 *
 * Every check is counted; a failed one prints its file, line, test and
 * expression, and the test goes on, so one run shows every failure.  The
 * program ends with "N passed, M failed" and exits 1 when M > 0 (what
 * automake's test driver expects; 77 would mean "skipped"). */
#ifndef ORK_UNIT_H
#define ORK_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned unit_passed, unit_failed;

static inline void unit_report(int ok, const char *file, int line,
			       const char *func, const char *what)
{
	if (ok) {
		unit_passed++;
		return;
	}
	unit_failed++;
	fprintf(stderr, "%s:%d: %s: check failed: %s\n", file, line, func, what);
}

#define CHECK(cond) unit_report(!!(cond), __FILE__, __LINE__, __func__, #cond)

/* Strings are compared with strcmp; NULL equals only NULL.  Both values
 * are printed on failure. */
#define CHECK_STREQ(a, b)                                                    \
	do {                                                                 \
		const char *unit_a = (a), *unit_b = (b);                     \
		int unit_ok = unit_a && unit_b ? !strcmp(unit_a, unit_b)     \
					       : unit_a == unit_b;           \
		unit_report(unit_ok, __FILE__, __LINE__, __func__,           \
			    #a " == " #b);                                   \
		if (!unit_ok)                                                \
			fprintf(stderr, "    got      \"%s\"\n"              \
				"    expected \"%s\"\n",                     \
				unit_a ? unit_a : "(null)",                  \
				unit_b ? unit_b : "(null)");                 \
	} while (0)

#define CHECK_INTEQ(a, b)                                                    \
	do {                                                                 \
		long long unit_a = (long long)(a), unit_b = (long long)(b); \
		unit_report(unit_a == unit_b, __FILE__, __LINE__, __func__,  \
			    #a " == " #b);                                   \
		if (unit_a != unit_b)                                        \
			fprintf(stderr, "    got %lld, expected %lld\n",     \
				unit_a, unit_b);                             \
	} while (0)

/* A scratch directory for tests that need files: list unit_tmpdir_make
 * first and unit_tmpdir_remove last in UNIT_MAIN. */
static char unit_tmpdir[] __attribute__((unused)) = "/tmp/orkc-unit.XXXXXX";

static inline void unit_tmpdir_make(void)
{
	CHECK(mkdtemp(unit_tmpdir) != NULL);
}

static inline void unit_tmpdir_remove(void)
{
	char cmd[64 + sizeof unit_tmpdir];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", unit_tmpdir);
	CHECK(system(cmd) == 0);
}

/* main: run each test function in order, then report. */
#define UNIT_MAIN(...)                                                       \
	int main(void)                                                       \
	{                                                                    \
		void (*const unit_tests[])(void) = { __VA_ARGS__ };          \
		for (size_t i = 0; i < sizeof unit_tests / sizeof *unit_tests; \
		     i++)                                                    \
			unit_tests[i]();                                     \
		printf("%u passed, %u failed\n", unit_passed, unit_failed); \
		return unit_failed ? 1 : 0;                                  \
	}

#endif
