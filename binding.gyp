{
  "targets": [
    {
      "target_name": "gdwire_dtls",
      "sources": [
        "native/addon.c",
        "native/dgram_bio.c",
        "native/context.c",
        "native/dtls.c",
        "native/napi_util.c",
        "native/pkey.c",
        "native/record_io.c",
        "native/records.c",
        "native/udp.c"
      ],
      "defines": ["OPENSSL_API_COMPAT=30000"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=gnu11"],
        "OTHER_LDFLAGS": ["-undefined", "dynamic_lookup"]
      }
    }
  ]
}
