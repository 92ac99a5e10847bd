/* Error and log messages. The last error is kept per thread so callers can show it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ixy/ixy.h"
#include "log.h"

static _Thread_local char last_error[512];

const char *ixy_last_error(void)
{
	return last_error[0] ? last_error : "no error";
}

void ixy_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	fprintf(stderr, "libixy: error: %s\n", last_error);
}

static void log_line(const char *level, const char *fmt, va_list ap)
{
	const char *quiet = getenv("IXY_QUIET");
	if (quiet && strcmp(quiet, "1") == 0)
		return;
	fprintf(stderr, "libixy: %s", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void ixy_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("", fmt, ap);
	va_end(ap);
}

void ixy_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line("warning: ", fmt, ap);
	va_end(ap);
}
