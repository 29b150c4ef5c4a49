/*
 * plugin.h: a tiny single-header guest kit for wasmi-plugins in C
 * (wasm32-wasip1, wasi-libc). It serves JSON-RPC 2.0 methods to the host
 * over stdio, one message per line, and calls the host's methods.
 *
 *   #include "plugin.h"
 *   static void ping(const pl_value *params, pl_reply *reply) {
 *     (void)params;
 *     pl_reply_string(reply, "pong");
 *   }
 *   int main(void) {
 *     static const pl_method methods[] = {{"ping", ping}, {NULL, NULL}};
 *     return pl_serve(methods);
 *   }
 *
 * The protocol as this kit implements it:
 *   - Every message is one line on stdin (host to plugin) or stdout (plugin
 *     to host); stdout is flushed after every message. Blank lines are
 *     ignored. Reads block: the host suspends the guest meanwhile.
 *   - A request's id (number or string; null too) is echoed: a number as
 *     its original text, a string re-encoded (the same JSON value).
 *   - A notification (no id) runs its handler and is never answered.
 *   - A line that is not JSON is answered with -32700 and id null; a message
 *     that is not a request object (a batch included) with -32600; an
 *     unknown method with -32601 ("Method not found: NAME").
 *   - pl_call_host writes a request with ids 1, 2, 3, ... and reads stdin
 *     until the response with its id arrives. Requests from the host that
 *     arrive meanwhile are handled re-entrantly; responses to other pending
 *     calls are kept for them; responses with unknown ids are logged to
 *     stderr and ignored.
 *   - pl_serve returns 0 when stdin reaches EOF (return it from main).
 *   - pl_log writes one line "LEVEL message" to stderr.
 *
 * The JSON reader (pl_parse) is a strict RFC 8259 recursive-descent parser:
 * objects, arrays, strings with every escape (\uXXXX surrogate pairs become
 * UTF-8; other bytes pass through unchecked), numbers (the JSON grammar;
 * kept as text, as a double, and as a long long when integral and in
 * range), true, false and null; nesting is limited to PL_MAX_DEPTH; text
 * after the value is an error. For duplicate object keys, pl_get returns
 * the last (as JavaScript does). The writer (pl_buf_*) escapes '"', '\'
 * and control characters.
 *
 * Everything is `static`: include the header in one source file. Running
 * out of memory ends the process with exit code 70 (EX_SOFTWARE).
 */
#ifndef PLUGIN_H
#define PLUGIN_H

/* Every function is static (include the header in one source file) and
 * marked unused, so that a plugin using some of them builds with -Wall
 * -Wextra -Werror (an unused static function is otherwise a warning). */
#define PL_API static __attribute__((unused))

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PL_PARSE_ERROR (-32700)
#define PL_INVALID_REQUEST (-32600)
#define PL_METHOD_NOT_FOUND (-32601)
#define PL_INVALID_PARAMS (-32602)
#define PL_INTERNAL_ERROR (-32603)
#define PL_SERVER_ERROR (-32000)
#define PL_MAX_DEPTH 128

/* ------------------------------------------------------------------ */
/* Memory and growable buffers                                         */
/* ------------------------------------------------------------------ */

PL_API void *pl_alloc(size_t size) {
  void *p = malloc(size == 0 ? 1 : size);
  if (p == NULL) {
    fputs("ERROR out of memory\n", stderr);
    exit(70);
  }
  return p;
}

PL_API void *pl_realloc(void *p, size_t size) {
  p = realloc(p, size == 0 ? 1 : size);
  if (p == NULL) {
    fputs("ERROR out of memory\n", stderr);
    exit(70);
  }
  return p;
}

PL_API char *pl_strndup(const char *s, size_t n) {
  char *copy = pl_alloc(n + 1);
  memcpy(copy, s, n);
  copy[n] = '\0';
  return copy;
}

