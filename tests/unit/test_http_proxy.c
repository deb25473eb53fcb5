/* transport/http_proxy: the trusted-proxy list (addresses and CIDRs, IPv4
 * and IPv6, IPv4-mapped peers) that decides whether Forwarded and
 * X-Forwarded-* are believed (production.md §2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include <mcp/error.h>

#include "transport/http_proxy.h"

static bool trusted(const mcp__proxy_list *l, const char *addr)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1)
        a4->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1)
        a6->sin6_family = AF_INET6;
    else
        fail_msg("bad test address %s", addr);
    return mcp__proxy_trusted(l, (const struct sockaddr *)&ss);
}

static void test_single_addresses_match_exactly(void **state)
{
    (void)state;
    mcp__proxy_list *l = NULL;
    assert_int_equal(mcp__proxy_list_parse("127.0.0.1, ::1", &l), 0);
    assert_true(trusted(l, "127.0.0.1"));
    assert_true(trusted(l, "::1"));
    assert_false(trusted(l, "127.0.0.2"));
    assert_false(trusted(l, "::2"));
    mcp__proxy_list_free(l);
}

static void test_cidrs_cover_their_range_only(void **state)
{
    (void)state;
    mcp__proxy_list *l = NULL;
    assert_int_equal(mcp__proxy_list_parse("10.0.0.0/8,192.168.4.0/22,2001:db8::/32,172.16.0.1/31", &l), 0);
    assert_true(trusted(l, "10.255.1.2"));
    assert_false(trusted(l, "11.0.0.1"));
    assert_true(trusted(l, "192.168.7.255"));
    assert_false(trusted(l, "192.168.8.0"));
    assert_true(trusted(l, "2001:db8:ffff::1"));
    assert_false(trusted(l, "2001:db9::1"));
    assert_true(trusted(l, "172.16.0.0"));
    assert_false(trusted(l, "172.16.0.2"));
    mcp__proxy_list_free(l);
}

static void test_ipv4_mapped_peers_match_ipv4_entries(void **state)
{
    (void)state;
    mcp__proxy_list *l = NULL;
    assert_int_equal(mcp__proxy_list_parse("127.0.0.0/8", &l), 0);
    assert_true(trusted(l, "::ffff:127.0.0.1"));
    assert_false(trusted(l, "::ffff:10.0.0.1"));
    mcp__proxy_list_free(l);
}

static void test_zero_prefix_trusts_everything_of_its_family(void **state)
{
    (void)state;
    mcp__proxy_list *l = NULL;
    assert_int_equal(mcp__proxy_list_parse("0.0.0.0/0", &l), 0);
    assert_true(trusted(l, "203.0.113.9"));
    assert_false(trusted(l, "2001:db8::1"));
    mcp__proxy_list_free(l);
}

static void test_empty_or_null_list_trusts_nobody(void **state)
{
    (void)state;
    mcp__proxy_list *l = NULL;
    assert_int_equal(mcp__proxy_list_parse(NULL, &l), 0);
    assert_false(trusted(l, "127.0.0.1"));
    mcp__proxy_list_free(l);
    assert_int_equal(mcp__proxy_list_parse(" , ", &l), 0);
    assert_false(trusted(l, "127.0.0.1"));
    mcp__proxy_list_free(l);
    assert_false(mcp__proxy_trusted(NULL, NULL));
}

static void test_malformed_entries_are_rejected(void **state)
{
    (void)state;
    const char *bad[] = { "localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8x", "1.2.3",
                          "127.0.0.1,nope", "10.0.0.0/-1", "[::1]" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mcp__proxy_list *l = (mcp__proxy_list *)1;
        assert_int_equal(mcp__proxy_list_parse(bad[i], &l), -MCP_EINVAL);
        assert_null(l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_addresses_match_exactly),
        cmocka_unit_test(test_cidrs_cover_their_range_only),
        cmocka_unit_test(test_ipv4_mapped_peers_match_ipv4_entries),
        cmocka_unit_test(test_zero_prefix_trusts_everything_of_its_family),
        cmocka_unit_test(test_empty_or_null_list_trusts_nobody),
        cmocka_unit_test(test_malformed_entries_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
