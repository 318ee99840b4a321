// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * workload: run one benchmark workload and print how long it took. With
 * --cgroup it first moves itself into the cgroup folder DIR (after setting up
 * what must exist outside it, such as the listener of 'connect'); with --cpu
 * it runs on that CPU only.
 *
 *   workload [OPTIONS] open PATH N      open(2) + close(2)
 *   workload [OPTIONS] mmap PATH N      map PATH, read a byte of every page, unmap;
 *                                       N passes
 *   workload [OPTIONS] connect PORT N   TCP connect to 127.0.0.1:PORT, accept,
 *                                       close both
 *       OPTIONS: [--cgroup DIR] [--cpu N] [--batches B]
 *   workload fill PATH MIB                                write MIB MiB of data
 *   workload events --cgroup DIR --out FILE [--seconds S] [--producers P] PATH
 *       P processes in DIR open PATH as fast as they can for S seconds, while
 *       this process (outside DIR) watches FILE grow
 *   workload drain --cgroup DIR --out FILE --daemon PID --count N PATH
 *       stop PID, open PATH N times from a process in DIR, continue PID and
 *       time how long FILE takes to stop growing
 *
 * The timed workloads run one warm-up batch, then B batches (default 5) of
 * N / B operations, and print the wall-clock and CPU time per operation of
 * the median batch (ns_per_op, cpu_ns_per_op) and of the fastest one
 * (min_ns_per_op, min_cpu_ns_per_op).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCHES   64
#define MAX_PRODUCERS 16

struct opts {
	const char *cgroup;
	const char *out;
	int cpu;
	int batches;
	int seconds;
	int producers;
	pid_t daemon;
	long count;
};

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static void enter_cgroup(const char *dir)
{
	char path[4096], pid[32];
	int fd, n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(fd, pid, n) != n)
		die(path);
	close(fd);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* --- open ----------------------------------------------------------------- */

static void run_open(const char *path, long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0)
			die(path);
		close(fd);
	}
}

/* --- mmap ----------------------------------------------------------------- */

static volatile unsigned long mmap_sink;

static void run_mmap(const char *path, long n)
{
	long page = sysconf(_SC_PAGESIZE);

	for (long i = 0; i < n; i++) {
		unsigned long sum = 0;
		struct stat st;
		char *p;
		int fd;

		fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &st) < 0)
			die(path);
		p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		for (off_t off = 0; off < st.st_size; off += page)
			sum += ((volatile char *)p)[off];
		mmap_sink += sum;
		munmap(p, st.st_size);
		close(fd);
	}
}

/* --- connect -------------------------------------------------------------- */

static int listener = -1;
static struct sockaddr_in listen_addr;

static void listen_on(int port)
{
	int one = 1;

	listen_addr.sin_family = AF_INET;
	listen_addr.sin_port = htons(port);
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0)
		die("socket");
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listener, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) < 0)
		die("bind 127.0.0.1");
	if (listen(listener, 128) < 0)
		die("listen");
}

/* The client resets on close, so no TIME_WAIT socket holds a port. */
static void run_connect(long n)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	for (long i = 0; i < n; i++) {
		int c, s;

		c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0)
			die("socket");
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (connect(c, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) < 0)
			die("connect");
		s = accept(listener, NULL, NULL);
		if (s < 0)
			die("accept");
		close(c);
		close(s);
	}
}

/* --- stream --------------------------------------------------------------- */

#define STREAM_CHUNK (1 << 16)

static int stream_fd = -1;

/*
 * A reader, forked before the workload enters its cgroup, takes one
 * connection and reads it to the end: the bytes leave from the cgroup, the
 * reader's acknowledgements from outside it.
 */
static void start_stream_reader(void)
{
	static char rbuf[STREAM_CHUNK];
	pid_t pid = fork();
	int s;

	if (pid < 0)
		die("fork");
	if (pid > 0)
		return;
	s = accept(listener, NULL, NULL);
	if (s < 0)
		_exit(1);
	while (read(s, rbuf, sizeof(rbuf)) > 0)
		;
	_exit(0);
}

