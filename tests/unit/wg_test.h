/*
 * A minimal unit-test harness. Each test file defines tests with WG_TEST and
 * ends with WG_TEST_MAIN(); the program prints one line per failed check and
 * closes with "N passed, N failed" (exit status 1 if any failed).
 *
 *   WG_TEST(decodes_empty_module) { CHECK(x == 1); CHECK_EQ_INT(a, b); }
 */
#ifndef WG_TEST_H
#define WG_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*wg_test_fn)(void);
void wg_test_register(const char *name, wg_test_fn fn);
void wg_test_fail(const char *file, int line, const char *what);
int wg_test_run_all(int argc, char **argv);

#define WG_TEST(name)                                                     \
    static void name(void);                                               \
    __attribute__((constructor)) static void name##_reg(void) {           \
        wg_test_register(#name, name);                                    \
    }                                                                     \
    static void name(void)

#define CHECK(cond) \
    do { if (!(cond)) wg_test_fail(__FILE__, __LINE__, #cond); } while (0)
#define CHECK_EQ_INT(a, b)                                                          \
    do {                                                                            \
        long long a_ = (long long)(a), b_ = (long long)(b);                         \
        if (a_ != b_) {                                                             \
            char m_[256];                                                           \
            snprintf(m_, sizeof m_, "%s == %s (%lld != %lld)", #a, #b, a_, b_);     \
            wg_test_fail(__FILE__, __LINE__, m_);                                   \
        }                                                                           \
    } while (0)
#define CHECK_STR_CONTAINS(hay, needle)                                             \
    do {                                                                            \
        const char *h_ = (hay), *n_ = (needle);                                     \
        if (!h_ || !strstr(h_, n_)) {                                               \
            char m_[1200];                                                           \
            snprintf(m_, sizeof m_, "\"%s\" contains \"%s\"", h_ ? h_ : "(null)", n_); \
            wg_test_fail(__FILE__, __LINE__, m_);                                   \
        }                                                                           \
    } while (0)

#define WG_TEST_MAIN() \
    int main(int argc, char **argv) { return wg_test_run_all(argc, argv); }

#endif
