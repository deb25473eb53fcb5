/* libFuzzer harness: the HTTP request path (libmicrohttpd's parser, then
 * streamable.c: Host/Origin checks, Accept/Content-Type, body limit,
 * sessions, legacy and modern POSTs, GET streams, DELETE) on real servers
 * started once. Each input is the raw bytes a client sends on one
 * connection. No TCP: the harness hands one end of a socketpair to the
 * daemon with MHD_add_connection, writes the input, half-closes once the
 * daemon has read it, and reads the reply until one response is complete,
 * the server closes, an SSE stream stays quiet for FUZZ_IDLE_MS, or
 * FUZZ_READ_MS pass. Typical speed: 2,000-15,000 exec/s on 2 cores (the
 * daemon's thread does the work; inputs that open streams cost a few ms).
 * FUZZ_HTTP_TRACE_MS=N prints every exchange slower than N ms.
 *
 * Three servers on one fixture each, chosen by the request line:
 *   "/sl"   stateless, SSE-only replies          (path /sl)
 *   "/json" stateful, JSON-only replies          (path /json)
 *   else    stateful, JSON or SSE as needed       (path /mcp)
 * "@SID@" anywhere in the input is replaced by a live session id of the
 * chosen stateful server (created with an initialize when none is alive),
 * so GET, DELETE and session POSTs get past the 404. */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <unistd.h>

#include "fuzz_fixture.h"
#include "transport/http_internal.h"

#define FUZZ_READ_MS 100          /* per input at most; ordinary replies take well under 1 ms */
#define FUZZ_IDLE_MS 2            /* a reply (SSE stream) silent this long is over */
#define FUZZ_REPLY_MAX (64u << 10)
#define FUZZ_MAX_INPUT (256u << 10)
#define SID_MARK "@SID@"

typedef struct target {
    const char *path;
    mcp_server *srv;
    mcp_http_server *hs;
    char sid[MCP_SESSION_ID_LEN + 1];
} target;

static target targets[3] = { { .path = "/mcp" }, { .path = "/sl" }, { .path = "/json" } };
static struct sockaddr_in peer;   /* what the daemon believes the client is */
static unsigned trace_slow_ms;    /* FUZZ_HTTP_TRACE_MS: report slower exchanges */

