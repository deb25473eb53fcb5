/* The registries of tools, resources and prompts. Definitions are turned
 * into the JSON objects that tools/list, resources/list and prompts/list
 * return once, at registration (schemas compiled here too), so listing and
 * calling do no parsing. gate_definition() strips fields a client's version
 * predates. Also what the registries imply: capabilities, pagination of the
 * lists, and the OAuth scopes a request needs. */
#include "core/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "core/apps_meta.h"
#include "core/call.h"
#include "core/entry.h"
#include "core/extensions.h"
#include "core/jsonrpc.h"
#include "core/notify.h"

int mcp__entry_list_push(entry_list *l, void *item)
{
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        void **p = realloc(l->items, cap * sizeof *p);
        if (!p)
            return -MCP_ENOMEM;
        l->items = p;
        l->cap = cap;
    }
    l->items[l->len++] = item;
    return 0;
}

static void *entry_list_remove_at(entry_list *l, size_t i)
{
    void *item = l->items[i];
    memmove(&l->items[i], &l->items[i + 1], (l->len - i - 1) * sizeof *l->items);
    l->len--;
    return item;
}

/* ---------------- shared helpers ---------------- */

static bool valid_tool_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

static void add_opt_string(cJSON *obj, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, key, value);
}

/* Parse optional JSON text into obj[key]; -MCP_EINVAL when it is not JSON
 * of the wanted type. */
static int add_opt_json(cJSON *obj, const char *key, const char *text, int want_type)
{
    if (!text)
        return 0;
    cJSON *v = cJSON_Parse(text);
    if (!v || (v->type & 0xFF) != want_type) {
        cJSON_Delete(v);
        return -MCP_EINVAL;
    }
    cJSON_AddItemToObject(obj, key, v);
    return 0;
}

static void notify_list_changed(mcp_server *srv, const char *method)
{
    mcp__server_broadcast(srv, mcp__jsonrpc_notification_take(method, NULL), NULL);
}

/* Version-gate a definition object for the caller's protocol version. */
static cJSON *gate_definition(const cJSON *def, mcp__revision v)
{
    cJSON *copy = cJSON_Duplicate(def, 1);
    if (!copy)
        return NULL;
    if (!mcp_v_titles(v))
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "title");
    if (!mcp_v_icons(v))
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "icons");
    if (!mcp_v_structured(v))
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "outputSchema");
    if (!mcp_v_annotations(v))
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "annotations");
    return copy;
}

/* ---------------- tools ---------------- */

static void add_hint(cJSON *obj, const char *key, mcp_hint h)
{
    if (h != MCP_HINT_UNSET)
        cJSON_AddBoolToObject(obj, key, h == MCP_HINT_TRUE);
}

static cJSON *tool_annotations_json(const mcp_tool_annotations *a)
{
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    add_opt_string(obj, "title", a->title);
    add_hint(obj, "readOnlyHint", a->read_only);
    add_hint(obj, "destructiveHint", a->destructive);
    add_hint(obj, "idempotentHint", a->idempotent);
    add_hint(obj, "openWorldHint", a->open_world);
    if (!obj->child) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

static cJSON *tool_definition(const mcp_tool *tool)
{
    cJSON *def = cJSON_CreateObject();
    if (!def)
        return NULL;
    cJSON_AddStringToObject(def, "name", tool->name);
    add_opt_string(def, "title", tool->title);
    add_opt_string(def, "description", tool->description);
    int rc = add_opt_json(def, "inputSchema", tool->input_schema ? tool->input_schema : "{\"type\":\"object\"}", cJSON_Object);
    if (rc == 0)
        rc = add_opt_json(def, "outputSchema", tool->output_schema, cJSON_Object);
    if (rc == 0)
        rc = add_opt_json(def, "icons", tool->icons, cJSON_Array);
    if (rc == 0)
        rc = add_opt_json(def, "_meta", tool->meta, cJSON_Object);
    if (rc == 0)
        rc = mcp__apps_tool_meta(def, tool);      /* MCP Apps: _meta.ui */
    if (rc < 0) {
        cJSON_Delete(def);
        return NULL;
    }
    cJSON *ann = tool_annotations_json(&tool->annotations);
    if (ann)
        cJSON_AddItemToObject(def, "annotations", ann);
    return def;
}

static int compile_schema(const mcp_server *srv, const cJSON *def, const char *key, mcp_schema **out)
{
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(def, key);
    *out = NULL;
    if (!schema)
        return 0;
    char err[512];
    *out = mcp__schema_compile_with(schema, srv->schema_registry, NULL, srv->schema_flags, err, sizeof err);
    if (!*out) {
        /* Registration happens at startup: tell the author what to fix. */
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(def, "name"));
        fprintf(stderr, "libmcp: %s of tool %s rejected: %s\n", key, name ? name : "?", err);
    }
    return *out ? 0 : -MCP_EINVAL;
}

