/* Pass 2 of the compiler: mcp__compile_schema turns one subschema into
 * its node (once; shared by every path to it) by running one handler per
 * JSON Schema keyword, which recurse through it for subschemas, and the
 * table saying in which dialects (2020-12, 2019-09, draft-07) and
 * vocabularies each keyword exists. A keyword outside the schema's dialect
 * is an annotation; a known keyword with a bad value fails compilation
 * with its location. References wait on the work list compile.c resolves. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "schema/keywords.h"

#include "schema/index.h"
#include "schema/format.h"
#include "schema/regex.h"
#include "schema/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything a keyword handler may need about where it sits. */
typedef struct {
    compiler *c;
    node *n;
    const cJSON *object; /* the schema object that holds the keyword */
    int depth;           /* nesting depth of that object */
    unsigned dialect, vocab;
} site;

/* A $ref/$dynamicRef/$recursiveRef waits on the compiler's work list
 * until every subschema has a node (compile.c resolves it). */
static int add_pending_ref(compiler *c, node *from, const char *ref, int kind)
{
    if (c->ref_count == c->ref_cap) {
        size_t cap = c->ref_cap ? c->ref_cap * 2 : 8;
        pending_ref *refs = realloc(c->refs, cap * sizeof *refs);
        if (!refs)
            return mcp__compile_error(c, "out of memory");
        c->refs = refs;
        c->ref_cap = cap;
    }
    char *location = mcp__xstrdup(c->location);
    if (!location)
        return mcp__compile_error(c, "out of memory");
    c->refs[c->ref_count++] = (pending_ref){from, ref, c->current->base, c->current->dialect, kind, location};
    return 0;
}

static node *compile_child(const site *s, const cJSON *json)
{
    return mcp__compile_schema(s->c, json, s->depth + 1);
}

static pattern *compile_pattern_text(const site *s, const char *ecma)
{
    char why[160];
    mcp__regex *re = mcp__regex_compile(ecma, why, sizeof why);
    if (!re) {
        mcp__compile_error(s->c, "pattern \"%s\" is not a valid regular expression: %s", ecma, why);
        return NULL;
    }
    pattern *p = calloc(1, sizeof *p);
    char *source = mcp__xstrdup(ecma);
    if (!p || !source) {
        mcp__compile_error(s->c, "out of memory");
        mcp__regex_free(re);
        free(source);
        free(p);
        return NULL;
    }
    p->regex = re;
    p->source = source;
    return p;
}

static void pattern_free(pattern *p)
{
    if (!p)
        return;
    mcp__regex_free(p->regex);
    free(p->source);
    free(p);
}

static int compile_type_name(const site *s, const char *name)
{
    for (size_t i = 0; i < MCP__TYPE_NAME_COUNT; i++) {
        if (strcmp(name, mcp__type_names[i].name) == 0) {
            s->n->types |= mcp__type_names[i].bit;
            return 0;
        }
    }
    return mcp__compile_error(s->c, "unknown type \"%s\"; use null, boolean, object, array, number, integer or string",
                         name);
}

static int compile_type(const site *s, const cJSON *value)
{
    if (cJSON_IsString(value))
        return compile_type_name(s, value->valuestring);
    if (!cJSON_IsArray(value) || cJSON_GetArraySize(value) == 0)
        return mcp__compile_error(s->c, "must be a type name or a non-empty array of type names");
    for (const cJSON *item = value->child; item; item = item->next) {
        if (!cJSON_IsString(item))
            return mcp__compile_error(s->c, "type names must be strings");
        if (compile_type_name(s, item->valuestring) != 0)
            return -1;
    }
    return 0;
}

static int compile_number_bound(const site *s, const cJSON *value, bound *b)
{
    if (!cJSON_IsNumber(value) || !isfinite(value->valuedouble))
        return mcp__compile_error(s->c, "must be a number, got %s", mcp__json_type_name(value));
    b->present = 1;
    b->value = value->valuedouble;
    return 0;
}

