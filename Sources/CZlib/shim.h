// zlib (Debian's zlib1g-dev): deflate and inflate for HdrHistogram's compressed encoding.
// compress2/uncompress are plain functions; nothing here needs a typed wrapper.
#include <zlib.h>
