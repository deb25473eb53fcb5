/* The validator: walks the compiled node graph over an instance and never
 * re-reads the schema. Errors name the failing location as a JSON pointer
 * in plain words, because AI agents read them as tool errors; the first
 * error, or every error as a list. Annotations for unevaluatedProperties/
 * unevaluatedItems (which members or items some keyword evaluated) are
 * tracked as bitsets only below a node that uses them, and the dynamic
 * scope for $dynamicRef/$recursiveRef only when the schema has one: a plain
 * schema validates without allocating. All work is bounded (nesting depth,
 * regex match limits). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "schema/schema_internal.h"
#include "schema/equal.h"
#include "schema/format.h"
#include "schema/regex.h"
#include "schema/util.h"

#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { VALID = 0, INVALID = -1, ABORTED = -2 };

/* Which members (objects) or items (arrays) of one instance some keyword
 * evaluated successfully; bit i is member or item i. */
typedef struct {
    unsigned char *bits;
    size_t count;
} evaluated;

typedef struct {
    const mcp_schema *schema;
    char *err; /* where the current message goes; NULL when only the verdict matters */
    size_t errlen;
    char *abort_err; /* the caller's buffer: aborts are reported there even inside anyOf */
    size_t abort_errlen;
    cJSON *errors; /* every error, when the caller asked for all */
    int quiet;     /* inside anyOf/oneOf/not/if: alternatives are not reported */
    /* where the value being checked sits: one frame per step, rendered as a
     * JSON pointer only when a message needs it */
    struct {
        const char *key; /* NULL: an array index */
        size_t index;
    } frames[MAX_VALIDATION_DEPTH + 8];
    size_t frame_count;
    int depth;
    const resource *scope[MAX_VALIDATION_DEPTH + 2]; /* dynamic scope, outermost first */
    size_t scope_len;
} validator;

static int collecting(const validator *v)
{
    return v->errors && !v->quiet;
}

/* One step of a keyword sequence: an abort ends validation, an invalid
 * result ends it too unless every error is being collected. */
#define STEP(call)                                                                                                     \
    do {                                                                                                               \
        int step_rc_ = (call);                                                                                         \
        if (step_rc_ == ABORTED)                                                                                       \
            return ABORTED;                                                                                            \
        if (step_rc_ == INVALID) {                                                                                     \
            bad = 1;                                                                                                   \
            if (!collecting(v))                                                                                        \
                return INVALID;                                                                                        \
        }                                                                                                              \
    } while (0)

static void write_located(char *err, size_t errlen, const char *path, const char *message)
{
    if (!err || errlen == 0)
        return;
    int n = mcp__write_location(err, errlen, path[0] ? path : "(root)");
    if (n >= 0 && (size_t)n < errlen)
        snprintf(err + n, errlen - (size_t)n, "%s", message);
}

static void render_path(const validator *v, char *out)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < v->frame_count; i++) {
        char text[24];
        const char *token = v->frames[i].key;
        if (!token) {
            snprintf(text, sizeof text, "%zu", v->frames[i].index);
            token = text;
        }
        mcp__pointer_push(out, &len, token);
    }
}

static void collect(validator *v, const char *message)
{
    char path[MAX_POINTER_LENGTH];
    render_path(v, path);
    cJSON *item = cJSON_CreateObject();
    if (!item || !cJSON_AddStringToObject(item, "instanceLocation", path) ||
        !cJSON_AddStringToObject(item, "error", message) || !cJSON_AddItemToArray(v->errors, item))
        cJSON_Delete(item); /* out of memory: the verdict still stands */
}

