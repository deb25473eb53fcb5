/* A pointer list that starts in storage the caller provides (usually a
 * small array on its stack) and moves to the heap only when it outgrows it:
 * how a caller snapshots what it picks under a lock, to use the items after
 * unlocking (no I/O and no callback while holding a lock). */
#ifndef MCP_BASE_PICKS_H
#define MCP_BASE_PICKS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mcp__picks {
    void **items;   /* the list: stack at first, a heap copy once it grew */
    size_t n;       /* items in use */
    size_t cap;     /* room in items */
    void **stack;   /* the caller's storage (never freed here) */
} mcp__picks;

/* An empty list in the caller's stack[cap] (cap >= 1). */
void mcp__picks_init(mcp__picks *p, void **stack, size_t cap);

/* Append item, doubling the room when full. false when out of memory: the
 * list is unchanged (the items picked so far stay valid). */
bool mcp__picks_add(mcp__picks *p, void *item);

/* Free the heap copy if there is one; the list is empty again. */
void mcp__picks_free(mcp__picks *p);

#endif
