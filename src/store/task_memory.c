/* The in-process task-record store: a hash table of records guarded by one
 * mutex, with the per-principal count of unfinished tasks. One process owns
 * every task in it, so there are no leases, orphans or remote inboxes; the
 * inbox still works (the core uses it only for other instances). */
#include "store/task_memory.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <mcp/error.h>

#define BUCKETS 4096

typedef struct mrec {
    struct mrec *next;
    char *id, *principal, *json;
    uint64_t version;
    int64_t expire;
    bool finished;
} mrec;

typedef struct pcount {
    struct pcount *next;
    char *principal;
    unsigned active;
} pcount;

typedef struct memory_store {
    task_store base;
    pthread_mutex_t lock;
    mrec *buckets[BUCKETS];
    pcount *counts;
    strbuf inbox;
} memory_store;

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h % BUCKETS;
}

static mrec **find(memory_store *ms, const char *id)
{
    mrec **pp = &ms->buckets[hash(id)];
    while (*pp && strcmp((*pp)->id, id) != 0)
        pp = &(*pp)->next;
    return pp;
}

static pcount *count_of(memory_store *ms, const char *principal, bool create)
{
    for (pcount *c = ms->counts; c; c = c->next)
        if (strcmp(c->principal, principal) == 0)
            return c;
    if (!create)
        return NULL;
    pcount *c = calloc(1, sizeof *c);
    if (c && !(c->principal = strdup(principal))) {
        free(c);
        return NULL;
    }
    if (c) {
        c->next = ms->counts;
        ms->counts = c;
    }
    return c;
}

static void finish_locked(memory_store *ms, mrec *r)
{
    if (r->finished)
        return;
    r->finished = true;
    pcount *c = count_of(ms, r->principal, false);
    if (c && c->active)
        c->active--;
}

static int m_create(task_store *ts, const char *id, const char *principal, const char *owner,
                    const char *json, int64_t expire, unsigned max_active)
{
    memory_store *ms = (memory_store *)ts;
    (void)owner;
    mrec *r = calloc(1, sizeof *r);
    if (!r || !(r->id = strdup(id)) || !(r->principal = strdup(principal)) || !(r->json = strdup(json))) {
        if (r) {
            free(r->id);
            free(r->principal);
        }
        free(r);
        return -MCP_ENOMEM;
    }
    r->version = 1;
    r->expire = expire;
    int rc = 0;
    pthread_mutex_lock(&ms->lock);
    mrec **pp = find(ms, id);
    pcount *c = count_of(ms, principal, true);
    if (*pp)
        rc = -MCP_EEXIST;
    else if (!c)
        rc = -MCP_ENOMEM;
    else if (max_active && c->active >= max_active)
        rc = -MCP_ELIMIT;
    if (rc == 0) {
        c->active++;
        *pp = r;
    }
    pthread_mutex_unlock(&ms->lock);
    if (rc < 0) {
        free(r->id);
        free(r->principal);
        free(r->json);
        free(r);
    }
    return rc;
}

static int m_get(task_store *ts, const char *id, char **json, uint64_t *version)
{
    memory_store *ms = (memory_store *)ts;
    int rc = -MCP_ENOTFOUND;
    pthread_mutex_lock(&ms->lock);
    mrec *r = *find(ms, id);
    if (r) {
        *json = strdup(r->json);
        *version = r->version;
        rc = *json ? 0 : -MCP_ENOMEM;
    }
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

static int m_put(task_store *ts, const char *id, uint64_t version, const char *json, bool finished,
                 const char *principal, const char *owner)
{
    memory_store *ms = (memory_store *)ts;
    (void)principal;
    (void)owner;
    char *copy = strdup(json);
    if (!copy)
        return -MCP_ENOMEM;
    int rc = -MCP_ENOTFOUND;
    pthread_mutex_lock(&ms->lock);
    mrec *r = *find(ms, id);
    if (r && r->version != version) {
        rc = TASK_STORE_CONFLICT;
    } else if (r) {
        free(r->json);
        r->json = copy;
        copy = NULL;
        r->version++;
        if (finished)
            finish_locked(ms, r);
        rc = 0;
    }
    pthread_mutex_unlock(&ms->lock);
    free(copy);
    return rc;
}

static int m_forget(task_store *ts, const char *id, const char *principal, const char *owner)
{
    (void)ts;
    (void)id;
    (void)principal;
    (void)owner;
    return 0;   /* sweep already uncounted it */
}

static int m_notify(task_store *ts, const char *owner, const char *id, const char *what)
{
    memory_store *ms = (memory_store *)ts;
    (void)owner;
    pthread_mutex_lock(&ms->lock);
    int rc = mcp__strbuf_printf(&ms->inbox, "%s %s\n", id, what);
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

static int m_drain(task_store *ts, const char *owner, strbuf *out)
{
    memory_store *ms = (memory_store *)ts;
    (void)owner;
    pthread_mutex_lock(&ms->lock);
    int rc = ms->inbox.len ? mcp__strbuf_append(out, ms->inbox.data, ms->inbox.len) : 0;
    mcp__strbuf_free(&ms->inbox);
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

static int m_heartbeat(task_store *ts, const char *owner, unsigned lease_ms)
{
    (void)ts;
    (void)owner;
    (void)lease_ms;
    return 0;
}

static int m_orphans(task_store *ts, const char *self, strbuf *out)
{
    (void)ts;
    (void)self;
    (void)out;
    return 0;   /* this process owns every task */
}

static void rec_free(mrec *r)
{
    free(r->id);
    free(r->principal);
    free(r->json);
    free(r);
}

static void m_sweep(task_store *ts, int64_t now)
{
    memory_store *ms = (memory_store *)ts;
    mrec *dead = NULL;
    pthread_mutex_lock(&ms->lock);
    for (unsigned b = 0; b < BUCKETS; b++) {
        for (mrec **pp = &ms->buckets[b]; *pp;) {
            mrec *r = *pp;
            if (r->expire > 0 && r->expire <= now) {
                *pp = r->next;
                finish_locked(ms, r);
                r->next = dead;
                dead = r;
            } else {
                pp = &r->next;
            }
        }
    }
    pthread_mutex_unlock(&ms->lock);
    while (dead) {
        mrec *next = dead->next;
        rec_free(dead);
        dead = next;
    }
}

static void m_free(task_store *ts)
{
    memory_store *ms = (memory_store *)ts;
    for (unsigned b = 0; b < BUCKETS; b++)
        for (mrec *r = ms->buckets[b], *next; r; r = next) {
            next = r->next;
            rec_free(r);
        }
    for (pcount *c = ms->counts, *next; c; c = next) {
        next = c->next;
        free(c->principal);
        free(c);
    }
    mcp__strbuf_free(&ms->inbox);
    pthread_mutex_destroy(&ms->lock);
    free(ms);
}

static const task_store_ops memory_ops = {
    m_create, m_get, m_put, m_forget, m_notify, m_drain, m_heartbeat, m_orphans, m_sweep, m_free,
};

task_store *mcp__task_memory_new(void)
{
    memory_store *ms = calloc(1, sizeof *ms);
    if (!ms)
        return NULL;
    ms->base.ops = &memory_ops;
    pthread_mutex_init(&ms->lock, NULL);
    return &ms->base;
}
