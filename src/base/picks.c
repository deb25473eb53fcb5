/* The growable pointer list of base/picks.h: caller storage first, heap
 * (doubling) past it. */
#include "base/picks.h"

#include <stdlib.h>
#include <string.h>

void mcp__picks_init(mcp__picks *p, void **stack, size_t cap)
{
    p->items = stack;
    p->stack = stack;
    p->n = 0;
    p->cap = cap;
}

bool mcp__picks_add(mcp__picks *p, void *item)
{
    if (p->n == p->cap) {
        if (p->cap > (size_t)-1 / 2 / sizeof *p->items)
            return false;
        void **bigger = malloc(2 * p->cap * sizeof *bigger);
        if (!bigger)
            return false;
        memcpy(bigger, p->items, p->n * sizeof *p->items);
        if (p->items != p->stack)
            free(p->items);
        p->items = bigger;
        p->cap *= 2;
    }
    p->items[p->n++] = item;
    return true;
}

void mcp__picks_free(mcp__picks *p)
{
    if (p->items != p->stack)
        free(p->items);
    p->items = p->stack;
    p->n = 0;
}
