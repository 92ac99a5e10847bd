/* The violation log of a device model (see rules.h). */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void rule_log_init(struct rule_log *log, const char *who, bool quiet, const struct rule_def *rules,
                   unsigned nrules)
{
	memset(log, 0, sizeof(*log));
	log->who = who;
	log->quiet = quiet;
	log->rules = rules;
	log->nrules = nrules < RULES_MAX ? nrules : RULES_MAX;
}

void rule_log_free(struct rule_log *log)
{
	rule_log_clear(log);
}

void rule_violation(struct rule_log *log, unsigned rule, const char *fmt, ...)
{
	char msg[400];
	const char *id = rule < log->nrules ? log->rules[rule].id : "?";
	int n = snprintf(msg, sizeof(msg), "%s: ", id);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (log->nviol < RULES_MAX_KEPT)
		log->kept[log->nviol] = strdup(msg);
	log->nviol++;
	if (rule < log->nrules)
		log->count[rule]++;
	if (!log->quiet)
		ixy_warn("%s: VIOLATION %s", log->who, msg);
}

unsigned rule_count(const struct rule_log *log, unsigned rule)
{
	return rule < log->nrules ? log->count[rule] : 0;
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
	ixy_warn("%s: %s", log->who, msg);
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
	memset(log->count, 0, sizeof(log->count));
}
