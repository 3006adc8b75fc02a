/*
 * ceiling: the fastest HTTP/1.1 keep-alive server this machine can run, as
 * a yardstick for gohttpd's per-request cost (issue 18, item 3).
 *
 * One thread, one epoll set (edge-triggered), non-blocking sockets. It reads
 * what a connection sent, counts the requests in it (each ends at the first
 * "\r\n\r\n"; no bodies, no parsing beyond that) and answers each with the
 * same fixed response: a 1024-byte body with the headers a static-file
 * server sends (Date is refreshed once a second). Pipelined requests get
 * their responses in one write. It is not a web server: no methods, no
 * paths, no errors; it answers anything.
 *
 *   cc -O2 -o ceiling ceiling.c
 *   ./ceiling 127.0.0.1 18199 [bodybytes]
 *
 * Stops on SIGINT/SIGTERM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXFD 65536
#define RBUF 4096

struct conn {
	int used;
	/* tail holds the last 3 bytes of the previous read, so a "\r\n\r\n"
	 * split across reads is found. */
	char tail[3];
	int ntail;
};

static struct conn conns[MAXFD];
static char resp[8192];
static int resplen;
static char *wbuf;
static int wcap;
static int body = 1024;
static volatile sig_atomic_t stop;
static time_t dated;
static char datehdr[64];

static void onsig(int s) { (void)s; stop = 1; }

static void build(void) {
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(datehdr, sizeof datehdr, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	dated = now;
	int n = snprintf(resp, sizeof resp,
		"HTTP/1.1 200 OK\r\n"
		"Server: ceiling\r\n"
		"Date: %s\r\n"
		"Content-Type: text/html\r\n"
		"Content-Length: %d\r\n"
		"Last-Modified: Wed, 02 Dec 2026 05:38:00 GMT\r\n"
		"Accept-Ranges: bytes\r\n"
		"\r\n", datehdr, body);
	memset(resp + n, 'x', body);
	resplen = n + body;
}

static void closeconn(int ep, int fd) {
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	conns[fd].used = 0;
}

/* count returns the number of request ends ("\r\n\r\n") in b[0:n],
 * counting across the previous read's tail. */
static int count(struct conn *c, const char *b, int n) {
	char tmp[RBUF + 3];
	memcpy(tmp, c->tail, c->ntail);
	memcpy(tmp + c->ntail, b, n);
	int len = c->ntail + n, k = 0;
	const char *p = tmp, *end = tmp + len;
	while ((p = memmem(p, end - p, "\r\n\r\n", 4)) != NULL) {
		k++;
		p += 4;
	}
	int keep = len < 3 ? len : 3;
	memcpy(c->tail, end - keep, keep);
	c->ntail = keep;
	return k;
}

static void serve(int ep, int fd) {
	struct conn *c = &conns[fd];
	char buf[RBUF];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n == 0) {
			closeconn(ep, fd);
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			closeconn(ep, fd);
			return;
		}
		int k = count(c, buf, (int)n);
		if (k > 0) {
			const char *out = resp;
			size_t len = resplen;
			if (k > 1) {
				if (k * resplen > wcap) {
					wcap = k * resplen;
					wbuf = realloc(wbuf, wcap);
				}
				for (int i = 0; i < k; i++)
					memcpy(wbuf + i * resplen, resp, resplen);
				out = wbuf;
				len = (size_t)k * resplen;
			}
			while (len > 0) {
				ssize_t w = write(fd, out, len);
				if (w < 0) {
					if (errno == EINTR)
						continue;
					/* A client this slow is not the case measured. */
					closeconn(ep, fd);
					return;
				}
				out += w;
				len -= w;
			}
		}
		if (n < (ssize_t)sizeof buf)
			return; /* drained: edge-triggered, the next edge comes */
	}
}

int main(int argc, char **argv) {
	if (argc < 3) {
		fprintf(stderr, "usage: ceiling ADDR PORT [bodybytes]\n");
		return 2;
	}
	if (argc > 3)
		body = atoi(argv[3]);
	if (body < 0 || body > 4096) {
		fprintf(stderr, "ceiling: body must be 0..4096 bytes\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = {0};
	sa.sa_handler = onsig;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	build();

	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) {
		fprintf(stderr, "ceiling: bad address %s\n", argv[1]);
		return 2;
	}
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 511) < 0) {
		perror("ceiling: bind/listen");
		return 1;
	}
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	struct epoll_event evs[512];
	while (!stop) {
		int n = epoll_wait(ep, evs, 512, 1000);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("ceiling: epoll_wait");
			return 1;
		}
		time_t now = time(NULL);
		if (now != dated)
			build();
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				for (;;) {
					int cfd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
					if (cfd < 0)
						break;
					if (cfd >= MAXFD) {
						close(cfd);
						continue;
					}
					setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					conns[cfd].used = 1;
					conns[cfd].ntail = 0;
					struct epoll_event ce = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = cfd};
					epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ce);
					serve(ep, cfd);
				}
				continue;
			}
			if (conns[fd].used)
				serve(ep, fd);
		}
	}
	return 0;
}
