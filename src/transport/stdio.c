/* stdio transport: newline-delimited JSON-RPC on two file descriptors.
 * The reading thread parses and dispatches; quick methods answer inline,
 * blocking handlers answer from the worker pool, so the reader keeps
 * reading (a handler may be waiting for the client's answer). Every write
 * is one whole line under a mutex: stdout carries nothing but MCP. The
 * process is one legacy session (state, log level, pending requests).
 * Era classification and batch collection are the protocol layer's
 * (era.c, core/batch.c), shared with HTTP: this file only frames lines. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mcp/stdio.h>

#include "core/batch.h"
#include "core/dispatch.h"
#include "core/notify.h"
#include "core/registry.h"
#include "core/server.h"
#include "core/jsonrpc.h"
#include "core/era.h"
#include "core/limit.h"
#include "base/util.h"

typedef struct stdio_conn {
    mcp_server *srv;
    int out_fd;
    pthread_mutex_t write_lock;
    pthread_mutex_t lock;        /* guards inflight */
    pthread_cond_t idle;
    unsigned inflight;
    mcp_session *session;
    bool write_failed;
    struct mcp__limiter *limiter; /* rate limits (one principal: the process); NULL: off */
} stdio_conn;

typedef struct stdio_exchange {
    mcp_exchange ex;
    stdio_conn *conn;
    rpc_batch *batch;            /* NULL for a single message */
} stdio_exchange;

static void write_line(stdio_conn *c, const cJSON *msg)
{
    char *text = mcp__jsonrpc_print(msg);
    if (!text)
        return;
    size_t len = strlen(text);
    text[len] = '\n';            /* replace the NUL: one write per message */
    pthread_mutex_lock(&c->write_lock);
    const char *p = text;
    size_t left = len + 1;
    while (left > 0 && !c->write_failed) {
        ssize_t n = write(c->out_fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            c->write_failed = true;
            break;
        }
        p += n;
        left -= (size_t)n;
    }
    pthread_mutex_unlock(&c->write_lock);
    free(text);
}

static int stdio_send(mcp_exchange *ex, cJSON *msg)
{
    stdio_exchange *sx = (stdio_exchange *)ex;
    write_line(sx->conn, msg);
    cJSON_Delete(msg);
    return 0;
}

static void inflight_done(stdio_conn *c)
{
    pthread_mutex_lock(&c->lock);
    if (--c->inflight == 0)
        pthread_cond_broadcast(&c->idle);
    pthread_mutex_unlock(&c->lock);
}

static void stdio_complete(mcp_exchange *ex, cJSON *response)
{
    stdio_exchange *sx = (stdio_exchange *)ex;
    stdio_conn *c = sx->conn;
    if (sx->batch) {
        mcp__rpc_batch_add(sx->batch, response);
    } else if (response) {
        write_line(c, response);
        cJSON_Delete(response);
    }
    free(sx);
    inflight_done(c);
}

static const mcp_exchange_ops stdio_ops = { stdio_send, stdio_complete };

static void dispatch_one(stdio_conn *c, cJSON *msg, rpc_batch *b)
{
    stdio_exchange *sx = calloc(1, sizeof *sx);
    if (!sx) {
        cJSON_Delete(msg);
        if (b)
            mcp__rpc_batch_add(b, NULL);
        return;
    }
    sx->ex.ops = &stdio_ops;
    sx->ex.replies_printed = true;
    sx->ex.track = c->session;
    sx->ex.owner = c;
    sx->ex.limiter = c->limiter;     /* a refusal is the in-band error only */
    sx->ex.principal = "stdio";
    modern_error err = {0};
    mcp__revision v = MCP_V_MODERN_LATEST;
    /* stdio keeps a legacy session: with_sessions (mcp_server_set_eras). */
    int era = mcp__era_classify(c->srv, msg, true, NULL, NULL, &v, &err);
    if (era < 0) {
        /* A modern message whose envelope is wrong: answered, not run. */
        cJSON *reply = mcp__jsonrpc_id(msg) ? mcp__jsonrpc_error_data_take(mcp__jsonrpc_id(msg), err.code, err.message, err.data) : NULL;
        if (!reply)
            mcp__modern_error_clear(&err);
        cJSON_Delete(msg);
        free(sx);
        if (b)
            mcp__rpc_batch_add(b, reply);
        else if (reply)
            write_line(c, reply);
        if (!b)
            cJSON_Delete(reply);
        return;
    }
    if (era == MCP_ERA_MODERN) {
        /* Modern messages are served on their own: no session state. */
        sx->ex.era = MCP_ERA_MODERN;
        sx->ex.version = v;
    } else {
        sx->ex.session = c->session;
        sx->ex.era = MCP_ERA_LEGACY;
        sx->ex.version = c->session->version;
        sx->ex.back_channel = true;
    }
    sx->conn = c;
    sx->batch = b;
    pthread_mutex_lock(&c->lock);
    c->inflight++;
    pthread_mutex_unlock(&c->lock);
    mcp__server_dispatch(c->srv, &sx->ex, msg);
}

/* list_changed and resources/updated (for subscribed URIs) reach the stdio
 * client once it finished the handshake. */
static void stdio_notify(void *ctx, const cJSON *notification, const char *resource_uri)
{
    stdio_conn *c = ctx;
    if (!c->session->initialized || (resource_uri && !mcp__session_subscribed(c->session, resource_uri)))
        return;
    write_line(c, notification);
}

