/* Starting the write-back of a file's dirty pages early (Linux sync_file_range), so that the fsync that publishes
 * a large output waits for less: the disk writes while the rest of the file is still being copied; and turning
 * direct I/O (O_DIRECT) on or off for a descriptor, for outputs written straight from an aligned buffer. */
#define _GNU_SOURCE
#include "CShims.h"
#include <errno.h>
#include <fcntl.h>

int rs_start_writeback(int fd, int64_t offset, int64_t length) {
#if defined(__linux__)
    return sync_file_range(fd, (off_t)offset, (off_t)length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}

int rs_set_direct_io(int fd, int on) {
#if defined(__linux__) && defined(O_DIRECT)
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, on ? (flags | O_DIRECT) : (flags & ~O_DIRECT));
#else
    (void)fd; (void)on;
    errno = ENOTSUP;
    return -1;
#endif
}
