// Linked into every executable of a sanitizer build (SPOTSIM_SANITIZE); nothing in other builds.
//
// intercept_tls_get_addr=0: up to GCC 13 the sanitizer runtime's __tls_get_addr interceptor takes
// a dynamic TLS block whose start lies at offset sizeof(Glibc_2_19_tls_header) in its page for a
// pre-2.25 glibc block and reads the two words before it as a header. On Debian 12 (glibc 2.36)
// no such header exists, so when a malloc'd block lands on that offset by chance, LeakSanitizer's
// stop-the-world tracer reads garbage and dies at exit ("Tracer caught signal 11 ... LeakSanitizer
// has encountered a fatal error") after the program has done its work. spotviz hit it through the
// dlopen'ed Mesa driver, in CI. The blocks are still found for leak checking through the thread's
// DTV, which is itself a heap block reachable from the thread's static TLS.
//
// Environment options (ASAN_OPTIONS=...) are parsed after these and win for the keys they set.
extern "C" const char* __asan_default_options() { return "intercept_tls_get_addr=0"; }
