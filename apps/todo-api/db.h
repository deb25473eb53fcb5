/*
 * db.h - SQLite storage for todo-api.
 *
 * One todo_db owns one SQLite connection, its prepared statements and a
 * mutex; every public function takes the mutex, so callers on any thread may
 * share one handle. Timestamps are produced by SQLite (ISO 8601 UTC with
 * milliseconds) so createdAt/updatedAt are consistent within a statement.
 * Functions return TODO_DB_OK, TODO_DB_NOT_FOUND or TODO_DB_ERROR (the
 * SQLite message has already been written to stderr).
 */
#ifndef TODO_API_DB_H
#define TODO_API_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { TODO_DB_OK = 0, TODO_DB_NOT_FOUND = 1, TODO_DB_ERROR = -1 };

enum { TODO_TIMESTAMP_SIZE = 32 }; /* "2026-11-23T10:00:00.000Z" + NUL fits */

typedef struct todo_db todo_db;

/* One stored todo. title is owned by the struct: release it with todo_item_clear. */
typedef struct todo_item {
    int64_t id;
    char *title;
    bool completed;
    char created_at[TODO_TIMESTAMP_SIZE];
    char updated_at[TODO_TIMESTAMP_SIZE];
} todo_item;

/* Filter and window for todo_db_list; completed < 0 means "any". */
typedef struct todo_query {
    int completed;
    int64_t limit;
    int64_t offset;
} todo_query;

/* Called once per listed row while the db lock is held; item is borrowed for
 * the duration of the call only. Return non-zero to stop with TODO_DB_ERROR. */
typedef int (*todo_visit_fn)(const todo_item *item, void *ctx);

/* Opens (creating if needed) the database at path, e.g. "todo.db" or
 * ":memory:", switches it to WAL and creates the schema. On failure returns
 * NULL and writes a message into err. */
todo_db *todo_db_open(const char *path, char *err, size_t err_size);
void todo_db_close(todo_db *db);

void todo_item_clear(todo_item *item);

/* On TODO_DB_OK *out holds the stored row; the caller clears it. */
int todo_db_create(todo_db *db, const char *title, bool completed, todo_item *out);
int todo_db_get(todo_db *db, int64_t id, todo_item *out);
int todo_db_replace(todo_db *db, int64_t id, const char *title, bool completed,
                    todo_item *out);
/* title NULL keeps the title; completed < 0 keeps the flag. */
int todo_db_patch(todo_db *db, int64_t id, const char *title, int completed,
                  todo_item *out);
int todo_db_delete(todo_db *db, int64_t id);
int todo_db_list(todo_db *db, const todo_query *query, todo_visit_fn visit, void *ctx);

#endif
