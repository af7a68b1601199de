/*
 * ReplayDesk demo guest control program (rdctl).
 *
 * Reads command lines from the serial console /dev/ttyS0 (raw mode, no echo; CR, LF or CRLF end a line) and
 * switches workloads without a reboot. Protocol version 1:
 *   host -> guest:  "wl <name> [arg]"   stop the current workload, start <name>
 *                   "ping"              -> "RD: pong"
 *                   "status"            -> "RD: status workload=<name>"
 *   guest -> host:  "RD: ready workload=<name>"    once, after the initial workload (kernel arg rd.wl=) started
 *                   "RD: workload=<name> started"  after every switch
 *                   "RD: error <message>"          bad input, or a workload that exited by itself
 * Every reply is one line terminated by "\n".
 * Licensed under the Apache License, Version 2.0.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kd.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SERIAL "/dev/ttyS0"
#define VT "/dev/tty1"

static int serial_fd = -1, vt_fd = -1;

struct workload {
    const char *name;
    int graphics;          /* 1: KD_GRAPHICS, the program owns the framebuffer */
    const char *modgroup;  /* kernel modules to load first (/lib/modules/<group>.order) */
    int numeric_arg;       /* 1: the optional argument must be a number */
};

static const struct workload workloads[] = {
    {"idle", 0, NULL, 0},
    {"anim", 1, NULL, 1},
    {"video", 1, "disk", 1},
    {"type", 0, NULL, 0},
    {"net", 0, "net", 0},
    {"cpu", 0, NULL, 1},
};
#define NWL (sizeof(workloads) / sizeof(workloads[0]))

static const struct workload *cur;
static pid_t cur_pid;       /* session leader of the running workload, 0 if none */
static char default_fps[16] = "25";
static char stats[8] = "";  /* kernel arg rd.stats=1: graphical workloads print "STAT:" lines to the serial console */

static void reply(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof(buf) - 2)
        n = (int)sizeof(buf) - 2;
    buf[n++] = '\n';
    for (int off = 0; off < n;) {
        ssize_t w = write(serial_fd, buf + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (int)w;
    }
}

static void vt_write(const char *s)
{
    if (vt_fd >= 0 && write(vt_fd, s, strlen(s)) < 0) {
        /* nothing sensible to do */
    }
}

static const struct workload *find_wl(const char *name)
{
    for (unsigned i = 0; i < NWL; i++)
        if (strcmp(workloads[i].name, name) == 0)
            return &workloads[i];
    return NULL;
}

/* Does process 'pid' belong to session 'sid'? (fields after "(comm)": state ppid pgrp session) */
static int in_session(const char *pid, pid_t sid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    char state;
    int ppid, pgrp, session;
    if (sscanf(p + 1, " %c %d %d %d", &state, &ppid, &pgrp, &session) != 4)
        return 0;
    return session == sid && state != 'Z';
}

/* Send sig to every live process of session sid; returns how many were signalled. */
static int signal_session(pid_t sid, int sig)
{
    int count = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        if (in_session(e->d_name, sid)) {
            kill((pid_t)atoi(e->d_name), sig);
            count++;
        }
    }
    closedir(d);
    return count;
}

static void reap(int report)
{
    int st;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        if (p == cur_pid) {
            if (report && cur) {
                if (WIFEXITED(st))
                    reply("RD: error workload %s exited with status %d", cur->name, WEXITSTATUS(st));
                else
                    reply("RD: error workload %s killed by signal %d", cur->name, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
            }
            cur_pid = 0;
        }
    }
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
}

static void stop_current(void)
{
    if (cur_pid > 0) {
        pid_t sid = cur_pid;
        /* interactive shells ignore SIGTERM, so hang them up as well */
        kill(-sid, SIGHUP);
        kill(-sid, SIGTERM);
        signal_session(sid, SIGHUP);
        signal_session(sid, SIGTERM);
        signal_session(sid, SIGCONT);
        for (int i = 0; i < 100; i++) { /* up to 2 s */
            reap(0);
            if (!signal_session(sid, 0))
                break;
            sleep_ms(20);
        }
        for (int i = 0; i < 100 && signal_session(sid, SIGKILL); i++) {
            reap(0);
            sleep_ms(20);
        }
        reap(0);
        if (cur_pid == sid) { /* still not reaped (should not happen) */
            waitpid(sid, NULL, 0);
            cur_pid = 0;
        }
    }
    cur_pid = 0;
    cur = NULL;
}

