/*
 * main.c - todo-api entry point: options, startup, signals and shutdown.
 *
 * Reads options (command line over environment over defaults), opens the
 * SQLite store, starts libmicrohttpd with an internal epoll thread pool and
 * waits for SIGINT/SIGTERM. The stop signals are blocked in every thread
 * before the daemon starts and main collects them with sigwait(), so there is
 * no signal handler and no global mutable state at all. Shutdown stops the
 * daemon (joining its threads) before the database is closed.
 */
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>

#include "db.h"
#include "routes.h"

#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_DB "todo.db"

enum { DEFAULT_PORT = 3001, DEFAULT_THREADS = 2, MAX_THREADS = 64, CONNECTION_TIMEOUT_S = 30 };
enum { EXIT_USAGE = 2 };

typedef struct options {
    const char *host;
    const char *db_path;
    unsigned port;
    unsigned threads;
    bool quiet;
} options;

static void print_usage(FILE *out)
{
    fprintf(out,
            "Usage: todo-api [OPTIONS]\n"
            "REST todo API (GET/POST /todos, GET/PUT/PATCH/DELETE /todos/{id}, GET /healthz)\n"
            "backed by SQLite. Request bodies are JSON objects of at most 64 KiB sent with\n"
            "Content-Type: application/json; members other than title and completed are ignored.\n\n"
            "Options (the command line overrides the environment):\n"
            "  --port N      TCP port, 0 picks a free one (env PORT, default %d)\n"
            "  --host ADDR   address to bind, e.g. 127.0.0.1 or ::1 (env HOST, default %s)\n"
            "  --db PATH     SQLite database file, or :memory: (env TODO_DB, default %s)\n"
            "  --threads N   HTTP worker threads, 1-%d (default %d)\n"
            "  --quiet       no per-request log lines (startup line and errors still go to stderr)\n"
            "  --help        show this help and exit\n",
            DEFAULT_PORT, DEFAULT_HOST, DEFAULT_DB, MAX_THREADS, DEFAULT_THREADS);
}

static bool parse_unsigned(const char *text, unsigned min, unsigned max, unsigned *out)
{
    char *end = NULL;
    if (text == NULL || *text < '0' || *text > '9')
        return false;
    unsigned long value = strtoul(text, &end, 10);
    if (*end != '\0' || value < min || value > max)
        return false;
    *out = (unsigned)value;
    return true;
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *value = getenv(name);
    return value != NULL && *value != '\0' ? value : fallback;
}

static int option_error(const char *name, const char *value)
{
    fprintf(stderr, "todo-api: invalid value for %s: '%s' (see --help)\n", name, value);
    return -1;
}

/* Returns 0 to run, 1 when --help was printed, -1 on a usage error. */
static int parse_options(int argc, char **argv, options *opts)
{
    enum { OPT_PORT = 256, OPT_HOST, OPT_DB, OPT_THREADS, OPT_QUIET, OPT_HELP };
    static const struct option long_options[] = {
        { "port", required_argument, NULL, OPT_PORT },
        { "host", required_argument, NULL, OPT_HOST },
        { "db", required_argument, NULL, OPT_DB },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "quiet", no_argument, NULL, OPT_QUIET },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    const char *port = env_or("PORT", NULL);
    *opts = (options){ .host = env_or("HOST", DEFAULT_HOST), .db_path = env_or("TODO_DB", DEFAULT_DB),
                       .port = DEFAULT_PORT, .threads = DEFAULT_THREADS };
    if (port != NULL && !parse_unsigned(port, 0, 65535, &opts->port))
        return option_error("PORT", port);
    int opt;
    while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        switch (opt) {
        case OPT_PORT:
            if (!parse_unsigned(optarg, 0, 65535, &opts->port))
                return option_error("--port", optarg);
            break;
        case OPT_HOST: opts->host = optarg; break;
        case OPT_DB: opts->db_path = optarg; break;
        case OPT_THREADS:
            if (!parse_unsigned(optarg, 1, MAX_THREADS, &opts->threads))
                return option_error("--threads", optarg);
            break;
        case OPT_QUIET: opts->quiet = true; break;
        case 'h':
        case OPT_HELP: print_usage(stdout); return 1;
        default: print_usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "todo-api: unexpected argument '%s' (see --help)\n", argv[optind]);
        return -1;
    }
    return 0;
}

