/* The Redis store's connection pool: MCP__REDIS_POOL_SIZE connections
 * (redis_conn.c) dialled on demand, a dead one (Redis restarted, an idle
 * timeout) noticed before use and redialled, exponential backoff while
 * Redis is unreachable so calls fail fast with -MCP_EIO; n commands sent as
 * one pipeline (one round trip); Lua scripts by EVALSHA with EVAL when
 * Redis answers NOSCRIPT. No I/O under the pool lock. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <mcp/error.h>

#include "store/redis_internal.h"

#define BACKOFF_MAX_MS 2000

typedef mcp__redis_store redis_store;
typedef mcp__redis_cmd cmd;
typedef mcp__redis_slot conn_slot;

static int dial(redis_store *rs, unsigned command_timeout_ms, mcp__redis_conn **out)
{
    char err[256];
    return mcp__redis_dial(&rs->cfg, command_timeout_ms, out, err, sizeof err);
}

/* Take a connection, dialling if needed; NULL (fast) while backing off. */
conn_slot *mcp__redis_acquire(redis_store *rs)
{
    pthread_mutex_lock(&rs->lock);
    conn_slot *slot = NULL;
    while (!slot) {
        for (int i = 0; i < MCP__REDIS_POOL_SIZE && !slot; i++)
            if (!rs->slots[i].busy)
                slot = &rs->slots[i];
        if (!slot)
            pthread_cond_wait(&rs->freed, &rs->lock);
    }
    slot->busy = true;
    bool may_dial = mcp__now_ms() >= rs->retry_at_ms;
    pthread_mutex_unlock(&rs->lock);
    if (slot->conn && !mcp__redis_alive(slot->conn)) {
        mcp__redis_close(slot->conn);
        slot->conn = NULL;
    }
    if (!slot->conn && may_dial)
        dial(rs, rs->cfg.command_timeout_ms, &slot->conn);
    if (!slot->conn) {
        pthread_mutex_lock(&rs->lock);
        if (may_dial) {
            rs->backoff_ms = rs->backoff_ms ? (rs->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : rs->backoff_ms * 2) : 50;
            rs->retry_at_ms = mcp__now_ms() + rs->backoff_ms;
        }
        slot->busy = false;
        pthread_cond_signal(&rs->freed);
        pthread_mutex_unlock(&rs->lock);
        atomic_store(&rs->healthy, false);
        return NULL;
    }
    return slot;
}

/* Return a connection; a broken one is dropped so the next use redials. */
void mcp__redis_release(redis_store *rs, conn_slot *slot, bool ok)
{
    mcp__redis_conn *drop = NULL;
    pthread_mutex_lock(&rs->lock);
    if (!ok || !mcp__redis_ok(slot->conn)) {
        drop = slot->conn;
        slot->conn = NULL;
        rs->backoff_ms = rs->backoff_ms ? rs->backoff_ms : 50;
        rs->retry_at_ms = mcp__now_ms() + rs->backoff_ms;
    } else {
        rs->backoff_ms = 0;
        rs->retry_at_ms = 0;
    }
    slot->busy = false;
    pthread_cond_signal(&rs->freed);
    pthread_mutex_unlock(&rs->lock);
    mcp__redis_close(drop);      /* its SSL_shutdown is I/O: outside the lock */
    atomic_store(&rs->healthy, ok);
}

void mcp__redis_cmd_init(cmd *c, int argc, ...)
{
    va_list ap;
    va_start(ap, argc);
    c->argc = argc;
    for (int i = 0; i < argc; i++) {
        c->argv[i] = va_arg(ap, const char *);
        c->len[i] = strlen(c->argv[i]);
    }
    va_end(ap);
}

static bool is_noscript(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0;
}

/* Send n commands and collect their n replies (error replies included):
 * 0, or -MCP_EIO (replies all NULL) when Redis cannot be reached. */
