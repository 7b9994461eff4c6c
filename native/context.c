/*
 * DTLS contexts (SSL_CTX): DTLS 1.2 only, the server's certificate chain and key or the
 * client's trust store, and the stateless cookies of RFC 6347 §4.2.1 — [epoch byte]
 * [HMAC-SHA256(secret, epoch || peer id)], where the peer id is the client's 16-byte IPv6-form
 * address + 2-byte port and the epoch a coarse clock tick, both passed in from TypeScript.
 * A cookie of the current or previous epoch verifies.
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* ---- cookies ------------------------------------------------------------------------- */

static int cookie_mac(const gd_session *s, unsigned char epoch, unsigned char *out) {
  unsigned char msg[1 + PEER_ID_MAX];
  msg[0] = epoch;
  memcpy(msg + 1, s->peer_id, s->peer_id_len);
  size_t len = 0;
  return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, s->secret, SECRET_LEN, msg, 1 + s->peer_id_len,
                   out, 32, &len) != NULL &&
         len == 32;
}

static int cookie_generate(SSL *ssl, unsigned char *cookie, unsigned int *cookie_len) {
  gd_session *s = SSL_get_app_data(ssl);
  if (s == NULL || !s->has_secret) return 0;
  cookie[0] = s->epoch;
  if (!cookie_mac(s, s->epoch, cookie + 1)) return 0;
  *cookie_len = COOKIE_LEN;
  return 1;
}

static int cookie_verify(SSL *ssl, const unsigned char *cookie, unsigned int cookie_len) {
  gd_session *s = SSL_get_app_data(ssl);
  unsigned char mac[32];
  if (s == NULL || !s->has_secret || cookie_len != COOKIE_LEN) return 0;
  unsigned char e = cookie[0];
  if (e != s->epoch && e != (unsigned char)(s->epoch - 1)) return 0;
  if (!cookie_mac(s, e, mac)) return 0;
  return CRYPTO_memcmp(mac, cookie + 1, 32) == 0;
}

/* ---- contexts ------------------------------------------------------------------------ */

static void ctx_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  gd_ctx *c = data;
  if (c->ctx) SSL_CTX_free(c->ctx);
  OPENSSL_cleanse(c->secret, sizeof(c->secret));
  free(c);
}

/* Loads every certificate of a PEM text: the first is the leaf, the rest its chain. */
static int load_cert_chain(SSL_CTX *ctx, const char *pem, size_t len) {
  BIO *b = BIO_new_mem_buf(pem, (int)len);
  int count = 0;
  X509 *x;
  if (b == NULL) return 0;
  while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
    int ok = count == 0 ? SSL_CTX_use_certificate(ctx, x) : SSL_CTX_add0_chain_cert(ctx, x);
    if (count == 0) X509_free(x);
    else if (!ok) X509_free(x);
    if (!ok) {
      BIO_free(b);
      return 0;
    }
    count++;
  }
  ERR_clear_error(); /* the loop ends on a "no start line" error */
  BIO_free(b);
  return count > 0;
}

static int load_key(SSL_CTX *ctx, const char *pem, size_t len) {
  BIO *b = BIO_new_mem_buf(pem, (int)len);
  if (b == NULL) return 0;
  EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
  BIO_free(b);
  if (k == NULL) return 0;
  int ok = SSL_CTX_use_PrivateKey(ctx, k);
  EVP_PKEY_free(k);
  return ok && SSL_CTX_check_private_key(ctx);
}

static int load_trust(SSL_CTX *ctx, const char *pem, size_t len) {
  X509_STORE *store = SSL_CTX_get_cert_store(ctx);
  BIO *b = BIO_new_mem_buf(pem, (int)len);
  int count = 0;
  X509 *x;
  if (b == NULL || store == NULL) return 0;
  while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
    X509_STORE_add_cert(store, x);
    X509_free(x);
    count++;
  }
  ERR_clear_error();
  BIO_free(b);
  return count > 0;
}