/* Resolves host (numeric address or name) into addr with port set. */
static int resolve_bind_address(const char *host, unsigned port, struct sockaddr_storage *addr)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE };
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(host, NULL, &hints, &found);
    if (rc != 0) {
        fprintf(stderr, "todo-api: cannot resolve host '%s': %s\n", host, gai_strerror(rc));
        return -1;
    }
    memset(addr, 0, sizeof *addr);
    memcpy(addr, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    if (addr->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)addr)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)addr)->sin_port = htons((uint16_t)port);
    return 0;
}

static void log_mhd_message(void *cls, const char *format, va_list args)
{
    fputs("todo-api: http: ", stderr);
    vfprintf(stderr, format, args);
}

static struct MHD_Daemon *start_daemon(const options *opts, const struct sockaddr_storage *addr,
                                       routes_config *routes)
{
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (addr->ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    return MHD_start_daemon(flags, (uint16_t)opts->port, NULL, NULL,
                            routes_access_handler, routes,
                            /* the logger must come first to catch every message */
                            MHD_OPTION_EXTERNAL_LOGGER, log_mhd_message, NULL,
                            MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)opts->threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_TIMEOUT_S,
                            MHD_OPTION_NOTIFY_COMPLETED, routes_request_completed, routes,
                            MHD_OPTION_END);
}

static unsigned bound_port(struct MHD_Daemon *daemon, unsigned requested)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info != NULL && info->port != 0 ? info->port : requested;
}

static void print_startup_line(const options *opts, int family, unsigned port)
{
    const char *open = family == AF_INET6 ? "[" : "";
    const char *close = family == AF_INET6 ? "]" : "";
    fprintf(stderr, "todo-api listening on http://%s%s%s:%u (db: %s)\n", open, opts->host, close,
            port, opts->db_path);
}

int main(int argc, char **argv)
{
    options opts;
    struct sockaddr_storage addr;
    char error[512];

    int parsed = parse_options(argc, argv, &opts);
    if (parsed != 0)
        return parsed > 0 ? EXIT_SUCCESS : EXIT_USAGE;
    if (resolve_bind_address(opts.host, opts.port, &addr) != 0)
        return EXIT_USAGE;

    /* Block the stop signals before any thread exists so that every thread
     * inherits the mask and only sigwait() below receives them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    todo_db *db = todo_db_open(opts.db_path, error, sizeof error);
    if (db == NULL) {
        fprintf(stderr, "todo-api: cannot open database '%s': %s\n", opts.db_path, error);
        return EXIT_FAILURE;
    }
    routes_config routes = { .db = db, .log_requests = !opts.quiet };
    struct MHD_Daemon *daemon = start_daemon(&opts, &addr, &routes);
    if (daemon == NULL) {
        fprintf(stderr, "todo-api: cannot listen on %s port %u\n", opts.host, opts.port);
        todo_db_close(db);
        return EXIT_FAILURE;
    }
    print_startup_line(&opts, addr.ss_family, bound_port(daemon, opts.port));

    int signal_number = 0;
    if (sigwait(&stop_signals, &signal_number) != 0)
        fprintf(stderr, "todo-api: sigwait failed; shutting down\n");
    else if (!opts.quiet)
        fprintf(stderr, "todo-api: %s received, shutting down\n", strsignal(signal_number));

    MHD_stop_daemon(daemon); /* joins the worker threads: no request runs after this */
    todo_db_close(db);
    return EXIT_SUCCESS;
}
