/* fdhoard: opens /sync/hoard.txt again and again until an open fails, gives
 * one back (to create /sync/hoard.started with), keeps the others open until
 * /sync/hoard.go exists, then says how many it got and the error (errno
 * name). The server must stop it at its per-instance cap (EMFILE) or at the
 * share of descriptors left for all guests (ENFILE), and keep serving. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    int n = 0, err = 0, last = -1;
    for (;;) {
        int fd = open("/sync/hoard.txt", O_RDONLY);
        if (fd < 0) {
            err = errno;
            break;
        }
        last = fd;
        if (++n == 100000) break; /* bounded even without a cap */
    }
    if (last >= 0) close(last);
    int fd = open("/sync/hoard.started", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) close(fd);
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 60000 && access("/sync/hoard.go", F_OK) != 0; i++) nanosleep(&tick, NULL);
    printf("content-type: text/plain\n\nopened=%d\nerror=%s\n", n,
           err == EMFILE ? "EMFILE" : err == ENFILE ? "ENFILE" : err ? strerror(err) : "none");
    return 0;
}
