/* JSON Schema validator for MCP tool inputs and structured results.
 * mcp__schema_compile() reads a schema (2020-12 subset, draft-07 accepted)
 * once into a graph of nodes: type bitmasks, numeric bounds as doubles,
 * pre-compiled POSIX regexes translated from ECMA-262 syntax, and local
 * $ref pointers already resolved. mcp__schema_validate() walks that graph
 * and never re-reads the schema. Errors name the failing location as a
 * JSON pointer in plain words, because AI agents read them as tool errors.
 * All work is bounded (nesting depth, node count, regex size) so hostile
 * schemas or arguments cannot exhaust the stack or the CPU. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* strdup, newlocale, uselocale */
#endif

#include "core/schema.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- limits ------------------------------------------------------------ */

#define MAX_SCHEMA_DEPTH     64    /* nesting of schema objects at compile time */
#define MAX_VALIDATION_DEPTH 128   /* nested subschema applications, $ref hops included */
#define MAX_VALUE_DEPTH      256   /* nesting followed by deep equality */
#define MAX_NODES            10000 /* compiled subschemas per schema */
#define MAX_PATTERN_LENGTH   4096  /* bytes of one ECMA pattern */
#define MAX_REPEAT_WEIGHT    1000  /* product of nested {n,m} counts in one pattern */
#define MAX_GROUP_NESTING    32    /* parentheses nesting in one pattern */
#define MAX_SPELLED_RANGE    1024  /* non-ASCII class range written out char by char */
#define MAX_POINTER_LENGTH   512   /* JSON pointer tracked while walking */
#define MAX_SHOWN_POINTER    120   /* of which a message shows at most this much */
#define MAX_LISTED_TEXT      200   /* enum/const/property lists quoted in messages */

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

static const struct {
    unsigned bit;
    const char *name;
} TYPE_NAMES[] = {
    /* message order: "string or null" reads better than "null or string" */
    {TYPE_STRING, "string"}, {TYPE_NUMBER, "number"}, {TYPE_INTEGER, "integer"}, {TYPE_BOOLEAN, "boolean"},
    {TYPE_OBJECT, "object"}, {TYPE_ARRAY, "array"},   {TYPE_NULL, "null"},
};
#define TYPE_NAME_COUNT (sizeof TYPE_NAMES / sizeof TYPE_NAMES[0])

typedef enum { FORMAT_NONE, FORMAT_DATE_TIME, FORMAT_DATE, FORMAT_TIME, FORMAT_EMAIL, FORMAT_URI } format_kind;

typedef struct node node;

typedef struct {
    int present;
    double value;
} bound;

typedef struct {
    regex_t regex;
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

struct node {
    int rejects_all; /* the boolean schema false */
    unsigned types;  /* TYPE_* bits; 0 accepts every type */
    node *ref;       /* resolved $ref target, or NULL */

    bound minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;

    bound min_length, max_length;
    pattern *pattern;
    format_kind format;

    node_list prefix_items;
    node *items; /* applies to items after the prefix; NULL allows anything */
    bound min_items, max_items;
    int unique_items;

    property *properties;
    size_t property_count;
    pattern_property *pattern_properties;
    size_t pattern_property_count;
    node *additional_properties;
    char *allowed_names_text; /* listed when additionalProperties is false */
    char **required;
    size_t required_count;
    bound min_properties, max_properties;

    cJSON *enum_values;
    char *enum_text;
    cJSON *const_value;
    char *const_text;
    node_list all_of, any_of, one_of;
    node *not_schema;
};

struct mcp_schema {
    node *root;
    node **nodes; /* every node, so freeing never has to walk $ref cycles */
    size_t node_count, node_capacity;
    locale_t utf8; /* regexes run under UTF-8 so "." is one code point; 0 if unavailable */
    int utf8_tried;
};

/* ---- small helpers --------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len, cap;
    int out_of_memory;
} strbuf;

static void sb_putn(strbuf *sb, const char *s, size_t n)
{
    if (sb->out_of_memory)
        return;
    if (sb->len + n + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 64;
        while (cap < sb->len + n + 1)
            cap *= 2;
        char *grown = realloc(sb->data, cap);
        if (!grown) {
            sb->out_of_memory = 1;
            return;
        }
        sb->data = grown;
        sb->cap = cap;
    }
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

static void sb_puts(strbuf *sb, const char *s)
{
    sb_putn(sb, s, strlen(s));
}
static void sb_putc(strbuf *sb, char c)
{
    sb_putn(sb, &c, 1);
}

static void sb_put_utf8(strbuf *sb, uint32_t cp)
{
    char out[4];
    size_t n;
    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sb_putn(sb, out, n);
}

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

/* Shortens text to MAX_LISTED_TEXT bytes (on a UTF-8 boundary) so a huge
 * enum cannot flood the message an agent reads. Takes ownership of text. */
static char *shorten_listing(char *text)
{
    if (!text || strlen(text) <= MAX_LISTED_TEXT)
        return text;
    size_t cut = MAX_LISTED_TEXT - 3;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(text + cut, "...", 4);
    return text;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

static double absolute(double x)
{
    return x < 0 ? -x : x;
}

/* Every double at or beyond 2^53 is a whole number; below it, a round trip
 * through int64 tells. Avoids libm so the library links without -lm. */
static int is_whole_number(double x)
{
    if (!isfinite(x))
        return 0;
    if (absolute(x) >= 9007199254740992.0)
        return 1;
    return (double)(int64_t)x == x;
}

static double round_to_whole(double x)
{
    if (absolute(x) >= 9007199254740992.0)
        return x;
    return (double)(int64_t)(x < 0 ? x - 0.5 : x + 0.5);
}

/* Shortest "%.Ng" that reads back to the same double, so messages say
 * 0.1 rather than 0.10000000000000001. */
static void format_number(double x, char *out, size_t outlen)
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(out, outlen, "%.*g", precision, x);
        if (strtod(out, NULL) == x)
            return;
    }
}

static size_t utf8_length(const char *s)
{
    size_t count = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            count++;
    return count;
}

/* Decodes one UTF-8 sequence; returns its byte length, 0 when malformed. */
static size_t utf8_decode(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    } else if ((u[0] & 0xE0) == 0xC0) {
        *cp = u[0] & 0x1F;
        n = 2;
    } else if ((u[0] & 0xF0) == 0xE0) {
        *cp = u[0] & 0x0F;
        n = 3;
    } else if ((u[0] & 0xF8) == 0xF0) {
        *cp = u[0] & 0x07;
        n = 4;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (u[i] & 0x3F);
    }
    return n;
}

/* ---- deep JSON equality (enum, const, uniqueItems) ----------------------- */

static int json_kind(const cJSON *v)
{
    return v->type & 0xFF;
}

static int json_equal_at(const cJSON *a, const cJSON *b, int depth);

static int objects_equal(const cJSON *a, const cJSON *b, int depth)
{
    if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
        return 0;
    for (const cJSON *member = a->child; member; member = member->next) {
        const cJSON *other = cJSON_GetObjectItemCaseSensitive(b, member->string);
        if (!other)
            return 0;
        int eq = json_equal_at(member, other, depth + 1);
        if (eq != 1)
            return eq;
    }
    return 1;
}

static int arrays_equal(const cJSON *a, const cJSON *b, int depth)
{
    const cJSON *x = a->child, *y = b->child;
    for (; x && y; x = x->next, y = y->next) {
        int eq = json_equal_at(x, y, depth + 1);
        if (eq != 1)
            return eq;
    }
    return x == NULL && y == NULL;
}

/* 1 equal, 0 different, -1 nested too deep to decide. Numbers compare by
 * value (1 == 1.0) and object member order is irrelevant. */
static int json_equal_at(const cJSON *a, const cJSON *b, int depth)
{
    if (depth > MAX_VALUE_DEPTH)
        return -1;
    if (json_kind(a) != json_kind(b))
        return 0;
    switch (json_kind(a)) {
    case cJSON_Number:
        return a->valuedouble == b->valuedouble;
    case cJSON_String:
    case cJSON_Raw:
        return a->valuestring && b->valuestring && strcmp(a->valuestring, b->valuestring) == 0;
    case cJSON_Array:
        return arrays_equal(a, b, depth);
    case cJSON_Object:
        return objects_equal(a, b, depth);
    default: /* null, true, false: the kind is the value */
        return 1;
    }
}

