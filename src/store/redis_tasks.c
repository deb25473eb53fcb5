/* Task records in Redis (extension io.modelcontextprotocol/tasks), so every
 * instance on one Redis serves every task. Each change is one Lua script
 * (mcp__redis_eval: EVALSHA),
 * atomic on the server: create checks the per-principal limit, put is a
 * compare-and-set on the record's version. Key layout (a single Redis or a
 * replicated primary; the scripts touch several keys, so not Cluster):
 *   mcp:t:{id}        hash    j = record JSON, v = version; expires with the task
 *   mcp:tp:<principal> zset   unfinished task ids, score = expiry (unix ms)
 *   mcp:to:<owner>    set     unfinished task ids an instance runs
 *   mcp:towners       set     instances that own unfinished tasks
 *   mcp:thb:<owner>   string  the instance's lease (PX lease_ms)
 *   mcp:tin:<owner>   list    "id what" pokes for the instance (cancel, resume) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mcp/error.h>

#include "store/redis_tasks.h"

#include "base/clock.h"
#include "store/redis_internal.h"

typedef struct redis_tasks {
    task_store base;
    mcp__redis_store *rs;        /* borrowed: the pool the commands run on */
} redis_tasks;

static const char CREATE_LUA[] =
    "redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])\n"
    "local max = tonumber(ARGV[3])\n"
    "if max > 0 and redis.call('ZCARD', KEYS[2]) >= max then return -1 end\n"
    "if redis.call('EXISTS', KEYS[1]) == 1 then return -2 end\n"
    "redis.call('HSET', KEYS[1], 'j', ARGV[1], 'v', '1')\n"
    "redis.call('PEXPIREAT', KEYS[1], ARGV[2])\n"
    "redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])\n"
    "redis.call('PEXPIREAT', KEYS[2], ARGV[2])\n"
    "redis.call('SADD', KEYS[3], ARGV[4])\n"
    "redis.call('SADD', KEYS[4], ARGV[6])\n"
    "return 1\n";

static const char PUT_LUA[] =
    "local v = redis.call('HGET', KEYS[1], 'v')\n"
    "if not v then return -1 end\n"
    "if v ~= ARGV[1] then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'j', ARGV[2], 'v', tostring(tonumber(v) + 1))\n"
    "if ARGV[3] == '1' then\n"
    "  redis.call('ZREM', KEYS[2], ARGV[4])\n"
    "  redis.call('SREM', KEYS[3], ARGV[4])\n"
    "end\n"
    "return 1\n";

static const char DRAIN_LUA[] =
    "local r = redis.call('LRANGE', KEYS[1], 0, -1)\n"
    "if #r > 0 then redis.call('DEL', KEYS[1]) end\n"
    "return r\n";

/* Unfinished tasks of instances whose lease is gone; ids of records that
 * expired meanwhile are dropped from the sets. */
static const char ORPHANS_LUA[] =
    "local out = {}\n"
    "for _, o in ipairs(redis.call('SMEMBERS', KEYS[1])) do\n"
    "  if o ~= ARGV[1] and redis.call('EXISTS', 'mcp:thb:' .. o) == 0 then\n"
    "    local set = 'mcp:to:' .. o\n"
    "    for _, id in ipairs(redis.call('SMEMBERS', set)) do\n"
    "      if redis.call('EXISTS', 'mcp:t:{' .. id .. '}') == 1 then table.insert(out, id)\n"
    "      else redis.call('SREM', set, id) end\n"
    "    end\n"
    "    if redis.call('SCARD', set) == 0 then redis.call('SREM', KEYS[1], o) end\n"
    "  end\n"
    "end\n"
    "return out\n";

static mcp__redis_script create_script = MCP__REDIS_SCRIPT(CREATE_LUA);
static mcp__redis_script put_script = MCP__REDIS_SCRIPT(PUT_LUA);
static mcp__redis_script drain_script = MCP__REDIS_SCRIPT(DRAIN_LUA);
static mcp__redis_script orphans_script = MCP__REDIS_SCRIPT(ORPHANS_LUA);

