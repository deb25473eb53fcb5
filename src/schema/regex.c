/* ECMA-262 regular expressions for "pattern", "patternProperties" and the
 * "regex" format, run by PCRE2 (UTF + UCP, so \p{...} and "." see code
 * points). The few places where ECMA-262 and PCRE2 read the same text
 * differently are rewritten before compiling: \d \w \b are ASCII in ECMA,
 * \s is ECMA's WhiteSpace + LineTerminator list, "." stops only at line
 * terminators, $ matches only at the very end, \uXXXX (with surrogate
 * pairs) and \u{...} are code points, "[^]" is any character, \cX is a
 * control character and ECMA's long \p{...} names are mapped to PCRE2's.
 * Every match runs under a match and depth limit (the pattern is the schema
 * author's, the string is the client's); hitting one is reported, never
 * taken as a verdict. Match data is cached per thread: no allocation per
 * match after a thread's first. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#define PCRE2_CODE_UNIT_WIDTH 8

#include "schema/regex.h"

#include "schema/util.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mcp__regex {
    pcre2_code *code;
    pcre2_match_context *match;
};

/* ECMA WhiteSpace and LineTerminator code points, as sorted ranges. */
static const uint32_t SPACE_RANGES[][2] = {
    {0x09, 0x0D}, {0x20, 0x20}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A}, {0x2028, 0x2029},
    {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF},
};
static const uint32_t DIGIT_RANGES[][2] = {{0x30, 0x39}};
static const uint32_t WORD_RANGES[][2] = {{0x30, 0x39}, {0x41, 0x5A}, {0x5F, 0x5F}, {0x61, 0x7A}};

#define RANGE_COUNT(r) (sizeof(r) / sizeof(r)[0])

static void put_cp(strbuf *out, uint32_t cp)
{
    char text[16];
    snprintf(text, sizeof text, "\\x{%X}", (unsigned)cp);
    mcp__strbuf_puts(out, text);
}

/* Writes the ranges (or their complement) as class members, no brackets. */
static void put_ranges(strbuf *out, const uint32_t (*r)[2], size_t n, int negated)
{
    if (!negated) {
        for (size_t i = 0; i < n; i++) {
            put_cp(out, r[i][0]);
            if (r[i][1] != r[i][0]) {
                mcp__strbuf_append(out, "-", 1);
                put_cp(out, r[i][1]);
            }
        }
        return;
    }
    uint32_t next = 0;
    for (size_t i = 0; i <= n; i++) {
        uint32_t low = i < n ? r[i][0] : 0x110000;
        if (low > next) {
            put_cp(out, next);
            mcp__strbuf_append(out, "-", 1);
            put_cp(out, low - 1);
        }
        if (i < n)
            next = r[i][1] + 1;
    }
}

static void put_class(strbuf *out, const uint32_t (*r)[2], size_t n, int negated, int in_class)
{
    if (!in_class)
        mcp__strbuf_append(out, "[", 1);
    put_ranges(out, r, n, negated);
    if (!in_class)
        mcp__strbuf_append(out, "]", 1);
}

/* ECMA long names of general categories that PCRE2 knows only short. */
static const char *const CATEGORY_NAMES[][2] = {
    {"Letter", "L"}, {"Cased_Letter", "LC"}, {"Uppercase_Letter", "Lu"}, {"Lowercase_Letter", "Ll"},
    {"Titlecase_Letter", "Lt"}, {"Modifier_Letter", "Lm"}, {"Other_Letter", "Lo"}, {"Mark", "M"},
    {"Combining_Mark", "M"}, {"Nonspacing_Mark", "Mn"}, {"Spacing_Mark", "Mc"}, {"Enclosing_Mark", "Me"},
    {"Number", "N"}, {"Decimal_Number", "Nd"}, {"digit", "Nd"}, {"Letter_Number", "Nl"}, {"Other_Number", "No"},
    {"Punctuation", "P"}, {"punct", "P"}, {"Connector_Punctuation", "Pc"}, {"Dash_Punctuation", "Pd"},
    {"Open_Punctuation", "Ps"}, {"Close_Punctuation", "Pe"}, {"Initial_Punctuation", "Pi"},
    {"Final_Punctuation", "Pf"}, {"Other_Punctuation", "Po"}, {"Symbol", "S"}, {"Math_Symbol", "Sm"},
    {"Currency_Symbol", "Sc"}, {"Modifier_Symbol", "Sk"}, {"Other_Symbol", "So"}, {"Separator", "Z"},
    {"Space_Separator", "Zs"}, {"Line_Separator", "Zl"}, {"Paragraph_Separator", "Zp"}, {"Other", "C"},
    {"Control", "Cc"}, {"cntrl", "Cc"}, {"Format", "Cf"}, {"Surrogate", "Cs"}, {"Private_Use", "Co"},
    {"Unassigned", "Cn"},
};