static void start(target *t, mcp_http_mode mode, mcp_response_mode rmode)
{
    t->srv = fuzz_server_new();
    mcp_http_options o = MCP_HTTP_DEFAULTS;
    o.port = 0;
    o.path = t->path;
    o.mode = mode;
    o.response_mode = rmode;
    o.threads = 1;
    o.max_body = 64u << 10;        /* small enough for inputs to reach 413 */
    o.max_sessions = 2000;
    o.session_idle_ms = 10000;
    o.connection_timeout_s = 2;
    o.keepalive_ms = 200;          /* SSE keep-alives notice closed peers soon */
    o.request_timeout_ms = 2;     /* server->client requests nobody answers */
    o.drain_ms = 100;
    o.log_requests = false;
    o.handle_signals = false;
    if (mcp_http_start(t->srv, &o, &t->hs) != 0) {
        fprintf(stderr, "fuzz_http: cannot start the %s server\n", t->path);
        abort();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *trace = getenv("FUZZ_HTTP_TRACE_MS");
    trace_slow_ms = trace ? (unsigned)atoi(trace) : 0;
    peer.sin_family = AF_INET;
    peer.sin_port = htons(40000);
    peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    start(&targets[0], MCP_STATEFUL, MCP_RESPONSE_AUTO);
    start(&targets[1], MCP_STATELESS, MCP_RESPONSE_SSE);
    start(&targets[2], MCP_STATEFUL, MCP_RESPONSE_JSON);
    return 0;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* True once the daemon has read everything written on fd (nothing left in
 * the socket's queue). */
static bool drained(int fd)
{
    int queued = 0;
    return ioctl(fd, SIOCOUTQ, &queued) != 0 || queued == 0;
}

/* Length of the first complete HTTP response in buf[0..len), skipping 1xx
 * responses; 0 while incomplete or when it ends only at end-of-file. */
static size_t response_length(const char *buf, size_t len, bool head)
{
    size_t off = 0;
    for (;;) {
        const char *rest = buf + off;
        const char *eoh = memmem(rest, len - off, "\r\n\r\n", 4);
        if (!eoh)
            return 0;
        size_t hlen = (size_t)(eoh - rest) + 4;
        if (len - off >= 10 && rest[9] == '1') {   /* "HTTP/1.1 100" */
            off += hlen;
            continue;
        }
        char *headers = strndup(rest, hlen);
        if (!headers)
            abort();
        const char *cl = strcasestr(headers, "\r\nContent-Length:");
        bool chunked = strcasestr(headers, "\r\nTransfer-Encoding: chunked") != NULL;
        size_t body = cl ? strtoul(cl + 17, NULL, 10) : 0;
        free(headers);
        if (head || (cl && !chunked))
            return off + hlen + (head ? 0 : body) <= len ? off + hlen + (head ? 0 : body) : 0;
        if (!chunked)
            return 0;   /* delimited by the close */
        size_t pos = off + hlen;
        for (;;) {
            const char *eol = memmem(buf + pos, len - pos, "\r\n", 2);
            if (!eol)
                return 0;
            size_t size = strtoul(buf + pos, NULL, 16);
            pos = (size_t)(eol - buf) + 2;
            if (size == 0)
                return pos + 2 <= len ? pos + 2 : 0;   /* no trailers from MHD */
            pos += size + 2;
            if (pos > len)
                return 0;
        }
    }
}

/* One connection: send req, half-close, collect the reply (up to cap bytes
 * into out, which may be NULL) until one complete response arrived, the
 * server closed, the reply went idle (SSE streams) or the deadline passed.
 *
 * libmicrohttpd polls edge-triggered and stops reading once a read returns
 * less than it asked for, so an end-of-file queued behind the request
 * bytes would go unnoticed until the connection timeout. The half-close is
 * therefore sent only after the daemon took the request bytes: then the
 * FIN is a new edge and an incomplete request ends at once. Whether the
 * daemon sees it after a complete request depends on timing, so the
 * harness ends the connection itself once the response is complete. */
static void exchange(target *t, const char *req, size_t len, char *out, size_t cap)
{
    static char rbuf[FUZZ_REPLY_MAX + 1];
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    if (MHD_add_connection(t->hs->daemon, sv[1], (const struct sockaddr *)&peer, sizeof peer) != MHD_YES) {
        close(sv[0]);   /* MHD closed sv[1] */
        if (out && cap)
            out[0] = '\0';
        return;
    }
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    bool head = len >= 5 && memcmp(req, "HEAD ", 5) == 0;
    uint64_t start = mono_ms(), deadline = start + FUZZ_READ_MS, last_data = 0;
    size_t sent = 0, got = 0;
    bool wr_open = true;
    for (;;) {
        if (wr_open && sent == len && drained(sv[0])) {
            shutdown(sv[0], SHUT_WR);
            wr_open = false;
        }
        uint64_t now = mono_ms();
        if (now >= deadline || (last_data && now - last_data >= FUZZ_IDLE_MS))
            break;
        short events = POLLIN;
        if (wr_open && sent < len)
            events |= POLLOUT;
        /* Waiting for the daemon to drain: look again at once. */
        int wait = wr_open && sent == len ? 0 : last_data ? FUZZ_IDLE_MS : (int)(deadline - now);
        struct pollfd pfd = { .fd = sv[0], .events = events };
        int pr = poll(&pfd, 1, wait);
        if (pr == 0 && wait == 0) {
            sched_yield();
            continue;
        }
        if (pr <= 0)
            continue;
        if ((pfd.revents & POLLOUT) && wr_open && sent < len) {
            ssize_t n = send(sv[0], req + sent, len - sent, MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t)n;
            else if (n < 0 && errno != EAGAIN && errno != EINTR)
                wr_open = false;   /* the server closed: read what it said */
        }
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            char scratch[4096];
            bool keep = got < FUZZ_REPLY_MAX;
            ssize_t n = recv(sv[0], keep ? rbuf + got : scratch, keep ? FUZZ_REPLY_MAX - got : sizeof scratch, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                break;
            if (n > 0 && keep) {
                got += (size_t)n;
                if (response_length(rbuf, got, head))
                    break;
            }
            if (n > 0)
                last_data = mono_ms();
        }
    }
    close(sv[0]);
    if (trace_slow_ms && mono_ms() - start >= trace_slow_ms)
        fprintf(stderr, "fuzz_http: %llu ms for %zu bytes: %.60s\n", (unsigned long long)(mono_ms() - start), len, req);
    if (out && cap) {
        size_t n = got < cap - 1 ? got : cap - 1;
        memcpy(out, rbuf, n);
        out[n] = '\0';
    }
}

/* A live session id of a stateful target, initializing one when needed. */
static const char *live_session(target *t)
{
    if (!t->hs->sessions)
        return NULL;
    mcp_session *s = NULL;
    if (t->sid[0] && mcp__session_table_lookup(t->hs->sessions, t->sid, &s) == 0) {
        mcp__session_unref(s);
        return t->sid;
    }
    t->sid[0] = '\0';
    static const char body[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
        "\"capabilities\":{\"elicitation\":{},\"roots\":{}},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}";
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     t->path, sizeof body - 1, body);
    char reply[8192];
    exchange(t, req, (size_t)n, reply, sizeof reply);
    const char *h = strcasestr(reply, "\r\nMcp-Session-Id: ");
    if (!h || strlen(h + 18) < MCP_SESSION_ID_LEN)
        return NULL;
    memcpy(t->sid, h + 18, MCP_SESSION_ID_LEN);
    t->sid[MCP_SESSION_ID_LEN] = '\0';
    return t->sid;
}

static target *pick(const char *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t line = nl ? (size_t)(nl - data) : size;
    if (memmem(data, line, " /sl", 4))
        return &targets[1];
    if (memmem(data, line, " /json", 6))
        return &targets[2];
    return &targets[0];
}

/* The input with every SID_MARK replaced by sid (malloc'd). */
static char *substitute(const char *data, size_t size, const char *sid, size_t *out_len)
{
    size_t marks = 0, mlen = sizeof SID_MARK - 1, slen = strlen(sid);
    for (const char *p = data; (p = memmem(p, size - (size_t)(p - data), SID_MARK, mlen)); p += mlen)
        marks++;
    char *out = malloc(size + marks * slen + 1);
    if (!out)
        abort();
    size_t o = 0;
    for (size_t i = 0; i < size;) {
        if (i + mlen <= size && memcmp(data + i, SID_MARK, mlen) == 0) {
            memcpy(out + o, sid, slen);
            o += slen;
            i += mlen;
        } else {
            out[o++] = data[i++];
        }
    }
    *out_len = o;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > FUZZ_MAX_INPUT)
        return 0;
    const char *in = (const char *)data;
    target *t = pick(in, size);
    if (memmem(in, size, SID_MARK, sizeof SID_MARK - 1)) {
        const char *sid = live_session(t);
        size_t len = 0;
        char *req = substitute(in, size, sid ? sid : "", &len);
        exchange(t, req, len, NULL, 0);
        free(req);
    } else {
        exchange(t, in, size, NULL, 0);
    }
    return 0;
}
