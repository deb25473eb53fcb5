/* One connection to Redis, plain TCP or TLS (settings: redis_url.c).
 * Debian 12's hiredis (0.14) has no TLS, so the socket is ours: a
 * non-blocking TCP socket (optionally wrapped in an OpenSSL SSL* that
 * verifies the server's certificate and name), with every wait bounded by
 * poll(); hiredis only formats commands (redisFormatCommandArgv) and parses
 * replies (a redisReader). Dialling ends with AUTH (user + password for an
 * ACL user, the password alone for requirepass), SELECT and a PING, so a
 * refusal is known before the connection is used. Passwords never appear in
 * error messages. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <mcp/error.h>

#include "base/util.h"
#include "store/redis_internal.h"

struct mcp__redis_conn {
    int fd;
    SSL *ssl;                 /* NULL: plain TCP */
    redisReader *reader;
    strbuf out;               /* formatted commands not yet written */
    unsigned timeout_ms;
    bool broken;
    bool tls_refused;         /* the TLS layer failed for a reason retrying will not fix */
    char why[200];            /* the last I/O failure, for messages */
};
/* ---------------- bounded non-blocking I/O ---------------- */

static int remaining(uint64_t deadline)
{
    uint64_t now = mcp__now_ms();
    return now >= deadline ? 0 : (int)(deadline - now);
}

/* Wait for events on c->fd until deadline, or for wake_fd (when >= 0) to
 * become readable: 1 ready, 2 woken, 0 timed out, -1 error. */
static int wait_fd_or(mcp__redis_conn *c, short events, int wake_fd, uint64_t deadline)
{
    for (;;) {
        struct pollfd pfd[2] = { { .fd = c->fd, .events = events }, { .fd = wake_fd, .events = POLLIN } };
        int n = poll(pfd, wake_fd >= 0 ? 2 : 1, remaining(deadline));
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0 && !pfd[0].revents && pfd[1].revents)
            return 2;
        return n < 0 ? -1 : n > 0;
    }
}

static int wait_fd(mcp__redis_conn *c, short events, uint64_t deadline)
{
    return wait_fd_or(c, events, -1, deadline);
}

static void tls_reason(mcp__redis_conn *c, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    long v = c->ssl ? SSL_get_verify_result(c->ssl) : X509_V_OK;
    if (v != X509_V_OK)
        snprintf(c->why, sizeof c->why, "%s: certificate verify failed (%s)", what, X509_verify_cert_error_string(v));
    else if (e)
        snprintf(c->why, sizeof c->why, "%s: %s", what, ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "TLS error");
    else
        snprintf(c->why, sizeof c->why, "%s: TLS error", what);
    ERR_clear_error();
    c->tls_refused = true;
}

/* One read or write attempt: >0 bytes, 0 would block (*want = events to
 * wait for), -1 failed (c->why says why). */
static ssize_t io_once(mcp__redis_conn *c, bool writing, void *buf, size_t len, short *want)
{
    if (!c->ssl) {
        ssize_t n = writing ? send(c->fd, buf, len, MSG_NOSIGNAL) : recv(c->fd, buf, len, 0);
        if (n > 0)
            return n;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            *want = writing ? POLLOUT : POLLIN;
            return 0;
        }
        snprintf(c->why, sizeof c->why, "%s", n == 0 ? "connection closed by Redis" : strerror(errno));
        return -1;
    }
    ERR_clear_error();
    int n = writing ? SSL_write(c->ssl, buf, (int)len) : SSL_read(c->ssl, buf, (int)len);
    if (n > 0)
        return n;
    int e = SSL_get_error(c->ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        *want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
        return 0;
    }
    if (e == SSL_ERROR_SSL)
        tls_reason(c, "TLS");
    else
        snprintf(c->why, sizeof c->why, "%s", e == SSL_ERROR_ZERO_RETURN || errno == 0 ? "connection closed by Redis" : strerror(errno));
    return -1;
}

static int flush_out(mcp__redis_conn *c, uint64_t deadline)
{
    size_t off = 0;
    while (off < c->out.len) {
        short want = 0;
        ssize_t n = io_once(c, true, c->out.data + off, c->out.len - off, &want);
        if (n < 0)
            goto broken;
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        int w = wait_fd(c, want, deadline);
        if (w <= 0) {
            snprintf(c->why, sizeof c->why, "%s", w == 0 ? "timed out sending to Redis" : strerror(errno));
            goto broken;
        }
    }
    c->out.len = 0;
    if (c->out.data)
        c->out.data[0] = '\0';
    return 0;
broken:
    c->broken = true;           /* a half-sent pipeline cannot be resumed */
    return -MCP_EIO;
}

