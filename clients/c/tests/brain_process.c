#include "brain_process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "internal.h"

void brain_process_init(brain_process *b, const char *dir)
{
    b->bin = getenv("BRAIN_BIN") ? getenv("BRAIN_BIN") : DEFAULT_BRAIN_BIN;
    snprintf(b->sock, sizeof b->sock, "%s/brain.sock", dir);
    snprintf(b->data, sizeof b->data, "%s/data", dir);
    snprintf(b->log, sizeof b->log, "%s/brain.log", dir);
    mkdir(b->data, 0755);
    b->extra[0] = NULL;
    b->pid = -1;
}

int brain_process_can_connect(const char *path)
{
    int fd;
    if (brain__sock_connect(path, &fd) != BRAIN_OK)
        return 0;
    close(fd);
    return 1;
}

int brain_process_start(brain_process *b)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(b->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        const char *argv[16] = {b->bin, "serve", "--socket", b->sock, "--data-dir", b->data};
        int argc = 6;
        for (int i = 0; b->extra[i] && argc < 15; i++)
            argv[argc++] = b->extra[i];
        argv[argc] = NULL;
        execv(b->bin, (char *const *)argv);
        _exit(127);
    }
    b->pid = pid;
    for (int i = 0; i < 600; i++) { /* up to 30 s */
        if (brain_process_can_connect(b->sock))
            return 0;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            fprintf(stderr, "    the brain exited during startup (status %d); see %s\n", st, b->log);
            b->pid = -1;
            return -1;
        }
        struct timespec nap = {0, 50 * 1000000L};
        nanosleep(&nap, NULL);
    }
    fprintf(stderr, "    the brain did not accept connections within 30 s; see %s\n", b->log);
    return -1;
}

void brain_process_stop(brain_process *b, int sig)
{
    if (b->pid <= 0)
        return;
    kill(b->pid, sig);
    waitpid(b->pid, NULL, 0);
    b->pid = -1;
}
