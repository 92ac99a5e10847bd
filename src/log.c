/* Error and log messages. The last error is kept per thread so callers can show it; every
 * message goes to one process-wide handler (ixy_set_log_handler()). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ixy/ixy.h"
#include "log.h"

static _Thread_local char last_error[512];

/* Messages are rare (never per packet), so a lock keeps fn and ctx consistent. */
static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static ixy_log_fn handler = ixy_log_stderr;
static void *handler_ctx;

const char *ixy_last_error(void)
{
	return last_error[0] ? last_error : "no error";
}

void ixy_set_log_handler(ixy_log_fn fn, void *ctx)
{
	pthread_mutex_lock(&handler_lock);
	handler = fn;
	handler_ctx = ctx;
	pthread_mutex_unlock(&handler_lock);
}

void ixy_log_stderr(enum ixy_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	const char *quiet = getenv("IXY_QUIET");
	if (level != IXY_LOG_ERROR && quiet && strcmp(quiet, "1") == 0)
		return;
	const char *prefix = level == IXY_LOG_ERROR ? "error: " : level == IXY_LOG_WARNING ? "warning: " : "";
	fprintf(stderr, "libixy: %s%s\n", prefix, msg);
}

static void deliver(enum ixy_log_level level, const char *msg)
{
	pthread_mutex_lock(&handler_lock);
	ixy_log_fn fn = handler;
	void *ctx = handler_ctx;
	pthread_mutex_unlock(&handler_lock);
	if (fn)
		fn(level, msg, ctx);
}

void ixy_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	deliver(IXY_LOG_ERROR, last_error);
}

static void log_line(enum ixy_log_level level, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	deliver(level, msg);
}

void ixy_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line(IXY_LOG_INFO, fmt, ap);
	va_end(ap);
}

void ixy_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line(IXY_LOG_WARNING, fmt, ap);
	va_end(ap);
}
