/* The WAGI protocol (src/gateway/wagi.c): environment, argv, stdout parsing. */
#include "wg_test.h"

#include <stdlib.h>

#include "gateway/wagi.h"

#define CHECK_STR(a, b)                                                           \
    do {                                                                          \
        const char *x_ = (a), *y_ = (b);                                          \
        if (!x_ || strcmp(x_, y_) != 0) {                                         \
            char m_[600];                                                         \
            snprintf(m_, sizeof m_, "%s == \"%s\" (got \"%s\")", #a, y_,          \
                     x_ ? x_ : "(null)");                                         \
            wg_test_fail(__FILE__, __LINE__, m_);                                 \
        }                                                                         \
    } while (0)

static wg_app_route route(const char *r, const char *prefix, bool wildcard) {
    wg_app_route rt;
    memset(&rt, 0, sizeof rt);
    rt.route = (char *)r;
    rt.prefix = (char *)prefix;
    rt.wildcard = wildcard;
    return rt;
}

static wg_wagi_request request(const wg_app_route *rt, const char *raw_path, char *decoded,
                               size_t prefix_len, const char *query) {
    wg_wagi_request rq;
    memset(&rq, 0, sizeof rq);
    rq.method = "POST";
    rq.raw_path = raw_path;
    wg__wagi_url_decode(raw_path, strlen(raw_path), decoded);
    rq.path = decoded;
    rq.query = query;
    rq.route = rt;
    rq.prefix_len = prefix_len;
    rq.scheme = "http";
    rq.server_name = "example.com";
    rq.server_port = "3000";
    rq.remote_addr = "10.1.2.3";
    return rq;
}

WG_TEST(env_has_every_cgi_and_wagi_variable) {
    wg_app_route rt = route("/static/...", "/static", true);
    char dec[128];
    wg_wagi_header hs[] = {
        {"Host", "example.com:3000"},     {"User-Agent", "curl/8"},
        {"X-Multi", "a"},                 {"Authorization", "Basic dXNlcjpzM2NyZXQ="},
        {"Connection", "keep-alive"},     {"x-multi", "b"},
        {"Proxy", "http://evil:1"},       {"Accept-Encoding", "gzip"},
    };
    wg_wagi_request rq = request(&rt, "/static/a%20b/c%2Fd", dec, 7, "x=1&y=%41");
    rq.content_length = 11;
    rq.content_type = "text/plain";
    rq.authorization = hs[3].value;
    rq.headers = hs;
    rq.nheaders = sizeof hs / sizeof *hs;
    wg_wagi_strs env = {0};
    CHECK(wg__wagi_build_env(&rq, &env));
    CHECK_STR(wg__wagi_env_get(&env, "REQUEST_METHOD"), "POST");
    CHECK_STR(wg__wagi_env_get(&env, "QUERY_STRING"), "x=1&y=%41");
    CHECK_STR(wg__wagi_env_get(&env, "CONTENT_LENGTH"), "11");
    CHECK_STR(wg__wagi_env_get(&env, "CONTENT_TYPE"), "text/plain");
    CHECK_STR(wg__wagi_env_get(&env, "PATH_INFO"), "/a b/c/d");
    CHECK_STR(wg__wagi_env_get(&env, "X_RAW_PATH_INFO"), "/a%20b/c%2Fd");
    CHECK_STR(wg__wagi_env_get(&env, "PATH_TRANSLATED"), "/a b/c/d");
    CHECK_STR(wg__wagi_env_get(&env, "SCRIPT_NAME"), "/static");
    CHECK_STR(wg__wagi_env_get(&env, "X_COMPONENT_ROUTE"), "/static");
    CHECK_STR(wg__wagi_env_get(&env, "X_MATCHED_ROUTE"), "/static/...");
    CHECK_STR(wg__wagi_env_get(&env, "X_BASE_PATH"), "/");
    CHECK_STR(wg__wagi_env_get(&env, "X_FULL_URL"),
              "http://example.com:3000/static/a%20b/c%2Fd?x=1&y=%41");
    CHECK_STR(wg__wagi_env_get(&env, "SERVER_NAME"), "example.com");
    CHECK_STR(wg__wagi_env_get(&env, "SERVER_PORT"), "3000");
    CHECK_STR(wg__wagi_env_get(&env, "SERVER_PROTOCOL"), "HTTP/1.1");
    CHECK_STR(wg__wagi_env_get(&env, "SERVER_SOFTWARE"), "wasmgate/" WG_VERSION);
    CHECK_STR(wg__wagi_env_get(&env, "GATEWAY_INTERFACE"), "CGI/1.1");
    CHECK_STR(wg__wagi_env_get(&env, "REMOTE_ADDR"), "10.1.2.3");
    CHECK_STR(wg__wagi_env_get(&env, "REMOTE_HOST"), "10.1.2.3");
    CHECK_STR(wg__wagi_env_get(&env, "AUTH_TYPE"), "Basic");
    CHECK_STR(wg__wagi_env_get(&env, "REMOTE_USER"), "user");
    CHECK_STR(wg__wagi_env_get(&env, "HTTP_HOST"), "example.com:3000");
    CHECK_STR(wg__wagi_env_get(&env, "HTTP_USER_AGENT"), "curl/8");
    CHECK_STR(wg__wagi_env_get(&env, "HTTP_X_MULTI"), "a, b");
    CHECK_STR(wg__wagi_env_get(&env, "HTTP_ACCEPT_ENCODING"), "gzip");
    CHECK(wg__wagi_env_get(&env, "HTTP_AUTHORIZATION") == NULL);
    CHECK(wg__wagi_env_get(&env, "HTTP_CONNECTION") == NULL);
    CHECK(wg__wagi_env_get(&env, "HTTP_PROXY") == NULL);
    /* every name appears once */
    for (size_t i = 0; i < env.n; i += 2)
        for (size_t j = i + 2; j < env.n; j += 2)
            CHECK(strcmp(wg__wagi_strs_at(&env, i), wg__wagi_strs_at(&env, j)) != 0);
    wg__wagi_strs_free(&env);
}

