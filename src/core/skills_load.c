/* The skill loader: a directory tree on disk becomes skill objects in
 * memory, once, at registration. Every file is read whole (within the
 * SEP-2640 limits: 512 files, 16 MiB per skill), hashed with SHA-256
 * (nettle) and sized; SKILL.md frontmatter is parsed (frontmatter.c) and
 * checked (name = folder name, naming rules, a description); each skill's
 * skills/list entry and each folder's children are built here, so serving
 * never touches the disk again. Hidden entries and symbolic links are not
 * part of a skill; folders are read in name order, so output is stable. */
#include "core/skills_load.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/util.h"
#include "core/frontmatter.h"
#include "core/registry.h"

/* A loader error: the message goes to stderr (registration happens at
 * startup, the author needs to know what to fix). */
int mcp__skills_error(int rc, const char *path, const char *why)
{
    fprintf(stderr, "libmcp: skill %s rejected: %s\n", path, why);
    return rc;
}

void mcp__skill_free(skill *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->files.len; i++) {
        skill_file *f = s->files.items[i];
        free(f->uri);
        free(f->rel);
        free(f->data);
        free(f);
    }
    for (size_t i = 0; i < s->dirs.len; i++) {
        skill_dir *d = s->dirs.items[i];
        free(d->uri);
        cJSON_Delete(d->children);
        free(d);
    }
    free(s->files.items);
    free(s->dirs.items);
    free(s->uri);
    cJSON_Delete(s->entry);
    free(s);
}

void mcp__skills_free(struct mcp__skills *sk)
{
    if (!sk)
        return;
    for (size_t i = 0; i < sk->skills.len; i++)
        mcp__skill_free(sk->skills.items[i]);
    for (size_t i = 0; i < sk->graveyard.len; i++)
        mcp__skill_free(sk->graveyard.items[i]);
    free(sk->skills.items);
    free(sk->dirs.items);
    free(sk->graveyard.items);
    free(sk);
}

/* ---------------- loading ---------------- */

static const char *mime_of(const char *name, bool text)
{
    static const struct { const char *ext, *mime; } table[] = {
        {".md", "text/markdown"}, {".markdown", "text/markdown"}, {".txt", "text/plain"},
        {".json", "application/json"}, {".yaml", "application/yaml"}, {".yml", "application/yaml"},
        {".py", "text/x-python"}, {".sh", "text/x-shellscript"}, {".js", "text/javascript"},
        {".ts", "text/plain"}, {".html", "text/html"}, {".css", "text/css"}, {".csv", "text/csv"},
        {".xml", "application/xml"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"}, {".pdf", "application/pdf"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof table / sizeof table[0]; i++)
        if (strcasecmp(dot, table[i].ext) == 0)
            return table[i].mime;
    return text ? "text/plain" : "application/octet-stream";
}

/* Append name to base as one URI path segment, percent-encoding all but
 * the unreserved characters (RFC 3986). */
static char *uri_join(const char *base, const char *name)
{
    strbuf sb = {0};
    mcp__strbuf_puts(&sb, base);
    mcp__strbuf_puts(&sb, "/");
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("-._~", *c))
            mcp__strbuf_append(&sb, c, 1);
        else
            mcp__strbuf_printf(&sb, "%%%02X", *c);
    }
    return mcp__strbuf_take(&sb);
}

static char *path_join(const char *a, const char *b)
{
    strbuf sb = {0};
    mcp__strbuf_printf(&sb, "%s/%s", a, b);
    return mcp__strbuf_take(&sb);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The visible entries of dir, sorted (so listings and digests are stable). */
static int list_dir(const char *dir, char ***names_out, size_t *n_out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -MCP_EIO;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **g = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *g);
            if (!g) {
                rc = -MCP_ENOMEM;
                break;
            }
            names = g;
        }
        if (!(names[n] = strdup(e->d_name)))
            rc = -MCP_ENOMEM;
        else
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    *names_out = names;
    *n_out = n;
    return rc;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int read_file(const char *path, size_t limit, unsigned char **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -MCP_EIO;
    strbuf sb = {0};
    char buf[16384];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (sb.len + n > limit)
            rc = -MCP_ELIMIT;
        else
            rc = mcp__strbuf_append(&sb, buf, n);
    }
    if (rc == 0 && ferror(f))
        rc = -MCP_EIO;
    fclose(f);
    if (rc < 0) {
        mcp__strbuf_free(&sb);
        return rc;
    }
    *size = sb.len;
    *data = (unsigned char *)mcp__strbuf_take(&sb);   /* "" for an empty file: always NUL-terminated */
    return *data ? 0 : -MCP_ENOMEM;
}

