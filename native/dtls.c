/*
 * DTLS 1.2 sessions over the OpenSSL built into the node binary.
 *
 * A thin layer: it never owns a socket or a clock-driven timer. TypeScript feeds received
 * datagrams in, steps the handshake (sessionListen for the server's stateless cookie check,
 * then sessionHandshake), reads and writes records (records.c), takes the datagrams OpenSSL
 * wrote, asks how long until the retransmission timer expires (sessionTimeout) and calls
 * sessionHandleTimeout when its own clock says so. All policy (statuses, deadlines, which
 * peer to trust) lives in TypeScript. Contexts and cookies: context.c.
 */
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "session.h"

/* Retransmission back-off: TypeScript picks the first interval, then doubling up to 60 s. */
static unsigned int timer_cb(SSL *ssl, unsigned int previous_us) {
  gd_session *s = SSL_get_app_data(ssl);
  unsigned int first = s && s->timer_initial_us ? s->timer_initial_us : 1000000u;
  if (previous_us == 0) return first;
  return previous_us >= MAX_TIMER_US / 2 ? MAX_TIMER_US : previous_us * 2;
}

/* ---- sessions ------------------------------------------------------------------------ */

static void session_release(gd_session *s) {
  if (s->ssl) {
    SSL_free(s->ssl); /* frees the BIO and its queues */
    s->ssl = NULL;
    s->io = NULL;
  }
  OPENSSL_cleanse(s->secret, sizeof(s->secret));
}

static void session_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  gd_session *s = data;
  session_release(s);
  free(s);
}

gd_session *gd_get_session(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, "GDWIRE_DTLS_ARGS", "not a DTLS session");
    return NULL;
  }
  gd_session *s = p;
  if (s->ssl == NULL) {
    napi_throw_error(env, "GDWIRE_DTLS_FREED", "DTLS session already freed");
    return NULL;
  }
  return s;
}

/* Records why the last operation failed: OpenSSL's error queue and the X.509 verdict. */
void gd_session_note_error(gd_session *s, const char *fallback) {
  gd_ssl_error_text(s->error, sizeof(s->error));
  if (s->error[0] == '\0') snprintf(s->error, sizeof(s->error), "%s", fallback);
  s->verify_result = SSL_get_verify_result(s->ssl);
}