WG_TEST(env_for_exact_route_without_auth) {
    wg_app_route rt = route("/hello", "/hello", false);
    char dec[64];
    wg_wagi_request rq = request(&rt, "/hello", dec, 6, "");
    rq.method = "GET";
    rq.protocol = "HTTP/1.0";
    wg_wagi_strs env = {0};
    CHECK(wg__wagi_build_env(&rq, &env));
    CHECK_STR(wg__wagi_env_get(&env, "PATH_INFO"), "");
    CHECK_STR(wg__wagi_env_get(&env, "X_RAW_PATH_INFO"), "");
    CHECK_STR(wg__wagi_env_get(&env, "SCRIPT_NAME"), "/hello");
    CHECK_STR(wg__wagi_env_get(&env, "CONTENT_LENGTH"), "0");
    CHECK_STR(wg__wagi_env_get(&env, "CONTENT_TYPE"), "");
    CHECK_STR(wg__wagi_env_get(&env, "AUTH_TYPE"), "");
    CHECK_STR(wg__wagi_env_get(&env, "REMOTE_USER"), "");
    CHECK_STR(wg__wagi_env_get(&env, "SERVER_PROTOCOL"), "HTTP/1.0");
    CHECK_STR(wg__wagi_env_get(&env, "X_FULL_URL"), "http://example.com:3000/hello");
    wg__wagi_strs_free(&env);
}

WG_TEST(env_bearer_auth_and_ipv6_url) {
    wg_app_route rt = route("/...", "", true);
    char dec[64];
    wg_wagi_request rq = request(&rt, "/x", dec, 0, "");
    rq.authorization = "Bearer abc.def";
    rq.server_name = "::1";
    wg_wagi_strs env = {0};
    CHECK(wg__wagi_build_env(&rq, &env));
    CHECK_STR(wg__wagi_env_get(&env, "AUTH_TYPE"), "Bearer");
    CHECK_STR(wg__wagi_env_get(&env, "REMOTE_USER"), "");
    CHECK_STR(wg__wagi_env_get(&env, "PATH_INFO"), "/x");
    CHECK_STR(wg__wagi_env_get(&env, "SCRIPT_NAME"), "");
    CHECK_STR(wg__wagi_env_get(&env, "X_FULL_URL"), "http://[::1]:3000/x");
    wg__wagi_strs_free(&env);
}

/* Only a registered scheme name reaches AUTH_TYPE, in its registered
 * spelling; a bare credential or an unknown scheme gives "" and never leaks. */
