/* Redis backend of the store: the store ops over the connection pool
 * (redis_pool.c; connections plain or TLS, authenticated: redis_conn.c),
 * and one subscriber thread on the "mcp:bus" channel for messages between
 * instances. A request on a stored
 * session costs one round trip: state changes are Lua scripts that also
 * check that the session exists (the counter's increment without waiting
 * is one plain HINCRBY instead: r_state_incr_async), and the lookup's
 * existence check and TTL refresh run only once per check window (see
 * r_session_check). Key
 * layout (unchanged, so mixed fleets work during a rollout), one hash tag
 * per session so it also works on Redis Cluster:
 *   mcp:{sid}:s  hash   session record (v, c, i, l, u; optional r subscriptions)
 *   mcp:{sid}:a  hash   application state
 *   mcp:{sid}:n  string SSE stream counter
 *   mcp:{sid}:e:N list  "<seq> <frame>" events of stream N (bounded) */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mcp/error.h>

#include "store/redis_internal.h"
#include "store/redis_tasks.h"
#include "store/store.h"
#include "store/redis_limit.h"

#define BACKOFF_MAX_MS 2000
#define SUB_READ_MS 500          /* the subscriber polls for stopping this often */
#define SUB_PING_IDLE_MS 2000    /* a silent bus gets a PING after this ... */
#define SUB_PING_WAIT_MS 2000    /* ... and is redialled when no PONG follows */
#define CHECK_WINDOW_MAX_MS 2000 /* a local session copy is re-checked at least this often */

typedef mcp__redis_store redis_store;
typedef mcp__redis_cmd cmd;

static int dial(redis_store *rs, unsigned command_timeout_ms, mcp__redis_conn **out)
{
    char err[256];
    return mcp__redis_dial(&rs->cfg, command_timeout_ms, out, err, sizeof err);
}

/* ---------------- session records ---------------- */

static int r_session_save(mcp_store *st, const char *sid, const session_record *r, unsigned ttl_ms)
{
    redis_store *rs = (redis_store *)st;
    char k[128], ttl[24], lvl[16];
    mcp__redis_key(k, sizeof k, sid, "s");
    snprintf(ttl, sizeof ttl, "%u", ttl_ms);
    snprintf(lvl, sizeof lvl, "%d", r->log_level);
    cmd c[2];
    mcp__redis_cmd_init(&c[0], 8, "HSET", k, "v", r->version ? r->version : "", "c", r->client_caps ? r->client_caps : "{}", "l", lvl);
    mcp__redis_cmd_init(&c[1], 3, "PEXPIRE", k, ttl);
    /* Optional fields go as further HSETs in the same pipeline. */
    cmd all[5];
    int n = 0;
    all[n++] = c[0];
    if (r->client_info)
        mcp__redis_cmd_init(&all[n++], 4, "HSET", k, "i", r->client_info);
    if (r->subject)
        mcp__redis_cmd_init(&all[n++], 4, "HSET", k, "u", r->subject);
    if (r->subscriptions)
        mcp__redis_cmd_init(&all[n++], 4, "HSET", k, "r", r->subscriptions);
    all[n++] = c[1];
    redisReply *rep[5];
    int rc = mcp__redis_run(rs, all, n, rep);
    if (rc == 0)
        mcp__redis_free_replies(rep, n);
    return rc;
}

/* Refresh the TTLs of a session's keys in one pipeline; -MCP_ENOTFOUND
 * when its record is gone (deleted or expired). */
static int touch_all(redis_store *rs, const char *sid, unsigned ttl_ms)
{
    char ks[128], ka[128], kn[128], ttl[24];
    mcp__redis_key(ks, sizeof ks, sid, "s");
    mcp__redis_key(ka, sizeof ka, sid, "a");
    mcp__redis_key(kn, sizeof kn, sid, "n");
    snprintf(ttl, sizeof ttl, "%u", ttl_ms);
    cmd c[3];
    mcp__redis_cmd_init(&c[0], 3, "PEXPIRE", ks, ttl);
    mcp__redis_cmd_init(&c[1], 3, "PEXPIRE", ka, ttl);
    mcp__redis_cmd_init(&c[2], 3, "PEXPIRE", kn, ttl);
    redisReply *rep[3];
    int rc = mcp__redis_run(rs, c, 3, rep);
    if (rc < 0)
        return rc;
    bool exists = rep[0]->type == REDIS_REPLY_INTEGER && rep[0]->integer == 1;
    mcp__redis_free_replies(rep, 3);
    return exists ? 0 : -MCP_ENOTFOUND;
}