/* sessionNew(ctx, hostname|null, sni|null, mtu, timerInitialMs, peerId|null) */
static napi_value session_new(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  void *p = NULL;
  int32_t mtu = 1400;
  double timer_ms = 1000;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) return gd_throw(env, "GDWIRE_DTLS_ARGS", "sessionNew: 6 arguments expected");
  NAPI_CALL(env, napi_get_value_external(env, argv[0], &p));
  NAPI_CALL(env, napi_get_value_int32(env, argv[3], &mtu));
  NAPI_CALL(env, napi_get_value_double(env, argv[4], &timer_ms));
  gd_ctx *c = p;
  if (mtu < 256 || mtu > 65507) return gd_throw(env, "GDWIRE_DTLS_ARGS", "mtu out of range");

  ERR_clear_error();
  gd_session *s = calloc(1, sizeof(gd_session));
  if (s == NULL) return gd_throw(env, "GDWIRE_DTLS_NOMEM", "out of memory");
  s->server = c->server;
  s->timer_initial_us = timer_ms < 1 ? 1000u : timer_ms > 60000 ? MAX_TIMER_US : (unsigned int)(timer_ms * 1000);
  memcpy(s->secret, c->secret, SECRET_LEN);
  s->has_secret = c->has_secret;
  const unsigned char *pid = NULL;
  size_t pid_len = 0;
  if (gd_get_bytes(env, argv[5], &pid, &pid_len)) {
    s->peer_id_len = pid_len < PEER_ID_MAX ? pid_len : PEER_ID_MAX;
    memcpy(s->peer_id, pid, s->peer_id_len);
  }

  s->ssl = SSL_new(c->ctx);
  BIO *bio = s->ssl ? gd_bio_new(mtu) : NULL;
  if (bio == NULL) {
    napi_value r = gd_throw_ssl(env, "GDWIRE_DTLS_SESSION", "SSL_new failed");
    session_finalize(env, s, NULL);
    return r;
  }
  s->io = gd_bio_get_state(bio);
  SSL_set_bio(s->ssl, bio, bio);
  SSL_set_app_data(s->ssl, s);
  SSL_set_mtu(s->ssl, mtu);
  DTLS_set_timer_cb(s->ssl, timer_cb);

  char *host = gd_get_string(env, argv[1], NULL);
  char *sni = gd_get_string(env, argv[2], NULL);
  int ok = 1;
  if (c->server) {
    SSL_set_accept_state(s->ssl);
  } else {
    SSL_set_connect_state(s->ssl);
    if (sni && sni[0]) ok = ok && SSL_set_tlsext_host_name(s->ssl, sni);
    if (host) {
      /* The name is matched as text against DNS subjectAltNames, and against the subject CN
       * when there are none (Godot's certificates have no SAN) — what mbedTLS does. Unlike
       * SSL_set1_host, X509_VERIFY_PARAM_set1_host also does this for an IP literal, so a
       * certificate with CN=127.0.0.1 verifies for "127.0.0.1" as it does in Godot. */
      X509_VERIFY_PARAM *vp = SSL_get0_param(s->ssl);
      X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = ok && X509_VERIFY_PARAM_set1_host(vp, host, 0);
    }
  }
  free(host);
  free(sni);
  if (!ok) {
    napi_value r = gd_throw_ssl(env, "GDWIRE_DTLS_SESSION", "cannot set the host name");
    session_finalize(env, s, NULL);
    return r;
  }
  napi_value ext;
  if (napi_create_external(env, s, session_finalize, NULL, &ext) != napi_ok) {
    session_finalize(env, s, NULL);
    gd_throw_last(env);
    return NULL;
  }
  return ext;
}

/* sessionListen(s, epoch): 1 = a ClientHello with a valid cookie is ready for the handshake;
 * 0 = nothing yet (a HelloVerifyRequest may have been written, junk was dropped); -1 = error. */
static napi_value session_listen(napi_env env, napi_callback_info info) {
  SESSION_ARGS(2);
  int32_t epoch = 0;
  NAPI_CALL(env, napi_get_value_int32(env, argv[1], &epoch));
  if (!s->server) return gd_throw(env, "GDWIRE_DTLS_ARGS", "listen on a client session");
  s->epoch = (unsigned char)epoch;
  ERR_clear_error();
  BIO_ADDR *addr = BIO_ADDR_new();
  int r = DTLSv1_listen(s->ssl, addr);
  BIO_ADDR_free(addr);
  if (r < 0) gd_session_note_error(s, "DTLSv1_listen failed");
  ERR_clear_error();
  return gd_int(env, r > 0 ? 1 : r == 0 ? 0 : -1);
}

/* sessionHandshake(s): 1 = established, 0 = in progress, -1 = failed (see sessionError). */
static napi_value session_handshake(napi_env env, napi_callback_info info) {
  SESSION_ARGS(1);
  ERR_clear_error();
  int r = SSL_do_handshake(s->ssl);
  int out = 1;
  if (r <= 0) {
    int e = SSL_get_error(s->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      out = 0;
    } else {
      gd_session_note_error(s, "handshake failed");
      out = -1;
    }
  }
  ERR_clear_error();
  return gd_int(env, out);
}

/* sessionTimeout(s): ms until the retransmission timer expires (0 = expired), -1 = none. */
static napi_value session_timeout(napi_env env, napi_callback_info info) {
  SESSION_ARGS(1);
  struct timeval tv;
  if (DTLSv1_get_timeout(s->ssl, &tv) != 1) return gd_double(env, -1);
  return gd_double(env, (double)tv.tv_sec * 1000.0 + (double)tv.tv_usec / 1000.0);
}

