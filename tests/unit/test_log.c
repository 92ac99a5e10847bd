/* The library's messages: the default stderr lines, a program's own handler, silence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ixy/ixy.h"
#include "log.h"

struct captured {
	int calls;
	enum ixy_log_level level;
	char msg[512];
};

static void capture(enum ixy_log_level level, const char *msg, void *ctx)
{
	struct captured *c = ctx;
	c->calls++;
	c->level = level;
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

/* Runs fn with stderr redirected into a file; returns what was written (static buffer). */
static const char *stderr_of(void (*fn)(void))
{
	static char out[4096];
	fflush(stderr);
	FILE *tmp = tmpfile();
	CHECK(tmp);
	int saved = dup(2);
	CHECK(saved >= 0 && dup2(fileno(tmp), 2) == 2);
	fn();
	fflush(stderr);
	CHECK(dup2(saved, 2) == 2);
	close(saved);
	rewind(tmp);
	size_t n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

static void open_bad_address(void)
{
	CHECK(ixy_open("0000:zz:00.0", NULL) == NULL);
}

static void warn_and_inform(void)
{
	ixy_warn("a warning %d", 1);
	ixy_info("some information %d", 2);
}

int main(void)
{
	unsetenv("IXY_QUIET");

	/* Default: one "libixy: error:" line per error, kept for ixy_last_error(). */
	const char *out = stderr_of(open_bad_address);
	CHECK(strstr(out, "libixy: error: '0000:zz:00.0' is not a PCI address"));
	CHECK(strchr(out, '\n') == out + strlen(out) - 1);
	CHECK(strstr(ixy_last_error(), "is not a PCI address"));
	out = stderr_of(warn_and_inform);
	CHECK(strcmp(out, "libixy: warning: a warning 1\nlibixy: some information 2\n") == 0);
	setenv("IXY_QUIET", "1", 1);
	CHECK(strcmp(stderr_of(warn_and_inform), "") == 0);
	unsetenv("IXY_QUIET");

	/* A handler of the program's own gets each message once, with its level, and stderr
	 * stays empty. */
	struct captured c = {0};
	ixy_set_log_handler(capture, &c);
	CHECK(strcmp(stderr_of(open_bad_address), "") == 0);
	CHECK(c.calls == 1 && c.level == IXY_LOG_ERROR);
	CHECK(strcmp(c.msg, ixy_last_error()) == 0);
	ixy_warn("disk %s", "full");
	CHECK(c.calls == 2 && c.level == IXY_LOG_WARNING && strcmp(c.msg, "disk full") == 0);
	ixy_info("link up");
	CHECK(c.calls == 3 && c.level == IXY_LOG_INFO && strcmp(c.msg, "link up") == 0);

	/* NULL: silence; the error is still there for ixy_last_error(). */
	ixy_set_log_handler(NULL, NULL);
	CHECK(strcmp(stderr_of(open_bad_address), "") == 0);
	CHECK(strcmp(stderr_of(warn_and_inform), "") == 0);
	CHECK(c.calls == 3);
	CHECK(strstr(ixy_last_error(), "is not a PCI address"));

	/* Back to the default. */
	ixy_set_log_handler(ixy_log_stderr, NULL);
	CHECK(strstr(stderr_of(open_bad_address), "libixy: error: "));
	printf("log handler: ok\n");
	return 0;
}
