/* The schema compiler: reads a JSON Schema (2020-12 by default; 2019-09
 * and draft-07 when "$schema" names them, or a registered metaschema whose
 * $vocabulary switches vocabularies off) once into a graph of nodes that
 * validate.c walks without re-reading JSON. Two passes: index() walks
 * every document a reference can reach, recording for each subschema its
 * base URI, resource, dialect and vocabularies, plus every $id, $anchor
 * and $dynamicAnchor; compile_schema() then turns subschemas into nodes,
 * with references resolved through a work list (RFC 3986 against the base
 * URI, then JSON pointer or anchor) inside the document or across the
 * documents of a registry. A known keyword the engine cannot honour fails
 * compilation naming it; unknown keywords are annotations. All work is
 * bounded (nesting depth, node count). The index pass, compile errors
 * and dialects live in index.c, pass 2 and the keyword handlers in
 * keywords.c; this file owns references, the entry point and teardown. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "schema/compile_internal.h"
#include "schema/index.h"
#include "schema/keywords.h"
#include "schema/uri.h"
#include "schema/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- references ------------------------------------------------------------ */

static int percent_decode(char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (*s == '%') {
            if (!is_hex(s[1]) || !is_hex(s[2]))
                return -1;
            *out++ = (char)(hex_value(s[1]) * 16 + hex_value(s[2]));
            s += 2;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
    return 0;
}

static void unescape_token(char *token)
{
    char *out = token;
    for (char *p = token; *p; p++) {
        if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
            *out++ = p[1] == '0' ? '~' : '/';
            p++;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
}

static const cJSON *step_into(const cJSON *at, const char *token)
{
    if (cJSON_IsObject(at))
        return cJSON_GetObjectItemCaseSensitive(at, token);
    if (!cJSON_IsArray(at) || !is_digit(token[0]) || (token[0] == '0' && token[1]))
        return NULL;
    char *end;
    unsigned long i = strtoul(token, &end, 10);
    if (*end || i >= (unsigned long)cJSON_GetArraySize(at))
        return NULL;
    return cJSON_GetArrayItem(at, (int)i);
}

/* Follows a JSON pointer (already percent-decoded) from root. */
static const cJSON *follow_pointer(const cJSON *root, char *path)
{
    const cJSON *at = root;
    char *token = path;
    while (at && *token == '/') {
        token++;
        char *next = strchr(token, '/');
        if (next)
            *next = '\0';
        unescape_token(token);
        at = step_into(at, token);
        if (!next)
            break;
        *next = '/';
        token = next;
    }
    return at;
}

/* The JSON a reference names, or NULL. uri has no fragment. */
static const cJSON *find_target(compiler *c, const char *uri, char *fragment, const cJSON **root_out)
{
    size_t r = mcp__find_resource(c, uri);
    size_t doc_index;
    if (r == (size_t)-1 && mcp__registry_find(c, uri, &doc_index)) {
        if (mcp__index_document(c, c->registry->docs[doc_index].document, uri) != 0)
            return NULL;
        r = mcp__find_resource(c, uri);
    }
    for (size_t i = 0; r == (size_t)-1 && c->registry && i < c->registry->count; i++) {
        /* a document registered under one URI whose "$id" gives another */
        const registered_doc *d = &c->registry->docs[i];
        const cJSON *id = cJSON_IsObject(d->document) ? cJSON_GetObjectItemCaseSensitive(d->document, "$id") : NULL;
        if (!cJSON_IsString(id) || mcp__entry_find(c, d->document))
            continue;
        char *named = mcp__uri_resolve(d->uri, id->valuestring);
        if (named)
            mcp__uri_split_fragment(named);
        int same = named && strcmp(named, uri) == 0;
        free(named);
        if (same) {
            if (mcp__index_document(c, d->document, d->uri) != 0)
                return NULL;
            r = mcp__find_resource(c, uri);
        }
    }
    if (r == (size_t)-1)
        return NULL;
    const cJSON *root = c->resource_roots[r];
    *root_out = root;
    if (!fragment || !*fragment)
        return root;
    if (percent_decode(fragment) != 0)
        return NULL;
    if (fragment[0] == '/')
        return follow_pointer(root, fragment);
    size_t n = strlen(uri) + strlen(fragment) + 2;
    char *full = malloc(n);
    if (!full)
        return NULL;
    snprintf(full, n, "%s#%s", uri, fragment);
    const cJSON *found = NULL;
    for (size_t i = 0; i < c->anchor_count && !found; i++)
        if (strcmp(c->anchors[i].uri, full) == 0)
            found = c->anchors[i].json;
    free(full);
    return found;
}

/* Resolves a reference written at a subschema with the given base to the
 * node it names (compiled on demand); NULL after reporting why. */
static node *resolve_reference(compiler *c, const char *base, const char *ref, const cJSON **target_out)
{
    char *uri = mcp__uri_resolve(base, ref);
    if (!uri) {
        mcp__compile_error(c, "out of memory");
        return NULL;
    }
    char *fragment = mcp__uri_split_fragment(uri);
    const cJSON *root = NULL;
    const cJSON *target = find_target(c, uri, fragment, &root);
    if (c->failed) {
        free(uri);
        return NULL;
    }
    if (!target) {
        int remote = strcmp(uri, base) != 0 && mcp__find_resource(c, uri) == (size_t)-1;
        if (fragment && *fragment && fragment[0] != '/' && !remote)
            mcp__compile_error(c, "$ref \"%s\" names an anchor, but no \"$anchor\" declares \"%s\" in \"%s\"", ref,
                               fragment, uri);
        else if (remote)
            mcp__compile_error(c,
                               "$ref \"%s\" names \"%s\", which is neither in this schema nor registered; "
                               "references are never fetched, add the document to the registry",
                               ref, uri);
        else
            mcp__compile_error(c, "$ref \"%s\" points to nothing in this schema", ref);
        free(uri);
        return NULL;
    }
    entry *e = mcp__entry_find(c, target);
    if (!e || !e->base) {
        /* a pointer into a place the index did not walk (e.g. an unknown
         * keyword): index it with the resource's base */
        size_t r = mcp__find_resource(c, uri);
        entry *root_entry = mcp__entry_find(c, root);
        unsigned dialect = root_entry ? root_entry->dialect : c->default_dialect;
        if (mcp__index_schema(c, target, c->out->resources[r]->uri, c->out->resources[r], dialect, VOCAB_ALL, 1) != 0) {
            free(uri);
            return NULL;
        }
    }
    free(uri);
    if (target_out)
        *target_out = target;
    return mcp__compile_schema(c, target, 0);
}

static int resolve_one(compiler *c, const pending_ref *ref)
{
    mcp__location_set(c, ref->location);
    c->referring_dialect = ref->dialect;
    const cJSON *target = NULL;
    if (ref->kind == REF_RECURSIVE && strcmp(ref->reference, "#") != 0)
        return mcp__compile_error(c, "$recursiveRef must be \"#\"");
    node *resolved = resolve_reference(c, ref->base, ref->reference, &target);
    if (!resolved)
        return -1;
    if (ref->kind == REF_STATIC) {
        ref->from->ref = resolved;
        return 0;
    }
    ref->from->dynamic_ref = resolved;
    if (ref->kind == REF_RECURSIVE) {
        ref->from->recursive_ref = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(target, "$recursiveAnchor"));
        c->out->dynamic |= ref->from->recursive_ref;
        return 0;
    }
    /* $dynamicRef is dynamic only when it names a plain-name fragment that
     * the initially resolved schema declares as its $dynamicAnchor. */
    const char *hash = strchr(ref->reference, '#');
    const cJSON *declared = cJSON_IsObject(target) ? cJSON_GetObjectItemCaseSensitive(target, "$dynamicAnchor") : NULL;
    if (hash && hash[1] && hash[1] != '/' && cJSON_IsString(declared) && strcmp(declared->valuestring, hash + 1) == 0) {
        ref->from->dynamic_name = mcp__xstrdup(hash + 1);
        if (!ref->from->dynamic_name)
            return mcp__compile_error(c, "out of memory");
        c->out->dynamic = 1;
    }
    return 0;
}

/* Compiles the $dynamicAnchor and $recursiveAnchor targets of every resource
 * that has compiled nodes: the dynamic scope can only hold those. */
static int compile_dynamic_anchors(compiler *c)
{
    c->resources_pending = 0;
    for (size_t i = 0; i < c->anchor_count; i++) {
        anchor *a = &c->anchors[i];
        if (!a->dynamic || !a->res || !a->res->used || a->done)
            continue;
        a->done = 1;
        entry *e = mcp__entry_find(c, a->json);
        c->current = e;
        node *target = mcp__compile_schema(c, a->json, 0);
        c->current = NULL;
        if (!target)
            return -1;
        resource *r = a->res;
        named_node *grown = realloc(r->dynamic_anchors, (r->dynamic_anchor_count + 1) * sizeof *grown);
        if (!grown)
            return mcp__compile_error(c, "out of memory");
        r->dynamic_anchors = grown;
        const char *name = strchr(a->uri, '#') + 1;
        char *copy = mcp__xstrdup(name);
        if (!copy)
            return mcp__compile_error(c, "out of memory");
        r->dynamic_anchors[r->dynamic_anchor_count++] = (named_node){copy, target};
    }
    for (size_t i = 0; i < c->out->resource_count; i++) {
        resource *r = c->out->resources[i];
        if (r->used && r->recursive_root && !r->recursive_anchor) {
            c->current = mcp__entry_find(c, r->recursive_root);
            r->recursive_anchor = mcp__compile_schema(c, r->recursive_root, 0);
            c->current = NULL;
            if (!r->recursive_anchor)
                return -1;
        }
    }
    return 0;
}

static int resolve_all(compiler *c)
{
    size_t done = 0;
    for (;;) {
        while (done < c->ref_count) {
            pending_ref ref = c->refs[done++]; /* copied: resolving may grow c->refs */
            if (resolve_one(c, &ref) != 0)
                return -1;
        }
        if (!c->resources_pending)
            return 0;
        if (compile_dynamic_anchors(c) != 0)
            return -1;
        if (done == c->ref_count && !c->resources_pending)
            return 0;
    }
}

/* ---- entry points ---------------------------------------------------------- */

static void write_message(char *err, size_t errlen, const char *message)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", message);
}