/* Send @n MiB over one TCP connection, made on the first call (in the cgroup). */
static void run_stream(long n)
{
	static char wbuf[STREAM_CHUNK];

	if (stream_fd < 0) {
		stream_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (stream_fd < 0)
			die("socket");
		if (connect(stream_fd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) < 0)
			die("connect");
	}
	for (long i = 0; i < n * ((1 << 20) / STREAM_CHUNK); i++) {
		size_t off = 0;

		while (off < sizeof(wbuf)) {
			ssize_t w = write(stream_fd, wbuf + off, sizeof(wbuf) - off);

			if (w <= 0)
				die("write");
			off += (size_t)w;
		}
	}
}

/* --- fill ----------------------------------------------------------------- */

static int run_fill(const char *path, long mib)
{
	static uint64_t buf[(1 << 20) / sizeof(uint64_t)];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die(path);
	for (long m = 0; m < mib; m++) {
		for (size_t i = 0; i < sizeof(buf) / sizeof(buf[0]); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = x;
		}
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die(path);
	}
	if (close(fd) < 0)
		die(path);
	return 0;
}

/* --- events --------------------------------------------------------------- */

static off_t file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 ? -1 : st.st_size;
}

static long count_lines(int fd, off_t from)
{
	static char buf[1 << 16];
	long lines = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), from)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		from += n;
	}
	return lines;
}

/*
 * Watch @fd grow until every child is gone and it has not grown for
 * @quiet_ms; returns when it last grew. @children is decremented as they exit.
 */
static uint64_t watch_growth(int fd, int *children, long quiet_ms, long limit_ms, long *produced,
			     int rd)
{
	uint64_t start = now_ns(), last = start;
	off_t size = file_size(fd);

	for (;;) {
		uint64_t t;
		off_t s;

		sleep_us(250);
		t = now_ns();
		s = file_size(fd);
		if (s != size) {
			size = s;
			last = t;
		}
		while (*children > 0 && waitpid(-1, NULL, WNOHANG) > 0) {
			long c = 0;

			if (rd >= 0 && read(rd, &c, sizeof(c)) == (ssize_t)sizeof(c))
				*produced += c;
			(*children)--;
		}
		if (*children == 0 && (t - last) / 1000000 >= (uint64_t)quiet_ms)
			return last;
		if ((t - start) / 1000000 >= (uint64_t)limit_ms)
			return last;
	}
}

/* A producer: into the scope, then open @path until @until or @count opens. */
static void produce(const char *cgroup, const char *path, uint64_t until, long count, int wr)
{
	long n = 0;

	enter_cgroup(cgroup);
	for (;;) {
		int fd = open(path, O_RDONLY);

		if (fd >= 0)
			close(fd);
		n++;
		if (count > 0 && n >= count)
			break;
		if (until && (n & 255) == 0 && now_ns() >= until)
			break;
	}
	if (wr >= 0 && write(wr, &n, sizeof(n)) != (ssize_t)sizeof(n))
		_exit(3);
	_exit(0);
}

static int run_events(const struct opts *o, const char *path)
{
	int fd = open(o->out, O_RDONLY | O_CLOEXEC), pipefd[2], children = 0;
	uint64_t t0, until, last;
	long produced = 0, lines;
	off_t from;

	if (fd < 0)
		die(o->out);
	if (pipe(pipefd) < 0)
		die("pipe");
	from = file_size(fd);
	t0 = now_ns();
	until = t0 + (uint64_t)o->seconds * 1000000000ULL;
	for (int i = 0; i < o->producers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(pipefd[0]);
			produce(o->cgroup, path, until, 0, pipefd[1]);
		}
		children++;
	}
	close(pipefd[1]);
	last = watch_growth(fd, &children, 500, 1000L * (o->seconds + 60), &produced, pipefd[0]);
	lines = count_lines(fd, from);
	printf("produced %ld\nproduce_seconds %d\nlines %ld\nelapsed_ns %llu\n", produced,
	       o->seconds, lines, (unsigned long long)(last - t0));
	return 0;
}