static int fail(validator *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int fail(validator *v, const char *fmt, ...)
{
    if (!v->err && !collecting(v))
        return INVALID; /* only the verdict is wanted */
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    char path[MAX_POINTER_LENGTH];
    render_path(v, path);
    write_located(v->err, v->errlen, path, message);
    if (collecting(v))
        collect(v, message);
    return INVALID;
}

/* For conditions that are not a verdict on the value (too deep, no memory,
 * a regex limit): they must not be inverted by "not" or swallowed by "anyOf". */
static int abort_validation(validator *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int abort_validation(validator *v, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    char path[MAX_POINTER_LENGTH];
    render_path(v, path);
    write_located(v->abort_err, v->abort_errlen, path, message);
    if (v->errors) {
        int quiet = v->quiet;
        v->quiet = 0;
        collect(v, message);
        v->quiet = quiet;
    }
    return ABORTED;
}

static size_t path_push(validator *v, const char *key, size_t index)
{
    size_t saved = v->frame_count;
    if (saved < sizeof v->frames / sizeof v->frames[0]) { /* deeper is aborted by the depth limit anyway */
        v->frames[saved].key = key;
        v->frames[saved].index = index;
        v->frame_count++;
    }
    return saved;
}

static size_t path_push_key(validator *v, const char *key)
{
    return path_push(v, key, 0);
}

static size_t path_push_index(validator *v, size_t i)
{
    return path_push(v, NULL, i);
}

static void path_pop(validator *v, size_t saved)
{
    v->frame_count = saved;
}

static void mark(evaluated *ev, size_t i)
{
    if (ev && i < ev->count)
        ev->bits[i / 8] |= (unsigned char)(1u << (i % 8));
}

static int is_marked(const evaluated *ev, size_t i)
{
    return (ev->bits[i / 8] >> (i % 8)) & 1u;
}

static void merge(evaluated *into, const evaluated *from)
{
    if (!into || !from || !from->bits)
        return;
    for (size_t i = 0; i < (into->count + 7) / 8; i++)
        into->bits[i] |= from->bits[i];
}

static int validate_node(validator *v, const node *n, const cJSON *instance, evaluated *ev);

static int validate_at_key(validator *v, const node *n, const cJSON *instance, const char *key)
{
    size_t saved = path_push_key(v, key);
    int rc = validate_node(v, n, instance, NULL);
    path_pop(v, saved);
    return rc;
}

static int validate_at_index(validator *v, const node *n, const cJSON *instance, size_t i)
{
    size_t saved = path_push_index(v, i);
    int rc = validate_node(v, n, instance, NULL);
    path_pop(v, saved);
    return rc;
}

/* Runs a subschema only for its verdict; the message of a failing
 * alternative is kept in "reason" when the caller wants to quote it. When
 * ev is given, what the subschema evaluated is merged in only if it passed. */
static int try_node(validator *v, const node *n, const cJSON *instance, char *reason, size_t reasonlen, evaluated *ev)
{
    char *saved_err = v->err;
    size_t saved_errlen = v->errlen;
    v->err = saved_err ? reason : NULL;
    v->errlen = reasonlen;
    v->quiet++;
    evaluated local = {NULL, ev ? ev->count : 0};
    int rc;
    if (ev && !(local.bits = calloc(ev->count / 8 + 1, 1))) {
        rc = abort_validation(v, "out of memory");
    } else {
        rc = validate_node(v, n, instance, ev ? &local : NULL);
        if (rc == VALID)
            merge(ev, &local);
    }
    free(local.bits);
    v->quiet--;
    v->err = saved_err;
    v->errlen = saved_errlen;
    return rc;
}

static unsigned instance_types(const cJSON *instance)
{
    switch (json_kind(instance)) {
    case cJSON_NULL:
        return TYPE_NULL;
    case cJSON_True:
    case cJSON_False:
        return TYPE_BOOLEAN;
    case cJSON_Number:
        return is_whole_number(instance->valuedouble) ? TYPE_NUMBER | TYPE_INTEGER : TYPE_NUMBER;
    case cJSON_String:
        return TYPE_STRING;
    case cJSON_Array:
        return TYPE_ARRAY;
    case cJSON_Object:
        return TYPE_OBJECT;
    default:
        return 0;
    }
}

/* "integer", "string or null", "object, array or null". */
static void describe_types(unsigned types, char *out, size_t outlen)
{
    size_t total = 0, seen = 0, n = 0;
    for (size_t i = 0; i < MCP__TYPE_NAME_COUNT; i++)
        total += (types & mcp__type_names[i].bit) != 0;
    out[0] = '\0';
    for (size_t i = 0; i < MCP__TYPE_NAME_COUNT && n < outlen; i++) {
        if (!(types & mcp__type_names[i].bit))
            continue;
        const char *joiner = seen == 0 ? "" : seen + 1 == total ? " or " : ", ";
        int w = snprintf(out + n, outlen - n, "%s%s", joiner, mcp__type_names[i].name);
        n += w > 0 ? (size_t)w : 0;
        seen++;
    }
}

static int check_type(validator *v, const node *n, const cJSON *instance)
{
    if (!n->types || (n->types & instance_types(instance)))
        return VALID;
    char expected[96];
    describe_types(n->types, expected, sizeof expected);
    if (cJSON_IsNumber(instance) && (n->types & TYPE_INTEGER)) {
        char got[32];
        mcp__format_number(instance->valuedouble, got, sizeof got);
        return fail(v, "expected %s, got %s", expected, got);
    }
    return fail(v, "expected %s, got %s", expected, mcp__json_type_name(instance));
}

static int check_enum_and_const(validator *v, const node *n, const cJSON *instance)
{
    if (n->const_value) {
        int eq = mcp__json_equal(instance, n->const_value);
        if (eq < 0)
            return abort_validation(v, "value nesting too deep to compare");
        if (!eq)
            return fail(v, "must equal %s", n->const_text);
    }
    if (n->enum_values) {
        for (const cJSON *allowed = n->enum_values->child; allowed; allowed = allowed->next) {
            int eq = mcp__json_equal(instance, allowed);
            if (eq < 0)
                return abort_validation(v, "value nesting too deep to compare");
            if (eq)
                return VALID;
        }
        return fail(v, "must be one of %s", n->enum_text);
    }
    return VALID;
}

/* Inclusive bounds forgive a few ulps so values computed in floating point
 * by the caller are not rejected for rounding; exclusive bounds are exact. */
static int below_inclusive(double x, double limit)
{
    double scale = absolute(x) > absolute(limit) ? absolute(x) : absolute(limit);
    return x < limit - 4 * DBL_EPSILON * scale;
}

static int is_multiple_of(double x, double divisor)
{
    double quotient = x / divisor;
    if (!isfinite(quotient))
        return isfinite(x) && fmod(x, divisor) == 0; /* overflowing quotient: the remainder decides */
    double tolerance = 8 * DBL_EPSILON * absolute(quotient);
    if (tolerance < 1e-9)
        tolerance = 1e-9;
    return absolute(quotient - round_to_whole(quotient)) <= tolerance;
}

static int fail_number(validator *v, const char *relation, double limit, double got)
{
    char limit_text[32], got_text[32];
    mcp__format_number(limit, limit_text, sizeof limit_text);
    mcp__format_number(got, got_text, sizeof got_text);
    return fail(v, "must be %s %s, got %s", relation, limit_text, got_text);
}

static int check_number(validator *v, const node *n, double x)
{
    if (n->minimum.present && below_inclusive(x, n->minimum.value))
        return fail_number(v, ">=", n->minimum.value, x);
    if (n->maximum.present && below_inclusive(n->maximum.value, x))
        return fail_number(v, "<=", n->maximum.value, x);
    if (n->exclusive_minimum.present && !(x > n->exclusive_minimum.value))
        return fail_number(v, ">", n->exclusive_minimum.value, x);
    if (n->exclusive_maximum.present && !(x < n->exclusive_maximum.value))
        return fail_number(v, "<", n->exclusive_maximum.value, x);
    if (n->multiple_of.present && !is_multiple_of(x, n->multiple_of.value))
        return fail_number(v, "a multiple of", n->multiple_of.value, x);
    return VALID;
}
typedef struct {
    uint64_t hash;
    size_t index;
    const cJSON *item;
} hashed_item;

static int compare_hashed(const void *a, const void *b)
{
    const hashed_item *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Looks for two equal items among those sharing a hash; sorting by hash
 * keeps this O(n log n) instead of comparing every pair. */
static int find_duplicate(const hashed_item *items, size_t count, size_t *first, size_t *second)
{
    for (size_t start = 0; start < count;) {
        size_t end = start + 1;
        while (end < count && items[end].hash == items[start].hash)
            end++;
        for (size_t i = start; i < end; i++) {
            for (size_t j = i + 1; j < end; j++) {
                int eq = mcp__json_equal(items[i].item, items[j].item);
                if (eq != 0) {
                    *first = items[i].index;
                    *second = items[j].index;
                    return eq;
                }
            }
        }
        start = end;
    }
    return 0;
}

static int check_unique_items(validator *v, const cJSON *array, size_t count)
{
    if (count < 2)
        return VALID;
    hashed_item *items = malloc(count * sizeof *items);
    if (!items)
        return abort_validation(v, "out of memory");
    size_t i = 0;
    for (const cJSON *item = array->child; item; item = item->next, i++)
        items[i] = (hashed_item){mcp__json_hash(item, 0), i, item};
    qsort(items, count, sizeof *items, compare_hashed);
    size_t first = 0, second = 0;
    int found = find_duplicate(items, count, &first, &second);
    free(items);
    if (found < 0)
        return abort_validation(v, "value nesting too deep to compare");
    if (found)
        return fail(v, "items must be unique, but items %zu and %zu are equal", first, second);
    return VALID;
}

static int pattern_matches(validator *v, const pattern *p, const char *text, int *matched)
{
    int rc = mcp__regex_search(p->regex, text, strlen(text));
    if (rc < 0)
        return abort_validation(v, "pattern \"%s\" could not be evaluated (match limit reached or invalid UTF-8)",
                                p->source);
    *matched = rc;
    return VALID;
}

static int check_string(validator *v, const node *n, const char *text)
{
    int bad = 0;
    if (n->min_length.present || n->max_length.present) {
        size_t length = 0;
        for (const char *s = text; *s; s++) /* code points; 4-byte sequences are one, as in JSON Schema */
            length += ((unsigned char)*s & 0xC0) != 0x80;
        if (n->min_length.present && (double)length < n->min_length.value)
            STEP(fail(v, "must be at least %.0f characters long, got %zu", n->min_length.value, length));
        if (n->max_length.present && (double)length > n->max_length.value)
            STEP(fail(v, "must be at most %.0f characters long, got %zu", n->max_length.value, length));
    }
    if (n->pattern) {
        int matched = 0;
        if (pattern_matches(v, n->pattern, text, &matched) != VALID)
            return ABORTED;
        if (!matched)
            STEP(fail(v, "must match the pattern \"%s\"", n->pattern->source));
    }
    if (n->format != FORMAT_NONE && !mcp__format_accepts(n->format, text))
        STEP(fail(v, "%s", mcp__format_expectation(n->format)));
    return bad ? INVALID : VALID;
}

static int check_array_items(validator *v, const node *n, const cJSON *array, size_t count, evaluated *ev)
{
    int bad = 0;
    size_t prefix = n->prefix_items.count;
    if (n->items && n->items->rejects_all && count > prefix)
        STEP(fail(v, "must have at most %zu items (no further items allowed), got %zu", prefix, count));
    size_t i = 0;
    for (const cJSON *item = array->child; item; item = item->next, i++) {
        const node *schema = i < prefix ? n->prefix_items.items[i] : n->items;
        if (!schema)
            break;
        if (schema->rejects_all && schema == n->items)
            break; /* reported above */
        STEP(validate_at_index(v, schema, item, i));
        mark(ev, i);
    }
    return bad ? INVALID : VALID;
}

static int check_contains(validator *v, const node *n, const cJSON *array, evaluated *ev)
{
    size_t matches = 0, i = 0;
    for (const cJSON *item = array->child; item; item = item->next, i++) {
        size_t saved = path_push_index(v, i);
        int rc = try_node(v, n->contains, item, NULL, 0, NULL);
        path_pop(v, saved);
        if (rc == ABORTED)
            return rc;
        if (rc == VALID) {
            matches++;
            if (n->contains_marks)
                mark(ev, i);
        }
    }
    double least = n->min_contains.present ? n->min_contains.value : 1;
    if ((double)matches < least)
        return fail(v, "must contain at least %.0f item%s matching \"contains\", got %zu", least,
                    least == 1 ? "" : "s", matches);
    if (n->max_contains.present && (double)matches > n->max_contains.value)
        return fail(v, "must contain at most %.0f items matching \"contains\", got %zu", n->max_contains.value,
                    matches);
    return VALID;
}

static int check_array(validator *v, const node *n, const cJSON *array, evaluated *ev)
{
    int bad = 0;
    int counted = n->min_items.present || n->max_items.present || n->unique_items || (n->items && n->items->rejects_all);
    size_t count = counted ? (size_t)cJSON_GetArraySize(array) : 0;
    if (n->min_items.present && (double)count < n->min_items.value)
        STEP(fail(v, "must have at least %.0f items, got %zu", n->min_items.value, count));
    if (n->max_items.present && (double)count > n->max_items.value)
        STEP(fail(v, "must have at most %.0f items, got %zu", n->max_items.value, count));
    STEP(check_array_items(v, n, array, count, ev));
    if (n->unique_items)
        STEP(check_unique_items(v, array, count));
    if (n->contains)
        STEP(check_contains(v, n, array, ev));
    return bad ? INVALID : VALID;
}

/* strcmp is most of the time spent on objects; most names differ in the
 * first byte, so that is compared inline first. */
static inline int same_name(const char *a, const char *b)
{
    return a[0] == b[0] && strcmp(a, b) == 0;
}

static const cJSON *find_member(const cJSON *object, const char *name)
{
    for (const cJSON *m = object->child; m; m = m->next)
        if (m->string && same_name(m->string, name))
            return m;
    return NULL;
}

/* Members usually come in the schema's order: *hint (the index after the
 * last match) is tried first, then the rest. */
static const node *declared_property(const node *n, const char *name, size_t *hint)
{
    size_t count = n->property_count;
    for (size_t k = 0; k < count; k++) {
        size_t i = (*hint + k) % count;
        if (same_name(n->properties[i].name, name)) {
            *hint = i + 1;
            return n->properties[i].schema;
        }
    }
    return NULL;
}

static int fail_property_not_allowed(validator *v, const node *n, const char *name)
{
    size_t saved = path_push_key(v, name);
    int rc = n->allowed_names_text ? fail(v, "property not allowed; allowed properties are %s", n->allowed_names_text)
                                   : fail(v, "property not allowed");
    path_pop(v, saved);
    return rc;
}

/* Applies properties, patternProperties and additionalProperties to one member. */
static int check_member(validator *v, const node *n, const cJSON *member, size_t index, evaluated *ev,
                        size_t *hint)
{
    int bad = 0;
    const node *declared = n->property_count ? declared_property(n, member->string, hint) : NULL;
    int matched_pattern = 0;
    if (declared && declared->rejects_all)
        return fail_property_not_allowed(v, n, member->string);
    if (declared)
        STEP(validate_at_key(v, declared, member, member->string));
    for (size_t i = 0; i < n->pattern_property_count; i++) {
        int matched = 0;
        if (pattern_matches(v, n->pattern_properties[i].pattern, member->string, &matched) != VALID)
            return ABORTED;
        if (matched) {
            matched_pattern = 1;
            STEP(validate_at_key(v, n->pattern_properties[i].schema, member, member->string));
        }
    }
    if (!declared && !matched_pattern && n->additional_properties) {
        if (n->additional_properties->rejects_all)
            STEP(fail_property_not_allowed(v, n, member->string));
        else
            STEP(validate_at_key(v, n->additional_properties, member, member->string));
        matched_pattern = 1;
    }
    if (!bad && (declared || matched_pattern))
        mark(ev, index);
    return bad ? INVALID : VALID;
}

static int check_property_names(validator *v, const node *n, const cJSON *object)
{
    int bad = 0;
    for (const cJSON *member = object->child; member; member = member->next) {
        cJSON name;
        memset(&name, 0, sizeof name);
        name.type = cJSON_String;
        name.valuestring = member->string;
        size_t saved = path_push_key(v, member->string);
        char reason[256] = "";
        int rc = try_node(v, n->property_names, &name, v->err ? reason : NULL, sizeof reason, NULL);
        if (rc == INVALID)
            rc = fail(v, "property name does not match \"propertyNames\": %s", reason);
        path_pop(v, saved);
        STEP(rc);
    }
    return bad ? INVALID : VALID;
}

static int check_object(validator *v, const node *n, const cJSON *object, evaluated *ev)
{
    int bad = 0;
    size_t count = n->min_properties.present || n->max_properties.present ? (size_t)cJSON_GetArraySize(object) : 0;
    if (n->min_properties.present && (double)count < n->min_properties.value)
        STEP(fail(v, "must have at least %.0f properties, got %zu", n->min_properties.value, count));
    if (n->max_properties.present && (double)count > n->max_properties.value)
        STEP(fail(v, "must have at most %.0f properties, got %zu", n->max_properties.value, count));
    for (size_t i = 0; i < n->required_count; i++)
        if (!find_member(object, n->required[i]))
            STEP(fail(v, "missing required property \"%s\"", n->required[i]));
    for (size_t i = 0; i < n->dependent_required_count; i++) {
        const dependent_names *d = &n->dependent_required[i];
        if (!find_member(object, d->name))
            continue;
        for (size_t k = 0; k < d->count; k++)
            if (!find_member(object, d->names[k]))
                STEP(fail(v, "missing property \"%s\", required when \"%s\" is present", d->names[k], d->name));
    }
    if (n->property_names)
        STEP(check_property_names(v, n, object));
    if (!n->property_count && !n->pattern_property_count && !n->additional_properties)
        return bad ? INVALID : VALID;
    size_t index = 0, hint = 0;
    for (const cJSON *member = object->child; member; member = member->next, index++)
        STEP(check_member(v, n, member, index, ev, &hint));
    return bad ? INVALID : VALID;
}

static int check_any_of(validator *v, const node *n, const cJSON *instance, evaluated *ev)
{
    char reason[256] = "";
    int matched = 0;
    for (size_t i = 0; i < n->any_of.count; i++) {
        int rc = try_node(v, n->any_of.items[i], instance, i == 0 ? reason : NULL, i == 0 ? sizeof reason : 0, ev);
        if (rc == ABORTED)
            return rc;
        if (rc == VALID) {
            matched = 1;
            if (!ev)
                return VALID; /* no annotations wanted: the first match decides */
        }
    }
    if (matched)
        return VALID;
    return fail(v, "must match at least one anyOf alternative; the first one failed with: %s", reason);
}

static int check_one_of(validator *v, const node *n, const cJSON *instance, evaluated *ev)
{
    char reason[256] = "";
    size_t matches = 0, first_match = 0;
    for (size_t i = 0; i < n->one_of.count; i++) {
        int rc = try_node(v, n->one_of.items[i], instance, i == 0 ? reason : NULL, i == 0 ? sizeof reason : 0, ev);
        if (rc == ABORTED)
            return rc;
        if (rc == VALID && matches++ == 0)
            first_match = i;
        else if (rc == VALID)
            return fail(v, "must match exactly one oneOf alternative, but matches alternatives %zu and %zu",
                        first_match, i);
    }
    if (matches == 0)
        return fail(v, "must match exactly one oneOf alternative, but matches none; the first one failed with: %s",
                    reason);
    return VALID;
}

static int check_not(validator *v, const node *n, const cJSON *instance)
{
    int rc = try_node(v, n->not_schema, instance, NULL, 0, NULL);
    if (rc == ABORTED)
        return rc;
    return rc == VALID ? fail(v, "must not match the schema given in \"not\"") : VALID;
}

static int check_conditional(validator *v, const node *n, const cJSON *instance, evaluated *ev)
{
    int rc = try_node(v, n->if_schema, instance, NULL, 0, ev);
    if (rc == ABORTED)
        return rc;
    const node *branch = rc == VALID ? n->then_schema : n->else_schema;
    return branch ? validate_node(v, branch, instance, ev) : VALID;
}

static int check_in_place(validator *v, const node *n, const cJSON *instance, evaluated *ev)
{
    int bad = 0;
    for (size_t i = 0; i < n->all_of.count; i++)
        STEP(validate_node(v, n->all_of.items[i], instance, ev));
    if (n->any_of.count)
        STEP(check_any_of(v, n, instance, ev));
    if (n->one_of.count)
        STEP(check_one_of(v, n, instance, ev));
    if (n->not_schema)
        STEP(check_not(v, n, instance));
    if (n->if_schema)
        STEP(check_conditional(v, n, instance, ev));
    if (n->dependent_schema_count && cJSON_IsObject(instance))
        for (size_t i = 0; i < n->dependent_schema_count; i++)
            if (cJSON_GetObjectItemCaseSensitive(instance, n->dependent_schemas[i].name))
                STEP(validate_node(v, n->dependent_schemas[i].schema, instance, ev));
    return bad ? INVALID : VALID;
}

/* unevaluatedProperties/unevaluatedItems: what no other keyword of this
 * schema (in place, through references included) evaluated. */
static int check_unevaluated(validator *v, const node *n, const cJSON *instance, evaluated *ev)
{
    int bad = 0;
    const node *rest = cJSON_IsObject(instance) ? n->unevaluated_properties : n->unevaluated_items;
    size_t i = 0;
    for (const cJSON *item = instance->child; item; item = item->next, i++) {
        if (is_marked(ev, i))
            continue;
        if (rest->rejects_all && cJSON_IsObject(instance)) {
            size_t saved = path_push_key(v, item->string);
            int rc = fail(v, "property not allowed (unevaluatedProperties is false)");
            path_pop(v, saved);
            STEP(rc);
        } else if (rest->rejects_all) {
            size_t saved = path_push_index(v, i);
            int rc = fail(v, "item not allowed (unevaluatedItems is false)");
            path_pop(v, saved);
            STEP(rc);
        } else if (cJSON_IsObject(instance)) {
            STEP(validate_at_key(v, rest, item, item->string));
        } else {
            STEP(validate_at_index(v, rest, item, i));
        }
        mark(ev, i);
    }
    return bad ? INVALID : VALID;
}

/* Where a dynamic reference lands: the outermost resource in the dynamic
 * scope that declares the anchor, else the static target. */
static const node *dynamic_target(const validator *v, const node *n)
{
    if (n->recursive_ref) {
        for (size_t i = 0; i < v->scope_len; i++)
            if (v->scope[i]->recursive_anchor)
                return v->scope[i]->recursive_anchor;
        return n->dynamic_ref;
    }
    if (!n->dynamic_name)
        return n->dynamic_ref;
    for (size_t i = 0; i < v->scope_len; i++) {
        const resource *r = v->scope[i];
        for (size_t k = 0; k < r->dynamic_anchor_count; k++)
            if (strcmp(r->dynamic_anchors[k].name, n->dynamic_name) == 0)
                return r->dynamic_anchors[k].target;
    }
    return n->dynamic_ref;
}

static int apply_keywords(validator *v, const node *n, const cJSON *instance, evaluated *ev)
{
    int bad = 0;
    if (n->rejects_all)
        return fail(v, "no value is allowed here");
    if (n->ref)
        STEP(validate_node(v, n->ref, instance, ev));
    if (n->dynamic_ref)
        STEP(validate_node(v, dynamic_target(v, n), instance, ev));
    STEP(check_type(v, n, instance));
    unsigned checks = n->checks;
    if (checks & CHECK_LITERAL)
        STEP(check_enum_and_const(v, n, instance));
    int kind = json_kind(instance);
    if (kind == cJSON_Number && (checks & CHECK_NUMBER))
        STEP(check_number(v, n, instance->valuedouble));
    else if (kind == cJSON_String && (checks & CHECK_STRING))
        STEP(check_string(v, n, instance->valuestring));
    else if (kind == cJSON_Array && (checks & CHECK_ARRAY))
        STEP(check_array(v, n, instance, ev));
    else if (kind == cJSON_Object && (checks & CHECK_OBJECT))
        STEP(check_object(v, n, instance, ev));
    if (checks & CHECK_IN_PLACE)
        STEP(check_in_place(v, n, instance, ev));
    if ((n->unevaluated_properties && cJSON_IsObject(instance)) || (n->unevaluated_items && cJSON_IsArray(instance)))
        STEP(check_unevaluated(v, n, instance, ev));
    return bad ? INVALID : VALID;
}

/* The depth counter bounds $ref cycles and deeply nested arguments alike. */
static int validate_node(validator *v, const node *n, const cJSON *instance, evaluated *ev)
{
    if (v->depth >= MAX_VALIDATION_DEPTH)
        return abort_validation(v, "schema nesting too deep (more than %d levels of subschemas or $ref)",
                                MAX_VALIDATION_DEPTH);
    int pushed = 0;
    if (v->schema->dynamic && n->res && (v->scope_len == 0 || v->scope[v->scope_len - 1] != n->res)) {
        v->scope[v->scope_len++] = n->res;
        pushed = 1;
    }
    evaluated own = {NULL, 0}, *use = ev;
    int rc;
    if ((n->unevaluated_properties && cJSON_IsObject(instance)) || (n->unevaluated_items && cJSON_IsArray(instance))) {
        own.count = (size_t)cJSON_GetArraySize(instance);
        own.bits = calloc(own.count / 8 + 1, 1);
        use = &own;
    }
    v->depth++;
    if (use == &own && !own.bits)
        rc = abort_validation(v, "out of memory");
    else
        rc = apply_keywords(v, n, instance, use);
    v->depth--;
    if (use == &own) {
        if (rc == VALID)
            merge(ev, &own);
        free(own.bits);
    }
    if (pushed)
        v->scope_len--;
    return rc;
}

static void write_message(char *err, size_t errlen, const char *message)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", message);
}

int mcp__schema_validate(const mcp_schema *schema, const cJSON *instance, char *err, size_t errlen)
{
    write_message(err, errlen, "");
    if (!schema || !instance) {
        write_message(err, errlen, schema ? "(root): no value given" : "no schema given");
        return -1;
    }
    validator v;
    v.schema = schema;
    v.err = v.abort_err = err;
    v.errlen = v.abort_errlen = errlen;
    v.errors = NULL;
    v.quiet = 0;
    v.frame_count = 0;
    v.depth = 0;
    v.scope_len = 0;
    return validate_node(&v, schema->root, instance, NULL) == VALID ? 0 : -1;
}

int mcp__schema_validate_all(const mcp_schema *schema, const cJSON *instance, cJSON **errors)
{
    *errors = NULL;
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return -1;
    if (!schema || !instance) {
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "instanceLocation", "");
        cJSON_AddStringToObject(item, "error", schema ? "no value given" : "no schema given");
        cJSON_AddItemToArray(list, item);
        *errors = list;
        return -1;
    }
    validator v;
    memset(&v, 0, sizeof v);
    v.schema = schema;
    v.errors = list;
    int rc = validate_node(&v, schema->root, instance, NULL);
    if (rc == VALID) {
        cJSON_Delete(list);
        return 0;
    }
    *errors = list;
    return -1;
}
