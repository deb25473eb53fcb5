/*
 * db.c - SQLite storage for todo-api.
 *
 * Owns the connection, the schema and one prepared statement per operation.
 * All user data reaches SQLite through bound parameters only. Access is
 * serialised by a mutex held for a whole operation (bind, step, copy, reset),
 * which keeps the shared prepared statements safe across the HTTP worker
 * threads; SQLite's own FULLMUTEX mode is kept on as a second line of defence.
 * Writes use "... RETURNING" so each operation is a single statement.
 */
#include "db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TODO_COLUMNS "id, title, completed, created_at, updated_at"
#define TODO_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

enum { BUSY_TIMEOUT_MS = 5000 };

enum statement_id {
    STMT_INSERT,
    STMT_SELECT,
    STMT_REPLACE,
    STMT_PATCH,
    STMT_DELETE,
    STMT_LIST,
    STMT_COUNT
};

static const char *const statement_sql[STMT_COUNT] = {
    [STMT_INSERT] = "INSERT INTO todos (title, completed, created_at, updated_at) "
                    "VALUES (?1, ?2, " TODO_NOW ", " TODO_NOW ") RETURNING " TODO_COLUMNS,
    [STMT_SELECT] = "SELECT " TODO_COLUMNS " FROM todos WHERE id = ?1",
    [STMT_REPLACE] = "UPDATE todos SET title = ?1, completed = ?2, updated_at = " TODO_NOW
                     " WHERE id = ?3 RETURNING " TODO_COLUMNS,
    [STMT_PATCH] = "UPDATE todos SET title = COALESCE(?1, title), "
                   "completed = COALESCE(?2, completed), updated_at = " TODO_NOW
                   " WHERE id = ?3 RETURNING " TODO_COLUMNS,
    [STMT_DELETE] = "DELETE FROM todos WHERE id = ?1",
    [STMT_LIST] = "SELECT " TODO_COLUMNS " FROM todos WHERE ?1 IS NULL OR completed = ?1 "
                  "ORDER BY id LIMIT ?2 OFFSET ?3",
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS todos ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " title TEXT NOT NULL,"
    " completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL)";

struct todo_db {
    sqlite3 *conn;
    pthread_mutex_t lock;
    sqlite3_stmt *stmt[STMT_COUNT];
};

static void log_sqlite_error(todo_db *db, const char *what)
{
    fprintf(stderr, "todo-api: sqlite: %s: %s\n", what, sqlite3_errmsg(db->conn));
}

static int exec_sql(todo_db *db, const char *sql, char *err, size_t err_size)
{
    char *msg = NULL;
    if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf(err, err_size, "%s: %s", sql, msg ? msg : sqlite3_errmsg(db->conn));
    sqlite3_free(msg);
    return -1;
}

static int configure_and_prepare(todo_db *db, char *err, size_t err_size)
{
    sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
    /* WAL lets readers of other processes proceed during writes; an in-memory
     * database answers "memory" here, which is fine. */
    if (exec_sql(db, "PRAGMA journal_mode=WAL", err, err_size) != 0 ||
        exec_sql(db, "PRAGMA synchronous=NORMAL", err, err_size) != 0 ||
        exec_sql(db, schema_sql, err, err_size) != 0)
        return -1;
    for (int i = 0; i < STMT_COUNT; i++) {
        if (sqlite3_prepare_v3(db->conn, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &db->stmt[i], NULL) != SQLITE_OK) {
            snprintf(err, err_size, "prepare: %s", sqlite3_errmsg(db->conn));
            return -1;
        }
    }
    return 0;
}

todo_db *todo_db_open(const char *path, char *err, size_t err_size)
{
    todo_db *db = calloc(1, sizeof *db);
    if (db == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (pthread_mutex_init(&db->lock, NULL) != 0) {
        snprintf(err, err_size, "cannot create mutex");
        free(db);
        return NULL;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path, &db->conn, flags, NULL) != SQLITE_OK) {
        snprintf(err, err_size, "%s", db->conn ? sqlite3_errmsg(db->conn) : "out of memory");
        todo_db_close(db);
        return NULL;
    }
    if (configure_and_prepare(db, err, err_size) != 0) {
        todo_db_close(db);
        return NULL;
    }
    return db;
}

void todo_db_close(todo_db *db)
{
    if (db == NULL)
        return;
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(db->stmt[i]);
    if (db->conn != NULL && sqlite3_close(db->conn) != SQLITE_OK)
        fprintf(stderr, "todo-api: sqlite: close: %s\n", sqlite3_errmsg(db->conn));
    pthread_mutex_destroy(&db->lock);
    free(db);
}

void todo_item_clear(todo_item *item)
{
    free(item->title);
    memset(item, 0, sizeof *item);
}

static void copy_text_column(char *dst, size_t dst_size, sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    snprintf(dst, dst_size, "%s", text ? (const char *)text : "");
}

/* Fills item from the current row; the title is borrowed from SQLite and
 * stays valid until the statement is stepped or reset. */
static void read_row_borrowed(sqlite3_stmt *stmt, todo_item *item)
{
    const unsigned char *title = sqlite3_column_text(stmt, 1);
    item->id = sqlite3_column_int64(stmt, 0);
    item->title = (char *)(title ? title : (const unsigned char *)"");
    item->completed = sqlite3_column_int(stmt, 2) != 0;
    copy_text_column(item->created_at, sizeof item->created_at, stmt, 3);
    copy_text_column(item->updated_at, sizeof item->updated_at, stmt, 4);
}

/* Steps stmt (already bound, lock held) expecting at most one row, copies it
 * into out, and leaves stmt reset with bindings cleared. */
static int step_single_row(todo_db *db, sqlite3_stmt *stmt, const char *what, todo_item *out)
{
    int rc = sqlite3_step(stmt);
    int result = TODO_DB_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        read_row_borrowed(stmt, out);
        out->title = strdup(out->title);
        result = out->title ? TODO_DB_OK : TODO_DB_ERROR;
        rc = sqlite3_step(stmt); /* finish the statement so a write commits */
    }
    if (rc != SQLITE_DONE) {
        log_sqlite_error(db, what);
        result = TODO_DB_ERROR;
    }
    if (result != TODO_DB_OK)
        todo_item_clear(out);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return result;
}

