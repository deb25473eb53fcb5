/* Scripts sent without waiting: a request thread queues its command and
 * goes on serving; one thread per store takes everything queued, writes it
 * as one pipeline on a pooled connection, reads the replies in order and
 * hands each to its callback. Under load the batch grows with the number of
 * requests in flight, so Redis and this process pay one write and one read
 * for many commands, and no request thread sleeps on a round trip. The
 * callbacks run on this thread with no lock held. */
#include <stdlib.h>
#include <string.h>

#include <mcp/error.h>

#include "store/redis_internal.h"

#define MAX_BATCH 128

typedef mcp__redis_store redis_store;

typedef struct mcp__redis_op {
    struct mcp__redis_op *next;
    mcp__redis_script *script;
    mcp__redis_done done;
    void *ctx;
    mcp__redis_cmd cmd;          /* argv point into text and nk */
    char nk[12];
    char text[];                 /* the keys and arguments, each NUL-terminated */
} redis_op;

static void answer(redis_op *op, int rc, redisReply *reply)
{
    op->done(op->ctx, rc, rc == 0 ? reply : NULL);
    if (reply)
        freeReplyObject(reply);
    free(op);
}

/* Send n ops as one pipeline and answer each. A NOSCRIPT reply (Redis
 * restarted or flushed its scripts) is resent with the source on the same
 * connection; any failure of the connection fails the rest with -MCP_EIO. */
static void run_batch(redis_store *rs, redis_op **ops, int n)
{
    redisReply *replies[MAX_BATCH] = {0};
    mcp__redis_slot *slot = mcp__redis_acquire(rs);
    bool ok = slot != NULL, healthy;
    for (int i = 0; i < n && ok; i++)
        ok = mcp__redis_append(slot->conn, ops[i]->cmd.argc, ops[i]->cmd.argv, ops[i]->cmd.len) == 0;
    for (int i = 0; i < n && ok; i++)
        ok = mcp__redis_read(slot->conn, &replies[i]) == 0;
    for (int i = 0; i < n && ok; i++) {
        if (!mcp__redis_is_noscript(replies[i]))
            continue;
        freeReplyObject(replies[i]);
        replies[i] = NULL;
        mcp__redis_eval_source(&ops[i]->cmd, ops[i]->script);
        ok = mcp__redis_append(slot->conn, ops[i]->cmd.argc, ops[i]->cmd.argv, ops[i]->cmd.len) == 0 &&
             mcp__redis_read(slot->conn, &replies[i]) == 0;
    }
    healthy = ok;
    for (int i = 0; i < n && healthy; i++)
        healthy = replies[i]->type != REDIS_REPLY_ERROR;   /* as in mcp__redis_run: NOAUTH, LOADING, ... */
    if (slot)
        mcp__redis_release(rs, slot, healthy);
    for (int i = 0; i < n; i++) {
        int rc = ok && replies[i]->type != REDIS_REPLY_ERROR ? 0 : -MCP_EIO;
        answer(ops[i], rc, replies[i]);
    }
}

static void *pipe_main(void *arg)
{
    redis_store *rs = arg;
    redis_op *batch[MAX_BATCH];
    for (;;) {
        pthread_mutex_lock(&rs->pipe_lock);
        while (!rs->pipe_head && !rs->pipe_stopping) {
            rs->pipe_idle = true;
            pthread_cond_wait(&rs->pipe_ready, &rs->pipe_lock);
        }
        rs->pipe_idle = false;
        int n = 0;
        while (rs->pipe_head && n < MAX_BATCH) {
            batch[n++] = rs->pipe_head;
            rs->pipe_head = rs->pipe_head->next;
        }
        if (!rs->pipe_head)
            rs->pipe_tail = NULL;
        pthread_mutex_unlock(&rs->pipe_lock);
        if (n == 0)
            return NULL;               /* stopping, and nothing left to send */
        run_batch(rs, batch, n);
    }
}

static redis_op *op_new(mcp__redis_script *script, int nkeys, const char **keys, int nargs, const char **args)
{
    if (nkeys < 0 || nargs < 0 || nkeys + nargs > MCP__REDIS_MAX_ARGS - 3)
        return NULL;
    size_t size = 0;
    for (int i = 0; i < nkeys; i++)
        size += strlen(keys[i]) + 1;
    for (int i = 0; i < nargs; i++)
        size += strlen(args[i]) + 1;
    redis_op *op = malloc(sizeof *op + size);
    if (!op)
        return NULL;
    const char *copies[MCP__REDIS_MAX_ARGS];
    char *at = op->text;
    for (int i = 0; i < nkeys + nargs; i++) {
        const char *from = i < nkeys ? keys[i] : args[i - nkeys];
        size_t len = strlen(from) + 1;
        memcpy(at, from, len);
        copies[i] = at;
        at += len;
    }
    op->next = NULL;
    op->script = script;
    mcp__redis_eval_cmd(&op->cmd, op->nk, script, nkeys, copies, nargs, copies + nkeys);
    return op;
}

int mcp__redis_eval_async(redis_store *rs, mcp__redis_script *script, int nkeys, const char **keys, int nargs,
                          const char **args, mcp__redis_done done, void *ctx)
{
    if (nkeys < 0 || nargs < 0 || nkeys + nargs > MCP__REDIS_MAX_ARGS - 3)
        return -MCP_EINVAL;
    redis_op *op = op_new(script, nkeys, keys, nargs, args);
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
        if (pthread_create(&rs->pipe_thread, NULL, pipe_main, rs) != 0) {
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
    bool wake = rs->pipe_idle;     /* a busy thread finds it when its batch is done */
    pthread_mutex_unlock(&rs->pipe_lock);
    if (wake)
        pthread_cond_signal(&rs->pipe_ready);
    return 0;
}

void mcp__redis_pipe_stop(redis_store *rs)
{
    pthread_mutex_lock(&rs->pipe_lock);
    rs->pipe_stopping = true;
    bool started = rs->pipe_started;
    pthread_mutex_unlock(&rs->pipe_lock);
    pthread_cond_signal(&rs->pipe_ready);
    if (started)
        pthread_join(rs->pipe_thread, NULL);
}
