/* Internal API shared by the files of the Redis store backend:
 *   redis_conn.c  one connection (plain TCP or OpenSSL TLS,
 *                 hiredis only for the protocol: redisFormatCommandArgv and
 *                 a redisReader), AUTH and SELECT on connect;
 *   redis.c       the store ops and the bus subscriber;
 *   redis_url.c   the URL and options (redis_options.c: their defaults);
 *   redis_pool.c  the connection pool with backoff, pipelined commands and
 *                 Lua scripts (EVALSHA, EVAL on NOSCRIPT);
 *   redis_pipe.c  commands sent without waiting, batched by one thread.
 * Other store files (task records, ...) run their commands through
 * mcp__redis_run / mcp__redis_eval on the same pool. */
#ifndef MCP_STORE_REDIS_INTERNAL_H
#define MCP_STORE_REDIS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>
#include <openssl/ssl.h>

#include <mcp/store.h>

#include "store/store.h"

/* ---------------- connection settings (redis_url.c) ---------------- */

typedef struct mcp__redis_config {
    char host[256];
    int port;
    int db;
    char *user;                  /* ACL user, or NULL ("AUTH password") */
    char *password;              /* NULL: no AUTH; never logged */
    bool tls;                    /* rediss:// */
    char *server_name;           /* TLS: SNI and the name verified (default: host) */
    SSL_CTX *ssl;                /* TLS context (CA, client certificate) */
    unsigned connect_timeout_ms;
    unsigned command_timeout_ms;
} mcp__redis_config;

/* Parse url and opts into cfg (zeroed first); builds the TLS context, so a
 * missing CA or key file is reported here. 0 or -MCP_EINVAL with a message
 * in err. mcp__redis_config_clear frees what it holds. */
int mcp__redis_config_parse(mcp__redis_config *cfg, const char *url, const mcp_store_redis_options *opts,
                            char *err, size_t errlen);
void mcp__redis_config_clear(mcp__redis_config *cfg);
/* snprintf into err when err and errlen are set. */
void mcp__redis_errf(char *err, size_t errlen, const char *fmt, ...) MCP_PRINTF(3, 4);

/* ---------------- one connection (redis_conn.c) ---------------- */

typedef struct mcp__redis_conn mcp__redis_conn;

/* Connect (TCP, then the TLS handshake with certificate and name
 * verification), then AUTH and SELECT. Returns 0, -MCP_EIO when Redis
 * cannot be reached now (retry later), or -MCP_EINVAL when Redis or its
 * certificate rejected us (wrong password, unknown CA, wrong name: retrying
 * will not help). err receives the reason (never the password). */
int mcp__redis_dial(const mcp__redis_config *cfg, unsigned command_timeout_ms, mcp__redis_conn **out,
                    char *err, size_t errlen);
void mcp__redis_close(mcp__redis_conn *c);

/* Queue one command (sent by the next flush or read). 0 or -MCP_ENOMEM. */
int mcp__redis_append(mcp__redis_conn *c, int argc, const char **argv, const size_t *len);
/* Read one reply (flushing queued commands first): 0 and *reply (caller
 * frees with freeReplyObject), -MCP_ETIMEDOUT when nothing complete came
 * within the command timeout (the connection stays usable, a partial reply
 * stays buffered), -MCP_EIO when the connection broke (close it). */
int mcp__redis_read(mcp__redis_conn *c, redisReply **reply);
/* mcp__redis_read that also returns 1 (no reply yet) once wake_fd becomes
 * readable; the command timeout counts from since_ms (so wake-ups do not
 * extend it). */
int mcp__redis_read_or_wake(mcp__redis_conn *c, int wake_fd, uint64_t since_ms, redisReply **reply);
/* A connection the server closed (restart, idle timeout, failover) has its
 * end of stream waiting: false then, without blocking. */
bool mcp__redis_alive(mcp__redis_conn *c);
/* False once an I/O or protocol error happened on c. */
bool mcp__redis_ok(const mcp__redis_conn *c);

/* ---------------- the store (pool: redis_pool.c, ops: redis.c) ---------------- */

#define MCP__REDIS_POOL_SIZE 8

typedef struct mcp__redis_slot {
    mcp__redis_conn *conn;
    bool busy;
} mcp__redis_slot;

