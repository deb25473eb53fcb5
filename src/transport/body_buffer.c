/* Request body buffer: heap for small bodies, an anonymous mapping past
 * BODY_MAPPED_MIN (see body_buffer.h for why). */
#include "transport/body_buffer.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t round_to_pages(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (n + page - 1) / page * page;
}

/* Room for `need` bytes plus the NUL, growing by doubling. */
static int reserve(body_buffer *b, size_t need)
{
    if (need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < need + 1)
        cap *= 2;
    if (cap < BODY_MAPPED_MIN) {
        char *p = realloc(b->data, cap);
        if (!p)
            return -1;
        b->data = p;
        b->cap = cap;
        return 0;
    }
    cap = round_to_pages(cap);
    char *p;
    if (b->mapped) {
        p = mremap(b->data, b->cap, cap, MREMAP_MAYMOVE);
    } else {
        p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED && b->len)
            memcpy(p, b->data, b->len);
        if (p != MAP_FAILED)
            free(b->data);
    }
    if (p == MAP_FAILED)
        return -1;
    b->data = p;
    b->cap = cap;
    b->mapped = true;
    return 0;
}

int mcp__body_buffer_append(body_buffer *b, const char *data, size_t len)
{
    if (reserve(b, b->len + len) < 0) {
        mcp__body_buffer_free(b);
        return -1;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

void mcp__body_buffer_free(body_buffer *b)
{
    if (b->mapped)
        munmap(b->data, b->cap);
    else
        free(b->data);
    memset(b, 0, sizeof *b);
}