static int compile_count_bound(const site *s, const cJSON *value, bound *b)
{
    if (!cJSON_IsNumber(value) || !is_whole_number(value->valuedouble) || value->valuedouble < 0)
        return mcp__compile_error(s->c, "must be a non-negative integer");
    b->present = 1;
    b->value = value->valuedouble;
    return 0;
}

static int compile_minimum(const site *s, const cJSON *v)
{
    return compile_number_bound(s, v, &s->n->minimum);
}
static int compile_maximum(const site *s, const cJSON *v)
{
    return compile_number_bound(s, v, &s->n->maximum);
}

static int compile_exclusive_minimum(const site *s, const cJSON *v)
{
    if (cJSON_IsBool(v))
        return mcp__compile_error(s->c, "must be a number (the draft-04 boolean form is not supported)");
    return compile_number_bound(s, v, &s->n->exclusive_minimum);
}

static int compile_exclusive_maximum(const site *s, const cJSON *v)
{
    if (cJSON_IsBool(v))
        return mcp__compile_error(s->c, "must be a number (the draft-04 boolean form is not supported)");
    return compile_number_bound(s, v, &s->n->exclusive_maximum);
}

static int compile_multiple_of(const site *s, const cJSON *v)
{
    if (compile_number_bound(s, v, &s->n->multiple_of) != 0)
        return -1;
    return s->n->multiple_of.value > 0 ? 0 : mcp__compile_error(s->c, "must be greater than 0");
}

static int compile_min_length(const site *s, const cJSON *v)
{
    return compile_count_bound(s, v, &s->n->min_length);
}
static int compile_max_length(const site *s, const cJSON *v)
{
    return compile_count_bound(s, v, &s->n->max_length);
}
static int compile_min_items(const site *s, const cJSON *v)
{
    return compile_count_bound(s, v, &s->n->min_items);
}
static int compile_max_items(const site *s, const cJSON *v)
{
    return compile_count_bound(s, v, &s->n->max_items);
}
static int compile_min_properties(const site *s, const cJSON *v)
{
    return compile_count_bound(s, v, &s->n->min_properties);
}
static int compile_max_properties(const site *s, const cJSON *v)
{
    return compile_count_bound(s, v, &s->n->max_properties);
}







static int compile_schema_list(const site *s, const cJSON *v, node_list *list, int allow_empty)
{
    if (!cJSON_IsArray(v) || (!allow_empty && cJSON_GetArraySize(v) == 0))
        return mcp__compile_error(s->c, "must be a %sarray of schemas", allow_empty ? "" : "non-empty ");
    size_t count = (size_t)cJSON_GetArraySize(v), i = 0;
    list->items = calloc(count ? count : 1, sizeof *list->items);
    if (!list->items)
        return mcp__compile_error(s->c, "out of memory");
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t saved = mcp__location_push_index(s->c, i);
        list->items[i] = compile_child(s, item);
        mcp__location_pop(s->c, saved);
        if (!list->items[i])
            return -1;
        list->count = i + 1;
    }
    return 0;
}

static int compile_all_of(const site *s, const cJSON *v)
{
    return compile_schema_list(s, v, &s->n->all_of, 0);
}
static int compile_any_of(const site *s, const cJSON *v)
{
    return compile_schema_list(s, v, &s->n->any_of, 0);
}
static int compile_one_of(const site *s, const cJSON *v)
{
    return compile_schema_list(s, v, &s->n->one_of, 0);
}

static int compile_prefix_items(const site *s, const cJSON *v)
{
    if (s->n->prefix_items.items)
        return mcp__compile_error(s->c, "use either prefixItems or the array form of items, not both");
    return compile_schema_list(s, v, &s->n->prefix_items, 1);
}

static int compile_not(const site *s, const cJSON *v)
{
    s->n->not_schema = compile_child(s, v);
    return s->n->not_schema ? 0 : -1;
}

static int compile_additional_properties(const site *s, const cJSON *v)
{
    s->n->additional_properties = compile_child(s, v);
    return s->n->additional_properties ? 0 : -1;
}

