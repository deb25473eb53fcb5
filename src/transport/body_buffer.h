/* The bytes of one request body as they arrive. Small bodies (almost all)
 * live on the heap; past BODY_MAPPED_MIN the buffer moves to its own
 * anonymous mapping that grows with mremap and is unmapped when the request
 * ends, so a burst of large (or oversized, refused) uploads gives its
 * memory straight back to the OS instead of leaving it in malloc arenas. */
#ifndef MCP_TRANSPORT_BODY_BUFFER_H
#define MCP_TRANSPORT_BODY_BUFFER_H

#include <stdbool.h>
#include <stddef.h>

enum { BODY_MAPPED_MIN = 256 * 1024 };

typedef struct body_buffer {
    char *data;                    /* NUL-terminated; NULL while empty */
    size_t len, cap;
    bool mapped;
} body_buffer;

/* 0, or -1 when memory ran out (the buffer is then freed). */
int mcp__body_buffer_append(body_buffer *b, const char *data, size_t len);
void mcp__body_buffer_free(body_buffer *b);

#endif
