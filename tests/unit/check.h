/* Minimal assertions for the test programs: a failed check prints where and exits non-zero. */
#ifndef IXY_TEST_CHECK_H
#define IXY_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);             \
			exit(1);                                                                             \
		}                                                                                            \
	} while (0)

#endif
