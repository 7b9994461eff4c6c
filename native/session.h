/*
 * What the DTLS parts of the addon share: the context and session structures and the
 * argument-unpacking macro. See dtls.c (sessions), context.c (contexts, cookies) and
 * records.c (application data).
 */
#ifndef GDWIRE_SESSION_H
#define GDWIRE_SESSION_H

#include <openssl/ssl.h>

#include "dgram_bio.h"
#include "dtls.h"

#define SECRET_LEN 32
#define PEER_ID_MAX 32
#define COOKIE_LEN (1 + 32)
#define MAX_TIMER_US 60000000u
#define MAX_RECORD_PLAINTEXT 16384

typedef struct {
  SSL_CTX *ctx;
  int server;
  unsigned char secret[SECRET_LEN];
  int has_secret;
} gd_ctx;

typedef struct {
  SSL *ssl;
  gd_bio_state *io;
  int server;
  unsigned char secret[SECRET_LEN];
  int has_secret;
  unsigned char peer_id[PEER_ID_MAX];
  size_t peer_id_len;
  unsigned char epoch;
  unsigned int timer_initial_us;
  char error[1024];
  long verify_result;
} gd_session;

/* The session of a napi external; throws (and returns NULL) if freed or not a session. */
gd_session *gd_get_session(napi_env env, napi_value v);
/* Records why the last operation failed: OpenSSL's error queue and the X.509 verdict. */
void gd_session_note_error(gd_session *s, const char *fallback);

int gd_register_context(napi_env env, napi_value exports);
int gd_register_records(napi_env env, napi_value exports);

#define SESSION_ARGS(n)                                                 \
  size_t argc = (n);                                                    \
  napi_value argv[(n) > 0 ? (n) : 1];                                   \
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL)); \
  if (argc < (n)) return gd_throw(env, "GDWIRE_DTLS_ARGS", "missing arguments"); \
  gd_session *s = gd_get_session(env, argv[0]);                            \
  if (s == NULL) return NULL

#endif
