/* The library's messages: to the handler set with ixy_set_log_handler() (default: stderr). */
#ifndef IXY_LOG_H
#define IXY_LOG_H

/* Records the message as ixy_last_error() and passes it to the log handler. printf-style. */
void ixy_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Information and warnings for the log handler (the default one honours IXY_QUIET=1). */
void ixy_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ixy_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
