/* The floor for a load engine on curl_multi_socket_action: a bare C closed loop, one epoll set,
 * N keep-alive easy handles each re-added as soon as it finishes, set up exactly as `accord
 * load` sets up its handles (URL parsed once with CURLOPT_CURLU, no proxy lookup, TCP_NODELAY,
 * the DNS cache kept for the whole run, libcurl's default Accept header left out, no libcurl
 * timeout, bodies discarded), in multi handles of 8 connections as the engine shards them
 * (libcurl walks a multi handle's whole connection cache on every request), and with the same
 * epoll bookkeeping (an idle keep-alive socket stays in the set between transfers; it leaves
 * when it fires unwatched or libcurl closes it). `accord load` does this work plus pacing, HDR
 * recording and error classification; the benchmark compares the two. SHARD=N sets the
 * connections per multi handle (SHARD=100000: one multi handle for all).
 *
 *   cc -O2 -o curl-multi-socket-loop curl-multi-socket-loop.c -lcurl
 *   ./curl-multi-socket-loop URL CONNECTIONS SECONDS      -> prints "requests RPS failed cpu-seconds"
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define MAX_FD 65536
static int epfd;
static unsigned registered[MAX_FD]; /* events in the epoll set, 0 = not in it */
static unsigned wanted[MAX_FD];     /* events libcurl wants now, 0 = none */

struct shard {
    CURLM *multi;
    double timer_deadline; /* when libcurl wants CURL_SOCKET_TIMEOUT, -1 = never */
};
static struct shard *owner[MAX_FD]; /* the shard whose multi handle a socket belongs to */
static long completed, failed;

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

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
    (void)easy; (void)socketp;
    if (fd < 0 || fd >= MAX_FD) return -1;
    unsigned mask = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) mask |= EPOLLIN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) mask |= EPOLLOUT;
    wanted[fd] = mask;
    owner[fd] = userp;
    if (mask == 0 || registered[fd] == mask) return 0;
    struct epoll_event event = {0};
    event.events = mask;
    event.data.fd = fd;
    if (registered[fd]) {
        if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &event) != 0) epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
    } else if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) != 0) {
        epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &event);
    }
    registered[fd] = mask;
    return 0;
}

static int on_timer(CURLM *multi, long milliseconds, void *userp) {
    (void)multi;
    ((struct shard *)userp)->timer_deadline = milliseconds < 0 ? -1 : now() + milliseconds / 1e3;
    return 0;
}

static int on_close(void *context, curl_socket_t fd) {
    (void)context;
    if (fd >= 0 && fd < MAX_FD) registered[fd] = wanted[fd] = 0;
    return close(fd);
}

/* Counts the shard's finished transfers and starts each handle's next one at once. */
static void reap(struct shard *shard) {
    CURLMsg *message;
    int queued;
    while ((message = curl_multi_info_read(shard->multi, &queued))) {
        if (message->msg != CURLMSG_DONE) continue;
        CURL *easy = message->easy_handle;
        if (message->data.result == CURLE_OK) completed++; else failed++;
        curl_multi_remove_handle(shard->multi, easy);
        curl_multi_add_handle(shard->multi, easy);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s URL CONNECTIONS SECONDS\n", argv[0]); return 2; }
    int connections = atoi(argv[2]);
    double seconds = atof(argv[3]);
    int per_shard = getenv("SHARD") ? atoi(getenv("SHARD")) : 8;
    if (connections < 1 || seconds <= 0 || per_shard < 1) { fprintf(stderr, "bad arguments\n"); return 2; }
    int shards = (connections + per_shard - 1) / per_shard;
    curl_global_init(CURL_GLOBAL_ALL);
    epfd = epoll_create1(EPOLL_CLOEXEC);
    CURLU *url = curl_url();
    struct shard *shard = calloc((size_t)shards, sizeof(struct shard));
    CURL **handles = calloc((size_t)connections, sizeof(CURL *));
    if (epfd < 0 || !url || !shard || !handles || curl_url_set(url, CURLUPART_URL, argv[1], 0) != CURLUE_OK) { fprintf(stderr, "setup failed\n"); return 1; }
    for (int s = 0; s < shards; s++) {
        shard[s].multi = curl_multi_init();
        shard[s].timer_deadline = -1;
        if (!shard[s].multi) { fprintf(stderr, "setup failed\n"); return 1; }
        curl_multi_setopt(shard[s].multi, CURLMOPT_SOCKETFUNCTION, on_socket);
        curl_multi_setopt(shard[s].multi, CURLMOPT_SOCKETDATA, &shard[s]);
        curl_multi_setopt(shard[s].multi, CURLMOPT_TIMERFUNCTION, on_timer);
        curl_multi_setopt(shard[s].multi, CURLMOPT_TIMERDATA, &shard[s]);
    }
    struct curl_slist *headers = curl_slist_append(NULL, "Accept:");
    for (int i = 0; i < connections; i++) {
        handles[i] = curl_easy_init();
        curl_easy_setopt(handles[i], CURLOPT_CURLU, url);
        curl_easy_setopt(handles[i], CURLOPT_NOPROXY, "*");
        curl_easy_setopt(handles[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(handles[i], CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(handles[i], CURLOPT_DNS_CACHE_TIMEOUT, -1L);
        curl_easy_setopt(handles[i], CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(handles[i], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(handles[i], CURLOPT_CLOSESOCKETFUNCTION, on_close);
        curl_multi_add_handle(shard[i / per_shard].multi, handles[i]);
    }
    double start = now(), end = start + seconds, cpu_start = cpu();
    int running = 1;
    struct epoll_event events[256];
    while (now() < end) {
        double earliest = -1;
        for (int s = 0; s < shards; s++)
            if (shard[s].timer_deadline >= 0 && (earliest < 0 || shard[s].timer_deadline < earliest)) earliest = shard[s].timer_deadline;
        int timeout = 100;
        if (earliest >= 0) {
            double left = earliest - now();
            timeout = left <= 0 ? 0 : (left < 0.1 ? (int)(left * 1e3) + 1 : 100);
        }
        int ready = epoll_wait(epfd, events, 256, timeout);
        for (int i = 0; i < ready; i++) {
            int fd = events[i].data.fd;
            if (!wanted[fd]) { /* idle keep-alive socket, closed by the peer most likely */
                epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
                registered[fd] = 0;
                continue;
            }
            int mask = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) | (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0)
                | (events[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            struct shard *own = owner[fd];
            curl_multi_socket_action(own->multi, fd, mask, &running);
            reap(own);
        }
        double t = now();
        for (int s = 0; s < shards; s++) {
            if (shard[s].timer_deadline < 0 || shard[s].timer_deadline > t) continue;
            shard[s].timer_deadline = -1;
            curl_multi_socket_action(shard[s].multi, CURL_SOCKET_TIMEOUT, 0, &running);
            reap(&shard[s]);
        }
    }
    double elapsed = now() - start;
    printf("%ld %.1f %ld %.3f\n", completed, completed / elapsed, failed, cpu() - cpu_start);
    for (int i = 0; i < connections; i++) { curl_multi_remove_handle(shard[i / per_shard].multi, handles[i]); curl_easy_cleanup(handles[i]); }
    for (int s = 0; s < shards; s++) curl_multi_cleanup(shard[s].multi);
    free(handles);
    free(shard);
    curl_slist_free_all(headers);
    curl_url_cleanup(url);
    curl_global_cleanup();
    close(epfd);
    return 0;
}
