/*
 * What the DTLS parts of the addon share: the context and session structures and the
 * argument-unpacking macro. See dtls.c (sessions), context.c (contexts, cookies) and
 * records.c (application data).
 */
#ifndef GDWIRE_SESSION_H
#define GDWIRE_SESSION_H

#include <openssl/err.h>
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
  /* The record guard's threshold for guard_cipher (recomputed when the cipher changes). */
  const SSL_CIPHER *guard_cipher;
  size_t guard_min;
  int guard_ready;
} gd_session;

/* Per-thread scratch space of the record functions (records.c, record_io.c): one record's
 * plaintext, and a staging area for a batch of them. */
#define GD_READ_BUF_BYTES (MAX_RECORD_PLAINTEXT + 2048)
#define GD_STAGE_BYTES (128 * 1024)
extern _Thread_local unsigned char gd_read_buf[GD_READ_BUF_BYTES];
extern _Thread_local unsigned char gd_stage[GD_STAGE_BYTES];

/* The session of a napi external; throws (and returns NULL) if freed or not a session. */
gd_session *gd_get_session(napi_env env, napi_value v);
/* Records why the last operation failed: OpenSSL's error queue and the X.509 verdict. */
void gd_session_note_error(gd_session *s, const char *fallback);

/* Whether every encrypted record in a datagram is long enough to be handed to OpenSSL (records.c). */
int gd_datagram_acceptable(gd_session *s, const unsigned char *d, size_t len);

/* Empties the thread's OpenSSL error queue before an SSL_* call (SSL_get_error reads it).
 * ERR_clear_error walks every slot of the queue; it is nearly always empty already, and
 * ERR_peek_error is the very test SSL_get_error applies. */
static inline void gd_err_reset(void) {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

/* After SSL_read returned a record from a datagram just lent to the BIO: whether another
 * SSL_read could only answer "want read" — nothing left inside OpenSSL (the rest of the
 * datagram, records buffered during the handshake) and no datagram waiting in the BIO. Saves
 * one failing SSL_read per datagram. Not used when only draining after the handshake: before
 * OpenSSL 3.0.6 / 1.1.1r, SSL_has_pending missed the records buffered during the handshake
 * (openssl/openssl#18868). */
static inline int gd_read_exhausted(const gd_session *s) {
  return s->io->borrowed == NULL && s->io->in.count == 0 && !SSL_has_pending(s->ssl);
}

/* After SSL_read returned r <= 0: 0 would block, 1 close_notify, -1 fatal (the reason noted
 * for sessionError). Shared by both read paths (records.c, record_io.c). */
int gd_read_failed(gd_session *s, int r);

int gd_register_context(napi_env env, napi_value exports);
int gd_register_records(napi_env env, napi_value exports);
int gd_register_record_io(napi_env env, napi_value exports);

#define SESSION_ARGS(n)                                                 \
  size_t argc = (n);                                                    \
  napi_value argv[(n) > 0 ? (n) : 1];                                   \
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL)); \
  if (argc < (n)) return gd_throw(env, "GDWIRE_DTLS_ARGS", "missing arguments"); \
  gd_session *s = gd_get_session(env, argv[0]);                            \
  if (s == NULL) return NULL

#endif