/* \p{Name}, \p{gc=Name}, \p{Script=Name}, \p{sc=Name}, \p{scx=Name}. */
static int put_property(strbuf *out, const char **p, char negate)
{
    const char *s = *p;
    if (*s != '{')
        return -1;
    const char *end = strchr(s, '}');
    if (!end || end - s > 80)
        return -1;
    char name[96], value[96];
    size_t n = (size_t)(end - s - 1);
    memcpy(name, s + 1, n);
    name[n] = '\0';
    char *eq = strchr(name, '=');
    const char *prefix = "";
    if (eq) {
        *eq = '\0';
        snprintf(value, sizeof value, "%s", eq + 1);
        if (strcmp(name, "General_Category") == 0 || strcmp(name, "gc") == 0)
            prefix = "";
        else if (strcmp(name, "Script") == 0 || strcmp(name, "sc") == 0)
            prefix = "sc:";
        else if (strcmp(name, "Script_Extensions") == 0 || strcmp(name, "scx") == 0)
            prefix = "scx:";
        else
            return -1;
    } else {
        snprintf(value, sizeof value, "%s", name);
    }
    const char *mapped = value;
    if (!*prefix)
        for (size_t i = 0; i < RANGE_COUNT(CATEGORY_NAMES); i++)
            if (strcmp(value, CATEGORY_NAMES[i][0]) == 0)
                mapped = CATEGORY_NAMES[i][1];
    mcp__strbuf_append(out, "\\", 1);
    mcp__strbuf_append(out, &negate, 1);
    mcp__strbuf_append(out, "{", 1);
    mcp__strbuf_puts(out, prefix);
    mcp__strbuf_puts(out, mapped);
    mcp__strbuf_append(out, "}", 1);
    *p = end + 1;
    return 0;
}

static int read_hex(const char *s, size_t digits, uint32_t *cp)
{
    uint32_t v = 0;
    for (size_t i = 0; i < digits; i++) {
        if (!is_hex(s[i]))
            return -1;
        v = v * 16 + (uint32_t)hex_value(s[i]);
    }
    *cp = v;
    return 0;
}

/* \uXXXX, a surrogate pair of them, or \u{X...}; p points after "\u". */
static int read_unicode_escape(const char **p, uint32_t *cp)
{
    const char *s = *p;
    if (*s == '{') {
        uint32_t v = 0;
        size_t i = 1;
        for (; is_hex(s[i]) && i < 8; i++)
            v = v * 16 + (uint32_t)hex_value(s[i]);
        if (i == 1 || s[i] != '}' || v > 0x10FFFF)
            return -1;
        *cp = v;
        *p = s + i + 1;
        return 0;
    }
    if (read_hex(s, 4, cp) != 0)
        return -1;
    s += 4;
    uint32_t low;
    if (*cp >= 0xD800 && *cp <= 0xDBFF && s[0] == '\\' && s[1] == 'u' && read_hex(s + 2, 4, &low) == 0 &&
        low >= 0xDC00 && low <= 0xDFFF) {
        *cp = 0x10000 + ((*cp - 0xD800) << 10) + (low - 0xDC00);
        s += 6;
    }
    if (*cp >= 0xD800 && *cp <= 0xDFFF)
        return -1; /* a lone surrogate is no UTF-8 character */
    *p = s;
    return 0;
}

static const char WORD_CLASS[] = "[A-Za-z0-9_]";