/* createContext(server, certPem, keyPem, trustPem, verify, cookieSecret[, cipherList]) */
static napi_value create_context(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7] = {NULL};
  bool server = false, verify = false;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) return gd_throw(env, "GDWIRE_DTLS_ARGS", "createContext: 6 arguments expected");
  NAPI_CALL(env, napi_get_value_bool(env, argv[0], &server));
  NAPI_CALL(env, napi_get_value_bool(env, argv[4], &verify));

  ERR_clear_error();
  gd_ctx *c = calloc(1, sizeof(gd_ctx));
  if (c == NULL) return gd_throw(env, "GDWIRE_DTLS_NOMEM", "out of memory");
  c->server = server;
  c->ctx = SSL_CTX_new(server ? DTLS_server_method() : DTLS_client_method());
  const char *fail_code = NULL, *fail_what = NULL;
  size_t cert_len = 0, key_len = 0, trust_len = 0;
  char *cert = gd_get_string(env, argv[1], &cert_len);
  char *key = gd_get_string(env, argv[2], &key_len);
  char *trust = gd_get_string(env, argv[3], &trust_len);
  const unsigned char *secret = NULL;
  size_t secret_len = 0;

  if (c->ctx == NULL) {
    fail_code = "GDWIRE_DTLS_CTX", fail_what = "SSL_CTX_new failed";
  } else if (!SSL_CTX_set_min_proto_version(c->ctx, DTLS1_2_VERSION) ||
             !SSL_CTX_set_max_proto_version(c->ctx, DTLS1_2_VERSION)) {
    fail_code = "GDWIRE_DTLS_CTX", fail_what = "cannot restrict to DTLS 1.2";
  } else if (server && (cert == NULL || !load_cert_chain(c->ctx, cert, cert_len))) {
    fail_code = "GDWIRE_DTLS_CERT", fail_what = "cannot load the certificate chain";
  } else if (server && (key == NULL || !load_key(c->ctx, key, key_len))) {
    fail_code = "GDWIRE_DTLS_KEY", fail_what = "cannot load the private key (or it does not match the certificate)";
  } else if (trust != NULL && !load_trust(c->ctx, trust, trust_len)) {
    fail_code = "GDWIRE_DTLS_TRUST", fail_what = "cannot load the trusted certificates";
  }
  free(cert);
  if (key) OPENSSL_cleanse(key, key_len);
  free(key);
  free(trust);
  if (fail_code) {
    napi_value r = gd_throw_ssl(env, fail_code, fail_what);
    if (c->ctx) SSL_CTX_free(c->ctx);
    free(c);
    return r;
  }

  /* No encrypt-then-MAC: OpenSSL 3.0's DTLS treats a bad EtM MAC as fatal (a spoofed datagram
   * could end the session); without it a bad CBC record is dropped silently. The server
   * prefers its own order (AEAD suites first), so CBC is a last resort anyway. */
  SSL_CTX_set_options(c->ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_NO_ENCRYPT_THEN_MAC | (server ? SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
  char *ciphers = argc >= 7 ? gd_get_string(env, argv[6], NULL) : NULL;
  int ciphers_ok = ciphers == NULL || SSL_CTX_set_cipher_list(c->ctx, ciphers);
  free(ciphers);
  if (!ciphers_ok) {
    napi_value r = gd_throw_ssl(env, "GDWIRE_DTLS_CTX", "bad cipher list");
    SSL_CTX_free(c->ctx);
    free(c);
    return r;
  }
  SSL_CTX_set_verify(c->ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
  /* No session cache (Godot's mbedTLS server keeps none either): no state outlives a peer. */
  SSL_CTX_set_session_cache_mode(c->ctx, SSL_SESS_CACHE_OFF);
  if (server) {
    SSL_CTX_set_cookie_generate_cb(c->ctx, cookie_generate);
    SSL_CTX_set_cookie_verify_cb(c->ctx, cookie_verify);
    if (gd_get_bytes(env, argv[5], &secret, &secret_len) && secret_len > 0) {
      size_t n = secret_len < SECRET_LEN ? secret_len : SECRET_LEN;
      memcpy(c->secret, secret, n);
      c->has_secret = 1;
    }
  }
  napi_value ext;
  if (napi_create_external(env, c, ctx_finalize, NULL, &ext) != napi_ok) {
    ctx_finalize(env, c, NULL);
    gd_throw_last(env);
    return NULL;
  }
  return ext;
}

int gd_register_context(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"createContext", NULL, create_context, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) == napi_ok;
}
