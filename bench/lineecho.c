/* lineecho - the pipe round-trip limit for the stdio benchmark: answers every
 * line on stdin with one fixed JSON-RPC reply (the size of libmcp's echo
 * reply) without parsing it. Exits when stdin closes. */
#include <string.h>
#include <unistd.h>

static const char REPLY[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hello\"}]}}\n";

int main(void)
{
    static char buf[1 << 16];
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n <= 0)
            return 0;
        for (char *p = buf, *end = buf + n; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
            for (size_t off = 0; off < sizeof REPLY - 1;) {
                ssize_t w = write(1, REPLY + off, sizeof REPLY - 1 - off);
                if (w <= 0)
                    return 1;
                off += (size_t)w;
            }
    }
}
