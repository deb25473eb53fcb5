/* The schema compiler's first pass and its shared state: compile errors
 * and the schema location they name, the subschema index (pointer-keyed
 * open addressing), resources, $anchor/$dynamicAnchor records, dialects and
 * $vocabulary, and index(): the walk over every document a reference can
 * reach, recording for each subschema its base URI, resource, dialect and
 * vocabularies. keywords.c (pass 2) and compile.c (references, entry
 * point) build on it; it calls neither. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "schema/index.h"
#include "schema/uri.h"
#include "schema/util.h"

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

void mcp__location_set(compiler *c, const char *text)
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

entry *mcp__entry_find(const compiler *c, const cJSON *json)
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
    entry *found = mcp__entry_find(c, json);
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
    if (!r || !(r->uri = mcp__xstrdup(uri))) {
        free(r);
        return NULL;
    }
    c->resource_roots[out->resource_count] = root;
    out->resources[out->resource_count++] = r;
    return r;
}

size_t mcp__find_resource(const compiler *c, const char *uri)
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

const cJSON *mcp__registry_find(const compiler *c, const char *uri, size_t *index)
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
    char *uri = mcp__xstrdup(value->valuestring);
    if (!uri)
        return mcp__compile_error(c, "out of memory");
    mcp__uri_split_fragment(uri);
    const cJSON *meta = mcp__registry_find(c, uri, NULL);
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

static int index_each(compiler *c, const cJSON *v, const char *base, resource *res, unsigned dialect, unsigned vocab,
                      int depth, int map)
{
    if (map ? !cJSON_IsObject(v) : !cJSON_IsArray(v))
        return 0;
    for (const cJSON *item = v->child; item; item = item->next)
        if (mcp__index_schema(c, item, base, res, dialect, vocab, depth + 1) != 0)
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

int mcp__index_schema(compiler *c, const cJSON *json, const char *base, resource *res, unsigned dialect,
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
    if (mcp__entry_find(c, json) && mcp__entry_find(c, json)->base)
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
            size_t existing = mcp__find_resource(c, base);
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
        c->resource_roots[mcp__find_resource(c, res->uri)] == json)
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
                     ? mcp__index_schema(c, v, base, res, dialect, vocab, depth + 1)
                     : index_each(c, v, base, res, dialect, vocab, depth, shape == 2);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Indexes a whole document under uri (its own $id may add another). A
 * document without "$schema" is read in the dialect of the schema that
 * refers to it. */
int mcp__index_document(compiler *c, const cJSON *doc, const char *uri)
{
    unsigned dialect = c->current ? c->current->dialect
                       : c->referring_dialect ? c->referring_dialect
                                              : c->default_dialect;
    const char *base = keep_string(c, mcp__xstrdup(uri));
    if (!base)
        return mcp__compile_error(c, "out of memory");
    size_t existing = mcp__find_resource(c, base);
    resource *res = existing != (size_t)-1 ? c->out->resources[existing] : new_resource(c, base, doc);
    if (!res)
        return mcp__compile_error(c, "out of memory");
    return mcp__index_schema(c, doc, base, res, dialect, VOCAB_ALL, 0);
}
