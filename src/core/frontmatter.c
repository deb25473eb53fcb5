/* The YAML-subset parser behind SKILL.md frontmatter (see frontmatter.h).
 * The block is copied and split into lines once; the parser walks them
 * with one cursor, one function per YAML construct. Strictness is the
 * point: the JSON rendering is compared field by field with what a full
 * YAML parser makes of the same file, so anything this subset cannot read
 * exactly is an error naming the line, never an approximation. */
#include "core/frontmatter.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

#define MAX_DEPTH 32

typedef struct yline {
    char *raw;        /* the whole line, NUL-terminated, no line break */
    char *text;       /* after the indentation (may be moved past "- ") */
    int indent;
    int lineno;       /* 1-based, counting the opening "---" as line 1 */
} yline;

typedef struct yparser {
    yline *lines;
    size_t n, pos;
    char *err;
    size_t errlen;
    bool failed;
    int depth;
} yparser;

static cJSON *fail(yparser *p, int lineno, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static cJSON *fail(yparser *p, int lineno, const char *fmt, ...)
{
    if (!p->failed && p->errlen) {
        int n = snprintf(p->err, p->errlen, "frontmatter line %d: ", lineno);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < p->errlen)
            vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    p->failed = true;
    return NULL;
}

static bool is_blank_or_comment(const yline *l)
{
    return l->text[0] == '\0' || l->text[0] == '#';
}

/* The next line that carries content, or NULL. */
static yline *peek(yparser *p)
{
    while (p->pos < p->n && is_blank_or_comment(&p->lines[p->pos]))
        p->pos++;
    return p->pos < p->n ? &p->lines[p->pos] : NULL;
}

static void rtrim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

/* Cut a trailing " # comment" off plain text (in place). */
static void cut_comment(char *s)
{
    for (char *c = s; *c; c++)
        if (*c == '#' && (c == s || c[-1] == ' ' || c[-1] == '\t')) {
            *c = '\0';
            break;
        }
    rtrim(s);
}

static bool is_seq_item(const char *t)
{
    return t[0] == '-' && (t[1] == '\0' || t[1] == ' ');
}

/* ---- scalars ---- */

static bool all_match(const char *s, const char *set)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!strchr(set, *s))
            return false;
    return true;
}

static bool is_float(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    bool digits = false;
    while (isdigit((unsigned char)*s)) { s++; digits = true; }
    if (*s == '.') {
        s++;
        while (isdigit((unsigned char)*s)) { s++; digits = true; }
    }
    if (!digits)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return *s == '\0';
}

/* YAML 1.2 core schema: what a plain scalar means. */
static cJSON *resolve_plain(yparser *p, int lineno, const char *s)
{
    static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
    static const char *const trues[] = { "true", "True", "TRUE" };
    static const char *const falses[] = { "false", "False", "FALSE" };
    for (size_t i = 0; i < 5; i++)
        if (strcmp(s, nulls[i]) == 0)
            return cJSON_CreateNull();
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(s, trues[i]) == 0)
            return cJSON_CreateTrue();
        if (strcmp(s, falses[i]) == 0)
            return cJSON_CreateFalse();
    }
    if (strncmp(s, "0x", 2) == 0 && all_match(s + 2, "0123456789abcdefABCDEF"))
        return cJSON_CreateNumber((double)strtoull(s + 2, NULL, 16));
    if (strncmp(s, "0o", 2) == 0 && all_match(s + 2, "01234567"))
        return cJSON_CreateNumber((double)strtoull(s + 2, NULL, 8));
    if (is_float(s)) {
        double v = strtod(s, NULL);
        if (!isfinite(v))
            return fail(p, lineno, "number %s is out of range", s);
        return cJSON_CreateNumber(v);
    }
    const char *b = s[0] == '-' || s[0] == '+' ? s + 1 : s;
    if (strcasecmp(b, ".inf") == 0 || strcasecmp(s, ".nan") == 0)
        return fail(p, lineno, "%s has no JSON form", s);
    return cJSON_CreateString(s);
}

static void put_utf8(strbuf *sb, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    mcp__strbuf_append(sb, u, n);
}

