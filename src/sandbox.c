/* Dropping privileges and the seccomp sandbox (Linux Documentation/userspace-api/
 * seccomp_filter.rst). The filter is classic BPF written against the kernel headers. */
#include <errno.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/vfio.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ixy/sandbox.h"
#include "log.h"

/* The capability sets of this process from /proc/self/status ("CapEff: 0000003fffffffff"). */
static int read_caps(unsigned long long *prm, unsigned long long *eff, unsigned long long *amb)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		found += sscanf(line, "CapPrm: %llx", prm) == 1;
		found += sscanf(line, "CapEff: %llx", eff) == 1;
		found += sscanf(line, "CapAmb: %llx", amb) == 1;
	}
	fclose(f);
	return found == 3 ? 0 : -1;
}

int ixy_drop_privileges(const char *user)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	if (!user || getpwnam_r(user, &pw, buf, sizeof(buf), &found) != 0 || !found) {
		ixy_error("cannot drop privileges: no user '%s' (check the name with 'id %s')",
		          user ? user : "", user ? user : "");
		return -1;
	}
	if (pw.pw_uid == 0) {
		ixy_error("cannot drop privileges to '%s': it is root. Name an ordinary user (e.g. nobody)",
		          user);
		return -1;
	}
	uid_t uid = getuid(), euid = geteuid();
	if (uid != pw.pw_uid || euid != pw.pw_uid) {
		/* Groups first: after setresuid() there is no permission left to change them. */
		if (initgroups(user, pw.pw_gid) < 0 || setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid) < 0 ||
		    setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) < 0) {
			ixy_error("cannot become '%s' (uid %u): %s (dropping privileges needs root or "
			          "CAP_SETUID/CAP_SETGID)",
			          user, (unsigned)pw.pw_uid, strerror(errno));
			return -1;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		ixy_error("cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	/* Verify: no way back to root, and no capability kept. */
	unsigned long long prm = ~0ull, eff = ~0ull, amb = ~0ull;
	if (setuid(0) == 0 || read_caps(&prm, &eff, &amb) < 0 || prm || eff || amb) {
		ixy_error("dropping privileges to '%s' left capabilities (permitted %llx, effective %llx, "
		          "ambient %llx): refusing to go on",
		          user, prm, eff, amb);
		return -1;
	}
	return 0;
}

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef SANDBOX_ARCH
/* What the datapath, the apps' statistics and signal handling, and ixy_close() need. */
static const int allowed[] = {
    SYS_read,
    SYS_write,
    SYS_writev,
    SYS_pread64,
    SYS_pwrite64,
    SYS_close,
    SYS_fstat,
    SYS_newfstatat,
    SYS_lseek,
    SYS_munmap,
    SYS_brk,
    SYS_madvise,
    SYS_futex,
    SYS_clock_gettime,
    SYS_gettimeofday,
    SYS_nanosleep,
    SYS_clock_nanosleep,
    SYS_sched_yield,
    SYS_rt_sigreturn,
    SYS_rt_sigprocmask,
    SYS_restart_syscall,
    SYS_getpid,
    SYS_gettid,
    SYS_tgkill,
    SYS_exit,
    SYS_exit_group,
    SYS_fsync,
    SYS_sigaltstack,
};

/* mmap and mprotect are allowed without PROT_EXEC: memory, never new code. ioctl only for
 * the VFIO calls ixy_close() makes, and TCGETS: stdio asks whether stdout is a terminal
 * (isatty) on its first output. */
#define PROT_ARG offsetof(struct seccomp_data, args[2])
#define REQ_ARG offsetof(struct seccomp_data, args[1])

int ixy_enter_sandbox(void)
{
	struct sock_filter f[128];
	unsigned n = 0;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* x32 calls are the same numbers with bit 30 set: none is allowed. */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
#endif
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)allowed[i], 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	static const int memory_calls[] = {SYS_mmap, SYS_mprotect};
	for (size_t i = 0; i < 2; i++) {
		f[n++] =
		    (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)memory_calls[i], 0, 4);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, PROT_ARG);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 5);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, REQ_ARG);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, VFIO_IOMMU_UNMAP_DMA, 2, 0);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, VFIO_GROUP_UNSET_CONTAINER, 1, 0);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TCGETS, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		ixy_error("cannot enter the sandbox: no_new_privs: %s", strerror(errno));
		return -1;
	}
	/* TSYNC: every thread of the process (a device model's, the application's) gets the filter. */
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (r != 0) {
		ixy_error("cannot enter the sandbox: seccomp filter refused (%s); a kernel with "
		          "CONFIG_SECCOMP_FILTER is needed",
		          r > 0 ? "a thread could not be synchronised" : strerror(errno));
		return -1;
	}
	return 0;
}
#else
int ixy_enter_sandbox(void)
{
	ixy_error("the sandbox supports x86-64 and arm64 only");
	return -1;
}
#endif
