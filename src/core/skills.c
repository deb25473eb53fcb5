/* Skills (SEP-2640) on the server side: mcp_server_add_skills_dir hands a
 * directory to the loader (skills_load.c), registers every loaded file as
 * an ordinary resource (resources/read returns exactly the hashed bytes),
 * publishes the skills and declares the extension; then skills/list,
 * skills/get and resources/directory/read only copy prebuilt JSON under
 * the registry lock (folders above the skills, such as skill://acme, are
 * listed from the skill URIs). Nothing is freed before the server, so a resource
 * handler's file pointer stays valid even after a failed registration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "core/extensions.h"
#include "core/jsonrpc.h"
#include "core/methods.h"
#include "core/skills_load.h"

/* ---------------- registration ---------------- */

static int read_skill_file(mcp_call *call, const char *uri, const cJSON *vars, void *userdata)
{
    (void)uri;
    (void)vars;
    const skill_file *f = userdata;
    if (f->text)
        return mcp_call_resource_text(call, f->uri, f->mime, (const char *)f->data);
    char *b64 = mcp__base64_encode(f->data, f->size);
    if (!b64)
        return -MCP_ENOMEM;
    int rc = mcp_call_resource_blob(call, f->uri, f->mime, b64);
    free(b64);
    return rc;
}

/* Register a skill's files as resources. SKILL.md is named and described by
 * its frontmatter; the rest of the frontmatter rides in _meta under the
 * extension's prefix. Returns how many were added through *added. */
static int register_files(mcp_server *srv, const skill *s, size_t *added)
{
    cJSON *extra = cJSON_Duplicate(s->frontmatter, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(extra, "name");
    cJSON_DeleteItemFromObjectCaseSensitive(extra, "description");
    char *meta = NULL;
    if (extra && extra->child) {
        cJSON *m = cJSON_CreateObject();
        if (m) {
            cJSON_AddItemToObject(m, META_PREFIX "frontmatter", extra);
            extra = NULL;
            meta = cJSON_PrintUnformatted(m);
            cJSON_Delete(m);
        }
    }
    cJSON_Delete(extra);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->files.len; i++) {
        const skill_file *f = s->files.items[i];
        bool md = strcmp(f->rel, "SKILL.md") == 0;
        mcp_resource r = {
            .uri = f->uri,
            .name = md ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->frontmatter, "name")) : f->rel,
            .description = md ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->frontmatter, "description")) : NULL,
            .mime_type = f->mime,
            .handler = read_skill_file,
            .meta = md ? meta : NULL,
        };
        rc = mcp_server_add_resource(srv, &r, (void *)f);
        if (rc == 0)
            (*added)++;
        else
            fprintf(stderr, "libmcp: skill file %s not registered: %s\n", f->uri, mcp_strerror(rc));
    }
    free(meta);
    return rc;
}

static void unregister_files(mcp_server *srv, const skill *s, size_t count)
{
    for (size_t i = 0; i < count && i < s->files.len; i++)
        mcp_server_remove_resource(srv, ((const skill_file *)s->files.items[i])->uri);
}

static bool valid_prefix(const char *p)
{
    if (!*p || *p == '/' || p[strlen(p) - 1] == '/' || strstr(p, "//"))
        return false;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~/", *p)))
            return false;
    return true;
}

/* Move the loaded skills into the server's catalogue (under the lock). */
static int publish(mcp_server *srv, entry_list *found, bool directory_read)
{
    int rc = 0;
    pthread_rwlock_wrlock(&srv->lock);
    if (!srv->skills && !(srv->skills = calloc(1, sizeof *srv->skills)))
        rc = -MCP_ENOMEM;
    struct mcp__skills *sk = srv->skills;
    for (size_t i = 0; rc == 0 && i < found->len; i++) {
        skill *s = found->items[i];
        rc = mcp__entry_list_push(&sk->skills, s);
        for (size_t d = 0; rc == 0 && d < s->dirs.len; d++)
            rc = mcp__entry_list_push(&sk->dirs, s->dirs.items[d]);
        if (rc == 0)
            found->items[i] = NULL;
    }
    if (rc == 0 && directory_read)
        sk->directory_read = true;
    bool dr = sk && sk->directory_read;
    pthread_rwlock_unlock(&srv->lock);
    if (rc == 0) {
        cJSON *settings = cJSON_CreateObject();
        if (settings && dr)
            cJSON_AddTrueToObject(settings, "directoryRead");
        rc = mcp__extension_declare(srv, MCP_EXT_SKILLS, settings);
    }
    return rc;
}

