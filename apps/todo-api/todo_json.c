/*
 * todo_json.c - converts todos to JSON and validates todo fields in request
 * bodies (see todo_json.h for the policy). Request text is already known to be
 * valid UTF-8 here (http_parse_json_object checks it), so counting characters
 * is counting non-continuation bytes.
 */
#include "todo_json.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

static size_t utf8_char_count(const char *text)
{
    size_t count = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
        if ((*p & 0xC0) != 0x80)
            count++;
    return count;
}

static bool is_blank(const char *text)
{
    for (const char *p = text; *p != '\0'; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\f' && *p != '\v')
            return false;
    return true;
}

static const char *read_title(const cJSON *item, const char **title)
{
    if (item == NULL)
        return NULL;
    if (!cJSON_IsString(item) || item->valuestring == NULL)
        return "title must be a string";
    if (is_blank(item->valuestring))
        return "title must not be empty";
    if (utf8_char_count(item->valuestring) > TODO_TITLE_MAX_CHARS)
        return "title must be at most 1000 characters";
    *title = item->valuestring;
    return NULL;
}

static const char *read_completed(const cJSON *item, int *completed)
{
    if (item == NULL)
        return NULL;
    if (!cJSON_IsBool(item))
        return "completed must be a boolean (true or false)";
    *completed = cJSON_IsTrue(item) ? 1 : 0;
    return NULL;
}

const char *todo_input_read(const cJSON *body, todo_input *input)
{
    input->title = NULL;
    input->completed = -1;
    const char *error = read_title(cJSON_GetObjectItemCaseSensitive(body, "title"), &input->title);
    if (error == NULL)
        error = read_completed(cJSON_GetObjectItemCaseSensitive(body, "completed"),
                               &input->completed);
    return error;
}

cJSON *todo_to_json(const todo_item *item)
{
    /* The id goes out as raw digits so every int64 is exact (a cJSON number
     * is a double). */
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, item->id);
    cJSON *json = cJSON_CreateObject();
    if (json == NULL || cJSON_AddRawToObject(json, "id", id) == NULL ||
        cJSON_AddStringToObject(json, "title", item->title) == NULL ||
        cJSON_AddBoolToObject(json, "completed", item->completed) == NULL ||
        cJSON_AddStringToObject(json, "createdAt", item->created_at) == NULL ||
        cJSON_AddStringToObject(json, "updatedAt", item->updated_at) == NULL) {
        cJSON_Delete(json);
        return NULL;
    }
    return json;
}