/* A growable byte buffer, always NUL-terminated once written to. */
typedef struct {
  char *data;
  size_t length;
  size_t capacity;
} pl_buf;

/* Makes room for `n` more bytes and the terminating NUL. */
PL_API void pl__buf_reserve(pl_buf *b, size_t n) {
  if (b->length + n + 1 > b->capacity) {
    size_t capacity = b->capacity == 0 ? 64 : b->capacity;
    while (b->length + n + 1 > capacity) capacity *= 2;
    b->data = pl_realloc(b->data, capacity);
    b->capacity = capacity;
  }
}

PL_API void pl_buf_raw(pl_buf *b, const char *s, size_t n) {
  pl__buf_reserve(b, n);
  memcpy(b->data + b->length, s, n);
  b->length += n;
  b->data[b->length] = '\0';
}

PL_API void pl_buf_cstr(pl_buf *b, const char *s) { pl_buf_raw(b, s, strlen(s)); }

/* Appends printf-formatted text, formatting in place (twice only when it
 * does not fit the room left); false, with nothing appended, if the format
 * fails. */
PL_API bool pl_buf_vprintf(pl_buf *b, const char *format, va_list args) {
  va_list again;
  va_copy(again, args);
  pl__buf_reserve(b, 63);
  size_t room = b->capacity - b->length;
  int n = vsnprintf(b->data + b->length, room, format, args);
  if (n >= 0 && (size_t)n >= room) {
    pl__buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->length, (size_t)n + 1, format, again);
  }
  va_end(again);
  if (n < 0) {
    b->data[b->length] = '\0';
    return false;
  }
  b->length += (size_t)n;
  return true;
}

PL_API void pl_buf_printf(pl_buf *b, const char *format, ...) {
  va_list args;
  va_start(args, format);
  pl_buf_vprintf(b, format, args);
  va_end(args);
}

/* Appends `n` bytes of `s` as a JSON string literal. */
PL_API void pl_buf_strn(pl_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  pl_buf_raw(b, "\"", 1);
  size_t run = 0; /* bytes copied unchanged, flushed before each escape */
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *escape = NULL;
    char unicode[7];
    switch (c) {
      case '"': escape = "\\\""; break;
      case '\\': escape = "\\\\"; break;
      case '\n': escape = "\\n"; break;
      case '\r': escape = "\\r"; break;
      case '\t': escape = "\\t"; break;
      case '\b': escape = "\\b"; break;
      case '\f': escape = "\\f"; break;
      default:
        if (c < 0x20) {
          memcpy(unicode, "\\u00", 4);
          unicode[4] = hex[c >> 4];
          unicode[5] = hex[c & 15];
          unicode[6] = '\0';
          escape = unicode;
        }
    }
    if (escape != NULL) {
      pl_buf_raw(b, s + i - run, run);
      run = 0;
      pl_buf_cstr(b, escape);
    } else {
      run++;
    }
  }
  pl_buf_raw(b, s + n - run, run);
  pl_buf_raw(b, "\"", 1);
}

PL_API void pl_buf_str(pl_buf *b, const char *s) { pl_buf_strn(b, s, strlen(s)); }

PL_API void pl_buf_free(pl_buf *b) {
  free(b->data);
  b->data = NULL;
  b->length = b->capacity = 0;
}

/* ------------------------------------------------------------------ */
/* JSON values and the reader                                          */
/* ------------------------------------------------------------------ */

typedef enum { PL_NULL, PL_FALSE, PL_TRUE, PL_NUMBER, PL_STRING, PL_ARRAY, PL_OBJECT } pl_type;

typedef struct pl_value pl_value;
struct pl_value {
  pl_type type;
  /* PL_STRING: the decoded bytes (NUL-terminated; `length` excludes the
   * NUL, and a \u0000 escape puts a NUL inside). PL_NUMBER: the number's
   * text as it appeared. */
  char *string;
  size_t length;
  /* PL_NUMBER: the value; `integer` is valid when `is_integer` (no
   * fraction or exponent, and within long long). */
  double number;
  long long integer;
  bool is_integer;
  /* PL_ARRAY, PL_OBJECT: `count` items; objects also have `keys`
   * (NUL-terminated decoded strings). */
  pl_value **items;
  char **keys;
  size_t count;
};

