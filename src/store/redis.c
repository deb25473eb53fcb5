/* Redis backend of the store: a small pool of synchronous hiredis
 * connections with connect and command timeouts, reconnecting with
 * exponential backoff (while Redis is down, calls fail fast with -MCP_EIO
 * instead of waiting), and one subscriber thread on the "mcp:bus" channel
 * for messages between instances. Key layout, one hash tag per session so
 * it also works on Redis Cluster:
 *   mcp:{sid}:s  hash   session record (v, c, i, l; optional u subject, r subscriptions)
 *   mcp:{sid}:a  hash   application state
 *   mcp:{sid}:n  string SSE stream counter
 *   mcp:{sid}:e:N list  "<seq> <frame>" events of stream N (bounded) */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/socket.h>

#include <hiredis/hiredis.h>

#include <mcp/error.h>

#include "store/store.h"

#define POOL_SIZE 4
#define CONNECT_TIMEOUT_MS 500
#define COMMAND_TIMEOUT_MS 1000
#define BACKOFF_MAX_MS 2000

typedef struct conn_slot {
    redisContext *ctx;
    bool busy;
} conn_slot;

typedef struct redis_store {
    mcp_store base;
    char host[256];
    int port;
    int db;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    conn_slot slots[POOL_SIZE];
    uint64_t retry_at_ms;         /* no reconnect attempts before this */
    unsigned backoff_ms;
    atomic_bool healthy;
    /* subscriber */
    pthread_t sub_thread;
    bool sub_started;
    atomic_bool stopping;
    store_message_fn on_message;
    void *on_message_ctx;
} redis_store;

static struct timeval ms_to_tv(unsigned ms)
{
    struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
    return tv;
}

static redisContext *dial(redis_store *rs, unsigned command_timeout_ms)
{
    redisContext *c = redisConnectWithTimeout(rs->host, rs->port, ms_to_tv(CONNECT_TIMEOUT_MS));
    if (!c || c->err) {
        if (c)
            redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, ms_to_tv(command_timeout_ms));
    if (rs->db != 0) {
        redisReply *r = redisCommand(c, "SELECT %d", rs->db);
        bool ok = r && r->type == REDIS_REPLY_STATUS;
        if (r)
            freeReplyObject(r);
        if (!ok) {
            redisFree(c);
            return NULL;
        }
    }
    return c;
}

/* A pooled connection the server has closed (Redis restarted, an idle
 * timeout, a failover) has its end-of-stream waiting: peek for it without
 * blocking, so the command goes out on a fresh connection instead of
 * failing on the stale one. Nothing else is ever pending between commands. */
