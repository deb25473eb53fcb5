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
 * bounded (nesting depth, node count). The keyword handlers live in
 * keywords.c; this file owns the passes, references and dialects. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "schema/compile_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors and locations ------------------------------------------------ */

int mcp__compile_error(compiler *c, const char *fmt, ...)
{
    if (c->failed)
        return -1;
    c->failed = 1;
    if (!c->err || c->errlen == 0)
        return -1;
    int n = mcp__write_location(c->err, c->errlen, c->location);
    if (n >= 0 && (size_t)n < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

size_t mcp__location_push(compiler *c, const char *token)
{
    return mcp__pointer_push(c->location, &c->location_len, token);
}

size_t mcp__location_push_index(compiler *c, size_t i)
{
    char text[24];
    snprintf(text, sizeof text, "%zu", i);
    return mcp__location_push(c, text);
}

void mcp__location_pop(compiler *c, size_t saved)
{
    mcp__pointer_pop(c->location, &c->location_len, saved);
}

static void location_set(compiler *c, const char *text)
{
    snprintf(c->location, sizeof c->location, "%s", text);
    c->location_len = strlen(c->location);
}

/* ---- the subschema index (pointer-keyed open addressing) ------------------- */

static size_t hash_pointer(const void *p)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= 0xed5ad4bbu;
    x ^= x >> 11;
    return (size_t)x;
}

static entry *entry_find(const compiler *c, const cJSON *json)
{
    if (!c->entry_cap)
        return NULL;
    for (size_t i = hash_pointer(json) & (c->entry_cap - 1);; i = (i + 1) & (c->entry_cap - 1)) {
        if (!c->entries[i].json)
            return NULL;
        if (c->entries[i].json == json)
            return &c->entries[i];
    }
}

static entry *entry_add(compiler *c, const cJSON *json)
{
    entry *found = entry_find(c, json);
    if (found)
        return found;
    if ((c->entry_count + 1) * 2 > c->entry_cap) {
        size_t cap = c->entry_cap ? c->entry_cap * 2 : 64;
        entry *grown = calloc(cap, sizeof *grown);
        if (!grown)
            return NULL;
        for (size_t i = 0; i < c->entry_cap; i++) {
            if (!c->entries[i].json)
                continue;
            size_t k = hash_pointer(c->entries[i].json) & (cap - 1);
            while (grown[k].json)
                k = (k + 1) & (cap - 1);
            grown[k] = c->entries[i];
        }
        free(c->entries);
        c->entries = grown;
        c->entry_cap = cap;
    }
    size_t k = hash_pointer(json) & (c->entry_cap - 1);
    while (c->entries[k].json)
        k = (k + 1) & (c->entry_cap - 1);
    c->entries[k].json = json;
    c->entry_count++;
    return &c->entries[k];
}

/* Base URIs are kept until compilation ends. */
static const char *keep_string(compiler *c, char *s)
{
    if (!s)
        return NULL;
    if (c->string_count == c->string_cap) {
        size_t cap = c->string_cap ? c->string_cap * 2 : 16;
        char **grown = realloc(c->strings, cap * sizeof *grown);
        if (!grown) {
            free(s);
            return NULL;
        }
        c->strings = grown;
        c->string_cap = cap;
    }
    c->strings[c->string_count++] = s;
    return s;
}

static resource *new_resource(compiler *c, const char *uri, const cJSON *root)
{
    mcp_schema *out = c->out;
    if (out->resource_count == out->resource_capacity) {
        size_t cap = out->resource_capacity ? out->resource_capacity * 2 : 8;
        resource **grown = realloc(out->resources, cap * sizeof *grown);
        if (!grown)
            return NULL;
        out->resources = grown;
        out->resource_capacity = cap;
        const cJSON **roots = realloc(c->resource_roots, cap * sizeof *roots);
        if (!roots)
            return NULL;
        c->resource_roots = roots;
    }
    resource *r = calloc(1, sizeof *r);
    if (!r || !(r->uri = mcp__copy_string(uri))) {
        free(r);
        return NULL;
    }
    c->resource_roots[out->resource_count] = root;
    out->resources[out->resource_count++] = r;
    return r;
}

static size_t find_resource(const compiler *c, const char *uri)
{
    for (size_t i = 0; i < c->out->resource_count; i++)
        if (strcmp(c->out->resources[i]->uri, uri) == 0)
            return i;
    return (size_t)-1;
}

static int add_anchor(compiler *c, const char *base, const char *name, const cJSON *json, resource *res, int dynamic)
{
    if (c->anchor_count == c->anchor_cap) {
        size_t cap = c->anchor_cap ? c->anchor_cap * 2 : 8;
        anchor *grown = realloc(c->anchors, cap * sizeof *grown);
        if (!grown)
            return -1;
        c->anchors = grown;
        c->anchor_cap = cap;
    }
    size_t n = strlen(base) + strlen(name) + 2;
    char *uri = malloc(n);
    if (!uri)
        return -1;
    snprintf(uri, n, "%s#%s", base, name);
    c->anchors[c->anchor_count++] = (anchor){uri, json, res, dynamic, 0};
    return 0;
}

/* ---- dialects --------------------------------------------------------------- */

static unsigned known_dialect(const char *uri)
{
    static const struct {
        const char *uri;
        unsigned dialect;
    } known[] = {
        {"https://json-schema.org/draft/2020-12/schema", DIALECT_2020},
        {"http://json-schema.org/draft/2020-12/schema", DIALECT_2020},
        {"https://json-schema.org/draft/2019-09/schema", DIALECT_2019},
        {"http://json-schema.org/draft/2019-09/schema", DIALECT_2019},
        {"http://json-schema.org/draft-07/schema", DIALECT_07},
        {"https://json-schema.org/draft-07/schema", DIALECT_07},
    };
    size_t n = strlen(uri);
    if (n > 0 && uri[n - 1] == '#')
        n--;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i].uri) == n && strncmp(known[i].uri, uri, n) == 0)
            return known[i].dialect;
    return 0;
}