static int r_session_touch(mcp_store *st, const char *sid, unsigned ttl_ms)
{
    return touch_all((redis_store *)st, sid, ttl_ms);
}

/* The lookup of a session this instance holds a copy of. The copy may only
 * be stale if the session was deleted elsewhere (the "del" message on the
 * bus drops it here; "sub" likewise brings changed subscriptions) or
 * expired (impossible while this instance refreshes the TTL more often
 * than it runs out). So the round trip that checks and
 * refreshes is skipped while both hold: the last one is younger than the
 * window (a quarter of the TTL, at most CHECK_WINDOW_MAX_MS), and the bus
 * has been subscribed without a break since it. State changes check the
 * record themselves (the scripts below), so they never act on a deleted
 * session either way. */
static int r_session_check(mcp_store *st, const char *sid, unsigned ttl_ms, _Atomic uint64_t *checked_ms)
{
    redis_store *rs = (redis_store *)st;
    uint64_t now = mcp__now_ms(), last = atomic_load(checked_ms), bus = atomic_load(&rs->bus_since_ms);
    uint64_t window = ttl_ms / 4 < CHECK_WINDOW_MAX_MS ? ttl_ms / 4 : CHECK_WINDOW_MAX_MS;
    if (last && bus && last >= bus && now - last < window)
        return 0;
    int rc = touch_all(rs, sid, ttl_ms);
    if (rc == 0)
        atomic_store(checked_ms, now);
    return rc;
}

static char *field(const redisReply *arr, const char *name)
{
    for (size_t i = 0; i + 1 < arr->elements; i += 2)
        if (arr->element[i]->type == REDIS_REPLY_STRING && strcmp(arr->element[i]->str, name) == 0 &&
            arr->element[i + 1]->type == REDIS_REPLY_STRING)
            return strdup(arr->element[i + 1]->str);
    return NULL;
}

/* Read the record and refresh the TTLs in one pipeline. */
static int r_session_load(mcp_store *st, const char *sid, session_record *out, unsigned ttl_ms)
{
    redis_store *rs = (redis_store *)st;
    char ks[128], ka[128], kn[128], ttl[24];
    mcp__redis_key(ks, sizeof ks, sid, "s");
    mcp__redis_key(ka, sizeof ka, sid, "a");
    mcp__redis_key(kn, sizeof kn, sid, "n");
    snprintf(ttl, sizeof ttl, "%u", ttl_ms);
    cmd c[4];
    mcp__redis_cmd_init(&c[0], 2, "HGETALL", ks);
    mcp__redis_cmd_init(&c[1], 3, "PEXPIRE", ks, ttl);
    mcp__redis_cmd_init(&c[2], 3, "PEXPIRE", ka, ttl);
    mcp__redis_cmd_init(&c[3], 3, "PEXPIRE", kn, ttl);
    redisReply *rep[4];
    int rc = mcp__redis_run(rs, c, 4, rep);
    if (rc < 0)
        return rc;
    const redisReply *h = rep[0];
    if (h->type != REDIS_REPLY_ARRAY || h->elements == 0 || rep[1]->type != REDIS_REPLY_INTEGER || rep[1]->integer != 1) {
        mcp__redis_free_replies(rep, 4);
        return -MCP_ENOTFOUND;
    }
    out->version = field(h, "v");
    out->client_caps = field(h, "c");
    out->client_info = field(h, "i");
    out->subject = field(h, "u");
    out->subscriptions = field(h, "r");   /* absent in records written before it existed */
    char *lvl = field(h, "l");
    out->log_level = lvl ? atoi(lvl) : -1;
    free(lvl);
    mcp__redis_free_replies(rep, 4);
    return 0;
}

