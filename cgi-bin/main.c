/* main.c: start-up, the FastCGI accept threads, and a clean stop.
 *
 * `snak serve` runs cfg.threads accept threads, each with its own database
 * connection, plus the hub thread (hub.c). Every accept gets a fresh
 * FCGX_Request (FCGX_Accept_r first finishes the struct it is given, which
 * must never be a parked one). SIGTERM and SIGINT are taken by sigwait()
 * here; shutting the listening socket down wakes the accept threads, then
 * the hub answers every parked poll before the process exits
 * (STACK-NOTES 4.7). Started without a FastCGI socket, the same binary
 * serves one request as plain CGI.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <jansson.h>

#include "auth.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "html.h"
#include "hub.h"
#include "log.h"
#include "request.h"
#include "serve.h"

extern char **environ;

static int		 listen_fd;
static volatile int	 stopping;

/* ---- FastCGI streams: only this file touches them ---- */

static int
fcgi_read(void *ctx, char *b, int n)
{
	return FCGX_GetStr(b, n, ((FCGX_Request *)ctx)->in);
}

static int
fcgi_write(void *ctx, const char *b, int n)
{
	return FCGX_PutStr(b, n, ((FCGX_Request *)ctx)->out);
}

static void
fcgi_close(void *ctx)
{
	FCGX_Request *fr = ctx;

	/* END_REQUEST goes out now; FCGX_Finish_r later only closes. */
	FCGX_FClose(fr->err);
	FCGX_FClose(fr->out);
}

static void
fcgi_release(void *ctx)
{
	FCGX_Finish_r(ctx);
	free(ctx);
}

static void *
accept_main(void *arg)
{
	struct db *db = db_new();

	(void)arg;
	while (!stopping) {
		FCGX_Request	*fr;
		struct req	*r;
		int		 rc;

		if ((fr = calloc(1, sizeof(*fr))) == NULL ||
		    FCGX_InitRequest(fr, listen_fd, 0) != 0) {
			free(fr);
			sleep(1);
			continue;
		}
		if ((rc = FCGX_Accept_r(fr)) < 0) {
			FCGX_Free(fr, 1);
			free(fr);
			if (stopping)
				break;
			/* Out of fds: back off instead of spinning (STACK-NOTES 4.7). */
			log_warn(NULL, "accept: %s", strerror(-rc));
			usleep(rc == -EMFILE || rc == -ENFILE ? 50000 : 10000);
			continue;
		}
		if ((r = calloc(1, sizeof(*r))) == NULL) {
			FCGX_Finish_r(fr);
			free(fr);
			continue;
		}
		r->io = (struct io){ fr, fcgi_read, fcgi_write, fcgi_close,
		    fcgi_release, fr->ipcFd };
		r->db = db;
		if (serve(r, fr->envp) == HANDLER_PARKED)
			continue;
		serve_flush(r);
		serve_free(r);
	}
	db_free(db);
	return NULL;
}

/* ---- Plain CGI: one request on stdin/stdout ---- */

static int
cgi_read(void *ctx, char *b, int n)
{
	(void)ctx;
	return (int)fread(b, 1, (size_t)n, stdin);
}

static int
cgi_write(void *ctx, const char *b, int n)
{
	(void)ctx;
	return (int)fwrite(b, 1, (size_t)n, stdout);
}

/*
 * A long poll holds this process: the handler runs again every hub
 * interval until it answers (DESIGN.md: on CGI-only hosts each waiting
 * poll is one process).
 */
static int
serve_cgi(void)
{
	struct req		*r = calloc(1, sizeof(*r));
	struct timespec		 ts;
	int			 rc;

	if (r == NULL)
		return 1;
	hub_set_cgi();
	r->io = (struct io){ NULL, cgi_read, cgi_write, NULL, NULL, -1 };
	r->db = db_new();
	rc = serve(r, environ);
	while (rc == HANDLER_PARKED) {
		ts.tv_sec = cfg.hub_interval_ms / 1000;
		ts.tv_nsec = (long)(cfg.hub_interval_ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		rc = serve_resume(r);
	}
	serve_flush(r);
	fflush(stdout);
	db_free(r->db);
	serve_free(r);
	return 0;
}

static int
open_listener(void)
{
	if (cfg.listen[0] == '\0')
		return 0;	/* spawn-fcgi or socket activation: fd 0 */
	unlink(cfg.listen);
	if ((listen_fd = FCGX_OpenSocket(cfg.listen, 4096)) < 0) {
		log_err(NULL, "cannot listen on %s", cfg.listen);
		return -1;
	}
	/* nginx workers run as another user (STACK-NOTES 3). */
	chmod(cfg.listen, 0666);
	return 0;
}

static int
serve_fastcgi(void)
{
	pthread_t	*threads;
	sigset_t	 sigs;
	struct db	*db;
	int		 i, sig;

	/* Signals go to sigwait() below, not to a random thread. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (open_listener() == -1)
		return 1;
	/* Pending migrations, once across concurrent starts (named lock). A
	 * database that is down now is not fatal: requests get 503 until it
	 * is back. */
	if ((db = db_new()) != NULL) {
		if (db_migrate(db, cfg.schema, NULL) == -1)
			log_warn(NULL, "migrations not applied (database down?)");
		db_free(db);
	}
	if (hub_start() == -1) {
		log_err(NULL, "cannot start the hub");
		return 1;
	}
	if ((threads = calloc((size_t)cfg.threads, sizeof(*threads))) == NULL)
		return 1;
	for (i = 0; i < cfg.threads; i++)
		if (pthread_create(&threads[i], NULL, accept_main, NULL) != 0) {
			log_err(NULL, "cannot start thread %d", i);
			return 1;
		}
	log_info(NULL, "serving on %s with %d threads, up to %d parked polls",
	    cfg.listen[0] ? cfg.listen : "fd 0", cfg.threads, cfg.max_parked);

	do
		sigwait(&sigs, &sig);
	while (sig == SIGHUP || sig == SIGUSR1);
	log_info(NULL, "signal %d: stopping", sig);
	stopping = 1;
	/* Wakes every thread blocked in accept(). */
	shutdown(listen_fd, SHUT_RDWR);
	for (i = 0; i < cfg.threads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	hub_stop();
	if (cfg.listen[0] != '\0')
		unlink(cfg.listen);
	log_info(NULL, "stopped");
	return 0;
}

int
main(int argc, char **argv)
{
	int rc;

	if (argc >= 2 && strcmp(argv[1], "serve") != 0)
		return cli_main(argc, argv);
	if (config_load() == -1)
		return 1;
	log_set_node(cfg.node);
	if (auth_init() == -1 || db_library_init() == -1 ||
	    html_load(cfg.templates) == -1)
		return 1;
	/* Before any thread: jansson's lazy hash seed is not thread-safe. */
	json_object_seed(0);
	if (FCGX_Init() != 0)
		return 1;
	if (cfg.listen[0] == '\0' && FCGX_IsCGI())
		rc = serve_cgi();
	else
		rc = serve_fastcgi();
	html_unload();
	db_library_end();
	return rc;
}