static int json_equal(const cJSON *a, const cJSON *b)
{
    return json_equal_at(a, b, 0);
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t string_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* A hash consistent with json_equal_at: equal values hash equal (members
 * are combined by addition so order does not matter). Past the depth limit
 * it stops looking, which only costs extra comparisons, never correctness. */
static uint64_t json_hash(const cJSON *v, int depth)
{
    uint64_t h = (uint64_t)json_kind(v) * 0x9e3779b97f4a7c15ULL;
    if (depth > MAX_VALUE_DEPTH)
        return h;
    switch (json_kind(v)) {
    case cJSON_Number: {
        double x = v->valuedouble == 0 ? 0.0 : v->valuedouble; /* -0 equals 0 */
        uint64_t bits;
        memcpy(&bits, &x, sizeof bits);
        return mix64(h ^ bits);
    }
    case cJSON_String:
    case cJSON_Raw:
        return mix64(h ^ string_hash(v->valuestring));
    case cJSON_Array:
        for (const cJSON *item = v->child; item; item = item->next)
            h = mix64(h * 31 + json_hash(item, depth + 1));
        return h;
    case cJSON_Object: {
        uint64_t sum = 0;
        for (const cJSON *member = v->child; member; member = member->next)
            sum += mix64(string_hash(member->string) * 7 + json_hash(member, depth + 1));
        return mix64(h ^ sum);
    }
    default:
        return h;
    }
}

/* ---- ECMA-262 pattern to POSIX ERE ---------------------------------------- */

/* POSIX ERE lacks \d \w \s, lookaround, lazy quantifiers and non-capturing
 * groups. Everything with the same match/no-match meaning is rewritten;
 * anything else is refused with a reason, never silently changed. */
typedef struct {
    const char *p;
    strbuf *out;
    const char *why;
    uint64_t group_weight[MAX_GROUP_NESTING + 1]; /* largest repeat weight inside each open group */
    int group_depth;
    uint64_t last_atom_weight; /* repeat weight of the atom a quantifier would apply to */
    int utf8;                  /* the regex will run under a UTF-8 locale */
    int after_quantifier;      /* the last token was a quantifier */
} re_translator;

/* ECMA \s is POSIX [:space:] plus these Unicode spaces (U+00A0, U+1680,
 * U+2000 to U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF); they
 * can only be listed when the regex sees UTF-8 as characters, and one by
 * one because glibc refuses non-ASCII ranges in brackets. */
#define UNICODE_SPACES                                                                                                 \
    "\xc2\xa0\xe1\x9a\x80"                                                                                             \
    "\xe2\x80\x80\xe2\x80\x81\xe2\x80\x82\xe2\x80\x83\xe2\x80\x84\xe2\x80\x85"                                         \
    "\xe2\x80\x86\xe2\x80\x87\xe2\x80\x88\xe2\x80\x89\xe2\x80\x8a"                                                     \
    "\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\x9f\xe3\x80\x80\xef\xbb\xbf"

static const char *re_space_class(const re_translator *t, int negated, int bracketed)
{
    static const char *const forms[2][2][2] = {
        /* ASCII only */ {{"[:space:]", "[[:space:]]"}, {"", "[^[:space:]]"}},
        /* UTF-8 */
        {{"[:space:]" UNICODE_SPACES, "[[:space:]" UNICODE_SPACES "]"}, {"", "[^[:space:]" UNICODE_SPACES "]"}},
    };
    return forms[t->utf8 != 0][negated][bracketed];
}

typedef enum { ATOM_CHAR, ATOM_CLASS, ATOM_ERROR } atom_kind;

typedef struct {
    atom_kind kind;
    uint32_t cp;      /* ATOM_CHAR */
    const char *text; /* ATOM_CLASS: POSIX bracket contents */
} class_atom;

static int re_fail(re_translator *t, const char *why)
{
    t->why = why;
    return -1;
}

static void re_note_atom(re_translator *t, uint64_t weight)
{
    t->last_atom_weight = weight;
    if (weight > t->group_weight[t->group_depth])
        t->group_weight[t->group_depth] = weight;
}

/* Reads the hex digits of \xHH, \uHHHH or \u{H...}; *p points after the letter. */
static int re_read_hex(const char **p, size_t digits, uint32_t *cp)
{
    uint32_t value = 0;
    for (size_t i = 0; i < digits; i++) {
        if (!is_hex((*p)[i]))
            return -1;
        value = value * 16 + (uint32_t)hex_value((*p)[i]);
    }
    *p += digits;
    *cp = value;
    return 0;
}

static int re_read_unicode_escape(re_translator *t, uint32_t *cp)
{
    if (*t->p == '{') {
        const char *q = t->p + 1;
        uint32_t value = 0;
        size_t digits = 0;
        for (; is_hex(*q) && digits < 7; q++, digits++)
            value = value * 16 + (uint32_t)hex_value(*q);
        if (digits == 0 || *q != '}' || value > 0x10FFFF)
            return re_fail(t, "malformed \\u{...} escape");
        t->p = q + 1;
        *cp = value;
        return 0;
    }
    if (re_read_hex(&t->p, 4, cp) != 0)
        return re_fail(t, "malformed \\u escape (expected 4 hex digits)");
    if (*cp >= 0xD800 && *cp <= 0xDBFF && t->p[0] == '\\' && t->p[1] == 'u') {
        const char *q = t->p + 2;
        uint32_t low;
        if (re_read_hex(&q, 4, &low) == 0 && low >= 0xDC00 && low <= 0xDFFF) {
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (low - 0xDC00);
            t->p = q;
        }
    }
    if (*cp >= 0xD800 && *cp <= 0xDFFF)
        return re_fail(t, "lone surrogate in \\u escape");
    return 0;
}

/* Escapes that mean one character in and out of classes; *t->p is the
 * letter after the backslash. Returns 1 if handled, 0 if not, -1 on error. */
static int re_character_escape(re_translator *t, uint32_t *cp)
{
    char c = *t->p;
    static const char letters[] = "tnrfv";
    static const char values[] = "\t\n\r\f\v";
    const char *hit = strchr(letters, c);
    if (c && hit) {
        *cp = (unsigned char)values[hit - letters];
        t->p++;
        return 1;
    }
    if (c == 'x') {
        t->p++;
        return re_read_hex(&t->p, 2, cp) == 0 ? 1 : re_fail(t, "malformed \\x escape (expected 2 hex digits)");
    }
    if (c == 'u') {
        t->p++;
        return re_read_unicode_escape(t, cp) == 0 ? 1 : -1;
    }
    if (c == 'c') {
        if (!is_alpha(t->p[1]))
            return re_fail(t, "\\c must be followed by a letter");
        *cp = (uint32_t)(t->p[1] & 0x1F); /* control character, e.g. \cJ is newline */
        t->p += 2;
        return 1;
    }
    return 0;
}

/* Escapes with no POSIX equivalent get a reason instead of a translation. */
static const char *re_unsupported_escape(char c)
{
    switch (c) {
    case 'b':
    case 'B':
        return "word boundary assertions (\\b, \\B) are not supported";
    case 'k':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        return "backreferences are not supported";
    case 'p':
    case 'P':
        return "Unicode property escapes (\\p{...}) are not supported";
    case '0':
        return "the NUL escape \\0 is not supported";
    case '\0':
        return "pattern ends with a lone backslash";
    default:
        return NULL;
    }
}

static void re_emit_literal(re_translator *t, uint32_t cp)
{
    if (cp >= 0x80 && t->utf8) {
        sb_put_utf8(t->out, cp);
    } else if (cp >= 0x80) {
        sb_putc(t->out, '('); /* without UTF-8, a quantifier must still cover every byte */
        sb_put_utf8(t->out, cp);
        sb_putc(t->out, ')');
    } else if (cp == '{' || cp == '}') {
        sb_puts(t->out, cp == '{' ? "[{]" : "[}]"); /* a bare brace is ambiguous in ERE */
    } else if (cp != 0 && strchr(".[\\()*+?|^$", (int)cp)) {
        sb_putc(t->out, '\\');
        sb_putc(t->out, (char)cp);
    } else {
        sb_putc(t->out, (char)cp);
    }
    re_note_atom(t, 1);
}

static int re_translate_escape(re_translator *t)
{
    t->p++; /* the backslash */
    char c = *t->p;
    static const struct {
        char letter;
        const char *posix;
    } classes[] = {
        {'d', "[0-9]"},
        {'D', "[^0-9]"},
        {'w', "[A-Za-z0-9_]"},
        {'W', "[^A-Za-z0-9_]"},
    };
    if (c == 's' || c == 'S') {
        sb_puts(t->out, re_space_class(t, c == 'S', 1));
        t->p++;
        re_note_atom(t, 1);
        return 0;
    }
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        if (classes[i].letter == c) {
            sb_puts(t->out, classes[i].posix);
            t->p++;
            re_note_atom(t, 1);
            return 0;
        }
    }
    const char *why = re_unsupported_escape(c);
    if (why)
        return re_fail(t, why);
    uint32_t cp;
    int handled = re_character_escape(t, &cp);
    if (handled < 0)
        return -1;
    if (handled) {
        if (cp == 0)
            return re_fail(t, "the NUL character cannot be matched");
        re_emit_literal(t, cp);
        return 0;
    }
    if (is_alpha(c) || is_digit(c))
        return re_fail(t, "unknown escape sequence in pattern");
    size_t n = utf8_decode(t->p, &cp);
    if (n == 0)
        return re_fail(t, "pattern is not valid UTF-8");
    t->p += n;
    re_emit_literal(t, cp); /* identity escape such as \. or \/ */
    return 0;
}

static class_atom re_class_escape(re_translator *t)
{
    class_atom atom = {ATOM_CHAR, 0, NULL};
    t->p++; /* the backslash */
    char c = *t->p;
    switch (c) {
    case 'd':
        t->p++;
        return (class_atom){ATOM_CLASS, 0, "0-9"};
    case 'w':
        t->p++;
        return (class_atom){ATOM_CLASS, 0, "A-Za-z0-9_"};
    case 's':
        t->p++;
        return (class_atom){ATOM_CLASS, 0, re_space_class(t, 0, 0)};
    case 'D':
    case 'W':
    case 'S':
        re_fail(t, "negated class escapes (\\D, \\W, \\S) inside [...] are not supported");
        return (class_atom){ATOM_ERROR, 0, NULL};
    case 'b': /* inside a class, \b is backspace */
        t->p++;
        atom.cp = 0x08;
        return atom;
    default:
        break;
    }
    const char *why = re_unsupported_escape(c);
    if (why) {
        re_fail(t, why);
        return (class_atom){ATOM_ERROR, 0, NULL};
    }
    int handled = re_character_escape(t, &atom.cp);
    if (handled < 0)
        return (class_atom){ATOM_ERROR, 0, NULL};
    if (handled)
        return atom;
    if (is_alpha(c) || is_digit(c)) {
        re_fail(t, "unknown escape sequence in pattern");
        return (class_atom){ATOM_ERROR, 0, NULL};
    }
    size_t n = utf8_decode(t->p, &atom.cp);
    if (n == 0) {
        re_fail(t, "pattern is not valid UTF-8");
        return (class_atom){ATOM_ERROR, 0, NULL};
    }
    t->p += n;
    return atom;
}