static int r_session_delete(mcp_store *st, const char *sid)
{
    redis_store *rs = (redis_store *)st;
    char ks[128], ka[128], kn[128];
    mcp__redis_key(ks, sizeof ks, sid, "s");
    mcp__redis_key(ka, sizeof ka, sid, "a");
    mcp__redis_key(kn, sizeof kn, sid, "n");
    cmd c;
    mcp__redis_cmd_init(&c, 4, "DEL", ks, ka, kn);
    redisReply *rep;
    int rc = mcp__redis_run(rs, &c, 1, &rep);
    if (rc == 0)
        freeReplyObject(rep);
    return rc;
}

/* ---------------- application state ---------------- */

/* State changes: KEYS[1] the session record, KEYS[2] the key to change.
 * Nothing happens when the record is gone (nil reply: -MCP_ENOTFOUND); a
 * key the change creates gets the record's remaining TTL, so it never
 * outlives the session (the next TTL refresh extends both). */
#define TTL_FROM_RECORD \
    "local t = redis.call('PTTL', KEYS[1]) " \
    "if t == -2 then return false end "
#define TTL_FOLLOW \
    "if t > 0 and redis.call('PTTL', KEYS[2]) == -1 then redis.call('PEXPIRE', KEYS[2], t) end "

/* The increment checks the TTL of KEYS[2] only when the field is new (the
 * result equals the delta): a field that was there already lives in a key
 * some change created, and every change gives a key it creates the TTL. */
static mcp__redis_script incr_script = MCP__REDIS_SCRIPT(
    TTL_FROM_RECORD "local v = redis.call('HINCRBY', KEYS[2], ARGV[1], ARGV[2]) "
    "if v == tonumber(ARGV[2]) then " TTL_FOLLOW "end return v");
static mcp__redis_script set_script = MCP__REDIS_SCRIPT(
    TTL_FROM_RECORD "redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) " TTL_FOLLOW "return 1");
static mcp__redis_script next_script = MCP__REDIS_SCRIPT(
    TTL_FROM_RECORD "local v = redis.call('INCR', KEYS[2]) " TTL_FOLLOW "return v");

static int r_state_get(mcp_store *st, const char *sid, const char *name, char **out)
{
    char ks[128], ka[128];
    mcp__redis_key(ks, sizeof ks, sid, "s");
    mcp__redis_key(ka, sizeof ka, sid, "a");
    cmd c[2];
    mcp__redis_cmd_init(&c[0], 2, "EXISTS", ks);
    mcp__redis_cmd_init(&c[1], 3, "HGET", ka, name);
    redisReply *rep[2];
    *out = NULL;
    int rc = mcp__redis_run((redis_store *)st, c, 2, rep);
    if (rc < 0)
        return rc;
    if (rep[0]->type == REDIS_REPLY_INTEGER && rep[0]->integer == 1 && rep[1]->type == REDIS_REPLY_STRING)
        rc = (*out = strndup(rep[1]->str, rep[1]->len)) ? 0 : -MCP_ENOMEM;
    else
        rc = -MCP_ENOTFOUND;
    mcp__redis_free_replies(rep, 2);
    return rc;
}

static int state_script(redis_store *rs, mcp__redis_script *script, const char *sid, const char *suffix,
                        int nargs, const char **args, redisReply **rep)
{
    char ks[128], kx[128];
    mcp__redis_key(ks, sizeof ks, sid, "s");
    mcp__redis_key(kx, sizeof kx, sid, suffix);
    const char *keys[2] = { ks, kx };
    int rc = mcp__redis_eval(rs, script, 2, keys, nargs, args, rep);
    if (rc < 0)
        return rc;
    if ((*rep)->type != REDIS_REPLY_INTEGER) {   /* nil: the session is gone */
        freeReplyObject(*rep);
        *rep = NULL;
        return -MCP_ENOTFOUND;
    }
    return 0;
}

static int r_state_set(mcp_store *st, const char *sid, const char *name, const char *value)
{
    redisReply *rep;
    int rc = state_script((redis_store *)st, &set_script, sid, "a", 2, (const char *[]){ name, value }, &rep);
    if (rc == 0)
        freeReplyObject(rep);
    return rc;
}

