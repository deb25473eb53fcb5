/* "format" checks: RFC 3339 dates, times and durations, RFC 5321/6531
 * email addresses, RFC 1123/5890 host names (A-labels decoded from
 * Punycode), IPv4/IPv6, RFC 3986/3987 URIs and IRIs (absolute and
 * references), RFC 6570 URI templates, UUIDs, RFC 6901 and relative JSON
 * pointers, and ECMA-262 regexes (compiled by regex.c). Each check reads
 * the whole string and allocates nothing (regex aside). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "schema/schema_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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

/* RFC 3492 Punycode: decodes the part of an A-label after "xn--" into code
 * points; -1 when it is not valid Punycode. */
static uint32_t puny_adapt(uint32_t delta, uint32_t points, int first)
{
    delta = first ? delta / 700 : delta / 2;
    delta += delta / points;
    uint32_t k = 0;
    while (delta > ((36 - 1) * 26) / 2) {
        delta /= 36 - 1;
        k += 36;
    }
    return k + (36 - 1 + 1) * delta / (delta + 38);
}

static int punycode_decode(const char *s, size_t n, uint32_t *out, size_t *count, size_t cap)
{
    const uint32_t base = 36, tmin = 1, tmax = 26, maxint = 0x7FFFFFFFu;
    uint32_t code = 128, bias = 72, i = 0;
    size_t len = 0, in = 0, delim = n;
    for (size_t k = 0; k < n; k++)
        if (s[k] == '-')
            delim = k;
    if (delim < n) {
        if (delim > cap)
            return -1;
        for (size_t k = 0; k < delim; k++) {
            if ((unsigned char)s[k] >= 0x80)
                return -1;
            out[len++] = (unsigned char)s[k];
        }
        in = delim + 1;
    }
    while (in < n) {
        uint32_t old = i, w = 1;
        for (uint32_t k = base;; k += base) {
            if (in >= n)
                return -1;
            char c = s[in++];
            uint32_t digit = is_digit(c)               ? (uint32_t)(c - '0' + 26)
                             : (c >= 'a' && c <= 'z') ? (uint32_t)(c - 'a')
                             : (c >= 'A' && c <= 'Z') ? (uint32_t)(c - 'A')
                                                      : base;
            if (digit >= base || digit > (maxint - i) / w)
                return -1;
            i += digit * w;
            uint32_t t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
            if (digit < t)
                break;
            if (w > maxint / (base - t))
                return -1;
            w *= base - t;
        }
        bias = puny_adapt(i - old, (uint32_t)len + 1, old == 0);
        if (i / ((uint32_t)len + 1) > maxint - code)
            return -1;
        code += i / ((uint32_t)len + 1);
        i %= (uint32_t)len + 1;
        if (len >= cap || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return -1;
        memmove(out + i + 1, out + i, (len - i) * sizeof *out);
        out[i++] = code;
        len++;
    }
    *count = len;
    return 0;
}

#define MAX_LABEL_POINTS 64

static int in_ranges(uint32_t cp, const uint32_t (*r)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i][0] && cp <= r[i][1])
            return 1;
    return 0;
}

/* Combining marks a U-label may not start with (the common blocks). */
static const uint32_t MARK_RANGES[][2] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0900, 0x0903}, {0x093A, 0x094F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x20D0, 0x20FF},
    {0xFE20, 0xFE2F},
};
/* Code points IDNA2008 disallows that users actually type. */
static const uint32_t DISALLOWED_RANGES[][2] = {
    {0x00, 0x2C}, {0x2E, 0x2F}, {0x3A, 0x60}, {0x7B, 0xB6}, {0xB8, 0xDE}, {0x0640, 0x0640},
    {0x07FA, 0x07FA}, {0x302E, 0x302F}, {0x3031, 0x3035}, {0x303B, 0x303B}, {0x2000, 0x200B},
    {0x200E, 0x2FFF}, {0x3000, 0x3002},
};

