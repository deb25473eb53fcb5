/* todo_extras: what todo-mcp serves besides its tools, through libmcp's
 * extensions: the todo-basics skill (SEP-2640) and the
 * interactive todo list app (MCP Apps, app/todo-list.html). Their files ship in the source tree
 * (apps/todo-mcp/skills, apps/todo-mcp/app) and are installed under
 * <datadir>/todo-mcp; todo_share_path() finds them in that order. */
#ifndef TODO_MCP_TODO_EXTRAS_H
#define TODO_MCP_TODO_EXTRAS_H

#include <stdbool.h>
#include <mcp/mcp.h>

/* The first existing of <source>/apps/todo-mcp/<rel> and <datadir>/todo-mcp/<rel>
 * (static buffer), or NULL when neither exists. */
const char *todo_share_path(const char *rel);

/* Serve the skills under dir. dir NULL: the default (todo_share_path("skills"),
 * skipped with a note when not found); "" serves none; an explicit dir
 * that fails is an error. 0 or -MCP_E*. */
int todo_skills_register(mcp_server *srv, const char *dir);

/* The todo list app's resource URI (list_todos links to it). */
#define TODO_APP_URI "ui://todo-mcp/todo-list.html"

/* Serve the todo list app from file (NULL: the shipped app/todo-list.html,
 * skipped with a note when not found; "": none). *served tells whether it
 * is served, so list_todos links to it only then. 0 or -MCP_E*. */
int todo_app_register(mcp_server *srv, const char *file, bool *served);

#endif