static void sha256_hex(const unsigned char *data, size_t len, char out[7 + 2 * SHA256_DIGEST_SIZE + 1])
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, d);
    memcpy(out, "sha256:", 7);
    for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

static cJSON *child_resource(const char *uri, const char *name, const char *mime, const size_t *size)
{
    cJSON *r = cJSON_CreateObject();
    if (r) {
        cJSON_AddStringToObject(r, "uri", uri);
        cJSON_AddStringToObject(r, "name", name);
        cJSON_AddStringToObject(r, "mimeType", mime);
        if (size)
            cJSON_AddNumberToObject(r, "size", (double)*size);
    }
    return r;
}

/* Load the folder dir (URI dir_uri, path rel inside the skill) into s. */
static int load_tree(skill *s, const char *dir, const char *dir_uri, const char *rel, int depth)
{
    if (depth > SKILL_MAX_DEPTH)
        return mcp__skills_error(-MCP_ELIMIT, dir, "folders nested too deep");
    skill_dir *sd = calloc(1, sizeof *sd);
    if (!sd || mcp__entry_list_push(&s->dirs, sd) < 0) {
        free(sd);
        return -MCP_ENOMEM;
    }
    sd->uri = strdup(dir_uri);
    sd->children = cJSON_CreateArray();
    if (!sd->uri || !sd->children)
        return -MCP_ENOMEM;
    char **names;
    size_t n;
    int rc = list_dir(dir, &names, &n);
    if (rc == -MCP_EIO)
        return mcp__skills_error(rc, dir, strerror(errno));
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *path = path_join(dir, names[i]);
        char *uri = uri_join(dir_uri, names[i]);
        char *sub = *rel ? path_join(rel, names[i]) : strdup(names[i]);
        struct stat st;
        if (!path || !uri || !sub) {
            rc = -MCP_ENOMEM;
        } else if (lstat(path, &st) < 0) {
            rc = mcp__skills_error(-MCP_EIO, path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            cJSON_AddItemToArray(sd->children, child_resource(uri, names[i], "inode/directory", NULL));
            rc = load_tree(s, path, uri, sub, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            skill_file *f = calloc(1, sizeof *f);
            if (!f || mcp__entry_list_push(&s->files, f) < 0) {
                free(f);
                rc = -MCP_ENOMEM;
            } else if (s->files.len > SKILL_MAX_FILES) {
                rc = mcp__skills_error(-MCP_ELIMIT, path, "the skill has more than 512 files");
            } else if ((rc = read_file(path, SKILL_MAX_BYTES - s->total, &f->data, &f->size)) < 0) {
                rc = mcp__skills_error(rc, path, rc == -MCP_ELIMIT ? "the skill's files exceed 16 MiB in total" : strerror(errno));
            } else {
                s->total += f->size;
                f->text = !memchr(f->data, '\0', f->size) && mcp__utf8_valid((const char *)f->data, f->size);
                f->mime = mime_of(names[i], f->text);
                sha256_hex(f->data, f->size, f->digest);
                f->uri = uri;
                f->rel = sub;
                uri = sub = NULL;
                cJSON_AddItemToArray(sd->children, child_resource(f->uri, names[i], f->mime, &f->size));
            }
        }   /* symbolic links and special files are not part of a skill */
        free(path);
        free(uri);
        free(sub);
    }
    free_names(names, n);
    return rc;
}

static bool valid_skill_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        bool ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-';
        if (!ok || (s[i] == '-' && s[i + 1] == '-'))
            return false;
    }
    return true;
}

static const skill_file *find_file(const skill *s, const char *rel)
{
    for (size_t i = 0; i < s->files.len; i++) {
        const skill_file *f = s->files.items[i];
        if (strcmp(f->rel, rel) == 0)
            return f;
    }
    return NULL;
}

/* The skills/list entry: SKILL.md first in resources, then the rest in
 * path order. */
static cJSON *build_entry(skill *s, const skill_file *md)
{
    cJSON *e = cJSON_CreateObject();
    cJSON *res = e ? cJSON_CreateArray() : NULL;
    if (!res) {
        cJSON_Delete(e);
        return NULL;
    }
    cJSON_AddStringToObject(e, "uri", md->uri);
    cJSON_AddItemToObject(e, "frontmatter", s->frontmatter);
    cJSON_AddItemToObject(e, "resources", res);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < s->files.len; i++) {
            const skill_file *f = s->files.items[i];
            if ((f == md) != (pass == 0))
                continue;
            cJSON *r = cJSON_CreateObject();
            if (!r)
                continue;
            cJSON_AddStringToObject(r, "uri", f->uri);
            cJSON_AddStringToObject(r, "digest", f->digest);
            cJSON_AddNumberToObject(r, "size", (double)f->size);
            cJSON_AddItemToArray(res, r);
        }
    return e;
}

