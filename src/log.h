/* Logging to stderr and the per-thread "last error" message. */
#ifndef IXY_LOG_H
#define IXY_LOG_H

/* Records the message as ixy_last_error() and prints it to stderr. printf-style. */
void ixy_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Informational line to stderr, silenced by IXY_QUIET=1 in the environment. */
void ixy_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ixy_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