static bool still_open(const redisContext *c)
{
    char byte;
    ssize_t n = recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* Take a connection, dialling if needed; NULL (fast) while backing off. */
static conn_slot *acquire(redis_store *rs)
{
    pthread_mutex_lock(&rs->lock);
    conn_slot *slot = NULL;
    while (!slot) {
        for (int i = 0; i < POOL_SIZE && !slot; i++)
            if (!rs->slots[i].busy)
                slot = &rs->slots[i];
        if (!slot)
            pthread_cond_wait(&rs->freed, &rs->lock);
    }
    slot->busy = true;
    bool may_dial = mcp__now_ms() >= rs->retry_at_ms;
    pthread_mutex_unlock(&rs->lock);
    if (slot->ctx && !still_open(slot->ctx)) {
        redisFree(slot->ctx);
        slot->ctx = NULL;
    }
    if (!slot->ctx && may_dial)
        slot->ctx = dial(rs, COMMAND_TIMEOUT_MS);
    if (!slot->ctx) {
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
static void release(redis_store *rs, conn_slot *slot, bool ok)
{
    pthread_mutex_lock(&rs->lock);
    if (!ok || slot->ctx->err) {
        redisFree(slot->ctx);
        slot->ctx = NULL;
        rs->backoff_ms = rs->backoff_ms ? rs->backoff_ms : 50;
        rs->retry_at_ms = mcp__now_ms() + rs->backoff_ms;
    } else {
        rs->backoff_ms = 0;
        rs->retry_at_ms = 0;
    }
    slot->busy = false;
    pthread_cond_signal(&rs->freed);
    pthread_mutex_unlock(&rs->lock);
    atomic_store(&rs->healthy, ok);
}

/* Run n pipelined commands (argv arrays); replies[i] receive the results
 * (caller frees). -MCP_EIO when Redis cannot be reached or answers an error. */
typedef struct cmd {
    int argc;
    const char *argv[8];
    size_t len[8];
} cmd;

static void cmd_init(cmd *c, int argc, ...)
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

static int run(redis_store *rs, cmd *cmds, int n, redisReply **replies)
{
    conn_slot *slot = acquire(rs);
    if (!slot)
        return -MCP_EIO;
    for (int i = 0; i < n; i++)
        redisAppendCommandArgv(slot->ctx, cmds[i].argc, cmds[i].argv, cmds[i].len);
    bool ok = true;
    for (int i = 0; i < n; i++) {
        void *r = NULL;
        if (redisGetReply(slot->ctx, &r) != REDIS_OK || !r) {
            ok = false;
            replies[i] = NULL;
            for (int k = i + 1; k < n; k++)
                replies[k] = NULL;
            break;
        }
        replies[i] = r;
        if (replies[i]->type == REDIS_REPLY_ERROR)
            ok = false;
    }
    release(rs, slot, ok);
    if (!ok) {
        for (int i = 0; i < n; i++)
            if (replies[i])
                freeReplyObject(replies[i]);
        return -MCP_EIO;
    }
    return 0;
}

static void free_replies(redisReply **r, int n)
{
    for (int i = 0; i < n; i++)
        if (r[i])
            freeReplyObject(r[i]);
}

static void key(char *out, size_t len, const char *sid, const char *suffix)
{
    snprintf(out, len, "mcp:{%s}:%s", sid, suffix);
}

/* ---------------- session records ---------------- */

static int r_session_save(mcp_store *st, const char *sid, const session_record *r, unsigned ttl_ms)
{
    redis_store *rs = (redis_store *)st;
    char k[128], ttl[24], lvl[16];
    key(k, sizeof k, sid, "s");
    snprintf(ttl, sizeof ttl, "%u", ttl_ms);
    snprintf(lvl, sizeof lvl, "%d", r->log_level);
    cmd c[2];
    cmd_init(&c[0], 8, "HSET", k, "v", r->version ? r->version : "", "c", r->client_caps ? r->client_caps : "{}", "l", lvl);
    cmd_init(&c[1], 3, "PEXPIRE", k, ttl);
    /* Optional fields go as further HSETs in the same pipeline. */
    cmd all[5];
    int n = 0;
    all[n++] = c[0];
    if (r->client_info)
        cmd_init(&all[n++], 4, "HSET", k, "i", r->client_info);
    if (r->subject)
        cmd_init(&all[n++], 4, "HSET", k, "u", r->subject);
    if (r->subscriptions)
        cmd_init(&all[n++], 4, "HSET", k, "r", r->subscriptions);
    all[n++] = c[1];
    redisReply *rep[5];
    int rc = run(rs, all, n, rep);
    if (rc == 0)
        free_replies(rep, n);
    return rc;
}

static int touch_all(redis_store *rs, const char *sid, unsigned ttl_ms, redisReply **first)
{
    char ks[128], ka[128], kn[128], ttl[24];
    key(ks, sizeof ks, sid, "s");
    key(ka, sizeof ka, sid, "a");
    key(kn, sizeof kn, sid, "n");
    snprintf(ttl, sizeof ttl, "%u", ttl_ms);
    cmd c[3];
    cmd_init(&c[0], 3, "PEXPIRE", ks, ttl);
    cmd_init(&c[1], 3, "PEXPIRE", ka, ttl);
    cmd_init(&c[2], 3, "PEXPIRE", kn, ttl);
    redisReply *rep[3];
    int rc = run(rs, c, 3, rep);
    if (rc < 0)
        return rc;
    bool exists = rep[0]->type == REDIS_REPLY_INTEGER && rep[0]->integer == 1;
    free_replies(rep, 3);
    (void)first;
    return exists ? 0 : -MCP_ENOTFOUND;
}

static int r_session_touch(mcp_store *st, const char *sid, unsigned ttl_ms)
{
    return touch_all((redis_store *)st, sid, ttl_ms, NULL);
}

static char *field(const redisReply *arr, const char *name)
{
    for (size_t i = 0; i + 1 < arr->elements; i += 2)
        if (arr->element[i]->type == REDIS_REPLY_STRING && strcmp(arr->element[i]->str, name) == 0 &&
            arr->element[i + 1]->type == REDIS_REPLY_STRING)
            return strdup(arr->element[i + 1]->str);
    return NULL;
}

static int r_session_load(mcp_store *st, const char *sid, session_record *out, unsigned ttl_ms)
{
    redis_store *rs = (redis_store *)st;
    char k[128];
    key(k, sizeof k, sid, "s");
    cmd c;
    cmd_init(&c, 2, "HGETALL", k);
    redisReply *rep;
    int rc = run(rs, &c, 1, &rep);
    if (rc < 0)
        return rc;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements == 0) {
        freeReplyObject(rep);
        return -MCP_ENOTFOUND;
    }
    out->version = field(rep, "v");
    out->client_caps = field(rep, "c");
    out->client_info = field(rep, "i");
    out->subject = field(rep, "u");
    out->subscriptions = field(rep, "r");   /* absent in records written before it existed */
    char *lvl = field(rep, "l");
    out->log_level = lvl ? atoi(lvl) : -1;
    free(lvl);
    freeReplyObject(rep);
    rc = touch_all(rs, sid, ttl_ms, NULL);
    return rc == -MCP_ENOTFOUND ? -MCP_ENOTFOUND : rc;
}

static int r_session_delete(mcp_store *st, const char *sid)
{
    redis_store *rs = (redis_store *)st;
    char ks[128], ka[128], kn[128];
    key(ks, sizeof ks, sid, "s");
    key(ka, sizeof ka, sid, "a");
    key(kn, sizeof kn, sid, "n");
    cmd c;
    cmd_init(&c, 4, "DEL", ks, ka, kn);
    redisReply *rep;
    int rc = run(rs, &c, 1, &rep);
    if (rc == 0)
        freeReplyObject(rep);
    return rc;
}

/* ---------------- application state ---------------- */

static int r_state_get(mcp_store *st, const char *sid, const char *name, char **out)
{
    char k[128];
    key(k, sizeof k, sid, "a");
    cmd c;
    cmd_init(&c, 3, "HGET", k, name);
    redisReply *rep;
    int rc = run((redis_store *)st, &c, 1, &rep);
    if (rc < 0)
        return rc;
    *out = rep->type == REDIS_REPLY_STRING ? strdup(rep->str) : NULL;
    rc = rep->type == REDIS_REPLY_STRING ? (*out ? 0 : -MCP_ENOMEM) : -MCP_ENOTFOUND;
    freeReplyObject(rep);
    return rc;
}

static int r_state_set(mcp_store *st, const char *sid, const char *name, const char *value)
{
    char k[128];
    key(k, sizeof k, sid, "a");
    cmd c;
    cmd_init(&c, 4, "HSET", k, name, value);
    redisReply *rep;
    int rc = run((redis_store *)st, &c, 1, &rep);
    if (rc == 0)
        freeReplyObject(rep);
    return rc;
}

static int r_state_incr(mcp_store *st, const char *sid, const char *name, int64_t delta, int64_t *out)
{
    char k[128], d[32];
    key(k, sizeof k, sid, "a");
    snprintf(d, sizeof d, "%" PRId64, delta);
    cmd c;
    cmd_init(&c, 4, "HINCRBY", k, name, d);   /* atomic across instances */
    redisReply *rep;
    int rc = run((redis_store *)st, &c, 1, &rep);
    if (rc < 0)
        return rc;
    if (out)
        *out = rep->integer;
    freeReplyObject(rep);
    return 0;
}

/* ---------------- SSE events ---------------- */

static int r_stream_next(mcp_store *st, const char *sid, unsigned *no)
{
    char k[128];
    key(k, sizeof k, sid, "n");
    cmd c;
    cmd_init(&c, 2, "INCR", k);
    redisReply *rep;
    int rc = run((redis_store *)st, &c, 1, &rep);
    if (rc < 0)
        return rc;
    *no = (unsigned)rep->integer;
    freeReplyObject(rep);
    return 0;
}

static int r_event_append(mcp_store *st, const char *sid, unsigned no, uint64_t seq, const char *frame,
                          size_t len, unsigned retention, unsigned ttl_ms)
{
    char k[128], suffix[32], keep[24], ttl[24];
    snprintf(suffix, sizeof suffix, "e:%u", no);
    key(k, sizeof k, sid, suffix);
    snprintf(keep, sizeof keep, "-%u", retention ? retention : 1);
    snprintf(ttl, sizeof ttl, "%u", ttl_ms);
    strbuf item = {0};
    mcp__strbuf_printf(&item, "%" PRIu64 " ", seq);
    mcp__strbuf_append(&item, frame, len);
    if (!item.data)
        return -MCP_ENOMEM;
    cmd c[3];
    cmd_init(&c[0], 3, "RPUSH", k, item.data);
    c[0].len[2] = item.len;
    cmd_init(&c[1], 4, "LTRIM", k, keep, "-1");
    cmd_init(&c[2], 3, "PEXPIRE", k, ttl);
    redisReply *rep[3];
    int rc = run((redis_store *)st, c, 3, rep);
    if (rc == 0)
        free_replies(rep, 3);
    mcp__strbuf_free(&item);
    return rc;
}

static int r_event_replay(mcp_store *st, const char *sid, unsigned no, uint64_t after, strbuf *out)
{
    char k[128], suffix[32];
    snprintf(suffix, sizeof suffix, "e:%u", no);
    key(k, sizeof k, sid, suffix);
    cmd c;
    cmd_init(&c, 4, "LRANGE", k, "0", "-1");
    redisReply *rep;
    int rc = run((redis_store *)st, &c, 1, &rep);
    if (rc < 0)
        return rc;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements == 0) {
        freeReplyObject(rep);
        return -MCP_ENOTFOUND;
    }
    for (size_t i = 0; i < rep->elements; i++) {
        const redisReply *e = rep->element[i];
        char *space = e->type == REDIS_REPLY_STRING ? memchr(e->str, ' ', e->len) : NULL;
        if (!space)
            continue;
        uint64_t seq = strtoull(e->str, NULL, 10);
        if (seq > after)
            mcp__strbuf_append(out, space + 1, e->len - (size_t)(space + 1 - e->str));
    }
    freeReplyObject(rep);
    return 0;
}

/* ---------------- messages between instances ---------------- */

static int r_publish(mcp_store *st, const char *kind, const char *sid, const char *payload)
{
    strbuf msg = {0};
    mcp__strbuf_printf(&msg, "%s %s %s", kind, sid, payload ? payload : "");
    if (!msg.data)
        return -MCP_ENOMEM;
    cmd c;
    cmd_init(&c, 3, "PUBLISH", "mcp:bus", msg.data);
    c.len[2] = msg.len;
    redisReply *rep;
    int rc = run((redis_store *)st, &c, 1, &rep);
    if (rc == 0)
        freeReplyObject(rep);
    mcp__strbuf_free(&msg);
    return rc;
}

static void deliver(redis_store *rs, const redisReply *r)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[2]->type != REDIS_REPLY_STRING)
        return;
    char *text = strndup(r->element[2]->str, r->element[2]->len);
    if (!text)
        return;
    char *sid = strchr(text, ' ');
    if (sid) {
        *sid++ = '\0';
        char *payload = strchr(sid, ' ');
        if (payload)
            *payload++ = '\0';
        if (rs->on_message)
            rs->on_message(rs->on_message_ctx, text, sid, payload ? payload : "");
    }
    free(text);
}