PL_API void pl_free(pl_value *v) {
  if (v == NULL) return;
  for (size_t i = 0; i < v->count; i++) {
    pl_free(v->items[i]);
    if (v->keys != NULL) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->string);
  free(v);
}

typedef struct {
  const char *p;
  const char *end;
  const char *error; /* the first error, or NULL */
} pl__parser;

PL_API pl_value *pl__fail(pl__parser *ps, const char *message) {
  if (ps->error == NULL) ps->error = message;
  return NULL;
}

PL_API void pl__skip_space(pl__parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) {
    ps->p++;
  }
}

PL_API pl_value *pl__new(pl_type type) {
  pl_value *v = pl_alloc(sizeof *v);
  memset(v, 0, sizeof *v);
  v->type = type;
  return v;
}

PL_API int pl__hex4(const char *p) {
  int value = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    value <<= 4;
    if (c >= '0' && c <= '9') value |= c - '0';
    else if (c >= 'a' && c <= 'f') value |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') value |= c - 'A' + 10;
    else return -1;
  }
  return value;
}

PL_API void pl__utf8(pl_buf *b, unsigned long cp) {
  char out[4];
  size_t n;
  if (cp < 0x80) {
    out[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  pl_buf_raw(b, out, n);
}

/* Parses a string literal at ps->p (which is at '"') into `out`. */
PL_API bool pl__string(pl__parser *ps, pl_buf *out) {
  ps->p++; /* opening quote */
  pl_buf_raw(out, "", 0);
  for (;;) {
    const char *start = ps->p;
    while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' && (unsigned char)*ps->p >= 0x20) {
      ps->p++;
    }
    pl_buf_raw(out, start, (size_t)(ps->p - start));
    if (ps->p >= ps->end) return pl__fail(ps, "unterminated string"), false;
    char c = *ps->p++;
    if (c == '"') return true;
    if (c != '\\') return pl__fail(ps, "control character in string"), false;
    if (ps->p >= ps->end) return pl__fail(ps, "unterminated string"), false;
    char e = *ps->p++;
    switch (e) {
      case '"': pl_buf_raw(out, "\"", 1); break;
      case '\\': pl_buf_raw(out, "\\", 1); break;
      case '/': pl_buf_raw(out, "/", 1); break;
      case 'b': pl_buf_raw(out, "\b", 1); break;
      case 'f': pl_buf_raw(out, "\f", 1); break;
      case 'n': pl_buf_raw(out, "\n", 1); break;
      case 'r': pl_buf_raw(out, "\r", 1); break;
      case 't': pl_buf_raw(out, "\t", 1); break;
      case 'u': {
        int unit = ps->end - ps->p >= 4 ? pl__hex4(ps->p) : -1;
        if (unit < 0) return pl__fail(ps, "invalid \\u escape"), false;
        ps->p += 4;
        unsigned long cp = (unsigned long)unit;
        if (unit >= 0xD800 && unit <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
            ps->p[1] == 'u') {
          int low = pl__hex4(ps->p + 2);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + (((unsigned long)unit - 0xD800) << 10) + ((unsigned long)low - 0xDC00);
            ps->p += 6;
          }
        }
        /* A lone surrogate becomes U+FFFD, as in JavaScript's TextEncoder. */
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
        pl__utf8(out, cp);
        break;
      }
      default:
        return pl__fail(ps, "invalid escape in string"), false;
    }
  }
}

PL_API bool pl__digits(pl__parser *ps) {
  const char *start = ps->p;
  while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
  return ps->p > start;
}

