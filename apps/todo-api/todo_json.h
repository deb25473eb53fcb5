/*
 * todo_json.h - the todo resource's JSON representation and input rules.
 *
 * Output: {"id", "title", "completed", "createdAt", "updatedAt"}.
 * Input policy: only "title" and "completed" are read; every other member
 * (including id, createdAt, updatedAt) is ignored, so a client may send back
 * an object it got from GET. Present members must have the right type:
 * title a string of 1..1000 characters (Unicode code points) that is not all
 * whitespace, completed a boolean (null is rejected too).
 */
#ifndef TODO_API_TODO_JSON_H
#define TODO_API_TODO_JSON_H

#include <cjson/cJSON.h>

#include "db.h"

enum { TODO_TITLE_MAX_CHARS = 1000 };

/* Fields read from a request body; title is borrowed from the cJSON tree. */
typedef struct todo_input {
    const char *title; /* NULL when absent */
    int completed;     /* -1 when absent, else 0 or 1 */
} todo_input;

/* Returns NULL when the present fields are valid, else a client message. */
const char *todo_input_read(const cJSON *body, todo_input *input);

/* New JSON object for item (caller deletes), or NULL when out of memory. */
cJSON *todo_to_json(const todo_item *item);

#endif