/* Rewrites one escape; p points at the character after the backslash. */
static int translate_escape(strbuf *out, const char **p, int in_class, const char **why)
{
    const char *s = *p;
    char c = *s++;
    uint32_t cp;
    switch (c) {
    case 'd':
    case 'D':
        put_class(out, DIGIT_RANGES, RANGE_COUNT(DIGIT_RANGES), c == 'D', in_class);
        break;
    case 'w':
    case 'W':
        put_class(out, WORD_RANGES, RANGE_COUNT(WORD_RANGES), c == 'W', in_class);
        break;
    case 's':
    case 'S':
        put_class(out, SPACE_RANGES, RANGE_COUNT(SPACE_RANGES), c == 'S', in_class);
        break;
    case 'b':
    case 'B':
        if (in_class) {
            mcp__strbuf_puts(out, "\\x{8}");
        } else {
            mcp__strbuf_puts(out, c == 'b' ? "(?:(?<=" : "(?:(?<=");
            mcp__strbuf_puts(out, WORD_CLASS);
            mcp__strbuf_puts(out, c == 'b' ? ")(?!" : ")(?=");
            mcp__strbuf_puts(out, WORD_CLASS);
            mcp__strbuf_puts(out, c == 'b' ? ")|(?<!" : ")|(?<!");
            mcp__strbuf_puts(out, WORD_CLASS);
            mcp__strbuf_puts(out, c == 'b' ? ")(?=" : ")(?!");
            mcp__strbuf_puts(out, WORD_CLASS);
            mcp__strbuf_puts(out, "))");
        }
        break;
    case 'u':
        if (read_unicode_escape(&s, &cp) != 0) {
            *why = "bad \\u escape";
            return -1;
        }
        put_cp(out, cp);
        break;
    case 'x':
        if (read_hex(s, 2, &cp) != 0) {
            *why = "bad \\x escape";
            return -1;
        }
        s += 2;
        put_cp(out, cp);
        break;
    case 'c':
        if (!is_alpha(*s)) {
            *why = "\\c must be followed by a letter";
            return -1;
        }
        put_cp(out, (uint32_t)(*s++ % 32));
        break;
    case '0':
        if (is_digit(*s)) {
            *why = "octal escapes are not allowed";
            return -1;
        }
        put_cp(out, 0);
        break;
    case 'p':
    case 'P':
        if (put_property(out, &s, c) != 0) {
            *why = "bad \\p{...} property";
            return -1;
        }
        break;
    case 'v':
        put_cp(out, 0x0B);
        break;
    case '\0':
        *why = "pattern ends with a backslash";
        return -1;
    default:
        /* \t \n \r \f, backreferences \1 and \k<name>, and escaped syntax
         * characters read the same in PCRE2. Other letters (PCRE2's \A \z
         * \h ..., or \a) are no ECMA-262 escapes. */
        if (is_alpha(c) && !strchr("tnrfk", c)) {
            *why = "not an ECMA-262 escape";
            return -1;
        }
        mcp__strbuf_append(out, "\\", 1);
        mcp__strbuf_append(out, &c, 1);
        break;
    }
    *p = s;
    return 0;
}

/* Length of a {n}, {n,} or {n,m} quantifier at p, 0 if p holds none. */
static size_t counted_quantifier(const char *p)
{
    const char *s = p + 1;
    if (!is_digit(*s))
        return 0;
    while (is_digit(*s))
        s++;
    if (*s == ',')
        for (s++; is_digit(*s); s++) {
        }
    return *s == '}' ? (size_t)(s + 1 - p) : 0;
}

static int translate(const char *ecma, strbuf *out, const char **why)
{
    int in_class = 0;
    int quantified = 0; /* 1 after a quantifier, 2 after its lazy "?" */
    for (const char *p = ecma; *p;) {
        char c = *p;
        if (!in_class) {
            size_t counted = c == '{' ? counted_quantifier(p) : 0;
            if (c == '*' || c == '+' || c == '?' || counted) {
                if (quantified == 2 || (quantified == 1 && c != '?')) {
                    *why = "a quantifier cannot follow another quantifier";
                    return -1;
                }
                size_t n = counted ? counted : 1;
                mcp__strbuf_append(out, p, n);
                p += n;
                quantified = quantified == 1 ? 2 : 1;
                continue;
            }
            quantified = 0;
        }
        if (c == '\\') {
            p++;
            if (translate_escape(out, &p, in_class, why) != 0)
                return -1;
            continue;
        }
        if (!in_class && c == '(' && p[1] == '?' && !strchr(":=!<", p[2] ? p[2] : 'x')) {
            *why = "only (?:, (?=, (?!, (?<= , (?<! and (?<name> groups exist in ECMA-262";
            return -1;
        }
        if (!in_class && c == '[') {
            if (p[1] == '^' && p[2] == ']') {
                mcp__strbuf_puts(out, "[\\x{0}-\\x{10FFFF}]");
                p += 3;
                continue;
            }
            if (p[1] == ']') {
                mcp__strbuf_puts(out, "(?!)");
                p += 2;
                continue;
            }
            in_class = 1;
            mcp__strbuf_append(out, "[", 1);
            if (p[1] == '^') {
                mcp__strbuf_append(out, "^", 1);
                p++;
            }
            p++;
            continue;
        }
        if (in_class && c == '[') {
            mcp__strbuf_puts(out, "\\["); /* ECMA: a literal; PCRE2 would read [: as POSIX */
            p++;
            continue;
        }
        if (in_class && c == ']')
            in_class = 0;
        if (!in_class && c == '.') {
            mcp__strbuf_puts(out, "[^\\n\\r\\x{2028}\\x{2029}]");
            p++;
            continue;
        }
        mcp__strbuf_append(out, &c, 1);
        p++;
    }
    if (in_class) {
        *why = "unterminated character class";
        return -1;
    }
    return 0;
}

