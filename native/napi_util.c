#include "napi_util.h"

#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

void gd_throw_last(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  napi_throw_error(env, "GDWIRE_NAPI",
                   info && info->error_message ? info->error_message : "N-API call failed");
}

void gd_ssl_error_text(char *out, size_t size) {
  unsigned long e;
  size_t used = 0;
  out[0] = '\0';
  while ((e = ERR_get_error()) != 0) {
    char line[256];
    ERR_error_string_n(e, line, sizeof(line));
    size_t n = strlen(line);
    if (used > 0 && used + 2 < size) {
      memcpy(out + used, "; ", 2);
      used += 2;
    }
    if (used + n >= size) n = size - used - 1;
    memcpy(out + used, line, n);
    used += n;
    out[used] = '\0';
  }
}

napi_value gd_throw(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

napi_value gd_throw_ssl(napi_env env, const char *code, const char *what) {
  char detail[768];
  char msg[1024];
  gd_ssl_error_text(detail, sizeof(detail));
  snprintf(msg, sizeof(msg), "%s%s%s", what, detail[0] ? ": " : "", detail);
  napi_throw_error(env, code, msg);
  return NULL;
}

int gd_is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  if (v == NULL || napi_typeof(env, v, &t) != napi_ok) return 1;
  return t == napi_null || t == napi_undefined;
}

char *gd_get_string(napi_env env, napi_value v, size_t *len_out) {
  size_t len = 0;
  if (gd_is_nullish(env, v)) return NULL;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (s == NULL) return NULL;
  if (napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) {
    free(s);
    return NULL;
  }
  if (len_out) *len_out = len;
  return s;
}

int gd_get_bytes(napi_env env, napi_value v, const unsigned char **data, size_t *len) {
  bool is_ta = false;
  /* null and undefined are not typed arrays: no separate napi_typeof (this runs per datagram). */
  if (v == NULL || napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  napi_typedarray_type type;
  size_t length;
  void *ptr;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, &ab, &offset) != napi_ok) return 0;
  if (type != napi_uint8_array) return 0;
  *data = ptr;
  *len = length;
  return 1;
}

napi_value gd_int(napi_env env, int v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

napi_value gd_double(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

napi_value gd_bool(napi_env env, int v) {
  napi_value r;
  napi_get_boolean(env, v != 0, &r);
  return r;
}

napi_value gd_str(napi_env env, const char *s) {
  napi_value r;
  napi_create_string_utf8(env, s ? s : "", NAPI_AUTO_LENGTH, &r);
  return r;
}

napi_value gd_bytes(napi_env env, const unsigned char *data, size_t len) {
  /* A plain Uint8Array over its own ArrayBuffer (napi_create_buffer_copy is slower here). */
  void *copy = NULL;
  napi_value ab, view;
  if (napi_create_arraybuffer(env, len, &copy, &ab) != napi_ok) return NULL;
  if (len > 0) memcpy(copy, data, len);
  if (napi_create_typedarray(env, napi_uint8_array, len, ab, 0, &view) != napi_ok) return NULL;
  return view;
}