static int r_state_incr(mcp_store *st, const char *sid, const char *name, int64_t delta, int64_t *out)
{
    char d[32];
    snprintf(d, sizeof d, "%" PRId64, delta);
    redisReply *rep;   /* HINCRBY inside: atomic across instances */
    int rc = state_script((redis_store *)st, &incr_script, sid, "a", 2, (const char *[]){ name, d }, &rep);
    if (rc < 0)
        return rc;
    if (out)
        *out = rep->integer;
    freeReplyObject(rep);
    return 0;
}

/* state_incr without waiting (redis_pipe.c): one plain HINCRBY, a small
 * fraction of incr_script's time in Redis (EVALSHA costs Redis several
 * times the commands it runs). What the script adds is left to cheaper
 * means: whether the session still exists is what the lookup before the
 * call already checked (once per check window, and the bus drops a session
 * deleted elsewhere at once), so an increment racing a deletion counts in
 * a key that then expires; and a field the increment created (the result
 * equals the delta) may have created the key, which then gets the
 * session's idle TTL by a PEXPIRE sent right after the answer, so no state
 * key outlives its session by more than one TTL. */
typedef struct incr_wait {
    redis_store *rs;
    void (*done)(void *ctx, int rc, int64_t value);
    void *ctx;
    int64_t delta;
    char ttl[24];
    char key[128];
} incr_wait;

static void expire_answered(void *arg, int rc, const redisReply *rep)
{
    /* Lost only when the connection breaks right then: the session's next
     * TTL refresh covers the key, or nothing does if it is never used again. */
    (void)arg; (void)rc; (void)rep;
}

static void incr_answered(void *arg, int rc, const redisReply *rep)
{
    incr_wait *w = arg;
    if (rc == 0 && rep->type != REDIS_REPLY_INTEGER)
        rc = -MCP_EIO;
    if (rc == 0 && rep->integer == w->delta) {    /* a new field: the key may be new too */
        cmd c;
        mcp__redis_cmd_init(&c, 3, "PEXPIRE", w->key, w->ttl);
        mcp__redis_run_async(w->rs, &c, expire_answered, NULL);
    }
    void (*done)(void *, int, int64_t) = w->done;
    void *ctx = w->ctx;
    int64_t value = rc == 0 ? rep->integer : 0;
    free(w);
    done(ctx, rc, value);
}

static int r_state_incr_async(mcp_store *st, const char *sid, const char *name, int64_t delta, unsigned ttl_ms,
                              void (*done)(void *ctx, int rc, int64_t value), void *ctx)
{
    incr_wait *w = malloc(sizeof *w);
    if (!w)
        return -MCP_ENOMEM;
    *w = (incr_wait){ .rs = (redis_store *)st, .done = done, .ctx = ctx, .delta = delta };
    mcp__redis_key(w->key, sizeof w->key, sid, "a");
    snprintf(w->ttl, sizeof w->ttl, "%u", ttl_ms ? ttl_ms : 1);
    char d[32];
    snprintf(d, sizeof d, "%" PRId64, delta);
    cmd c;
    mcp__redis_cmd_init(&c, 4, "HINCRBY", w->key, name, d);
    int rc = mcp__redis_run_async((redis_store *)st, &c, incr_answered, w);
    if (rc < 0)
        free(w);
    return rc;
}

/* ---------------- SSE events ---------------- */

static int r_stream_next(mcp_store *st, const char *sid, unsigned *no)
{
    redisReply *rep;
    int rc = state_script((redis_store *)st, &next_script, sid, "n", 0, NULL, &rep);
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
    mcp__redis_key(k, sizeof k, sid, suffix);
    snprintf(keep, sizeof keep, "-%u", retention ? retention : 1);
    snprintf(ttl, sizeof ttl, "%u", ttl_ms);
    strbuf item = {0};
    mcp__strbuf_printf(&item, "%" PRIu64 " ", seq);
    mcp__strbuf_append(&item, frame, len);
    if (!item.data)
        return -MCP_ENOMEM;
    cmd c[3];
    mcp__redis_cmd_init(&c[0], 3, "RPUSH", k, item.data);
    c[0].len[2] = item.len;
    mcp__redis_cmd_init(&c[1], 4, "LTRIM", k, keep, "-1");
    mcp__redis_cmd_init(&c[2], 3, "PEXPIRE", k, ttl);
    redisReply *rep[3];
    int rc = mcp__redis_run((redis_store *)st, c, 3, rep);
    if (rc == 0)
        mcp__redis_free_replies(rep, 3);
    mcp__strbuf_free(&item);
    return rc;
}