WG_TEST(env_auth_type_never_carries_a_credential) {
    wg_app_route rt = route("/...", "", true);
    char dec[64];
    static const struct {
        const char *header, *auth_type, *user;
    } cases[] = {
        {"sk_live_SECRET", "", ""},
        {"  sk_live_SECRET  ", "", ""},
        {"Token sk_live_SECRET", "", ""},
        {"basic dXNlcjpwYXNz", "Basic", "user"},
        {"BEARER abc", "Bearer", ""},
        {"Negotiate", "Negotiate", ""},
        {"Digest username=\"u\"", "Digest", ""},
        {"Basicx dXNlcjpwYXNz", "", ""},
        {"", "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        wg_wagi_request rq = request(&rt, "/x", dec, 0, "");
        rq.authorization = cases[i].header;
        wg_wagi_strs env = {0};
        CHECK(wg__wagi_build_env(&rq, &env));
        CHECK_STR(wg__wagi_env_get(&env, "AUTH_TYPE"), cases[i].auth_type);
        CHECK_STR(wg__wagi_env_get(&env, "REMOTE_USER"), cases[i].user);
        for (size_t j = 1; j < env.n; j += 2)
            CHECK(strstr(wg__wagi_strs_at(&env, j), "sk_live") == NULL);
        wg__wagi_strs_free(&env);
    }
}

static void check_argv(const wg_app_route *rt, const char *query, const char *const *want,
                       size_t n) {
    wg_wagi_strs argv = {0};
    CHECK(wg__wagi_build_argv(rt, query, &argv));
    CHECK_EQ_INT(argv.n, n);
    for (size_t i = 0; i < n && i < argv.n; i++) CHECK_STR(wg__wagi_strs_at(&argv, i), want[i]);
    wg__wagi_strs_free(&argv);
}

WG_TEST(default_argv_is_script_name_and_decoded_query_items) {
    wg_app_route rt = route("/hello", "/hello", false);
    check_argv(&rt, "", (const char *[]){"/hello"}, 1);
    check_argv(&rt, "a=1&b=%20x%26y&&c+d", (const char *[]){"/hello", "a=1", "b= x&y", "c+d"}, 4);
    check_argv(&rt, "%zz&%4", (const char *[]){"/hello", "%zz", "%4"}, 3);
    wg_app_route wild = route("/api/...", "/api", true);
    check_argv(&wild, "x", (const char *[]){"/api", "x"}, 2);
}

WG_TEST(argv_template_substitutes_script_name_and_args) {
    wg_app_route rt = route("/t", "/t", false);
    char *tmpl[] = {"${SCRIPT_NAME}", "--verbose", "${ARGS}", "x=${ARGS}", "[${SCRIPT_NAME}]"};
    rt.argv = tmpl;
    rt.nargv = 5;
    check_argv(&rt, "a&b%21",
               (const char *[]){"/t", "--verbose", "a", "b!", "x=a b!", "[/t]"}, 6);
    check_argv(&rt, "", (const char *[]){"/t", "--verbose", "x=", "[/t]"}, 4);
    char *empty[] = {NULL};
    rt.argv = empty;
    rt.nargv = 0;
    check_argv(&rt, "a", NULL, 0); /* argv = "" in the manifest: an empty argv */
}

WG_TEST(url_decode_and_raw_suffix) {
    char out[64];
    CHECK_EQ_INT(wg__wagi_url_decode("%41%2f%", 7, out), 3);
    CHECK_STR(out, "A/%");
    CHECK_EQ_INT(wg__wagi_url_decode("a%00b", 5, out), 3);
    CHECK(out[1] == '\0' && out[2] == 'b');
    CHECK_STR(wg__wagi_raw_suffix("/a%2Fb/c", 3), "b/c");
    CHECK_STR(wg__wagi_raw_suffix("/a%2Fb/c", 0), "/a%2Fb/c");
    CHECK_STR(wg__wagi_raw_suffix("/ab", 10), "");
}

/* Parses text; returns the result and leaves the response in *r. */
static bool parse(const char *text, wg_wagi_response *r) {
    return wg__wagi_parse_output((const uint8_t *)text, strlen(text), r);
}

static const char *hdr(const wg_wagi_response *r, const char *name) {
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0) return r->headers[i].value;
    return NULL;
}

WG_TEST(parses_lf_and_crlf_headers) {
    wg_wagi_response r;
    const char *lf = "Content-Type: text/plain\nX-A:  spaced value \t\n\nHello\n";
    CHECK(parse(lf, &r));
    CHECK_EQ_INT(r.status, 200);
    CHECK_STR(hdr(&r, "content-type"), "text/plain");
    CHECK_STR(hdr(&r, "X-A"), "spaced value");
    CHECK_EQ_INT(r.body_len, 6);
    CHECK(memcmp(lf + r.body_off, "Hello\n", 6) == 0);
    wg__wagi_response_free(&r);

    const char *crlf = "content-type: text/html\r\nX-B: 1\r\n\r\n<p>\r\n\r\nafter";
    CHECK(parse(crlf, &r));
    CHECK_EQ_INT(r.status, 200);
    CHECK_STR(hdr(&r, "Content-Type"), "text/html");
    CHECK_STR(hdr(&r, "x-b"), "1");
    CHECK_EQ_INT(r.body_len, strlen("<p>\r\n\r\nafter"));
    wg__wagi_response_free(&r);

    /* Mixed: LF headers, CRLF blank line; and an empty body. */
    CHECK(parse("Content-Type: a/b\n\r\n", &r));
    CHECK_EQ_INT(r.body_len, 0);
    wg__wagi_response_free(&r);
}

