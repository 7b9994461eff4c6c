/*
 * The public-key operations Godot's Crypto class needs that node:crypto does not offer:
 * signing and verifying a digest the caller already computed (Godot's Crypto.sign/verify take
 * a hash, not a message; Node only signs messages), and RSA PKCS#1 v1.5 decryption (Godot's
 * Crypto.decrypt; Node 20 refuses that padding in privateDecrypt).
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "dtls.h"

static EVP_PKEY *load_pkey(napi_env env, napi_value v, int want_private) {
  size_t len = 0;
  char *pem = gd_get_string(env, v, &len);
  if (pem == NULL) return NULL;
  BIO *b = BIO_new_mem_buf(pem, (int)len);
  EVP_PKEY *k = NULL;
  if (b != NULL) {
    k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    if (k == NULL && !want_private) {
      ERR_clear_error();
      (void)BIO_reset(b);
      k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    }
    BIO_free(b);
  }
  OPENSSL_cleanse(pem, len);
  free(pem);
  return k;
}

static const EVP_MD *md_by_name(napi_env env, napi_value v) {
  char *name = gd_get_string(env, v, NULL);
  const EVP_MD *md = name ? EVP_get_digestbyname(name) : NULL;
  free(name);
  return md;
}

/* pkeySign(privatePem, digestName, digest) -> signature (PKCS#1 v1.5 for RSA, DER ECDSA for EC) */
static napi_value pkey_sign(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  const unsigned char *dg;
  size_t dg_len, sig_len = 0;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || !gd_get_bytes(env, argv[2], &dg, &dg_len)) return gd_throw(env, "GDWIRE_PKEY_ARGS", "bad arguments");
  ERR_clear_error();
  EVP_PKEY *k = load_pkey(env, argv[0], 1);
  const EVP_MD *md = md_by_name(env, argv[1]);
  EVP_PKEY_CTX *c = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
  unsigned char *sig = NULL;
  napi_value out = NULL;
  if (c && md && EVP_PKEY_sign_init(c) > 0 && EVP_PKEY_CTX_set_signature_md(c, md) > 0 &&
      (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA || EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0) &&
      EVP_PKEY_sign(c, NULL, &sig_len, dg, dg_len) > 0 && (sig = malloc(sig_len)) != NULL &&
      EVP_PKEY_sign(c, sig, &sig_len, dg, dg_len) > 0) {
    out = gd_bytes(env, sig, sig_len);
  } else {
    gd_throw_ssl(env, "GDWIRE_PKEY_SIGN", "sign failed");
  }
  free(sig);
  EVP_PKEY_CTX_free(c);
  EVP_PKEY_free(k);
  ERR_clear_error();
  return out;
}

/* pkeyVerify(pem, digestName, digest, signature) -> boolean */
static napi_value pkey_verify(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  const unsigned char *dg, *sig;
  size_t dg_len, sig_len;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || !gd_get_bytes(env, argv[2], &dg, &dg_len) || !gd_get_bytes(env, argv[3], &sig, &sig_len)) {
    return gd_throw(env, "GDWIRE_PKEY_ARGS", "bad arguments");
  }
  ERR_clear_error();
  EVP_PKEY *k = load_pkey(env, argv[0], 0);
  const EVP_MD *md = md_by_name(env, argv[1]);
  EVP_PKEY_CTX *c = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
  int ok = c && md && EVP_PKEY_verify_init(c) > 0 && EVP_PKEY_CTX_set_signature_md(c, md) > 0 &&
           (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA || EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0) &&
           EVP_PKEY_verify(c, sig, sig_len, dg, dg_len) == 1;
  EVP_PKEY_CTX_free(c);
  EVP_PKEY_free(k);
  ERR_clear_error();
  return gd_bool(env, ok);
}

/* pkeyDecrypt(privatePem, ciphertext) -> plaintext (RSA PKCS#1 v1.5, as mbedtls_pk_decrypt) */
static napi_value pkey_decrypt(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  const unsigned char *ct;
  size_t ct_len, pt_len = 0;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || !gd_get_bytes(env, argv[1], &ct, &ct_len)) return gd_throw(env, "GDWIRE_PKEY_ARGS", "bad arguments");
  ERR_clear_error();
  EVP_PKEY *k = load_pkey(env, argv[0], 1);
  EVP_PKEY_CTX *c = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
  unsigned char *pt = NULL;
  napi_value out = NULL;
  if (c && EVP_PKEY_decrypt_init(c) > 0 && EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
      EVP_PKEY_decrypt(c, NULL, &pt_len, ct, ct_len) > 0 && (pt = malloc(pt_len + 1)) != NULL &&
      EVP_PKEY_decrypt(c, pt, &pt_len, ct, ct_len) > 0) {
    out = gd_bytes(env, pt, pt_len);
    OPENSSL_cleanse(pt, pt_len);
  } else {
    gd_throw_ssl(env, "GDWIRE_PKEY_DECRYPT", "decrypt failed");
  }
  free(pt);
  EVP_PKEY_CTX_free(c);
  EVP_PKEY_free(k);
  ERR_clear_error();
  return out;
}

int gd_register_pkey(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"pkeySign", NULL, pkey_sign, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pkeyVerify", NULL, pkey_verify, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pkeyDecrypt", NULL, pkey_decrypt, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) == napi_ok;
}