void mcp_skills_options_init(mcp_skills_options *opts)
{
    if (opts)
        *opts = (mcp_skills_options){0};
}

int mcp_server_add_skills_dir(mcp_server *srv, const char *path, const mcp_skills_options *opts)
{
    mcp_skills_options o;
    mcp_skills_options_init(&o);
    if (opts)
        o = *opts;
    if (!srv || !path || (o.uri_prefix && !valid_prefix(o.uri_prefix)))
        return -MCP_EINVAL;
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return mcp__skills_error(-MCP_ENOTFOUND, path, "not a directory");
    strbuf base = {0};
    if (o.uri_prefix)
        mcp__strbuf_printf(&base, "skill://%s", o.uri_prefix);
    entry_list found = {0};
    int rc = mcp__skills_load(path, base.data ? base.data : "", &found);
    mcp__strbuf_free(&base);
    if (rc == 0 && found.len == 0)
        rc = mcp__skills_error(-MCP_ENOTFOUND, path, "no folder with a SKILL.md");
    size_t done = 0, added = 0;
    for (; rc == 0 && done < found.len; done++) {
        added = 0;
        rc = register_files(srv, found.items[done], &added);
    }
    if (rc < 0 && found.len) {
        /* Nothing half-served: take back what this call registered. */
        size_t last = done ? done - 1 : 0;
        if (done)
            unregister_files(srv, found.items[last], added);
        for (size_t i = 0; i < last; i++)
            unregister_files(srv, found.items[i], ((skill *)found.items[i])->files.len);
    }
    if (rc == 0)
        rc = publish(srv, &found, !o.no_directory_read);
    if (rc < 0 && found.len) {
        /* Their files may have been visible for a moment: keep them alive. */
        pthread_rwlock_wrlock(&srv->lock);
        if (!srv->skills)
            srv->skills = calloc(1, sizeof *srv->skills);
        for (size_t i = 0; i < found.len; i++)
            if (found.items[i] && (!srv->skills || mcp__entry_list_push(&srv->skills->graveyard, found.items[i]) < 0))
                mcp__skill_free(found.items[i]);   /* out of memory: nothing better to do */
        pthread_rwlock_unlock(&srv->lock);
    }
    free(found.items);
    return rc;
}

/* ---------------- methods ---------------- */

static struct mcp__skills *served(mcp_call *call, bool need_directory_read)
{
    pthread_rwlock_rdlock(&call->srv->lock);
    struct mcp__skills *sk = call->srv->skills;
    bool ok = sk && sk->skills.len && (!need_directory_read || sk->directory_read);
    pthread_rwlock_unlock(&call->srv->lock);
    if (!ok) {
        char msg[160];
        snprintf(msg, sizeof msg, "Method not found: %s (this server %s)", call->method,
                 need_directory_read && sk && sk->skills.len ? "does not offer directoryRead" : "serves no skills");
        mcp__call_reply_error(call, JSONRPC_METHOD_NOT_FOUND, msg);
        return NULL;
    }
    return sk;
}

static const cJSON *entry_of(const void *s)
{
    return ((const skill *)s)->entry;
}

void mcp__method_skills_list(mcp_call *call)
{
    struct mcp__skills *sk = served(call, false);
    if (sk)
        mcp__reply_list(call, &sk->skills, "skills", entry_of);
}

void mcp__method_skills_get(mcp_call *call)
{
    struct mcp__skills *sk = served(call, false);
    if (!sk)
        return;
    const char *uri = mcp__param_string(call, "uri");
    if (!uri) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: skills/get needs a uri string");
        return;
    }
    cJSON *entry = NULL;
    pthread_rwlock_rdlock(&call->srv->lock);
    for (size_t i = 0; i < sk->skills.len && !entry; i++) {
        const skill *s = sk->skills.items[i];
        if (strcmp(s->uri, uri) == 0)
            entry = cJSON_Duplicate(s->entry, 1);
    }
    pthread_rwlock_unlock(&call->srv->lock);
    if (!entry) {
        char msg[512];
        snprintf(msg, sizeof msg, "Invalid params: no skill is served at %.400s", uri);
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, msg);
        return;
    }
    cJSON *result = cJSON_CreateObject();
    if (result)
        cJSON_AddItemToObject(result, "skill", entry);
    else
        cJSON_Delete(entry);
    mcp__call_reply_result(call, result);
}

