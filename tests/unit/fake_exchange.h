/* Test helper shared by the unit tests that drive mcp__server_dispatch: an
 * in-memory mcp_exchange that records every message sent through it and the
 * final response. Blocking handlers complete from a worker thread, so the
 * waits use a condition variable with a bounded timeout. Header-only (the
 * unit CMake file builds each test_*.c alone). Include after cmocka.h. */
#ifndef MCP_TEST_FAKE_EXCHANGE_H
#define MCP_TEST_FAKE_EXCHANGE_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <mcp/mcp.h>

#include "core/dispatch.h"
#include "core/notify.h"
#include "core/registry.h"
#include "core/server.h"
#include "core/exchange.h"
#include "core/jsonrpc.h"
#include "core/session.h"

#define FAKE_WAIT_MS 5000u   /* generous upper bound; normal waits end in microseconds */

typedef struct fake_ex {
    mcp_exchange ex;          /* first: the ops get this pointer back */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    cJSON *sent;              /* array of every message passed to send */
    cJSON *response;          /* what complete received */
    int completions;          /* how many times complete ran (must be 1) */
    int send_rc;              /* what send returns (0, or e.g. -MCP_EUNSUPPORTED) */
} fake_ex;

static inline int fake_send(mcp_exchange *ex, cJSON *msg)
{
    fake_ex *f = (fake_ex *)ex;
    pthread_mutex_lock(&f->lock);
    int rc = f->send_rc;
    if (rc == 0)
        cJSON_AddItemToArray(f->sent, msg);
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->lock);
    if (rc != 0)
        cJSON_Delete(msg);
    return rc;
}

static inline void fake_complete(mcp_exchange *ex, cJSON *response)
{
    fake_ex *f = (fake_ex *)ex;
    pthread_mutex_lock(&f->lock);
    if (f->completions == 0)
        f->response = response;
    else
        cJSON_Delete(response);   /* a second completion is a bug; counted below */
    f->completions++;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->lock);
}

static const mcp_exchange_ops fake_ops = { fake_send, fake_complete };

static inline fake_ex *fake_new(mcp_session *session, mcp_era era, mcp__revision version, bool back_channel)
{
    fake_ex *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->ex.ops = &fake_ops;
    f->ex.session = session;
    f->ex.era = era;
    f->ex.version = version;
    f->ex.back_channel = back_channel;
    f->ex.stateless = session == NULL;
    atomic_init(&f->ex.cancelled, false);
    pthread_mutex_init(&f->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cond, &attr);
    pthread_condattr_destroy(&attr);
    f->sent = cJSON_CreateArray();
    assert_non_null(f->sent);
    return f;
}

static inline fake_ex *fake_legacy(mcp_session *session, mcp__revision version)
{
    return fake_new(session, MCP_ERA_LEGACY, version, session != NULL);
}