/* A quoted scalar starting at *s (on one line); *s moves past it. */
static cJSON *parse_quoted(yparser *p, int lineno, const char **s)
{
    char q = **s;
    const char *c = *s + 1;
    strbuf sb = {0};
    for (;; c++) {
        if (*c == '\0') {
            mcp__strbuf_free(&sb);
            return fail(p, lineno, "unterminated quoted string (multi-line quoted scalars are not supported)");
        }
        if (*c == q) {
            if (q == '\'' && c[1] == '\'') {   /* '' is a quote inside '...' */
                mcp__strbuf_append(&sb, "'", 1);
                c++;
                continue;
            }
            break;
        }
        if (q == '"' && *c == '\\') {
            c++;
            static const char simple[] = "a\ab\bt\tn\nv\vf\fr\re\x1b  \"\"//\\\\";
            const char *hit = NULL;
            for (const char *e = simple; *c && e + 1 < simple + sizeof simple; e += 2)
                if (*e == *c) { hit = e; break; }
            if (hit) {
                mcp__strbuf_append(&sb, hit + 1, 1);
                continue;
            }
            int digits = *c == 'x' ? 2 : *c == 'u' ? 4 : *c == 'U' ? 8 : 0;
            unsigned long cp = 0;
            for (int i = 1; digits && i <= digits; i++) {
                if (!isxdigit((unsigned char)c[i])) {
                    digits = -1;
                    break;
                }
                cp = cp * 16 + (unsigned long)(isdigit((unsigned char)c[i]) ? c[i] - '0' : (tolower((unsigned char)c[i]) - 'a' + 10));
            }
            if (digits <= 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) {
                mcp__strbuf_free(&sb);
                return fail(p, lineno, "unsupported escape sequence in double-quoted string");
            }
            put_utf8(&sb, cp);
            c += digits;
            continue;
        }
        mcp__strbuf_append(&sb, c, 1);
    }
    *s = c + 1;
    cJSON *v = cJSON_CreateString(sb.data ? sb.data : "");
    mcp__strbuf_free(&sb);
    return v;
}

/* Only a comment (or nothing) may follow a complete value on its line. */
static bool rest_is_empty(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0' || *s == '#';
}

/* ---- flow collections: [a, b] and {k: v}, on one line ---- */

static cJSON *parse_flow(yparser *p, int lineno, const char **s);

static void skip_ws(const char **s)
{
    while (**s == ' ' || **s == '\t')
        (*s)++;
}

static cJSON *flow_scalar(yparser *p, int lineno, const char **s, bool is_key)
{
    skip_ws(s);
    if (**s == '"' || **s == '\'')
        return parse_quoted(p, lineno, s);
    if (**s == '[' || **s == '{')
        return is_key ? fail(p, lineno, "collections as mapping keys are not supported") : parse_flow(p, lineno, s);
    if (**s && strchr("&*!|>%@`", **s))
        return fail(p, lineno, "'%c' (anchors, aliases, tags, block scalars) is not supported in flow collections", **s);
    const char *start = *s;
    while (**s && !strchr(",[]{}", **s) && !(**s == ':' && (is_key || (*s)[1] == ' ' || (*s)[1] == '\0')) &&
           !(**s == '#' && *s > start && ((*s)[-1] == ' ')))
        (*s)++;
    char *text = strndup(start, (size_t)(*s - start));
    if (!text)
        return NULL;
    rtrim(text);
    cJSON *v = resolve_plain(p, lineno, text);
    free(text);
    return v;
}

static cJSON *parse_flow(yparser *p, int lineno, const char **s)
{
    char open = **s, close = open == '[' ? ']' : '}';
    if (++p->depth > MAX_DEPTH)
        return fail(p, lineno, "nesting deeper than %d", MAX_DEPTH);
    cJSON *out = open == '[' ? cJSON_CreateArray() : cJSON_CreateObject();
    (*s)++;
    skip_ws(s);
    if (**s == close) {
        (*s)++;
        p->depth--;
        return out;
    }
    while (out && !p->failed) {
        if (open == '[') {
            cJSON *v = flow_scalar(p, lineno, s, false);
            if (!v)
                break;
            cJSON_AddItemToArray(out, v);
        } else {
            cJSON *k = flow_scalar(p, lineno, s, true);
            if (!k || !cJSON_IsString(k)) {
                cJSON_Delete(k);
                if (!p->failed)
                    fail(p, lineno, "flow mapping keys must be strings");
                break;
            }
            skip_ws(s);
            cJSON *v = NULL;
            if (**s == ':') {
                (*s)++;
                v = flow_scalar(p, lineno, s, false);
            } else {
                v = cJSON_CreateNull();
            }
            if (!v || cJSON_HasObjectItem(out, k->valuestring)) {
                if (v && !p->failed)
                    fail(p, lineno, "duplicate key \"%s\"", k->valuestring);
                cJSON_Delete(k);
                cJSON_Delete(v);
                break;
            }
            cJSON_AddItemToObject(out, k->valuestring, v);
            cJSON_Delete(k);
        }
        skip_ws(s);
        if (**s == ',') {
            (*s)++;
            skip_ws(s);
            if (**s == close) {     /* a trailing comma is allowed */
                (*s)++;
                p->depth--;
                return out;
            }
            continue;
        }
        if (**s == close) {
            (*s)++;
            p->depth--;
            return out;
        }
        fail(p, lineno, "expected ',' or '%c' in flow collection (flow collections must fit on one line)", close);
    }
    cJSON_Delete(out);
    return p->failed ? NULL : fail(p, lineno, "out of memory");
}