static void cmd_set(mcp__redis_cmd *c, int argc, const char **argv)
{
    c->argc = argc;
    for (int i = 0; i < argc; i++) {
        c->argv[i] = argv[i];
        c->len[i] = strlen(argv[i]);
    }
}

/* One command; *out the reply (free it) or NULL when out is NULL. */
static int exec1(redis_tasks *rt, int argc, const char **argv, redisReply **out)
{
    mcp__redis_cmd c;
    cmd_set(&c, argc, argv);
    redisReply *rep = NULL;
    int rc = mcp__redis_run(rt->rs, &c, 1, &rep);
    if (rc < 0)
        return rc;
    if (out)
        *out = rep;
    else
        freeReplyObject(rep);
    return 0;
}

static void k_task(char *out, size_t n, const char *id) { snprintf(out, n, "mcp:t:{%s}", id); }

static int r_create(task_store *ts, const char *id, const char *principal, const char *owner,
                    const char *json, int64_t expire, unsigned max_active)
{
    redis_tasks *rt = (redis_tasks *)ts;
    char kt[96], kp[320], ko[64], exp[24], max[16], now[24];
    k_task(kt, sizeof kt, id);
    snprintf(kp, sizeof kp, "mcp:tp:%s", principal);
    snprintf(ko, sizeof ko, "mcp:to:%s", owner);
    snprintf(exp, sizeof exp, "%" PRId64, expire);
    snprintf(max, sizeof max, "%u", max_active);
    snprintf(now, sizeof now, "%" PRId64, (int64_t)mcp__unix_ms());
    const char *keys[] = { kt, kp, ko, "mcp:towners" };
    const char *args[] = { json, exp, max, id, now, owner };   /* 4 + 6: MCP__REDIS_MAX_ARGS 16 */
    redisReply *rep = NULL;
    int rc = mcp__redis_eval(rt->rs, &create_script, 4, keys, 6, args, &rep);
    if (rc < 0)
        return rc;
    long long r = rep->type == REDIS_REPLY_INTEGER ? rep->integer : 0;
    freeReplyObject(rep);
    return r == 1 ? 0 : r == -1 ? -MCP_ELIMIT : r == -2 ? -MCP_EEXIST : -MCP_EIO;
}

static int r_get(task_store *ts, const char *id, char **json, uint64_t *version)
{
    char kt[96];
    k_task(kt, sizeof kt, id);
    const char *argv[] = { "HMGET", kt, "j", "v" };
    redisReply *rep = NULL;
    int rc = exec1((redis_tasks *)ts, 4, argv, &rep);
    if (rc < 0)
        return rc;
    rc = -MCP_ENOTFOUND;
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 && rep->element[0]->type == REDIS_REPLY_STRING &&
        rep->element[1]->type == REDIS_REPLY_STRING) {
        *json = strndup(rep->element[0]->str, rep->element[0]->len);
        *version = strtoull(rep->element[1]->str, NULL, 10);
        rc = *json ? 0 : -MCP_ENOMEM;
    }
    freeReplyObject(rep);
    return rc;
}

static int r_put(task_store *ts, const char *id, uint64_t version, const char *json, bool finished,
                 const char *principal, const char *owner)
{
    char kt[96], kp[320], ko[64], ver[24];
    k_task(kt, sizeof kt, id);
    snprintf(kp, sizeof kp, "mcp:tp:%s", principal ? principal : "");
    snprintf(ko, sizeof ko, "mcp:to:%s", owner ? owner : "");
    snprintf(ver, sizeof ver, "%" PRIu64, version);
    const char *keys[] = { kt, kp, ko };
    const char *args[] = { ver, json, finished ? "1" : "0", id };
    redisReply *rep = NULL;
    int rc = mcp__redis_eval(((redis_tasks *)ts)->rs, &put_script, 3, keys, 4, args, &rep);
    if (rc < 0)
        return rc;
    long long r = rep->type == REDIS_REPLY_INTEGER ? rep->integer : -2;
    freeReplyObject(rep);
    return r == 1 ? 0 : r == 0 ? TASK_STORE_CONFLICT : r == -1 ? -MCP_ENOTFOUND : -MCP_EIO;
}

