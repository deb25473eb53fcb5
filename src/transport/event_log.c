/* The bounded ring of framed SSE events for Last-Event-ID replay (see
 * event_log.h for the growth and drop rules). */
#include "transport/event_log.h"

#include <stdlib.h>
#include <string.h>

void mcp__event_log_init(event_log *log, unsigned cap)
{
    memset(log, 0, sizeof *log);
    log->cap = cap;
}

/* Room for one more event without dropping one; false when the log is at
 * its cap (or memory ran out). */
static bool grow(event_log *log)
{
    if (log->len < log->size)
        return true;
    if (log->size == log->cap)
        return false;
    unsigned size = log->size ? log->size * 2 : 4;
    if (size > log->cap)
        size = log->cap;
    event_log_entry *slots = malloc(size * sizeof *slots);
    if (!slots)
        return false;
    for (unsigned i = 0; i < log->len; i++)            /* unroll the ring */
        slots[i] = log->slots[(log->head + i) % log->size];
    free(log->slots);
    log->slots = slots;
    log->size = size;
    log->head = 0;
    return true;
}

void mcp__event_log_append(event_log *log, uint64_t seq, const char *frame, size_t len)
{
    if (!log->cap)
        return;
    char *copy = strndup(frame, len);
    if (!copy)
        return;
    if (!grow(log)) {
        if (!log->size) {                               /* no memory for the first slots */
            free(copy);
            return;
        }
        free(log->slots[log->head].frame);               /* full: drop the oldest */
        log->head = (log->head + 1) % log->size;
        log->len--;
    }
    event_log_entry *e = &log->slots[(log->head + log->len) % log->size];
    e->seq = seq;
    e->frame = copy;
    log->len++;
}

void mcp__event_log_replay_after(const event_log *log, uint64_t after, strbuf *out)
{
    for (unsigned i = 0; i < log->len; i++) {
        const event_log_entry *e = &log->slots[(log->head + i) % log->size];
        if (e->seq > after)
            mcp__strbuf_puts(out, e->frame);
    }
}

void mcp__event_log_free(event_log *log)
{
    for (unsigned i = 0; i < log->len; i++)
        free(log->slots[(log->head + i) % log->size].frame);
    free(log->slots);
    mcp__event_log_init(log, log->cap);
}