static pcre2_code *compile_code(const char *ecma, char *why, size_t whylen);

/* For the "regex" format: the string is the client's, so it is only
 * compiled (never JIT-compiled, never matched) and freed at once. */
int mcp__regex_is_valid(const char *ecma)
{
    char why[8];
    pcre2_code *re = compile_code(ecma, why, sizeof why);
    pcre2_code_free(re);
    return re != NULL;
}

mcp__regex *mcp__regex_compile(const char *ecma, char *why, size_t whylen)
{
    pcre2_code *re = compile_code(ecma, why, whylen);
    if (!re)
        return NULL;
    mcp__regex *out = calloc(1, sizeof *out);
    pcre2_match_context *match = pcre2_match_context_create(NULL);
    if (!out || !match) {
        snprintf(why, whylen, "out of memory");
        pcre2_code_free(re);
        pcre2_match_context_free(match);
        free(out);
        return NULL;
    }
    pcre2_set_match_limit(match, REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(match, REGEX_DEPTH_LIMIT);
#ifndef MCP_NO_REGEX_JIT
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter runs if JIT is unavailable */
#endif
    out->code = re;
    out->match = match;
    return out;
}

static pcre2_code *compile_code(const char *ecma, char *why, size_t whylen)
{
    if (strlen(ecma) > MAX_PATTERN_LENGTH) {
        snprintf(why, whylen, "longer than %d bytes", MAX_PATTERN_LENGTH);
        return NULL;
    }
    strbuf text = {0};
    const char *reason = NULL;
    if (translate(ecma, &text, &reason) != 0 || text.err) {
        snprintf(why, whylen, "%s", reason ? reason : "out of memory");
        free(text.data);
        return NULL;
    }
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)(text.data ? text.data : ""), PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &code,
                                   &offset, NULL);
    free(text.data);
    if (!re) {
        PCRE2_UCHAR message[160];
        pcre2_get_error_message(code, message, sizeof message);
        snprintf(why, whylen, "%s", (const char *)message);
    }
    return re;
}

static pthread_key_t match_data_key;
static pthread_once_t match_data_once = PTHREAD_ONCE_INIT;
static int match_data_key_ok;

static void free_match_data(void *data)
{
    pcre2_match_data_free(data);
}

static void make_match_data_key(void)
{
    match_data_key_ok = pthread_key_create(&match_data_key, free_match_data) == 0;
}

static pcre2_match_data *thread_match_data(int *owned)
{
    *owned = 0;
    pthread_once(&match_data_once, make_match_data_key);
    pcre2_match_data *data = match_data_key_ok ? pthread_getspecific(match_data_key) : NULL;
    if (data)
        return data;
    data = pcre2_match_data_create(1, NULL);
    if (data && match_data_key_ok && pthread_setspecific(match_data_key, data) == 0)
        return data;
    *owned = data != NULL;
    return data;
}

int mcp__regex_search(const mcp__regex *re, const char *text, size_t len)
{
    int owned;
    pcre2_match_data *data = thread_match_data(&owned);
    if (!data)
        return -1;
    int rc = pcre2_match(re->code, (PCRE2_SPTR)text, len, 0, 0, data, re->match);
    if (owned)
        pcre2_match_data_free(data);
    if (rc >= 0)
        return 1;
    return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

void mcp__regex_free(mcp__regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->match);
    free(re);
}