int mcp_server_add_tool(mcp_server *srv, const mcp_tool *tool, void *userdata)
{
    if (!srv || !tool || !valid_tool_name(tool->name) || !tool->handler)
        return -MCP_EINVAL;
    tool_entry *t = mcp__tool_entry_new();
    if (!t)
        return -MCP_ENOMEM;
    t->name = strdup(tool->name);
    t->def = tool_definition(tool);
    t->fn = tool->handler;
    t->userdata = userdata;
    t->blocking = tool->blocking;
    t->session_scoped = tool->session_scoped;
    t->scopes = mcp__xstrdup(tool->scopes);
    t->task = tool->task;                 /* tasks.c */
    t->task_after_input = tool->task_after_input;
    int rc = (!t->name || !t->def) ? -MCP_EINVAL : 0;
    if (rc == 0) {
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(t->def, "inputSchema");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(in, "type");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "object") != 0)
            rc = -MCP_EINVAL;    /* MCP: inputSchema must be an object schema */
    }
    if (rc == 0) {
        /* Known once here so a modern tools/call without Mcp-Param-*
         * properties skips the per-request scan of the schema. */
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(t->def, "inputSchema"), "properties");
        for (const cJSON *p = props ? props->child : NULL; p && !t->param_headers; p = p->next)
            t->param_headers = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "x-mcp-header"));
    }
    if (rc == 0)
        rc = compile_schema(srv, t->def, "inputSchema", &t->input);
    if (rc == 0)
        rc = compile_schema(srv, t->def, "outputSchema", &t->output);
    if (rc < 0) {
        mcp__tool_entry_free(t);
        return rc;
    }
    pthread_rwlock_wrlock(&srv->lock);
    if (mcp__registry_find_tool(srv, tool->name))
        rc = -MCP_EEXIST;
    else
        rc = mcp__entry_list_push(&srv->tools, t);
    if (rc == 0 && t->session_scoped)
        atomic_fetch_add(&srv->session_tools, 1);   /* read by era.c */
    if (rc == 0 && t->param_headers)
        atomic_fetch_add(&srv->param_header_tools, 1);   /* read by era.c */
    pthread_rwlock_unlock(&srv->lock);
    if (rc < 0) {
        mcp__tool_entry_free(t);
        return rc;
    }
    if (tool->ui_resource_uri)
        mcp__extension_declare(srv, MCP_EXT_UI, NULL);   /* a tool with a UI: Apps are served */
    notify_list_changed(srv, "notifications/tools/list_changed");
    return 0;
}

tool_entry *mcp__registry_find_tool(mcp_server *srv, const char *name)
{
    for (size_t i = 0; i < srv->tools.len; i++) {
        tool_entry *t = srv->tools.items[i];
        if (strcmp(t->name, name) == 0)
            return t;
    }
    return NULL;
}

int mcp_server_remove_tool(mcp_server *srv, const char *name)
{
    int rc = -MCP_ENOTFOUND;
    void *removed = NULL;
    pthread_rwlock_wrlock(&srv->lock);
    for (size_t i = 0; i < srv->tools.len; i++) {
        tool_entry *t = srv->tools.items[i];
        if (strcmp(t->name, name) == 0) {
            removed = entry_list_remove_at(&srv->tools, i);
            rc = 0;
            if (t->session_scoped)
                atomic_fetch_sub(&srv->session_tools, 1);   /* read by era.c */
            if (t->param_headers)
                atomic_fetch_sub(&srv->param_header_tools, 1);
            break;
        }
    }
    pthread_rwlock_unlock(&srv->lock);
    mcp__entry_release(CALL_TOOL, removed);   /* freed now, or by the last call using it */
    if (rc == 0)
        notify_list_changed(srv, "notifications/tools/list_changed");
    return rc;
}

/* ---------------- resources ---------------- */

