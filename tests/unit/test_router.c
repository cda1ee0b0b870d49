/* Route matching (src/gateway/router.c): exact, wildcard, longest match, 404. */
#include "wg_test.h"

#include "gateway/router.h"

static wg_app_route R(const char *route, const char *prefix, bool wildcard) {
    wg_app_route r;
    memset(&r, 0, sizeof r);
    r.route = (char *)route;
    r.prefix = (char *)prefix;
    r.wildcard = wildcard;
    return r;
}

/* Matches path; returns the route index or -1, and the PATH_INFO in *info. */
static long match(const wg_router *rt, const char *path, const char **info) {
    wg_router_match m;
    if (!wg__router_match(rt, path, &m)) return -1;
    if (info) *info = m.path_info;
    return (long)m.index;
}

WG_TEST(exact_routes_match_only_themselves) {
    wg_app_route routes[] = {R("/hello", "/hello", false), R("/", "/", false)};
    wg_router *rt = wg__router_new(routes, 2);
    CHECK(rt != NULL);
    const char *info = NULL;
    CHECK_EQ_INT(match(rt, "/hello", &info), 0);
    CHECK(info && strcmp(info, "") == 0);
    CHECK_EQ_INT(match(rt, "/", NULL), 1);
    CHECK_EQ_INT(match(rt, "/hello/", NULL), -1);
    CHECK_EQ_INT(match(rt, "/hello/x", NULL), -1);
    CHECK_EQ_INT(match(rt, "/hell", NULL), -1);
    CHECK_EQ_INT(match(rt, "/HELLO", NULL), -1);
    CHECK_EQ_INT(match(rt, "/x", NULL), -1);
    CHECK_EQ_INT(match(rt, "", NULL), -1);
    wg__router_free(rt);
}

WG_TEST(wildcard_matches_prefix_and_below_not_siblings) {
    wg_app_route routes[] = {R("/static/...", "/static", true)};
    wg_router *rt = wg__router_new(routes, 1);
    const char *info = NULL;
    CHECK_EQ_INT(match(rt, "/static", &info), 0);
    CHECK(strcmp(info, "") == 0);
    CHECK_EQ_INT(match(rt, "/static/", &info), 0);
    CHECK(strcmp(info, "/") == 0);
    CHECK_EQ_INT(match(rt, "/static/a/b.css", &info), 0);
    CHECK(strcmp(info, "/a/b.css") == 0);
    CHECK_EQ_INT(match(rt, "/staticx", NULL), -1);
    CHECK_EQ_INT(match(rt, "/stati", NULL), -1);
    CHECK_EQ_INT(match(rt, "/other/static/x", NULL), -1);
    wg__router_free(rt);
}

WG_TEST(root_wildcard_matches_everything_with_whole_path_info) {
    wg_app_route routes[] = {R("/...", "", true)};
    wg_router *rt = wg__router_new(routes, 1);
    const char *info = NULL;
    CHECK_EQ_INT(match(rt, "/", &info), 0);
    CHECK(strcmp(info, "/") == 0);
    CHECK_EQ_INT(match(rt, "/a/b", &info), 0);
    CHECK(strcmp(info, "/a/b") == 0);
    wg__router_free(rt);
}

WG_TEST(longest_match_wins_in_any_order) {
    /* Listed shortest first on purpose: order in the manifest must not matter. */
    wg_app_route routes[] = {
        R("/...", "", true),
        R("/api/...", "/api", true),
        R("/api/v1/...", "/api/v1", true),
        R("/api/v1/users", "/api/v1/users", false),
        R("/api/v1/users/...", "/api/v1/users", true),
    };
    wg_router *rt = wg__router_new(routes, 5);
    const char *info = NULL;
    CHECK_EQ_INT(match(rt, "/index.html", NULL), 0);
    CHECK_EQ_INT(match(rt, "/api", NULL), 1);
    CHECK_EQ_INT(match(rt, "/api/v2/x", &info), 1);
    CHECK(strcmp(info, "/v2/x") == 0);
    CHECK_EQ_INT(match(rt, "/api/v1", NULL), 2);
    CHECK_EQ_INT(match(rt, "/api/v1/orders", &info), 2);
    CHECK(strcmp(info, "/orders") == 0);
    /* exact beats the wildcard of the same prefix */
    CHECK_EQ_INT(match(rt, "/api/v1/users", &info), 3);
    CHECK(strcmp(info, "") == 0);
    CHECK_EQ_INT(match(rt, "/api/v1/users/42", &info), 4);
    CHECK(strcmp(info, "/42") == 0);
    /* a sibling sharing a string prefix falls back to the shorter route */
    CHECK_EQ_INT(match(rt, "/api/v1usersx", NULL), 1);
    wg__router_free(rt);
}

WG_TEST(no_routes_means_404) {
    wg_router *rt = wg__router_new(NULL, 0);
    CHECK(rt != NULL);
    CHECK_EQ_INT(match(rt, "/", NULL), -1);
    CHECK_EQ_INT(match(rt, "/anything", NULL), -1);
    wg__router_free(rt);
    wg__router_free(NULL);
}

WG_TEST(paths_compare_bytewise_without_normalising) {
    wg_app_route routes[] = {R("/a/...", "/a", true), R("/b", "/b", false)};
    wg_router *rt = wg__router_new(routes, 2);
    const char *info = NULL;
    CHECK_EQ_INT(match(rt, "/a/../b", &info), 0); /* no dot-segment removal */
    CHECK(strcmp(info, "/../b") == 0);
    CHECK_EQ_INT(match(rt, "//b", NULL), -1);
    CHECK_EQ_INT(match(rt, "/b?x", NULL), -1);    /* the query is split off before */
    wg__router_free(rt);
}

WG_TEST_MAIN()