static const cJSON *registry_find(const compiler *c, const char *uri, size_t *index)
{
    const mcp_schema_registry *reg = c->registry;
    for (size_t i = 0; reg && i < reg->count; i++) {
        if (strcmp(reg->docs[i].uri, uri) == 0) {
            if (index)
                *index = i;
            return reg->docs[i].document;
        }
    }
    return NULL;
}

/* $vocabulary of a custom metaschema: the vocabularies it turns on. */
static int read_vocabulary(compiler *c, const cJSON *meta, unsigned *vocab)
{
    static const struct {
        const char *suffix;
        unsigned bit;
    } vocabs[] = {
        {"/vocab/core", 0},          {"/vocab/applicator", VOCAB_APPLICATOR},
        {"/vocab/validation", VOCAB_VALIDATION}, {"/vocab/unevaluated", VOCAB_UNEVALUATED},
        {"/vocab/format-annotation", 0}, {"/vocab/format-assertion", VOCAB_FORMAT | VOCAB_FORMAT_ASSERTION},
        {"/vocab/format", VOCAB_FORMAT},         {"/vocab/meta-data", 0},
        {"/vocab/content", 0},
    };
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(meta, "$vocabulary");
    if (!cJSON_IsObject(list))
        return 0;
    unsigned on = VOCAB_FORMAT; /* format assertion stays a library choice */
    for (const cJSON *v = list->child; v; v = v->next) {
        int known = 0;
        const char *uri = v->string;
        if (strncmp(uri, "https://json-schema.org/draft/20", 32) == 0) {
            const char *tail = uri + 32;
            tail += strcspn(tail, "/");
            for (size_t i = 0; i < sizeof vocabs / sizeof vocabs[0]; i++)
                if (strcmp(tail, vocabs[i].suffix) == 0) {
                    known = 1;
                    on |= vocabs[i].bit;
                }
        }
        if (!known && cJSON_IsTrue(v))
            return mcp__compile_error(c, "the metaschema requires the unsupported vocabulary \"%s\"", uri);
    }
    *vocab = on;
    return 0;
}

/* The dialect "$schema" names: a known one, or a registered metaschema. */
static int read_dialect(compiler *c, const cJSON *value, unsigned *dialect, unsigned *vocab)
{
    if (!cJSON_IsString(value))
        return mcp__compile_error(c, "must be a string naming the JSON Schema dialect");
    unsigned d = known_dialect(value->valuestring);
    if (d) {
        *dialect = d;
        *vocab = VOCAB_ALL;
        return 0;
    }
    char *uri = mcp__copy_string(value->valuestring);
    if (!uri)
        return mcp__compile_error(c, "out of memory");
    mcp__uri_split_fragment(uri);
    const cJSON *meta = registry_find(c, uri, NULL);
    free(uri);
    const cJSON *meta_dialect = meta ? cJSON_GetObjectItemCaseSensitive(meta, "$schema") : NULL;
    d = cJSON_IsString(meta_dialect) ? known_dialect(meta_dialect->valuestring) : 0;
    if (!d)
        return mcp__compile_error(c,
                                  "unsupported JSON Schema dialect \"%s\"; use "
                                  "\"https://json-schema.org/draft/2020-12/schema\", "
                                  "\"https://json-schema.org/draft/2019-09/schema\" or "
                                  "\"http://json-schema.org/draft-07/schema#\"",
                                  value->valuestring);
    *dialect = d;
    *vocab = VOCAB_ALL;
    return read_vocabulary(c, meta, vocab);
}

