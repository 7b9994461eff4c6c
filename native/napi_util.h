/* Small helpers over plain node_api.h (no node-addon-api). */
#ifndef GDWIRE_NAPI_UTIL_H
#define GDWIRE_NAPI_UTIL_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>

/* Returns NULL from the calling function when a N-API call fails (an exception is pending). */
#define NAPI_CALL(env, call)                                         \
  do {                                                               \
    if ((call) != napi_ok) {                                         \
      gd_throw_last((env));                                          \
      return NULL;                                                   \
    }                                                                \
  } while (0)

void gd_throw_last(napi_env env);
/* Throws a JS Error with `code` (a stable string) and the pending OpenSSL error text. */
napi_value gd_throw_ssl(napi_env env, const char *code, const char *what);
napi_value gd_throw(napi_env env, const char *code, const char *msg);

/* A malloc'd UTF-8 copy of a string argument, or NULL for null/undefined (or on error). */
char *gd_get_string(napi_env env, napi_value v, size_t *len_out);
/* Borrowed bytes of a TypedArray/Buffer argument; 0 if it is not one. */
int gd_get_bytes(napi_env env, napi_value v, const unsigned char **data, size_t *len);
int gd_is_nullish(napi_env env, napi_value v);
napi_value gd_int(napi_env env, int v);
napi_value gd_double(napi_env env, double v);
napi_value gd_bool(napi_env env, int v);
napi_value gd_str(napi_env env, const char *s);
napi_value gd_bytes(napi_env env, const unsigned char *data, size_t len);
/* The OpenSSL error queue as one line ("" if empty); the queue is cleared. */
void gd_ssl_error_text(char *out, size_t size);

#endif