static inline void fake_free(fake_ex *f)
{
    if (!f)
        return;
    cJSON_Delete(f->sent);
    cJSON_Delete(f->response);
    pthread_cond_destroy(&f->cond);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

static inline struct timespec fake_deadline(unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* True once complete ran, false after ms without it. */
static inline bool fake_wait_complete(fake_ex *f, unsigned ms)
{
    struct timespec dl = fake_deadline(ms);
    pthread_mutex_lock(&f->lock);
    while (f->completions == 0) {
        if (pthread_cond_timedwait(&f->cond, &f->lock, &dl) == ETIMEDOUT)
            break;
    }
    bool done = f->completions > 0;
    pthread_mutex_unlock(&f->lock);
    return done;
}

/* True once at least n messages were sent, false after ms. */
static inline bool fake_wait_sent(fake_ex *f, int n, unsigned ms)
{
    struct timespec dl = fake_deadline(ms);
    pthread_mutex_lock(&f->lock);
    while (cJSON_GetArraySize(f->sent) < n) {
        if (pthread_cond_timedwait(&f->cond, &f->lock, &dl) == ETIMEDOUT)
            break;
    }
    bool ok = cJSON_GetArraySize(f->sent) >= n;
    pthread_mutex_unlock(&f->lock);
    return ok;
}

static inline int fake_sent_count(fake_ex *f)
{
    pthread_mutex_lock(&f->lock);
    int n = cJSON_GetArraySize(f->sent);
    pthread_mutex_unlock(&f->lock);
    return n;
}

/* The i-th sent message (still owned by f). */
static inline const cJSON *fake_sent_at(fake_ex *f, int i)
{
    pthread_mutex_lock(&f->lock);
    const cJSON *m = cJSON_GetArrayItem(f->sent, i);
    pthread_mutex_unlock(&f->lock);
    return m;
}

static inline cJSON *parse_or_fail(const char *json)
{
    cJSON *m = cJSON_Parse(json);
    if (!m)
        fail_msg("test JSON does not parse: %s", json);
    return m;
}

/* Dispatch json through f without waiting. */
static inline void fake_dispatch(mcp_server *srv, fake_ex *f, const char *json)
{
    mcp__server_dispatch(srv, &f->ex, parse_or_fail(json));
}

/* Dispatch json through f, wait for completion, check complete ran exactly
 * once and return the response (still owned by f; NULL for none). */
static inline const cJSON *fake_roundtrip(mcp_server *srv, fake_ex *f, const char *json)
{
    fake_dispatch(srv, f, json);
    if (!fake_wait_complete(f, FAKE_WAIT_MS))
        fail_msg("no completion within %u ms for %s", FAKE_WAIT_MS, json);
    assert_int_equal(f->completions, 1);
    return f->response;
}

/* One request on a fresh exchange; returns a detached copy of the response
 * (caller deletes). */
static inline cJSON *rpc(mcp_server *srv, mcp_session *s, mcp_era era, mcp__revision v, const char *json)
{
    fake_ex *f = fake_new(s, era, v, s != NULL);
    const cJSON *r = fake_roundtrip(srv, f, json);
    cJSON *copy = r ? cJSON_Duplicate(r, 1) : NULL;
    fake_free(f);
    return copy;
}

static inline cJSON *rpc_legacy(mcp_server *srv, mcp__revision v, const char *json)
{
    return rpc(srv, NULL, MCP_ERA_LEGACY, v, json);
}

/* ---- response inspection ---- */

static inline const cJSON *result_of(const cJSON *resp)
{
    assert_non_null(resp);
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(resp, "error");
    if (err) {
        char *t = cJSON_PrintUnformatted(resp);
        fail_msg("expected a result, got %s", t ? t : "(?)");
    }
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(resp, "result");
    assert_non_null(r);
    return r;
}

static inline int error_code_of(const cJSON *resp)
{
    assert_non_null(resp);
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(resp, "error");
    if (!err) {
        char *t = cJSON_PrintUnformatted(resp);
        fail_msg("expected an error, got %s", t ? t : "(?)");
    }
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
    assert_true(cJSON_IsNumber(code));
    return code->valueint;
}

static inline const char *error_message_of(const cJSON *resp)
{
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(resp, "error");
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "message"));
    assert_non_null(m);
    return m;
}

static inline const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static inline const char *get_str(const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* The text of content[i] of a tool result (fails when it is not text). */
static inline const char *content_text(const cJSON *result, int i)
{
    const cJSON *b = cJSON_GetArrayItem(get(result, "content"), i);
    assert_non_null(b);
    assert_string_equal(get_str(b, "type"), "text");
    const char *t = get_str(b, "text");
    assert_non_null(t);
    return t;
}

static inline mcp_server *new_server(void)
{
    mcp_server_info info = { .name = "unit-server", .version = "1.2.3" };
    mcp_server *srv = mcp_server_new(&info);
    assert_non_null(srv);
    mcp_server_set_workers(srv, 2);
    return srv;
}

#endif