static int r_event_replay(mcp_store *st, const char *sid, unsigned no, uint64_t after, strbuf *out)
{
    char k[128], suffix[32];
    snprintf(suffix, sizeof suffix, "e:%u", no);
    mcp__redis_key(k, sizeof k, sid, suffix);
    cmd c;
    mcp__redis_cmd_init(&c, 4, "LRANGE", k, "0", "-1");
    redisReply *rep;
    int rc = mcp__redis_run((redis_store *)st, &c, 1, &rep);
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
    mcp__redis_cmd_init(&c, 3, "PUBLISH", "mcp:bus", msg.data);
    c.len[2] = msg.len;
    redisReply *rep;
    int rc = mcp__redis_run((redis_store *)st, &c, 1, &rep);
    if (rc == 0)
        freeReplyObject(rep);
    mcp__strbuf_free(&msg);
    return rc;
}

static void deliver(redis_store *rs, const redisReply *r)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[0]->type != REDIS_REPLY_STRING ||
        strcmp(r->element[0]->str, "message") != 0 || r->element[2]->type != REDIS_REPLY_STRING)
        return;                              /* a PONG, or a subscribe confirmation */
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

/* SUBSCRIBE on a fresh connection: true once Redis confirmed it. */
static bool subscribe(mcp__redis_conn *c)
{
    const char *argv[2] = { "SUBSCRIBE", "mcp:bus" };
    size_t len[2] = { 9, 7 };
    if (mcp__redis_append(c, 2, argv, len) < 0)
        return false;
    for (int tries = 0; tries < 4; tries++) {      /* bounded: 4 read timeouts */
        redisReply *r = NULL;
        int rc = mcp__redis_read(c, &r);
        if (rc == -MCP_ETIMEDOUT)
            continue;
        bool ok = rc == 0 && r->type == REDIS_REPLY_ARRAY;
        if (r)
            freeReplyObject(r);
        return ok;
    }
    return false;
}

/* Read the bus until it breaks or the store stops. A bus silent for
 * SUB_PING_IDLE_MS gets a PING; no answer within SUB_PING_WAIT_MS means a
 * dead connection (a peer that vanished without a FIN), so redial. */
static void listen_bus(redis_store *rs, mcp__redis_conn *c)
{
    uint64_t last_rx = mcp__now_ms(), ping_at = 0;
    while (!atomic_load(&rs->stopping)) {
        redisReply *msg = NULL;
        int rc = mcp__redis_read(c, &msg);
        uint64_t now = mcp__now_ms();
        if (rc == -MCP_ETIMEDOUT) {
            if (ping_at && now - ping_at > SUB_PING_WAIT_MS)
                return;
            if (!ping_at && now - last_rx > SUB_PING_IDLE_MS) {
                const char *argv[1] = { "PING" };
                size_t len[1] = { 4 };
                if (mcp__redis_append(c, 1, argv, len) < 0)
                    return;
                ping_at = now;           /* sent by the next read */
            }
            continue;
        }
        if (rc < 0)
            return;
        last_rx = now;
        ping_at = 0;
        deliver(rs, msg);
        freeReplyObject(msg);
    }
}

