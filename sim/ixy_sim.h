/* Opening a virtual 82599 port from a "sim:..." device string (syntax: include/ixy/sim.h), for
 * ixy_open(). Private to libixy. */
#ifndef SIM_IXY_SIM_H
#define SIM_IXY_SIM_H

#include <stdbool.h>

#include "ixy/ixy.h"

/* true if addr starts with "sim:" */
bool ixy_sim_is_spec(const char *addr);
/* Creates the port described by spec (model thread running) and opens it with ixy_open_hw();
 * ixy_close() stops and frees the port. NULL with ixy_last_error() set on error. */
struct ixy_device *ixy_sim_open(const char *spec, const struct ixy_options *opts);

#endif