/* ---- pass 1: index --------------------------------------------------------- */

static int index_schema(compiler *c, const cJSON *json, const char *base, resource *res, unsigned dialect,
                        unsigned vocab, int depth);

static int index_each(compiler *c, const cJSON *v, const char *base, resource *res, unsigned dialect, unsigned vocab,
                      int depth, int map)
{
    if (map ? !cJSON_IsObject(v) : !cJSON_IsArray(v))
        return 0;
    for (const cJSON *item = v->child; item; item = item->next)
        if (index_schema(c, item, base, res, dialect, vocab, depth + 1) != 0)
            return -1;
    return 0;
}

/* Keywords whose values hold subschemas, so $id inside enum or an
 * unknown keyword is never mistaken for an identifier. */
static const struct {
    const char *name;
    int shape; /* 0 schema, 1 array of schemas, 2 object of schemas, 3 schema or array */
    unsigned dialects;
} SUBSCHEMA_KEYWORDS[] = {
    {"additionalProperties", 0, ~0u}, {"additionalItems", 0, DIALECT_07 | DIALECT_2019 | DIALECT_2020},
    {"items", 3, ~0u},                {"contains", 0, ~0u},
    {"propertyNames", 0, ~0u},        {"not", 0, ~0u},
    {"if", 0, ~0u},                   {"then", 0, ~0u},
    {"else", 0, ~0u},                 {"unevaluatedProperties", 0, DIALECT_2019 | DIALECT_2020},
    {"unevaluatedItems", 0, DIALECT_2019 | DIALECT_2020}, {"contentSchema", 0, DIALECT_2019 | DIALECT_2020},
    {"allOf", 1, ~0u},                {"anyOf", 1, ~0u},
    {"oneOf", 1, ~0u},                {"prefixItems", 1, DIALECT_2020},
    {"properties", 2, ~0u},           {"patternProperties", 2, ~0u},
    {"$defs", 2, ~0u},                {"definitions", 2, ~0u},
    {"dependentSchemas", 2, DIALECT_2019 | DIALECT_2020}, {"dependencies", 2, ~0u},
};

static int index_schema(compiler *c, const cJSON *json, const char *base, resource *res, unsigned dialect,
                        unsigned vocab, int depth)
{
    if (depth > MAX_SCHEMA_DEPTH)
        return 0; /* compile_schema reports it if the subschema is used */
    if (!cJSON_IsObject(json)) {
        if (cJSON_IsBool(json)) {
            entry *e = entry_add(c, json);
            if (!e)
                return mcp__compile_error(c, "out of memory");
            *e = (entry){json, base, res, dialect, vocab, e->compiled};
        }
        return 0;
    }
    if (entry_find(c, json) && entry_find(c, json)->base)
        return 0; /* already indexed (a document reached twice) */
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(json, "$schema");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "$id");
    int has_ref = cJSON_GetObjectItemCaseSensitive(json, "$ref") != NULL;
    if (schema && (depth == 0 || id)) {
        size_t saved = mcp__location_push(c, "$schema");
        int rc = read_dialect(c, schema, &dialect, &vocab);
        mcp__location_pop(c, saved);
        if (rc != 0)
            return -1;
    }
    int ref_hides = dialect == DIALECT_07 && has_ref;
    if (cJSON_IsString(id) && !ref_hides) {
        const char *text = id->valuestring;
        if (dialect == DIALECT_07 && text[0] == '#') {
            if (add_anchor(c, base, text + 1, json, res, 0) != 0)
                return mcp__compile_error(c, "out of memory");
        } else {
            char *uri = mcp__uri_resolve(base, text);
            if (!uri)
                return mcp__compile_error(c, "out of memory");
            char *fragment = mcp__uri_split_fragment(uri);
            if (fragment && *fragment && dialect == DIALECT_07) {
                /* "other.json#foo": a resource plus a plain-name anchor */
            }
            const char *kept = keep_string(c, uri);
            if (!kept)
                return mcp__compile_error(c, "out of memory");
            base = kept;
            size_t existing = find_resource(c, base);
            res = existing != (size_t)-1 ? c->out->resources[existing] : new_resource(c, base, json);
            if (!res)
                return mcp__compile_error(c, "out of memory");
        }
    }
    if (dialect != DIALECT_07) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(json, "$anchor");
        if (cJSON_IsString(a) && add_anchor(c, base, a->valuestring, json, res, 0) != 0)
            return mcp__compile_error(c, "out of memory");
    }
    if (dialect == DIALECT_2020) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(json, "$dynamicAnchor");
        if (cJSON_IsString(a) && add_anchor(c, base, a->valuestring, json, res, 1) != 0)
            return mcp__compile_error(c, "out of memory");
    }
    if (dialect == DIALECT_2019 && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "$recursiveAnchor")) &&
        c->resource_roots[find_resource(c, res->uri)] == json)
        res->recursive_root = json;
    entry *e = entry_add(c, json);
    if (!e)
        return mcp__compile_error(c, "out of memory");
    *e = (entry){json, base, res, dialect, vocab, NULL};
    for (size_t i = 0; i < sizeof SUBSCHEMA_KEYWORDS / sizeof SUBSCHEMA_KEYWORDS[0]; i++) {
        if (!(SUBSCHEMA_KEYWORDS[i].dialects & dialect))
            continue;
        const char *name = SUBSCHEMA_KEYWORDS[i].name;
        if (ref_hides && strcmp(name, "definitions") != 0 && strcmp(name, "$defs") != 0)
            continue;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, name);
        if (!v)
            continue;
        int shape = SUBSCHEMA_KEYWORDS[i].shape;
        int rc = shape == 0 || (shape == 3 && !cJSON_IsArray(v))
                     ? index_schema(c, v, base, res, dialect, vocab, depth + 1)
                     : index_each(c, v, base, res, dialect, vocab, depth, shape == 2);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Indexes a whole document under uri (its own $id may add another). A
 * document without "$schema" is read in the dialect of the schema that
 * refers to it. */
