/* todo_extras.c - locating todo-mcp's shipped files, serving its skill and
 * its todo list app.
 *
 * A build runs from the source tree, an install from <datadir>/todo-mcp:
 * both paths are compiled in (CMakeLists.txt), the source tree wins, and a
 * command-line path (--skills-dir, --app-file) overrides both. */
#include "todo_extras.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *todo_share_path(const char *rel)
{
    static char path[PATH_MAX];
    const char *roots[] = { TODO_MCP_SOURCE_SHARE, TODO_MCP_INSTALL_SHARE };
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        struct stat st;
        int n = snprintf(path, sizeof path, "%s/%s", roots[i], rel);
        if (n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0)
            return path;
    }
    return NULL;
}

int todo_skills_register(mcp_server *srv, const char *dir)
{
    if (dir && !*dir)
        return 0;
    const char *path = dir ? dir : todo_share_path("skills");
    if (!path) {
        fprintf(stderr, "todo-mcp: no skills directory found (looked in %s/skills and %s/skills); "
                        "serving no skills\n", TODO_MCP_SOURCE_SHARE, TODO_MCP_INSTALL_SHARE);
        return 0;
    }
    int rc = mcp_server_add_skills_dir(srv, path, NULL);
    if (rc < 0)
        fprintf(stderr, "todo-mcp: cannot serve the skills in %s: %s\n", path, mcp_strerror(rc));
    return rc;
}

int todo_app_register(mcp_server *srv, const char *file, bool *served)
{
    *served = false;
    if (file && !*file)
        return 0;
    const char *path = file ? file : todo_share_path("app/todo-list.html");
    if (!path) {
        fprintf(stderr, "todo-mcp: no app/todo-list.html found (looked in %s and %s); serving no app\n",
                TODO_MCP_SOURCE_SHARE, TODO_MCP_INSTALL_SHARE);
        return 0;
    }
    /* Self-contained: no external origin of any kind, hence no csp lists. */
    int rc = mcp_server_add_app(srv, &(mcp_app){
        .uri = TODO_APP_URI, .name = "todo-list", .title = "Todo list",
        .description = "Interactive todo list: add, complete and delete todos",
        .html_file = path, .prefers_border = MCP_HINT_TRUE, .scopes = NULL });
    if (rc < 0)
        fprintf(stderr, "todo-mcp: cannot serve the app %s: %s\n", path, mcp_strerror(rc));
    else
        *served = true;
    return rc;
}
