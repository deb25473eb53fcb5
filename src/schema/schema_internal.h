/* Shared types of the schema engine (src/schema/): the compiled node graph,
 * schema resources (for $id, $anchor, $dynamicAnchor), the document
 * registry, limits, and the small helpers the engine's files share.
 * compile.c builds the graph, validate.c walks it, regex.c wraps PCRE2,
 * format.c checks "format" values, equal.c compares JSON values, uri.c
 * resolves references, util.c has text and pointer helpers. Nothing here is public API. */
#ifndef MCP_SCHEMA_INTERNAL_H
#define MCP_SCHEMA_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "schema/schema.h"

/* ---- limits ------------------------------------------------------------ */

#define MAX_SCHEMA_DEPTH     64    /* nesting of schema objects at compile time */
#define MAX_VALIDATION_DEPTH 128   /* nested subschema applications, $ref hops included */
#define MAX_VALUE_DEPTH      256   /* nesting followed by deep equality */
#define MAX_NODES            10000 /* compiled subschemas per schema */
#define MAX_PATTERN_LENGTH   4096  /* bytes of one ECMA pattern */
#define MAX_POINTER_LENGTH   512   /* JSON pointer tracked while walking */
#define MAX_SHOWN_POINTER    120   /* of which a message shows at most this much */
#define MAX_LISTED_TEXT      200   /* enum/const/property lists quoted in messages */
#define MAX_URI_LENGTH       2048  /* one resolved $id or $ref */
#define REGEX_MATCH_LIMIT    100000 /* PCRE2 backtracking steps per match */
#define REGEX_DEPTH_LIMIT    1000  /* PCRE2 backtracking depth per match */

/* ---- dialects ---------------------------------------------------------- */

enum {
    DIALECT_07 = 1u << 0,
    DIALECT_2019 = 1u << 1,
    DIALECT_2020 = 1u << 2,
};

/* vocabularies a custom metaschema can switch off */
enum {
    VOCAB_APPLICATOR = 1u << 0,
    VOCAB_VALIDATION = 1u << 1,
    VOCAB_UNEVALUATED = 1u << 2,
    VOCAB_FORMAT = 1u << 3,
    VOCAB_ALL = 0xFu,
    VOCAB_FORMAT_ASSERTION = 1u << 4, /* the metaschema asks for format-assertion */
};

/* ---- compiled form ------------------------------------------------------- */

enum {
    TYPE_NULL = 1u << 0,
    TYPE_BOOLEAN = 1u << 1,
    TYPE_OBJECT = 1u << 2,
    TYPE_ARRAY = 1u << 3,
    TYPE_NUMBER = 1u << 4,
    TYPE_INTEGER = 1u << 5,
    TYPE_STRING = 1u << 6,
};

#define MCP__TYPE_NAME_COUNT 7

typedef enum {
    FORMAT_NONE,
    FORMAT_DATE_TIME,
    FORMAT_DATE,
    FORMAT_TIME,
    FORMAT_DURATION,
    FORMAT_EMAIL,
    FORMAT_IDN_EMAIL,
    FORMAT_HOSTNAME,
    FORMAT_IDN_HOSTNAME,
    FORMAT_IPV4,
    FORMAT_IPV6,
    FORMAT_URI,
    FORMAT_URI_REFERENCE,
    FORMAT_IRI,
    FORMAT_IRI_REFERENCE,
    FORMAT_URI_TEMPLATE,
    FORMAT_UUID,
    FORMAT_JSON_POINTER,
    FORMAT_RELATIVE_JSON_POINTER,
    FORMAT_REGEX,
} format_kind;

typedef struct node node;
typedef struct mcp__regex mcp__regex;

typedef struct {
    int present;
    double value;
} bound;

typedef struct {
    mcp__regex *regex;
    char *source; /* the original ECMA text, quoted in messages */
} pattern;

typedef struct {
    char *name;
    node *schema;
} property;

typedef struct {
    pattern *pattern;
    node *schema;
} pattern_property;

typedef struct {
    node **items;
    size_t count;
} node_list;

typedef struct {
    char *name;
    char **names;
    size_t count;
} dependent_names;

typedef struct {
    char *name;
    node *target;
} named_node;

/* A schema resource: the subschema an "$id" (or the document root) starts.
 * Its dynamic anchors are what a $dynamicRef looks for in the dynamic scope. */
