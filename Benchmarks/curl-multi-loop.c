/* The engine's first design, for comparison: a bare C closed loop on one multi handle driven by
 * curl_multi_perform + curl_multi_poll, N keep-alive easy handles (DNS cache kept for the run)
 * each re-added as soon as it finishes. `accord load` does this work plus pacing, HDR recording
 * and error classification; the benchmark compares the two.
 *
 *   cc -O2 -o curl-multi-loop curl-multi-loop.c -lcurl
 *   ./curl-multi-loop URL CONNECTIONS SECONDS      -> prints "requests RPS failed cpu-seconds"
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t count, void *context) {
    (void)data; (void)context;
    return size * count;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s URL CONNECTIONS SECONDS\n", argv[0]); return 2; }
    int connections = atoi(argv[2]);
    double seconds = atof(argv[3]);
    if (connections < 1 || seconds <= 0) { fprintf(stderr, "bad arguments\n"); return 2; }
    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *multi = curl_multi_init();
    CURL **handles = calloc((size_t)connections, sizeof(CURL *));
    if (!handles) return 1;
    for (int i = 0; i < connections; i++) {
        handles[i] = curl_easy_init();
        curl_easy_setopt(handles[i], CURLOPT_URL, argv[1]);
        curl_easy_setopt(handles[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(handles[i], CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(handles[i], CURLOPT_DNS_CACHE_TIMEOUT, -1L);
        curl_easy_setopt(handles[i], CURLOPT_WRITEFUNCTION, discard);
        curl_multi_add_handle(multi, handles[i]);
    }
    long completed = 0, failed = 0;
    double start = now(), end = start + seconds, cpu_start = cpu();
    int running = 1;
    while (now() < end) {
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int queued;
        while ((message = curl_multi_info_read(multi, &queued))) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *easy = message->easy_handle;
            if (message->data.result == CURLE_OK) completed++; else failed++;
            curl_multi_remove_handle(multi, easy);
            curl_multi_add_handle(multi, easy);
        }
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    double elapsed = now() - start;
    printf("%ld %.1f %ld %.3f\n", completed, completed / elapsed, failed, cpu() - cpu_start);
    for (int i = 0; i < connections; i++) { curl_multi_remove_handle(multi, handles[i]); curl_easy_cleanup(handles[i]); }
    free(handles);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return 0;
}