/* sessionHandleTimeout(s): 1 = retransmitted, 0 = timer not expired, -1 = gave up. */
static napi_value session_handle_timeout(napi_env env, napi_callback_info info) {
  SESSION_ARGS(1);
  ERR_clear_error();
  int r = (int)DTLSv1_handle_timeout(s->ssl);
  if (r < 0) gd_session_note_error(s, "retransmission limit reached");
  ERR_clear_error();
  return gd_int(env, r > 0 ? 1 : r == 0 ? 0 : -1);
}

/* sessionShutdown(s): writes close_notify (once). */
static napi_value session_shutdown(napi_env env, napi_callback_info info) {
  SESSION_ARGS(1);
  ERR_clear_error();
  int r = SSL_shutdown(s->ssl);
  ERR_clear_error();
  return gd_int(env, r < 0 ? -1 : r);
}

static napi_value session_error(napi_env env, napi_callback_info info) {
  SESSION_ARGS(1);
  napi_value o;
  NAPI_CALL(env, napi_create_object(env, &o));
  NAPI_CALL(env, napi_set_named_property(env, o, "reason", gd_str(env, s->error)));
  NAPI_CALL(env, napi_set_named_property(env, o, "verify", gd_int(env, (int)s->verify_result)));
  NAPI_CALL(env, napi_set_named_property(env, o, "verifyText",
                                         gd_str(env, X509_verify_cert_error_string(s->verify_result))));
  return o;
}

/* sessionInfo(s): { version, cipher, peerCertificate (DER) | null } */
static napi_value session_info(napi_env env, napi_callback_info info) {
  SESSION_ARGS(1);
  napi_value o, cert;
  NAPI_CALL(env, napi_create_object(env, &o));
  NAPI_CALL(env, napi_set_named_property(env, o, "version", gd_str(env, SSL_get_version(s->ssl))));
  NAPI_CALL(env, napi_set_named_property(env, o, "cipher", gd_str(env, SSL_get_cipher_name(s->ssl))));
  X509 *peer = SSL_get0_peer_certificate(s->ssl);
  unsigned char *der = NULL;
  int len = peer ? i2d_X509(peer, &der) : -1;
  if (len > 0) {
    cert = gd_bytes(env, der, (size_t)len);
    OPENSSL_free(der);
  } else {
    NAPI_CALL(env, napi_get_null(env, &cert));
  }
  NAPI_CALL(env, napi_set_named_property(env, o, "peerCertificate", cert));
  return o;
}

/* sessionFree(s): releases OpenSSL's state now instead of at garbage collection. */
static napi_value session_free(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *p = NULL;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc >= 1 && napi_get_value_external(env, argv[0], &p) == napi_ok && p) session_release(p);
  return NULL;
}

static napi_value openssl_version(napi_env env, napi_callback_info info) {
  (void)info;
  return gd_str(env, OpenSSL_version(OPENSSL_VERSION));
}

static int gd_register_dtls_sessions(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sessionNew", NULL, session_new, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionListen", NULL, session_listen, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionHandshake", NULL, session_handshake, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionTimeout", NULL, session_timeout, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionHandleTimeout", NULL, session_handle_timeout, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionShutdown", NULL, session_shutdown, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionError", NULL, session_error, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionInfo", NULL, session_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sessionFree", NULL, session_free, NULL, NULL, NULL, napi_enumerable, NULL},
      {"opensslVersion", NULL, openssl_version, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) == napi_ok;
}

int gd_register_dtls(napi_env env, napi_value exports) {
  return gd_register_dtls_sessions(env, exports) && gd_register_context(env, exports) &&
         gd_register_records(env, exports) && gd_register_record_io(env, exports);
}
