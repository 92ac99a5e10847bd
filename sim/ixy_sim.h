/* Apps glue: open a virtual 82599 port (sim/ixgbe_model.h) by a "sim:..." device string.
 *
 * Spec syntax: sim:N[,option...]   N = port 0..7, MAC 02:00:00:00:00:0N
 *   loopback        the port's Tx comes back into its Rx (default when no other wire is given)
 *   peer=M          cable to port M (M != N); open both in this process, in either order: the
 *                   first one's frames are dropped (not counted) until the second is opened
 *   rx-pcap=FILE    frames arriving on the wire are read from FILE, once, losslessly
 *   rx-pcap-delay=MS  the rx-pcap frames start MS milliseconds after the port (a later burst)
 *   tx-pcap=FILE    frames the port sends are written to FILE (pcap, link type 1, us timestamps)
 *   null            no wire
 * rx-pcap and tx-pcap may be combined with each other and with peer; loopback, peer and null
 * exclude each other. The model runs in thread mode. */
#ifndef IXY_SIM_H
#define IXY_SIM_H

#include <stdbool.h>

#include "ixy/ixy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* true if addr starts with "sim:" */
bool ixy_sim_is_spec(const char *addr);
/* Creates the port described by spec (model thread running) and opens it with ixy_open_hw().
 * NULL on error; the message is printed to stderr and kept for ixy_sim_last_error(). */
struct ixy_device *ixy_sim_open(const char *spec, const struct ixy_options *opts);
/* ixy_close(dev), then stops and frees the model port (flushing pcap output). Returns the number
 * of model violations seen on that port (0 = clean). */
unsigned ixy_sim_close(struct ixy_device *dev);
/* The message of the last failed ixy_sim_open() in this thread. */
const char *ixy_sim_last_error(void);

#ifdef __cplusplus
}
#endif
#endif
