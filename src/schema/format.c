/* "format" checks: RFC 3339 dates, times and durations, RFC 5321/6531
 * email addresses, host names (idn.c), IPv4/IPv6, RFC 3986/3987 URIs and IRIs (absolute and
 * references), RFC 6570 URI templates, UUIDs, RFC 6901 and relative JSON
 * pointers, and ECMA-262 regexes (compiled by regex.c). Each check reads
 * the whole string and allocates nothing (regex aside). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "schema/format.h"

#include "schema/idn.h"
#include "schema/regex.h"
#include "schema/util.h"

#include <stdio.h>
#include <string.h>

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
static int is_email_atom_char(char c, int idn)
{
    return is_alpha(c) || is_digit(c) || (idn && (unsigned char)c >= 0x80) ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int is_dot_atom(const char *s, size_t n, int idn)
{
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : !is_email_atom_char(s[i], idn))
            return 0;
    }
    return 1;
}

/* RFC 5321 quoted local part: "..." with printable ASCII and \-escapes. */
static int is_quoted_local_part(const char *s, size_t n, int idn)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return 0;
    for (size_t i = 1; i < n - 1; i++) {
        if (idn && (unsigned char)s[i] >= 0x80)
            continue;
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

static int is_email(const char *s, int idn)
{
    const char *at = strrchr(s, '@');
    if (!at)
        return 0;
    size_t local_len = (size_t)(at - s), domain_len = strlen(at + 1);
    if (!is_dot_atom(s, local_len, idn) && !is_quoted_local_part(s, local_len, idn))
        return 0;
    if (domain_len > 0 && at[1] == '[')
        return is_address_literal(at + 1, domain_len);
    return domain_len > 0 && mcp__is_hostname(at + 1, domain_len, idn);
}


/* ---- URIs and IRIs (RFC 3986, RFC 3987) ---------------------------------- */

static int is_uri_unreserved(char c)
{
    return is_alpha(c) || is_digit(c) || (c && strchr("-._~", c));
}
static int is_uri_sub_delim(char c)
{
    return c && strchr("!$&'()*+,;=", c);
}

/* Bytes one component character takes (0 if none): unreserved,
 * %XX, sub-delims, the component's extra delimiters, and for IRIs any
 * well-formed non-ASCII UTF-8 character (ucschar/iprivate). */
static size_t uri_char(const char *s, const char *extra, int iri)
{
    if (s[0] == '%')
        return is_hex(s[1]) && is_hex(s[2]) ? 3 : 0;
    if (is_uri_unreserved(s[0]) || is_uri_sub_delim(s[0]) || (s[0] && strchr(extra, s[0])))
        return 1;
    if (iri && (unsigned char)s[0] >= 0x80) {
        uint32_t cp;
        size_t n = mcp__utf8_decode(s, &cp);
        return n > 0 && cp >= 0xA0 ? n : 0;
    }
    return 0;
}

static const char *uri_run(const char *s, const char *extra, int iri)
{
    size_t n;
    while ((n = uri_char(s, extra, iri)) > 0)
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

static const char *parse_uri_authority(const char *s, int iri)
{
    const char *end = s + strcspn(s, "/?#");
    const char *at = NULL;
    for (const char *q = s; q < end; q++)
        if (*q == '@')
            at = q;
    if (at) {
        if (uri_run(s, ":", iri) != at)
            return NULL;
        s = at + 1;
    }
    if (*s == '[') {
        const char *close = memchr(s, ']', (size_t)(end - s));
        if (!close || !is_ip_literal_host(s + 1, (size_t)(close - s - 1)))
            return NULL;
        s = close + 1;
    } else {
        s = uri_run(s, "", iri);
    }
    if (*s == ':')
        for (s++; is_digit(*s); s++) {
        }
    return s == end ? s : NULL;
}

/* After the scheme (or at a relative reference's start): hier-part or
 * relative-part, then query and fragment. */
static int parse_uri_rest(const char *s, int iri, int relative)
{
    if (s[0] == '/' && s[1] == '/') {
        s = parse_uri_authority(s + 2, iri);
        if (!s)
            return 0;
    } else if (relative) {
        /* path-noscheme: the first segment has no ':' */
        const char *first = uri_run(s, "@", iri);
        if (*first == ':')
            return 0;
    }
    s = uri_run(s, ":@/", iri);
    if (*s == '?')
        s = uri_run(s + 1, ":@/?", iri);
    if (*s == '#')
        s = uri_run(s + 1, ":@/?", iri);
    return *s == '\0';
}

static const char *parse_scheme(const char *s)
{
    if (!is_alpha(*s))
        return NULL;
    while (is_alpha(*s) || is_digit(*s) || (*s && strchr("+-.", *s)))
        s++;
    return *s == ':' ? s + 1 : NULL;
}

static int is_uri(const char *s, int iri)
{
    const char *rest = parse_scheme(s);
    return rest && parse_uri_rest(rest, iri, 0);
}

static int is_uri_reference(const char *s, int iri)
{
    const char *rest = parse_scheme(s);
    if (rest && parse_uri_rest(rest, iri, 0))
        return 1;
    return parse_uri_rest(s, iri, 1);
}

/* RFC 6570 level 4: literals and {op var[:n|*], ...} expressions. */
static int is_uri_template(const char *s)
{
    while (*s) {
        if (*s == '}')
            return 0;
        if (*s != '{') {
            if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7F || strchr("\"<>\\^`|", *s))
                return 0;
            if (*s == '%' && (!is_hex(s[1]) || !is_hex(s[2])))
                return 0;
            s++;
            continue;
        }
        s++;
        if (*s && strchr("+#./;?&=,!@|", *s))
            s++;
        for (;;) {
            const char *name = s;
            while (is_alpha(*s) || is_digit(*s) || *s == '_' || *s == '.' ||
                   (*s == '%' && is_hex(s[1]) && is_hex(s[2]))) {
                if (*s == '.' && (s == name || s[1] == '.' || s[1] == '}'))
                    return 0;
                s += *s == '%' ? 3 : 1;
            }
            if (s == name)
                return 0;
            if (*s == ':') {
                const char *digits = ++s;
                while (is_digit(*s) && s - digits < 4)
                    s++;
                if (s == digits || *digits == '0')
                    return 0;
            } else if (*s == '*') {
                s++;
            }
            if (*s == ',') {
                s++;
                continue;
            }
            if (*s != '}')
                return 0;
            s++;
            break;
        }
    }
    return 1;
}

/* ---- the rest ------------------------------------------------------------ */

static int is_uuid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i]))
            return 0;
    }
    return s[36] == '\0';
}