static int is_virama(uint32_t cp)
{
    static const uint32_t v[] = {0x094D, 0x09CD, 0x0A4D, 0x0ACD, 0x0B4D, 0x0BCD, 0x0C4D, 0x0CCD, 0x0D4D, 0x0DCA,
                                 0x0E3A, 0x1039, 0x17D2, 0x1B44, 0xA8C4};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (v[i] == cp)
            return 1;
    return 0;
}

static int is_greek(uint32_t cp)
{
    return (cp >= 0x0370 && cp <= 0x03FF && cp != 0x0375 && cp != 0x037E) || (cp >= 0x1F00 && cp <= 0x1FFF);
}
static int is_hebrew(uint32_t cp)
{
    return cp >= 0x0591 && cp <= 0x05F4;
}
static int is_kana_or_han(uint32_t cp)
{
    return (cp >= 0x3041 && cp <= 0x30FF && cp != 0x30FB) || (cp >= 0x31F0 && cp <= 0x31FF) ||
           (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF);
}

/* RFC 5891/5892 checks of one U-label's code points (the subset that
 * matters in practice: disallowed characters, leading marks, hyphens,
 * and the CONTEXTJ/CONTEXTO rules of RFC 5892 appendix A). */
static int is_u_label(const uint32_t *cp, size_t n)
{
    if (n == 0 || n > 63 || cp[0] == '-' || cp[n - 1] == '-')
        return 0;
    if (n >= 4 && cp[2] == '-' && cp[3] == '-')
        return 0;
    if (in_ranges(cp[0], MARK_RANGES, sizeof MARK_RANGES / sizeof MARK_RANGES[0]))
        return 0;
    int arabic_digits = 0, extended_digits = 0, katakana_dot = 0, has_kana = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        if (c >= 'A' && c <= 'Z')
            return 0; /* A-labels decode to lower case */
        if (c == 0x200C || c == 0x200D) { /* ZWNJ/ZWJ: after a virama; ZWNJ also between joining letters */
            int joining = c == 0x200C && i > 0 && i + 1 < n && cp[i - 1] >= 0x0620 && cp[i - 1] <= 0x06FF &&
                          cp[i + 1] >= 0x0620 && cp[i + 1] <= 0x06FF;
            if ((i == 0 || !is_virama(cp[i - 1])) && !joining)
                return 0;
            continue;
        }
        if (c == 0x00B7) { /* MIDDLE DOT: only between two l */
            if (i == 0 || i + 1 >= n || cp[i - 1] != 'l' || cp[i + 1] != 'l')
                return 0;
            continue;
        }
        if (c == 0x0375) { /* GREEK KERAIA: before Greek */
            if (i + 1 >= n || !is_greek(cp[i + 1]))
                return 0;
            continue;
        }
        if (c == 0x05F3 || c == 0x05F4) { /* HEBREW GERESH/GERSHAYIM: after Hebrew */
            if (i == 0 || !is_hebrew(cp[i - 1]))
                return 0;
            continue;
        }
        if (c == 0x30FB) {
            katakana_dot = 1;
            continue;
        }
        if (in_ranges(c, DISALLOWED_RANGES, sizeof DISALLOWED_RANGES / sizeof DISALLOWED_RANGES[0]) && c != '-' &&
            !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z'))
            return 0;
        has_kana |= is_kana_or_han(c);
        arabic_digits |= c >= 0x0660 && c <= 0x0669;
        extended_digits |= c >= 0x06F0 && c <= 0x06F9;
    }
    if (arabic_digits && extended_digits)
        return 0;
    if (katakana_dot && !has_kana)
        return 0;
    return 1;
}

/* RFC 3492 encoding, to check an A-label is canonical and to know a
 * U-label's A-label length; returns the length written, 0 on overflow. */