static int r_forget(task_store *ts, const char *id, const char *principal, const char *owner)
{
    char kp[320], ko[64];
    snprintf(kp, sizeof kp, "mcp:tp:%s", principal ? principal : "");
    snprintf(ko, sizeof ko, "mcp:to:%s", owner ? owner : "");
    mcp__redis_cmd c[2];
    cmd_set(&c[0], 3, (const char *[]){ "ZREM", kp, id });
    cmd_set(&c[1], 3, (const char *[]){ "SREM", ko, id });
    redisReply *rep[2];
    int rc = mcp__redis_run(((redis_tasks *)ts)->rs, c, 2, rep);
    if (rc == 0) {
        freeReplyObject(rep[0]);
        freeReplyObject(rep[1]);
    }
    return rc;
}

static int r_notify(task_store *ts, const char *owner, const char *id, const char *what)
{
    char kin[64];
    snprintf(kin, sizeof kin, "mcp:tin:%s", owner);
    strbuf line = {0};
    if (mcp__strbuf_printf(&line, "%s %s", id, what) < 0)
        return -MCP_ENOMEM;
    mcp__redis_cmd c[2];
    cmd_set(&c[0], 3, (const char *[]){ "RPUSH", kin, line.data });
    cmd_set(&c[1], 3, (const char *[]){ "PEXPIRE", kin, "600000" });
    redisReply *rep[2];
    int rc = mcp__redis_run(((redis_tasks *)ts)->rs, c, 2, rep);
    if (rc == 0) {
        freeReplyObject(rep[0]);
        freeReplyObject(rep[1]);
    }
    mcp__strbuf_free(&line);
    return rc;
}

/* Append every string element of an array reply as a line. */
static int lines_of(const redisReply *rep, strbuf *out)
{
    int rc = 0;
    for (size_t i = 0; rep->type == REDIS_REPLY_ARRAY && i < rep->elements && rc == 0; i++)
        if (rep->element[i]->type == REDIS_REPLY_STRING) {
            rc = mcp__strbuf_append(out, rep->element[i]->str, rep->element[i]->len);
            if (rc == 0)
                rc = mcp__strbuf_puts(out, "\n");
        }
    return rc;
}

static int r_drain(task_store *ts, const char *owner, strbuf *out)
{
    char kin[64];
    snprintf(kin, sizeof kin, "mcp:tin:%s", owner);
    const char *keys[] = { kin };
    redisReply *rep = NULL;
    int rc = mcp__redis_eval(((redis_tasks *)ts)->rs, &drain_script, 1, keys, 0, NULL, &rep);
    if (rc < 0)
        return rc;
    rc = lines_of(rep, out);
    freeReplyObject(rep);
    return rc;
}

static int r_heartbeat(task_store *ts, const char *owner, unsigned lease_ms)
{
    char khb[64], px[16];
    snprintf(khb, sizeof khb, "mcp:thb:%s", owner);
    snprintf(px, sizeof px, "%u", lease_ms);
    const char *argv[] = { "SET", khb, "1", "PX", px };
    return exec1((redis_tasks *)ts, 5, argv, NULL);
}

static int r_orphans(task_store *ts, const char *self, strbuf *out)
{
    const char *keys[] = { "mcp:towners" };
    const char *args[] = { self };
    redisReply *rep = NULL;
    int rc = mcp__redis_eval(((redis_tasks *)ts)->rs, &orphans_script, 1, keys, 1, args, &rep);
    if (rc < 0)
        return rc;
    rc = lines_of(rep, out);
    freeReplyObject(rep);
    return rc;
}

static void r_sweep(task_store *ts, int64_t now)
{
    (void)ts;
    (void)now;   /* records expire by themselves (PEXPIREAT) */
}

static void r_free(task_store *ts)
{
    free(ts);
}

static const task_store_ops redis_task_ops = {
    r_create, r_get, r_put, r_forget, r_notify, r_drain, r_heartbeat, r_orphans, r_sweep, r_free,
};

task_store *mcp__redis_tasks_open(mcp_store *st)
{
    redis_tasks *rt = calloc(1, sizeof *rt);
    if (!rt)
        return NULL;
    rt->base.ops = &redis_task_ops;
    rt->base.shared = true;
    rt->rs = (mcp__redis_store *)st;
    return &rt->base;
}
