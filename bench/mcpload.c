/* mcpload - the benchmark's MCP load generator for what wrk cannot express:
 * requests that depend on an earlier reply (session ids), counted runs,
 * long-lived SSE streams, process cold start and stdio round trips.
 *
 * Every mode is bounded in time; every socket has a 10 s send/receive
 * timeout. Results are one line "result key=value ..." on stdout.
 *
 *   mcpload init     --port P [--conns N] [--count N] [--duration S]
 *       legacy initialize on new sessions (never deleted), N in total
 *   mcpload initdel  --port P [--conns N] [--duration S]
 *       initialize then DELETE of that session; one pair is one operation
 *   mcpload cycle    --port P [--conns N] [--duration S] [--tool NAME]
 *       session per call: initialize, notifications/initialized,
 *       tools/call NAME, DELETE; one cycle is one operation
 *   mcpload sessions --port P --count N --out FILE [--conns N]
 *       create N sessions (initialize + initialized), write their ids
 *   mcpload sse      --port P --sessions FILE --count N [--hold S]
 *       open N standalone GET SSE streams, one per session from FILE,
 *       print "ready ok=.. fail=..", hold them until stdin closes or S pass
 *   mcpload cold     --port P [--runs N] [--timeout-ms MS] -- CMD ARG...
 *       start CMD, time until the first 200 reply to POST initialize,
 *       stop it (SIGTERM by pid, SIGKILL after 5 s); N runs, median
 *   mcpload stdio    [--handshake] [--pin cross|same] [--duration S] [--max N] -- CMD ARG...
 *       sequential tools/call echo round trips through CMD's stdin/stdout;
 *       --pin cross: this driver on CPU 0, CMD on CPU 1; same: both on CPU 0
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { BUF_SIZE = 1 << 16, SID_MAX = 256, MAX_CONNS = 1024, IO_TIMEOUT_S = 10 };
enum { MAX_SAMPLES_PER_THREAD = 4 << 20 };

#define PROTO "2025-06-18"

static unsigned g_port;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *msg)
{
    fprintf(stderr, "mcpload: %s\n", msg);
    exit(2);
}

/* ---------------------------------------------------------------- HTTP client */

typedef struct conn {
    int fd;
    size_t len;           /* bytes held in buf */
    char buf[BUF_SIZE];
} conn;

typedef struct response {
    int status;
    bool close;           /* server said Connection: close */
    char session[SID_MAX];
} response;

static void conn_close(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->len = 0;
}

static int conn_open(conn *c)
{
    conn_close(c);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)g_port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    c->fd = fd;
    c->len = 0;
    return 0;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads more bytes into c->buf; 0 on success, -1 on EOF/error/full. */
static int fill(conn *c)
{
    if (c->len >= sizeof c->buf)
        return -1;
    for (;;) {
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        c->len += (size_t)r;
        return 0;
    }
}

static const char *find_crlf2(const char *p, size_t n)
{
    return memmem(p, n, "\r\n\r\n", 4);
}

/* Copies the value of header `name` (case-insensitive) found in [p, end). */
static bool header_value(const char *p, const char *end, const char *name, char *out, size_t size)
{
    size_t nlen = strlen(name);
    while (p < end) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            size_t vl = (size_t)(eol - v);
            if (vl >= size)
                vl = size - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return true;
        }
        p = eol + 2;
    }
    return false;
}

/* Reads one response. headers_only: stop after the header block (SSE
 * streams). Returns 0, or -1 when the connection broke (caller reconnects). */