static void *subscriber(void *arg)
{
    redis_store *rs = arg;
    unsigned backoff = 50;
    while (!atomic_load(&rs->stopping)) {
        mcp__redis_conn *c = NULL;
        if (dial(rs, SUB_READ_MS, &c) == 0 && subscribe(c)) {   /* short reads so stopping is noticed */
            uint64_t since = mcp__now_ms();
            atomic_store(&rs->bus_since_ms, since ? since : 1);
            backoff = 50;
            listen_bus(rs, c);
            /* Messages may be lost from here on: copies checked before are
             * no longer vouched for (r_session_check). */
            atomic_store(&rs->bus_since_ms, 0);
        }
        mcp__redis_close(c);
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
    mcp__redis_pipe_stop(rs);      /* sends what is queued: those calls still get their answer */
    atomic_store(&rs->stopping, true);
    if (rs->sub_started)
        pthread_join(rs->sub_thread, NULL);
    mcp__redis_pool_close(rs);
    mcp__redis_config_clear(&rs->cfg);
    pthread_mutex_destroy(&rs->lock);
    pthread_cond_destroy(&rs->freed);
    pthread_mutex_destroy(&rs->pipe_lock);
    pthread_cond_destroy(&rs->pipe_ready);
    free(rs);
}

static bool r_probe(mcp_store *st)
{
    redis_store *rs = (redis_store *)st;
    /* Probe every time: health must reflect Redis now, not the last
     * request that happened to need it. */
    cmd c;
    mcp__redis_cmd_init(&c, 1, "PING");
    redisReply *rep;
    if (mcp__redis_run(rs, &c, 1, &rep) == 0)
        freeReplyObject(rep);
    return atomic_load(&rs->healthy);
}

/* store_ops.limit_take: the shared rate-limit bucket (redis_limit.c). */
static int r_limit_take(mcp_store *st, const char *principal, double rate, unsigned burst, uint64_t *retry_ms)
{
    return mcp__redis_limit_take((redis_store *)st, principal, rate, burst, retry_ms);
}

static const store_ops redis_ops = {
    .session_save = r_session_save,
    .session_load = r_session_load,
    .session_touch = r_session_touch,
    .session_check = r_session_check,
    .session_delete = r_session_delete,
    .state_get = r_state_get,
    .state_set = r_state_set,
    .state_incr = r_state_incr,
    .state_incr_async = r_state_incr_async,
    .stream_next = r_stream_next,
    .event_append = r_event_append,
    .event_replay = r_event_replay,
    .publish = r_publish,
    .set_listener = r_set_listener,
    .probe = r_probe,
    .free = r_free,
    .limit_take = r_limit_take,
};

int mcp_store_redis_open_opts(const char *url, const mcp_store_redis_options *opts, mcp_store **out, char *err,
                              size_t errlen)
{
    char scratch[256];
    if (!err || !errlen) {
        err = scratch;
        errlen = sizeof scratch;
    }
    err[0] = '\0';
    *out = NULL;
    redis_store *rs = calloc(1, sizeof *rs);
    if (!rs)
        return -MCP_ENOMEM;
    int rc = mcp__redis_config_parse(&rs->cfg, url, opts, err, errlen);
    if (rc < 0) {
        free(rs);
        return rc;
    }
    /* One connection now: a refusal (password, certificate) is a
     * configuration error to report at start; an unreachable Redis is not
     * (the store connects when it comes). */
    mcp__redis_conn *first = NULL;
    rc = mcp__redis_dial(&rs->cfg, rs->cfg.command_timeout_ms, &first, err, errlen);
    if (rc == -MCP_EINVAL || rc == -MCP_ENOMEM) {
        mcp__redis_config_clear(&rs->cfg);
        free(rs);
        return rc == -MCP_EINVAL ? -MCP_EIO : rc;   /* refused: not a malformed URL */
    }
    rs->base.ops = &redis_ops;
    rs->base.tasks_open = mcp__redis_tasks_open;   /* task records (redis_tasks.c) */
    rs->slots[0].conn = first;
    pthread_mutex_init(&rs->lock, NULL);
    pthread_cond_init(&rs->freed, NULL);
    pthread_mutex_init(&rs->pipe_lock, NULL);
    rs->pipe_wake_fd = -1;
    pthread_cond_init(&rs->pipe_ready, NULL);
    atomic_init(&rs->healthy, rc == 0);
    atomic_init(&rs->bus_since_ms, 0);
    if (rc < 0)
        err[0] = '\0';   /* unreachable now: not an error of open */
    *out = &rs->base;
    return 0;
}

int mcp_store_redis_open(const char *url, mcp_store **out)
{
    return mcp_store_redis_open_opts(url, NULL, out, NULL, 0);
}
