/* ixy_open(): a "sim:" device string is a virtual 82599 port (sim/ixy_sim.c), anything else a
 * PCI address (device.c). A file of its own above both, as ixy_sim.c opens its port through
 * device.c's ixy_open_hw(): no two files call each other. */
#include "device.h"
#include "ixy_sim.h"
#include "log.h"

struct ixy_device *ixy_open(const char *dev, const struct ixy_options *opts)
{
	if (!dev) {
		ixy_error("no device given: pass a PCI address such as 0000:03:00.0, or sim:0 for a "
		          "virtual 82599");
		return NULL;
	}
	if (ixy_sim_is_spec(dev))
		return ixy_sim_open(dev, opts);
	return device_open_pci(dev, opts);
}