/* ---- block scalars: | and > ---- */

static cJSON *parse_block_scalar(yparser *p, yline *head, const char *hdr, int parent_indent)
{
    char style = hdr[0], chomp = 'c';
    int explicit_indent = 0;
    for (const char *c = hdr + 1; *c && *c != ' ' && *c != '#'; c++) {
        if ((*c == '-' || *c == '+') && chomp == 'c')
            chomp = *c;
        else if (*c >= '1' && *c <= '9' && !explicit_indent)
            explicit_indent = *c - '0';
        else
            return fail(p, head->lineno, "bad block scalar header \"%s\"", hdr);
    }
    const char *after = hdr + strcspn(hdr, " #");
    if (!rest_is_empty(after))
        return fail(p, head->lineno, "text after a block scalar header");
    p->pos++;
    size_t first = p->pos, last = p->pos;   /* [first, last): lines of the scalar */
    int content_indent = explicit_indent ? parent_indent + explicit_indent : 0;
    while (last < p->n) {
        yline *l = &p->lines[last];
        if (l->text[0] != '\0' && l->indent <= parent_indent)
            break;
        if (l->text[0] != '\0' && !content_indent)
            content_indent = l->indent;
        last++;
    }
    p->pos = last;
    /* Trailing empty lines are chomping's business, not content. */
    size_t end = last, trailing = 0;
    while (end > first && p->lines[end - 1].text[0] == '\0') {
        end--;
        trailing++;
    }
    strbuf sb = {0};
    bool prev_text = false, prev_more = false;
    for (size_t i = first; i < end; i++) {
        yline *l = &p->lines[i];
        if (l->text[0] == '\0') {
            mcp__strbuf_append(&sb, "\n", 1);
            prev_text = false;
            continue;
        }
        if (l->indent < content_indent) {
            mcp__strbuf_free(&sb);
            return fail(p, l->lineno, "block scalar line is less indented than its first line");
        }
        const char *t = l->raw + content_indent;
        bool more = l->indent > content_indent;
        if (i > first) {
            if (style == '|' || more || prev_more)
                mcp__strbuf_append(&sb, "\n", 1);
            else if (prev_text)
                mcp__strbuf_append(&sb, " ", 1);
        }
        mcp__strbuf_puts(&sb, t);
        prev_text = true;
        prev_more = more;
    }
    if (sb.len && chomp != '-')
        mcp__strbuf_append(&sb, "\n", 1);
    for (size_t i = 0; chomp == '+' && i < trailing; i++)
        mcp__strbuf_append(&sb, "\n", 1);
    cJSON *v = cJSON_CreateString(sb.data ? sb.data : "");
    mcp__strbuf_free(&sb);
    return v;
}

/* ---- block collections ---- */

static cJSON *parse_mapping(yparser *p, int indent);
static cJSON *parse_sequence(yparser *p, int indent);

/* The ':' that makes s a "key: value" line, or NULL. */
static char *map_colon(char *s)
{
    char *c = s;
    if (*c == '"' || *c == '\'') {
        char q = *c++;
        while (*c && !(*c == q && c[1] != q))
            c += (*c == q || (*c == '\\' && q == '"')) && c[1] ? 2 : 1;
        if (*c != q)
            return NULL;
        c++;
        while (*c == ' ')
            c++;
        return *c == ':' && (c[1] == ' ' || c[1] == '\0') ? c : NULL;
    }
    if (*c == '[' || *c == '{')
        return NULL;
    for (; *c; c++) {
        if (*c == ':' && (c[1] == ' ' || c[1] == '\0'))
            return c;
        if (*c == '#' && c > s && c[-1] == ' ')
            return NULL;
    }
    return NULL;
}

