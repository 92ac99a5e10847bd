/* The violation log of a device model (see rules.h). */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rule_log_init(struct rule_log *log, const char *who, bool quiet)
{
	memset(log, 0, sizeof(*log));
	log->who = who;
	log->quiet = quiet;
}

void rule_log_free(struct rule_log *log)
{
	rule_log_clear(log);
}

void rule_violation(struct rule_log *log, const char *fmt, ...)
{
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log->nviol < RULES_MAX_KEPT)
		log->kept[log->nviol] = strdup(msg);
	log->nviol++;
	if (!log->quiet)
		fprintf(stderr, "%s: VIOLATION: %s\n", log->who, msg);
}

void rule_warning(struct rule_log *log, bool print, const char *fmt, ...)
{
	log->nwarn++;
	if (!print || log->quiet)
		return;
	char msg[320];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: warning: %s\n", log->who, msg);
}

bool rule_message(const struct rule_log *log, unsigned i, char *buf, size_t len)
{
	if (i >= log->nviol || i >= RULES_MAX_KEPT || !log->kept[i])
		return false;
	snprintf(buf, len, "%s", log->kept[i]);
	return true;
}

unsigned rule_count_matching(const struct rule_log *log, const char *needle)
{
	unsigned n = 0;
	for (unsigned i = 0; i < log->nviol && i < RULES_MAX_KEPT; i++)
		if (log->kept[i] && strstr(log->kept[i], needle))
			n++;
	return n;
}

void rule_log_clear(struct rule_log *log)
{
	for (unsigned i = 0; i < log->nviol && i < RULES_MAX_KEPT; i++) {
		free(log->kept[i]);
		log->kept[i] = NULL;
	}
	log->nviol = 0;
	log->nwarn = 0;
}