/* draft-07 array-form items is 2020-12 prefixItems ... */
static int compile_items(const site *s, const cJSON *v)
{
    if (cJSON_IsArray(v))
        return compile_prefix_items(s, v);
    s->n->items = compile_child(s, v);
    return s->n->items ? 0 : -1;
}

/* ... and its additionalItems is 2020-12 items. Without an array-form
 * items beside it, additionalItems means nothing (as in draft-07). */
static int compile_additional_items(const site *s, const cJSON *v)
{
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(s->object, "items")))
        return 0;
    s->n->items = compile_child(s, v);
    return s->n->items ? 0 : -1;
}

static int compile_unique_items(const site *s, const cJSON *v)
{
    if (!cJSON_IsBool(v))
        return mcp__compile_error(s->c, "must be true or false");
    s->n->unique_items = cJSON_IsTrue(v);
    return 0;
}

static int compile_properties(const site *s, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return mcp__compile_error(s->c, "must be an object mapping property names to schemas");
    size_t count = (size_t)cJSON_GetArraySize(v);
    s->n->properties = calloc(count ? count : 1, sizeof *s->n->properties);
    if (!s->n->properties)
        return mcp__compile_error(s->c, "out of memory");
    for (const cJSON *member = v->child; member; member = member->next) {
        property *p = &s->n->properties[s->n->property_count];
        p->name = mcp__xstrdup(member->string);
        if (!p->name)
            return mcp__compile_error(s->c, "out of memory");
        s->n->property_count++;
        size_t saved = mcp__location_push(s->c, member->string);
        p->schema = compile_child(s, member);
        mcp__location_pop(s->c, saved);
        if (!p->schema)
            return -1;
    }
    return 0;
}

static int compile_pattern_properties(const site *s, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return mcp__compile_error(s->c, "must be an object mapping patterns to schemas");
    size_t count = (size_t)cJSON_GetArraySize(v);
    s->n->pattern_properties = calloc(count ? count : 1, sizeof *s->n->pattern_properties);
    if (!s->n->pattern_properties)
        return mcp__compile_error(s->c, "out of memory");
    for (const cJSON *member = v->child; member; member = member->next) {
        pattern_property *pp = &s->n->pattern_properties[s->n->pattern_property_count];
        size_t saved = mcp__location_push(s->c, member->string);
        pp->pattern = compile_pattern_text(s, member->string);
        if (pp->pattern) {
            s->n->pattern_property_count++;
            pp->schema = compile_child(s, member);
        }
        mcp__location_pop(s->c, saved);
        if (!pp->pattern || !pp->schema)
            return -1;
    }
    return 0;
}

static int compile_required(const site *s, const cJSON *v)
{
    if (!cJSON_IsArray(v))
        return mcp__compile_error(s->c, "must be an array of property names");
    size_t count = (size_t)cJSON_GetArraySize(v);
    s->n->required = calloc(count ? count : 1, sizeof *s->n->required);
    if (!s->n->required)
        return mcp__compile_error(s->c, "out of memory");
    for (const cJSON *item = v->child; item; item = item->next) {
        if (!cJSON_IsString(item))
            return mcp__compile_error(s->c, "property names must be strings");
        char *name = mcp__xstrdup(item->valuestring);
        if (!name)
            return mcp__compile_error(s->c, "out of memory");
        s->n->required[s->n->required_count++] = name;
    }
    return 0;
}

/* Keeps a private copy of a literal value plus its text for messages. */
static int copy_literal(const site *s, const cJSON *v, cJSON **copy, char **text)
{
    *copy = cJSON_Duplicate(v, 1);
    *text = *copy ? mcp__shorten_listing(cJSON_PrintUnformatted(*copy)) : NULL;
    return *text ? 0 : mcp__compile_error(s->c, "out of memory");
}

static int compile_enum(const site *s, const cJSON *v)
{
    if (!cJSON_IsArray(v))
        return mcp__compile_error(s->c, "must be an array of allowed values");
    return copy_literal(s, v, &s->n->enum_values, &s->n->enum_text);
}

static int compile_const(const site *s, const cJSON *v)
{
    return copy_literal(s, v, &s->n->const_value, &s->n->const_text);
}