/* "<prefix><n>\r\n" into out, as RESP writes lengths. */
static void put_length(strbuf *out, char prefix, size_t n)
{
    char digits[24], *p = digits + sizeof digits;
    *--p = '\n';
    *--p = '\r';
    do {
        *--p = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    *--p = prefix;
    mcp__strbuf_append(out, p, (size_t)(digits + sizeof digits - p));
}

/* The RESP request (an array of bulk strings, what redisFormatCommandArgv
 * writes) straight into the output buffer: no temporary copy. */
int mcp__redis_append(mcp__redis_conn *c, int argc, const char **argv, const size_t *len)
{
    if (argc <= 0)
        return -MCP_EINVAL;
    put_length(&c->out, '*', (size_t)argc);
    for (int i = 0; i < argc; i++) {
        put_length(&c->out, '$', len[i]);
        mcp__strbuf_append(&c->out, argv[i], len[i]);
        mcp__strbuf_append(&c->out, "\r\n", 2);
    }
    if (c->out.err) {
        c->broken = true;            /* a half-queued command cannot be sent */
        return -MCP_ENOMEM;
    }
    return 0;
}

int mcp__redis_read(mcp__redis_conn *c, redisReply **reply)
{
    return mcp__redis_read_or_wake(c, -1, mcp__now_ms(), reply);
}

int mcp__redis_read_or_wake(mcp__redis_conn *c, int wake_fd, uint64_t since_ms, redisReply **reply)
{
    *reply = NULL;
    if (c->broken)
        return -MCP_EIO;
    uint64_t deadline = since_ms + c->timeout_ms;
    /* Hot path: right after sending, a plain socket has nothing to read
     * yet, so wait first instead of a recv() that would say EAGAIN. */
    bool just_sent = c->out.len > 0 && !c->ssl;
    if (c->out.len && flush_out(c, deadline) < 0)
        return -MCP_EIO;
    for (;;) {
        void *r = NULL;
        if (redisReaderGetReply(c->reader, &r) != REDIS_OK) {
            snprintf(c->why, sizeof c->why, "protocol error: %s", c->reader->errstr);
            c->broken = true;
            return -MCP_EIO;
        }
        if (r) {
            *reply = r;
            return 0;
        }
        char buf[16384];
        short want = POLLIN;
        ssize_t n = just_sent ? 0 : io_once(c, false, buf, sizeof buf, &want);
        just_sent = false;
        if (n < 0) {
            c->broken = true;
            return -MCP_EIO;
        }
        if (n > 0) {
            if (redisReaderFeed(c->reader, buf, (size_t)n) != REDIS_OK) {
                c->broken = true;
                return -MCP_EIO;
            }
            continue;
        }
        int w = wait_fd_or(c, want, wake_fd, deadline);
        if (w == 2)
            return 1;
        if (w == 0)
            return -MCP_ETIMEDOUT;
        if (w < 0) {
            c->broken = true;
            return -MCP_EIO;
        }
    }
}

bool mcp__redis_ok(const mcp__redis_conn *c)
{
    return !c->broken;
}

bool mcp__redis_alive(mcp__redis_conn *c)
{
    if (c->broken)
        return false;
    char byte;
    ssize_t n = recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return !c->ssl || SSL_pending(c->ssl) == 0;
    if (n <= 0 || !c->ssl)
        return false;            /* end of stream, an error, or stray bytes: not in sync */
    /* TLS: records arrive that carry no reply (TLS 1.3 session tickets
     * after the handshake); let OpenSSL consume them. Application data or
     * a close_notify means the connection is not usable. */
    ERR_clear_error();
    int r = SSL_read(c->ssl, &byte, 1);
    if (r > 0)
        return false;
    int e = SSL_get_error(c->ssl, r);
    ERR_clear_error();
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

void mcp__redis_close(mcp__redis_conn *c)
{
    if (!c)
        return;
    if (c->ssl) {
        if (!c->broken)
            SSL_shutdown(c->ssl);           /* best effort, non-blocking */
        SSL_free(c->ssl);
    }
    if (c->fd >= 0)
        close(c->fd);
    if (c->reader)
        redisReaderFree(c->reader);
    mcp__strbuf_free(&c->out);
    free(c);
}

/* ---------------- dialling ---------------- */

static int tcp_connect(mcp__redis_conn *c, const mcp__redis_config *cfg, uint64_t deadline)
{
    char port[8];
    snprintf(port, sizeof port, "%d", cfg->port);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC }, *res = NULL;
    int g = getaddrinfo(cfg->host, port, &hints, &res);
    if (g != 0) {
        snprintf(c->why, sizeof c->why, "cannot resolve the name (%s)", gai_strerror(g));
        return -1;
    }
    int rc = -1;
    for (struct addrinfo *ai = res; ai && rc < 0; ai = ai->ai_next) {
        c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (c->fd < 0)
            continue;
        if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS) {
            int w = wait_fd(c, POLLOUT, deadline), soerr = 0;
            socklen_t sl = sizeof soerr;
            if (w > 0 && getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
                rc = 0;
            else
                snprintf(c->why, sizeof c->why, "%s", w == 0 ? "connect timed out" : strerror(soerr ? soerr : errno));
        } else {
            snprintf(c->why, sizeof c->why, "%s", strerror(errno));
        }
        if (rc < 0) {
            close(c->fd);
            c->fd = -1;
        }
    }
    freeaddrinfo(res);
    if (rc == 0) {
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return rc;
}

/* OpenSSL's socket BIO writes with write(), which raises SIGPIPE on a
 * connection the peer closed; a library must not kill a program that did
 * not ignore it, so TLS goes through this BIO: send(MSG_NOSIGNAL), recv. */
static int nosig_write(BIO *b, const char *in, int len)
{
    BIO_clear_retry_flags(b);
    ssize_t n = send((int)(intptr_t)BIO_get_data(b), in, (size_t)len, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_write(b);
    return (int)n;
}

static int nosig_read(BIO *b, char *out, int len)
{
    BIO_clear_retry_flags(b);
    ssize_t n = recv((int)(intptr_t)BIO_get_data(b), out, (size_t)len, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_read(b);
    return (int)n;
}

static long nosig_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int nosig_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static BIO_METHOD *nosig_method;
static pthread_once_t nosig_once = PTHREAD_ONCE_INIT;

static void nosig_init(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mcp redis socket");
    if (m && BIO_meth_set_write(m, nosig_write) && BIO_meth_set_read(m, nosig_read) &&
        BIO_meth_set_ctrl(m, nosig_ctrl) && BIO_meth_set_create(m, nosig_create))
        nosig_method = m;
    else
        BIO_meth_free(m);
}

static int tls_handshake(mcp__redis_conn *c, const mcp__redis_config *cfg, uint64_t deadline)
{
    pthread_once(&nosig_once, nosig_init);
    BIO *bio = nosig_method ? BIO_new(nosig_method) : NULL;
    if (!bio || !(c->ssl = SSL_new(cfg->ssl))) {
        BIO_free(bio);
        snprintf(c->why, sizeof c->why, "TLS: out of memory");
        return -1;
    }
    BIO_set_data(bio, (void *)(intptr_t)c->fd);
    SSL_set_bio(c->ssl, bio, bio);    /* the SSL owns it now */
    struct in6_addr a6;
    struct in_addr a4;
    bool ip = inet_pton(AF_INET, cfg->server_name, &a4) == 1 || inet_pton(AF_INET6, cfg->server_name, &a6) == 1;
    X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
    if (ip) {
        X509_VERIFY_PARAM_set1_ip_asc(vp, cfg->server_name);    /* no SNI for an address (RFC 6066) */
    } else {
        SSL_set_tlsext_host_name(c->ssl, cfg->server_name);
        X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        SSL_set1_host(c->ssl, cfg->server_name);
    }
    for (;;) {
        ERR_clear_error();
        int r = SSL_connect(c->ssl);
        if (r == 1)
            return 0;
        int e = SSL_get_error(c->ssl, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            if (e == SSL_ERROR_SSL)
                tls_reason(c, "TLS handshake failed");
            else
                snprintf(c->why, sizeof c->why, "TLS handshake failed: %s",
                         errno ? strerror(errno) : "connection closed by the server (not a TLS port?)");
            return -1;
        }
        int w = wait_fd(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
        if (w <= 0) {
            /* A cleartext Redis waits for the end of a line that a TLS
             * hello never sends: say so, and never try without TLS. */
            snprintf(c->why, sizeof c->why, "TLS handshake failed: no answer (not a TLS port?)");
            c->tls_refused = true;
            return -1;
        }
    }
}

/* One command during the dial: NULL reply text is success. */
static int hello_cmd(mcp__redis_conn *c, int argc, const char **argv, const char *what, char *err, size_t errlen)
{
    size_t len[4];
    for (int i = 0; i < argc; i++)
        len[i] = strlen(argv[i]);
    redisReply *r = NULL;
    int rc = mcp__redis_append(c, argc, argv, len);
    if (rc == 0)
        rc = mcp__redis_read(c, &r);
    if (rc < 0) {
        /* Over TLS 1.3 a refused client certificate shows only now: the
         * server's alert, or (when our command crossed it) a reset. */
        bool tls_closed = c->ssl && rc != -MCP_ETIMEDOUT;
        mcp__redis_errf(err, errlen, "redis: %s %s: %s%s", argv[0], rc == -MCP_ETIMEDOUT ? "timed out" : "failed",
                rc == -MCP_ETIMEDOUT ? "no reply" : c->why,
                tls_closed && !c->tls_refused ? " right after the TLS handshake (client certificate required or refused?)" : "");
        if (r)
            freeReplyObject(r);
        return c->tls_refused || tls_closed ? -MCP_EINVAL : -MCP_EIO;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        bool auth = !strncmp(r->str, "WRONGPASS", 9) || !strncmp(r->str, "NOAUTH", 6) ||
                    strstr(r->str, "without any password");
        mcp__redis_errf(err, errlen, "redis: %s (%.*s)", auth ? "authentication failed" : what, 120, r->str);
        freeReplyObject(r);
        return -MCP_EINVAL;
    }
    freeReplyObject(r);
    return 0;
}

int mcp__redis_dial(const mcp__redis_config *cfg, unsigned command_timeout_ms, mcp__redis_conn **out, char *err,
                    size_t errlen)
{
    *out = NULL;
    mcp__redis_conn *c = calloc(1, sizeof *c);
    if (!c || !(c->reader = redisReaderCreate())) {
        free(c);
        mcp__redis_errf(err, errlen, "redis: out of memory");
        return -MCP_ENOMEM;
    }
    c->fd = -1;
    c->timeout_ms = cfg->connect_timeout_ms + command_timeout_ms;   /* the hello commands */
    uint64_t deadline = mcp__now_ms() + cfg->connect_timeout_ms;
    if (tcp_connect(c, cfg, deadline) < 0) {
        mcp__redis_errf(err, errlen, "redis: cannot connect to %s:%d: %s", cfg->host, cfg->port, c->why);
        mcp__redis_close(c);
        return -MCP_EIO;
    }
    if (cfg->tls && tls_handshake(c, cfg, deadline + command_timeout_ms) < 0) {
        mcp__redis_errf(err, errlen, "redis: %s:%d: %s", cfg->host, cfg->port, c->why);
        int rc = c->tls_refused ? -MCP_EINVAL : -MCP_EIO;
        c->broken = true;
        mcp__redis_close(c);
        return rc;
    }
    int rc = 0;
    if (cfg->password) {
        const char *argv[3] = { "AUTH", cfg->user ? cfg->user : cfg->password, cfg->password };
        rc = hello_cmd(c, cfg->user ? 3 : 2, argv, "AUTH refused", err, errlen);
    }
    char db[16];
    snprintf(db, sizeof db, "%d", cfg->db);
    if (rc == 0 && cfg->db != 0)
        rc = hello_cmd(c, 2, (const char *[]){ "SELECT", db }, "SELECT refused", err, errlen);
    if (rc == 0)   /* without a password, the first refusal (NOAUTH) comes here */
        rc = hello_cmd(c, 1, (const char *[]){ "PING" }, "PING refused", err, errlen);
    if (rc < 0) {
        mcp__redis_close(c);
        return rc;
    }
    c->timeout_ms = command_timeout_ms;
    *out = c;
    return 0;
}