/* The children of an organisational folder above skills (skill://acme for
 * skill://acme/x/SKILL.md): the next path segment of every skill below it,
 * as directories. NULL when no served skill lies below uri. Caller holds
 * the registry lock. */
static cJSON *prefix_children(const struct mcp__skills *sk, const char *uri)
{
    size_t ulen = strlen(uri);
    if (!ulen || uri[ulen - 1] == '/' || !strstr(uri, "://"))
        return NULL;
    cJSON *out = NULL;
    for (size_t i = 0; i < sk->skills.len; i++) {
        const char *root = ((const skill *)sk->skills.items[i])->uri;   /* .../SKILL.md */
        if (strncmp(root, uri, ulen) != 0 || root[ulen] != '/')
            continue;
        const char *seg = root + ulen + 1;
        size_t seglen = strcspn(seg, "/");
        if (!seglen || !seg[seglen] || strcmp(seg, "SKILL.md") == 0)
            continue;                           /* uri is the skill itself, not above it */
        char *child = malloc(ulen + 1 + seglen + 1);
        char *name = strndup(seg, seglen);
        if (child && name) {
            snprintf(child, ulen + 1 + seglen + 1, "%s/%s", uri, name);
            bool dup = false;
            for (const cJSON *c = out ? out->child : NULL; c && !dup; c = c->next)
                dup = strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "uri")), child) == 0;
            if (!dup && (out || (out = cJSON_CreateArray()))) {
                cJSON *r = cJSON_CreateObject();
                if (r) {
                    cJSON_AddStringToObject(r, "uri", child);
                    cJSON_AddStringToObject(r, "name", name);
                    cJSON_AddStringToObject(r, "mimeType", "inode/directory");
                    cJSON_AddItemToArray(out, r);
                }
            }
        }
        free(child);
        free(name);
    }
    return out;
}

void mcp__method_resources_directory_read(mcp_call *call)
{
    struct mcp__skills *sk = served(call, true);
    if (!sk)
        return;
    const char *uri = mcp__param_string(call, "uri");
    if (!uri) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: resources/directory/read needs a uri string");
        return;
    }
    const cJSON *cursor = cJSON_GetObjectItemCaseSensitive(call->params, "cursor");
    const char *c = cJSON_GetStringValue(cursor);
    char *stop = NULL;
    unsigned long long offset = c && *c ? strtoull(c, &stop, 10) : 0;
    bool bad_cursor = cursor && (!c || (*c && *stop));
    cJSON *result = cJSON_CreateObject();
    cJSON *page = cJSON_CreateArray();
    bool found = false, more = false;
    size_t next = 0;
    pthread_rwlock_rdlock(&call->srv->lock);
    const cJSON *children = NULL;
    for (size_t i = 0; i < sk->dirs.len && !children; i++) {
        const skill_dir *d = sk->dirs.items[i];
        if (strcmp(d->uri, uri) == 0)
            children = d->children;
    }
    cJSON *prefix = children ? NULL : prefix_children(sk, uri);
    if (prefix)
        children = prefix;
    if (children) {
        found = true;
        size_t n = (size_t)cJSON_GetArraySize(children);
        if (offset > n)
            bad_cursor = true;
        size_t end = bad_cursor ? 0 : (offset + call->srv->page_size < n ? offset + call->srv->page_size : n);
        for (size_t k = bad_cursor ? end : (size_t)offset; page && k < end; k++)
            cJSON_AddItemToArray(page, cJSON_Duplicate(cJSON_GetArrayItem(children, (int)k), 1));
        more = end < n;
        next = end;
    }
    cJSON_Delete(prefix);
    pthread_rwlock_unlock(&call->srv->lock);
    if (!found || bad_cursor || !result || !page) {
        char msg[512];
        snprintf(msg, sizeof msg, !found ? "Invalid params: %.400s is not a served directory" : "Invalid cursor", uri);
        cJSON_Delete(result);
        cJSON_Delete(page);
        mcp__call_reply_error(call, !result || !page ? JSONRPC_INTERNAL_ERROR : JSONRPC_INVALID_PARAMS, msg);
        return;
    }
    cJSON_AddItemToObject(result, "resources", page);
    if (more) {
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", next);
        cJSON_AddStringToObject(result, "nextCursor", buf);
    }
    mcp__call_reply_result(call, result);
}