/* A nested block below a line at parent_indent, or null when none. */
static cJSON *parse_nested(yparser *p, int parent_indent, bool allow_same_indent_seq)
{
    yline *next = peek(p);
    if (next && next->indent > parent_indent)
        return is_seq_item(next->text) ? parse_sequence(p, next->indent) : parse_mapping(p, next->indent);
    if (next && allow_same_indent_seq && next->indent == parent_indent && is_seq_item(next->text))
        return parse_sequence(p, parent_indent);
    return cJSON_CreateNull();
}

/* The value after "key:" or "- " on line l (rest: the text after it). */
static cJSON *parse_value(yparser *p, yline *l, char *rest, int parent_indent, bool in_mapping)
{
    while (*rest == ' ')
        rest++;
    if (rest[0] == '\0' || rest[0] == '#') {
        p->pos++;
        return parse_nested(p, parent_indent, in_mapping);
    }
    if (rest[0] == '|' || rest[0] == '>')
        return parse_block_scalar(p, l, rest, parent_indent);
    if (strchr("&*!%@`", rest[0]))
        return fail(p, l->lineno, "'%c' (anchors, aliases, tags, reserved indicators) is not supported", rest[0]);
    p->pos++;
    const char *s = rest;
    if (rest[0] == '"' || rest[0] == '\'' || rest[0] == '[' || rest[0] == '{') {
        cJSON *v = rest[0] == '"' || rest[0] == '\'' ? parse_quoted(p, l->lineno, &s) : parse_flow(p, l->lineno, &s);
        if (v && !rest_is_empty(s)) {
            cJSON_Delete(v);
            return fail(p, l->lineno, "unexpected text after a value: \"%s\"", s);
        }
        return v;
    }
    /* A plain scalar, possibly continued on more indented lines. */
    strbuf sb = {0};
    size_t before = strlen(rest);
    cut_comment(rest);
    mcp__strbuf_puts(&sb, rest);
    bool commented = strlen(rest) != before;
    for (yline *n = peek(p); n && n->indent > parent_indent && !commented; n = peek(p)) {
        if (p->lines[p->pos - 1].text[0] == '\0' || p->lines[p->pos - 1].text[0] == '#')
            break;    /* a blank line or comment ends the scalar in this subset */
        cut_comment(n->text);
        mcp__strbuf_puts(&sb, " ");
        mcp__strbuf_puts(&sb, n->text);
        p->pos++;
    }
    const char *text = sb.data ? sb.data : "";
    cJSON *v = NULL;
    if (strstr(text, ": ") || (strlen(text) && text[strlen(text) - 1] == ':'))
        v = fail(p, l->lineno, "\": \" inside a plain value (quote the value)");
    else
        v = resolve_plain(p, l->lineno, text);
    mcp__strbuf_free(&sb);
    return v;
}

static cJSON *parse_mapping(yparser *p, int indent)
{
    if (++p->depth > MAX_DEPTH)
        return fail(p, p->lines[p->pos].lineno, "nesting deeper than %d", MAX_DEPTH);
    cJSON *map = cJSON_CreateObject();
    for (yline *l = peek(p); map && l && l->indent >= indent && !p->failed; l = peek(p)) {
        if (l->indent > indent)
            return cJSON_Delete(map), fail(p, l->lineno, "unexpected indentation");
        if (is_seq_item(l->text))
            return cJSON_Delete(map), fail(p, l->lineno, "a list item where a \"key: value\" was expected");
        if (strncmp(l->text, "---", 3) == 0 || strncmp(l->text, "...", 3) == 0)
            return cJSON_Delete(map), fail(p, l->lineno, "a second YAML document is not supported");
        char *colon = map_colon(l->text);
        if (!colon)
            return cJSON_Delete(map), fail(p, l->lineno, "expected \"key: value\"");
        char *key;
        if (l->text[0] == '"' || l->text[0] == '\'') {
            const char *s = l->text;
            cJSON *k = parse_quoted(p, l->lineno, &s);
            key = k ? strdup(k->valuestring) : NULL;
            cJSON_Delete(k);
        } else {
            if (strchr("&*!%@`?", l->text[0]))
                return cJSON_Delete(map), fail(p, l->lineno, "'%c' in a key is not supported", l->text[0]);
            key = strndup(l->text, (size_t)(colon - l->text));
            if (key)
                rtrim(key);
        }
        if (!key || !*key || cJSON_HasObjectItem(map, key)) {
            if (key && *key)
                fail(p, l->lineno, "duplicate key \"%s\"", key);
            else if (!p->failed)
                fail(p, l->lineno, "empty key");
            free(key);
            break;
        }
        cJSON *v = parse_value(p, l, colon + 1, indent, true);
        if (!v) {
            free(key);
            break;
        }
        cJSON_AddItemToObject(map, key, v);
        free(key);
    }
    p->depth--;
    if (p->failed) {
        cJSON_Delete(map);
        return NULL;
    }
    return map;
}

