/* The one clock module. Timeouts, expiry and durations use CLOCK_MONOTONIC
 * (a wall-clock step must never stall or hurry them); only timestamps that
 * leave the process (requestState expiry, shared across instances) use the
 * wall clock. */
#include "base/clock.h"

#include <pthread.h>
#include <time.h>

static uint64_t read_clock(clockid_t id, uint64_t per_s)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * per_s + (uint64_t)ts.tv_nsec / (1000000000u / per_s);
}

uint64_t mcp__now_ms(void)
{
    return read_clock(CLOCK_MONOTONIC, 1000u);
}

uint64_t mcp__now_us(void)
{
    return read_clock(CLOCK_MONOTONIC, 1000000u);
}

uint64_t mcp__unix_ms(void)
{
    return read_clock(CLOCK_REALTIME, 1000u);
}

void mcp__clock_deadline_ms(struct timespec *ts, uint64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000u);
    ts->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

int mcp__clock_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return -1;
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}