static void *subscriber(void *arg)
{
    redis_store *rs = arg;
    unsigned backoff = 50;
    while (!atomic_load(&rs->stopping)) {
        redisContext *c = dial(rs, 500);    /* short reads so stopping is noticed */
        redisReply *r = c ? redisCommand(c, "SUBSCRIBE mcp:bus") : NULL;
        if (r)
            freeReplyObject(r);
        while (r && !atomic_load(&rs->stopping)) {
            void *msg = NULL;
            if (redisGetReply(c, &msg) != REDIS_OK) {
                if (c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                    c->err = 0;              /* read timeout: poll again */
                    continue;
                }
                break;
            }
            backoff = 50;
            deliver(rs, msg);
            freeReplyObject(msg);
        }
        if (c)
            redisFree(c);
        for (unsigned waited = 0; waited < backoff && !atomic_load(&rs->stopping); waited += 50) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    return NULL;
}

static void r_set_listener(mcp_store *st, store_message_fn fn, void *ctx)
{
    redis_store *rs = (redis_store *)st;
    rs->on_message = fn;
    rs->on_message_ctx = ctx;
    if (!rs->sub_started && fn)
        rs->sub_started = pthread_create(&rs->sub_thread, NULL, subscriber, rs) == 0;
}

static void r_free(mcp_store *st)
{
    redis_store *rs = (redis_store *)st;
    atomic_store(&rs->stopping, true);
    if (rs->sub_started)
        pthread_join(rs->sub_thread, NULL);
    for (int i = 0; i < POOL_SIZE; i++)
        if (rs->slots[i].ctx)
            redisFree(rs->slots[i].ctx);
    pthread_mutex_destroy(&rs->lock);
    pthread_cond_destroy(&rs->freed);
    free(rs);
}

static bool r_probe(mcp_store *st)
{
    redis_store *rs = (redis_store *)st;
    /* Probe every time: health must reflect Redis now, not the last
     * request that happened to need it. */
    cmd c;
    cmd_init(&c, 1, "PING");
    redisReply *rep;
    if (run(rs, &c, 1, &rep) == 0)
        freeReplyObject(rep);
    return atomic_load(&rs->healthy);
}

static const store_ops redis_ops = {
    r_session_save, r_session_load, r_session_touch, r_session_delete,
    r_state_get, r_state_set, r_state_incr,
    r_stream_next, r_event_append, r_event_replay,
    r_publish, r_set_listener, r_probe, r_free,
};

static int parse_url(redis_store *rs, const char *url)
{
    const char *p = url;
    if (strncmp(p, "redis://", 8) != 0)
        return -MCP_EINVAL;
    p += 8;
    const char *at = strchr(p, '@');
    if (at)
        p = at + 1;   /* credentials are not supported; ignore user part */
    size_t hlen = strcspn(p, ":/");
    if (hlen == 0 || hlen >= sizeof rs->host)
        return -MCP_EINVAL;
    memcpy(rs->host, p, hlen);
    rs->host[hlen] = '\0';
    p += hlen;
    rs->port = 6379;
    if (*p == ':') {
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (port <= 0 || port > 65535)
            return -MCP_EINVAL;
        rs->port = (int)port;
        p = end;
    }
    if (*p == '/' && p[1]) {
        char *end;
        rs->db = (int)strtol(p + 1, &end, 10);
        if (*end)
            return -MCP_EINVAL;
    }
    return 0;
}

int mcp_store_redis_open(const char *url, mcp_store **out)
{
    redis_store *rs = calloc(1, sizeof *rs);
    if (!rs)
        return -MCP_ENOMEM;
    if (!url || parse_url(rs, url) < 0) {
        free(rs);
        return -MCP_EINVAL;
    }
    rs->base.ops = &redis_ops;
    pthread_mutex_init(&rs->lock, NULL);
    pthread_cond_init(&rs->freed, NULL);
    atomic_init(&rs->healthy, true);
    *out = &rs->base;
    return 0;
}
