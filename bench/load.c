/*
 * The syscall load for the benchmark log: successful and failing openat
 * calls, and every tenth round a child that execs /bin/true. The generator
 * starts it with exec from a shell that waits until the audit rules scoped
 * to its pid are in place.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 1000;
	for (long i = 0; i < rounds; i++) {
		int fd = openat(AT_FDCWD, "/etc/hostname", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		openat(AT_FDCWD, "/nonexistent/auditkit-bench", O_RDONLY);
		if (i % 10 == 0) {
			pid_t pid = fork();
			if (pid == 0) {
				execl("/bin/true", "true", "auditkit-bench", (char *)NULL);
				_exit(127);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
	}
	return 0;
}