static bool valid_template(const char *t)
{
    /* Level 1: literal text and {name} expressions, no nesting or operators. */
    bool in_expr = false;
    for (const char *p = t; *p; p++) {
        if (*p == '{') {
            if (in_expr || strchr("+#./;?&=,!@|", p[1]) || p[1] == '}')
                return false;
            in_expr = true;
        } else if (*p == '}') {
            if (!in_expr)
                return false;
            in_expr = false;
        }
    }
    return !in_expr;
}

int mcp_server_add_resource(mcp_server *srv, const mcp_resource *res, void *userdata)
{
    if (!srv || !res || !res->name || !res->handler || (!res->uri == !res->uri_template))
        return -MCP_EINVAL;
    if (res->uri_template && !valid_template(res->uri_template))
        return -MCP_EINVAL;
    resource_entry *r = mcp__resource_entry_new();
    if (!r)
        return -MCP_ENOMEM;
    r->is_template = res->uri_template != NULL;
    r->key = strdup(r->is_template ? res->uri_template : res->uri);
    r->def = cJSON_CreateObject();
    r->fn = res->handler;
    r->userdata = userdata;
    r->blocking = res->blocking;
    r->scopes = mcp__xstrdup(res->scopes);
    int rc = (!r->key || !r->def) ? -MCP_ENOMEM : 0;
    if (rc == 0) {
        cJSON_AddStringToObject(r->def, r->is_template ? "uriTemplate" : "uri", r->key);
        cJSON_AddStringToObject(r->def, "name", res->name);
        add_opt_string(r->def, "title", res->title);
        add_opt_string(r->def, "description", res->description);
        add_opt_string(r->def, "mimeType", res->mime_type);
        rc = add_opt_json(r->def, "icons", res->icons, cJSON_Array);
        if (rc == 0)
            rc = add_opt_json(r->def, "_meta", res->meta, cJSON_Object);
    }
    if (rc == 0) {
        pthread_rwlock_wrlock(&srv->lock);
        for (size_t i = 0; i < srv->resources.len && rc == 0; i++)
            if (strcmp(((resource_entry *)srv->resources.items[i])->key, r->key) == 0)
                rc = -MCP_EEXIST;
        if (rc == 0)
            rc = mcp__entry_list_push(&srv->resources, r);
        pthread_rwlock_unlock(&srv->lock);
    }
    if (rc < 0) {
        mcp__resource_entry_free(r);
        return rc;
    }
    notify_list_changed(srv, "notifications/resources/list_changed");
    return 0;
}

int mcp_server_remove_resource(mcp_server *srv, const char *key)
{
    int rc = -MCP_ENOTFOUND;
    void *removed = NULL;
    pthread_rwlock_wrlock(&srv->lock);
    for (size_t i = 0; i < srv->resources.len; i++) {
        resource_entry *r = srv->resources.items[i];
        if (strcmp(r->key, key) == 0) {
            removed = entry_list_remove_at(&srv->resources, i);
            rc = 0;
            break;
        }
    }
    pthread_rwlock_unlock(&srv->lock);
    mcp__entry_release(CALL_RESOURCE, removed);   /* freed now, or by the last call using it */
    if (rc == 0)
        notify_list_changed(srv, "notifications/resources/list_changed");
    return rc;
}

void mcp_server_resource_updated(mcp_server *srv, const char *uri)
{
    cJSON *params = cJSON_CreateObject();
    if (!params)
        return;
    cJSON_AddStringToObject(params, "uri", uri);
    mcp__server_broadcast(srv, mcp__jsonrpc_notification_take("notifications/resources/updated", params), uri);
}

/* Match uri against a level-1 template; on success *vars gets {name: value}. */
static bool template_match(const char *tmpl, const char *uri, cJSON **vars)
{
    cJSON *obj = cJSON_CreateObject();
    const char *t = tmpl, *u = uri;
    while (obj && *t) {
        if (*t != '{') {
            if (*t++ != *u++) {
                cJSON_Delete(obj);
                return false;
            }
            continue;
        }
        const char *close = strchr(t, '}');
        char name[64];
        size_t nlen = (size_t)(close - t - 1);
        if (nlen >= sizeof name) {
            cJSON_Delete(obj);
            return false;
        }
        memcpy(name, t + 1, nlen);
        name[nlen] = '\0';
        t = close + 1;
        /* A variable runs to the next literal character (or the end) and
         * never spans a '/', so "{id}" cannot swallow path segments. */
        const char *end = u;
        while (*end && *end != '/' && (!*t || *end != *t))
            end++;
        if (end == u) {
            cJSON_Delete(obj);
            return false;
        }
        char *value = strndup(u, (size_t)(end - u));
        if (value)
            cJSON_AddStringToObject(obj, name, value);
        free(value);
        u = end;
    }
    if (!obj || *u) {
        cJSON_Delete(obj);
        return false;
    }
    *vars = obj;
    return true;
}