static int load_skill(const char *dir, const char *root_uri, const char *name, skill **out)
{
    skill *s = calloc(1, sizeof *s);
    if (!s)
        return -MCP_ENOMEM;
    int rc = load_tree(s, dir, root_uri, "", 0);
    const skill_file *md = rc == 0 ? find_file(s, "SKILL.md") : NULL;
    char why[512];
    if (rc == 0 && !md)
        rc = mcp__skills_error(-MCP_EINVAL, dir, "no SKILL.md");
    if (rc == 0 && !(s->frontmatter = mcp__frontmatter_parse((const char *)md->data, md->size, why, sizeof why)))
        rc = mcp__skills_error(-MCP_EINVAL, md->uri, why);
    if (rc == 0) {
        const char *fm_name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->frontmatter, "name"));
        const char *desc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->frontmatter, "description"));
        if (!fm_name || !valid_skill_name(fm_name))
            rc = mcp__skills_error(-MCP_EINVAL, md->uri, "frontmatter name must be 1-64 characters of [a-z0-9] and single inner hyphens");
        else if (strcmp(fm_name, name) != 0)
            rc = mcp__skills_error(-MCP_EINVAL, md->uri, "the folder name must equal the frontmatter name");
        else if (!desc || !*desc)
            rc = mcp__skills_error(-MCP_EINVAL, md->uri, "frontmatter needs a non-empty description");
    }
    if (rc == 0) {
        s->uri = strdup(md->uri);
        s->entry = build_entry(s, md);
        if (!s->entry)
            cJSON_Delete(s->frontmatter);
        rc = s->uri && s->entry ? 0 : -MCP_ENOMEM;
    } else {
        cJSON_Delete(s->frontmatter);
    }
    if (rc < 0) {
        s->frontmatter = NULL;
        mcp__skill_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static bool has_skill_md(const char *dir)
{
    char *p = path_join(dir, "SKILL.md");
    struct stat st;
    bool yes = p && lstat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return yes;
}

/* Collect the skills under dir (URI prefix base) into found. */
static int scan(const char *dir, const char *base, int depth, entry_list *found)
{
    if (depth > PREFIX_MAX_DEPTH)
        return 0;
    char **names;
    size_t n;
    int rc = list_dir(dir, &names, &n);
    if (rc == -MCP_EIO)
        return mcp__skills_error(rc, dir, strerror(errno));
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *path = path_join(dir, names[i]);
        char *uri = *base ? uri_join(base, names[i]) : NULL;
        if (!*base && path) {
            strbuf sb = {0};
            mcp__strbuf_printf(&sb, "skill://%s", names[i]);
            uri = mcp__strbuf_take(&sb);
        }
        struct stat st;
        if (!path || !uri) {
            rc = -MCP_ENOMEM;
        } else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            skill *s = NULL;
            if (has_skill_md(path)) {
                rc = load_skill(path, uri, names[i], &s);
                if (rc == 0 && (rc = mcp__entry_list_push(found, s)) < 0)
                    mcp__skill_free(s);
            } else {
                rc = scan(path, uri, depth + 1, found);
            }
        }
        free(path);
        free(uri);
    }
    free_names(names, n);
    return rc;
}

int mcp__skills_load(const char *path, const char *base, entry_list *found)
{
    int rc = 0;
    if (has_skill_md(path)) {
        /* path is one skill: its folder name is its name. */
        char *copy = strdup(path);
        size_t n = copy ? strlen(copy) : 0;
        while (n > 1 && copy[n - 1] == '/')
            copy[--n] = '\0';
        const char *slash = copy ? strrchr(copy, '/') : NULL;
        const char *name = slash ? slash + 1 : copy;
        char *uri = NULL;
        if (name && *base) {
            uri = uri_join(base, name);
        } else if (name) {
            strbuf sb = {0};
            mcp__strbuf_printf(&sb, "skill://%s", name);
            uri = mcp__strbuf_take(&sb);
        }
        skill *s = NULL;
        rc = !uri ? -MCP_ENOMEM : load_skill(path, uri, name, &s);
        if (rc == 0 && (rc = mcp__entry_list_push(found, s)) < 0)
            mcp__skill_free(s);
        free(uri);
        free(copy);
    } else {
        rc = scan(path, base, 0, found);
    }
    return rc;
}
