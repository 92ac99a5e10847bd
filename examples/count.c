/* Counts the packets arriving on one port for ten seconds, using the installed libixy. */
#include <ixy/ixy.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct ixy_options opts = {.promiscuous = true};
	struct ixy_device *dev = argc == 2 ? ixy_open(argv[1], &opts) : NULL;
	if (!dev) {
		fprintf(stderr, "usage: count <pci-address> (%s)\n", ixy_last_error());
		return 1;
	}
	struct ixy_buf *bufs[32];
	unsigned long packets = 0;
	for (time_t end = time(NULL) + 10; time(NULL) < end;) {
		uint32_t n = ixy_rx_batch(dev, 0, bufs, 32);
		for (uint32_t i = 0; i < n; i++)
			ixy_buf_free(bufs[i]);
		packets += n;
	}
	printf("%lu packets\n", packets);
	ixy_close(dev);
	return 0;
}