static int is_json_pointer(const char *s)
{
    if (*s && *s != '/')
        return 0;
    for (; *s; s++)
        if (*s == '~' && s[1] != '0' && s[1] != '1')
            return 0;
    return 1;
}

static int is_relative_json_pointer(const char *s)
{
    if (!is_digit(*s))
        return 0;
    if (*s == '0' && is_digit(s[1]))
        return 0;
    while (is_digit(*s))
        s++;
    if ((*s == '+' || *s == '-') && is_digit(s[1])) { /* index manipulation */
        if (s[1] == '0')
            return 0;
        for (s++; is_digit(*s); s++) {
        }
    }
    if (*s == '#')
        return s[1] == '\0';
    return is_json_pointer(s);
}

/* RFC 3339 appendix A: P(nY nM nD | nW) with T(nH nM nS), units in order
 * and no gaps, at least one unit in each present part. */
static int is_duration(const char *s)
{
    if (*s++ != 'P' || !*s)
        return 0;
    const char *start = s;
    if (is_digit(*s)) {
        const char *q = s;
        while (is_digit(*q))
            q++;
        if (*q == 'W')
            return q[1] == '\0';
    }
    static const char date_units[] = "YMD", time_units[] = "HMS";
    int last = -1;
    while (is_digit(*s)) {
        while (is_digit(*s))
            s++;
        const char *u = strchr(date_units, *s);
        if (!*s || !u || (last >= 0 && (int)(u - date_units) != last + 1))
            return 0;
        last = (int)(u - date_units);
        s++;
    }
    int had_date = s != start;
    if (*s == '\0')
        return had_date;
    if (*s++ != 'T' || !is_digit(*s))
        return 0;
    last = -1;
    while (is_digit(*s)) {
        while (is_digit(*s))
            s++;
        const char *u = strchr(time_units, *s);
        if (!*s || !u || (last >= 0 && (int)(u - time_units) != last + 1))
            return 0;
        last = (int)(u - time_units);
        s++;
    }
    return *s == '\0';
}

static int is_regex(const char *s)
{
    return mcp__regex_is_valid(s);
}