WG_TEST(status_forms) {
    wg_wagi_response r;
    CHECK(parse("Status: 404 Not Found\nContent-Type: text/plain\n\nx", &r));
    CHECK_EQ_INT(r.status, 404);
    CHECK(hdr(&r, "status") == NULL); /* not sent as a header */
    wg__wagi_response_free(&r);
    CHECK(parse("STATUS: 201\n\n", &r));
    CHECK_EQ_INT(r.status, 201);
    wg__wagi_response_free(&r);
    CHECK(parse("status:503 busy\n\n", &r));
    CHECK_EQ_INT(r.status, 503);
    wg__wagi_response_free(&r);
    const char *bad[] = {"Status: 99\n\n",   "Status: 600\n\n", "Status: abc\n\n",
                         "Status: 2000\n\n", "Status: 100\n\n", "Status:\n\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(!parse(bad[i], &r));
        CHECK_EQ_INT(r.status, 500);
        CHECK_STR_CONTAINS(r.error, "status");
        wg__wagi_response_free(&r);
    }
}

WG_TEST(location_means_302_unless_status_given) {
    wg_wagi_response r;
    CHECK(parse("Location: /elsewhere\n\n", &r));
    CHECK_EQ_INT(r.status, 302);
    CHECK_STR(hdr(&r, "location"), "/elsewhere");
    wg__wagi_response_free(&r);
    CHECK(parse("Location: /x\nStatus: 301 Moved Permanently\n\n", &r));
    CHECK_EQ_INT(r.status, 301);
    wg__wagi_response_free(&r);
}

WG_TEST(missing_headers_and_missing_blank_line_fail) {
    wg_wagi_response r;
    CHECK(!parse("X-Only: 1\n\nbody", &r));
    CHECK_EQ_INT(r.status, 500);
    CHECK_STR_CONTAINS(r.error, "neither content-type, status nor location");
    wg__wagi_response_free(&r);
    CHECK(!parse("\nbody without headers", &r));
    CHECK_STR_CONTAINS(r.error, "neither");
    wg__wagi_response_free(&r);
    CHECK(!parse("Content-Type: text/plain\nHello, no blank line\n", &r));
    CHECK_STR_CONTAINS(r.error, "no blank line");
    wg__wagi_response_free(&r);
    CHECK(!parse("Content-Type: text/plain", &r));
    CHECK_STR_CONTAINS(r.error, "no blank line");
    wg__wagi_response_free(&r);
    CHECK(!wg__wagi_parse_output(NULL, 0, &r));
    CHECK_STR_CONTAINS(r.error, "nothing");
    wg__wagi_response_free(&r);
    CHECK(!parse("Hello world\n\n", &r));  /* not a header line */
    CHECK_STR_CONTAINS(r.error, "without a name");
    wg__wagi_response_free(&r);
}

WG_TEST(header_injection_is_refused) {
    wg_wagi_response r;
    /* A lone CR inside a value would end the header for some clients. */
    CHECK(!parse("Content-Type: text/plain\nX-User: a\rSet-Cookie: evil=1\n\n", &r));
    CHECK_STR_CONTAINS(r.error, "control character");
    CHECK(hdr(&r, "Set-Cookie") == NULL);
    wg__wagi_response_free(&r);
    /* Other control bytes, NUL, DEL. */
    CHECK(!parse("Content-Type: text/plain\nX: a\x01z\n\n", &r));
    wg__wagi_response_free(&r);
    CHECK(!wg__wagi_parse_output((const uint8_t *)"Content-Type: a\0b\n\nx", 20, &r));
    CHECK_STR_CONTAINS(r.error, "NUL");
    wg__wagi_response_free(&r);
    CHECK(!parse("Content-Type: text/plain\nX: a\x7f\n\n", &r));
    wg__wagi_response_free(&r);
    /* Obsolete line folding would glue a forged line to the previous header. */
    CHECK(!parse("Content-Type: text/plain\n Set-Cookie: evil=1\n\n", &r));
    CHECK_STR_CONTAINS(r.error, "folding");
    wg__wagi_response_free(&r);
    /* Names must be tokens. */
    CHECK(!parse("Content-Type: text/plain\nBad Name: x\n\n", &r));
    CHECK_STR_CONTAINS(r.error, "token");
    wg__wagi_response_free(&r);
    /* Tabs inside a value are fine. */
    CHECK(parse("Content-Type: text/plain\nX: a\tb\n\n", &r));
    CHECK_STR(hdr(&r, "X"), "a\tb");
    wg__wagi_response_free(&r);
}