typedef struct mcp__redis_store mcp__redis_store;   /* a mcp_store opened by mcp_store_redis_open* */
struct mcp__redis_store {
    mcp_store base;
    mcp__redis_config cfg;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    mcp__redis_slot slots[MCP__REDIS_POOL_SIZE];
    uint64_t retry_at_ms;         /* no reconnect attempts before this */
    unsigned backoff_ms;
    atomic_bool healthy;
    /* subscriber */
    pthread_t sub_thread;
    bool sub_started;
    atomic_bool stopping;
    _Atomic uint64_t bus_since_ms; /* subscribed without a break since then; 0: not subscribed */
    store_message_fn on_message;
    void *on_message_ctx;
    /* commands without waiting (redis_pipe.c); the thread starts on first use */
    pthread_mutex_t pipe_lock;
    pthread_cond_t pipe_ready;
    struct mcp__redis_op *pipe_head, *pipe_tail;
    bool pipe_started, pipe_idle, pipe_stopping;
    int pipe_wake_fd;             /* eventfd: commands queued while the thread waits on Redis */
    atomic_bool pipe_reading, pipe_woken;
    pthread_t pipe_thread;
};

/* ---------------- pooled commands (redis_pool.c) ---------------- */

#define MCP__REDIS_MAX_ARGS 16   /* the task-create EVAL has 13 (redis_tasks.c) */

typedef struct mcp__redis_cmd {
    int argc;
    const char *argv[MCP__REDIS_MAX_ARGS];
    size_t len[MCP__REDIS_MAX_ARGS];
} mcp__redis_cmd;

/* argc C strings (lengths by strlen; set len[i] for binary arguments). */
void mcp__redis_cmd_init(mcp__redis_cmd *c, int argc, ...);

/* Run n pipelined commands in one round trip; replies[i] receive the
 * results (caller frees with mcp__redis_free_replies). -MCP_EIO when Redis
 * cannot be reached or answers an error (replies then already freed). */
int mcp__redis_run(mcp__redis_store *rs, mcp__redis_cmd *cmds, int n, redisReply **replies);
void mcp__redis_free_replies(redisReply **replies, int n);
/* Close the pooled connections (at free, after the subscriber stopped). */
void mcp__redis_pool_close(mcp__redis_store *rs);

/* A server-side Lua script, run by EVALSHA with EVAL when Redis answers
 * NOSCRIPT (after a restart or SCRIPT FLUSH). Define them static with
 * MCP__REDIS_SCRIPT("..."); the SHA-1 is computed on first use. */
typedef struct mcp__redis_script {
    const char *source;
    char sha1[41];
    int ready;                   /* atomic flag: sha1 computed */
} mcp__redis_script;
#define MCP__REDIS_SCRIPT(src) { (src), {0}, 0 }

/* Run script with nkeys keys then nargs arguments (nkeys + nargs <= MCP__REDIS_MAX_ARGS - 3, i.e. 13) in
 * one round trip (two the first time on a fresh Redis). *reply as for
 * mcp__redis_run; a script error is -MCP_EIO. */
int mcp__redis_eval(mcp__redis_store *rs, mcp__redis_script *script, int nkeys, const char **keys, int nargs,
                    const char **args, redisReply **reply);

/* A pooled connection (NULL at once while Redis is backing off) and its
 * return (healthy false drops it, so the next use redials). */
mcp__redis_slot *mcp__redis_acquire(mcp__redis_store *rs);
void mcp__redis_release(mcp__redis_store *rs, mcp__redis_slot *slot, bool healthy);

/* ---------------- commands without waiting (redis_pipe.c) ---------------- */

/* Send command c without waiting for the answer: one thread of the store
 * sends the commands queued meanwhile together on one connection and calls
 * done(ctx, rc, reply) for each as its reply comes, in order (rc 0 with the
 * reply, which done must not keep, or -MCP_EIO with NULL when the
 * connection failed or the reply was an error). The arguments are copied.
 * 0 when queued, then done follows exactly once; -MCP_EIO once the store
 * is stopping, -MCP_EINVAL or -MCP_ENOMEM (done is not called). done may
 * queue more. */
typedef void (*mcp__redis_done)(void *ctx, int rc, const redisReply *reply);
int mcp__redis_run_async(mcp__redis_store *rs, const mcp__redis_cmd *c, mcp__redis_done done, void *ctx);
/* Stop the pipeline thread (at free): queued commands are still sent. */
void mcp__redis_pipe_stop(mcp__redis_store *rs);

/* "mcp:{sid}:suffix" (the key layout of redis.c). */
void mcp__redis_key(char *out, size_t len, const char *sid, const char *suffix);

#endif
