/* The violation log of a device model: every programming error the datasheet forbids is
 * recorded with its rule and datasheet section, logged as a libixy warning (unless quiet; the
 * program's log handler, src/log.h) and counted;
 * warnings (accesses to offsets with no register, writes to read-only registers) are counted
 * separately. Independent of the 82599. Not locked: the owning model holds its own lock. */
#ifndef SIM_RULES_H
#define SIM_RULES_H

#include <stdbool.h>
#include <stddef.h>

#define RULES_MAX_KEPT 1024u
#define RULES_MAX 64u

/* One rule of a device model: its id ("V5"), the datasheet section it comes from, and what it
 * forbids. A model's rules are a table indexed by rule number. */
struct rule_def {
	const char *id;
	const char *section;
	const char *text;
};

struct rule_log {
	const char *who; /* names the device in messages, e.g. "ixgbe-model[sim:0]" */
	bool quiet;      /* do not log */
	const struct rule_def *rules;
	unsigned nrules; /* entries in rules, at most RULES_MAX */
	unsigned nviol, nwarn;
	unsigned count[RULES_MAX];  /* violations per rule */
	char *kept[RULES_MAX_KEPT]; /* the first messages, each "<id>: <message>" */
};

void rule_log_init(struct rule_log *log, const char *who, bool quiet, const struct rule_def *rules,
                   unsigned nrules);
/* Frees the kept messages. */
void rule_log_free(struct rule_log *log);
/* Records a violation of rule (an index into the table); the message names the details. */
void rule_violation(struct rule_log *log, unsigned rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Violations of rule seen since the last clear (0 for an unknown rule). */
unsigned rule_count(const struct rule_log *log, unsigned rule);
/* Counts a warning; prints it only if print is set (the caller prints each cause once). */
void rule_warning(struct rule_log *log, bool print, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copy of kept message i into buf; false if i is out of range or was not kept. */
bool rule_message(const struct rule_log *log, unsigned i, char *buf, size_t len);
/* Number of kept messages containing needle. */
unsigned rule_count_matching(const struct rule_log *log, const char *needle);
/* Forgets all violations and warnings. */
void rule_log_clear(struct rule_log *log);

#endif