/* Lists the declared property names for the "property not allowed" message,
 * so an agent learns what it may send instead. */
static int describe_allowed_names(compiler *c, node *n)
{
    strbuf text = {0};
    for (size_t i = 0; i < n->property_count; i++) {
        mcp__strbuf_puts(&text, i ? ", \"" : "\"");
        mcp__strbuf_puts(&text, n->properties[i].name);
        mcp__strbuf_append(&text, "\"", 1);
    }
    if (text.err) {
        free(text.data);
        return mcp__compile_error(c, "out of memory");
    }
    n->allowed_names_text = mcp__shorten_listing(text.data);
    return 0;
}
static int compile_pattern(const site *s, const cJSON *v)
{
    if (!cJSON_IsString(v))
        return mcp__compile_error(s->c, "must be a string");
    s->n->pattern = compile_pattern_text(s, v->valuestring);
    return s->n->pattern ? 0 : -1;
}

static int compile_format(const site *s, const cJSON *v)
{
    if (!cJSON_IsString(v))
        return mcp__compile_error(s->c, "must be a string");
    if (s->c->out->assert_format || (s->vocab & VOCAB_FORMAT_ASSERTION))
        s->n->format = mcp__format_lookup(v->valuestring);
    return 0; /* unknown formats are annotations */
}

static int compile_reference(const site *s, const cJSON *v, int kind)
{
    if (!cJSON_IsString(v))
        return mcp__compile_error(s->c, "must be a string");
    return add_pending_ref(s->c, s->n, v->valuestring, kind);
}

static int compile_ref(const site *s, const cJSON *v)
{
    return compile_reference(s, v, REF_STATIC);
}
static int compile_dynamic_ref(const site *s, const cJSON *v)
{
    return compile_reference(s, v, REF_DYNAMIC);
}
static int compile_recursive_ref(const site *s, const cJSON *v)
{
    return compile_reference(s, v, REF_RECURSIVE);
}

/* $defs entries are compiled even when unused, so mistakes in them surface
 * at registration. */
static int compile_definitions(const site *s, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return mcp__compile_error(s->c, "must be an object mapping names to schemas");
    for (const cJSON *member = v->child; member; member = member->next) {
        size_t saved = mcp__location_push(s->c, member->string);
        node *def = compile_child(s, member);
        mcp__location_pop(s->c, saved);
        if (!def)
            return -1;
    }
    return 0;
}

static int compile_single(const site *s, const cJSON *v, node **out)
{
    *out = compile_child(s, v);
    return *out ? 0 : -1;
}

static int compile_contains(const site *s, const cJSON *v)
{
    s->n->contains_marks = s->dialect == DIALECT_2020;
    return compile_single(s, v, &s->n->contains);
}
static int compile_min_contains(const site *s, const cJSON *v)
{
    return compile_count_bound(s, v, &s->n->min_contains);
}
static int compile_max_contains(const site *s, const cJSON *v)
{
    return compile_count_bound(s, v, &s->n->max_contains);
}
static int compile_property_names(const site *s, const cJSON *v)
{
    return compile_single(s, v, &s->n->property_names);
}
static int compile_if(const site *s, const cJSON *v)
{
    return compile_single(s, v, &s->n->if_schema);
}
static int compile_then(const site *s, const cJSON *v)
{
    if (!cJSON_GetObjectItemCaseSensitive(s->object, "if"))
        return 0; /* without "if", "then" has no effect */
    return compile_single(s, v, &s->n->then_schema);
}
static int compile_else(const site *s, const cJSON *v)
{
    if (!cJSON_GetObjectItemCaseSensitive(s->object, "if"))
        return 0;
    return compile_single(s, v, &s->n->else_schema);
}
static int compile_unevaluated_properties(const site *s, const cJSON *v)
{
    s->c->out->tracks_annotations = 1;
    return compile_single(s, v, &s->n->unevaluated_properties);
}
static int compile_unevaluated_items(const site *s, const cJSON *v)
{
    s->c->out->tracks_annotations = 1;
    return compile_single(s, v, &s->n->unevaluated_items);
}

