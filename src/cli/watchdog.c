/*
 * The --timeout watchdog (see watchdog.h).
 */
#include "cli/watchdog.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Status of a process timed out while instantiating (see watchdog.h). Writes
 * with write(2): the main thread may be anywhere, stdio locks included. */
static void timed_out_while_instantiating(double seconds) {
    char msg[128];
    int n = snprintf(msg, sizeof msg, "error: timed out after %g seconds (while instantiating)\n",
                     seconds);
    if (n > 0) {
        ssize_t r = write(STDERR_FILENO, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
        (void)r;
    }
    _exit(CLI_EXIT_TIMEOUT);
}

static void *watchdog_main(void *arg) {
    cli_watchdog *wd = arg;
    pthread_mutex_lock(&wd->lock);
    while (!wd->stopping) {
        int rc = pthread_cond_timedwait(&wd->wake, &wd->lock, &wd->deadline);
        if (rc == ETIMEDOUT && !wd->stopping) {
            wd->fired = true;
            if (!wd->inst && !wd->intr) timed_out_while_instantiating(wd->seconds);
            if (wd->inst) wg_instance_interrupt(wd->inst);
            if (wd->intr) wg_interrupt_set(wd->intr);
            break;
        }
    }
    pthread_mutex_unlock(&wd->lock);
    return NULL;
}

bool cli_watchdog_start(cli_watchdog *wd, double seconds) {
    memset(wd, 0, sizeof *wd);
    wd->seconds = seconds;
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return false;
    bool ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&wd->wake, &attr) == 0;
    pthread_condattr_destroy(&attr);
    if (!ok) return false;
    if (pthread_mutex_init(&wd->lock, NULL) != 0) {
        pthread_cond_destroy(&wd->wake);
        return false;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double whole = floor(seconds);
    long nsec = now.tv_nsec + (long)((seconds - whole) * 1e9);
    wd->deadline.tv_sec = now.tv_sec + (time_t)whole + nsec / 1000000000L;
    wd->deadline.tv_nsec = nsec % 1000000000L;
    if (pthread_create(&wd->thread, NULL, watchdog_main, wd) != 0) {
        pthread_mutex_destroy(&wd->lock);
        pthread_cond_destroy(&wd->wake);
        return false;
    }
    wd->running = true;
    return true;
}

void cli_watchdog_arm(cli_watchdog *wd, wg_instance *inst) {
    if (!wd->running) return;
    pthread_mutex_lock(&wd->lock);
    wd->inst = inst;
    if (wd->fired) wg_instance_interrupt(inst);
    pthread_mutex_unlock(&wd->lock);
}

void cli_watchdog_arm_handle(cli_watchdog *wd, wg_interrupt *intr) {
    if (!wd->running) return;
    pthread_mutex_lock(&wd->lock);
    wd->intr = intr;
    if (wd->fired) wg_interrupt_set(intr);
    pthread_mutex_unlock(&wd->lock);
}

bool cli_watchdog_stop(cli_watchdog *wd) {
    if (!wd->running) return false;
    pthread_mutex_lock(&wd->lock);
    wd->stopping = true;
    pthread_cond_signal(&wd->wake);
    pthread_mutex_unlock(&wd->lock);
    pthread_join(wd->thread, NULL);
    wd->running = false;
    bool fired = wd->fired;
    pthread_mutex_destroy(&wd->lock);
    pthread_cond_destroy(&wd->wake);
    return fired;
}
