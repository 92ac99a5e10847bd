/* ixy_read_queue_stats() for a driver without per-queue counters (virtio: one queue pair): the
 * device counters become queue 0's, and ixy_read_stats() and ixy_read_queue_stats() each still
 * report everything since their own last call, although the driver's counters clear on read. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "device.h"

static struct ixy_stats pending; /* the fake driver's counters since its last read */

static void fake_read_stats(struct ixy_device *dev, struct ixy_stats *stats)
{
	(void)dev;
	stats->rx_packets += pending.rx_packets;
	stats->rx_bytes += pending.rx_bytes;
	stats->tx_packets += pending.tx_packets;
	stats->tx_bytes += pending.tx_bytes;
	stats->rx_dropped += pending.rx_dropped;
	pending = (struct ixy_stats){0};
}

static void traffic(uint64_t n)
{
	pending.rx_packets += n;
	pending.rx_bytes += 100 * n;
	pending.tx_packets += 2 * n;
	pending.tx_bytes += 200 * n;
	pending.rx_dropped += n / 2;
}

int main(void)
{
	static const struct ixy_ctrl_ops ctrl = {.driver_name = "fake", .read_stats = fake_read_stats};
	struct ixy_device dev = {.ctrl = &ctrl, .rx_queues = 1, .tx_queues = 1};
	struct ixy_stats st = {0};
	struct ixy_queue_stats rx = {0}, tx = {0};
	traffic(10);
	ixy_read_queue_stats(&dev, &rx, &tx);
	CHECK(rx.packets == 10 && rx.bytes == 1000 && rx.dropped == 5 && rx.errors == 0);
	CHECK(tx.packets == 20 && tx.bytes == 2000);
	traffic(4);
	ixy_read_stats(&dev, &st); /* sees both rounds */
	CHECK(st.rx_packets == 14 && st.tx_packets == 28 && st.rx_bytes == 1400 && st.rx_dropped == 7);
	traffic(1);
	memset(&rx, 0, sizeof(rx));
	ixy_read_queue_stats(&dev, &rx, NULL); /* the second and third round */
	CHECK(rx.packets == 5 && rx.bytes == 500);
	ixy_read_queue_stats(&dev, NULL, &tx); /* TX waited: rounds two and three */
	CHECK(tx.packets == 20 + 10 && tx.bytes == 2000 + 1000);
	memset(&st, 0, sizeof(st));
	ixy_read_stats(&dev, &st); /* the third round only */
	CHECK(st.rx_packets == 1 && st.tx_packets == 2);
	memset(&st, 0, sizeof(st));
	ixy_read_stats(&dev, &st);
	CHECK(st.rx_packets == 0 && st.tx_bytes == 0);
	printf("queue stats fallback: ok\n");
	return 0;
}