static const struct {
    const char *name;
    format_kind kind;
    const char *expectation;
} FORMATS[] = {
    {"date-time", FORMAT_DATE_TIME, "must be a date-time like \"2024-01-31T13:45:00Z\" (RFC 3339)"},
    {"date", FORMAT_DATE, "must be a date like \"2024-01-31\" (RFC 3339 full-date)"},
    {"time", FORMAT_TIME, "must be a time with offset like \"13:45:00Z\" (RFC 3339 full-time)"},
    {"duration", FORMAT_DURATION, "must be a duration like \"P1DT2H\" (RFC 3339 appendix A)"},
    {"email", FORMAT_EMAIL, "must be an email address like \"name@example.com\""},
    {"idn-email", FORMAT_IDN_EMAIL, "must be an email address like \"name@example.com\" (RFC 6531)"},
    {"hostname", FORMAT_HOSTNAME, "must be a host name like \"example.com\""},
    {"idn-hostname", FORMAT_IDN_HOSTNAME, "must be an internationalized host name (RFC 5890)"},
    {"ipv4", FORMAT_IPV4, "must be an IPv4 address like \"192.0.2.1\""},
    {"ipv6", FORMAT_IPV6, "must be an IPv6 address like \"2001:db8::1\""},
    {"uri", FORMAT_URI, "must be an absolute URI like \"https://example.com/path\""},
    {"uri-reference", FORMAT_URI_REFERENCE, "must be a URI reference (RFC 3986)"},
    {"iri", FORMAT_IRI, "must be an absolute IRI (RFC 3987)"},
    {"iri-reference", FORMAT_IRI_REFERENCE, "must be an IRI reference (RFC 3987)"},
    {"uri-template", FORMAT_URI_TEMPLATE, "must be a URI template (RFC 6570)"},
    {"uuid", FORMAT_UUID, "must be a UUID like \"123e4567-e89b-12d3-a456-426614174000\""},
    {"json-pointer", FORMAT_JSON_POINTER, "must be a JSON pointer like \"/a/0\" (RFC 6901)"},
    {"relative-json-pointer", FORMAT_RELATIVE_JSON_POINTER, "must be a relative JSON pointer like \"1/a\""},
    {"regex", FORMAT_REGEX, "must be a valid ECMA-262 regular expression"},
};
#define FORMAT_COUNT (sizeof FORMATS / sizeof FORMATS[0])

format_kind mcp__format_lookup(const char *name)
{
    for (size_t i = 0; i < FORMAT_COUNT; i++)
        if (strcmp(name, FORMATS[i].name) == 0)
            return FORMATS[i].kind;
    return FORMAT_NONE;
}

const char *mcp__format_expectation(format_kind format)
{
    for (size_t i = 0; i < FORMAT_COUNT; i++)
        if (FORMATS[i].kind == format)
            return FORMATS[i].expectation;
    return "must match its format";
}

int mcp__format_accepts(format_kind format, const char *s)
{
    size_t n = strlen(s);
    switch (format) {
    case FORMAT_DATE_TIME:
        return is_date_time(s);
    case FORMAT_DATE:
        return is_date(s);
    case FORMAT_TIME:
        return is_time(s);
    case FORMAT_DURATION:
        return is_duration(s);
    case FORMAT_EMAIL:
        return is_email(s, 0);
    case FORMAT_IDN_EMAIL:
        return is_email(s, 1);
    case FORMAT_HOSTNAME:
        return mcp__is_hostname(s, n, 0);
    case FORMAT_IDN_HOSTNAME:
        return mcp__is_hostname(s, n, 1);
    case FORMAT_IPV4:
        return is_ipv4(s, n);
    case FORMAT_IPV6:
        return memchr(s, '%', n) == NULL && is_ipv6(s, n);
    case FORMAT_URI:
        return is_uri(s, 0);
    case FORMAT_URI_REFERENCE:
        return is_uri_reference(s, 0);
    case FORMAT_IRI:
        return is_uri(s, 1);
    case FORMAT_IRI_REFERENCE:
        return is_uri_reference(s, 1);
    case FORMAT_URI_TEMPLATE:
        return is_uri_template(s);
    case FORMAT_UUID:
        return is_uuid(s);
    case FORMAT_JSON_POINTER:
        return is_json_pointer(s);
    case FORMAT_RELATIVE_JSON_POINTER:
        return is_relative_json_pointer(s);
    case FORMAT_REGEX:
        return is_regex(s);
    default:
        return 1;
    }
}
