/* The IOMMU-like DMA bus of the device models: a table of the regions the library registered
 * through the dma_map seam (include/ixy/hw.h). A model DMAs only through ixgbe_bus_translate(),
 * so any address the library did not allocate (a virtual address, a freed or foreign buffer)
 * is refused. Independent of the 82599: any device model can share one bus per process. (The
 * ixgbe_ prefix is kept for source compatibility.) */
#ifndef SIM_BUS_H
#define SIM_BUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bus addresses handed out by ixgbe_bus_map(): BASE + k * SLOT, far above any user virtual address. */
#define IXGBE_BUS_BASE 0x1000000000000ULL
#define IXGBE_BUS_SLOT (4ULL << 20)
#define IXGBE_BUS_SLOTS 65536u

struct ixgbe_bus;

/* The IOMMU-like table shared by all ports of a process. */
struct ixgbe_bus *ixgbe_bus_new(void);
void ixgbe_bus_free(struct ixgbe_bus *bus);
/* Registers [virt, virt+len) and returns its bus address (0 if the table is full or len is 0). */
uint64_t ixgbe_bus_map(struct ixgbe_bus *bus, void *virt, size_t len);
/* Bus -> virtual for [bus_addr, bus_addr+len); NULL if not entirely inside one region. */
void *ixgbe_bus_translate(struct ixgbe_bus *bus, uint64_t bus_addr, size_t len);

#ifdef __cplusplus
}
#endif
#endif