static int bind_title_completed_id(sqlite3_stmt *stmt, const char *title, int completed,
                                   int64_t id)
{
    int rc = title ? sqlite3_bind_text(stmt, 1, title, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(stmt, 1);
    if (rc == SQLITE_OK)
        rc = completed < 0 ? sqlite3_bind_null(stmt, 2) : sqlite3_bind_int(stmt, 2, completed);
    if (rc == SQLITE_OK && id > 0)
        rc = sqlite3_bind_int64(stmt, 3, id);
    return rc;
}

/* Binds and runs one of the single-row statements under the lock. */
static int run_single(todo_db *db, enum statement_id which, const char *title, int completed,
                      int64_t id, todo_item *out)
{
    sqlite3_stmt *stmt = db->stmt[which];
    int result;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&db->lock);
    int rc = which == STMT_SELECT ? sqlite3_bind_int64(stmt, 1, id)
                                  : bind_title_completed_id(stmt, title, completed, id);
    if (rc != SQLITE_OK) {
        log_sqlite_error(db, "bind");
        sqlite3_clear_bindings(stmt);
        result = TODO_DB_ERROR;
    } else {
        result = step_single_row(db, stmt, statement_sql[which], out);
    }
    pthread_mutex_unlock(&db->lock);
    return result;
}

int todo_db_create(todo_db *db, const char *title, bool completed, todo_item *out)
{
    return run_single(db, STMT_INSERT, title, completed ? 1 : 0, 0, out);
}

int todo_db_get(todo_db *db, int64_t id, todo_item *out)
{
    return run_single(db, STMT_SELECT, NULL, -1, id, out);
}

int todo_db_replace(todo_db *db, int64_t id, const char *title, bool completed,
                    todo_item *out)
{
    return run_single(db, STMT_REPLACE, title, completed ? 1 : 0, id, out);
}

int todo_db_patch(todo_db *db, int64_t id, const char *title, int completed, todo_item *out)
{
    return run_single(db, STMT_PATCH, title, completed < 0 ? -1 : completed != 0, id, out);
}

int todo_db_delete(todo_db *db, int64_t id)
{
    sqlite3_stmt *stmt = db->stmt[STMT_DELETE];
    int result = TODO_DB_ERROR;
    pthread_mutex_lock(&db->lock);
    if (sqlite3_bind_int64(stmt, 1, id) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_DONE)
        result = sqlite3_changes(db->conn) > 0 ? TODO_DB_OK : TODO_DB_NOT_FOUND;
    else
        log_sqlite_error(db, "delete");
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    pthread_mutex_unlock(&db->lock);
    return result;
}

static int bind_query(sqlite3_stmt *stmt, const todo_query *query)
{
    int rc = query->completed < 0 ? sqlite3_bind_null(stmt, 1)
                                  : sqlite3_bind_int(stmt, 1, query->completed != 0);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 2, query->limit);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 3, query->offset);
    return rc;
}

int todo_db_list(todo_db *db, const todo_query *query, todo_visit_fn visit, void *ctx)
{
    sqlite3_stmt *stmt = db->stmt[STMT_LIST];
    int result = TODO_DB_OK;
    pthread_mutex_lock(&db->lock);
    int rc = bind_query(stmt, query);
    if (rc == SQLITE_OK) {
        /* Bounded by the query's LIMIT. */
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            todo_item item;
            read_row_borrowed(stmt, &item);
            if (visit(&item, ctx) != 0) {
                result = TODO_DB_ERROR;
                break;
            }
        }
    }
    if (result == TODO_DB_OK && rc != SQLITE_DONE) {
        log_sqlite_error(db, "list");
        result = TODO_DB_ERROR;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    pthread_mutex_unlock(&db->lock);
    return result;
}