PL_API pl_value *pl__number(pl__parser *ps) {
  const char *start = ps->p;
  bool integral = true;
  if (*ps->p == '-') ps->p++;
  if (ps->p < ps->end && *ps->p == '0') {
    ps->p++;
  } else if (!pl__digits(ps)) {
    return pl__fail(ps, "invalid number");
  }
  if (ps->p < ps->end && *ps->p == '.') {
    ps->p++;
    integral = false;
    if (!pl__digits(ps)) return pl__fail(ps, "invalid number");
  }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
    ps->p++;
    integral = false;
    if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
    if (!pl__digits(ps)) return pl__fail(ps, "invalid number");
  }
  pl_value *v = pl__new(PL_NUMBER);
  v->length = (size_t)(ps->p - start);
  v->string = pl_strndup(start, v->length);
  v->number = strtod(v->string, NULL);
  if (integral) {
    errno = 0;
    v->integer = strtoll(v->string, NULL, 10);
    v->is_integer = errno == 0;
  }
  return v;
}

PL_API pl_value *pl__value(pl__parser *ps, int depth);

PL_API void pl__push(pl_value *container, pl_value *item, char *key) {
  size_t count = container->count;
  if (count == 0 || (count >= 4 && (count & (count - 1)) == 0)) { /* full: grow */
    size_t capacity = count == 0 ? 4 : count * 2;
    container->items = pl_realloc(container->items, capacity * sizeof *container->items);
    if (container->type == PL_OBJECT) {
      container->keys = pl_realloc(container->keys, capacity * sizeof *container->keys);
    }
  }
  container->items[container->count] = item;
  if (container->type == PL_OBJECT) container->keys[container->count] = key;
  container->count++;
}

PL_API pl_value *pl__container(pl__parser *ps, int depth, pl_type type) {
  char close = type == PL_ARRAY ? ']' : '}';
  if (depth >= PL_MAX_DEPTH) return pl__fail(ps, "nested too deeply");
  ps->p++; /* '[' or '{' */
  pl_value *v = pl__new(type);
  pl__skip_space(ps);
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    return v;
  }
  for (;;) {
    char *key = NULL;
    pl__skip_space(ps);
    if (type == PL_OBJECT) {
      if (ps->p >= ps->end || *ps->p != '"') {
        pl_free(v);
        return pl__fail(ps, "expected a string key");
      }
      pl_buf k = {0};
      if (!pl__string(ps, &k)) {
        pl_buf_free(&k);
        pl_free(v);
        return NULL;
      }
      key = k.data;
      pl__skip_space(ps);
      if (ps->p >= ps->end || *ps->p != ':') {
        free(key);
        pl_free(v);
        return pl__fail(ps, "expected ':'");
      }
      ps->p++;
    }
    pl_value *item = pl__value(ps, depth + 1);
    if (item == NULL) {
      free(key);
      pl_free(v);
      return NULL;
    }
    pl__push(v, item, key);
    pl__skip_space(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
    } else if (ps->p < ps->end && *ps->p == close) {
      ps->p++;
      return v;
    } else {
      pl_free(v);
      return pl__fail(ps, type == PL_ARRAY ? "expected ',' or ']'" : "expected ',' or '}'");
    }
  }
}

PL_API bool pl__literal(pl__parser *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) return false;
  ps->p += n;
  return true;
}

PL_API pl_value *pl__value(pl__parser *ps, int depth) {
  pl__skip_space(ps);
  if (ps->p >= ps->end) return pl__fail(ps, "unexpected end of input");
  switch (*ps->p) {
    case '{': return pl__container(ps, depth, PL_OBJECT);
    case '[': return pl__container(ps, depth, PL_ARRAY);
    case '"': {
      pl_buf s = {0};
      if (!pl__string(ps, &s)) {
        pl_buf_free(&s);
        return NULL;
      }
      pl_value *v = pl__new(PL_STRING);
      v->string = s.data;
      v->length = s.length;
      return v;
    }
    case 't': if (pl__literal(ps, "true")) return pl__new(PL_TRUE); break;
    case 'f': if (pl__literal(ps, "false")) return pl__new(PL_FALSE); break;
    case 'n': if (pl__literal(ps, "null")) return pl__new(PL_NULL); break;
    default:
      if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) return pl__number(ps);
  }
  return pl__fail(ps, "unexpected character");
}