static int read_response(conn *c, response *r, bool headers_only)
{
    const char *hend;
    while (!(hend = find_crlf2(c->buf, c->len)))
        if (fill(c) < 0)
            return -1;
    size_t hlen = (size_t)(hend - c->buf) + 4;
    r->status = 0;
    r->close = false;
    r->session[0] = '\0';
    if (c->len < 12 || strncmp(c->buf, "HTTP/1.", 7) != 0)
        return -1;
    r->status = atoi(c->buf + 9);
    const char *h = memmem(c->buf, hlen, "\r\n", 2) + 2;
    char v[SID_MAX];
    header_value(h, hend, "mcp-session-id", r->session, sizeof r->session);
    if (header_value(h, hend, "connection", v, sizeof v) && strcasestr(v, "close"))
        r->close = true;
    if (headers_only) {
        memmove(c->buf, c->buf + hlen, c->len - hlen);
        c->len -= hlen;
        return 0;
    }
    size_t body_end;
    if (header_value(h, hend, "content-length", v, sizeof v)) {
        body_end = hlen + strtoul(v, NULL, 10);
        while (c->len < body_end)
            if (fill(c) < 0)
                return -1;
    } else if (header_value(h, hend, "transfer-encoding", v, sizeof v) && strcasestr(v, "chunked")) {
        size_t pos = hlen;
        for (;;) {
            const char *eol;
            while (!(eol = memmem(c->buf + pos, c->len - pos, "\r\n", 2)))
                if (fill(c) < 0)
                    return -1;
            size_t size = strtoul(c->buf + pos, NULL, 16);
            pos = (size_t)(eol - c->buf) + 2;
            if (size == 0) {   /* no trailers expected: final CRLF */
                while (c->len < pos + 2)
                    if (fill(c) < 0)
                        return -1;
                body_end = pos + 2;
                break;
            }
            while (c->len < pos + size + 2)
                if (fill(c) < 0)
                    return -1;
            pos += size + 2;
        }
    } else if (r->status == 204 || r->status == 304 || r->status / 100 == 1) {
        body_end = hlen;
    } else {               /* body until EOF */
        while (fill(c) == 0)
            ;
        c->len = 0;
        r->close = true;
        return 0;
    }
    memmove(c->buf, c->buf + body_end, c->len - body_end);
    c->len -= body_end;
    return 0;
}

/* Sends one request and reads its response; reconnects once when a kept-alive
 * connection turns out closed. Returns 0 or -1. */
static int exchange(conn *c, const char *req, size_t n, response *r)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->fd < 0 && conn_open(c) < 0)
            return -1;
        bool fresh = c->len == 0;
        if (send_all(c->fd, req, n) == 0 && read_response(c, r, false) == 0) {
            if (r->close)
                conn_close(c);
            return 0;
        }
        conn_close(c);
        if (!fresh)
            break;
    }
    return -1;
}

