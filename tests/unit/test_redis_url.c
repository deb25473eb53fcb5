/* store/redis_url: the Redis URL and options. Credentials are %-decoded
 * (user only with a password), /db must be a number, TLS options need
 * rediss://, unknown query parameters and bad files are refused with a
 * message that never holds the password; an unreachable Redis does not
 * fail mcp_store_redis_open_opts (it connects later) but is unhealthy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mcp/error.h>

#include "store/redis_internal.h"

static int parse(mcp__redis_config *cfg, const char *url, char *err, size_t errlen)
{
    return mcp__redis_config_parse(cfg, url, NULL, err, errlen);
}

static void test_host_port_db_defaults(void **state)
{
    (void)state;
    mcp__redis_config cfg;
    char err[256] = "";
    assert_int_equal(parse(&cfg, "redis://cache.local", err, sizeof err), 0);
    assert_string_equal(cfg.host, "cache.local");
    assert_int_equal(cfg.port, 6379);
    assert_int_equal(cfg.db, 0);
    assert_null(cfg.user);
    assert_null(cfg.password);
    assert_false(cfg.tls);
    assert_int_equal(cfg.connect_timeout_ms, 500);
    assert_int_equal(cfg.command_timeout_ms, 1000);
    mcp__redis_config_clear(&cfg);

    assert_int_equal(parse(&cfg, "redis://127.0.0.1:7000/12", err, sizeof err), 0);
    assert_int_equal(cfg.port, 7000);
    assert_int_equal(cfg.db, 12);
    mcp__redis_config_clear(&cfg);

    assert_int_equal(parse(&cfg, "redis://[::1]:6380/", err, sizeof err), 0);
    assert_string_equal(cfg.host, "::1");
    assert_int_equal(cfg.port, 6380);
    mcp__redis_config_clear(&cfg);
}

static void test_credentials_are_percent_decoded(void **state)
{
    (void)state;
    mcp__redis_config cfg;
    char err[256] = "";
    assert_int_equal(parse(&cfg, "redis://:p%40ss%3Aw%2Frd%25@h:1/2", err, sizeof err), 0);
    assert_null(cfg.user);                          /* requirepass: AUTH password */
    assert_string_equal(cfg.password, "p@ss:w/rd%");
    assert_string_equal(cfg.host, "h");
    assert_int_equal(cfg.db, 2);
    mcp__redis_config_clear(&cfg);

    assert_int_equal(parse(&cfg, "redis://mcp%2Dapp:s%20cret@h", err, sizeof err), 0);
    assert_string_equal(cfg.user, "mcp-app");      /* ACL user: AUTH user password */
    assert_string_equal(cfg.password, "s cret");
    mcp__redis_config_clear(&cfg);

    /* the last '@' ends the credentials */
    assert_int_equal(parse(&cfg, "redis://:a@b@h", err, sizeof err), 0);
    assert_string_equal(cfg.password, "a@b");
    assert_string_equal(cfg.host, "h");
    mcp__redis_config_clear(&cfg);
}

static void test_bad_urls_are_refused_with_a_message(void **state)
{
    (void)state;
    static const char *bad[] = {
        NULL, "", "http://h", "redis://", "redis://:6379", "redis://h:0", "redis://h:70000", "redis://h:",
        "redis://h:12x", "redis://h/x", "redis://h/1/2", "redis://u@h", "redis://:%zz@h", "redis://:%4@h",
        "redis://:p%00@h", "redis://h?ca=/x", "redis://h?sni=n", "rediss://h?foo=1", "rediss://h?ca",
        "rediss://h?ca=", "rediss://h?cert=/nonexistent.pem", "rediss://h?ca=/nonexistent-ca.pem",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mcp__redis_config cfg;
        char err[256] = "";
        int rc = parse(&cfg, bad[i], err, sizeof err);
        if (rc != -MCP_EINVAL)
            fail_msg("'%s' parsed (rc %d)", bad[i] ? bad[i] : "(null)", rc);
        if (!err[0])
            fail_msg("'%s': no message", bad[i] ? bad[i] : "(null)");
    }
}

