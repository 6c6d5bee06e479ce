/* Starting the write-back of a file's dirty pages early (Linux sync_file_range), so that the fsync that publishes
 * a large output waits for less: the disk writes while the rest of the file is still being copied. */
#define _GNU_SOURCE
#include "CShims.h"
#include <fcntl.h>

int rs_start_writeback(int fd, int64_t offset, int64_t length) {
#if defined(__linux__)
    return sync_file_range(fd, (off_t)offset, (off_t)length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}