/* JSON text may repeat a member name and cJSON keeps every copy; a schema
 * with two "required" keywords has no single meaning, so it is refused. */
const char *mcp__find_duplicate_key(const cJSON *obj, int depth)
{
    if (depth > 128)
        return NULL;
    for (const cJSON *a = obj ? obj->child : NULL; a; a = a->next) {
        if (cJSON_IsObject(obj) && a->string)
            for (const cJSON *b = a->next; b; b = b->next)
                if (b->string && strcmp(a->string, b->string) == 0)
                    return a->string;
        const char *dup = mcp__find_duplicate_key(a, depth + 1);
        if (dup)
            return dup;
    }
    return NULL;
}

static void compiler_release(compiler *c)
{
    free(c->entries);
    for (size_t i = 0; i < c->string_count; i++)
        free(c->strings[i]);
    free(c->strings);
    for (size_t i = 0; i < c->anchor_count; i++)
        free(c->anchors[i].uri);
    free(c->anchors);
    for (size_t i = 0; i < c->ref_count; i++)
        free(c->refs[i].location);
    free(c->refs);
    free(c->resource_roots);
}

mcp_schema *mcp__schema_compile_with(const cJSON *schema, const mcp_schema_registry *registry, const char *uri,
                                     unsigned flags, char *err, size_t errlen)
{
    write_message(err, errlen, "");
    if (!schema) {
        write_message(err, errlen, "no schema given");
        return NULL;
    }
    const char *dup = mcp__find_duplicate_key(schema, 0);
    if (dup) {
        if (err && errlen)
            snprintf(err, errlen, "schema repeats the member \"%.100s\" in one object", dup);
        return NULL;
    }
    compiler c;
    memset(&c, 0, sizeof c);
    c.err = err;
    c.errlen = errlen;
    c.registry = registry;
    c.default_dialect = (flags & MCP__SCHEMA_DRAFT07) ? DIALECT_07 : DIALECT_2020;
    c.out = calloc(1, sizeof *c.out);
    if (!c.out) {
        write_message(err, errlen, "out of memory");
        return NULL;
    }
    c.out->assert_format = !(flags & MCP__SCHEMA_NO_FORMAT);
    mcp__location_set(&c, "#");
    int ok = mcp__index_document(&c, schema, uri ? uri : "") == 0;
    if (ok) {
        mcp__location_set(&c, "#");
        c.out->root = mcp__compile_schema(&c, schema, 0);
        ok = c.out->root && resolve_all(&c) == 0;
    }
    compiler_release(&c);
    if (!ok) {
        mcp__schema_free(c.out);
        return NULL;
    }
    return c.out;
}

mcp_schema *mcp__schema_compile(const cJSON *schema, char *err, size_t errlen)
{
    return mcp__schema_compile_with(schema, NULL, NULL, 0, err, errlen);
}

/* ---- teardown ------------------------------------------------------------ */

void mcp__schema_free(mcp_schema *schema)
{
    if (!schema)
        return;
    for (size_t i = 0; i < schema->node_count; i++)
        mcp__schema_node_free(schema->nodes[i]);
    free(schema->nodes);
    for (size_t i = 0; i < schema->resource_count; i++) {
        resource *r = schema->resources[i];
        for (size_t k = 0; k < r->dynamic_anchor_count; k++)
            free(r->dynamic_anchors[k].name);
        free(r->dynamic_anchors);
        free(r->uri);
        free(r);
    }
    free(schema->resources);
    free(schema);
}