typedef struct {
    char *uri;
    named_node *dynamic_anchors;
    size_t dynamic_anchor_count;
    node *recursive_anchor; /* 2019-09: the root when "$recursiveAnchor": true */
    const cJSON *recursive_root; /* compile time only */
    int used;                    /* some node of it is compiled */
} resource;

/* node->checks: which groups of keywords a node has, so the validator
 * skips the rest without looking at their fields */
enum {
    CHECK_LITERAL = 1u << 0,  /* enum, const */
    CHECK_NUMBER = 1u << 1,   /* minimum ... multipleOf */
    CHECK_STRING = 1u << 2,   /* minLength, maxLength, pattern, format */
    CHECK_ARRAY = 1u << 3,    /* items ... contains */
    CHECK_OBJECT = 1u << 4,   /* properties ... propertyNames */
    CHECK_IN_PLACE = 1u << 5, /* allOf, anyOf, oneOf, not, if, dependentSchemas */
};

struct node {
    int rejects_all; /* the boolean schema false */
    unsigned checks; /* CHECK_* */
    unsigned types;  /* TYPE_* bits; 0 accepts every type */
    resource *res;   /* the resource this subschema belongs to */
    node *ref;       /* resolved $ref target, or NULL */
    node *dynamic_ref; /* $dynamicRef / $recursiveRef: the statically resolved target */
    char *dynamic_name; /* the anchor a dynamic reference looks for (NULL: static) */
    int recursive_ref;  /* dynamic_ref came from 2019-09 $recursiveRef */

    bound minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;

    bound min_length, max_length;
    pattern *pattern;
    format_kind format;

    node_list prefix_items;
    node *items; /* applies to items after the prefix; NULL allows anything */
    bound min_items, max_items;
    int unique_items;
    node *contains;
    int contains_marks; /* 2020-12: items matching contains count as evaluated */
    bound min_contains, max_contains;
    node *unevaluated_items;

    property *properties;
    size_t property_count;
    pattern_property *pattern_properties;
    size_t pattern_property_count;
    node *additional_properties;
    char *allowed_names_text; /* listed when additionalProperties is false */
    char **required;
    size_t required_count;
    bound min_properties, max_properties;
    dependent_names *dependent_required;
    size_t dependent_required_count;
    property *dependent_schemas;
    size_t dependent_schema_count;
    node *property_names;
    node *unevaluated_properties;

    cJSON *enum_values;
    char *enum_text;
    cJSON *const_value;
    char *const_text;
    node_list all_of, any_of, one_of;
    node *not_schema;
    node *if_schema, *then_schema, *else_schema;
};

/* A document registered under a URI; refs across documents resolve here. */
typedef struct {
    char *uri;
    cJSON *document; /* owned copy */
} registered_doc;

struct mcp_schema_registry {
    registered_doc *docs;
    size_t count, capacity;
};

struct mcp_schema {
    node *root;
    node **nodes; /* every node, so freeing never has to walk $ref cycles */
    size_t node_count, node_capacity;
    resource **resources;
    size_t resource_count, resource_capacity;
    cJSON **owned_docs; /* registry documents the graph was built from (copies) */
    size_t owned_doc_count;
    int tracks_annotations; /* some node uses unevaluatedProperties/Items */
    int dynamic;            /* some node uses $dynamicRef/$recursiveRef */
    int assert_format;
};

static inline int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static inline int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}
static inline double absolute(double x)
{
    return x < 0 ? -x : x;
}
static inline int json_kind(const cJSON *v)
{
    return v->type & 0xFF;
}
/* Every double at or beyond 2^53 is a whole number; below it, a round trip
 * through int64 tells. */
static inline int is_whole_number(double x)
{
    if (!isfinite(x))
        return 0;
    if (absolute(x) >= 9007199254740992.0)
        return 1;
    return (double)(int64_t)x == x;
}
static inline double round_to_whole(double x)
{
    if (absolute(x) >= 9007199254740992.0)
        return x;
    return (double)(int64_t)(x < 0 ? x - 0.5 : x + 0.5);
}
static inline size_t utf8_length(const char *s)
{
    size_t count = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            count++;
    return count;
}

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PRINTF_LIKE(fmt, args)
#endif

#endif
