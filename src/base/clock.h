/* The one clock module: monotonic time for timeouts and durations, wall
 * time only for timestamps that leave the process. */
#ifndef MCP_BASE_CLOCK_H
#define MCP_BASE_CLOCK_H

#include <stdint.h>
#include <time.h>

uint64_t mcp__now_ms(void);   /* CLOCK_MONOTONIC, milliseconds */
uint64_t mcp__now_us(void);   /* CLOCK_MONOTONIC, microseconds */
uint64_t mcp__unix_ms(void);  /* CLOCK_REALTIME, milliseconds since the epoch */

/* *ts = CLOCK_MONOTONIC now + ms, for pthread_cond_timedwait on a
 * condition variable created with pthread_condattr_setclock(CLOCK_MONOTONIC). */
void mcp__clock_deadline_ms(struct timespec *ts, uint64_t ms);

#endif
