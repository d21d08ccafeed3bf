// libcurl for Swift. curl_easy_setopt and curl_easy_getinfo are variadic C functions, which
// Swift cannot call; each typed wrapper below fixes the argument type of one family of options
// so that every call site is checked by the compiler.
#ifndef ACCORD_CCURL_SHIM_H
#define ACCORD_CCURL_SHIM_H
#include <curl/curl.h>

/// Options that take a `long` (CURLOPT_TIMEOUT_MS, CURLOPT_NOSIGNAL, ...).
static inline CURLcode accord_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
/// Options that take a NUL-terminated string, copied by libcurl (CURLOPT_URL, ...).
static inline CURLcode accord_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
/// Options that take an opaque pointer (CURLOPT_WRITEDATA, CURLOPT_HTTPHEADER, ...).
static inline CURLcode accord_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
/// Options that take a curl_off_t (CURLOPT_POSTFIELDSIZE_LARGE).
static inline CURLcode accord_curl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
/// The body and header callback signature (CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION).
typedef size_t (*accord_curl_write_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode accord_curl_easy_setopt_write_function(CURL *handle, CURLoption option, accord_curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}
/// Infos answered as a `long` (CURLINFO_RESPONSE_CODE, ...).
static inline CURLcode accord_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
/// Infos answered as a curl_off_t (CURLINFO_TOTAL_TIME_T and the other timing phases, in µs).
static inline CURLcode accord_curl_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
/// curl_multi_setopt is variadic too: options that take a `long`.
static inline CURLMcode accord_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}
#endif
