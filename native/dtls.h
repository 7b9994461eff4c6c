#ifndef GDWIRE_DTLS_H
#define GDWIRE_DTLS_H
#include "napi_util.h"
/* Adds the DTLS context/session functions to `exports`; 0 on failure. */
int gd_register_dtls(napi_env env, napi_value exports);
/* Adds the public-key helpers Node's crypto module lacks (prehashed sign/verify, PKCS#1 v1.5 decrypt). */
int gd_register_pkey(napi_env env, napi_value exports);
/* Batched UDP sockets (udp.c); registers nothing off Linux. */
int gd_register_udp(napi_env env, napi_value exports);
#endif