/* Parses `length` bytes of JSON text. Returns the value (free it with
 * pl_free), or NULL with a static message in *error. */
PL_API pl_value *pl_parse(const char *text, size_t length, const char **error) {
  pl__parser ps = {text, text + length, NULL};
  pl_value *v = pl__value(&ps, 0);
  if (v != NULL) {
    pl__skip_space(&ps);
    if (ps.p != ps.end) {
      pl_free(v);
      v = pl__fail(&ps, "unexpected text after the value");
    }
  }
  if (error != NULL) *error = ps.error;
  return v;
}

/* The member `key` of an object (the last if repeated), or NULL. */
PL_API const pl_value *pl_get(const pl_value *object, const char *key) {
  if (object == NULL || object->type != PL_OBJECT) return NULL;
  for (size_t i = object->count; i-- > 0;) {
    if (strcmp(object->keys[i], key) == 0) return object->items[i];
  }
  return NULL;
}

/* Appends `v` as JSON text. */
PL_API void pl_buf_value(pl_buf *b, const pl_value *v) {
  switch (v->type) {
    case PL_NULL: pl_buf_cstr(b, "null"); break;
    case PL_FALSE: pl_buf_cstr(b, "false"); break;
    case PL_TRUE: pl_buf_cstr(b, "true"); break;
    case PL_NUMBER: pl_buf_raw(b, v->string, v->length); break;
    case PL_STRING: pl_buf_strn(b, v->string, v->length); break;
    case PL_ARRAY:
    case PL_OBJECT:
      pl_buf_raw(b, v->type == PL_ARRAY ? "[" : "{", 1);
      for (size_t i = 0; i < v->count; i++) {
        if (i > 0) pl_buf_raw(b, ",", 1);
        if (v->type == PL_OBJECT) {
          pl_buf_str(b, v->keys[i]);
          pl_buf_raw(b, ":", 1);
        }
        pl_buf_value(b, v->items[i]);
      }
      pl_buf_raw(b, v->type == PL_ARRAY ? "]" : "}", 1);
      break;
  }
}

/* PL_JSON(...): JSON written as C tokens, turned into a string literal
 * by the preprocessor (which escapes the quotes and backslashes). Line
 * breaks and runs of white space between tokens become one space, so the
 * text is one line, as pl_reply_json needs:
 *   static const char doc[] = PL_JSON({"name": "x", "sizes": [1, 2]});
 */
#define PL_JSON(...) #__VA_ARGS__

/* ------------------------------------------------------------------ */
/* Handlers and replies                                                */
/* ------------------------------------------------------------------ */

/* What a handler answers: a result (JSON text) or an error. */
typedef struct {
  pl_buf result;
  bool failed;
  long long code;
  char *message;
  char *data; /* the error's data as JSON text, or NULL */
} pl_reply;

/* A method handler. `params` is the request's params (NULL when absent);
 * the handler answers by calling one pl_reply_* function. A handler that
 * answers nothing answers null. */
typedef void (*pl_handler)(const pl_value *params, pl_reply *reply);

/* One entry of the method table given to pl_serve; the table ends with
 * {NULL, NULL}. */
typedef struct {
  const char *name;
  pl_handler handler;
} pl_method;

PL_API void pl__reply_reset(pl_reply *reply) {
  pl_buf_free(&reply->result);
  free(reply->message);
  free(reply->data);
  memset(reply, 0, sizeof *reply);
}

/* Answers with `json`, JSON text the caller vouches for (one line: a
 * line break would end the message early). PL_JSON writes such text. */
