/* Sessions and the in-memory session table. The table is a chained hash on
 * the random id guarded by one mutex: lookups are short and the id is
 * already uniformly random, so the first 8 hex digits make a good hash.
 * Closing a session fails its pending server->client requests and flags
 * its calls as cancelled, so no handler waits on a session that is gone. */
#include "core/session.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mcp/call.h>
#include <mcp/error.h>

#include "base/json_write.h"
#include "core/jsonrpc.h"
#include "base/util.h"
#include "core/otel.h"


struct pending_request {
    int64_t id;
    cJSON *response;
    bool done;
    pthread_cond_t cond;
    pending_request *next;
};

mcp_session *mcp__session_new(void)
{
    mcp_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (mcp__random_hex_id(s->id, MCP_SESSION_ID_LEN / 2) < 0) {
        free(s);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    pthread_mutex_init(&s->lock, NULL);
    s->log_level = -1;
    s->version = MCP_V_LEGACY_LATEST;
    atomic_init(&s->last_used_ms, mcp__now_ms());
    return s;
}

void mcp__session_ref(mcp_session *s)
{
    atomic_fetch_add(&s->refs, 1);
}

void mcp__session_unref(mcp_session *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    if (s->transport_free)
        s->transport_free(s->transport);
    cJSON_Delete(s->client_caps);
    cJSON_Delete(s->client_info);
    cJSON_Delete(s->state);
    cJSON_Delete(s->subscriptions);
    free(s->subject);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void mcp__session_close(mcp_session *s)
{
    if (atomic_exchange(&s->closed, true))
        return;
    pthread_mutex_lock(&s->lock);
    for (pending_request *p = s->pending; p; p = p->next)
        pthread_cond_signal(&p->cond);   /* waiters see closed and give up */
    for (active_call *ac = s->active; ac; ac = ac->next)
        atomic_store(ac->cancelled, true);
    pthread_mutex_unlock(&s->lock);
    if (s->transport_close)
        s->transport_close(s);
}

void mcp__session_track_call(mcp_session *s, active_call *ac, const cJSON *id, atomic_bool *cancel_flag)
{
    ac->id = cJSON_Duplicate(id, 0);
    ac->cancelled = cancel_flag;
    pthread_mutex_lock(&s->lock);
    ac->next = s->active;
    s->active = ac;
    pthread_mutex_unlock(&s->lock);
}

void mcp__session_untrack_call(mcp_session *s, active_call *ac)
{
    pthread_mutex_lock(&s->lock);
    for (active_call **pp = &s->active; *pp; pp = &(*pp)->next) {
        if (*pp == ac) {
            *pp = ac->next;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    cJSON_Delete(ac->id);
    ac->id = NULL;
}

bool mcp__session_cancel_call(mcp_session *s, const cJSON *id)
{
    bool found = false;
    pthread_mutex_lock(&s->lock);
    for (active_call *ac = s->active; ac; ac = ac->next) {
        if (ac->id && cJSON_Compare(ac->id, id, true)) {
            atomic_store(ac->cancelled, true);
            found = true;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

cJSON *mcp__session_request_begin(mcp_session *s, const char *method, cJSON *params_take, pending_request **out)
{
    pending_request *p = calloc(1, sizeof *p);
    if (!p) {
        cJSON_Delete(params_take);
        return NULL;
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_lock(&s->lock);
    p->id = ++s->next_out_id;
    p->next = s->pending;
    s->pending = p;
    pthread_mutex_unlock(&s->lock);
    cJSON *msg = mcp__jsonrpc_request_take(p->id, method, params_take);
    *out = p;
    return msg;
}

static void unlink_pending(mcp_session *s, pending_request *p)
{
    for (pending_request **pp = &s->pending; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            return;
        }
    }
}

int mcp__session_request_wait(mcp_session *s, pending_request *p, unsigned timeout_ms,
                         const atomic_bool *cancelled, cJSON **response_out)
{
    struct timespec deadline;
    mcp__clock_deadline_ms(&deadline, timeout_ms);
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    while (!p->done) {
        if (atomic_load(&s->closed) || (cancelled && atomic_load(cancelled))) {
            rc = -MCP_ECANCELED;
            break;
        }
        /* Wake at least every 100 ms so cancellation is seen promptly. */
        struct timespec step;
        mcp__clock_deadline_ms(&step, 100);
        if (step.tv_sec > deadline.tv_sec || (step.tv_sec == deadline.tv_sec && step.tv_nsec > deadline.tv_nsec))
            step = deadline;
        int w = pthread_cond_timedwait(&p->cond, &s->lock, &step);
        if (w == ETIMEDOUT && !p->done && step.tv_sec == deadline.tv_sec && step.tv_nsec == deadline.tv_nsec) {
            rc = -MCP_ETIMEDOUT;
            break;
        }
    }
    unlink_pending(s, p);
    pthread_mutex_unlock(&s->lock);
    *response_out = rc == 0 ? p->response : NULL;
    if (rc != 0)
        cJSON_Delete(p->response);
    pthread_cond_destroy(&p->cond);
    free(p);
    return rc;
}

cJSON *mcp__session_resolve(mcp_session *s, cJSON *response_take)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(response_take, "id");
    bool found = false;
    pthread_mutex_lock(&s->lock);
    for (pending_request *p = s->pending; p && cJSON_IsNumber(id); p = p->next) {
        if ((double)p->id == id->valuedouble && !p->done) {
            p->response = response_take;
            p->done = true;
            found = true;
            pthread_cond_signal(&p->cond);
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found ? NULL : response_take;
}

static char *json_text(const cJSON *v)
{
    return v ? mcp__json_print(v, NULL) : NULL;
}

void mcp__session_touch(mcp_session *s)
{
    uint64_t now = mcp__now_ms();
    atomic_store(&s->last_used_ms, now);
    if (s->store && s->id[0] && now - atomic_load(&s->store_touched_ms) >= s->ttl_ms / 3) {
        atomic_store(&s->store_touched_ms, now);
        s->store->ops->session_touch(s->store, s->id, s->ttl_ms);
    }
}

int mcp__session_save(mcp_session *s)
{
    if (!s->store)
        return 0;
    session_record r = { .log_level = -1 };
    pthread_mutex_lock(&s->lock);
    r.version = strdup(mcp__version_name(s->version));
    r.client_caps = json_text(s->client_caps);
    r.client_info = json_text(s->client_info);
    r.log_level = s->log_level;
    r.subject = s->subject ? strdup(s->subject) : NULL;
    r.subscriptions = json_text(s->subscriptions);
    pthread_mutex_unlock(&s->lock);
    int rc = s->store->ops->session_save(s->store, s->id, &r, s->ttl_ms);
    mcp__session_record_clear(&r);
    return rc;
}

int mcp__session_state_get(mcp_session *s, const char *key, char **out)
{
    if (s->store)
        return s->store->ops->state_get(s->store, s->id, key, out);
    int rc = -MCP_ENOTFOUND;
    *out = NULL;
    pthread_mutex_lock(&s->lock);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s->state, key);
    if (cJSON_IsString(v)) {
        *out = strdup(v->valuestring);
        rc = *out ? 0 : -MCP_ENOMEM;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static int state_put_locked(mcp_session *s, const char *key, const char *value)
{
    if (!s->state && !(s->state = cJSON_CreateObject()))
        return -MCP_ENOMEM;
    cJSON *v = cJSON_CreateString(value);
    if (!v)
        return -MCP_ENOMEM;
    if (cJSON_GetObjectItemCaseSensitive(s->state, key))
        cJSON_ReplaceItemInObjectCaseSensitive(s->state, key, v);
    else
        cJSON_AddItemToObject(s->state, key, v);
    return 0;
}

int mcp__session_state_set(mcp_session *s, const char *key, const char *value)
{
    if (s->store)
        return s->store->ops->state_set(s->store, s->id, key, value);
    pthread_mutex_lock(&s->lock);
    int rc = state_put_locked(s, key, value);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int mcp__session_state_incr(mcp_session *s, const char *key, int64_t delta, int64_t *out)
{
    if (s->store)
        return s->store->ops->state_incr(s->store, s->id, key, delta, out);
    pthread_mutex_lock(&s->lock);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s->state, key);
    int64_t n = 0;
    if (cJSON_IsString(v)) {
        char *end;
        errno = 0;
        n = strtoll(v->valuestring, &end, 10);
        if (*end || errno == ERANGE) {
            pthread_mutex_unlock(&s->lock);
            return -MCP_EINVAL;
        }
    }
    if (__builtin_add_overflow(n, delta, &n)) {
        pthread_mutex_unlock(&s->lock);
        return -MCP_ELIMIT;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, n);
    int rc = state_put_locked(s, key, buf);
    pthread_mutex_unlock(&s->lock);
    if (rc == 0 && out)
        *out = n;
    return rc;
}

int mcp__session_state_incr_async(mcp_session *s, const char *key, int64_t delta,
                                  void (*done)(void *ctx, int rc, int64_t value), void *ctx, int64_t *out)
{
    if (s->store && s->store->ops->state_incr_async &&
        s->store->ops->state_incr_async(s->store, s->id, key, delta, s->ttl_ms, done, ctx) == 0)
        return MCP_CALL_PENDING;
    return mcp__session_state_incr(s, key, delta, out);
}

/* ---------------- session table ---------------- */

#define TABLE_BUCKETS 4096u

struct session_table {
    pthread_mutex_t lock;
    mcp_store *store;
    unsigned ttl_ms;
    unsigned max_sessions;
    unsigned count;
    struct mcp__otel *otel;        /* session durations; NULL: not measured */
    mcp_session *buckets[TABLE_BUCKETS];
    store_message_fn bus_fn;       /* other bus messages ("upd"), under lock */
    void *bus_ctx;
    unsigned bus_busy;             /* deliveries to bus_fn running outside the lock */
    pthread_cond_t bus_idle;
};

void mcp__session_table_set_otel(session_table *t, struct mcp__otel *otel)
{
    t->otel = otel;
}

/* A session that began here has ended here (deleted, expired, or shut
 * down without a store to outlive us). */
static void record_end(session_table *t, const mcp_session *s)
{
    if (t->otel && s->born_us)
        mcp__otel_session_ended(t->otel, s->version, mcp__now_us() - s->born_us);
}

static unsigned bucket_of(const char *id)
{
    unsigned h = 0;
    for (int i = 0; i < 8 && id[i]; i++)
        h = h * 31u + (unsigned char)id[i];
    return h % TABLE_BUCKETS;
}

session_table *mcp__session_table_new(unsigned max_sessions, mcp_store *store, unsigned ttl_ms)
{
    session_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->bus_idle, NULL);
    t->max_sessions = max_sessions;
    t->store = store;
    t->ttl_ms = ttl_ms;
    if (store)
        store->ops->set_listener(store, mcp__session_table_on_message, t);
    return t;
}

void mcp__session_table_free(session_table *t)
{
    if (!t)
        return;
    mcp__session_table_close_all(t);
    mcp__session_table_set_bus_fn(t, NULL, NULL);
    pthread_cond_destroy(&t->bus_idle);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* A place under the session cap, taken before anything is written to the
 * store (a refused session must leave no record behind). */
static bool reserve_slot(session_table *t)
{
    pthread_mutex_lock(&t->lock);
    bool ok = t->count < t->max_sessions;
    if (ok)
        t->count++;
    pthread_mutex_unlock(&t->lock);
    return ok;
}

static void release_slot(session_table *t)
{
    pthread_mutex_lock(&t->lock);
    t->count--;
    pthread_mutex_unlock(&t->lock);
}

/* Link s into its bucket; its slot is already counted. */
static void link_reserved(session_table *t, mcp_session *s)
{
    pthread_mutex_lock(&t->lock);
    unsigned b = bucket_of(s->id);
    mcp__session_ref(s);
    s->hnext = t->buckets[b];
    t->buckets[b] = s;
    pthread_mutex_unlock(&t->lock);
}

int mcp__session_table_insert(session_table *t, mcp_session *s)
{
    s->store = t->store;
    s->ttl_ms = t->ttl_ms;
    if (!reserve_slot(t))
        return -MCP_ELIMIT;
    if (t->store && mcp__session_save(s) < 0) {   /* I/O with no lock held */
        release_slot(t);
        return -MCP_EIO;
    }
    s->born_us = mcp__now_us();
    link_reserved(t, s);
    return 0;
}

static int insert_local(session_table *t, mcp_session *s)
{
    if (!reserve_slot(t))
        return -MCP_ELIMIT;
    link_reserved(t, s);
    return 0;
}

static mcp_session *get_local(session_table *t, const char *id);
static mcp_session *unlink_locked(session_table *t, const char *id);

/* Build a local copy of a session another instance created. */
static int load_from_store(session_table *t, const char *id, mcp_session **out)
{
    session_record r = { .log_level = -1 };
    int rc = t->store->ops->session_load(t->store, id, &r, t->ttl_ms);
    if (rc < 0) {
        mcp__session_record_clear(&r);
        return rc;
    }
    mcp_session *s = mcp__session_new();
    if (!s) {
        mcp__session_record_clear(&r);
        return -MCP_ENOMEM;
    }
    memcpy(s->id, id, MCP_SESSION_ID_LEN + 1);
    int v = mcp__version_parse(r.version);
    s->version = v < 0 ? MCP_V_LEGACY_LATEST : (mcp__revision)v;
    s->client_caps = r.client_caps ? cJSON_Parse(r.client_caps) : NULL;
    if (!s->client_caps)
        s->client_caps = cJSON_CreateObject();
    s->client_info = r.client_info ? cJSON_Parse(r.client_info) : NULL;
    s->log_level = r.log_level;
    s->subject = r.subject;
    r.subject = NULL;
    s->subscriptions = r.subscriptions ? cJSON_Parse(r.subscriptions) : NULL;
    if (s->subscriptions && !cJSON_IsArray(s->subscriptions)) {
        cJSON_Delete(s->subscriptions);
        s->subscriptions = NULL;
    }
    s->initialized = true;
    s->store = t->store;
    s->ttl_ms = t->ttl_ms;
    mcp__session_record_clear(&r);
    /* Two requests may load the same session at once: keep the first copy. */
    mcp_session *existing = get_local(t, id);
    if (existing) {
        mcp__session_unref(s);
        *out = existing;
        return 0;
    }
    if (insert_local(t, s) < 0) {
        mcp__session_unref(s);
        return -MCP_ELIMIT;
    }
    *out = s;
    return 0;
}

int mcp__session_table_lookup(session_table *t, const char *id, mcp_session **out)
{
    *out = NULL;
    if (!id || strlen(id) != MCP_SESSION_ID_LEN)
        return -MCP_ENOTFOUND;
    mcp_session *s = get_local(t, id);
    if (!t->store) {
        *out = s;
        return s ? 0 : -MCP_ENOTFOUND;
    }
    if (!s)
        return load_from_store(t, id, out);
    /* The store is the truth: a session deleted or expired elsewhere is
     * gone here too. One round trip both checks and refreshes the TTL, and
     * the store skips it while it can vouch for the copy (issue 17). A
     * backend without session_check touches on every lookup. */
    const store_ops *ops = t->store->ops;
    int rc = ops->session_check ? ops->session_check(t->store, id, t->ttl_ms, &s->store_touched_ms)
                                : ops->session_touch(t->store, id, t->ttl_ms);
    if (rc == -MCP_ENOTFOUND) {
        pthread_mutex_lock(&t->lock);
        mcp_session *gone = unlink_locked(t, id);
        pthread_mutex_unlock(&t->lock);
        if (gone) {
            mcp__session_close(gone);
            mcp__session_unref(gone);
        }
    }
    if (rc < 0) {
        mcp__session_unref(s);
        return rc;
    }
    *out = s;
    return 0;
}

mcp_session *mcp__session_table_get(session_table *t, const char *id)
{
    mcp_session *s = NULL;
    mcp__session_table_lookup(t, id, &s);
    return s;
}

static mcp_session *get_local(session_table *t, const char *id)
{
    if (!id || strlen(id) != MCP_SESSION_ID_LEN)
        return NULL;
    pthread_mutex_lock(&t->lock);
    mcp_session *s = t->buckets[bucket_of(id)];
    while (s && strcmp(s->id, id) != 0)
        s = s->hnext;
    if (s && !atomic_load(&s->closed)) {
        mcp__session_ref(s);
        atomic_store(&s->last_used_ms, mcp__now_ms());
    } else {
        s = NULL;
    }
    pthread_mutex_unlock(&t->lock);
    return s;
}

/* Unlink under the table lock; the caller closes and unrefs outside it. */
static mcp_session *unlink_locked(session_table *t, const char *id)
{
    for (mcp_session **pp = &t->buckets[bucket_of(id)]; *pp; pp = &(*pp)->hnext) {
        if (strcmp((*pp)->id, id) == 0) {
            mcp_session *s = *pp;
            *pp = s->hnext;
            s->hnext = NULL;
            t->count--;
            return s;
        }
    }
    return NULL;
}

static int remove_local(session_table *t, const char *id)
{
    pthread_mutex_lock(&t->lock);
    mcp_session *s = unlink_locked(t, id);
    pthread_mutex_unlock(&t->lock);
    if (!s)
        return -MCP_ENOTFOUND;
    record_end(t, s);
    mcp__session_close(s);
    mcp__session_unref(s);
    return 0;
}

int mcp__session_table_remove(session_table *t, const char *id)
{
    if (!id)
        return -MCP_ENOTFOUND;
    if (t->store) {
        int rc = t->store->ops->session_delete(t->store, id);
        if (rc < 0)
            return rc;
        t->store->ops->publish(t->store, "del", id, NULL);   /* others drop their copies */
    }
    return remove_local(t, id);
}

void mcp__session_table_on_message(void *table, const char *kind, const char *sid, const char *payload)
{
    session_table *t = table;
    if (strcmp(kind, "del") == 0) {
        remove_local(t, sid);
        return;
    }
    if (strcmp(kind, "resp") == 0) {
        mcp_session *s = get_local(t, sid);
        cJSON *msg = s ? cJSON_Parse(payload) : NULL;
        if (msg)
            cJSON_Delete(mcp__session_resolve(s, msg));
        if (s)
            mcp__session_unref(s);
        return;
    }
    if (strcmp(kind, "sub") == 0) {      /* our copy takes the new list */
        mcp_session *s = get_local(t, sid);
        cJSON *list = s ? cJSON_Parse(payload) : NULL;
        if (list && cJSON_IsArray(list)) {
            pthread_mutex_lock(&s->lock);
            cJSON *old = s->subscriptions;
            s->subscriptions = list;
            pthread_mutex_unlock(&s->lock);
            cJSON_Delete(old);
        } else {
            cJSON_Delete(list);
        }
        if (s)
            mcp__session_unref(s);
        return;
    }
    pthread_mutex_lock(&t->lock);
    store_message_fn fn = t->bus_fn;
    void *ctx = t->bus_ctx;
    if (fn)
        t->bus_busy++;
    pthread_mutex_unlock(&t->lock);
    if (!fn)
        return;
    fn(ctx, kind, sid, payload);      /* no lock held */
    pthread_mutex_lock(&t->lock);
    t->bus_busy--;
    pthread_cond_broadcast(&t->bus_idle);
    pthread_mutex_unlock(&t->lock);
}

void mcp__session_table_set_bus_fn(session_table *t, store_message_fn fn, void *ctx)
{
    pthread_mutex_lock(&t->lock);
    t->bus_fn = fn;
    t->bus_ctx = ctx;
    while (!fn && t->bus_busy)          /* cleared: no delivery to the old one runs on return */
        pthread_cond_wait(&t->bus_idle, &t->lock);
    pthread_mutex_unlock(&t->lock);
}

int mcp__session_table_publish(session_table *t, const char *kind, const char *id, const char *payload)
{
    return t->store ? t->store->ops->publish(t->store, kind, id, payload) : 0;
}

/* Collect matching sessions under the lock, close them outside it (closing
 * calls into the transport, which may take its own locks). */
static unsigned remove_where(session_table *t, uint64_t idle_ms, bool all)
{
    unsigned removed = 0;
    uint64_t now = mcp__now_ms();
    mcp_session *doomed = NULL;
    pthread_mutex_lock(&t->lock);
    for (unsigned b = 0; b < TABLE_BUCKETS; b++) {
        mcp_session **pp = &t->buckets[b];
        while (*pp) {
            mcp_session *s = *pp;
            uint64_t last = atomic_load(&s->last_used_ms);
            /* Use is measured by time alone: requests touch last_used, and
             * the transport touches sessions whose streams are open. */
            if (all || (now > last && now - last > idle_ms)) {
                *pp = s->hnext;
                s->hnext = doomed;
                doomed = s;
                t->count--;
                removed++;
            } else {
                pp = &s->hnext;
            }
        }
    }
    pthread_mutex_unlock(&t->lock);
    while (doomed) {
        mcp_session *s = doomed;
        doomed = s->hnext;
        s->hnext = NULL;
        if (!all || !t->store)
            record_end(t, s);
        mcp__session_close(s);
        mcp__session_unref(s);
    }
    return removed;
}

unsigned mcp__session_table_expire(session_table *t, uint64_t idle_ms)
{
    return remove_where(t, idle_ms, false);
}

void mcp__session_table_close_all(session_table *t)
{
    remove_where(t, 0, true);
}

int mcp__session_table_evict_lru(session_table *t)
{
    mcp_session *victim = NULL;
    uint64_t oldest = UINT64_MAX;
    pthread_mutex_lock(&t->lock);
    for (unsigned b = 0; b < TABLE_BUCKETS; b++) {
        for (mcp_session *s = t->buckets[b]; s; s = s->hnext) {
            uint64_t last = atomic_load(&s->last_used_ms);
            /* Only the table holds it: no request, call or stream. A new
             * holder needs this lock (get_local), so the check stays true
             * until the unlink below. */
            if (last >= oldest || atomic_load(&s->refs) != 1 || atomic_load(&s->closed))
                continue;
            pthread_mutex_lock(&s->lock);
            bool idle = !s->active && !s->pending;
            pthread_mutex_unlock(&s->lock);
            if (idle) {
                oldest = last;
                victim = s;
            }
        }
    }
    if (victim)
        unlink_locked(t, victim->id);
    pthread_mutex_unlock(&t->lock);
    if (!victim)
        return -MCP_ENOTFOUND;
    if (t->store && t->store->ops->session_delete(t->store, victim->id) == 0)
        t->store->ops->publish(t->store, "del", victim->id, NULL);   /* others drop their copies */
    mcp__session_close(victim);
    mcp__session_unref(victim);
    return 0;
}

unsigned mcp__session_table_count(session_table *t)
{
    pthread_mutex_lock(&t->lock);
    unsigned n = t->count;
    pthread_mutex_unlock(&t->lock);
    return n;
}

int mcp__session_subscription_change(mcp_session *s, const char *uri, bool subscribe)
{
    int rc = 0;
    bool changed = false;
    pthread_mutex_lock(&s->lock);
    if (!s->subscriptions)
        s->subscriptions = cJSON_CreateArray();
    int idx = 0, found = -1;
    for (cJSON *u = s->subscriptions ? s->subscriptions->child : NULL; u; u = u->next, idx++)
        if (cJSON_IsString(u) && strcmp(u->valuestring, uri) == 0)
            found = idx;
    if (!s->subscriptions) {
        rc = -MCP_ENOMEM;
    } else if (subscribe && found < 0) {
        cJSON *item = cJSON_CreateString(uri);
        if (item && cJSON_AddItemToArray(s->subscriptions, item))
            changed = true;
        else
            rc = -MCP_ENOMEM;
    } else if (!subscribe && found >= 0) {
        cJSON_DeleteItemFromArray(s->subscriptions, found);
        changed = true;
    }
    char *list = changed && s->store ? json_text(s->subscriptions) : NULL;
    pthread_mutex_unlock(&s->lock);
    if (list) {                          /* the store and other instances learn it, no lock held */
        rc = mcp__session_save(s);
        if (rc == 0)
            s->store->ops->publish(s->store, "sub", s->id, list);
        free(list);
    } else if (changed && s->store) {
        rc = -MCP_ENOMEM;
    }
    return rc;
}

bool mcp__session_subscribed(mcp_session *s, const char *uri)
{
    bool found = false;
    pthread_mutex_lock(&s->lock);
    for (cJSON *u = s->subscriptions ? s->subscriptions->child : NULL; u && !found; u = u->next)
        found = cJSON_IsString(u) && strcmp(u->valuestring, uri) == 0;
    pthread_mutex_unlock(&s->lock);
    return found;
}