static void test_messages_never_show_the_password(void **state)
{
    (void)state;
    static const char *urls[] = {
        "redis://:hunter2@h:99999", "redis://u:hunter2@h/notanumber", "redis://u:hunter2@h?ca=/x",
        "rediss://:hunter2@h?ca=/nonexistent-ca.pem",
    };
    for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
        mcp__redis_config cfg;
        char err[256] = "";
        assert_int_equal(parse(&cfg, urls[i], err, sizeof err), -MCP_EINVAL);
        assert_null(strstr(err, "hunter2"));
    }
}

static void test_tls_options_and_defaults(void **state)
{
    (void)state;
    mcp__redis_config cfg;
    char err[256] = "";
    assert_int_equal(parse(&cfg, "rediss://redis.example:6380", err, sizeof err), 0);
    assert_true(cfg.tls);
    assert_non_null(cfg.ssl);
    assert_string_equal(cfg.server_name, "redis.example");   /* verified name defaults to the host */
    mcp__redis_config_clear(&cfg);

    assert_int_equal(parse(&cfg, "rediss://10.0.0.5/0?sni=cache.internal", err, sizeof err), 0);
    assert_string_equal(cfg.server_name, "cache.internal");
    mcp__redis_config_clear(&cfg);

    /* options win over the URL, and need rediss:// as well */
    mcp_store_redis_options o;
    mcp_store_redis_options_init(&o);
    o.server_name = "from-options";
    o.command_timeout_ms = 250;
    assert_int_equal(mcp__redis_config_parse(&cfg, "rediss://h?sni=from-url", &o, err, sizeof err), 0);
    assert_string_equal(cfg.server_name, "from-options");
    assert_int_equal(cfg.command_timeout_ms, 250);
    mcp__redis_config_clear(&cfg);
    assert_int_equal(mcp__redis_config_parse(&cfg, "redis://h", &o, err, sizeof err), -MCP_EINVAL);
    assert_non_null(strstr(err, "rediss://"));

    mcp_store_redis_options_init(&o);
    o.cert_file = "/nonexistent.pem";     /* a certificate without its key */
    assert_int_equal(mcp__redis_config_parse(&cfg, "rediss://h", &o, err, sizeof err), -MCP_EINVAL);
    assert_non_null(strstr(err, "key"));
}

/* Uniform options: _init fills the documented defaults, and a zeroed
 * struct (0/NULL in every field) means the same. */
static void test_options_init_and_zero_mean_defaults(void **state)
{
    (void)state;
    mcp_store_redis_options o;
    memset(&o, 0x5a, sizeof o);
    mcp_store_redis_options_init(&o);
    assert_null(o.ca_file);
    assert_null(o.cert_file);
    assert_null(o.key_file);
    assert_null(o.server_name);
    assert_int_equal(o.connect_timeout_ms, 500);
    assert_int_equal(o.command_timeout_ms, 1000);
    mcp_store_redis_options_init(NULL);   /* harmless */

    mcp__redis_config cfg;
    char err[256] = "";
    memset(&o, 0, sizeof o);
    assert_int_equal(mcp__redis_config_parse(&cfg, "rediss://h", &o, err, sizeof err), 0);
    assert_int_equal(cfg.connect_timeout_ms, 500);
    assert_int_equal(cfg.command_timeout_ms, 1000);
    assert_string_equal(cfg.server_name, "h");
    mcp__redis_config_clear(&cfg);
}

static void test_unreachable_redis_opens_but_is_unhealthy(void **state)
{
    (void)state;
    mcp_store *st = NULL;
    char err[256] = "x";
    /* port 1 on loopback: refused at once */
    assert_int_equal(mcp_store_redis_open_opts("redis://:pw@127.0.0.1:1/0", NULL, &st, err, sizeof err), 0);
    assert_non_null(st);
    assert_string_equal(err, "");
    assert_false(mcp_store_healthy(st));
    mcp_store_free(st);

    assert_int_equal(mcp_store_redis_open("redis://h/x", &st), -MCP_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_port_db_defaults),
        cmocka_unit_test(test_credentials_are_percent_decoded),
        cmocka_unit_test(test_bad_urls_are_refused_with_a_message),
        cmocka_unit_test(test_messages_never_show_the_password),
        cmocka_unit_test(test_tls_options_and_defaults),
        cmocka_unit_test(test_options_init_and_zero_mean_defaults),
        cmocka_unit_test(test_unreachable_redis_opens_but_is_unhealthy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
