/* ixy_drop_privileges() and ixy_enter_sandbox(), each case in a child process: the uid and
 * capabilities after dropping, the calls the filter lets through, and SIGSYS for a forbidden one
 * (also from a thread that existed before the filter: TSYNC). */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "ixy/ixy.h"
#include "ixy/sandbox.h"

/* Runs fn in a child; returns its wait status. */
static int in_child(void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int status;
	CHECK(waitpid(pid, &status, 0) == pid);
	return status;
}

static bool exited_ok(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool killed_by_sigsys(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

static void drop_to_nobody(void)
{
	CHECK(ixy_drop_privileges("nobody") == 0);
	uid_t r, e, s;
	CHECK(getresuid(&r, &e, &s) == 0 && r == 65534 && e == 65534 && s == 65534);
	CHECK(getgid() == 65534 && getegid() == 65534);
	CHECK(setuid(0) < 0 && seteuid(0) < 0);
	CHECK(open("/proc/1/mem", O_RDONLY) < 0);
}

static void refuse_root_and_strangers(void)
{
	CHECK(ixy_drop_privileges("root") < 0 && strstr(ixy_last_error(), "it is root"));
	CHECK(ixy_drop_privileges("no-such-user-xyz") < 0 && strstr(ixy_last_error(), "no user"));
	CHECK(geteuid() == 0);
}

static void allowed_calls(void)
{
	CHECK(ixy_enter_sandbox() == 0);
	struct timespec ts;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	CHECK(usleep(1000) == 0);
	void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED && munmap(p, 1 << 20) == 0);
	CHECK(write(1, "", 0) == 0);
	struct termios t;
	ioctl(0, TCGETS, &t); /* isatty(): allowed, whatever it answers */
	sigset_t set;
	sigemptyset(&set);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
}

static void forbidden_open(void)
{
	CHECK(ixy_enter_sandbox() == 0);
	open("/etc/hostname", O_RDONLY);
	_exit(3); /* not reached */
}

static void forbidden_socket(void)
{
	CHECK(ixy_drop_privileges("nobody") == 0 && ixy_enter_sandbox() == 0);
	socket(AF_INET, SOCK_DGRAM, 0);
	_exit(3);
}

static void forbidden_exec_memory(void)
{
	CHECK(ixy_enter_sandbox() == 0);
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	_exit(3);
}

static void forbidden_ioctl(void)
{
	int fds[2], queued;
	CHECK(pipe(fds) == 0);
	CHECK(ixy_enter_sandbox() == 0);
	ioctl(fds[0], FIONREAD, &queued);
	_exit(3);
}

static atomic_int go;

static void *late_caller(void *arg)
{
	(void)arg;
	while (!atomic_load(&go))
		usleep(100);
	getppid();
	return NULL;
}

static void forbidden_in_other_thread(void)
{
	pthread_t t;
	CHECK(pthread_create(&t, NULL, late_caller, NULL) == 0);
	CHECK(ixy_enter_sandbox() == 0);
	atomic_store(&go, 1);
	pthread_join(t, NULL);
	_exit(3);
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_sandbox needs root (it drops to nobody)\n");
		return 1;
	}
	CHECK(exited_ok(in_child(drop_to_nobody)));
	CHECK(exited_ok(in_child(refuse_root_and_strangers)));
	CHECK(exited_ok(in_child(allowed_calls)));
	CHECK(killed_by_sigsys(in_child(forbidden_open)));
	CHECK(killed_by_sigsys(in_child(forbidden_socket)));
	CHECK(killed_by_sigsys(in_child(forbidden_exec_memory)));
	CHECK(killed_by_sigsys(in_child(forbidden_ioctl)));
	CHECK(killed_by_sigsys(in_child(forbidden_in_other_thread)));
	printf("sandbox: ok (forbidden calls die with SIGSYS, in every thread)\n");
	return 0;
}
