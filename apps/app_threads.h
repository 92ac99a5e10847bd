/* What the apps need for --threads: worker threads pinned to CPUs, and per-queue statistics. */
#ifndef IXY_APP_THREADS_H
#define IXY_APP_THREADS_H

#include <pthread.h>

#include "app.h"

#define APP_MAX_THREADS 16u /* RSS spreads over at most 16 RX queues */

/* Starts fn(arg) as worker `index`, pinned to the index-th CPU this process may run on (round
 * robin); *cpu is that CPU (-1: not known; kept so that statistics need no system call, which a
 * sandbox may forbid). Returns 0, or -1 after printing why (the thread is not started). A CPU that
 * cannot be pinned is a warning only. */
int app_start_worker(pthread_t *tid, int *cpu, unsigned index, void *(*fn)(void *), void *arg);
/* Prints one line per queue of the port: "queue <port> <q> rx_packets=... tx_bytes=...", the
 * counts since the last call. */
void app_print_queue_stats(const struct app_port *port);

#endif
