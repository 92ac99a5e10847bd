/* Giving up privileges once the devices are open: a process started as root keeps none in its
 * datapath, and a sandboxed one can make only the system calls the datapath needs. */
#ifndef IXY_SANDBOX_H
#define IXY_SANDBOX_H

#ifdef __cplusplus
extern "C" {
#endif

/* Becomes `user` for good: its supplementary groups, gid and uid (real, effective and saved),
 * then no_new_privs. Call it once every device is open and every mempool allocated: the library
 * needs no privilege after that, on the sysfs platform as well as under VFIO. Fails if the user
 * does not exist or is root, or if any capability is left afterwards. Returns 0, or -1 with
 * ixy_last_error() set (then the process may be half-changed: exit). */
int ixy_drop_privileges(const char *user);

/* Installs a seccomp-BPF filter on every thread of the process that allows only the system calls
 * of the datapath, of statistics output and signal handling, and of closing the devices (the list
 * is in the README, "Sandbox"). Any other system call kills the process with SIGSYS. Cannot be
 * undone. Call it after ixy_drop_privileges() (or alone) once everything is set up. Returns 0, or
 * -1 with ixy_last_error() set. x86-64 and arm64 only. */
int ixy_enter_sandbox(void);

#ifdef __cplusplus
}
#endif
#endif