static class_atom re_class_atom(re_translator *t)
{
    if (*t->p == '\0') {
        re_fail(t, "unterminated character class [...]");
        return (class_atom){ATOM_ERROR, 0, NULL};
    }
    if (*t->p == '\\')
        return re_class_escape(t);
    class_atom atom = {ATOM_CHAR, 0, NULL};
    size_t n = utf8_decode(t->p, &atom.cp);
    if (n == 0) {
        re_fail(t, "pattern is not valid UTF-8");
        return (class_atom){ATOM_ERROR, 0, NULL};
    }
    t->p += n;
    return atom;
}

/* Characters with a positional meaning inside a POSIX bracket expression;
 * they are collected as flags and placed where POSIX reads them literally. */
typedef struct {
    strbuf body;
    int right_bracket, left_bracket, caret, hyphen;
} bracket;

static int is_bracket_special(uint32_t cp)
{
    return cp == ']' || cp == '[' || cp == '^' || cp == '-';
}

static void bracket_add_char(bracket *b, uint32_t cp)
{
    switch (cp) {
    case 0: /* NUL never occurs in a C string, so it can be dropped */
        break;
    case ']':
        b->right_bracket = 1;
        break;
    case '[':
        b->left_bracket = 1;
        break;
    case '^':
        b->caret = 1;
        break;
    case '-':
        b->hyphen = 1;
        break;
    default:
        sb_put_utf8(&b->body, cp);
    }
}

static int re_class_range(re_translator *t, bracket *b, uint32_t low)
{
    t->p++; /* the hyphen */
    class_atom high = re_class_atom(t);
    if (high.kind == ATOM_ERROR)
        return -1;
    if (high.kind == ATOM_CLASS)
        return re_fail(t, "a range cannot end in a class escape like \\d");
    if (low > high.cp)
        return re_fail(t, "character range out of order");
    if (low == 0)
        low = 1;
    if (is_bracket_special(low) || is_bracket_special(high.cp))
        return re_fail(t, "ranges starting or ending in ] [ ^ or - are not supported");
    if (high.cp >= 0x80 && !t->utf8)
        return re_fail(t, "non-ASCII characters in [...] need a UTF-8 locale (C.UTF-8), which is unavailable");
    if (high.cp >= 0x80 && high.cp - (low < 0x80 ? 0x80 : low) >= MAX_SPELLED_RANGE)
        return re_fail(t, "non-ASCII ranges in [...] may span at most 1024 characters");
    if (low < 0x80) {
        sb_put_utf8(&b->body, low);
        sb_putc(&b->body, '-');
        sb_put_utf8(&b->body, high.cp < 0x80 ? high.cp : 0x7F);
        low = 0x80;
    }
    /* glibc refuses multibyte range endpoints, so each character is listed */
    for (uint32_t cp = low; high.cp >= 0x80 && cp <= high.cp; cp++)
        sb_put_utf8(&b->body, cp);
    return 0;
}

static int re_emit_bracket(re_translator *t, const bracket *b, int negated)
{
    int caret_would_lead = !negated && !b->right_bracket && b->body.len == 0 && !b->left_bracket;
    if (b->body.len == 0 && !b->right_bracket && !b->left_bracket && !b->caret && !b->hyphen)
        return re_fail(t, "character class matches nothing");
    if (caret_would_lead && b->caret && !b->hyphen) {
        sb_puts(t->out, "\\^");
        re_note_atom(t, 1);
        return 0;
    }
    sb_putc(t->out, '[');
    if (negated)
        sb_putc(t->out, '^');
    if (caret_would_lead && b->caret)
        sb_putc(t->out, '-'); /* "[-^]": hyphen first keeps the caret literal */
    if (b->right_bracket)
        sb_putc(t->out, ']');
    if (b->body.len)
        sb_puts(t->out, b->body.data);
    if (b->left_bracket)
        sb_putc(t->out, '[');
    if (b->caret)
        sb_putc(t->out, '^');
    if (b->hyphen && !(caret_would_lead && b->caret))
        sb_putc(t->out, '-');
    sb_putc(t->out, ']');
    re_note_atom(t, 1);
    return 0;
}

static int re_translate_class(re_translator *t)
{
    t->p++; /* the '[' */
    int negated = 0;
    if (*t->p == '^') {
        negated = 1;
        t->p++;
    }
    if (*t->p == ']')
        return re_fail(t, "empty character classes ([] and [^]) are not supported");
    bracket b = {{NULL, 0, 0, 0}, 0, 0, 0, 0};
    int rc = 0;
    while (rc == 0 && *t->p != ']') {
        class_atom atom = re_class_atom(t);
        if (atom.kind == ATOM_ERROR)
            rc = -1;
        else if (atom.kind == ATOM_CLASS)
            sb_puts(&b.body, atom.text);
        else if (t->p[0] == '-' && t->p[1] != ']' && t->p[1] != '\0')
            rc = re_class_range(t, &b, atom.cp);
        else if (atom.cp >= 0x80 && !t->utf8)
            rc = re_fail(t, "non-ASCII characters in [...] need a UTF-8 locale (C.UTF-8), which is unavailable");
        else
            bracket_add_char(&b, atom.cp);
    }
    if (rc == 0 && b.body.out_of_memory)
        rc = re_fail(t, "out of memory");
    if (rc == 0) {
        t->p++; /* the ']' */
        rc = re_emit_bracket(t, &b, negated);
    }
    free(b.body.data);
    return rc;
}

static int re_open_group(re_translator *t)
{
    const char *p = t->p + 1;
    if (*p == '?') {
        if (p[1] == ':') {
            p += 2;
        } else if (p[1] == '=' || p[1] == '!') {
            return re_fail(t, "lookahead assertions (?= and (?! are not supported");
        } else if (p[1] == '<' && (p[2] == '=' || p[2] == '!')) {
            return re_fail(t, "lookbehind assertions (?<= and (?<! are not supported");
        } else if (p[1] == '<') {
            const char *end = strchr(p + 2, '>');
            if (!end)
                return re_fail(t, "unterminated group name (?<name>");
            p = end + 1;
        } else {
            return re_fail(t, "unsupported group syntax (?...)");
        }
    }
    if (t->group_depth >= MAX_GROUP_NESTING)
        return re_fail(t, "groups nested too deeply");
    t->group_depth++;
    t->group_weight[t->group_depth] = 1;
    sb_putc(t->out, '(');
    t->p = p;
    return 0;
}

static int re_close_group(re_translator *t)
{
    if (t->group_depth == 0)
        return re_fail(t, "unbalanced parenthesis )");
    uint64_t inner = t->group_weight[t->group_depth];
    t->group_depth--;
    sb_putc(t->out, ')');
    t->p++;
    re_note_atom(t, inner);
    return 0;
}

/* Reads "{n}", "{n,}" or "{n,m}"; returns 0 and advances when *t->p starts
 * one, 1 when the brace is a literal (as ECMA Annex B allows). */
static int re_read_counted(re_translator *t, unsigned long *low, unsigned long *high, int *open_ended)
{
    const char *q = t->p + 1;
    char *end;
    if (!is_digit(*q))
        return 1;
    *low = strtoul(q, &end, 10);
    *high = *low;
    *open_ended = 0;
    q = end;
    if (*q == ',') {
        q++;
        if (is_digit(*q)) {
            *high = strtoul(q, &end, 10);
            q = end;
        } else {
            *open_ended = 1;
        }
    }
    if (*q != '}')
        return 1;
    t->p = q + 1;
    return 0;
}

static int re_apply_repeat(re_translator *t, uint64_t count)
{
    uint64_t weight = t->last_atom_weight * (count ? count : 1);
    if (weight > MAX_REPEAT_WEIGHT)
        return re_fail(t, "repetition counts too large (nested {n,m} multiply to more than 1000)");
    re_note_atom(t, weight);
    return 0;
}

static void re_skip_lazy_marker(re_translator *t)
{
    if (*t->p == '?')
        t->p++; /* lazy and greedy quantifiers accept the same strings */
}

static int re_translate_brace(re_translator *t)
{
    unsigned long low, high;
    int open_ended;
    if (re_read_counted(t, &low, &high, &open_ended) != 0) {
        t->p++;
        re_emit_literal(t, '{');
        return 0;
    }
    if (low > MAX_REPEAT_WEIGHT || high > MAX_REPEAT_WEIGHT)
        return re_fail(t, "repetition count above 1000 is not supported");
    if (!open_ended && low > high)
        return re_fail(t, "repetition {n,m} with n greater than m");
    char text[48];
    if (open_ended)
        snprintf(text, sizeof text, "{%lu,}", low);
    else
        snprintf(text, sizeof text, "{%lu,%lu}", low, high);
    sb_puts(t->out, text);
    re_skip_lazy_marker(t);
    return re_apply_repeat(t, open_ended ? low : high);
}

/* ECMA forbids a quantifier on a quantifier ("a++", "a{2}*"); glibc's
 * regcomp accepts stacks of them and can take exponential time, so they
 * are refused. A lazy marker ("a+?") is consumed with its quantifier. */
static int re_is_quantifier_start(const re_translator *t)
{
    unsigned long low, high;
    int open_ended;
    char c = *t->p;
    if (c == '*' || c == '+' || c == '?')
        return 1;
    if (c != '{')
        return 0;
    re_translator probe = *t;
    return re_read_counted(&probe, &low, &high, &open_ended) == 0;
}

static int re_translate_one(re_translator *t)
{
    char c = *t->p;
    int quantifier = re_is_quantifier_start(t);
    if (quantifier && t->after_quantifier)
        return re_fail(t, "a quantifier cannot follow another quantifier");
    t->after_quantifier = quantifier;
    switch (c) {
    case '\\':
        return re_translate_escape(t);
    case '[':
        return re_translate_class(t);
    case '(':
        return re_open_group(t);
    case ')':
        return re_close_group(t);
    case '{':
        return re_translate_brace(t);
    case '}':
        t->p++;
        re_emit_literal(t, '}');
        return 0;
    case '.':
        sb_puts(t->out, "[^\n\r]"); /* ECMA "." excludes line terminators */
        t->p++;
        re_note_atom(t, 1);
        return 0;
    case '*':
    case '+':
    case '?':
        sb_putc(t->out, c);
        t->p++;
        re_skip_lazy_marker(t);
        return 0;
    case '|':
    case '^':
    case '$':
        sb_putc(t->out, c);
        t->p++;
        return 0;
    default: {
        uint32_t cp;
        size_t n = utf8_decode(t->p, &cp);
        if (n == 0)
            return re_fail(t, "pattern is not valid UTF-8");
        t->p += n;
        re_emit_literal(t, cp);
        return 0;
    }
    }
}

