// hiredis 0.14 for Swift. We only ever use the argv API (redisCommandArgv,
// redisAppendCommandArgv), never the printf-style redisCommand, so user data is never parsed
// as a format string. The header lives in /usr/include/hiredis; pkg-config is not used
// because its flags carry -D_FILE_OFFSET_BITS, which clang's module import rejects.
#ifndef ACCORD_CHIREDIS_SHIM_H
#define ACCORD_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <sys/time.h>

/// The reply's array element at `index`: Swift does not index C pointer-to-pointer fields
/// of imported structs conveniently.
static inline redisReply *accord_redis_reply_element(const redisReply *reply, size_t index) {
    return reply->element[index];
}
#endif
