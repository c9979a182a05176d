/*
 * scan-build-cmocka.h: cmocka's assertions for the clang static analyzer.
 * tests/lint/scan-build.sh force-includes it into the unit tests of its
 * build (CMOCKA_CFLAGS), and nowhere else.
 *
 * A failed cmocka assertion ends the test (a longjmp), but cmocka 1.1 does
 * not tell the analyzer so: after assert_non_null(p) it still walks the path
 * where p is NULL and reports what follows.  Here each assertion the tests
 * use aborts when it fails (__builtin_abort: a test may name a variable
 * "abort"), which the analyzer understands.
 */
#ifndef SURAT_SCAN_BUILD_CMOCKA_H
#define SURAT_SCAN_BUILD_CMOCKA_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#undef assert_true
#undef assert_false
#undef assert_null
#undef assert_non_null
#undef assert_int_equal
#undef assert_int_not_equal
#undef assert_ptr_equal
#undef assert_string_equal
#undef assert_string_not_equal
#undef assert_memory_equal
#undef fail
#undef fail_msg

#define scan_build_check(c) ((c) ? (void)0 : __builtin_abort())
#define assert_true(c) scan_build_check(c)
#define assert_false(c) scan_build_check(!(c))
#define assert_null(c) scan_build_check((c) == NULL)
#define assert_non_null(c) scan_build_check((c) != NULL)
#define assert_int_equal(a, b) scan_build_check((uintmax_t)(a) == (uintmax_t)(b))
#define assert_int_not_equal(a, b) scan_build_check((uintmax_t)(a) != (uintmax_t)(b))
#define assert_ptr_equal(a, b) scan_build_check((const void *)(a) == (const void *)(b))
#define assert_string_equal(a, b) scan_build_check(strcmp((a), (b)) == 0)
#define assert_string_not_equal(a, b) scan_build_check(strcmp((a), (b)) != 0)
#define assert_memory_equal(a, b, n) scan_build_check(memcmp((a), (b), (n)) == 0)
#define fail() __builtin_abort()
#define fail_msg(...) (print_error(__VA_ARGS__), __builtin_abort())

#endif