/* Load /lib/modules/<group>.order: one "file.ko [parameters]" per line, dependencies first. */
static void load_modules(const char *group)
{
    char path[128], line[256];
    snprintf(path, sizeof(path), "/lib/modules/%s.order", group);
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *params = strchr(line, ' ');
        if (params)
            *params++ = 0;
        if (!line[0])
            continue;
        char ko[300];
        snprintf(ko, sizeof(ko), "/lib/modules/%s", line);
        int fd = open(ko, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "rdctl: %s: %s\n", ko, strerror(errno));
            continue;
        }
        if (syscall(SYS_finit_module, fd, params ? params : "", 0) != 0 && errno != EEXIST)
            fprintf(stderr, "rdctl: insmod %s: %s\n", ko, strerror(errno));
        close(fd);
    }
    fclose(f);
}

static void set_vt_mode(int graphics)
{
    /* Reopen tty1 every time: when the "type" shell (session leader on tty1) exits, the kernel hangs up
     * the tty and all previously opened file descriptors of it return EIO. */
    if (vt_fd >= 0)
        close(vt_fd);
    vt_fd = open(VT, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (vt_fd < 0)
        return;
    ioctl(vt_fd, KDSETMODE, graphics ? KD_GRAPHICS : KD_TEXT);
    if (!graphics) {
        /* reset attributes, clear screen + scrollback, home, no blanking, cursor hidden */
        vt_write("\033[0m\033[H\033[2J\033[3J\033[9;0]\033[?25l");
    }
}

static void child_exec(const struct workload *w, const char *arg)
{
    setsid();
    signal(SIGPIPE, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int nul = open("/dev/null", O_RDWR);
    int out, in = nul;
    if (strcmp(w->name, "type") == 0) {
        /* tty1 becomes the controlling terminal of the new session */
        in = open(VT, O_RDWR);
        ioctl(in, TIOCSCTTY, 1);
        out = in;
    } else if (w->graphics) {
        out = nul;
    } else {
        out = open(VT, O_RDWR | O_NOCTTY);
    }
    dup2(in, 0);
    dup2(out, 1);
    dup2(w->graphics ? serial_fd : out, 2); /* errors of graphical workloads go to the serial console */
    for (int fd = 3; fd < 256; fd++)
        close(fd);
    if (w->modgroup)
        load_modules(w->modgroup);
    setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
    setenv("HOME", "/root", 1);
    setenv("TERM", "linux", 1);
    if (stats[0] == '1')
        setenv("RD_STATS", "1", 1);
    if (chdir("/root") < 0 && chdir("/") < 0) {
        /* ignore */
    }
    if (strcmp(w->name, "anim") == 0)
        execl("/bin/anim", "anim", arg ? arg : default_fps, (char *)NULL);
    else if (strcmp(w->name, "video") == 0)
        execl("/bin/video", "video", arg ? arg : "25", (char *)NULL);
    else if (strcmp(w->name, "cpu") == 0)
        execl("/bin/cpu", "cpu", arg ? arg : "1", (char *)NULL);
    else if (strcmp(w->name, "net") == 0)
        execl("/bin/sh", "sh", "/etc/rd/net.sh", arg ? arg : "", (char *)NULL);
    else if (strcmp(w->name, "type") == 0) {
        setenv("PS1", "replaydesk:\\w# ", 1);
        execl("/bin/sh", "-sh", "-i", (char *)NULL);
    }
    fprintf(stderr, "rdctl: exec %s: %s\n", w->name, strerror(errno));
    _exit(127);
}

static int start(const struct workload *w, const char *arg)
{
    set_vt_mode(w->graphics);
    if (strcmp(w->name, "idle") == 0) {
        vt_write("\033[15;38Hidle");
        cur = w;
        cur_pid = 0;
        return 0;
    }
    if (strcmp(w->name, "type") == 0)
        vt_write("\033[?25h");
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        child_exec(w, arg);
    cur = w;
    cur_pid = pid;
    return 0;
}

static int valid_arg(const struct workload *w, const char *arg)
{
    if (!arg)
        return 1;
    if (strlen(arg) > 200)
        return 0;
    if (w->numeric_arg) {
        if (!*arg)
            return 0;
        for (const char *p = arg; *p; p++)
            if (!isdigit((unsigned char)*p))
                return 0;
        return strlen(arg) <= 4;
    }
    if (strcmp(w->name, "net") == 0)
        return strncmp(arg, "http://", 7) == 0 && strcspn(arg, " '\"`$\\;&|<>") == strlen(arg);
    return 0; /* idle and type take no argument */
}

static void handle_line(char *line)
{
    char *argv[4];
    int argc = 0;
    for (char *tok = strtok(line, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (argc == 4) {
            reply("RD: error too many arguments");
            return;
        }
        argv[argc++] = tok;
    }
    if (argc == 0)
        return;
    if (strcmp(argv[0], "ping") == 0 && argc == 1) {
        reply("RD: pong");
    } else if (strcmp(argv[0], "status") == 0 && argc == 1) {
        reply("RD: status workload=%s", cur ? cur->name : "none");
    } else if (strcmp(argv[0], "wl") == 0) {
        if (argc < 2 || argc > 3) {
            reply("RD: error usage: wl <name> [arg]");
            return;
        }
        const struct workload *w = find_wl(argv[1]);
        if (!w) {
            reply("RD: error unknown workload %s", argv[1]);
            return;
        }
        const char *arg = argc == 3 ? argv[2] : NULL;
        if (!valid_arg(w, arg)) {
            reply("RD: error bad argument for %s: %s", w->name, arg);
            return;
        }
        stop_current();
        if (start(w, arg) < 0) {
            reply("RD: error cannot start %s: %s", w->name, strerror(errno));
            return;
        }
        reply("RD: workload=%s started", w->name);
    } else {
        reply("RD: error unknown command %s", argv[0]);
    }
}

static void cmdline_arg(const char *key, char *out, size_t outlen)
{
    char buf[4096];
    int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = 0;
    size_t kl = strlen(key);
    for (char *tok = strtok(buf, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
        if (strncmp(tok, key, kl) == 0 && tok[kl] == '=') {
            snprintf(out, outlen, "%s", tok + kl + 1);
        }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    serial_fd = open(SERIAL, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (serial_fd < 0) {
        perror("rdctl: " SERIAL);
        return 1;
    }
    struct termios t;
    if (tcgetattr(serial_fd, &t) == 0) {
        cfmakeraw(&t);
        t.c_cflag |= CLOCAL | CREAD;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        tcsetattr(serial_fd, TCSANOW, &t);
    }
    tcflush(serial_fd, TCIFLUSH); /* drop anything typed before we were ready */

    char wlname[64] = "idle", fps[16] = "";
    cmdline_arg("rd.wl", wlname, sizeof(wlname));
    cmdline_arg("rd.fps", fps, sizeof(fps));
    cmdline_arg("rd.stats", stats, sizeof(stats));
    if (fps[0]) {
        const struct workload *anim = find_wl("anim");
        if (valid_arg(anim, fps))
            snprintf(default_fps, sizeof(default_fps), "%s", fps);
        else
            reply("RD: error bad rd.fps=%s", fps);
    }
    const struct workload *w = find_wl(wlname);
    if (!w) {
        reply("RD: error unknown workload %s", wlname);
        w = find_wl("idle");
    }
    if (start(w, NULL) < 0) {
        reply("RD: error cannot start %s", w->name);
        w = find_wl("idle");
        start(w, NULL);
    }
    reply("RD: ready workload=%s", w->name);

    char line[256];
    size_t len = 0;
    int overflow = 0;
    for (;;) {
        struct pollfd p = {serial_fd, POLLIN, 0};
        int r = poll(&p, 1, 250);
        reap(1);
        if (r <= 0)
            continue;
        char buf[256];
        ssize_t n = read(serial_fd, buf, sizeof(buf));
        if (n <= 0) {
            if (n < 0 && errno != EINTR && errno != EAGAIN)
                sleep_ms(100);
            continue;
        }
        for (ssize_t i = 0; i < n; i++) {
            char c = buf[i];
            if (c == '\r' || c == '\n') {
                if (overflow)
                    reply("RD: error line too long");
                else if (len) {
                    line[len] = 0;
                    handle_line(line);
                }
                len = 0;
                overflow = 0;
            } else if (c == '\0') {
                /* ignore */
            } else if (len < sizeof(line) - 1) {
                line[len++] = c;
            } else {
                overflow = 1;
            }
        }
    }
}
