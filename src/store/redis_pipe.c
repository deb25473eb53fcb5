/* Commands sent without waiting: a request thread queues its command and
 * goes on serving; one thread per store keeps a pooled connection busy
 * while there is traffic, sending whatever was queued before it reads each
 * reply and handing every reply to its callback as it comes. Under load
 * many commands travel per write and per read, so Redis and this process
 * pay one system call for many, and no request thread sleeps on a round
 * trip. A command queued while the thread waits for a reply wakes it
 * (an eventfd, written once per wait), so it is sent at once rather than
 * behind that reply. The callbacks run on this thread with no lock held. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <mcp/error.h>

#include "base/clock.h"
#include "store/redis_internal.h"

#define MAX_IN_FLIGHT 256

typedef mcp__redis_store redis_store;

/* One caller's command. */
typedef struct mcp__redis_op {
    struct mcp__redis_op *next;
    mcp__redis_done done;
    void *ctx;
    mcp__redis_cmd cmd;          /* argv point into text */
    char text[];                 /* the arguments, each NUL-terminated */
} redis_op;

static void answer(redis_op *op, int rc, const redisReply *reply)
{
    op->done(op->ctx, rc, rc == 0 ? reply : NULL);
    free(op);
}

/* Up to room queued ops, oldest first, into out. */
static int take_queued(redis_store *rs, redis_op **out, int room)
{
    int n = 0;
    pthread_mutex_lock(&rs->pipe_lock);
    while (rs->pipe_head && n < room) {
        out[n++] = rs->pipe_head;
        rs->pipe_head = rs->pipe_head->next;
    }
    if (!rs->pipe_head)
        rs->pipe_tail = NULL;
    pthread_mutex_unlock(&rs->pipe_lock);
    return n;
}

/* Commands in flight on the connection, in the order their replies come. */
typedef struct in_flight {
    redis_op *ops[MAX_IN_FLIGHT];
    int head, count;
} in_flight;

static bool send_op(mcp__redis_conn *conn, in_flight *f, redis_op *op)
{
    f->ops[(f->head + f->count++) % MAX_IN_FLIGHT] = op;
    return mcp__redis_append(conn, op->cmd.argc, op->cmd.argv, op->cmd.len) == 0;
}

static redis_op *next_answered(in_flight *f)
{
    redis_op *op = f->ops[f->head];
    f->head = (f->head + 1) % MAX_IN_FLIGHT;
    f->count--;
    return op;
}

/* Keep one pooled connection busy while there is traffic: commands queued
 * meanwhile are sent before each reply is read (the read flushes them), so
 * a request never waits for a whole earlier batch to be answered, and each
 * reply is answered as it comes; a connection that fails fails what is in
 * flight with -MCP_EIO. */
static void run_stream(redis_store *rs, redis_op **first, int n)
{
    mcp__redis_slot *slot = mcp__redis_acquire(rs);
    if (!slot) {
        for (int i = 0; i < n; i++)
            answer(first[i], -MCP_EIO, NULL);
        return;
    }
    in_flight f = { .head = 0, .count = 0 };
    bool ok = true, healthy = true;
    for (int i = 0; i < n; i++)
        ok = send_op(slot->conn, &f, first[i]) && ok;
    redis_op *more[MAX_IN_FLIGHT];
    uint64_t since = mcp__now_ms();          /* the oldest reply's wait began */
    while (ok && f.count > 0) {
        int k = take_queued(rs, more, MAX_IN_FLIGHT - f.count);
        for (int i = 0; i < k; i++)
            ok = send_op(slot->conn, &f, more[i]) && ok;
        redisReply *reply = NULL;
        /* While it waits, a command queued meanwhile wakes it, so it goes
         * out at once instead of behind the reply awaited. */
        atomic_store(&rs->pipe_reading, true);
        int r = ok ? mcp__redis_read_or_wake(slot->conn, rs->pipe_wake_fd, since, &reply) : -MCP_EIO;
        atomic_store(&rs->pipe_reading, false);
        if (r == 1) {
            uint64_t count;
            if (read(rs->pipe_wake_fd, &count, sizeof count) < 0) { /* nothing to drain: a spurious wake-up */ }
            atomic_store(&rs->pipe_woken, false);
            continue;
        }
        if (r < 0) {
            ok = false;
            break;
        }
        since = mcp__now_ms();
        if (reply->type == REDIS_REPLY_ERROR)
            healthy = false;                   /* as in mcp__redis_run: NOAUTH, LOADING, ... */
        answer(next_answered(&f), reply->type == REDIS_REPLY_ERROR ? -MCP_EIO : 0, reply);
        freeReplyObject(reply);
    }
    while (f.count > 0)
        answer(next_answered(&f), -MCP_EIO, NULL);
    mcp__redis_release(rs, slot, ok && healthy);
}