static cJSON *parse_sequence(yparser *p, int indent)
{
    if (++p->depth > MAX_DEPTH)
        return fail(p, p->lines[p->pos].lineno, "nesting deeper than %d", MAX_DEPTH);
    cJSON *seq = cJSON_CreateArray();
    for (yline *l = peek(p); seq && l && l->indent >= indent && !p->failed; l = peek(p)) {
        if (l->indent > indent)
            return cJSON_Delete(seq), fail(p, l->lineno, "unexpected indentation");
        if (!is_seq_item(l->text))
            break;             /* the next key of an enclosing mapping */
        char *rest = l->text + 1;
        while (*rest == ' ')
            rest++;
        cJSON *v;
        if (*rest && *rest != '#' && (map_colon(rest) || is_seq_item(rest))) {
            /* "- key: v" / "- - x": the item is a block that starts on this line. */
            l->indent += (int)(rest - l->text);
            l->text = rest;
            v = is_seq_item(rest) ? parse_sequence(p, l->indent) : parse_mapping(p, l->indent);
        } else {
            v = parse_value(p, l, rest, indent, false);
        }
        if (!v)
            break;
        cJSON_AddItemToArray(seq, v);
    }
    p->depth--;
    if (p->failed) {
        cJSON_Delete(seq);
        return NULL;
    }
    return seq;
}

/* ---- entry ---- */

static bool is_delimiter(const char *line, const char *mark)
{
    if (strncmp(line, mark, 3) != 0)
        return false;
    for (const char *c = line + 3; *c; c++)
        if (*c != ' ' && *c != '\t' && *c != '\r')
            return false;
    return true;
}

cJSON *mcp__frontmatter_parse(const char *text, size_t len, char *err, size_t errlen)
{
    yparser p = { .err = err, .errlen = errlen };
    if (errlen)
        err[0] = '\0';
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {   /* a BOM is not content */
        text += 3;
        len -= 3;
    }
    if (memchr(text, '\0', len))
        return fail(&p, 1, "NUL byte in the file");
    char *buf = strndup(text, len);
    if (!buf)
        return fail(&p, 1, "out of memory");
    size_t cap = 16;
    p.lines = malloc(cap * sizeof *p.lines);
    bool closed = false;
    int lineno = 0;
    char *line = buf;
    while (p.lines && line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        size_t ll = strlen(line);
        if (ll && line[ll - 1] == '\r')
            line[--ll] = '\0';
        lineno++;
        if (lineno == 1) {
            if (!is_delimiter(line, "---")) {
                free(buf);
                free(p.lines);
                return fail(&p, 1, "SKILL.md must begin with a \"---\" line opening the YAML frontmatter");
            }
        } else if (is_delimiter(line, "---") || is_delimiter(line, "...")) {
            closed = true;
            break;
        } else {
            if (p.n == cap) {
                yline *grown = realloc(p.lines, 2 * cap * sizeof *grown);
                if (!grown)
                    break;
                p.lines = grown;
                cap *= 2;
            }
            int indent = 0;
            while (line[indent] == ' ')
                indent++;
            if (line[indent] == '\t') {
                free(buf);
                free(p.lines);
                return fail(&p, lineno, "tab in indentation (YAML forbids it)");
            }
            rtrim(line);
            p.lines[p.n++] = (yline){ line, line + indent, indent, lineno };
        }
        line = nl ? nl + 1 : NULL;
    }
    cJSON *out = NULL;
    if (!p.lines)
        fail(&p, lineno, "out of memory");
    else if (!closed)
        fail(&p, lineno, "the frontmatter has no closing \"---\" line");
    else if (!peek(&p))
        fail(&p, 1, "the frontmatter is empty");
    else if (is_seq_item(peek(&p)->text) || peek(&p)->indent != 0)
        fail(&p, peek(&p)->lineno, "the frontmatter must be a mapping of \"key: value\" lines starting in column 1");
    else
        out = parse_mapping(&p, 0);
    if (out && peek(&p)) {
        fail(&p, peek(&p)->lineno, "unexpected text");
        cJSON_Delete(out);
        out = NULL;
    }
    free(p.lines);
    free(buf);
    return p.failed ? (cJSON_Delete(out), NULL) : out;
}
