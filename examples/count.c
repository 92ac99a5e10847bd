/* Counts the packets arriving on one port, using the installed libixy.
 *   count <device> [seconds]   e.g. count 0000:03:00.0, or without a NIC: count sim:0,rx-pcap=in.pcap 1 */
#include <ixy/ixy.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	timespec_get(&t, TIME_UTC);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	ixy_set_log_handler(NULL, NULL); /* quiet library: this program prints the errors itself */
	struct ixy_options opts = {.promiscuous = true};
	int seconds = argc == 3 ? atoi(argv[2]) : 10;
	struct ixy_device *dev = (argc == 2 || argc == 3) && seconds > 0 ? ixy_open(argv[1], &opts) : NULL;
	if (!dev) {
		fprintf(stderr, "usage: count <pci-address or sim:...> [seconds] (%s)\n", ixy_last_error());
		return 1;
	}
	struct ixy_buf *bufs[32];
	unsigned long packets = 0;
	for (double end = now() + seconds; now() < end;) {
		uint32_t n = ixy_rx_batch(dev, 0, bufs, 32);
		for (uint32_t i = 0; i < n; i++)
			ixy_buf_free(bufs[i]);
		packets += n;
	}
	printf("%lu packets\n", packets);
	ixy_close(dev);
	return 0;
}
