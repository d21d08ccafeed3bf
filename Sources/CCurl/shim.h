// libcurl for Swift. curl_easy_setopt and curl_easy_getinfo are variadic C functions, which
// Swift cannot call; each typed wrapper below fixes the argument type of one family of options
// so that every call site is checked by the compiler.
#ifndef ACCORD_CCURL_SHIM_H
#define ACCORD_CCURL_SHIM_H
#include <curl/curl.h>
// The load engine drives curl_multi_socket_action from an epoll loop; Swift's Glibc module does
// not export <sys/epoll.h>, so libcurl's partner header comes in here.
#include <sys/epoll.h>
#include <sys/prctl.h>

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
/// curl_multi_setopt for CURLMOPT_SOCKETFUNCTION: libcurl says which sockets to watch, for
/// an event loop of our own driving curl_multi_socket_action.
static inline CURLMcode accord_curl_multi_setopt_socket_function(CURLM *handle, curl_socket_callback callback) {
    return curl_multi_setopt(handle, CURLMOPT_SOCKETFUNCTION, callback);
}
/// curl_multi_setopt for CURLMOPT_TIMERFUNCTION: libcurl says when it next needs a timeout call.
static inline CURLMcode accord_curl_multi_setopt_timer_function(CURLM *handle, curl_multi_timer_callback callback) {
    return curl_multi_setopt(handle, CURLMOPT_TIMERFUNCTION, callback);
}
/// curl_multi_setopt for options that take an opaque pointer (CURLMOPT_SOCKETDATA, CURLMOPT_TIMERDATA).
static inline CURLMcode accord_curl_multi_setopt_pointer(CURLM *handle, CURLMoption option, void *value) {
    return curl_multi_setopt(handle, option, value);
}
/// curl_easy_setopt for CURLOPT_CURLU: a URL parsed once, so libcurl does not parse the string
/// again for every transfer.
static inline CURLcode accord_curl_easy_setopt_url(CURL *handle, CURLU *url) {
    return curl_easy_setopt(handle, CURLOPT_CURLU, url);
}
/// Infos answered as a pointer (CURLINFO_PRIVATE).
static inline CURLcode accord_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}
/// curl_easy_setopt for CURLOPT_CLOSESOCKETFUNCTION: an event loop that keeps sockets in its
/// epoll set between transfers must learn when libcurl closes one.
static inline CURLcode accord_curl_easy_setopt_close_socket_function(CURL *handle, curl_closesocket_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_CLOSESOCKETFUNCTION, callback);
}
/// prctl is variadic: PR_SET_TIMERSLACK alone. The engine's thread sleeps until the next
/// intended send time; Linux's default 50 µs timer slack would add up to 50 µs of its own
/// lateness to every corrected latency of an open-model load.
static inline int accord_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
}
#endif
