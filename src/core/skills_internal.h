/* The skill catalogue's data, shared by the loader (skills_load.c: disk to
 * memory, once) and the server side (skills.c: registration and methods).
 * Everything here is immutable once published, so readers only need the
 * registry lock to find an entry, never to use it. Types only: the
 * functions are declared in skills_load.h. */
#ifndef MCP_CORE_SKILLS_INTERNAL_H
#define MCP_CORE_SKILLS_INTERNAL_H

#include <nettle/sha2.h>

#include "core/server_internal.h"

#define SKILL_MAX_FILES 512                 /* SEP-2640 limits, per skill */
#define SKILL_MAX_BYTES (16u * 1024 * 1024)
#define SKILL_MAX_DEPTH 16                  /* folders inside one skill */
#define PREFIX_MAX_DEPTH 8                  /* organisational folders above skills */
#define META_PREFIX "io.modelcontextprotocol.skills/"   /* _meta keys of skill resources */

typedef struct skill_file {
    char *uri;
    char *rel;                 /* path inside the skill, e.g. "references/guide.md" */
    const char *mime;          /* static */
    unsigned char *data;       /* size bytes, then a NUL */
    size_t size;
    bool text;                 /* valid UTF-8 without NUL: served as text, else blob */
    char digest[7 + 2 * SHA256_DIGEST_SIZE + 1];
} skill_file;

typedef struct skill_dir {
    char *uri;                 /* no trailing slash */
    cJSON *children;           /* Resource objects of the direct children */
} skill_dir;

typedef struct skill {
    char *uri;                 /* the SKILL.md URI */
    cJSON *entry;              /* {uri, frontmatter, resources} */
    cJSON *frontmatter;        /* inside entry */
    entry_list files, dirs;    /* skill_file*, skill_dir* */
    size_t total;              /* bytes over all files */
} skill;

struct mcp__skills {
    entry_list skills;         /* served, in registration order */
    entry_list dirs;           /* skill_dir* of served skills (borrowed from them) */
    entry_list graveyard;      /* skills of a failed registration, kept until the end */
    bool directory_read;
};

#endif