PL_API void pl_reply_json(pl_reply *reply, const char *json) {
  pl__reply_reset(reply);
  pl_buf_cstr(&reply->result, json);
}

PL_API void pl_reply_null(pl_reply *reply) { pl_reply_json(reply, "null"); }

PL_API void pl_reply_string(pl_reply *reply, const char *s) {
  pl__reply_reset(reply);
  pl_buf_str(&reply->result, s);
}

/* Answers with the `n` bytes at `s` as a string (they may hold NULs). */
PL_API void pl_reply_stringn(pl_reply *reply, const char *s, size_t n) {
  pl__reply_reset(reply);
  pl_buf_strn(&reply->result, s, n);
}

PL_API void pl_reply_int(pl_reply *reply, long long n) {
  pl__reply_reset(reply);
  pl_buf_printf(&reply->result, "%lld", n);
}

/* Answers with an error: `code` and a printf-formatted message. */
PL_API void pl_reply_error(pl_reply *reply, long long code, const char *format, ...) {
  pl__reply_reset(reply);
  pl_buf message = {0};
  va_list args;
  va_start(args, format);
  bool formatted = pl_buf_vprintf(&message, format, args);
  va_end(args);
  if (!formatted) pl_buf_cstr(&message, format);
  reply->failed = true;
  reply->code = code;
  reply->message = message.data;
}

/* Checks that params is an array of exactly strlen(format) values and
 * stores them: 'i' integer (long long *), 'n' number (double *), 's' string
 * (const char **, valid while params is), 'b' boolean (bool *), 'v' any
 * value (const pl_value **). Otherwise answers -32602 and returns false. */