static int add_dependent_names(const site *s, const char *name, const cJSON *list)
{
    node *n = s->n;
    if (!cJSON_IsArray(list))
        return mcp__compile_error(s->c, "must be an array of property names");
    dependent_names *grown = realloc(n->dependent_required, (n->dependent_required_count + 1) * sizeof *grown);
    if (!grown)
        return mcp__compile_error(s->c, "out of memory");
    n->dependent_required = grown;
    dependent_names *d = &grown[n->dependent_required_count];
    memset(d, 0, sizeof *d);
    d->name = mcp__xstrdup(name);
    d->names = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *d->names);
    n->dependent_required_count++;
    if (!d->name || !d->names)
        return mcp__compile_error(s->c, "out of memory");
    for (const cJSON *item = list->child; item; item = item->next) {
        if (!cJSON_IsString(item))
            return mcp__compile_error(s->c, "property names must be strings");
        if (!(d->names[d->count] = mcp__xstrdup(item->valuestring)))
            return mcp__compile_error(s->c, "out of memory");
        d->count++;
    }
    return 0;
}

static int add_dependent_schema(const site *s, const cJSON *member)
{
    node *n = s->n;
    property *grown = realloc(n->dependent_schemas, (n->dependent_schema_count + 1) * sizeof *grown);
    if (!grown)
        return mcp__compile_error(s->c, "out of memory");
    n->dependent_schemas = grown;
    property *p = &grown[n->dependent_schema_count];
    p->schema = NULL;
    p->name = mcp__xstrdup(member->string);
    if (!p->name)
        return mcp__compile_error(s->c, "out of memory");
    n->dependent_schema_count++;
    p->schema = compile_child(s, member);
    return p->schema ? 0 : -1;
}