/* Returns 0 with the POSIX text in out, or -1 with a reason in *why. */
static int translate_pattern(const char *ecma, int utf8, strbuf *out, const char **why)
{
    re_translator t;
    memset(&t, 0, sizeof t);
    t.p = ecma;
    t.out = out;
    t.group_weight[0] = 1;
    t.utf8 = utf8;
    t.last_atom_weight = 1;
    sb_puts(out, "");
    if (strlen(ecma) > MAX_PATTERN_LENGTH) {
        *why = "pattern longer than 4096 bytes";
        return -1;
    }
    while (*t.p) {
        if (re_translate_one(&t) != 0) {
            *why = t.why;
            return -1;
        }
    }
    if (t.group_depth != 0) {
        *why = "unbalanced parenthesis (";
        return -1;
    }
    if (out->out_of_memory) {
        *why = "out of memory";
        return -1;
    }
    return 0;
}

/* ---- formats --------------------------------------------------------------- */

/* Reads exactly n digits; -1 if any is missing. */
static int read_digits(const char *s, int n)
{
    int value = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        value = value * 10 + (s[i] - '0');
    }
    return value;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* RFC 3339 full-date "YYYY-MM-DD"; returns the end or NULL. */
static const char *parse_full_date(const char *s)
{
    int year = read_digits(s, 4);
    if (year < 0 || s[4] != '-') /* each separator is checked before the field after it is read */
        return NULL;
    int month = read_digits(s + 5, 2);
    if (month < 1 || month > 12 || s[7] != '-')
        return NULL;
    int day = read_digits(s + 8, 2);
    return day >= 1 && day <= days_in_month(year, month) ? s + 10 : NULL;
}

/* RFC 3339 time-offset "Z" or "+hh:mm"; *minutes gets the signed offset. */
static const char *parse_time_offset(const char *s, int *minutes)
{
    *minutes = 0;
    if (*s == 'Z' || *s == 'z')
        return s + 1;
    if (*s != '+' && *s != '-')
        return NULL;
    int hour = read_digits(s + 1, 2);
    if (hour < 0 || hour > 23 || s[3] != ':')
        return NULL;
    int minute = read_digits(s + 4, 2);
    if (minute < 0 || minute > 59)
        return NULL;
    *minutes = (s[0] == '-' ? -1 : 1) * (hour * 60 + minute);
    return s + 6;
}

/* A leap second (:60) only exists at 23:59 UTC. */
static int is_leap_second_minute(int hour, int minute, int offset_minutes)
{
    int utc = ((hour * 60 + minute - offset_minutes) % 1440 + 1440) % 1440;
    return utc == 23 * 60 + 59;
}

/* RFC 3339 full-time "hh:mm:ss[.frac]offset". */
static const char *parse_full_time(const char *s)
{
    int hour = read_digits(s, 2);
    if (hour < 0 || hour > 23 || s[2] != ':')
        return NULL;
    int minute = read_digits(s + 3, 2);
    if (minute < 0 || minute > 59 || s[5] != ':')
        return NULL;
    int second = read_digits(s + 6, 2);
    if (second < 0 || second > 60)
        return NULL;
    s += 8;
    if (*s == '.') {
        if (!is_digit(s[1]))
            return NULL;
        for (s++; is_digit(*s); s++) {
        }
    }
    int offset;
    s = parse_time_offset(s, &offset);
    if (s && second == 60 && !is_leap_second_minute(hour, minute, offset))
        return NULL;
    return s;
}

static int is_date(const char *s)
{
    const char *end = parse_full_date(s);
    return end && *end == '\0';
}

static int is_time(const char *s)
{
    const char *end = parse_full_time(s);
    return end && *end == '\0';
}

static int is_date_time(const char *s)
{
    const char *end = parse_full_date(s);
    if (!end || (*end != 'T' && *end != 't'))
        return 0;
    return is_time(end + 1);
}

/* Dotted quad, each part 0-255 without leading zeros. */
static int is_ipv4(const char *s, size_t n)
{
    int parts = 0;
    size_t i = 0;
    while (parts < 4) {
        size_t start = i;
        int value = 0;
        while (i < n && is_digit(s[i]) && i - start < 3)
            value = value * 10 + (s[i++] - '0');
        size_t digits = i - start;
        if (digits == 0 || value > 255 || (digits > 1 && s[start] == '0'))
            return 0;
        parts++;
        if (parts < 4 && (i >= n || s[i++] != '.'))
            return 0;
    }
    return i == n;
}

/* RFC 4291 text form: up to 8 hex groups, one "::", optional IPv4 tail. */
static int is_ipv6(const char *s, size_t n)
{
    size_t i = 0, groups = 0;
    int compressed = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        compressed = 1;
        i = 2;
    }
    while (i < n) {
        const char *colon = memchr(s + i, ':', n - i);
        size_t end = colon ? (size_t)(colon - s) : n;
        if (!colon && memchr(s + i, '.', n - i)) {
            if (!is_ipv4(s + i, n - i))
                return 0;
            groups += 2;
            break;
        }
        if (end == i || end - i > 4)
            return 0;
        for (size_t k = i; k < end; k++)
            if (!is_hex(s[k]))
                return 0;
        groups++;
        if (end == n)
            break;
        if (end + 1 < n && s[end + 1] == ':') {
            if (compressed)
                return 0;
            compressed = 1;
            i = end + 2;
        } else if (end + 1 == n) {
            return 0; /* a single trailing colon */
        } else {
            i = end + 1;
        }
    }
    return compressed ? groups <= 7 : groups == 8;
}

/* RFC 5322 dot-atom characters; UTF-8 bytes are let through (RFC 6531). */
static int is_email_atom_char(char c)
{
    return is_alpha(c) || is_digit(c) || ((unsigned char)c >= 0x80) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int is_dot_atom(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : !is_email_atom_char(s[i]))
            return 0;
    }
    return 1;
}

static int is_hostname_label(const char *s, size_t n)
{
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '-' && (unsigned char)s[i] < 0x80)
            return 0;
    return 1;
}

/* Dot-separated labels of letters, digits and inner hyphens (UTF-8 allowed). */
static int is_hostname(const char *s, size_t n)
{
    while (n > 0) {
        const char *dot = memchr(s, '.', n);
        size_t label = dot ? (size_t)(dot - s) : n;
        if (!is_hostname_label(s, label) || (dot && label + 1 == n))
            return 0;
        s += label + (dot != NULL);
        n -= label + (dot != NULL);
    }
    return 1;
}

/* RFC 5321 quoted local part: "..." with printable ASCII and \-escapes. */
static int is_quoted_local_part(const char *s, size_t n)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return 0;
    for (size_t i = 1; i < n - 1; i++) {
        if (s[i] < 0x20 || s[i] > 0x7E || s[i] == '"')
            return 0;
        if (s[i] == '\\' && (++i >= n - 1 || s[i] < 0x20 || s[i] > 0x7E))
            return 0;
    }
    return 1;
}

/* "[192.0.2.1]" or "[IPv6:2001:db8::1]". */
static int is_address_literal(const char *s, size_t n)
{
    if (n < 2 || s[0] != '[' || s[n - 1] != ']')
        return 0;
    if (n > 7 && strncmp(s + 1, "IPv6:", 5) == 0)
        return is_ipv6(s + 6, n - 7);
    return is_ipv4(s + 1, n - 2);
}

static int is_email(const char *s)
{
    const char *at = strrchr(s, '@');
    if (!at)
        return 0;
    size_t local_len = (size_t)(at - s), domain_len = strlen(at + 1);
    if (!is_dot_atom(s, local_len) && !is_quoted_local_part(s, local_len))
        return 0;
    if (domain_len > 0 && at[1] == '[')
        return is_address_literal(at + 1, domain_len);
    return domain_len > 0 && is_hostname(at + 1, domain_len);
}

/* RFC 3986 character classes. */
static int is_uri_unreserved(char c)
{
    return is_alpha(c) || is_digit(c) || (c && strchr("-._~", c));
}
static int is_uri_sub_delim(char c)
{
    return c && strchr("!$&'()*+,;=", c);
}

/* Accepts one character of the given component ("extra" lists the
 * delimiters it may also contain); returns how many bytes it used, 0 if none. */
static size_t uri_char(const char *s, const char *extra)
{
    if (s[0] == '%')
        return is_hex(s[1]) && is_hex(s[2]) ? 3 : 0;
    if (is_uri_unreserved(s[0]) || is_uri_sub_delim(s[0]) || (s[0] && strchr(extra, s[0])))
        return 1;
    return 0;
}

/* Consumes a run of component characters; stops at the first other one. */
static const char *uri_run(const char *s, const char *extra)
{
    size_t n;
    while ((n = uri_char(s, extra)) > 0)
        s += n;
    return s;
}

/* RFC 3986 IP-literal contents: an IPv6 address or "vX.anything". */
static int is_ip_literal_host(const char *s, size_t n)
{
    if (n > 0 && (s[0] == 'v' || s[0] == 'V')) {
        const char *dot = memchr(s, '.', n);
        if (!dot || dot == s + 1 || (size_t)(dot - s) + 1 >= n)
            return 0;
        for (const char *q = s + 1; q < dot; q++)
            if (!is_hex(*q))
                return 0;
        for (const char *q = dot + 1; q < s + n; q++)
            if (!is_uri_unreserved(*q) && !is_uri_sub_delim(*q) && *q != ':')
                return 0;
        return 1;
    }
    return is_ipv6(s, n);
}

