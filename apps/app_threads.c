#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "app_threads.h"

static int app_worker_cpu(unsigned index)
{
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || CPU_COUNT(&allowed) == 0)
		return -1;
	unsigned want = index % (unsigned)CPU_COUNT(&allowed);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &allowed) && want-- == 0)
			return cpu;
	}
	return -1;
}

int app_start_worker(pthread_t *tid, int *cpu_out, unsigned index, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(tid, NULL, fn, arg);
	if (err) {
		fprintf(stderr, "cannot start worker thread %u: %s\n", index, strerror(err));
		return -1;
	}
	int cpu = app_worker_cpu(index);
	*cpu_out = cpu;
	cpu_set_t one;
	CPU_ZERO(&one);
	if (cpu >= 0)
		CPU_SET(cpu, &one);
	if (cpu < 0 || (err = pthread_setaffinity_np(*tid, sizeof(one), &one)) != 0)
		fprintf(stderr, "warning: worker thread %u is not pinned to a CPU%s%s\n", index,
		        cpu < 0 ? "" : ": ", cpu < 0 ? "" : strerror(err));
	return 0;
}

void app_print_queue_stats(const struct app_port *port)
{
	struct ixy_queue_stats rx[64], tx[64];
	memset(rx, 0, sizeof(rx));
	memset(tx, 0, sizeof(tx));
	ixy_read_queue_stats(port->dev, rx, tx);
	uint16_t nrx = ixy_rx_queue_count(port->dev), ntx = ixy_tx_queue_count(port->dev);
	for (uint16_t q = 0; q < nrx || q < ntx; q++) {
		printf("queue %s %u rx_packets=%" PRIu64 " rx_bytes=%" PRIu64 " rx_dropped=%" PRIu64
		       " rx_errors=%" PRIu64 " tx_packets=%" PRIu64 " tx_bytes=%" PRIu64 "\n",
		       port->name, q, rx[q].packets, rx[q].bytes, rx[q].dropped, rx[q].errors, tx[q].packets,
		       tx[q].bytes);
	}
	fflush(stdout);
}
