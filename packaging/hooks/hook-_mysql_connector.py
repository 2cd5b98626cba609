# mysql-connector's C extension finds libssl.so.3 and libcrypto.so.3 through its RUNPATH in
# mysql/vendor/. PyInstaller would then make _internal/libssl.so.3, which Python's own _ssl
# loads, a link to that vendored OpenSSL. Keep the top-level copies the ones Python links; the
# spec leaves mysql/vendor/'s libraries out (see studentres.spec).
bindepend_symlink_suppression = ["*/mysql/vendor/*"]