static void *pipe_main(void *arg)
{
    redis_store *rs = arg;
    redis_op *batch[MAX_IN_FLIGHT];
    for (;;) {
        pthread_mutex_lock(&rs->pipe_lock);
        while (!rs->pipe_head && !rs->pipe_stopping) {
            rs->pipe_idle = true;
            pthread_cond_wait(&rs->pipe_ready, &rs->pipe_lock);
        }
        rs->pipe_idle = false;
        bool queued = rs->pipe_head != NULL;
        pthread_mutex_unlock(&rs->pipe_lock);
        if (!queued)
            return NULL;               /* stopping, and nothing left to send */
        run_stream(rs, batch, take_queued(rs, batch, MAX_IN_FLIGHT));
    }
}

/* An op holding a copy of c (binary-safe: lengths kept). */
static redis_op *op_new(const mcp__redis_cmd *c)
{
    size_t size = 0;
    for (int i = 0; i < c->argc; i++)
        size += c->len[i] + 1;
    redis_op *op = malloc(sizeof *op + size);
    if (!op)
        return NULL;
    char *at = op->text;
    op->cmd.argc = c->argc;
    for (int i = 0; i < c->argc; i++) {
        memcpy(at, c->argv[i], c->len[i]);
        at[c->len[i]] = '\0';
        op->cmd.argv[i] = at;
        op->cmd.len[i] = c->len[i];
        at += c->len[i] + 1;
    }
    op->next = NULL;
    return op;
}

int mcp__redis_run_async(redis_store *rs, const mcp__redis_cmd *c, mcp__redis_done done, void *ctx)
{
    if (c->argc < 1 || c->argc > MCP__REDIS_MAX_ARGS)
        return -MCP_EINVAL;
    redis_op *op = op_new(c);
    if (!op)
        return -MCP_ENOMEM;
    op->done = done;
    op->ctx = ctx;
    pthread_mutex_lock(&rs->pipe_lock);
    if (rs->pipe_stopping) {
        pthread_mutex_unlock(&rs->pipe_lock);
        free(op);
        return -MCP_EIO;
    }
    if (!rs->pipe_started) {
        rs->pipe_wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (rs->pipe_wake_fd < 0 || pthread_create(&rs->pipe_thread, NULL, pipe_main, rs) != 0) {
            if (rs->pipe_wake_fd >= 0)
                close(rs->pipe_wake_fd);
            rs->pipe_wake_fd = -1;
            pthread_mutex_unlock(&rs->pipe_lock);
            free(op);
            return -MCP_ENOMEM;
        }
        rs->pipe_started = true;
    }
    if (rs->pipe_tail)
        rs->pipe_tail->next = op;
    else
        rs->pipe_head = op;
    rs->pipe_tail = op;
    bool wake = rs->pipe_idle;     /* a sending thread finds it before its next read */
    pthread_mutex_unlock(&rs->pipe_lock);
    if (wake) {
        pthread_cond_signal(&rs->pipe_ready);
    } else if (atomic_load(&rs->pipe_reading) && !atomic_exchange(&rs->pipe_woken, true)) {
        uint64_t one = 1;          /* one write per wait, however many commands come */
        if (write(rs->pipe_wake_fd, &one, sizeof one) < 0) { /* full counter: already awake */ }
    }
    return 0;
}

void mcp__redis_pipe_stop(redis_store *rs)
{
    pthread_mutex_lock(&rs->pipe_lock);
    rs->pipe_stopping = true;
    bool started = rs->pipe_started;
    pthread_mutex_unlock(&rs->pipe_lock);
    pthread_cond_signal(&rs->pipe_ready);
    if (started) {
        pthread_join(rs->pipe_thread, NULL);
        close(rs->pipe_wake_fd);       /* at the store's free: no caller is queuing any more */
        rs->pipe_wake_fd = -1;
    }
}
