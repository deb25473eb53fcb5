/* The one clock module: monotonic time for timeouts and durations, wall
 * time only for timestamps that leave the process. */
#ifndef MCP_BASE_CLOCK_H
#define MCP_BASE_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

uint64_t mcp__now_ms(void);   /* CLOCK_MONOTONIC, milliseconds */
uint64_t mcp__now_us(void);   /* CLOCK_MONOTONIC, microseconds */
uint64_t mcp__unix_ms(void);  /* CLOCK_REALTIME, milliseconds since the epoch */

/* *ts = CLOCK_MONOTONIC now + ms, for pthread_cond_timedwait on a
 * condition variable created with pthread_condattr_setclock(CLOCK_MONOTONIC). */
void mcp__clock_deadline_ms(struct timespec *ts, uint64_t ms);

/* pthread_cond_init for a condition variable whose timed waits take
 * mcp__clock_deadline_ms deadlines (CLOCK_MONOTONIC). 0 or -1. */
int mcp__clock_cond_init(pthread_cond_t *cond);

#endif