static int index_document(compiler *c, const cJSON *doc, const char *uri)
{
    unsigned dialect = c->current ? c->current->dialect
                       : c->referring_dialect ? c->referring_dialect
                                              : c->default_dialect;
    const char *base = keep_string(c, mcp__copy_string(uri));
    if (!base)
        return mcp__compile_error(c, "out of memory");
    size_t existing = find_resource(c, base);
    resource *res = existing != (size_t)-1 ? c->out->resources[existing] : new_resource(c, base, doc);
    if (!res)
        return mcp__compile_error(c, "out of memory");
    return index_schema(c, doc, base, res, dialect, VOCAB_ALL, 0);
}

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
    size_t r = find_resource(c, uri);
    size_t doc_index;
    if (r == (size_t)-1 && registry_find(c, uri, &doc_index)) {
        if (index_document(c, c->registry->docs[doc_index].document, uri) != 0)
            return NULL;
        r = find_resource(c, uri);
    }
    for (size_t i = 0; r == (size_t)-1 && c->registry && i < c->registry->count; i++) {
        /* a document registered under one URI whose "$id" gives another */
        const registered_doc *d = &c->registry->docs[i];
        const cJSON *id = cJSON_IsObject(d->document) ? cJSON_GetObjectItemCaseSensitive(d->document, "$id") : NULL;
        if (!cJSON_IsString(id) || entry_find(c, d->document))
            continue;
        char *named = mcp__uri_resolve(d->uri, id->valuestring);
        if (named)
            mcp__uri_split_fragment(named);
        int same = named && strcmp(named, uri) == 0;
        free(named);
        if (same) {
            if (index_document(c, d->document, d->uri) != 0)
                return NULL;
            r = find_resource(c, uri);
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
node *mcp__resolve_reference(compiler *c, const char *base, const char *ref, const cJSON **target_out)
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
        int remote = strcmp(uri, base) != 0 && find_resource(c, uri) == (size_t)-1;
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
    entry *e = entry_find(c, target);
    if (!e || !e->base) {
        /* a pointer into a place the index did not walk (e.g. an unknown
         * keyword): index it with the resource's base */
        size_t r = find_resource(c, uri);
        entry *root_entry = entry_find(c, root);
        unsigned dialect = root_entry ? root_entry->dialect : c->default_dialect;
        if (index_schema(c, target, c->out->resources[r]->uri, c->out->resources[r], dialect, VOCAB_ALL, 1) != 0) {
            free(uri);
            return NULL;
        }
    }
    free(uri);
    if (target_out)
        *target_out = target;
    return mcp__compile_schema(c, target, 0);
}

/* ---- pass 2: nodes ------------------------------------------------------ */

static node *new_node(compiler *c)
{
    mcp_schema *s = c->out;
    if (s->node_count >= MAX_NODES) {
        mcp__compile_error(c, "schema too large (more than %d subschemas)", MAX_NODES);
        return NULL;
    }
    if (s->node_count == s->node_capacity) {
        size_t cap = s->node_capacity ? s->node_capacity * 2 : 16;
        node **nodes = realloc(s->nodes, cap * sizeof *nodes);
        if (!nodes) {
            mcp__compile_error(c, "out of memory");
            return NULL;
        }
        s->nodes = nodes;
        s->node_capacity = cap;
    }
    node *n = calloc(1, sizeof *n);
    if (!n) {
        mcp__compile_error(c, "out of memory");
        return NULL;
    }
    s->nodes[s->node_count++] = n;
    return n;
}

node *mcp__compile_schema(compiler *c, const cJSON *json, int depth)
{
    if (depth > MAX_SCHEMA_DEPTH) {
        mcp__compile_error(c, "schema nesting too deep (more than %d levels)", MAX_SCHEMA_DEPTH);
        return NULL;
    }
    if (!cJSON_IsBool(json) && !cJSON_IsObject(json)) {
        mcp__compile_error(c, "a schema must be an object or a boolean, got %s", mcp__json_type_name(json));
        return NULL;
    }
    entry *e = entry_find(c, json);
    if (!e || !e->base) {
        /* reached through a keyword the index does not know as a schema */
        const char *base = c->current ? c->current->base : "";
        resource *res = c->current ? c->current->res : c->out->resources[0];
        unsigned dialect = c->current ? c->current->dialect : c->default_dialect;
        unsigned vocab = c->current ? c->current->vocab : VOCAB_ALL;
        if (index_schema(c, json, base, res, dialect, vocab, depth) != 0)
            return NULL;
        e = entry_find(c, json);
        if (!e) {
            mcp__compile_error(c, "out of memory");
            return NULL;
        }
    }
    if (e->compiled)
        return e->compiled;
    node *n = new_node(c);
    if (!n)
        return NULL;
    e->compiled = n;
    n->res = e->res;
    if (e->res && !e->res->used) {
        e->res->used = 1;
        c->resources_pending = 1;
    }
    if (cJSON_IsBool(json)) {
        n->rejects_all = cJSON_IsFalse(json);
        return n;
    }
    const entry *saved = c->current;
    entry here = *e; /* the table may grow while keywords compile */
    c->current = &here;
    int rc = mcp__compile_keywords(c, n, json, depth, here.dialect, here.vocab);
    c->current = saved;
    return rc == 0 ? n : NULL;
}

int mcp__add_pending_ref(compiler *c, node *from, const char *ref, int kind)
{
    if (c->ref_count == c->ref_cap) {
        size_t cap = c->ref_cap ? c->ref_cap * 2 : 8;
        pending_ref *refs = realloc(c->refs, cap * sizeof *refs);
        if (!refs)
            return mcp__compile_error(c, "out of memory");
        c->refs = refs;
        c->ref_cap = cap;
    }
    char *location = mcp__copy_string(c->location);
    if (!location)
        return mcp__compile_error(c, "out of memory");
    c->refs[c->ref_count++] = (pending_ref){from, ref, c->current->base, c->current->dialect, kind, location};
    return 0;
}

static int resolve_one(compiler *c, const pending_ref *ref)
{
    location_set(c, ref->location);
    c->referring_dialect = ref->dialect;
    const cJSON *target = NULL;
    if (ref->kind == REF_RECURSIVE && strcmp(ref->reference, "#") != 0)
        return mcp__compile_error(c, "$recursiveRef must be \"#\"");
    node *resolved = mcp__resolve_reference(c, ref->base, ref->reference, &target);
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
        ref->from->dynamic_name = mcp__copy_string(hash + 1);
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
        entry *e = entry_find(c, a->json);
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
        char *copy = mcp__copy_string(name);
        if (!copy)
            return mcp__compile_error(c, "out of memory");
        r->dynamic_anchors[r->dynamic_anchor_count++] = (named_node){copy, target};
    }
    for (size_t i = 0; i < c->out->resource_count; i++) {
        resource *r = c->out->resources[i];
        if (r->used && r->recursive_root && !r->recursive_anchor) {
            c->current = entry_find(c, r->recursive_root);
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
    location_set(&c, "#");
    int ok = index_document(&c, schema, uri ? uri : "") == 0;
    if (ok) {
        location_set(&c, "#");
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