resource_entry *mcp__registry_match_resource(mcp_server *srv, const char *uri, cJSON **vars_out)
{
    *vars_out = NULL;
    for (size_t i = 0; i < srv->resources.len; i++) {
        resource_entry *r = srv->resources.items[i];
        if (!r->is_template && strcmp(r->key, uri) == 0)
            return r;
    }
    for (size_t i = 0; i < srv->resources.len; i++) {
        resource_entry *r = srv->resources.items[i];
        if (r->is_template && template_match(r->key, uri, vars_out))
            return r;
    }
    return NULL;
}

/* ---------------- prompts ---------------- */

static cJSON *prompt_arguments_json(const mcp_prompt_arg *args)
{
    cJSON *arr = cJSON_CreateArray();
    for (const mcp_prompt_arg *a = args; arr && a && a->name; a++) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddStringToObject(o, "name", a->name);
        add_opt_string(o, "description", a->description);
        if (a->required)
            cJSON_AddTrueToObject(o, "required");
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

int mcp_server_add_prompt(mcp_server *srv, const mcp_prompt *prompt, void *userdata)
{
    if (!srv || !prompt || !valid_tool_name(prompt->name) || !prompt->handler)
        return -MCP_EINVAL;
    prompt_entry *p = mcp__prompt_entry_new();
    if (!p)
        return -MCP_ENOMEM;
    p->name = strdup(prompt->name);
    p->def = cJSON_CreateObject();
    p->fn = prompt->handler;
    p->userdata = userdata;
    p->blocking = prompt->blocking;
    int rc = (!p->name || !p->def) ? -MCP_ENOMEM : 0;
    if (rc == 0) {
        cJSON_AddStringToObject(p->def, "name", prompt->name);
        add_opt_string(p->def, "title", prompt->title);
        add_opt_string(p->def, "description", prompt->description);
        rc = add_opt_json(p->def, "icons", prompt->icons, cJSON_Array);
        if (rc == 0)
            rc = add_opt_json(p->def, "_meta", prompt->meta, cJSON_Object);
        if (prompt->arguments)
            cJSON_AddItemToObject(p->def, "arguments", prompt_arguments_json(prompt->arguments));
    }
    if (rc == 0) {
        pthread_rwlock_wrlock(&srv->lock);
        rc = mcp__registry_find_prompt(srv, prompt->name) ? -MCP_EEXIST : mcp__entry_list_push(&srv->prompts, p);
        pthread_rwlock_unlock(&srv->lock);
    }
    if (rc < 0) {
        mcp__prompt_entry_free(p);
        return rc;
    }
    notify_list_changed(srv, "notifications/prompts/list_changed");
    return 0;
}

prompt_entry *mcp__registry_find_prompt(mcp_server *srv, const char *name)
{
    for (size_t i = 0; i < srv->prompts.len; i++) {
        prompt_entry *p = srv->prompts.items[i];
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

int mcp_server_remove_prompt(mcp_server *srv, const char *name)
{
    int rc = -MCP_ENOTFOUND;
    void *removed = NULL;
    pthread_rwlock_wrlock(&srv->lock);
    for (size_t i = 0; i < srv->prompts.len; i++) {
        prompt_entry *p = srv->prompts.items[i];
        if (strcmp(p->name, name) == 0) {
            removed = entry_list_remove_at(&srv->prompts, i);
            rc = 0;
            break;
        }
    }
    pthread_rwlock_unlock(&srv->lock);
    mcp__entry_release(CALL_PROMPT, removed);   /* freed now, or by the last call using it */
    if (rc == 0)
        notify_list_changed(srv, "notifications/prompts/list_changed");
    return rc;
}

static void free_list(entry_list *l, void (*fn)(void *))
{
    for (size_t i = 0; i < l->len; i++)
        fn(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = l->cap = 0;
}

static void free_tool(void *p) { mcp__tool_entry_free(p); }
static void free_resource(void *p) { mcp__resource_entry_free(p); }
static void free_prompt(void *p) { mcp__prompt_entry_free(p); }

void mcp__registry_free_all(mcp_server *srv)
{
    free_list(&srv->tools, free_tool);
    free_list(&srv->resources, free_resource);
    free_list(&srv->prompts, free_prompt);
}

/* The OAuth scopes a tool call needs (malloc'd), or NULL. */
static char *server_tool_scopes(mcp_server *srv, const char *name)
{
    pthread_rwlock_rdlock(&srv->lock);
    const tool_entry *t = name ? mcp__registry_find_tool(srv, name) : NULL;
    char *scopes = t ? mcp__xstrdup(t->scopes) : NULL;
    pthread_rwlock_unlock(&srv->lock);
    return scopes;
}

/* The OAuth scopes a resource read needs (malloc'd), or NULL. */
static char *server_resource_scopes(mcp_server *srv, const char *uri)
{
    cJSON *vars = NULL;
    pthread_rwlock_rdlock(&srv->lock);
    const resource_entry *r = uri ? mcp__registry_match_resource(srv, uri, &vars) : NULL;
    char *scopes = r ? mcp__xstrdup(r->scopes) : NULL;
    pthread_rwlock_unlock(&srv->lock);
    cJSON_Delete(vars);
    return scopes;
}

char *mcp__server_request_scopes(mcp_server *srv, const cJSON *msg)
{
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
    if (!method)
        return NULL;
    if (strcmp(method, "tools/call") == 0)
        return server_tool_scopes(srv, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "name")));
    if (strcmp(method, "resources/read") == 0)
        return server_resource_scopes(srv, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "uri")));
    return NULL;
}

