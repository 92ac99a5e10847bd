/* The virtual 82599: a behavioural model of an 82599 port, part of libixy, so any program can
 * be developed and tested without the hardware. ixy_open() opens one from a device string:
 *
 *   sim:N[,option...]   N = port 0..7, MAC 02:00:00:00:00:0N, a 10 Gbit/s link
 *     loopback          the port's frames come back to it (default when no other wire is given)
 *     peer=M            a cable to port M (M != N), opened by the same process in either order;
 *                       until both ends are open, frames sent are dropped (a warning at close
 *                       if M never appeared)
 *     null              no wire
 *     rx-pcap=FILE      frames arriving on the wire are read from FILE, once, losslessly (frames
 *                       of 14 to 59 bytes arrive padded to 60 bytes, as the sender pads them)
 *     rx-pcap-delay=MS  the rx-pcap frames start MS milliseconds (0..3600000) after the port
 *                       opens: a later burst, for instance after an idle app went to sleep
 *     tx-pcap=FILE      frames the port sends are written to FILE (pcap, us timestamps: when
 *                       each frame's first byte left)
 *     rx-capture=FILE   frames the port receives from its wire are written to FILE (pcap, us
 *                       timestamps: when each frame's first byte arrived)
 *     pcap-ns           tx-pcap and rx-capture timestamps in ns (pcap magic 0xa1b23c4d)
 *     rate=unlimited    no pacing: the port moves frames as fast as the CPU allows
 *     rate=MBIT         pace the wire to MBIT Mbit/s (1..10000; default 10000)
 *     wire=NAME         a cable to the port that names the same wire in another process on this
 *                       host (Linux abstract socket; the first process takes one end, the second
 *                       the other)
 *     delay=US          frames this port sends reach the other end US microseconds later
 *                       (0..50000; set it on both ends for a symmetric cable)
 *
 * rx-pcap, tx-pcap and wire combine with each other and with peer; loopback, peer and null
 * exclude each other. A port's wire is paced to its link speed, counting the preamble, the FCS and the
 * inter-frame gap (10 Gbit/s: 14,880,952 frames/s of 64 bytes, 812,743 of 1514), so rates are
 * those of a real port. The model runs in its own thread and reports every driver error it sees
 * (the rule and its datasheet section) as a libixy warning (ixy_set_log_handler()).
 * See README "The virtual 82599". */
#ifndef IXY_SIM_H
#define IXY_SIM_H

#include "ixy/ixy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ixy_close() for a virtual port that also says whether all went well: returns 0, or -1 when
 * the model saw driver errors or the port's tx-pcap or rx-capture file could not be written
 * completely (ixy_last_error() then says which; the details were logged as they happened). For any other
 * device it is ixy_close() and returns 0. */
int ixy_sim_close(struct ixy_device *dev);

#ifdef __cplusplus
}
#endif
#endif
