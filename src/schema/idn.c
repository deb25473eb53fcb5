/* Host names for the "hostname", "idn-hostname" and email formats: RFC
 * 1123 LDH labels, RFC 5890/5891 A-labels (canonical Punycode, RFC 3492)
 * and U-labels with the RFC 5892 contextual rules that matter in practice,
 * and the RFC 5893 Bidi rule across the labels of a name. No IDN library:
 * the few code point classes needed are tabulated here. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "schema/idn.h"

#include "schema/util.h"

#include <string.h>
#include <strings.h>

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
int mcp__is_hostname(const char *s, size_t n, int idn)
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

