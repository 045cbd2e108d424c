/* Table tests: every row is checked, and every wrong one named, before
 * the test fails, so that one run shows all that is wrong.  Include
 * after cmocka.h. */
#ifndef CX_TEST_EXPECT_H
#define CX_TEST_EXPECT_H

static int failures;

#define EXPECT(cond, ...)                                                    \
	do {                                                                 \
		if (!(cond)) {                                               \
			print_error("# " __VA_ARGS__);                       \
			print_error("\n");                                   \
			failures++;                                          \
		}                                                            \
	} while (0)

/* The end of a table test: it fails if a row did. */
static void done(void)
{
	int n = failures;

	failures = 0;
	assert_int_equal(n, 0);
}

#endif