static const char INIT_BODY[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" PROTO "\","
    "\"capabilities\":{},\"clientInfo\":{\"name\":\"mcpload\",\"version\":\"1.0.0\"}}}";
static const char INITIALIZED_BODY[] = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

static size_t build_post(char *out, size_t size, const char *sid, const char *body)
{
    int n = snprintf(out, size,
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nContent-Type: application/json\r\n"
        "Accept: application/json, text/event-stream\r\n%s%s%s%sContent-Length: %zu\r\n\r\n%s",
        g_port, sid ? "MCP-Protocol-Version: " PROTO "\r\n" : "",
        sid ? "Mcp-Session-Id: " : "", sid ? sid : "", sid ? "\r\n" : "", strlen(body), body);
    return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

static size_t build_nobody(char *out, size_t size, const char *method, const char *sid, const char *accept)
{
    int n = snprintf(out, size,
        "%s /mcp HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%s%s%sMCP-Protocol-Version: " PROTO "\r\n"
        "Mcp-Session-Id: %s\r\n\r\n",
        method, g_port, accept ? "Accept: " : "", accept ? accept : "", accept ? "\r\n" : "", sid);
    return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

/* initialize + notifications/initialized; copies the session id to sid. */
static int open_session(conn *c, char *sid)
{
    char req[2048];
    response r;
    size_t n = build_post(req, sizeof req, NULL, INIT_BODY);
    if (exchange(c, req, n, &r) < 0 || r.status != 200 || !r.session[0])
        return -1;
    snprintf(sid, SID_MAX, "%s", r.session);
    n = build_post(req, sizeof req, sid, INITIALIZED_BODY);
    if (exchange(c, req, n, &r) < 0 || r.status / 100 != 2)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------- load threads */

typedef enum { MODE_INIT, MODE_INITDEL, MODE_CYCLE, MODE_SESSIONS } load_mode;

typedef struct shared {
    load_mode mode;
    long count;            /* operations in total (0: duration only) */
    double deadline;       /* absolute monotonic seconds */
    const char *tool;
    atomic_long tickets;
    atomic_bool stop;
    char (*sids)[SID_MAX]; /* MODE_SESSIONS: one slot per ticket */
} shared;

typedef struct worker {
    pthread_t thread;
    shared *sh;
    long ok, err, reconnects;
    uint32_t *lat_us;
    size_t nlat;
} worker;

static bool take_ticket(shared *sh, long *ticket)
{
    if (atomic_load(&sh->stop) || now_s() >= sh->deadline)
        return false;
    *ticket = atomic_fetch_add(&sh->tickets, 1);
    return sh->count <= 0 || *ticket < sh->count;
}

/* full: initialize, initialized, tools/call, DELETE; else initialize, DELETE. */
static int one_cycle(conn *c, const char *tool, bool full, worker *w)
{
    char sid[SID_MAX], req[2048], body[512];
    response r;
    size_t n;
    if (full) {
        if (open_session(c, sid) < 0)
            return -1;
        snprintf(body, sizeof body,
                 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"%s\","
                 "\"arguments\":{}}}", tool);
        n = build_post(req, sizeof req, sid, body);
        if (exchange(c, req, n, &r) < 0 || r.status != 200)
            return -1;
    } else {
        n = build_post(req, sizeof req, NULL, INIT_BODY);
        if (exchange(c, req, n, &r) < 0 || r.status != 200 || !r.session[0])
            return -1;
        snprintf(sid, sizeof sid, "%s", r.session);
    }
    n = build_nobody(req, sizeof req, "DELETE", sid, NULL);
    int had = c->fd;
    if (exchange(c, req, n, &r) < 0 || r.status / 100 != 2)
        return -1;
    if (had >= 0 && c->fd < 0)
        w->reconnects++;
    return 0;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = -1;
    long ticket;
    char req[2048];
    size_t init_len = build_post(req, sizeof req, NULL, INIT_BODY);
    while (take_ticket(sh, &ticket)) {
        double t0 = now_s();
        int rc;
        if (sh->mode == MODE_INIT) {
            response r;
            rc = exchange(c, req, init_len, &r) == 0 && r.status == 200 && r.session[0] ? 0 : -1;
        } else if (sh->mode == MODE_CYCLE || sh->mode == MODE_INITDEL) {
            rc = one_cycle(c, sh->tool, sh->mode == MODE_CYCLE, w);
        } else {
            rc = open_session(c, sh->sids[ticket]);
            if (rc < 0)
                sh->sids[ticket][0] = '\0';
        }
        double t1 = now_s();
        if (rc == 0) {
            w->ok++;
            if (w->nlat < MAX_SAMPLES_PER_THREAD) {
                if (!w->lat_us && !(w->lat_us = malloc(sizeof *w->lat_us * MAX_SAMPLES_PER_THREAD)))
                    break;
                w->lat_us[w->nlat++] = (uint32_t)((t1 - t0) * 1e6);
            }
        } else {
            w->err++;
            if (c->fd < 0)
                usleep(1000);   /* server gone or refusing: do not spin */
        }
    }
    conn_close(c);
    free(c);
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int run_load(shared *sh, unsigned conns, const char *label)
{
    worker *ws = calloc(conns, sizeof *ws);
    if (!ws)
        die("out of memory");
    double t0 = now_s();
    for (unsigned i = 0; i < conns; i++) {
        ws[i].sh = sh;
        if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0)
            die("pthread_create failed");
    }
    long ok = 0, err = 0, reconnects = 0;
    size_t nlat = 0;
    for (unsigned i = 0; i < conns; i++) {
        pthread_join(ws[i].thread, NULL);
        ok += ws[i].ok;
        err += ws[i].err;
        reconnects += ws[i].reconnects;
        nlat += ws[i].nlat;
    }
    double secs = now_s() - t0;
    uint32_t *all = malloc(sizeof *all * (nlat ? nlat : 1));
    size_t k = 0;
    for (unsigned i = 0; i < conns; i++) {
        if (all && ws[i].nlat)
            memcpy(all + k, ws[i].lat_us, ws[i].nlat * sizeof *all);
        k += ws[i].nlat;
        free(ws[i].lat_us);
    }
    double p50 = 0, p99 = 0;
    if (all && nlat) {
        qsort(all, nlat, sizeof *all, cmp_u32);
        p50 = all[(size_t)(0.50 * (double)(nlat - 1))] / 1000.0;
        p99 = all[(size_t)(0.99 * (double)(nlat - 1))] / 1000.0;
    }
    free(all);
    free(ws);
    printf("result mode=%s conns=%u ok=%ld err=%ld secs=%.3f rate=%.1f p50_ms=%.3f p99_ms=%.3f "
           "delete_closed=%ld\n", label, conns, ok, err, secs, secs > 0 ? (double)ok / secs : 0.0,
           p50, p99, reconnects);
    fflush(stdout);
    return ok > 0 ? 0 : 1;
}

/* ---------------------------------------------------------------- sse */

static int run_sse(const char *file, long count, double hold)
{
    FILE *f = fopen(file, "r");
    if (!f)
        die("cannot open the sessions file");
    int *fds = calloc((size_t)count, sizeof *fds);
    if (!fds)
        die("out of memory");
    char line[SID_MAX + 2], req[1024];
    long ok = 0, fail = 0;
    conn *c = calloc(1, sizeof *c);
    c->fd = -1;
    double deadline = now_s() + 120;
    while (ok + fail < count && now_s() < deadline && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        response r;
        size_t n = build_nobody(req, sizeof req, "GET", line, "text/event-stream");
        if (conn_open(c) < 0 || send_all(c->fd, req, n) < 0 || read_response(c, &r, true) < 0
            || r.status != 200) {
            conn_close(c);
            fail++;
            continue;
        }
        fds[ok++] = c->fd;   /* keep the stream open */
        c->fd = -1;
        c->len = 0;
    }
    fclose(f);
    free(c);
    printf("ready ok=%ld fail=%ld\n", ok, fail);
    fflush(stdout);
    /* Hold until stdin closes or `hold` seconds pass; drain what arrives. */
    double end = now_s() + hold;
    while (now_s() < end) {
        struct pollfd p = { .fd = 0, .events = POLLIN };
        int rc = poll(&p, 1, 200);
        if (rc > 0) {
            char b[256];
            if (read(0, b, sizeof b) <= 0)
                break;
        }
    }
    for (long i = 0; i < ok; i++)
        close(fds[i]);
    free(fds);
    return ok > 0 ? 0 : 1;
}

/* ---------------------------------------------------------------- processes */

static int g_child_cpu = -1;   /* stdio --pin: the child runs on this CPU */

static void pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static pid_t spawn(char **argv, int in_fd, int out_fd)
{
    pid_t pid = fork();
    if (pid < 0)
        die("fork failed");
    if (pid == 0) {
        if (g_child_cpu >= 0)
            pin_to(g_child_cpu);
        int devnull = open("/dev/null", O_RDWR);
        dup2(in_fd >= 0 ? in_fd : devnull, 0);
        dup2(out_fd >= 0 ? out_fd : devnull, 1);
        dup2(devnull, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* SIGTERM by pid, SIGKILL after 5 s; reaps the child. */
static void stop_child(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int run_cold(char **argv, int runs, int timeout_ms)
{
    double *ms = calloc((size_t)runs, sizeof *ms);
    char req[2048];
    size_t n = build_post(req, sizeof req, NULL, INIT_BODY);
    int good = 0;
    conn *c = calloc(1, sizeof *c);
    c->fd = -1;
    for (int run = 0; run < runs; run++) {
        double t0 = now_s(), limit = t0 + timeout_ms / 1000.0;
        pid_t pid = spawn(argv, -1, -1);
        bool done = false;
        while (!done && now_s() < limit) {
            response r;
            if (conn_open(c) == 0 && send_all(c->fd, req, n) == 0 && read_response(c, &r, false) == 0
                && r.status == 200) {
                ms[good++] = (now_s() - t0) * 1000.0;
                done = true;
            } else {
                usleep(200);
            }
            conn_close(c);
            if (!done && waitpid(pid, NULL, WNOHANG) == pid) {
                pid = -1;
                break;
            }
        }
        if (pid > 0)
            stop_child(pid);
        printf("run %d %s %.2f ms\n", run + 1, done ? "ok" : "FAILED", done ? ms[good - 1] : 0.0);
        usleep(100000);   /* let the port and the page cache settle */
    }
    free(c);
    double median = 0;
    if (good) {
        qsort(ms, (size_t)good, sizeof *ms, cmp_double);
        median = good % 2 ? ms[good / 2] : (ms[good / 2 - 1] + ms[good / 2]) / 2;
    }
    printf("result mode=cold ok=%d err=%d median_ms=%.2f min_ms=%.2f max_ms=%.2f\n", good, runs - good,
           median, good ? ms[0] : 0.0, good ? ms[good - 1] : 0.0);
    free(ms);
    return good ? 0 : 1;
}

/* Reads one line from fd into line (buffered in rb); -1 on EOF/timeout. */
typedef struct reader {
    char buf[BUF_SIZE];
    size_t len;
} reader;

static int read_line(int fd, reader *rb, char *line, size_t size)
{
    for (;;) {
        char *nl = memchr(rb->buf, '\n', rb->len);
        if (nl) {
            size_t l = (size_t)(nl - rb->buf);
            size_t copy = l < size - 1 ? l : size - 1;
            memcpy(line, rb->buf, copy);
            line[copy] = '\0';
            memmove(rb->buf, nl + 1, rb->len - l - 1);
            rb->len -= l + 1;
            return 0;
        }
        if (rb->len == sizeof rb->buf)
            rb->len = 0;   /* overlong line: drop it */
        /* Blocking read (no poll: one syscall less per round trip); the
         * SIGALRM armed by run_stdio bounds a hang (EINTR). */
        ssize_t r = read(fd, rb->buf + rb->len, sizeof rb->buf - rb->len);
        if (r <= 0)
            return -1;
        rb->len += (size_t)r;
    }
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void on_alarm(int sig)
{
    (void)sig;
}

static int run_stdio(char **argv, bool handshake, double duration, long max)
{
    int to_child[2], from_child[2];
    if (pipe2(to_child, O_CLOEXEC) || pipe2(from_child, O_CLOEXEC))
        die("pipe failed");
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = { .sa_handler = on_alarm };   /* no SA_RESTART: read() fails with EINTR */
    sigaction(SIGALRM, &sa, NULL);
    alarm((unsigned)duration + IO_TIMEOUT_S);
    pid_t pid = spawn(argv, to_child[0], from_child[1]);
    close(to_child[0]);
    close(from_child[1]);
    int out = to_child[1], in = from_child[0];
    reader *rb = calloc(1, sizeof *rb);
    char line[BUF_SIZE], req[512];
    long ok = 0, err = 0;
    if (handshake) {
        size_t n = (size_t)snprintf(req, sizeof req, "%s\n", INIT_BODY);
        if (write_all(out, req, n) < 0 || read_line(in, rb, line, sizeof line) < 0 || !strstr(line, "\"result\""))
            die("stdio: no initialize result");
        n = (size_t)snprintf(req, sizeof req, "%s\n", INITIALIZED_BODY);
        if (write_all(out, req, n) < 0)
            die("stdio: cannot write notifications/initialized");
    }
    double t0 = now_s(), end = t0 + duration;
    for (long id = 2; (max <= 0 || ok + err < max) && now_s() < end; id++) {
        size_t n = (size_t)snprintf(req, sizeof req,
            "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
            "\"arguments\":{\"text\":\"hello\"}}}\n", id);
        if (write_all(out, req, n) < 0 || read_line(in, rb, line, sizeof line) < 0) {
            err++;
            break;
        }
        if (strstr(line, "\"result\"") && strstr(line, "hello"))
            ok++;
        else
            err++;
    }
    double secs = now_s() - t0;
    alarm(0);
    close(out);
    close(in);
    stop_child(pid);
    free(rb);
    printf("result mode=stdio ok=%ld err=%ld secs=%.3f rate=%.1f\n", ok, err, secs,
           secs > 0 ? (double)ok / secs : 0.0);
    return ok > 0 ? 0 : 1;
}

/* ---------------------------------------------------------------- main */

static void usage(void)
{
    fputs("usage: mcpload init|initdel|cycle|sessions|sse|cold|stdio [options] [-- CMD ARG...]\n"
          "  --port P --conns N --count N --duration S --tool NAME --out FILE --sessions FILE\n"
          "  --hold S --runs N --timeout-ms MS --handshake --pin cross|same --max N\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *mode = argv[1], *tool = "counter", *out = NULL, *sessions = NULL;
    unsigned conns = 32;
    long count = 0, max = 0;
    double duration = 10, hold = 60;
    int runs = 10, timeout_ms = 10000;
    bool handshake = false;
    char **cmd = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--") == 0) {
            cmd = argv + i + 1;
            break;
        } else if (strcmp(a, "--handshake") == 0) {
            handshake = true;
            continue;
        } else if (strcmp(a, "--pin") == 0 && v) {
            /* cross: driver on CPU 0, child on CPU 1 (every round trip is a
             * cross-CPU wake-up); same: both on CPU 0 (context switches
             * only). Unpinned runs swing 10x with the scheduler's placement. */
            i++;
            if (strcmp(v, "same") == 0) {
                pin_to(0);
                g_child_cpu = 0;
            } else if (strcmp(v, "cross") == 0 && sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
                pin_to(0);
                g_child_cpu = 1;
            } else if (strcmp(v, "cross") != 0) {
                usage();
            }
            continue;
        }
        if (!v)
            usage();
        i++;
        if (strcmp(a, "--port") == 0) g_port = (unsigned)atoi(v);
        else if (strcmp(a, "--conns") == 0) conns = (unsigned)atoi(v);
        else if (strcmp(a, "--count") == 0) count = atol(v);
        else if (strcmp(a, "--duration") == 0) duration = atof(v);
        else if (strcmp(a, "--tool") == 0) tool = v;
        else if (strcmp(a, "--out") == 0) out = v;
        else if (strcmp(a, "--sessions") == 0) sessions = v;
        else if (strcmp(a, "--hold") == 0) hold = atof(v);
        else if (strcmp(a, "--runs") == 0) runs = atoi(v);
        else if (strcmp(a, "--timeout-ms") == 0) timeout_ms = atoi(v);
        else if (strcmp(a, "--max") == 0) max = atol(v);
        else usage();
    }
    if (conns < 1 || conns > MAX_CONNS || duration <= 0 || duration > 3600 || runs < 1 || runs > 1000)
        die("option out of range");
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(mode, "stdio") == 0) {
        if (!cmd || !cmd[0])
            usage();
        return run_stdio(cmd, handshake, duration, max);
    }
    if (g_port == 0 || g_port > 65535)
        die("--port is required");
    if (strcmp(mode, "cold") == 0) {
        if (!cmd || !cmd[0])
            usage();
        return run_cold(cmd, runs, timeout_ms);
    }
    if (strcmp(mode, "sse") == 0) {
        if (!sessions || count <= 0)
            usage();
        return run_sse(sessions, count, hold);
    }
    shared sh = { .count = count, .tool = tool };
    atomic_init(&sh.tickets, 0);
    atomic_init(&sh.stop, false);
    if (strcmp(mode, "init") == 0) {
        sh.mode = MODE_INIT;
        if (count <= 0)
            count = 0;
    } else if (strcmp(mode, "cycle") == 0) {
        sh.mode = MODE_CYCLE;
    } else if (strcmp(mode, "initdel") == 0) {
        sh.mode = MODE_INITDEL;
    } else if (strcmp(mode, "sessions") == 0) {
        if (!out || count <= 0 || count > 1000000)
            usage();
        sh.mode = MODE_SESSIONS;
        if (!(sh.sids = calloc((size_t)count, SID_MAX)))
            die("out of memory");
        duration = 600;   /* bounded by count; the time bound only guards a hang */
    } else {
        usage();
    }
    sh.deadline = now_s() + duration;
    int rc = run_load(&sh, conns, mode);
    if (sh.mode == MODE_SESSIONS) {
        FILE *f = fopen(out, "w");
        if (!f)
            die("cannot write the sessions file");
        for (long i = 0; i < count; i++)
            if (sh.sids[i][0])
                fprintf(f, "%s\n", sh.sids[i]);
        fclose(f);
        free(sh.sids);
    }
    return rc;
}