static size_t punycode_encode(const uint32_t *in, size_t n, char *out, size_t cap)
{
    const uint32_t base = 36, tmin = 1, tmax = 26, maxint = 0x7FFFFFFFu;
    uint32_t code = 128, delta = 0, bias = 72;
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        if (in[i] < 0x80) {
            if (len + 1 >= cap)
                return 0;
            out[len++] = (char)in[i];
        }
    size_t h = len, b = len;
    if (b > 0)
        out[len++] = '-';
    while (h < n) {
        uint32_t m = maxint;
        for (size_t i = 0; i < n; i++)
            if (in[i] >= code && in[i] < m)
                m = in[i];
        if (m - code > (maxint - delta) / (uint32_t)(h + 1))
            return 0;
        delta += (m - code) * (uint32_t)(h + 1);
        code = m;
        for (size_t i = 0; i < n; i++) {
            if (in[i] < code && ++delta == 0)
                return 0;
            if (in[i] != code)
                continue;
            uint32_t q = delta;
            for (uint32_t k = base;; k += base) {
                uint32_t t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
                if (q < t)
                    break;
                uint32_t d = t + (q - t) % (base - t);
                if (len + 1 >= cap)
                    return 0;
                out[len++] = (char)(d < 26 ? 'a' + d : '0' + d - 26);
                q = (q - t) / (base - t);
            }
            if (len + 1 >= cap)
                return 0;
            out[len++] = (char)(q < 26 ? 'a' + q : '0' + q - 26);
            bias = puny_adapt(delta, (uint32_t)h + 1, h == b);
            delta = 0;
            h++;
        }
        delta++;
        code++;
    }
    return len;
}

/* RFC 5893 bidirectional classes, for the code points host names use. */
enum { BIDI_L, BIDI_R, BIDI_AL, BIDI_AN, BIDI_EN, BIDI_NSM, BIDI_ES, BIDI_ON };

static int bidi_class(uint32_t c)
{
    static const uint32_t nsm[][2] = {{0x0300, 0x036F}, {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
                                      {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F},
                                      {0x0670, 0x0670}, {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8},
                                      {0x06EA, 0x06ED}};
    if (c >= '0' && c <= '9')
        return BIDI_EN;
    if (c == '-')
        return BIDI_ES;
    if (c < 0x80)
        return is_alpha((char)c) ? BIDI_L : BIDI_ON;
    if (in_ranges(c, nsm, sizeof nsm / sizeof nsm[0]))
        return BIDI_NSM;
    if (c >= 0x06F0 && c <= 0x06F9)
        return BIDI_EN;
    if (c == 0x200C || c == 0x200D || c == 0x00B7 || c == 0x0375 || c == 0x30FB)
        return BIDI_ON; /* joiners (BN) and the CONTEXTO punctuation */
    if ((c >= 0x0600 && c <= 0x0605) || (c >= 0x0660 && c <= 0x0669) || c == 0x066B || c == 0x066C || c == 0x06DD)
        return BIDI_AN;
    if ((c >= 0x0590 && c <= 0x05FF) || (c >= 0x07C0 && c <= 0x085F) || (c >= 0xFB1D && c <= 0xFB4F))
        return BIDI_R;
    if ((c >= 0x0600 && c <= 0x07BF) || (c >= 0x0860 && c <= 0x08FF) || (c >= 0xFB50 && c <= 0xFDFF) ||
        (c >= 0xFE70 && c <= 0xFEFF))
        return BIDI_AL;
    return BIDI_L;
}

static int is_rtl_label(const uint32_t *cp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int k = bidi_class(cp[i]);
        if (k == BIDI_R || k == BIDI_AL || k == BIDI_AN)
            return 1;
    }
    return 0;
}

/* RFC 5893 section 2, rules 1-6, for one label of a Bidi domain name. */
static int satisfies_bidi_rule(const uint32_t *cp, size_t n)
{
    if (n == 0)
        return 1;
    int first = bidi_class(cp[0]);
    if (first != BIDI_L && first != BIDI_R && first != BIDI_AL)
        return 0;
    size_t last = n;
    while (last > 0 && bidi_class(cp[last - 1]) == BIDI_NSM)
        last--;
    int end = last ? bidi_class(cp[last - 1]) : BIDI_NSM;
    int en = 0, an = 0;
    for (size_t i = 0; i < n; i++) {
        int k = bidi_class(cp[i]);
        en |= k == BIDI_EN;
        an |= k == BIDI_AN;
        if (first == BIDI_L ? (k == BIDI_R || k == BIDI_AL || k == BIDI_AN) : k == BIDI_L)
            return 0;
    }
    if (first == BIDI_L)
        return end == BIDI_L || end == BIDI_EN;
    return (end == BIDI_R || end == BIDI_AL || end == BIDI_EN || end == BIDI_AN) && !(en && an);
}

