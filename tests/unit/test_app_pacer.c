/* The apps' software pacer (apps/app.c): frames fall due at the rate, counting the wire's
 * 24 bytes of CRC, preamble, SFD and gap; frames booked but not sent (a full TX ring) are due
 * again, so a device that stops draining costs no rate; a stall beyond 100 ms is not made up.
 * At 0.1 Mbit/s a 60-byte frame takes 6.72 ms, far longer than this test's steps. */
#include <stdio.h>

#include "app.h"
#include "check.h"

#define FRAME_NS (672.0 * 1000.0 / 0.1) /* 84 bytes at 0.1 Mbit/s */

int main(void)
{
	struct app_pacer p;
	uint32_t lens[64];
	for (int i = 0; i < 64; i++)
		lens[i] = 60;
	app_pacer_init(&p, 0.1);
	CHECK(app_pacer_due(&p, lens, 64) == 1); /* the first frame goes at once */
	CHECK(app_pacer_due(&p, lens, 64) == 0);

	/* 9.5 frame times behind: 10 are due. */
	p.next_ns = (double)app_now_ns() - 9.5 * FRAME_NS;
	CHECK(app_pacer_due(&p, lens, 64) == 10);
	CHECK(app_pacer_due(&p, lens, 64) == 0);
	/* The ring took 6: the other 4 are due again, and nothing more. */
	app_pacer_unsent(&p, lens + 6, 4);
	CHECK(app_pacer_due(&p, lens, 64) == 4);
	CHECK(app_pacer_due(&p, lens, 64) == 0);

	/* A 1 s stall: only 100 ms of frames (15 of 6.72 ms, at -100 ms + k * 6.72 ms) are made up. */
	p.next_ns = (double)app_now_ns() - 1e9;
	CHECK(app_pacer_due(&p, lens, 64) == 15);
	printf("app pacer: ok\n");
	return 0;
}
