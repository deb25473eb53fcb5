/* stdio transport: newline-delimited JSON-RPC on two file descriptors.
 * The reading thread parses and dispatches; quick methods answer inline,
 * blocking handlers answer from the worker pool, so the reader keeps
 * reading (a handler may be waiting for the client's answer). Every write
 * is one whole line under a mutex: stdout carries nothing but MCP. The
 * process is one legacy session (state, log level, pending requests). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mcp/stdio.h>

#include "core/limit.h"

#include "core/dispatch.h"
#include "core/jsonrpc.h"
#include "core/modern.h"
#include "core/util.h"

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

/* Responses of one 2025-03-26 batch are sent together as one array. */
typedef struct batch {
    stdio_conn *conn;
    pthread_mutex_t lock;
    cJSON *responses;
    unsigned remaining;
} batch;

typedef struct stdio_exchange {
    mcp_exchange ex;
    stdio_conn *conn;
    batch *batch;                /* NULL for a single message */
} stdio_exchange;

static void write_line(stdio_conn *c, const cJSON *msg)
{
    char *text = jsonrpc_print(msg);
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

static void batch_add(batch *b, cJSON *response)
{
    pthread_mutex_lock(&b->lock);
    if (response)
        cJSON_AddItemToArray(b->responses, response);
    bool last = --b->remaining == 0;
    pthread_mutex_unlock(&b->lock);
    if (!last)
        return;
    if (cJSON_GetArraySize(b->responses) > 0)
        write_line(b->conn, b->responses);
    cJSON_Delete(b->responses);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

static void stdio_complete(mcp_exchange *ex, cJSON *response)
{
    stdio_exchange *sx = (stdio_exchange *)ex;
    stdio_conn *c = sx->conn;
    if (sx->batch) {
        batch_add(sx->batch, response);
    } else if (response) {
        write_line(c, response);
        cJSON_Delete(response);
    }
    free(sx);
    inflight_done(c);
}

static const mcp_exchange_ops stdio_ops = { stdio_send, stdio_complete };

static void dispatch_one(stdio_conn *c, cJSON *msg, batch *b)
{
    stdio_exchange *sx = calloc(1, sizeof *sx);
    if (!sx) {
        cJSON_Delete(msg);
        if (b)
            batch_add(b, NULL);
        return;
    }
    sx->ex.ops = &stdio_ops;
    sx->ex.track = c->session;
    sx->ex.limiter = c->limiter;     /* a refusal is the in-band error only */
    sx->ex.principal = "stdio";
    if (modern_claims(msg)) {
        /* Modern messages are served on their own: no session state. */
        modern_error err = {0};
        mcp_version v = MCP_V_MODERN_LATEST;
        if (modern_validate_request(c->srv, msg, NULL, NULL, &v, &err) < 0) {
            cJSON *reply = jsonrpc_id(msg) ? jsonrpc_error_data_take(jsonrpc_id(msg), err.code, err.message, err.data) : NULL;
            if (!reply)
                modern_error_clear(&err);
            cJSON_Delete(msg);
            free(sx);
            if (b)
                batch_add(b, reply);
            else if (reply)
                write_line(c, reply);
            if (!b)
                cJSON_Delete(reply);
            return;
        }
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
    mcp_server_dispatch(c->srv, &sx->ex, msg);
}

static void reply_error(stdio_conn *c, const cJSON *id, int code, const char *why)
{
    cJSON *err = jsonrpc_error(id, code, why);
    if (err)
        write_line(c, err);
    cJSON_Delete(err);
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
    batch *b = calloc(1, sizeof *b);
    if (!b || !(b->responses = cJSON_CreateArray())) {
        free(b);
        cJSON_Delete(arr);
        return;
    }
    pthread_mutex_init(&b->lock, NULL);
    b->conn = c;
    b->remaining = (unsigned)n + 1;   /* +1 held until every element is dispatched */
    cJSON *item;
    while ((item = cJSON_DetachItemFromArray(arr, 0))) {
        if (mcp_is_initialize(item)) {
            cJSON *err = jsonrpc_error(jsonrpc_id(item), JSONRPC_INVALID_REQUEST,
                                       "Invalid Request: initialize must not be part of a batch");
            cJSON_Delete(item);
            batch_add(b, err);
            continue;
        }
        dispatch_one(c, item, b);
    }
    batch_add(b, NULL);
    cJSON_Delete(arr);
}

static void handle_line(stdio_conn *c, const char *line, size_t len, unsigned max_depth)
{
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    if (len == 0)
        return;                  /* blank lines are not messages */
    const char *why = NULL;
    cJSON *msg = jsonrpc_parse(line, len, max_depth, &why);
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

int mcp_serve_stdio(mcp_server *srv, const mcp_stdio_options *opts)
{
    mcp_stdio_options o = MCP_STDIO_DEFAULTS;
    if (opts)
        o = *opts;
    if (o.max_line == 0)
        o.max_line = 4u << 20;
    if (o.max_depth == 0)
        o.max_depth = 64;
    stdio_conn c = { .srv = srv, .out_fd = o.out_fd };
    mcp__limit_config lc = { .rate = o.rate_limit, .burst = o.rate_burst, .all_requests = o.rate_limit_all_requests };
    c.limiter = mcp__limiter_new(&lc);
    c.session = session_new();
    if (!c.session) {
        mcp__limiter_free(c.limiter);
        return -MCP_ENOMEM;
    }
    c.session->id[0] = '\0';     /* stdio has no session id on the wire */
    c.session->version = MCP_V_2025_03_26; /* until initialize negotiates */
    pthread_mutex_init(&c.write_lock, NULL);
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.idle, NULL);

    int rc = read_loop(&c, &o);

    /* EOF: the client is gone. Stop waits for its answers, let running
     * handlers finish, then return. */
    session_close(c.session);
    mcp_server_close_listeners(srv);
    pthread_mutex_lock(&c.lock);
    while (c.inflight > 0)
        pthread_cond_wait(&c.idle, &c.lock);
    pthread_mutex_unlock(&c.lock);
    session_unref(c.session);
    mcp__limiter_free(c.limiter);
    pthread_cond_destroy(&c.idle);
    pthread_mutex_destroy(&c.lock);
    pthread_mutex_destroy(&c.write_lock);
    return rc;
}
