/* gdwire's native addon: DTLS 1.2 and a few public-key helpers over the OpenSSL inside node,
 * and batched UDP sockets (udp.c) for the ENet hosts. */
#include "dtls.h"

static napi_value init(napi_env env, napi_value exports) {
  if (!gd_register_dtls(env, exports) || !gd_register_pkey(env, exports) || !gd_register_udp(env, exports)) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