WG_TEST(framing_headers_are_dropped) {
    wg_wagi_response r;
    CHECK(parse("Content-Type: text/plain\nContent-Length: 999\nTransfer-Encoding: chunked\n"
                "Connection: close\nX-Keep: 1\n\nabc",
                &r));
    CHECK(hdr(&r, "Content-Length") == NULL);
    CHECK(hdr(&r, "Transfer-Encoding") == NULL);
    CHECK(hdr(&r, "Connection") == NULL);
    CHECK_STR(hdr(&r, "X-Keep"), "1");
    CHECK_EQ_INT(r.ndropped, 3);
    CHECK_EQ_INT(r.body_len, 3);
    wg__wagi_response_free(&r);
}

WG_TEST(header_limits) {
    wg_wagi_response r;
    /* More than WG_WAGI_MAX_HEADERS lines. */
    size_t cap = 200 * 16 + 64, len = 0;
    char *many = malloc(cap);
    len += (size_t)snprintf(many, cap, "Content-Type: a/b\n");
    for (int i = 0; i < 200; i++) len += (size_t)snprintf(many + len, cap - len, "X-%d: v\n", i);
    snprintf(many + len, cap - len, "\n");
    CHECK(!parse(many, &r));
    CHECK_STR_CONTAINS(r.error, "more than");
    wg__wagi_response_free(&r);
    free(many);
    /* A header block longer than WG_WAGI_MAX_HEADER_BYTES. */
    size_t big = WG_WAGI_MAX_HEADER_BYTES + 1000;
    char *huge = malloc(big + 64);
    memcpy(huge, "Content-Type: a/b\nX-Big: ", 25);
    memset(huge + 25, 'v', big);
    memcpy(huge + 25 + big, "\n\nbody", 7);
    CHECK(!parse(huge, &r));
    CHECK_STR_CONTAINS(r.error, "exceed");
    wg__wagi_response_free(&r);
    free(huge);
}

WG_TEST(big_body_is_passed_through_untouched) {
    size_t n = 8u << 20;
    const char *head = "Content-Type: application/octet-stream\r\n\r\n";
    size_t hl = strlen(head);
    uint8_t *out = malloc(hl + n);
    memcpy(out, head, hl);
    for (size_t i = 0; i < n; i++) out[hl + i] = (uint8_t)(i * 7 + (i >> 9));
    out[hl + 5] = '\n'; /* blank-line-like bytes inside the body do not matter */
    out[hl + 6] = '\n';
    wg_wagi_response r;
    CHECK(wg__wagi_parse_output(out, hl + n, &r));
    CHECK_EQ_INT(r.body_off, hl);
    CHECK_EQ_INT(r.body_len, n);
    wg__wagi_response_free(&r);
    free(out);
}

WG_TEST(big_request_env_values) {
    /* A 60 KiB header value and 100 headers make it into the environment. */
    wg_app_route rt = route("/h", "/h", false);
    char dec[16];
    wg_wagi_header hs[101];
    char names[100][16];
    size_t vlen = 60 * 1024;
    char *val = malloc(vlen + 1);
    memset(val, 'q', vlen);
    val[vlen] = '\0';
    for (int i = 0; i < 100; i++) {
        snprintf(names[i], sizeof names[i], "X-H%d", i);
        hs[i].name = names[i];
        hs[i].value = "v";
    }
    hs[100].name = "X-Huge";
    hs[100].value = val;
    wg_wagi_request rq = request(&rt, "/h", dec, 2, "");
    rq.headers = hs;
    rq.nheaders = 101;
    wg_wagi_strs env = {0};
    CHECK(wg__wagi_build_env(&rq, &env));
    CHECK_STR(wg__wagi_env_get(&env, "HTTP_X_H99"), "v");
    const char *huge = wg__wagi_env_get(&env, "HTTP_X_HUGE");
    CHECK(huge && strlen(huge) == vlen);
    wg__wagi_strs_free(&env);
    free(val);
}

WG_TEST_MAIN()
