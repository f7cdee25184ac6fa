/*
 * The syscall loads of bench/corpora.ts, one per kind of host:
 *   hosts build ROUNDS DIR   children that exec /bin/true with long,
 *                            compiler-like command lines (many EXECVE args,
 *                            some with spaces or non-ASCII bytes)
 *   hosts files ROUNDS DIR   mkdirat, openat(O_CREAT), renameat, unlinkat
 *                            on many paths, long and non-ASCII names too
 *   hosts net ROUNDS DIR     TCP over 127.0.0.1 and ::1, a unix socket in
 *                            DIR: bind, connect, accept (SOCKADDR records)
 *   hosts mixed ROUNDS DIR   a round of each, in turn
 * The generator starts it with exec from a shell that waits until the audit
 * rules scoped to its pid are in place; its children match the ppid rule.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;

static void build(long i)
{
	char *argv[64];
	char buf[64][96];
	int n = 8 + (int)(i % 48);
	argv[0] = "cc";
	for (int k = 1; k < n; k++) {
		switch (k % 6) {
		case 0:
			snprintf(buf[k], sizeof buf[k], "-I/usr/include/project-%ld/module%d", i % 97, k);
			break;
		case 1:
			snprintf(buf[k], sizeof buf[k], "-DBUILD_ID=%ld -DFLAG_%d", i, k);
			break;
		case 2:
			snprintf(buf[k], sizeof buf[k], "src/sub\xc3\xa9/file_%ld_%d.c", i, k);
			break;
		case 3:
			snprintf(buf[k], sizeof buf[k], "-O%d", k % 3);
			break;
		case 4:
			snprintf(buf[k], sizeof buf[k], "--param=max-inline-insns-%d=%ld", k, i % 1000);
			break;
		default:
			snprintf(buf[k], sizeof buf[k], "-Wl,-rpath,/opt/toolchain/lib%d", k);
		}
		argv[k] = buf[k];
	}
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		execv("/bin/true", argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void files(long i)
{
	static const char *names[] = {
		"report.txt",
		"r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.txt",
		"with space and \"quote\".dat",
		"a-very-long-file-name-that-goes-on-and-on-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		"cccccccccccccccccccccc.log",
		"caf\xc3\xa9.conf",
	};
	char d[512], a[1024], b[1024];
	const char *name = names[i % 5];
	snprintf(d, sizeof d, "%s/share/dept-%ld", dir, i % 13);
	mkdirat(AT_FDCWD, d, 0755);
	snprintf(a, sizeof a, "%s/%ld-%s", d, i, name);
	snprintf(b, sizeof b, "%s/%ld-%s.bak", d, i, name);
	int fd = openat(AT_FDCWD, a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, "x", 1) < 0)
			perror("write");
		close(fd);
	}
	fd = openat(AT_FDCWD, a, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	renameat(AT_FDCWD, a, AT_FDCWD, b);
	openat(AT_FDCWD, "/nonexistent/share/missing", O_RDONLY);
	unlinkat(AT_FDCWD, b, 0);
	if (i % 13 == 12)
		for (int k = 0; k < 13; k++) {
			snprintf(d, sizeof d, "%s/share/dept-%d", dir, k);
			unlinkat(AT_FDCWD, d, AT_REMOVEDIR);
		}
}

static int tcp4, tcp6, unixl;

static void accept_one(int l, int s)
{
	int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (c >= 0)
		close(c);
	close(s);
}

static void net(long i)
{
	struct sockaddr_in in4;
	socklen_t len = sizeof in4;
	getsockname(tcp4, (struct sockaddr *)&in4, &len);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	connect(s, (struct sockaddr *)&in4, sizeof in4);
	accept_one(tcp4, s);
	if (i % 3 == 0) {
		struct sockaddr_in6 in6;
		len = sizeof in6;
		getsockname(tcp6, (struct sockaddr *)&in6, &len);
		s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
		connect(s, (struct sockaddr *)&in6, sizeof in6);
		accept_one(tcp6, s);
	}
	if (i % 3 == 1) {
		struct sockaddr_un un = { .sun_family = AF_UNIX };
		snprintf(un.sun_path, sizeof un.sun_path, "%s/sock", dir);
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		connect(s, (struct sockaddr *)&un, sizeof un);
		accept_one(unixl, s);
	}
	if (i % 7 == 2) {
		/* a refused connection: nothing listens on port 9 */
		struct sockaddr_in no = { .sin_family = AF_INET, .sin_port = htons(9) };
		no.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		connect(s, (struct sockaddr *)&no, sizeof no);
		close(s);
	}
}

static int listener(int family, const struct sockaddr *a, socklen_t len)
{
	int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, a, len) < 0 || listen(l, 64) < 0) {
		perror("listener");
		exit(1);
	}
	return l;
}

static void listen_all(void)
{
	struct sockaddr_in in4 = { .sin_family = AF_INET };
	in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	tcp4 = listener(AF_INET, (struct sockaddr *)&in4, sizeof in4);
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	tcp6 = listener(AF_INET6, (struct sockaddr *)&in6, sizeof in6);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	snprintf(un.sun_path, sizeof un.sun_path, "%s/sock", dir);
	unlink(un.sun_path);
	unixl = listener(AF_UNIX, (struct sockaddr *)&un, sizeof un);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: hosts build|files|net|mixed ROUNDS DIR\n");
		return 2;
	}
	const char *mode = argv[1];
	long rounds = atol(argv[2]);
	dir = argv[3];
	int all = strcmp(mode, "mixed") == 0;
	if (all || strcmp(mode, "net") == 0)
		listen_all();
	for (long i = 0; i < rounds; i++) {
		if (all ? i % 3 == 0 : strcmp(mode, "build") == 0)
			build(i);
		if (all ? i % 3 == 1 : strcmp(mode, "files") == 0)
			files(i);
		if (all ? i % 3 == 2 : strcmp(mode, "net") == 0)
			net(i);
	}
	return 0;
}
