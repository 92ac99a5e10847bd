/* A driver under test on virtual 82599 ports in step mode. */
#ifndef IXY_TEST_HARNESS_H
#define IXY_TEST_HARNESS_H

#include <stdlib.h>
#include <string.h>

#include "../unit/check.h"
#include "device.h"
#include "ixgbe_model.h"
#include "ixy/ixy.h"

struct port {
	struct ixgbe_model *model;
	struct ixy_hw_ops ops;
	struct ixy_device *dev;
	char name[16];
};

/* A model port with configuration `cfg` and the driver opened on it; p->dev is NULL (and
 * ixy_last_error() says why) when the driver refuses. */
static inline void port_try_open(struct port *p, struct ixgbe_bus *bus, const struct ixgbe_model_config *cfg,
                                 const struct ixy_options *opts)
{
	p->model = ixgbe_model_new(bus, cfg);
	CHECK(p->model);
	snprintf(p->name, sizeof(p->name), "sim:%u", cfg->port);
	ixgbe_model_hw_ops(p->model, &p->ops, p->name);
	struct ixy_options o = opts ? *opts : (struct ixy_options){0};
	if (!o.link_timeout_ms)
		o.link_timeout_ms = 2000;
	p->dev = ixy_open_hw(&p->ops, &o);
}

/* Port n with the model's defaults; the driver must accept it. */
static inline void port_open(struct port *p, struct ixgbe_bus *bus, unsigned n,
                             const struct ixy_options *opts)
{
	struct ixgbe_model_config cfg;
	ixgbe_model_default_config(&cfg, n);
	port_try_open(p, bus, &cfg, opts);
	CHECK(p->dev);
}

/* Closes the device (stepping the model so TX drains) and checks the model saw no errors: no
 * violation and no warning (an access to an offset with no register, or a read-only write). */
static inline void port_close(struct port *p)
{
	ixgbe_model_step(p->model);
	ixy_close(p->dev);
	unsigned v = ixgbe_model_violations(p->model);
	if (v) {
		char msg[512];
		for (unsigned i = 0; i < v && ixgbe_model_violation(p->model, i, msg, sizeof(msg)); i++)
			fprintf(stderr, "violation: %s\n", msg);
	}
	CHECK(v == 0);
	CHECK(ixgbe_model_warnings(p->model) == 0);
	ixgbe_model_free(p->model);
}

/* A frame to `dst` with payload bytes derived from seq, length len (>= 60). */
static inline void make_frame(uint8_t *f, size_t len, const uint8_t dst[6], uint32_t seq)
{
	static const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x77};
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xB5; /* local experimental EtherType */
	memcpy(f + 14, &seq, 4);
	uint32_t x = seq * 2654435761u + 1;
	for (size_t i = 18; i < len; i++) {
		x = x * 1103515245u + 12345u;
		f[i] = (uint8_t)(x >> 16);
	}
}

/* A test case: runs on a fresh bus of its own. */
struct test_case {
	const char *name;
	void (*fn)(struct ixgbe_bus *);
};

/* Runs the case named argv[1], or every case without an argument; returns the exit status. */
static inline int run_cases(int argc, char **argv, const struct test_case *cases, size_t n)
{
	setenv("IXY_QUIET", "1", 1);
	for (size_t i = 0; i < n; i++) {
		if (argc == 2 && strcmp(argv[1], cases[i].name) != 0)
			continue;
		struct ixgbe_bus *bus = ixgbe_bus_new();
		CHECK(bus);
		cases[i].fn(bus);
		ixgbe_bus_free(bus);
		printf("%s: ok\n", cases[i].name);
		if (argc == 2)
			return 0;
	}
	if (argc == 2) {
		fprintf(stderr, "unknown case %s\n", argv[1]);
		return 2;
	}
	return 0;
}

#endif
