/* Streamable HTTP in a unit test without TCP: one end of a socketpair goes
 * to the running daemon with MHD_add_connection (as tests/fuzz/fuzz_http.c
 * does), the test writes a request with "Connection: close" on the other
 * end and reads the whole reply until the server closes (bounded by a
 * deadline, so a hang fails instead of blocking). Header-only. */
#ifndef MCP_TEST_HTTP_PAIR_H
#define MCP_TEST_HTTP_PAIR_H

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport/http_internal.h"

#define HTTP_PAIR_WAIT_MS 5000

static inline unsigned long long http_pair_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000u + (unsigned long long)ts.tv_nsec / 1000000u;
}

/* Send a request (head without the blank line, then body) and return the
 * reply text (malloc'd, NUL-terminated; NULL when the daemon refused the
 * connection). The head must not carry Connection or Content-Length. */
static inline char *http_pair_request(mcp_http_server *hs, const char *head, const char *body)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return NULL;
    struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(40000),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (MHD_add_connection(hs->daemon, sv[1], (const struct sockaddr *)&peer, sizeof peer) != MHD_YES) {
        close(sv[0]);
        return NULL;
    }
    size_t blen = body ? strlen(body) : 0;
    size_t cap = strlen(head) + blen + 128;
    char *req = malloc(cap);
    if (!req) {
        close(sv[0]);
        return NULL;
    }
    int n = snprintf(req, cap, "%s\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s", head, blen, body ? body : "");
    size_t sent = 0;
    while (n > 0 && sent < (size_t)n) {
        ssize_t w = send(sv[0], req + sent, (size_t)n - sent, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        sent += (size_t)w;
    }
    free(req);
    size_t len = 0, size = 4096;
    char *out = malloc(size);
    unsigned long long deadline = http_pair_ms() + HTTP_PAIR_WAIT_MS;
    while (out) {
        unsigned long long now = http_pair_ms();
        if (now >= deadline)
            break;
        struct pollfd pfd = { .fd = sv[0], .events = POLLIN };
        if (poll(&pfd, 1, (int)(deadline - now)) <= 0)
            continue;
        if (len + 1024 > size) {
            char *p = realloc(out, size * 2);
            if (!p)
                break;
            out = p;
            size *= 2;
        }
        ssize_t r = recv(sv[0], out + len, size - len - 1, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(sv[0]);
    if (out)
        out[len] = '\0';
    return out;
}

/* The status code of a reply ("HTTP/1.1 200 OK" -> 200), 0 when none. */
static inline int http_pair_status(const char *reply)
{
    return reply && strncmp(reply, "HTTP/1.", 7) == 0 ? atoi(reply + 9) : 0;
}

/* A header's value in a reply, copied into out (empty when absent). */
static inline const char *http_pair_header(const char *reply, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    const char *eoh = reply ? strstr(reply, "\r\n\r\n") : NULL;
    size_t nlen = strlen(name);
    for (const char *p = reply ? strstr(reply, "\r\n") : NULL; p && p < eoh; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, nlen) == 0 && p[2 + nlen] == ':') {
            const char *v = p + 3 + nlen;
            while (*v == ' ')
                v++;
            size_t n = strcspn(v, "\r\n");
            n = n < cap - 1 ? n : cap - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            break;
        }
    }
    return out;
}

/* The body of a reply (after the blank line), or "". */
static inline const char *http_pair_body(const char *reply)
{
    const char *b = reply ? strstr(reply, "\r\n\r\n") : NULL;
    return b ? b + 4 : "";
}

#endif