static const char *parse_uri_authority(const char *s)
{
    const char *end = s + strcspn(s, "/?#");
    const char *at = NULL;
    for (const char *q = s; q < end; q++)
        if (*q == '@')
            at = q;
    if (at) {
        if (uri_run(s, ":") != at)
            return NULL;
        s = at + 1;
    }
    if (*s == '[') {
        const char *close = memchr(s, ']', (size_t)(end - s));
        if (!close || !is_ip_literal_host(s + 1, (size_t)(close - s - 1)))
            return NULL;
        s = close + 1;
    } else {
        s = uri_run(s, "");
    }
    if (*s == ':')
        for (s++; is_digit(*s); s++) {
        }
    return s == end ? s : NULL;
}

/* RFC 3986 "URI": scheme ":" hier-part [ "?" query ] [ "#" fragment ]. */
static int is_uri(const char *s)
{
    if (!is_alpha(*s))
        return 0;
    while (is_alpha(*s) || is_digit(*s) || (*s && strchr("+-.", *s)))
        s++;
    if (*s++ != ':')
        return 0;
    if (s[0] == '/' && s[1] == '/') {
        s = parse_uri_authority(s + 2);
        if (!s)
            return 0;
    }
    s = uri_run(s, ":@/");
    if (*s == '?')
        s = uri_run(s + 1, ":@/?");
    if (*s == '#')
        s = uri_run(s + 1, ":@/?");
    return *s == '\0';
}

static int format_accepts(format_kind format, const char *s)
{
    switch (format) {
    case FORMAT_DATE_TIME:
        return is_date_time(s);
    case FORMAT_DATE:
        return is_date(s);
    case FORMAT_TIME:
        return is_time(s);
    case FORMAT_EMAIL:
        return is_email(s);
    case FORMAT_URI:
        return is_uri(s);
    default:
        return 1;
    }
}

static const char *format_expectation(format_kind format)
{
    switch (format) {
    case FORMAT_DATE_TIME:
        return "must be a date-time like \"2024-01-31T13:45:00Z\" (RFC 3339)";
    case FORMAT_DATE:
        return "must be a date like \"2024-01-31\" (RFC 3339 full-date)";
    case FORMAT_TIME:
        return "must be a time with offset like \"13:45:00Z\" (RFC 3339 full-time)";
    case FORMAT_EMAIL:
        return "must be an email address like \"name@example.com\"";
    case FORMAT_URI:
        return "must be an absolute URI like \"https://example.com/path\"";
    default:
        return "must match its format";
    }
}

/* ---- compiler ---------------------------------------------------------- */

typedef struct {
    node *from;
    const char *reference; /* borrowed from the schema document */
} pending_ref;

typedef struct {
    mcp_schema *out;
    const cJSON **sources; /* parallel to out->nodes: which JSON each node came from */
    const cJSON *document;
    int refs_override_siblings; /* draft-07: a $ref hides its sibling keywords */
    pending_ref *refs;
    size_t ref_count, ref_capacity;
    char location[MAX_POINTER_LENGTH]; /* "#/properties/x", for compile errors */
    size_t location_len;
    char *err;
    size_t errlen;
} compiler;

/* Everything a keyword handler may need about where it sits. */
typedef struct {
    compiler *c;
    node *n;
    const cJSON *object; /* the schema object that holds the keyword */
    int depth;           /* nesting depth of that object */
} site;

/* Writes "location: " with very long locations cut, so the message after
 * them still fits the caller's buffer. Returns snprintf's count. */
static int write_location(char *err, size_t errlen, const char *location)
{
    int long_location = strlen(location) > MAX_SHOWN_POINTER;
    return snprintf(err, errlen, "%.*s%s: ", MAX_SHOWN_POINTER, location, long_location ? "..." : "");
}

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PRINTF_LIKE(fmt, args)
#endif