static void reply_error(stdio_conn *c, const cJSON *id, int code, const char *why)
{
    cJSON *err = mcp__jsonrpc_error(id, code, why);
    if (err)
        write_line(c, err);
    cJSON_Delete(err);
}

static void batch_element(void *ctx, rpc_batch *b, cJSON *msg)
{
    dispatch_one(ctx, msg, b);
}

/* Responses of one 2025-03-26 batch are sent together as one array. */
static void batch_done(void *ctx, cJSON *responses)
{
    if (cJSON_GetArraySize(responses) > 0)
        write_line(ctx, responses);
    cJSON_Delete(responses);
}

static void handle_batch(stdio_conn *c, cJSON *arr)
{
    int n = cJSON_GetArraySize(arr);
    if (n == 0 || !mcp_v_batching(c->session->version)) {
        reply_error(c, NULL, JSONRPC_INVALID_REQUEST, n == 0 ? "Invalid Request: empty batch"
                    : "Invalid Request: batches are only accepted for protocol version 2025-03-26");
        cJSON_Delete(arr);
        return;
    }
    mcp__rpc_batch_run(arr, batch_element, batch_done, c);   /* out of memory: no answer, as before */
}

static void handle_line(stdio_conn *c, const char *line, size_t len, unsigned max_depth)
{
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    if (len == 0)
        return;                  /* blank lines are not messages */
    const char *why = NULL;
    cJSON *msg = mcp__jsonrpc_parse(line, len, max_depth, &why);
    if (!msg) {
        reply_error(c, NULL, JSONRPC_PARSE_ERROR, why);
        return;
    }
    if (cJSON_IsArray(msg))
        handle_batch(c, msg);
    else
        dispatch_one(c, msg, NULL);
}

/* Read loop: split on '\n'; an overlong line is answered with an error once
 * and skipped up to its end, so one bad message never desyncs the stream. */
static int read_loop(stdio_conn *c, const mcp_stdio_options *o)
{
    size_t cap = 64 * 1024;
    char *buf = malloc(cap);
    size_t len = 0;
    bool skipping = false;
    int rc = 0;
    if (!buf)
        return -MCP_ENOMEM;
    for (;;) {
        if (len == cap) {
            if (cap >= o->max_line + 1) {
                if (!skipping)
                    reply_error(c, NULL, JSONRPC_PARSE_ERROR, "Parse error: message longer than the line limit");
                skipping = true;
                len = 0;
            } else {
                size_t ncap = cap * 2 > o->max_line + 1 ? o->max_line + 1 : cap * 2;
                char *nb = realloc(buf, ncap);
                if (!nb) {
                    rc = -MCP_ENOMEM;
                    break;
                }
                buf = nb;
                cap = ncap;
            }
        }
        ssize_t n = read(o->in_fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                rc = -MCP_EIO;
            else if (len > 0 && !skipping)
                handle_line(c, buf, len, o->max_depth);   /* last line without '\n' */
            break;
        }
        size_t start = 0, scan = len;
        len += (size_t)n;
        for (size_t i = scan; i < len; i++) {
            if (buf[i] != '\n')
                continue;
            if (!skipping)
                handle_line(c, buf + start, i - start, o->max_depth);
            skipping = false;
            start = i + 1;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    free(buf);
    return rc;
}

void mcp_stdio_options_init(mcp_stdio_options *opts)
{
    if (opts)
        *opts = (mcp_stdio_options)MCP_STDIO_DEFAULTS;
}

int mcp_serve_stdio(mcp_server *srv, const mcp_stdio_options *opts)
{
    mcp_stdio_options o;
    mcp_stdio_options_init(&o);
    if (opts) {
        /* 0 in a field means its documented default (in_fd's is 0). */
        const mcp_stdio_options d = o;
        o = *opts;
        if (!o.out_fd)
            o.out_fd = d.out_fd;
        if (!o.max_line)
            o.max_line = d.max_line;
        if (!o.max_depth)
            o.max_depth = d.max_depth;
    }
    stdio_conn c = { .srv = srv, .out_fd = o.out_fd };
    mcp__limit_config lc = { .rate = o.rate_limit, .burst = o.rate_burst, .all_requests = o.rate_limit_all_requests };
    c.limiter = mcp__limiter_new(&lc);
    c.session = mcp__session_new();
    if (!c.session) {
        mcp__limiter_free(c.limiter);
        return -MCP_ENOMEM;
    }
    c.session->id[0] = '\0';     /* stdio has no session id on the wire */
    c.session->version = MCP_V_2025_03_26; /* until initialize negotiates */
    pthread_mutex_init(&c.write_lock, NULL);
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.idle, NULL);

    int rc = mcp__notify_subscribe(srv, stdio_notify, &c);
    if (rc == 0)
        rc = read_loop(&c, &o);
    mcp__notify_unsubscribe(srv, stdio_notify, &c);

    /* EOF: the client is gone. Stop waits for its answers, let running
     * handlers finish, then return. */
    mcp__session_close(c.session);
    mcp__server_close_listeners(srv, &c);
    pthread_mutex_lock(&c.lock);
    while (c.inflight > 0)
        pthread_cond_wait(&c.idle, &c.lock);
    pthread_mutex_unlock(&c.lock);
    mcp__session_unref(c.session);
    mcp__limiter_free(c.limiter);
    pthread_cond_destroy(&c.idle);
    pthread_mutex_destroy(&c.lock);
    pthread_mutex_destroy(&c.write_lock);
    return rc;
}