PL_API bool pl_params(const pl_value *params, pl_reply *reply, const char *format, ...) {
  size_t want = strlen(format);
  if (params == NULL || params->type != PL_ARRAY || params->count != want) {
    pl_reply_error(reply, PL_INVALID_PARAMS, "Invalid params: expected an array of %zu", want);
    return false;
  }
  va_list args;
  va_start(args, format);
  bool ok = true;
  for (size_t i = 0; i < want && ok; i++) {
    const pl_value *v = params->items[i];
    switch (format[i]) {
      case 'i':
        ok = v->type == PL_NUMBER && v->is_integer;
        if (ok) *va_arg(args, long long *) = v->integer;
        break;
      case 'n':
        ok = v->type == PL_NUMBER;
        if (ok) *va_arg(args, double *) = v->number;
        break;
      case 's':
        ok = v->type == PL_STRING;
        if (ok) *va_arg(args, const char **) = v->string;
        break;
      case 'b':
        ok = v->type == PL_TRUE || v->type == PL_FALSE;
        if (ok) *va_arg(args, bool *) = v->type == PL_TRUE;
        break;
      case 'v':
        *va_arg(args, const pl_value **) = v;
        break;
      default:
        ok = false;
    }
    if (!ok) {
      static const char *const names[] = {['i'] = "an integer", ['n'] = "a number",
                                          ['s'] = "a string", ['b'] = "a boolean"};
      unsigned char f = (unsigned char)format[i];
      const char *name = f < sizeof names / sizeof *names && names[f] ? names[f] : "?";
      pl_reply_error(reply, PL_INVALID_PARAMS, "Invalid params: param %zu must be %s", i, name);
    }
  }
  va_end(args);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Logging and the connection                                          */
/* ------------------------------------------------------------------ */

/* Writes one line "LEVEL message" to stderr (unbuffered). */
PL_API void pl_log(const char *level, const char *format, ...) {
  pl_buf line = {0};
  pl_buf_cstr(&line, level);
  pl_buf_raw(&line, " ", 1);
  va_list args;
  va_start(args, format);
  pl_buf_vprintf(&line, format, args);
  va_end(args);
  pl_buf_raw(&line, "\n", 1);
  fwrite(line.data, 1, line.length, stderr);
  pl_buf_free(&line);
}

/* A host call waiting for its response (a stack: calls nest). */
typedef struct pl__wait {
  long long id;
  pl_value *response;
  struct pl__wait *outer;
} pl__wait;

static const pl_method *pl__methods;
static pl__wait *pl__waiting;
static long long pl__next_id;
static bool pl__io_failed;

/* Writes one message line and flushes. */
PL_API void pl__send(pl_buf *message) {
  pl_buf_raw(message, "\n", 1);
  if (fwrite(message->data, 1, message->length, stdout) != message->length || fflush(stdout) != 0) {
    pl__io_failed = true;
  }
}

/* Reads one line without its '\n' (a last line without one counts).
 * Returns NULL at end of input; free the line. */
PL_API char *pl__read_line(size_t *length) {
  char *line = NULL;
  size_t capacity = 0;
  ssize_t n = getline(&line, &capacity, stdin);
  if (n < 0) {
    if (ferror(stdin)) pl__io_failed = true;
    free(line);
    return NULL;
  }
  if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
  *length = (size_t)n;
  return line;
}

PL_API void pl__answer(const pl_value *id, pl_reply *reply) {
  pl_buf out = {0};
  pl_buf_cstr(&out, "{\"jsonrpc\":\"2.0\",\"id\":");
  if (id != NULL) pl_buf_value(&out, id);
  else pl_buf_cstr(&out, "null");
  if (reply->failed) {
    pl_buf_printf(&out, ",\"error\":{\"code\":%lld,\"message\":", reply->code);
    pl_buf_str(&out, reply->message != NULL ? reply->message : "");
    if (reply->data != NULL) {
      pl_buf_cstr(&out, ",\"data\":");
      pl_buf_cstr(&out, reply->data);
    }
    pl_buf_cstr(&out, "}}");
  } else {
    pl_buf_cstr(&out, ",\"result\":");
    pl_buf_cstr(&out, reply->result.length > 0 ? reply->result.data : "null");
    pl_buf_cstr(&out, "}");
  }
  pl__send(&out);
  pl_buf_free(&out);
}

PL_API void pl__answer_error(const pl_value *id, long long code, const char *message) {
  pl_reply reply = {0};
  pl_reply_error(&reply, code, "%s", message);
  pl__answer(id, &reply);
  pl__reply_reset(&reply);
}

/* Handles one line from the host: serves a request or notification, or
 * hands a response to the call waiting for it. */
PL_API void pl__handle_line(const char *line, size_t length) {
  const char *error;
  size_t i = 0;
  while (i < length && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) i++;
  if (i == length) return; /* blank line */
  pl_value *msg = pl_parse(line, length, &error);
  if (msg == NULL) {
    pl_buf text = {0};
    pl_buf_printf(&text, "Parse error: %s", error);
    pl__answer_error(NULL, PL_PARSE_ERROR, text.data);
    pl_buf_free(&text);
    return;
  }
  const pl_value *id = pl_get(msg, "id");
  const pl_value *method = pl_get(msg, "method");
  const pl_value *version = pl_get(msg, "jsonrpc");
  bool valid_id =
      id == NULL || id->type == PL_NUMBER || id->type == PL_STRING || id->type == PL_NULL;
  bool valid_version = version != NULL && version->type == PL_STRING &&
                       strcmp(version->string, "2.0") == 0;
  if (msg->type != PL_OBJECT || !valid_id || !valid_version) {
    pl__answer_error(msg->type == PL_OBJECT && valid_id ? id : NULL, PL_INVALID_REQUEST,
                     "Invalid Request");
  } else if (method == NULL && id != NULL &&
             (pl_get(msg, "result") != NULL || pl_get(msg, "error") != NULL)) {
    /* A response: find the host call waiting for it. */
    pl__wait *w = pl__waiting;
    while (w != NULL && !(id->type == PL_NUMBER && id->is_integer && id->integer == w->id)) {
      w = w->outer;
    }
    if (w == NULL || w->response != NULL) {
      pl_log("WARN", "ignoring a response with unknown id %s",
             id->type == PL_NUMBER ? id->string : "(not a number)");
    } else {
      w->response = msg;
      msg = NULL; /* now the waiting call's */
    }
  } else if (method == NULL || method->type != PL_STRING) {
    pl__answer_error(id, PL_INVALID_REQUEST, "Invalid Request");
  } else {
    const pl_value *params = pl_get(msg, "params");
    pl_reply reply = {0};
    const pl_method *m = pl__methods;
    while (m->name != NULL && strcmp(m->name, method->string) != 0) m++;
    if (m->name == NULL) {
      pl_reply_error(&reply, PL_METHOD_NOT_FOUND, "Method not found: %s", method->string);
    } else {
      m->handler(params, &reply);
    }
    if (id != NULL) {
      pl__answer(id, &reply);
    } else if (reply.failed) {
      pl_log("WARN", "notification %s failed: %s", method->string, reply.message);
    }
    pl__reply_reset(&reply);
  }
  pl_free(msg);
}

/* Calls host method `method` with `params_json` (JSON text: an array or
 * object, or NULL for none) and waits for its response. Returns its result
 * (free it with pl_free); or NULL with `reply` set to the error: the host's
 * error unchanged, or -32603 when stdin closes or fails first. */
PL_API pl_value *pl_call_host(const char *method, const char *params_json, pl_reply *reply) {
  pl__wait wait = {++pl__next_id, NULL, pl__waiting};
  pl_buf out = {0};
  pl_buf_printf(&out, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"method\":", wait.id);
  pl_buf_str(&out, method);
  if (params_json != NULL) {
    pl_buf_cstr(&out, ",\"params\":");
    pl_buf_cstr(&out, params_json);
  }
  pl_buf_cstr(&out, "}");
  pl__send(&out);
  pl_buf_free(&out);
  pl__waiting = &wait;
  while (wait.response == NULL && !pl__io_failed) {
    size_t length;
    char *line = pl__read_line(&length);
    if (line == NULL) break;
    pl__handle_line(line, length);
    free(line);
  }
  pl__waiting = wait.outer;
  if (wait.response == NULL) {
    pl_reply_error(reply, PL_INTERNAL_ERROR, "stdin closed while waiting for host method %s",
                   method);
    return NULL;
  }
  pl_value *response = wait.response;
  const pl_value *error = pl_get(response, "error");
  if (error != NULL) {
    const pl_value *code = pl_get(error, "code");
    const pl_value *message = pl_get(error, "message");
    const pl_value *data = pl_get(error, "data");
    pl_reply_error(reply, code != NULL && code->is_integer ? code->integer : PL_INTERNAL_ERROR,
                   "%s", message != NULL && message->type == PL_STRING ? message->string : "");
    if (data != NULL) {
      pl_buf text = {0};
      pl_buf_value(&text, data);
      reply->data = text.data;
    }
    pl_free(response);
    return NULL;
  }
  /* Detach the result from the response. */
  pl_value *result = NULL;
  for (size_t i = response->count; i-- > 0;) {
    if (strcmp(response->keys[i], "result") == 0) {
      result = response->items[i];
      response->items[i] = pl__new(PL_NULL);
      break;
    }
  }
  pl_free(response);
  return result;
}

/* Serves the methods in `methods` (ending with {NULL, NULL}) until stdin
 * reaches EOF. Returns 0 then, or 1 if stdin or stdout failed. */
PL_API int pl_serve(const pl_method *methods) {
  pl__methods = methods;
  while (!pl__io_failed) {
    size_t length;
    char *line = pl__read_line(&length);
    if (line == NULL) break;
    pl__handle_line(line, length);
    free(line);
  }
  if (pl__io_failed) pl_log("ERROR", "stdin or stdout failed");
  return pl__io_failed ? 1 : 0;
}

#endif /* PLUGIN_H */