static int compile_dependent_required(const site *s, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return mcp__compile_error(s->c, "must be an object mapping property names to arrays of names");
    for (const cJSON *member = v->child; member; member = member->next) {
        size_t saved = mcp__location_push(s->c, member->string);
        int rc = add_dependent_names(s, member->string, member);
        mcp__location_pop(s->c, saved);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int compile_dependent_schemas(const site *s, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return mcp__compile_error(s->c, "must be an object mapping property names to schemas");
    for (const cJSON *member = v->child; member; member = member->next) {
        size_t saved = mcp__location_push(s->c, member->string);
        int rc = add_dependent_schema(s, member);
        mcp__location_pop(s->c, saved);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* draft-07 "dependencies": arrays are dependentRequired, schemas dependentSchemas. */
static int compile_dependencies(const site *s, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return mcp__compile_error(s->c, "must be an object");
    for (const cJSON *member = v->child; member; member = member->next) {
        size_t saved = mcp__location_push(s->c, member->string);
        int rc = cJSON_IsArray(member) ? add_dependent_names(s, member->string, member)
                                       : add_dependent_schema(s, member);
        mcp__location_pop(s->c, saved);
        if (rc != 0)
            return -1;
    }
    return 0;
}

typedef int (*keyword_compiler)(const site *s, const cJSON *value);

#define ALL    (DIALECT_07 | DIALECT_2019 | DIALECT_2020)
#define MODERN (DIALECT_2019 | DIALECT_2020)

static const struct {
    const char *name;
    keyword_compiler compile;
    unsigned dialects;
    unsigned vocab;         /* 0: core, always on */
    int beside_draft07_ref; /* still read next to a draft-07 $ref */
} KEYWORDS[] = {
    {"$ref", compile_ref, ALL, 0, 1},
    {"$dynamicRef", compile_dynamic_ref, DIALECT_2020, 0, 0},
    {"$recursiveRef", compile_recursive_ref, DIALECT_2019, 0, 0},
    {"$defs", compile_definitions, ALL, 0, 1},
    {"definitions", compile_definitions, ALL, 0, 1},
    {"type", compile_type, ALL, VOCAB_VALIDATION, 0},
    {"enum", compile_enum, ALL, VOCAB_VALIDATION, 0},
    {"const", compile_const, ALL, VOCAB_VALIDATION, 0},
    {"minimum", compile_minimum, ALL, VOCAB_VALIDATION, 0},
    {"maximum", compile_maximum, ALL, VOCAB_VALIDATION, 0},
    {"exclusiveMinimum", compile_exclusive_minimum, ALL, VOCAB_VALIDATION, 0},
    {"exclusiveMaximum", compile_exclusive_maximum, ALL, VOCAB_VALIDATION, 0},
    {"multipleOf", compile_multiple_of, ALL, VOCAB_VALIDATION, 0},
    {"minLength", compile_min_length, ALL, VOCAB_VALIDATION, 0},
    {"maxLength", compile_max_length, ALL, VOCAB_VALIDATION, 0},
    {"pattern", compile_pattern, ALL, VOCAB_VALIDATION, 0},
    {"format", compile_format, ALL, VOCAB_FORMAT, 0},
    {"minItems", compile_min_items, ALL, VOCAB_VALIDATION, 0},
    {"maxItems", compile_max_items, ALL, VOCAB_VALIDATION, 0},
    {"uniqueItems", compile_unique_items, ALL, VOCAB_VALIDATION, 0},
    {"minContains", compile_min_contains, MODERN, VOCAB_VALIDATION, 0},
    {"maxContains", compile_max_contains, MODERN, VOCAB_VALIDATION, 0},
    {"required", compile_required, ALL, VOCAB_VALIDATION, 0},
    {"minProperties", compile_min_properties, ALL, VOCAB_VALIDATION, 0},
    {"maxProperties", compile_max_properties, ALL, VOCAB_VALIDATION, 0},
    {"dependentRequired", compile_dependent_required, MODERN, VOCAB_VALIDATION, 0},
    {"prefixItems", compile_prefix_items, DIALECT_2020, VOCAB_APPLICATOR, 0},
    {"items", compile_items, ALL, VOCAB_APPLICATOR, 0},
    {"additionalItems", compile_additional_items, ALL, VOCAB_APPLICATOR, 0},
    {"contains", compile_contains, ALL, VOCAB_APPLICATOR, 0},
    {"properties", compile_properties, ALL, VOCAB_APPLICATOR, 0},
    {"patternProperties", compile_pattern_properties, ALL, VOCAB_APPLICATOR, 0},
    {"additionalProperties", compile_additional_properties, ALL, VOCAB_APPLICATOR, 0},
    {"propertyNames", compile_property_names, ALL, VOCAB_APPLICATOR, 0},
    {"dependentSchemas", compile_dependent_schemas, MODERN, VOCAB_APPLICATOR, 0},
    {"dependencies", compile_dependencies, ALL, VOCAB_APPLICATOR, 0}, /* pre-2019 name, still honoured */
    {"allOf", compile_all_of, ALL, VOCAB_APPLICATOR, 0},
    {"anyOf", compile_any_of, ALL, VOCAB_APPLICATOR, 0},
    {"oneOf", compile_one_of, ALL, VOCAB_APPLICATOR, 0},
    {"not", compile_not, ALL, VOCAB_APPLICATOR, 0},
    {"if", compile_if, ALL, VOCAB_APPLICATOR, 0},
    {"then", compile_then, ALL, VOCAB_APPLICATOR, 0},
    {"else", compile_else, ALL, VOCAB_APPLICATOR, 0},
    {"unevaluatedProperties", compile_unevaluated_properties, MODERN, VOCAB_UNEVALUATED, 0},
    {"unevaluatedItems", compile_unevaluated_items, MODERN, VOCAB_UNEVALUATED, 0},
};
#define KEYWORD_COUNT (sizeof KEYWORDS / sizeof KEYWORDS[0])

static int compile_keywords(compiler *c, node *n, const cJSON *json, int depth, unsigned dialect, unsigned vocab)
{
    site s = {c, n, json, depth, dialect, vocab};
    int ref_hides_siblings = dialect == DIALECT_07 && cJSON_GetObjectItemCaseSensitive(json, "$ref");
    for (const cJSON *member = json->child; member; member = member->next) {
        for (size_t i = 0; i < KEYWORD_COUNT; i++) {
            if (strcmp(member->string, KEYWORDS[i].name) != 0)
                continue;
            if (!(KEYWORDS[i].dialects & dialect) || (KEYWORDS[i].vocab && !(KEYWORDS[i].vocab & vocab)))
                break; /* not a keyword here: an annotation */
            if (ref_hides_siblings && !KEYWORDS[i].beside_draft07_ref)
                break;
            size_t saved = mcp__location_push(c, member->string);
            int rc = KEYWORDS[i].compile(&s, member);
            mcp__location_pop(c, saved);
            if (rc != 0)
                return -1;
            break;
        }
    }
    if (n->additional_properties && n->additional_properties->rejects_all && n->property_count &&
        describe_allowed_names(c, n) != 0)
        return -1;
    if (n->enum_values || n->const_value)
        n->checks |= CHECK_LITERAL;
    if (n->minimum.present || n->maximum.present || n->exclusive_minimum.present || n->exclusive_maximum.present ||
        n->multiple_of.present)
        n->checks |= CHECK_NUMBER;
    if (n->min_length.present || n->max_length.present || n->pattern || n->format != FORMAT_NONE)
        n->checks |= CHECK_STRING;
    if (n->prefix_items.count || n->items || n->min_items.present || n->max_items.present || n->unique_items ||
        n->contains)
        n->checks |= CHECK_ARRAY;
    if (n->property_count || n->pattern_property_count || n->additional_properties || n->required_count ||
        n->min_properties.present || n->max_properties.present || n->dependent_required_count || n->property_names)
        n->checks |= CHECK_OBJECT;
    if (n->all_of.count || n->any_of.count || n->one_of.count || n->not_schema || n->if_schema ||
        n->dependent_schema_count)
        n->checks |= CHECK_IN_PLACE;
    return 0;
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
    entry *e = mcp__entry_find(c, json);
    if (!e || !e->base) {
        /* reached through a keyword the index does not know as a schema */
        const char *base = c->current ? c->current->base : "";
        resource *res = c->current ? c->current->res : c->out->resources[0];
        unsigned dialect = c->current ? c->current->dialect : c->default_dialect;
        unsigned vocab = c->current ? c->current->vocab : VOCAB_ALL;
        if (mcp__index_schema(c, json, base, res, dialect, vocab, depth) != 0)
            return NULL;
        e = mcp__entry_find(c, json);
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
    int rc = compile_keywords(c, n, json, depth, here.dialect, here.vocab);
    c->current = saved;
    return rc == 0 ? n : NULL;
}

void mcp__schema_node_free(node *n)
{
    for (size_t i = 0; i < n->property_count; i++)
        free(n->properties[i].name);
    free(n->properties);
    for (size_t i = 0; i < n->pattern_property_count; i++)
        pattern_free(n->pattern_properties[i].pattern);
    free(n->pattern_properties);
    for (size_t i = 0; i < n->required_count; i++)
        free(n->required[i]);
    free(n->required);
    for (size_t i = 0; i < n->dependent_required_count; i++) {
        for (size_t k = 0; k < n->dependent_required[i].count; k++)
            free(n->dependent_required[i].names[k]);
        free(n->dependent_required[i].names);
        free(n->dependent_required[i].name);
    }
    free(n->dependent_required);
    for (size_t i = 0; i < n->dependent_schema_count; i++)
        free(n->dependent_schemas[i].name);
    free(n->dependent_schemas);
    pattern_free(n->pattern);
    free(n->allowed_names_text);
    free(n->dynamic_name);
    cJSON_Delete(n->enum_values);
    cJSON_free(n->enum_text); /* printed by cJSON, so freed by its allocator */
    cJSON_Delete(n->const_value);
    cJSON_free(n->const_text);
    free(n->prefix_items.items);
    free(n->all_of.items);
    free(n->any_of.items);
    free(n->one_of.items);
    free(n);
}