/* One label of a host name. ASCII labels are LDH; "xn--" labels must be
 * canonical Punycode of a valid U-label; with idn, UTF-8 labels are
 * U-labels whose A-label fits 63 octets. The label's code points are left
 * in points (for the Bidi rule across labels). */
static int is_hostname_label(const char *s, size_t n, int idn, uint32_t *points, size_t *count)
{
    int ascii = 1;
    *count = 0;
    for (size_t i = 0; i < n; i++)
        ascii &= (unsigned char)s[i] < 0x80;
    if (n == 0 || (ascii && n > 63))
        return 0;
    if (ascii) {
        if (s[0] == '-' || s[n - 1] == '-')
            return 0;
        for (size_t i = 0; i < n; i++)
            if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '-')
                return 0;
        if (n >= 4 && s[2] == '-' && s[3] == '-') {
            if ((s[0] != 'x' && s[0] != 'X') || (s[1] != 'n' && s[1] != 'N'))
                return 0;
            if (punycode_decode(s + 4, n - 4, points, count, MAX_LABEL_POINTS) != 0)
                return 0;
            char again[80];
            size_t len = punycode_encode(points, *count, again, sizeof again);
            if (len != n - 4 || strncasecmp(again, s + 4, len) != 0)
                return 0; /* not the canonical encoding */
            return is_u_label(points, *count);
        }
        for (size_t i = 0; i < n && i < MAX_LABEL_POINTS; i++)
            points[(*count)++] = (unsigned char)s[i];
        return 1;
    }
    if (!idn)
        return 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t used = mcp__utf8_decode(s + i, &cp);
        if (used == 0 || i + used > n || *count >= MAX_LABEL_POINTS)
            return 0;
        points[(*count)++] = cp;
        i += used;
    }
    char alabel[80];
    size_t len = punycode_encode(points, *count, alabel, sizeof alabel);
    if (len == 0 || len + 4 > 63)
        return 0;
    return is_u_label(points, *count);
}

/* Dot-separated labels, at most 253 bytes; with idn the ideographic full
 * stops U+3002, U+FF0E and U+FF61 separate labels too. In a Bidi domain
 * name (some label right-to-left) every label obeys the RFC 5893 rule. */
static int is_hostname(const char *s, size_t n, int idn)
{
    if (n == 0 || (!idn && n > 253))
        return 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t start = 0, total_points = 0;
        int bidi = 0;
        for (size_t i = 0; i <= n;) {
            size_t sep = 0;
            if (i == n || s[i] == '.')
                sep = 1;
            else if (idn && i + 3 <= n &&
                     (memcmp(s + i, "\xe3\x80\x82", 3) == 0 || memcmp(s + i, "\xef\xbc\x8e", 3) == 0 ||
                      memcmp(s + i, "\xef\xbd\xa1", 3) == 0))
                sep = 3;
            if (!sep) {
                total_points += ((unsigned char)s[i] & 0xC0) != 0x80;
                i++;
                continue;
            }
            uint32_t points[MAX_LABEL_POINTS];
            size_t count;
            if (!is_hostname_label(s + start, i - start, idn, points, &count))
                return 0;
            bidi |= is_rtl_label(points, count);
            if (pass == 1 && !satisfies_bidi_rule(points, count))
                return 0;
            total_points += i < n;
            i += sep;
            start = i;
        }
        if (total_points > 253)
            return 0;
        if (!bidi)
            return 1;
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
    return domain_len > 0 && is_hostname(at + 1, domain_len, idn);
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
    char why[8];
    mcp__regex *re = mcp__regex_compile(s, why, sizeof why);
    mcp__regex_free(re);
    return re != NULL;
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
        return is_hostname(s, n, 0);
    case FORMAT_IDN_HOSTNAME:
        return is_hostname(s, n, 1);
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