cJSON *mcp__server_capabilities(mcp_server *srv)
{
    cJSON *caps = cJSON_CreateObject();
    if (!caps)
        return NULL;
    pthread_rwlock_rdlock(&srv->lock);
    if (srv->tools.len)
        cJSON_AddTrueToObject(cJSON_AddObjectToObject(caps, "tools"), "listChanged");
    if (srv->resources.len) {
        cJSON *r = cJSON_AddObjectToObject(caps, "resources");
        cJSON_AddTrueToObject(r, "subscribe");
        cJSON_AddTrueToObject(r, "listChanged");
    }
    if (srv->prompts.len)
        cJSON_AddTrueToObject(cJSON_AddObjectToObject(caps, "prompts"), "listChanged");
    if (srv->complete_fn)
        cJSON_AddObjectToObject(caps, "completions");
    pthread_rwlock_unlock(&srv->lock);
    cJSON_AddObjectToObject(caps, "logging");   /* every handler may log */
    mcp__extensions_render(srv, caps);          /* skills, apps: after the lock */
    return caps;
}

/* Pagination over a registry list (cursor = decimal offset). */
static int paginate(mcp_call *call, entry_list *list, size_t *start, size_t *end)
{
    size_t offset = 0;
    const cJSON *cursor = cJSON_GetObjectItemCaseSensitive(call->params, "cursor");
    if (cursor) {
        char *stop = NULL;
        const char *c = cJSON_GetStringValue(cursor);
        unsigned long long v = c && *c ? strtoull(c, &stop, 10) : 0;
        if (!c || (*c && *stop) || v > list->len)
            return -MCP_EINVAL;
        offset = (size_t)v;
    }
    *start = offset;
    *end = offset + call->srv->page_size < list->len ? offset + call->srv->page_size : list->len;
    return 0;
}

void mcp__reply_list(mcp_call *call, entry_list *list, const char *key, const cJSON *(*def_of)(const void *entry))
{
    mcp_server *srv = call->srv;
    cJSON *result = cJSON_CreateObject();
    cJSON *arr = result ? cJSON_AddArrayToObject(result, key) : NULL;
    if (!arr) {
        cJSON_Delete(result);
        mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
        return;
    }
    pthread_rwlock_rdlock(&srv->lock);
    size_t start, end;
    int rc = paginate(call, list, &start, &end);
    for (size_t i = start; rc == 0 && i < end; i++) {
        const cJSON *def = def_of(list->items[i]);
        if (def)
            cJSON_AddItemToArray(arr, gate_definition(def, call->ex->version));
    }
    bool more = rc == 0 && end < list->len;
    pthread_rwlock_unlock(&srv->lock);
    if (rc < 0) {
        cJSON_Delete(result);
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid cursor");
        return;
    }
    if (more) {
        char next[32];
        snprintf(next, sizeof next, "%zu", end);
        cJSON_AddStringToObject(result, "nextCursor", next);
    }
    mcp__call_reply_result(call, result);
}