static int run_keep(redis_store *rs, cmd *cmds, int n, redisReply **replies)
{
    for (int i = 0; i < n; i++)
        replies[i] = NULL;
    conn_slot *slot = mcp__redis_acquire(rs);
    if (!slot)
        return -MCP_EIO;
    bool ok = true;
    for (int i = 0; i < n && ok; i++)
        ok = mcp__redis_append(slot->conn, cmds[i].argc, cmds[i].argv, cmds[i].len) == 0;
    for (int i = 0; i < n && ok; i++)
        ok = mcp__redis_read(slot->conn, &replies[i]) == 0;
    /* An error reply leaves the connection usable, but most (NOAUTH,
     * LOADING, READONLY, ...) mean this Redis is not fit to serve: count
     * them as unhealthy and redial; an expected NOSCRIPT is neither. */
    bool healthy = ok;
    for (int i = 0; i < n && healthy; i++)
        if (replies[i]->type == REDIS_REPLY_ERROR && !is_noscript(replies[i]))
            healthy = false;
    mcp__redis_release(rs, slot, healthy);
    if (!ok) {
        mcp__redis_free_replies(replies, n);
        for (int i = 0; i < n; i++)
            replies[i] = NULL;
        return -MCP_EIO;
    }
    return 0;
}

int mcp__redis_run(redis_store *rs, cmd *cmds, int n, redisReply **replies)
{
    int rc = run_keep(rs, cmds, n, replies);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        if (replies[i]->type == REDIS_REPLY_ERROR) {
            mcp__redis_free_replies(replies, n);
            for (int k = 0; k < n; k++)
                replies[k] = NULL;
            return -MCP_EIO;
        }
    }
    return 0;
}

void mcp__redis_free_replies(redisReply **r, int n)
{
    for (int i = 0; i < n; i++)
        if (r[i])
            freeReplyObject(r[i]);
}

void mcp__redis_key(char *out, size_t len, const char *sid, const char *suffix)
{
    snprintf(out, len, "mcp:{%s}:%s", sid, suffix);
}

/* ---------------- scripts ---------------- */

static pthread_mutex_t script_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *script_sha1(mcp__redis_script *s)
{
    if (!__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&script_lock);
        if (!__atomic_load_n(&s->ready, __ATOMIC_RELAXED)) {
            unsigned char md[EVP_MAX_MD_SIZE];
            unsigned mdlen = 0;
            EVP_Digest(s->source, strlen(s->source), md, &mdlen, EVP_sha1(), NULL);
            for (unsigned i = 0; i < mdlen && i < 20; i++)
                snprintf(s->sha1 + 2 * i, 3, "%02x", md[i]);
            __atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&script_lock);
    }
    return s->sha1;
}

static int eval_cmd(cmd *c, char nk[12], mcp__redis_script *script, int nkeys, const char **keys, int nargs,
                    const char **args)
{
    if (nkeys < 0 || nargs < 0 || nkeys + nargs > MCP__REDIS_MAX_ARGS - 3)
        return -MCP_EINVAL;
    snprintf(nk, 12, "%d", nkeys);
    c->argc = 3 + nkeys + nargs;
    c->argv[0] = "EVALSHA";
    c->argv[1] = script_sha1(script);
    c->argv[2] = nk;
    for (int i = 0; i < nkeys; i++)
        c->argv[3 + i] = keys[i];
    for (int i = 0; i < nargs; i++)
        c->argv[3 + nkeys + i] = args[i];
    for (int i = 0; i < c->argc; i++)
        c->len[i] = strlen(c->argv[i]);
    return 0;
}

static void eval_source(cmd *c, const mcp__redis_script *script)
{
    c->argv[0] = "EVAL";
    c->argv[1] = script->source;
    c->len[0] = 4;
    c->len[1] = strlen(script->source);
}

int mcp__redis_eval(redis_store *rs, mcp__redis_script *script, int nkeys, const char **keys, int nargs,
                    const char **args, redisReply **reply)
{
    *reply = NULL;
    char nk[12];
    cmd c;
    if (eval_cmd(&c, nk, script, nkeys, keys, nargs, args) < 0)
        return -MCP_EINVAL;
    int rc = run_keep(rs, &c, 1, reply);
    if (rc == 0 && is_noscript(*reply)) {       /* Redis restarted or flushed: send the source (it caches it) */
        freeReplyObject(*reply);
        eval_source(&c, script);
        rc = run_keep(rs, &c, 1, reply);
    }
    if (rc == 0 && (*reply)->type == REDIS_REPLY_ERROR) {
        freeReplyObject(*reply);
        *reply = NULL;
        rc = -MCP_EIO;
    }
    return rc;
}

void mcp__redis_pool_close(redis_store *rs)
{
    for (int i = 0; i < MCP__REDIS_POOL_SIZE; i++) {
        mcp__redis_close(rs->slots[i].conn);
        rs->slots[i].conn = NULL;
    }
}