static int run_drain(const struct opts *o, const char *path)
{
	int fd = open(o->out, O_RDONLY | O_CLOEXEC), children = 1;
	long produced = 0, lines;
	uint64_t t0, last;
	off_t from;
	pid_t pid;
	int status;

	if (fd < 0)
		die(o->out);
	if (kill(o->daemon, SIGSTOP) < 0)
		die("stop the daemon");
	sleep_us(200000); /* let it finish writing what it had */
	from = file_size(fd);
	pid = fork();
	if (pid < 0) {
		kill(o->daemon, SIGCONT);
		die("fork");
	}
	if (pid == 0)
		produce(o->cgroup, path, 0, o->count, -1);
	waitpid(pid, &status, 0);
	children = 0;
	t0 = now_ns();
	if (kill(o->daemon, SIGCONT) < 0)
		die("continue the daemon");
	last = watch_growth(fd, &children, 500, 60000, &produced, -1);
	lines = count_lines(fd, from);
	printf("produced %ld\nlines %ld\nelapsed_ns %llu\n", o->count, lines,
	       (unsigned long long)(last - t0));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* --- main ----------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: workload [--cgroup DIR] [--cpu N] [--batches B] open PATH N\n"
		"       workload [--cgroup DIR] [--cpu N] [--batches B] mmap PATH N\n"
		"       workload [--cgroup DIR] [--cpu N] [--batches B] connect PORT N\n"
		"       workload fill PATH MIB\n"
		"       workload events --cgroup DIR --out FILE [--seconds S] [--producers P] PATH\n"
		"       workload drain --cgroup DIR --out FILE --daemon PID --count N PATH\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .cpu = -1, .batches = 5, .seconds = 2, .producers = 1 };
	double per_op[MAX_BATCHES], cpu_per_op[MAX_BATCHES];
	const char *kind, *arg;
	int i = 1, mode_events = 0, mode_drain = 0;
	long n;

	if (argc > 1 && strcmp(argv[1], "events") == 0)
		mode_events = 1, i++;
	else if (argc > 1 && strcmp(argv[1], "drain") == 0)
		mode_drain = 1, i++;
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--cgroup") == 0)
			o.cgroup = argv[i + 1];
		else if (strcmp(argv[i], "--cpu") == 0)
			o.cpu = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--batches") == 0)
			o.batches = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--out") == 0)
			o.out = argv[i + 1];
		else if (strcmp(argv[i], "--seconds") == 0)
			o.seconds = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--producers") == 0)
			o.producers = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--daemon") == 0)
			o.daemon = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--count") == 0)
			o.count = atol(argv[i + 1]);
		else
			usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mode_events || mode_drain) {
		if (i + 1 != argc || !o.cgroup || !o.out)
			usage();
		if (mode_events) {
			if (o.producers < 1 || o.producers > MAX_PRODUCERS || o.seconds < 1)
				usage();
			return run_events(&o, argv[i]);
		}
		if (o.daemon <= 0 || o.count <= 0)
			usage();
		return run_drain(&o, argv[i]);
	}
	if (i + 2 != argc && !(i + 3 == argc))
		usage();
	kind = argv[i];
	arg = argv[i + 1];
	if (strcmp(kind, "fill") == 0)
		return run_fill(arg, atol(argv[i + 2]));
	if (i + 3 != argc)
		usage();
	n = atol(argv[i + 2]);
	if (n < 1 || o.batches < 1 || o.batches > MAX_BATCHES)
		usage();

	if (strcmp(kind, "connect") == 0 || strcmp(kind, "stream") == 0)
		listen_on(atoi(arg));
	else if (strcmp(kind, "open") && strcmp(kind, "mmap"))
		usage();
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			die("sched_setaffinity");
	}
	if (kind[0] == 's')
		start_stream_reader();
	if (o.cgroup)
		enter_cgroup(o.cgroup);

	for (int b = -1; b < o.batches; b++) {
		long ops = n / o.batches > 0 ? n / o.batches : 1;
		uint64_t t0 = now_ns(), c0 = cpu_ns();

		if (kind[0] == 'o')
			run_open(arg, ops);
		else if (kind[0] == 'm')
			run_mmap(arg, ops);
		else if (kind[0] == 's')
			run_stream(ops);
		else
			run_connect(ops);
		if (b >= 0) { /* batch -1 warms up */
			per_op[b] = (double)(now_ns() - t0) / ops;
			cpu_per_op[b] = (double)(cpu_ns() - c0) / ops;
		}
	}
	printf("ns_per_op %.1f\ncpu_ns_per_op %.1f\n", median(per_op, o.batches),
	       median(cpu_per_op, o.batches));
	printf("min_ns_per_op %.1f\nmin_cpu_ns_per_op %.1f\n", per_op[0], cpu_per_op[0]);
	return 0;
}