static int compile_error(compiler *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int compile_error(compiler *c, const char *fmt, ...)
{
    if (!c->err || c->errlen == 0)
        return -1;
    int n = write_location(c->err, c->errlen, c->location);
    if (n >= 0 && (size_t)n < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Appends one reference token (escaped per RFC 6901) to a pointer buffer;
 * returns the previous length so the caller can pop it. */
static size_t pointer_push(char *buf, size_t *len, const char *token)
{
    size_t saved = *len, n = *len;
    const size_t room = MAX_POINTER_LENGTH - 4; /* keep space for "..." */
    if (n >= room)
        return saved; /* already cut short and marked */
    buf[n++] = '/';
    for (; *token; token++) {
        int escaped = *token == '~' || *token == '/';
        if (n + 1 + (size_t)escaped > room)
            break;
        if (escaped) {
            buf[n++] = '~';
            buf[n++] = *token == '~' ? '0' : '1';
        } else {
            buf[n++] = *token;
        }
    }
    if (*token) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    *len = n;
    return saved;
}

static void pointer_pop(char *buf, size_t *len, size_t saved)
{
    *len = saved;
    buf[saved] = '\0';
}

static size_t location_push(compiler *c, const char *token)
{
    return pointer_push(c->location, &c->location_len, token);
}

static size_t location_push_index(compiler *c, size_t i)
{
    char text[24];
    snprintf(text, sizeof text, "%zu", i);
    return location_push(c, text);
}

static void location_pop(compiler *c, size_t saved)
{
    pointer_pop(c->location, &c->location_len, saved);
}

static void location_set(compiler *c, const char *text)
{
    snprintf(c->location, sizeof c->location, "%s", text);
    c->location_len = strlen(c->location);
}

static node *new_node(compiler *c, const cJSON *source)
{
    mcp_schema *s = c->out;
    if (s->node_count >= MAX_NODES) {
        compile_error(c, "schema too large (more than %d subschemas)", MAX_NODES);
        return NULL;
    }
    if (s->node_count == s->node_capacity) {
        size_t cap = s->node_capacity ? s->node_capacity * 2 : 16;
        node **nodes = realloc(s->nodes, cap * sizeof *nodes);
        if (nodes)
            s->nodes = nodes;
        const cJSON **sources = nodes ? realloc(c->sources, cap * sizeof *sources) : NULL;
        if (!sources) {
            compile_error(c, "out of memory");
            return NULL;
        }
        c->sources = sources;
        s->node_capacity = cap;
    }
    node *n = calloc(1, sizeof *n);
    if (!n) {
        compile_error(c, "out of memory");
        return NULL;
    }
    c->sources[s->node_count] = source;
    s->nodes[s->node_count++] = n;
    return n;
}

static node *find_compiled(const compiler *c, const cJSON *source)
{
    for (size_t i = 0; i < c->out->node_count; i++)
        if (c->sources[i] == source)
            return c->out->nodes[i];
    return NULL;
}

static node *compile_schema(compiler *c, const cJSON *json, int depth);

static node *compile_child(const site *s, const cJSON *json)
{
    return compile_schema(s->c, json, s->depth + 1);
}

static const char *json_type_name(const cJSON *v)
{
    switch (json_kind(v)) {
    case cJSON_NULL:
        return "null";
    case cJSON_True:
    case cJSON_False:
        return "boolean";
    case cJSON_Number:
        return "number";
    case cJSON_String:
        return "string";
    case cJSON_Array:
        return "array";
    case cJSON_Object:
        return "object";
    default:
        return "invalid value";
    }
}

static int compile_type_name(const site *s, const char *name)
{
    for (size_t i = 0; i < TYPE_NAME_COUNT; i++) {
        if (strcmp(name, TYPE_NAMES[i].name) == 0) {
            s->n->types |= TYPE_NAMES[i].bit;
            return 0;
        }
    }
    return compile_error(s->c, "unknown type \"%s\"; use null, boolean, object, array, number, integer or string",
                         name);
}

static int compile_type(const site *s, const cJSON *value)
{
    if (cJSON_IsString(value))
        return compile_type_name(s, value->valuestring);
    if (!cJSON_IsArray(value) || cJSON_GetArraySize(value) == 0)
        return compile_error(s->c, "must be a type name or a non-empty array of type names");
    for (const cJSON *item = value->child; item; item = item->next) {
        if (!cJSON_IsString(item))
            return compile_error(s->c, "type names must be strings");
        if (compile_type_name(s, item->valuestring) != 0)
            return -1;
    }
    return 0;
}

static int compile_number_bound(const site *s, const cJSON *value, bound *b)
{
    if (!cJSON_IsNumber(value) || !isfinite(value->valuedouble))
        return compile_error(s->c, "must be a number, got %s", json_type_name(value));
    b->present = 1;
    b->value = value->valuedouble;
    return 0;
}

static int compile_count_bound(const site *s, const cJSON *value, bound *b)
{
    if (!cJSON_IsNumber(value) || !is_whole_number(value->valuedouble) || value->valuedouble < 0)
        return compile_error(s->c, "must be a non-negative integer");
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
        return compile_error(s->c, "must be a number (the draft-04 boolean form is not supported)");
    return compile_number_bound(s, v, &s->n->exclusive_minimum);
}

static int compile_exclusive_maximum(const site *s, const cJSON *v)
{
    if (cJSON_IsBool(v))
        return compile_error(s->c, "must be a number (the draft-04 boolean form is not supported)");
    return compile_number_bound(s, v, &s->n->exclusive_maximum);
}

static int compile_multiple_of(const site *s, const cJSON *v)
{
    if (compile_number_bound(s, v, &s->n->multiple_of) != 0)
        return -1;
    return s->n->multiple_of.value > 0 ? 0 : compile_error(s->c, "must be greater than 0");
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

/* glibc's regcomp/regexec follow LC_CTYPE; a per-schema UTF-8 locale,
 * switched in for the calling thread only, makes "." and classes see code
 * points without touching the process-wide locale. */
static locale_t utf8_locale(mcp_schema *s)
{
    if (!s->utf8_tried) {
        s->utf8_tried = 1;
        s->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
        if (!s->utf8)
            s->utf8 = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
    }
    return s->utf8;
}

static int regex_compile(locale_t loc, regex_t *re, const char *posix)
{
    locale_t previous = loc ? uselocale(loc) : (locale_t)0;
    int rc = regcomp(re, posix, REG_EXTENDED | REG_NOSUB);
    if (loc)
        uselocale(previous);
    return rc;
}

static pattern *compile_pattern_text(compiler *c, const char *ecma)
{
    strbuf posix = {NULL, 0, 0, 0};
    const char *why = NULL;
    locale_t utf8 = utf8_locale(c->out);
    if (translate_pattern(ecma, utf8 != (locale_t)0, &posix, &why) != 0) {
        compile_error(c, "pattern \"%s\" cannot be used: %s", ecma, why);
        free(posix.data);
        return NULL;
    }
    pattern *p = calloc(1, sizeof *p);
    char *source = copy_string(ecma);
    if (!p || !source) {
        compile_error(c, "out of memory");
        free(source);
        free(p);
        free(posix.data);
        return NULL;
    }
    int rc = regex_compile(utf8, &p->regex, posix.data);
    if (rc != 0) {
        char reason[128];
        regerror(rc, &p->regex, reason, sizeof reason);
        compile_error(c, "pattern \"%s\" is not a valid regular expression: %s", ecma, reason);
        free(source);
        free(p);
        free(posix.data);
        return NULL;
    }
    p->source = source;
    free(posix.data);
    return p;
}

static void pattern_free(pattern *p)
{
    if (!p)
        return;
    regfree(&p->regex);
    free(p->source);
    free(p);
}

static int compile_pattern(const site *s, const cJSON *v)
{
    if (!cJSON_IsString(v))
        return compile_error(s->c, "must be a string");
    s->n->pattern = compile_pattern_text(s->c, v->valuestring);
    return s->n->pattern ? 0 : -1;
}

static int compile_format(const site *s, const cJSON *v)
{
    static const struct {
        const char *name;
        format_kind kind;
    } formats[] = {
        {"date-time", FORMAT_DATE_TIME}, {"date", FORMAT_DATE}, {"time", FORMAT_TIME},
        {"email", FORMAT_EMAIL},         {"uri", FORMAT_URI},
    };
    if (!cJSON_IsString(v))
        return compile_error(s->c, "must be a string");
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(v->valuestring, formats[i].name) == 0)
            s->n->format = formats[i].kind;
    return 0; /* unknown formats are annotations */
}

static int compile_schema_list(const site *s, const cJSON *v, node_list *list, int allow_empty)
{
    if (!cJSON_IsArray(v) || (!allow_empty && cJSON_GetArraySize(v) == 0))
        return compile_error(s->c, "must be a %sarray of schemas", allow_empty ? "" : "non-empty ");
    size_t count = (size_t)cJSON_GetArraySize(v), i = 0;
    list->items = calloc(count ? count : 1, sizeof *list->items);
    if (!list->items)
        return compile_error(s->c, "out of memory");
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        size_t saved = location_push_index(s->c, i);
        list->items[i] = compile_child(s, item);
        location_pop(s->c, saved);
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
        return compile_error(s->c, "use either prefixItems or the array form of items, not both");
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
        return compile_error(s->c, "must be true or false");
    s->n->unique_items = cJSON_IsTrue(v);
    return 0;
}

static int compile_properties(const site *s, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return compile_error(s->c, "must be an object mapping property names to schemas");
    size_t count = (size_t)cJSON_GetArraySize(v);
    s->n->properties = calloc(count ? count : 1, sizeof *s->n->properties);
    if (!s->n->properties)
        return compile_error(s->c, "out of memory");
    for (const cJSON *member = v->child; member; member = member->next) {
        property *p = &s->n->properties[s->n->property_count];
        p->name = copy_string(member->string);
        if (!p->name)
            return compile_error(s->c, "out of memory");
        s->n->property_count++;
        size_t saved = location_push(s->c, member->string);
        p->schema = compile_child(s, member);
        location_pop(s->c, saved);
        if (!p->schema)
            return -1;
    }
    return 0;
}

static int compile_pattern_properties(const site *s, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return compile_error(s->c, "must be an object mapping patterns to schemas");
    size_t count = (size_t)cJSON_GetArraySize(v);
    s->n->pattern_properties = calloc(count ? count : 1, sizeof *s->n->pattern_properties);
    if (!s->n->pattern_properties)
        return compile_error(s->c, "out of memory");
    for (const cJSON *member = v->child; member; member = member->next) {
        pattern_property *pp = &s->n->pattern_properties[s->n->pattern_property_count];
        size_t saved = location_push(s->c, member->string);
        pp->pattern = compile_pattern_text(s->c, member->string);
        if (pp->pattern) {
            s->n->pattern_property_count++;
            pp->schema = compile_child(s, member);
        }
        location_pop(s->c, saved);
        if (!pp->pattern || !pp->schema)
            return -1;
    }
    return 0;
}

static int compile_required(const site *s, const cJSON *v)
{
    if (!cJSON_IsArray(v))
        return compile_error(s->c, "must be an array of property names");
    size_t count = (size_t)cJSON_GetArraySize(v);
    s->n->required = calloc(count ? count : 1, sizeof *s->n->required);
    if (!s->n->required)
        return compile_error(s->c, "out of memory");
    for (const cJSON *item = v->child; item; item = item->next) {
        if (!cJSON_IsString(item))
            return compile_error(s->c, "property names must be strings");
        char *name = copy_string(item->valuestring);
        if (!name)
            return compile_error(s->c, "out of memory");
        s->n->required[s->n->required_count++] = name;
    }
    return 0;
}

/* Keeps a private copy of a literal value plus its text for messages. */
static int copy_literal(const site *s, const cJSON *v, cJSON **copy, char **text)
{
    *copy = cJSON_Duplicate(v, 1);
    *text = *copy ? shorten_listing(cJSON_PrintUnformatted(*copy)) : NULL;
    return *text ? 0 : compile_error(s->c, "out of memory");
}

static int compile_enum(const site *s, const cJSON *v)
{
    if (!cJSON_IsArray(v))
        return compile_error(s->c, "must be an array of allowed values");
    return copy_literal(s, v, &s->n->enum_values, &s->n->enum_text);
}

static int compile_const(const site *s, const cJSON *v)
{
    return copy_literal(s, v, &s->n->const_value, &s->n->const_text);
}

static int is_local_pointer_ref(const char *ref)
{
    return ref[0] == '#' && (ref[1] == '\0' || ref[1] == '/');
}

static int compile_ref(const site *s, const cJSON *v)
{
    compiler *c = s->c;
    if (!cJSON_IsString(v))
        return compile_error(c, "must be a string");
    const char *ref = v->valuestring;
    if (ref[0] == '#' && !is_local_pointer_ref(ref))
        return compile_error(
            c, "$ref \"%s\" uses an anchor; only JSON-pointer references like \"#/$defs/name\" are supported", ref);
    if (!is_local_pointer_ref(ref))
        return compile_error(c,
                             "$ref \"%s\" is not supported: only references within this schema (like \"#/$defs/name\") "
                             "are allowed, remote and relative references are not fetched",
                             ref);
    if (c->ref_count == c->ref_capacity) {
        size_t cap = c->ref_capacity ? c->ref_capacity * 2 : 8;
        pending_ref *refs = realloc(c->refs, cap * sizeof *refs);
        if (!refs)
            return compile_error(c, "out of memory");
        c->refs = refs;
        c->ref_capacity = cap;
    }
    c->refs[c->ref_count++] = (pending_ref){s->n, ref};
    return 0;
}

/* $defs entries are compiled even when unused, so mistakes in them surface
 * at registration and $ref targets are usually compiled already. */
static int compile_definitions(const site *s, const cJSON *v)
{
    if (!cJSON_IsObject(v))
        return compile_error(s->c, "must be an object mapping names to schemas");
    for (const cJSON *member = v->child; member; member = member->next) {
        size_t saved = location_push(s->c, member->string);
        node *def = compile_child(s, member);
        location_pop(s->c, saved);
        if (!def)
            return -1;
    }
    return 0;
}

typedef int (*keyword_compiler)(const site *s, const cJSON *value);

static const struct {
    const char *name;
    keyword_compiler compile;
    int beside_draft07_ref; /* still read next to a draft-07 $ref */
} KEYWORDS[] = {
    {"$ref", compile_ref, 1},
    {"$defs", compile_definitions, 1},
    {"definitions", compile_definitions, 1},
    {"type", compile_type, 0},
    {"enum", compile_enum, 0},
    {"const", compile_const, 0},
    {"minimum", compile_minimum, 0},
    {"maximum", compile_maximum, 0},
    {"exclusiveMinimum", compile_exclusive_minimum, 0},
    {"exclusiveMaximum", compile_exclusive_maximum, 0},
    {"multipleOf", compile_multiple_of, 0},
    {"minLength", compile_min_length, 0},
    {"maxLength", compile_max_length, 0},
    {"pattern", compile_pattern, 0},
    {"format", compile_format, 0},
    {"prefixItems", compile_prefix_items, 0},
    {"items", compile_items, 0},
    {"additionalItems", compile_additional_items, 0},
    {"minItems", compile_min_items, 0},
    {"maxItems", compile_max_items, 0},
    {"uniqueItems", compile_unique_items, 0},
    {"properties", compile_properties, 0},
    {"patternProperties", compile_pattern_properties, 0},
    {"additionalProperties", compile_additional_properties, 0},
    {"required", compile_required, 0},
    {"minProperties", compile_min_properties, 0},
    {"maxProperties", compile_max_properties, 0},
    {"allOf", compile_all_of, 0},
    {"anyOf", compile_any_of, 0},
    {"oneOf", compile_one_of, 0},
    {"not", compile_not, 0},
};
#define KEYWORD_COUNT (sizeof KEYWORDS / sizeof KEYWORDS[0])

static int compile_keyword(const site *s, const cJSON *member, int ref_hides_siblings)
{
    for (size_t i = 0; i < KEYWORD_COUNT; i++) {
        if (strcmp(member->string, KEYWORDS[i].name) != 0)
            continue;
        if (ref_hides_siblings && !KEYWORDS[i].beside_draft07_ref)
            return 0;
        size_t saved = location_push(s->c, member->string);
        int rc = KEYWORDS[i].compile(s, member);
        location_pop(s->c, saved);
        return rc;
    }
    return 0; /* unknown keywords are annotations */
}

/* Lists the declared property names for the "property not allowed" message,
 * so an agent learns what it may send instead. */
static int describe_allowed_names(compiler *c, node *n)
{
    strbuf text = {NULL, 0, 0, 0};
    for (size_t i = 0; i < n->property_count; i++) {
        sb_puts(&text, i ? ", \"" : "\"");
        sb_puts(&text, n->properties[i].name);
        sb_putc(&text, '"');
    }
    if (text.out_of_memory) {
        free(text.data);
        return compile_error(c, "out of memory");
    }
    n->allowed_names_text = shorten_listing(text.data);
    return 0;
}

static node *compile_schema(compiler *c, const cJSON *json, int depth)
{
    if (depth > MAX_SCHEMA_DEPTH) {
        compile_error(c, "schema nesting too deep (more than %d levels)", MAX_SCHEMA_DEPTH);
        return NULL;
    }
    if (!cJSON_IsBool(json) && !cJSON_IsObject(json)) {
        compile_error(c, "a schema must be an object or a boolean, got %s", json_type_name(json));
        return NULL;
    }
    node *n = new_node(c, json);
    if (!n || cJSON_IsBool(json)) {
        if (n)
            n->rejects_all = cJSON_IsFalse(json);
        return n;
    }
    site s = {c, n, json, depth};
    int ref_hides_siblings = c->refs_override_siblings && cJSON_GetObjectItemCaseSensitive(json, "$ref");
    for (const cJSON *member = json->child; member; member = member->next)
        if (compile_keyword(&s, member, ref_hides_siblings) != 0)
            return NULL;
    if (n->additional_properties && n->additional_properties->rejects_all && n->property_count &&
        describe_allowed_names(c, n) != 0)
        return NULL;
    return n;
}

/* Decodes %XX escapes of a URI fragment in place. */
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

/* Unescapes one RFC 6901 token in place (~1 is "/", ~0 is "~"). */
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

/* Follows "#/a/b" through the schema document; NULL if it leads nowhere. */
static const cJSON *resolve_pointer(const cJSON *document, const char *ref)
{
    char *path = copy_string(ref + 1);
    if (!path || percent_decode(path) != 0) {
        free(path);
        return NULL;
    }
    const cJSON *at = document;
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
    free(path);
    return at;
}

/* Runs as a work list after the tree is compiled: targets compiled here may
 * add more $refs, and cycles (a $ref to an ancestor) just link nodes. */
static int resolve_refs(compiler *c)
{
    for (size_t i = 0; i < c->ref_count; i++) {
        pending_ref ref = c->refs[i]; /* copied: compiling may grow c->refs */
        location_set(c, ref.reference);
        const cJSON *target = resolve_pointer(c->document, ref.reference);
        if (!target)
            return compile_error(c, "$ref \"%s\" points to nothing in this schema", ref.reference);
        node *resolved = find_compiled(c, target);
        if (!resolved)
            resolved = compile_schema(c, target, 0);
        if (!resolved)
            return -1;
        ref.from->ref = resolved;
    }
    return 0;
}

/* MCP requires an error for dialects it cannot honour; draft-07 is read
 * with its own $ref rule (siblings ignored). */
static int read_dialect(compiler *c, const cJSON *schema)
{
    const cJSON *dialect = cJSON_IsObject(schema) ? cJSON_GetObjectItemCaseSensitive(schema, "$schema") : NULL;
    if (!dialect)
        return 0;
    location_set(c, "#/$schema");
    if (!cJSON_IsString(dialect))
        return compile_error(c, "must be a string naming the JSON Schema dialect");
    static const char *const modern[] = {
        "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#",
        "http://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft/2020-12/schema#"};
    static const char *const draft07[] = {
        "http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft-07/schema#", "https://json-schema.org/draft-07/schema"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(dialect->valuestring, modern[i]) == 0)
            return 0;
        if (strcmp(dialect->valuestring, draft07[i]) == 0) {
            c->refs_override_siblings = 1;
            return 0;
        }
    }
    return compile_error(c,
                         "unsupported JSON Schema dialect \"%s\"; use \"https://json-schema.org/draft/2020-12/schema\" "
                         "or \"http://json-schema.org/draft-07/schema#\"",
                         dialect->valuestring);
}

static void write_message(char *err, size_t errlen, const char *message)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", message);
}

/* JSON text may repeat a member name and cJSON keeps every copy; a schema
 * with two "required" or two "pattern" keywords has no single meaning, so
 * it is refused (bounded: deeper nesting fails compilation anyway). */
static const char *find_duplicate_key(const cJSON *obj, int depth)
{
    if (depth > 128)
        return NULL;
    for (const cJSON *a = obj ? obj->child : NULL; a; a = a->next) {
        if (cJSON_IsObject(obj) && a->string)
            for (const cJSON *b = a->next; b; b = b->next)
                if (b->string && strcmp(a->string, b->string) == 0)
                    return a->string;
        const char *dup = find_duplicate_key(a, depth + 1);
        if (dup)
            return dup;
    }
    return NULL;
}

mcp_schema *mcp__schema_compile(const cJSON *schema, char *err, size_t errlen)
{
    write_message(err, errlen, "");
    if (!schema) {
        write_message(err, errlen, "no schema given");
        return NULL;
    }
    const char *dup = find_duplicate_key(schema, 0);
    if (dup) {
        snprintf(err, errlen, "schema repeats the member \"%.100s\" in one object", dup);
        return NULL;
    }
    compiler c;
    memset(&c, 0, sizeof c);
    c.err = err;
    c.errlen = errlen;
    c.document = schema;
    c.out = calloc(1, sizeof *c.out);
    if (!c.out) {
        write_message(err, errlen, "out of memory");
        return NULL;
    }
    location_set(&c, "#");
    int ok = read_dialect(&c, schema) == 0;
    if (ok) {
        location_set(&c, "#");
        c.out->root = compile_schema(&c, schema, 0);
        ok = c.out->root && resolve_refs(&c) == 0;
    }
    free(c.sources);
    free(c.refs);
    if (!ok) {
        mcp__schema_free(c.out);
        return NULL;
    }
    return c.out;
}

/* ---- validator ----------------------------------------------------------- */

enum { VALID = 0, INVALID = -1, ABORTED = -2 };

typedef struct {
    const mcp_schema *schema;
    char *err; /* where the current message goes; NULL when only the verdict matters */
    size_t errlen;
    char *abort_err; /* the caller's buffer: aborts are reported there even inside anyOf */
    size_t abort_errlen;
    char path[MAX_POINTER_LENGTH]; /* JSON pointer of the value being checked */
    size_t path_len;
    int depth;
} validator;

static void write_located(char *err, size_t errlen, const char *path, const char *fmt, va_list ap)
{
    if (!err || errlen == 0)
        return;
    int n = write_location(err, errlen, path[0] ? path : "(root)");
    if (n >= 0 && (size_t)n < errlen)
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

static int fail(validator *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int fail(validator *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    write_located(v->err, v->errlen, v->path, fmt, ap);
    va_end(ap);
    return INVALID;
}

/* For conditions that are not a verdict on the value (too deep, no memory):
 * they must not be inverted by "not" or swallowed by "anyOf". */
static int abort_validation(validator *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int abort_validation(validator *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    write_located(v->abort_err, v->abort_errlen, v->path, fmt, ap);
    va_end(ap);
    return ABORTED;
}

static size_t path_push_key(validator *v, const char *key)
{
    return pointer_push(v->path, &v->path_len, key);
}

static size_t path_push_index(validator *v, size_t i)
{
    char text[24];
    snprintf(text, sizeof text, "%zu", i);
    return path_push_key(v, text);
}

static void path_pop(validator *v, size_t saved)
{
    pointer_pop(v->path, &v->path_len, saved);
}

static int validate_node(validator *v, const node *n, const cJSON *instance);

static int validate_at_key(validator *v, const node *n, const cJSON *instance, const char *key)
{
    size_t saved = path_push_key(v, key);
    int rc = validate_node(v, n, instance);
    path_pop(v, saved);
    return rc;
}

static int validate_at_index(validator *v, const node *n, const cJSON *instance, size_t i)
{
    size_t saved = path_push_index(v, i);
    int rc = validate_node(v, n, instance);
    path_pop(v, saved);
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
    for (size_t i = 0; i < TYPE_NAME_COUNT; i++)
        total += (types & TYPE_NAMES[i].bit) != 0;
    out[0] = '\0';
    for (size_t i = 0; i < TYPE_NAME_COUNT && n < outlen; i++) {
        if (!(types & TYPE_NAMES[i].bit))
            continue;
        const char *joiner = seen == 0 ? "" : seen + 1 == total ? " or " : ", ";
        int w = snprintf(out + n, outlen - n, "%s%s", joiner, TYPE_NAMES[i].name);
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
        format_number(instance->valuedouble, got, sizeof got);
        return fail(v, "expected %s, got %s", expected, got);
    }
    return fail(v, "expected %s, got %s", expected, json_type_name(instance));
}

static int check_enum_and_const(validator *v, const node *n, const cJSON *instance)
{
    if (n->const_value) {
        int eq = json_equal(instance, n->const_value);
        if (eq < 0)
            return abort_validation(v, "value nesting too deep to compare");
        if (!eq)
            return fail(v, "must equal %s", n->const_text);
    }
    if (n->enum_values) {
        for (const cJSON *allowed = n->enum_values->child; allowed; allowed = allowed->next) {
            int eq = json_equal(instance, allowed);
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
        return 0;
    double tolerance = 8 * DBL_EPSILON * absolute(quotient);
    if (tolerance < 1e-9)
        tolerance = 1e-9;
    return absolute(quotient - round_to_whole(quotient)) <= tolerance;
}

static int fail_number(validator *v, const char *relation, double limit, double got)
{
    char limit_text[32], got_text[32];
    format_number(limit, limit_text, sizeof limit_text);
    format_number(got, got_text, sizeof got_text);
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

static int pattern_matches(validator *v, const pattern *p, const char *text, int *matched)
{
    locale_t loc = v->schema->utf8;
    locale_t previous = loc ? uselocale(loc) : (locale_t)0;
    int rc = regexec(&p->regex, text, 0, NULL, 0);
    if (loc)
        uselocale(previous);
    if (rc != 0 && rc != REG_NOMATCH)
        return abort_validation(v, "pattern \"%s\" could not be evaluated", p->source);
    *matched = rc == 0;
    return VALID;
}

static int check_string(validator *v, const node *n, const char *text)
{
    if (n->min_length.present || n->max_length.present) {
        size_t length = utf8_length(text);
        if (n->min_length.present && (double)length < n->min_length.value)
            return fail(v, "must be at least %.0f characters long, got %zu", n->min_length.value, length);
        if (n->max_length.present && (double)length > n->max_length.value)
            return fail(v, "must be at most %.0f characters long, got %zu", n->max_length.value, length);
    }
    if (n->pattern) {
        int matched = 0;
        if (pattern_matches(v, n->pattern, text, &matched) != VALID)
            return ABORTED;
        if (!matched)
            return fail(v, "must match the pattern \"%s\"", n->pattern->source);
    }
    if (n->format != FORMAT_NONE && !format_accepts(n->format, text))
        return fail(v, "%s", format_expectation(n->format));
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
                int eq = json_equal(items[i].item, items[j].item);
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
        items[i] = (hashed_item){json_hash(item, 0), i, item};
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

static int check_array_items(validator *v, const node *n, const cJSON *array, size_t count)
{
    size_t prefix = n->prefix_items.count;
    if (n->items && n->items->rejects_all && count > prefix)
        return fail(v, "must have at most %zu items (no further items allowed), got %zu", prefix, count);
    size_t i = 0;
    for (const cJSON *item = array->child; item; item = item->next, i++) {
        const node *schema = i < prefix ? n->prefix_items.items[i] : n->items;
        if (!schema)
            break;
        int rc = validate_at_index(v, schema, item, i);
        if (rc != VALID)
            return rc;
    }
    return VALID;
}

static int check_array(validator *v, const node *n, const cJSON *array)
{
    size_t count = (size_t)cJSON_GetArraySize(array);
    if (n->min_items.present && (double)count < n->min_items.value)
        return fail(v, "must have at least %.0f items, got %zu", n->min_items.value, count);
    if (n->max_items.present && (double)count > n->max_items.value)
        return fail(v, "must have at most %.0f items, got %zu", n->max_items.value, count);
    int rc = check_array_items(v, n, array, count);
    if (rc == VALID && n->unique_items)
        rc = check_unique_items(v, array, count);
    return rc;
}

static const node *declared_property(const node *n, const char *name)
{
    for (size_t i = 0; i < n->property_count; i++)
        if (strcmp(n->properties[i].name, name) == 0)
            return n->properties[i].schema;
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
static int check_member(validator *v, const node *n, const cJSON *member)
{
    const node *declared = declared_property(n, member->string);
    int rc = VALID, matched_pattern = 0;
    if (declared && declared->rejects_all)
        return fail_property_not_allowed(v, n, member->string);
    if (declared)
        rc = validate_at_key(v, declared, member, member->string);
    for (size_t i = 0; rc == VALID && i < n->pattern_property_count; i++) {
        int matched = 0;
        if (pattern_matches(v, n->pattern_properties[i].pattern, member->string, &matched) != VALID)
            return ABORTED;
        if (matched) {
            matched_pattern = 1;
            rc = validate_at_key(v, n->pattern_properties[i].schema, member, member->string);
        }
    }
    if (rc != VALID || declared || matched_pattern || !n->additional_properties)
        return rc;
    if (n->additional_properties->rejects_all)
        return fail_property_not_allowed(v, n, member->string);
    return validate_at_key(v, n->additional_properties, member, member->string);
}

static int check_object(validator *v, const node *n, const cJSON *object)
{
    size_t count = (size_t)cJSON_GetArraySize(object);
    if (n->min_properties.present && (double)count < n->min_properties.value)
        return fail(v, "must have at least %.0f properties, got %zu", n->min_properties.value, count);
    if (n->max_properties.present && (double)count > n->max_properties.value)
        return fail(v, "must have at most %.0f properties, got %zu", n->max_properties.value, count);
    for (size_t i = 0; i < n->required_count; i++)
        if (!cJSON_GetObjectItemCaseSensitive(object, n->required[i]))
            return fail(v, "missing required property \"%s\"", n->required[i]);
    if (!n->property_count && !n->pattern_property_count && !n->additional_properties)
        return VALID;
    for (const cJSON *member = object->child; member; member = member->next) {
        int rc = check_member(v, n, member);
        if (rc != VALID)
            return rc;
    }
    return VALID;
}

/* Runs a subschema only for its verdict; the message of the first failing
 * alternative is kept in "reason" when the caller wants to quote it. */
static int try_node(validator *v, const node *n, const cJSON *instance, char *reason, size_t reasonlen)
{
    char *saved_err = v->err;
    size_t saved_errlen = v->errlen;
    v->err = saved_err ? reason : NULL;
    v->errlen = reasonlen;
    int rc = validate_node(v, n, instance);
    v->err = saved_err;
    v->errlen = saved_errlen;
    return rc;
}

static int check_all_of(validator *v, const node *n, const cJSON *instance)
{
    for (size_t i = 0; i < n->all_of.count; i++) {
        int rc = validate_node(v, n->all_of.items[i], instance);
        if (rc != VALID)
            return rc;
    }
    return VALID;
}

static int check_any_of(validator *v, const node *n, const cJSON *instance)
{
    char reason[256] = "";
    for (size_t i = 0; i < n->any_of.count; i++) {
        int rc = try_node(v, n->any_of.items[i], instance, i == 0 ? reason : NULL, i == 0 ? sizeof reason : 0);
        if (rc != INVALID)
            return rc;
    }
    return fail(v, "must match at least one anyOf alternative; the first one failed with: %s", reason);
}

static int check_one_of(validator *v, const node *n, const cJSON *instance)
{
    char reason[256] = "";
    size_t matches = 0, first_match = 0;
    for (size_t i = 0; i < n->one_of.count; i++) {
        int rc = try_node(v, n->one_of.items[i], instance, i == 0 ? reason : NULL, i == 0 ? sizeof reason : 0);
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
    int rc = try_node(v, n->not_schema, instance, NULL, 0);
    if (rc == ABORTED)
        return rc;
    return rc == VALID ? fail(v, "must not match the schema given in \"not\"") : VALID;
}

static int check_combinators(validator *v, const node *n, const cJSON *instance)
{
    int rc = VALID;
    if (rc == VALID && n->all_of.count)
        rc = check_all_of(v, n, instance);
    if (rc == VALID && n->any_of.count)
        rc = check_any_of(v, n, instance);
    if (rc == VALID && n->one_of.count)
        rc = check_one_of(v, n, instance);
    if (rc == VALID && n->not_schema)
        rc = check_not(v, n, instance);
    return rc;
}

static int check_by_type(validator *v, const node *n, const cJSON *instance)
{
    if (cJSON_IsNumber(instance))
        return check_number(v, n, instance->valuedouble);
    if (cJSON_IsString(instance))
        return check_string(v, n, instance->valuestring);
    if (cJSON_IsArray(instance))
        return check_array(v, n, instance);
    if (cJSON_IsObject(instance))
        return check_object(v, n, instance);
    return VALID;
}

static int apply_keywords(validator *v, const node *n, const cJSON *instance)
{
    if (n->rejects_all)
        return fail(v, "no value is allowed here");
    int rc = n->ref ? validate_node(v, n->ref, instance) : VALID;
    if (rc == VALID)
        rc = check_type(v, n, instance);
    if (rc == VALID)
        rc = check_enum_and_const(v, n, instance);
    if (rc == VALID)
        rc = check_by_type(v, n, instance);
    if (rc == VALID)
        rc = check_combinators(v, n, instance);
    return rc;
}

/* The depth counter bounds $ref cycles and deeply nested arguments alike. */
static int validate_node(validator *v, const node *n, const cJSON *instance)
{
    if (v->depth >= MAX_VALIDATION_DEPTH)
        return abort_validation(v, "schema nesting too deep (more than %d levels of subschemas or $ref)",
                                MAX_VALIDATION_DEPTH);
    v->depth++;
    int rc = apply_keywords(v, n, instance);
    v->depth--;
    return rc;
}

int mcp__schema_validate(const mcp_schema *schema, const cJSON *instance, char *err, size_t errlen)
{
    write_message(err, errlen, "");
    if (!schema || !instance) {
        write_message(err, errlen, schema ? "(root): no value given" : "no schema given");
        return -1;
    }
    validator v;
    memset(&v, 0, sizeof v);
    v.schema = schema;
    v.err = v.abort_err = err;
    v.errlen = v.abort_errlen = errlen;
    return validate_node(&v, schema->root, instance) == VALID ? 0 : -1;
}

/* ---- teardown ------------------------------------------------------------ */

static void node_free(node *n)
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
    pattern_free(n->pattern);
    free(n->allowed_names_text);
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

void mcp__schema_free(mcp_schema *schema)
{
    if (!schema)
        return;
    for (size_t i = 0; i < schema->node_count; i++)
        node_free(schema->nodes[i]);
    free(schema->nodes);
    if (schema->utf8)
        freelocale(schema->utf8);
    free(schema);
}
