/*
 * Tests for the WASI core (src/wasi/wasi.c, wasi_fd.c, wasi_misc.c): a real
 * module imports every non-path WASI function and exports a thin wrapper
 * `w_<name>` for each, plus _initialize/_start; the tests call the wrappers
 * with guest pointers into the module's memory, so each host function runs
 * exactly as it does for a guest (context, memory checks, fd table).
 * A scratch directory from mkdtemp serves as the preopens.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "wasi/wasi_int.h"
#include "wasmgate/wasi.h"
#include "wasmgate/wasmgate.h"
#include "wg_test.h"

/* wasi_test.wat (converted with wabt's wat2wasm; the bytes are embedded so the
 * build does not need wabt):
 * (module
 *   (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_advise" (func $fd_advise (param i32 i64 i64 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_allocate" (func $fd_allocate (param i32 i64 i64) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_datasync" (func $fd_datasync (param i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func $fd_fdstat_set_rights (param i32 i64 i64) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $fd_filestat_set_size (param i32 i64) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func $fd_filestat_set_times (param i32 i64 i64 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_sync" (func $fd_sync (param i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
 *   (import "wasi_snapshot_preview1" "proc_raise" (func $proc_raise (param i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
 *   (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "sock_shutdown" (func $sock_shutdown (param i32 i32) (result i32)))
 *   (memory (export "memory") 1)
 *   (global $inited (export "inited") (mut i32) (i32.const 0))
 *   (global $code (export "code") (mut i32) (i32.const 0))
 *   (func (export "_initialize") (global.set $inited (i32.const 1)))
 *   (func (export "_start") (if (global.get $code) (then (call $proc_exit (global.get $code)) unreachable)))
 *   (func (export "w_args_get") (param i32 i32) (result i32) (call $args_get (local.get 0) (local.get 1)))
 *   (func (export "w_args_sizes_get") (param i32 i32) (result i32) (call $args_sizes_get (local.get 0) (local.get 1)))
 *   (func (export "w_environ_get") (param i32 i32) (result i32) (call $environ_get (local.get 0) (local.get 1)))
 *   (func (export "w_environ_sizes_get") (param i32 i32) (result i32) (call $environ_sizes_get (local.get 0) (local.get 1)))
 *   (func (export "w_clock_res_get") (param i32 i32) (result i32) (call $clock_res_get (local.get 0) (local.get 1)))
 *   (func (export "w_clock_time_get") (param i32 i64 i32) (result i32) (call $clock_time_get (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "w_fd_advise") (param i32 i64 i64 i32) (result i32) (call $fd_advise (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
 *   (func (export "w_fd_allocate") (param i32 i64 i64) (result i32) (call $fd_allocate (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "w_fd_close") (param i32) (result i32) (call $fd_close (local.get 0)))
 *   (func (export "w_fd_datasync") (param i32) (result i32) (call $fd_datasync (local.get 0)))
 *   (func (export "w_fd_fdstat_get") (param i32 i32) (result i32) (call $fd_fdstat_get (local.get 0) (local.get 1)))
 *   (func (export "w_fd_fdstat_set_flags") (param i32 i32) (result i32) (call $fd_fdstat_set_flags (local.get 0) (local.get 1)))
 *   (func (export "w_fd_fdstat_set_rights") (param i32 i64 i64) (result i32) (call $fd_fdstat_set_rights (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "w_fd_filestat_get") (param i32 i32) (result i32) (call $fd_filestat_get (local.get 0) (local.get 1)))
 *   (func (export "w_fd_filestat_set_size") (param i32 i64) (result i32) (call $fd_filestat_set_size (local.get 0) (local.get 1)))
 *   (func (export "w_fd_filestat_set_times") (param i32 i64 i64 i32) (result i32) (call $fd_filestat_set_times (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
 *   (func (export "w_fd_pread") (param i32 i32 i32 i64 i32) (result i32) (call $fd_pread (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
 *   (func (export "w_fd_prestat_get") (param i32 i32) (result i32) (call $fd_prestat_get (local.get 0) (local.get 1)))
 *   (func (export "w_fd_prestat_dir_name") (param i32 i32 i32) (result i32) (call $fd_prestat_dir_name (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "w_fd_pwrite") (param i32 i32 i32 i64 i32) (result i32) (call $fd_pwrite (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
 *   (func (export "w_fd_read") (param i32 i32 i32 i32) (result i32) (call $fd_read (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
 *   (func (export "w_fd_renumber") (param i32 i32) (result i32) (call $fd_renumber (local.get 0) (local.get 1)))
 *   (func (export "w_fd_seek") (param i32 i64 i32 i32) (result i32) (call $fd_seek (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
 *   (func (export "w_fd_sync") (param i32) (result i32) (call $fd_sync (local.get 0)))
 *   (func (export "w_fd_tell") (param i32 i32) (result i32) (call $fd_tell (local.get 0) (local.get 1)))
 *   (func (export "w_fd_write") (param i32 i32 i32 i32) (result i32) (call $fd_write (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
 *   (func (export "w_poll_oneoff") (param i32 i32 i32 i32) (result i32) (call $poll_oneoff (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
 *   (func (export "w_proc_raise") (param i32) (result i32) (call $proc_raise (local.get 0)))
 *   (func (export "w_sched_yield") (result i32) (call $sched_yield))
 *   (func (export "w_random_get") (param i32 i32) (result i32) (call $random_get (local.get 0) (local.get 1)))
 *   (func (export "w_sock_accept") (param i32 i32 i32) (result i32) (call $sock_accept (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "w_sock_recv") (param i32 i32 i32 i32 i32 i32) (result i32) (call $sock_recv (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)))
 *   (func (export "w_sock_send") (param i32 i32 i32 i32 i32) (result i32) (call $sock_send (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
 *   (func (export "w_sock_shutdown") (param i32 i32) (result i32) (call $sock_shutdown (local.get 0) (local.get 1)))
 * )
 */
static const uint8_t wasi_test_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x66, 0x0f, 0x60, 0x02, 0x7f, 0x7f, 0x01,
    0x7f, 0x60, 0x03, 0x7f, 0x7e, 0x7f, 0x01, 0x7f, 0x60, 0x04, 0x7f, 0x7e, 0x7e, 0x7f, 0x01, 0x7f,
    0x60, 0x03, 0x7f, 0x7e, 0x7e, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7e,
    0x01, 0x7f, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7e, 0x7f, 0x01, 0x7f, 0x60, 0x03, 0x7f, 0x7f, 0x7f,
    0x01, 0x7f, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x04, 0x7f, 0x7e, 0x7f, 0x7f,
    0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x06, 0x7f, 0x7f, 0x7f, 0x7f,
    0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00,
    0x02, 0xad, 0x0a, 0x23, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68,
    0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x08, 0x61, 0x72, 0x67, 0x73,
    0x5f, 0x67, 0x65, 0x74, 0x00, 0x00, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70,
    0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x0e, 0x61, 0x72,
    0x67, 0x73, 0x5f, 0x73, 0x69, 0x7a, 0x65, 0x73, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x00, 0x16, 0x77,
    0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65,
    0x76, 0x69, 0x65, 0x77, 0x31, 0x0b, 0x65, 0x6e, 0x76, 0x69, 0x72, 0x6f, 0x6e, 0x5f, 0x67, 0x65,
    0x74, 0x00, 0x00, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f,
    0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x11, 0x65, 0x6e, 0x76, 0x69, 0x72,
    0x6f, 0x6e, 0x5f, 0x73, 0x69, 0x7a, 0x65, 0x73, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x00, 0x16, 0x77,
    0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65,
    0x76, 0x69, 0x65, 0x77, 0x31, 0x0d, 0x63, 0x6c, 0x6f, 0x63, 0x6b, 0x5f, 0x72, 0x65, 0x73, 0x5f,
    0x67, 0x65, 0x74, 0x00, 0x00, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73,
    0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x0e, 0x63, 0x6c, 0x6f,
    0x63, 0x6b, 0x5f, 0x74, 0x69, 0x6d, 0x65, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x01, 0x16, 0x77, 0x61,
    0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76,
    0x69, 0x65, 0x77, 0x31, 0x09, 0x66, 0x64, 0x5f, 0x61, 0x64, 0x76, 0x69, 0x73, 0x65, 0x00, 0x02,
    0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70,
    0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x0b, 0x66, 0x64, 0x5f, 0x61, 0x6c, 0x6c, 0x6f, 0x63,
    0x61, 0x74, 0x65, 0x00, 0x03, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73,
    0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x08, 0x66, 0x64, 0x5f,
    0x63, 0x6c, 0x6f, 0x73, 0x65, 0x00, 0x04, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61,
    0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x0b, 0x66,
    0x64, 0x5f, 0x64, 0x61, 0x74, 0x61, 0x73, 0x79, 0x6e, 0x63, 0x00, 0x04, 0x16, 0x77, 0x61, 0x73,
    0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69,
    0x65, 0x77, 0x31, 0x0d, 0x66, 0x64, 0x5f, 0x66, 0x64, 0x73, 0x74, 0x61, 0x74, 0x5f, 0x67, 0x65,
    0x74, 0x00, 0x00, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f,
    0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x13, 0x66, 0x64, 0x5f, 0x66, 0x64,
    0x73, 0x74, 0x61, 0x74, 0x5f, 0x73, 0x65, 0x74, 0x5f, 0x66, 0x6c, 0x61, 0x67, 0x73, 0x00, 0x00,
    0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70,
    0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x14, 0x66, 0x64, 0x5f, 0x66, 0x64, 0x73, 0x74, 0x61,
    0x74, 0x5f, 0x73, 0x65, 0x74, 0x5f, 0x72, 0x69, 0x67, 0x68, 0x74, 0x73, 0x00, 0x03, 0x16, 0x77,
    0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65,
    0x76, 0x69, 0x65, 0x77, 0x31, 0x0f, 0x66, 0x64, 0x5f, 0x66, 0x69, 0x6c, 0x65, 0x73, 0x74, 0x61,
    0x74, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x00, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61,
    0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x14, 0x66,
    0x64, 0x5f, 0x66, 0x69, 0x6c, 0x65, 0x73, 0x74, 0x61, 0x74, 0x5f, 0x73, 0x65, 0x74, 0x5f, 0x73,
    0x69, 0x7a, 0x65, 0x00, 0x05, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73,
    0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x15, 0x66, 0x64, 0x5f,
    0x66, 0x69, 0x6c, 0x65, 0x73, 0x74, 0x61, 0x74, 0x5f, 0x73, 0x65, 0x74, 0x5f, 0x74, 0x69, 0x6d,
    0x65, 0x73, 0x00, 0x02, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68,
    0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x08, 0x66, 0x64, 0x5f, 0x70,
    0x72, 0x65, 0x61, 0x64, 0x00, 0x06, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70,
    0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x0e, 0x66, 0x64,
    0x5f, 0x70, 0x72, 0x65, 0x73, 0x74, 0x61, 0x74, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x00, 0x16, 0x77,
    0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65,
    0x76, 0x69, 0x65, 0x77, 0x31, 0x13, 0x66, 0x64, 0x5f, 0x70, 0x72, 0x65, 0x73, 0x74, 0x61, 0x74,
    0x5f, 0x64, 0x69, 0x72, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x00, 0x07, 0x16, 0x77, 0x61, 0x73, 0x69,
    0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65,
    0x77, 0x31, 0x09, 0x66, 0x64, 0x5f, 0x70, 0x77, 0x72, 0x69, 0x74, 0x65, 0x00, 0x06, 0x16, 0x77,
    0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65,
    0x76, 0x69, 0x65, 0x77, 0x31, 0x07, 0x66, 0x64, 0x5f, 0x72, 0x65, 0x61, 0x64, 0x00, 0x08, 0x16,
    0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72,
    0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x0b, 0x66, 0x64, 0x5f, 0x72, 0x65, 0x6e, 0x75, 0x6d, 0x62,
    0x65, 0x72, 0x00, 0x00, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68,
    0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x07, 0x66, 0x64, 0x5f, 0x73,
    0x65, 0x65, 0x6b, 0x00, 0x09, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73,
    0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x07, 0x66, 0x64, 0x5f,
    0x73, 0x79, 0x6e, 0x63, 0x00, 0x04, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70,
    0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x07, 0x66, 0x64,
    0x5f, 0x74, 0x65, 0x6c, 0x6c, 0x00, 0x00, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61,
    0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x08, 0x66,
    0x64, 0x5f, 0x77, 0x72, 0x69, 0x74, 0x65, 0x00, 0x08, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73,
    0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31,
    0x0b, 0x70, 0x6f, 0x6c, 0x6c, 0x5f, 0x6f, 0x6e, 0x65, 0x6f, 0x66, 0x66, 0x00, 0x08, 0x16, 0x77,
    0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65,
    0x76, 0x69, 0x65, 0x77, 0x31, 0x09, 0x70, 0x72, 0x6f, 0x63, 0x5f, 0x65, 0x78, 0x69, 0x74, 0x00,
    0x0a, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f,
    0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x0a, 0x70, 0x72, 0x6f, 0x63, 0x5f, 0x72, 0x61,
    0x69, 0x73, 0x65, 0x00, 0x04, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73,
    0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x0b, 0x73, 0x63, 0x68,
    0x65, 0x64, 0x5f, 0x79, 0x69, 0x65, 0x6c, 0x64, 0x00, 0x0b, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f,
    0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77,
    0x31, 0x0a, 0x72, 0x61, 0x6e, 0x64, 0x6f, 0x6d, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x00, 0x16, 0x77,
    0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65,
    0x76, 0x69, 0x65, 0x77, 0x31, 0x0b, 0x73, 0x6f, 0x63, 0x6b, 0x5f, 0x61, 0x63, 0x63, 0x65, 0x70,
    0x74, 0x00, 0x07, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f,
    0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x09, 0x73, 0x6f, 0x63, 0x6b, 0x5f,
    0x72, 0x65, 0x63, 0x76, 0x00, 0x0c, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70,
    0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x09, 0x73, 0x6f,
    0x63, 0x6b, 0x5f, 0x73, 0x65, 0x6e, 0x64, 0x00, 0x0d, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73,
    0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31,
    0x0d, 0x73, 0x6f, 0x63, 0x6b, 0x5f, 0x73, 0x68, 0x75, 0x74, 0x64, 0x6f, 0x77, 0x6e, 0x00, 0x00,
    0x03, 0x25, 0x24, 0x0e, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x04, 0x00,
    0x00, 0x03, 0x00, 0x05, 0x02, 0x06, 0x00, 0x07, 0x06, 0x08, 0x00, 0x09, 0x04, 0x00, 0x08, 0x08,
    0x04, 0x0b, 0x00, 0x07, 0x0c, 0x0d, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x06, 0x0b, 0x02, 0x7f,
    0x01, 0x41, 0x00, 0x0b, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x07, 0xf0, 0x04, 0x27, 0x06, 0x6d, 0x65,
    0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06, 0x69, 0x6e, 0x69, 0x74, 0x65, 0x64, 0x03, 0x00, 0x04,
    0x63, 0x6f, 0x64, 0x65, 0x03, 0x01, 0x0b, 0x5f, 0x69, 0x6e, 0x69, 0x74, 0x69, 0x61, 0x6c, 0x69,
    0x7a, 0x65, 0x00, 0x23, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x24, 0x0a, 0x77, 0x5f,
    0x61, 0x72, 0x67, 0x73, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x25, 0x10, 0x77, 0x5f, 0x61, 0x72, 0x67,
    0x73, 0x5f, 0x73, 0x69, 0x7a, 0x65, 0x73, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x26, 0x0d, 0x77, 0x5f,
    0x65, 0x6e, 0x76, 0x69, 0x72, 0x6f, 0x6e, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x27, 0x13, 0x77, 0x5f,
    0x65, 0x6e, 0x76, 0x69, 0x72, 0x6f, 0x6e, 0x5f, 0x73, 0x69, 0x7a, 0x65, 0x73, 0x5f, 0x67, 0x65,
    0x74, 0x00, 0x28, 0x0f, 0x77, 0x5f, 0x63, 0x6c, 0x6f, 0x63, 0x6b, 0x5f, 0x72, 0x65, 0x73, 0x5f,
    0x67, 0x65, 0x74, 0x00, 0x29, 0x10, 0x77, 0x5f, 0x63, 0x6c, 0x6f, 0x63, 0x6b, 0x5f, 0x74, 0x69,
    0x6d, 0x65, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x2a, 0x0b, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x61, 0x64,
    0x76, 0x69, 0x73, 0x65, 0x00, 0x2b, 0x0d, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x61, 0x6c, 0x6c, 0x6f,
    0x63, 0x61, 0x74, 0x65, 0x00, 0x2c, 0x0a, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x63, 0x6c, 0x6f, 0x73,
    0x65, 0x00, 0x2d, 0x0d, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x64, 0x61, 0x74, 0x61, 0x73, 0x79, 0x6e,
    0x63, 0x00, 0x2e, 0x0f, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x66, 0x64, 0x73, 0x74, 0x61, 0x74, 0x5f,
    0x67, 0x65, 0x74, 0x00, 0x2f, 0x15, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x66, 0x64, 0x73, 0x74, 0x61,
    0x74, 0x5f, 0x73, 0x65, 0x74, 0x5f, 0x66, 0x6c, 0x61, 0x67, 0x73, 0x00, 0x30, 0x16, 0x77, 0x5f,
    0x66, 0x64, 0x5f, 0x66, 0x64, 0x73, 0x74, 0x61, 0x74, 0x5f, 0x73, 0x65, 0x74, 0x5f, 0x72, 0x69,
    0x67, 0x68, 0x74, 0x73, 0x00, 0x31, 0x11, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x66, 0x69, 0x6c, 0x65,
    0x73, 0x74, 0x61, 0x74, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x32, 0x16, 0x77, 0x5f, 0x66, 0x64, 0x5f,
    0x66, 0x69, 0x6c, 0x65, 0x73, 0x74, 0x61, 0x74, 0x5f, 0x73, 0x65, 0x74, 0x5f, 0x73, 0x69, 0x7a,
    0x65, 0x00, 0x33, 0x17, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x66, 0x69, 0x6c, 0x65, 0x73, 0x74, 0x61,
    0x74, 0x5f, 0x73, 0x65, 0x74, 0x5f, 0x74, 0x69, 0x6d, 0x65, 0x73, 0x00, 0x34, 0x0a, 0x77, 0x5f,
    0x66, 0x64, 0x5f, 0x70, 0x72, 0x65, 0x61, 0x64, 0x00, 0x35, 0x10, 0x77, 0x5f, 0x66, 0x64, 0x5f,
    0x70, 0x72, 0x65, 0x73, 0x74, 0x61, 0x74, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x36, 0x15, 0x77, 0x5f,
    0x66, 0x64, 0x5f, 0x70, 0x72, 0x65, 0x73, 0x74, 0x61, 0x74, 0x5f, 0x64, 0x69, 0x72, 0x5f, 0x6e,
    0x61, 0x6d, 0x65, 0x00, 0x37, 0x0b, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x70, 0x77, 0x72, 0x69, 0x74,
    0x65, 0x00, 0x38, 0x09, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x72, 0x65, 0x61, 0x64, 0x00, 0x39, 0x0d,
    0x77, 0x5f, 0x66, 0x64, 0x5f, 0x72, 0x65, 0x6e, 0x75, 0x6d, 0x62, 0x65, 0x72, 0x00, 0x3a, 0x09,
    0x77, 0x5f, 0x66, 0x64, 0x5f, 0x73, 0x65, 0x65, 0x6b, 0x00, 0x3b, 0x09, 0x77, 0x5f, 0x66, 0x64,
    0x5f, 0x73, 0x79, 0x6e, 0x63, 0x00, 0x3c, 0x09, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x74, 0x65, 0x6c,
    0x6c, 0x00, 0x3d, 0x0a, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x77, 0x72, 0x69, 0x74, 0x65, 0x00, 0x3e,
    0x0d, 0x77, 0x5f, 0x70, 0x6f, 0x6c, 0x6c, 0x5f, 0x6f, 0x6e, 0x65, 0x6f, 0x66, 0x66, 0x00, 0x3f,
    0x0c, 0x77, 0x5f, 0x70, 0x72, 0x6f, 0x63, 0x5f, 0x72, 0x61, 0x69, 0x73, 0x65, 0x00, 0x40, 0x0d,
    0x77, 0x5f, 0x73, 0x63, 0x68, 0x65, 0x64, 0x5f, 0x79, 0x69, 0x65, 0x6c, 0x64, 0x00, 0x41, 0x0c,
    0x77, 0x5f, 0x72, 0x61, 0x6e, 0x64, 0x6f, 0x6d, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x42, 0x0d, 0x77,
    0x5f, 0x73, 0x6f, 0x63, 0x6b, 0x5f, 0x61, 0x63, 0x63, 0x65, 0x70, 0x74, 0x00, 0x43, 0x0b, 0x77,
    0x5f, 0x73, 0x6f, 0x63, 0x6b, 0x5f, 0x72, 0x65, 0x63, 0x76, 0x00, 0x44, 0x0b, 0x77, 0x5f, 0x73,
    0x6f, 0x63, 0x6b, 0x5f, 0x73, 0x65, 0x6e, 0x64, 0x00, 0x45, 0x0f, 0x77, 0x5f, 0x73, 0x6f, 0x63,
    0x6b, 0x5f, 0x73, 0x68, 0x75, 0x74, 0x64, 0x6f, 0x77, 0x6e, 0x00, 0x46, 0x0a, 0xf7, 0x02, 0x24,
    0x06, 0x00, 0x41, 0x01, 0x24, 0x00, 0x0b, 0x0c, 0x00, 0x23, 0x01, 0x04, 0x40, 0x23, 0x01, 0x10,
    0x1b, 0x00, 0x0b, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x00, 0x0b, 0x08, 0x00, 0x20,
    0x00, 0x20, 0x01, 0x10, 0x01, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x02, 0x0b, 0x08,
    0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x03, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x04,
    0x0b, 0x0a, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x10, 0x05, 0x0b, 0x0c, 0x00, 0x20, 0x00,
    0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x10, 0x06, 0x0b, 0x0a, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20,
    0x02, 0x10, 0x07, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x10, 0x08, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x10,
    0x09, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x0a, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20,
    0x01, 0x10, 0x0b, 0x0b, 0x0a, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x10, 0x0c, 0x0b, 0x08,
    0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x0d, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x0e,
    0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x10, 0x0f, 0x0b, 0x0e, 0x00,
    0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x20, 0x04, 0x10, 0x10, 0x0b, 0x08, 0x00, 0x20,
    0x00, 0x20, 0x01, 0x10, 0x11, 0x0b, 0x0a, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x10, 0x12,
    0x0b, 0x0e, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x20, 0x04, 0x10, 0x13, 0x0b,
    0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x10, 0x14, 0x0b, 0x08, 0x00, 0x20,
    0x00, 0x20, 0x01, 0x10, 0x15, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03,
    0x10, 0x16, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x10, 0x17, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01,
    0x10, 0x18, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x10, 0x19, 0x0b,
    0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x10, 0x1a, 0x0b, 0x06, 0x00, 0x20,
    0x00, 0x10, 0x1c, 0x0b, 0x04, 0x00, 0x10, 0x1d, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10,
    0x1e, 0x0b, 0x0a, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x10, 0x1f, 0x0b, 0x10, 0x00, 0x20,
    0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x20, 0x04, 0x20, 0x05, 0x10, 0x20, 0x0b, 0x0e, 0x00,
    0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x20, 0x04, 0x10, 0x21, 0x0b, 0x08, 0x00, 0x20,
    0x00, 0x20, 0x01, 0x10, 0x22, 0x0b
};

/* paths_test.wat: path_open and the calls that use or make its fds
 * (converted with wat2wasm, embedded like wasi_test.wasm above):
 * (module
 *   (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
 *   (memory (export "memory") 1)
 *   (func (export "w_path_open") (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)
 *     (call $path_open (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
 *                      (local.get 5) (local.get 6) (local.get 7) (local.get 8)))
 *   (func (export "w_fd_close") (param i32) (result i32) (call $fd_close (local.get 0)))
 *   (func (export "w_fd_read") (param i32 i32 i32 i32) (result i32) (call $fd_read (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
 *   (func (export "w_fd_write") (param i32 i32 i32 i32) (result i32) (call $fd_write (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
 *   (func (export "w_fd_renumber") (param i32 i32) (result i32) (call $fd_renumber (local.get 0) (local.get 1)))
 *   (func (export "w_fd_fdstat_get") (param i32 i32) (result i32) (call $fd_fdstat_get (local.get 0) (local.get 1)))
 *   (func (export "w_sock_accept") (param i32 i32 i32) (result i32) (call $sock_accept (local.get 0) (local.get 1) (local.get 2)))
 * )
 */
static const uint8_t paths_test_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x28, 0x05, 0x60, 0x09, 0x7f, 0x7f, 0x7f,
    0x7f, 0x7f, 0x7e, 0x7e, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x04, 0x7f,
    0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x03, 0x7f, 0x7f, 0x7f,
    0x01, 0x7f, 0x02, 0xfa, 0x01, 0x07, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70,
    0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x09, 0x70, 0x61,
    0x74, 0x68, 0x5f, 0x6f, 0x70, 0x65, 0x6e, 0x00, 0x00, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73,
    0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31,
    0x08, 0x66, 0x64, 0x5f, 0x63, 0x6c, 0x6f, 0x73, 0x65, 0x00, 0x01, 0x16, 0x77, 0x61, 0x73, 0x69,
    0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65,
    0x77, 0x31, 0x07, 0x66, 0x64, 0x5f, 0x72, 0x65, 0x61, 0x64, 0x00, 0x02, 0x16, 0x77, 0x61, 0x73,
    0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69,
    0x65, 0x77, 0x31, 0x08, 0x66, 0x64, 0x5f, 0x77, 0x72, 0x69, 0x74, 0x65, 0x00, 0x02, 0x16, 0x77,
    0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65,
    0x76, 0x69, 0x65, 0x77, 0x31, 0x0b, 0x66, 0x64, 0x5f, 0x72, 0x65, 0x6e, 0x75, 0x6d, 0x62, 0x65,
    0x72, 0x00, 0x03, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f,
    0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x0d, 0x66, 0x64, 0x5f, 0x66, 0x64,
    0x73, 0x74, 0x61, 0x74, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x03, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f,
    0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77,
    0x31, 0x0b, 0x73, 0x6f, 0x63, 0x6b, 0x5f, 0x61, 0x63, 0x63, 0x65, 0x70, 0x74, 0x00, 0x04, 0x03,
    0x08, 0x07, 0x00, 0x01, 0x02, 0x02, 0x03, 0x03, 0x04, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x70,
    0x08, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x0b, 0x77, 0x5f, 0x70, 0x61, 0x74,
    0x68, 0x5f, 0x6f, 0x70, 0x65, 0x6e, 0x00, 0x07, 0x0a, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x63, 0x6c,
    0x6f, 0x73, 0x65, 0x00, 0x08, 0x09, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x72, 0x65, 0x61, 0x64, 0x00,
    0x09, 0x0a, 0x77, 0x5f, 0x66, 0x64, 0x5f, 0x77, 0x72, 0x69, 0x74, 0x65, 0x00, 0x0a, 0x0d, 0x77,
    0x5f, 0x66, 0x64, 0x5f, 0x72, 0x65, 0x6e, 0x75, 0x6d, 0x62, 0x65, 0x72, 0x00, 0x0b, 0x0f, 0x77,
    0x5f, 0x66, 0x64, 0x5f, 0x66, 0x64, 0x73, 0x74, 0x61, 0x74, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x0c,
    0x0d, 0x77, 0x5f, 0x73, 0x6f, 0x63, 0x6b, 0x5f, 0x61, 0x63, 0x63, 0x65, 0x70, 0x74, 0x00, 0x0d,
    0x0a, 0x56, 0x07, 0x16, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x20, 0x04, 0x20,
    0x05, 0x20, 0x06, 0x20, 0x07, 0x20, 0x08, 0x10, 0x00, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x10, 0x01,
    0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x10, 0x02, 0x0b, 0x0c, 0x00,
    0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x20, 0x03, 0x10, 0x03, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20,
    0x01, 0x10, 0x04, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x05, 0x0b, 0x0a, 0x00, 0x20,
    0x00, 0x20, 0x01, 0x20, 0x02, 0x10, 0x06, 0x0b,
};

/* One instance of wasi_test.wasm (or paths_test.wasm) with its own wg_wasi. */
typedef struct tenv {
    wg_module *m;
    wg_imports *im;
    wg_wasi_config *cfg;
    wg_wasi *w;
    wg_instance *inst;
    char dir[64];     /* scratch directory (removed by tenv_close) */
    wg_trap trap;     /* the last call's trap */
} tenv;

static bool tenv_make_dir(tenv *t) {
    strcpy(t->dir, "/tmp/wasi1-utXXXXXX");
    if (!mkdtemp(t->dir)) return false;
    char p[128];
    snprintf(p, sizeof p, "%s/rw", t->dir);
    if (mkdir(p, 0755)) return false;
    snprintf(p, sizeof p, "%s/ro", t->dir);
    return mkdir(p, 0755) == 0;
}

/* Config: args prog/a b, env A=1, preopens /ro (read-only, fd 3) and /rw
 * (fd 4), stdout captured (cap bytes), stdin and stderr as given by the caller
 * through `tweak`; the module is `wasm`. */
static void tenv_open_module(tenv *t, const uint8_t *wasm, size_t wasm_len, size_t cap,
                             void (*tweak)(wg_wasi_config *, void *), void *arg) {
    memset(t, 0, sizeof *t);
    wg_error err;
    CHECK(tenv_make_dir(t));
    t->cfg = wg_wasi_config_new();
    CHECK(t->cfg != NULL);
    CHECK(wg_wasi_config_add_arg(t->cfg, "prog"));
    CHECK(wg_wasi_config_add_arg(t->cfg, "a b"));
    CHECK(wg_wasi_config_add_env(t->cfg, "A", "1"));
    char p[128];
    snprintf(p, sizeof p, "%s/ro", t->dir);
    CHECK(wg_wasi_config_preopen(t->cfg, p, "/ro", true, &err));
    snprintf(p, sizeof p, "%s/rw", t->dir);
    CHECK(wg_wasi_config_preopen(t->cfg, p, "/rw", false, &err));
    wg_wasi_config_stdout_capture(t->cfg, cap);
    wg_wasi_config_stdio(t->cfg, 2, WG_WASI_STDIO_NULL, -1);
    if (tweak) tweak(t->cfg, arg);
    t->m = wg_module_new(wasm, wasm_len, &err);
    CHECK(t->m != NULL);
    t->im = wg_imports_new();
    CHECK(wg_wasi_add_to_imports(t->im));
    t->w = wg_wasi_new(t->cfg, &err);
    CHECK(t->w != NULL);
    wg_instance_opts o = {.host_data = t->w};
    t->inst = wg_instance_new(t->m, t->im, &o, &err, &t->trap);
    CHECK(t->inst != NULL);
}

/* tenv_open_module with wasi_test.wasm (every non-path function). */
static void tenv_open(tenv *t, size_t cap, void (*tweak)(wg_wasi_config *, void *), void *arg) {
    tenv_open_module(t, wasi_test_wasm, sizeof wasi_test_wasm, cap, tweak, arg);
}

/* tenv_open_module with paths_test.wasm (path_open and its fds). */
static void tenv_open_paths(tenv *t, void (*tweak)(wg_wasi_config *, void *), void *arg) {
    tenv_open_module(t, paths_test_wasm, sizeof paths_test_wasm, 1024, tweak, arg);
}

static void tenv_close(tenv *t) {
    wg_instance_free(t->inst);
    wg_wasi_free(t->w);
    wg_imports_free(t->im);
    wg_module_free(t->m);
    wg_wasi_config_free(t->cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    CHECK(system(cmd) == 0);
}

/* Calls w_<name> with arguments typed by sig ('i' i32, 'I' i64); returns the
 * errno result, or -1 if the call trapped (see t->trap). */
static int call(tenv *t, const char *name, const char *sig, ...) {
    char ex[64];
    snprintf(ex, sizeof ex, "w_%s", name);
    wg_val args[12], res;
    va_list ap;
    va_start(ap, sig);
    uint32_t n = 0;
    for (; sig[n]; n++) {
        uint64_t v = va_arg(ap, uint64_t);
        if (sig[n] == 'I') {
            args[n].type = WG_I64;
            args[n].of.i64 = (int64_t)v;
        } else {
            args[n].type = WG_I32;
            args[n].of.i32 = (int32_t)(uint32_t)v;
        }
    }
    va_end(ap);
    if (!wg_instance_call(t->inst, ex, args, n, &res, 1, &t->trap)) return -1;
    return res.of.i32;
}
#define A(x) ((uint64_t)(x))

static uint8_t *mem(tenv *t) { return wg_memory_data(wg_instance_memory(t->inst)); }
static uint32_t rd32(tenv *t, uint32_t p) { return wg__wasi_get_u32(mem(t) + p); }
static uint64_t rd64(tenv *t, uint32_t p) { return wg__wasi_get_u64(mem(t) + p); }
static void wr32(tenv *t, uint32_t p, uint32_t v) { wg__wasi_put_u32(mem(t) + p, v); }
static void wr64(tenv *t, uint32_t p, uint64_t v) { wg__wasi_put_u64(mem(t) + p, v); }
/* An iovec at p pointing at [buf, buf+len). */
static void iov(tenv *t, uint32_t p, uint32_t buf, uint32_t len) {
    wr32(t, p, buf);
    wr32(t, p + 4, len);
}

#define PAGE 65536u

/* ---- args and environ ---- */

WG_TEST(args_and_env_sizes_and_contents) {
    tenv t;
    tenv_open(&t, 1024, NULL, NULL);
    CHECK(wg_wasi_add_env(t.w, "B", "x=y"));
    CHECK_EQ_INT(call(&t, "args_sizes_get", "ii", A(0), A(4)), 0);
    CHECK_EQ_INT(rd32(&t, 0), 2);
    CHECK_EQ_INT(rd32(&t, 4), 5 + 4);
    CHECK_EQ_INT(call(&t, "args_get", "ii", A(100), A(200)), 0);
    CHECK_EQ_INT(rd32(&t, 100), 200);
    CHECK_EQ_INT(rd32(&t, 104), 205);
    CHECK(memcmp(mem(&t) + 200, "prog\0a b\0", 9) == 0);
    CHECK_EQ_INT(call(&t, "environ_sizes_get", "ii", A(0), A(4)), 0);
    CHECK_EQ_INT(rd32(&t, 0), 2);
    CHECK_EQ_INT(rd32(&t, 4), 4 + 6);
    CHECK_EQ_INT(call(&t, "environ_get", "ii", A(100), A(300)), 0);
    CHECK_EQ_INT(rd32(&t, 104), 304);
    CHECK(memcmp(mem(&t) + 300, "A=1\0B=x=y\0", 10) == 0);
    /* per-instance args replace the config's */
    const char *argv[] = {"x", "", "yz"};
    CHECK(wg_wasi_set_args(t.w, argv, 3));
    CHECK_EQ_INT(call(&t, "args_sizes_get", "ii", A(0), A(4)), 0);
    CHECK_EQ_INT(rd32(&t, 0), 3);
    CHECK_EQ_INT(rd32(&t, 4), 6);
    /* out-of-bounds pointers */
    CHECK_EQ_INT(call(&t, "args_sizes_get", "ii", A(PAGE - 2), A(4)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "args_get", "ii", A(PAGE - 4), A(200)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "args_get", "ii", A(100), A(PAGE - 3)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "environ_get", "ii", A(0xFFFFFFFF), A(0)), WG_WASI_EFAULT);
    tenv_close(&t);
}

/* ---- clocks, random, sched, proc ---- */

WG_TEST(clocks) {
    tenv t;
    tenv_open(&t, 1024, NULL, NULL);
    for (uint32_t id = 0; id < 4; id++) {
        CHECK_EQ_INT(call(&t, "clock_res_get", "ii", A(id), A(8)), 0);
        CHECK(rd64(&t, 8) > 0);
        CHECK_EQ_INT(call(&t, "clock_time_get", "iIi", A(id), A(1), A(16)), 0);
    }
    CHECK_EQ_INT(call(&t, "clock_res_get", "ii", A(4), A(8)), WG_WASI_EINVAL);
    CHECK_EQ_INT(call(&t, "clock_time_get", "iIi", A(99), A(0), A(8)), WG_WASI_EINVAL);
    CHECK_EQ_INT(call(&t, "clock_time_get", "iIi", A(0), A(0), A(PAGE - 4)), WG_WASI_EFAULT);
    /* realtime: between the host's time() before and after the call (whole
     * seconds: the upper end is the next second) */
    uint64_t host_before = (uint64_t)time(NULL) * 1000000000ull;
    CHECK_EQ_INT(call(&t, "clock_time_get", "iIi", A(0), A(0), A(8)), 0);
    uint64_t host_after = ((uint64_t)time(NULL) + 1) * 1000000000ull;
    uint64_t rt = rd64(&t, 8);
    CHECK(rt >= host_before && rt <= host_after);
    CHECK_EQ_INT(call(&t, "clock_time_get", "iIi", A(1), A(0), A(8)), 0);
    uint64_t m1 = rd64(&t, 8);
    CHECK_EQ_INT(call(&t, "clock_time_get", "iIi", A(1), A(0), A(8)), 0);
    CHECK(rd64(&t, 8) >= m1);
    tenv_close(&t);
}

WG_TEST(random_and_sched) {
    tenv t;
    tenv_open(&t, 1024, NULL, NULL);
    memset(mem(&t) + 1000, 0, 64);
    CHECK_EQ_INT(call(&t, "random_get", "ii", A(1000), A(64)), 0);
    int nonzero = 0;
    for (int i = 0; i < 64; i++) nonzero += mem(&t)[1000 + i] != 0;
    CHECK(nonzero > 16);
    CHECK_EQ_INT(call(&t, "random_get", "ii", A(0), A(PAGE)), 0);
    CHECK_EQ_INT(call(&t, "random_get", "ii", A(PAGE), A(0)), 0);
    CHECK_EQ_INT(call(&t, "random_get", "ii", A(1), A(PAGE)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "random_get", "ii", A(0), A(0xFFFFFFFF)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "sched_yield", ""), 0);
    CHECK_EQ_INT(call(&t, "proc_raise", "i", A(9)), WG_WASI_ENOSYS);
    tenv_close(&t);
}

WG_TEST(run_start_exit_status) {
    tenv t;
    tenv_open(&t, 1024, NULL, NULL);
    wg_trap trap;
    CHECK_EQ_INT(wg_wasi_run_start(t.inst, &trap), 0);
    CHECK_EQ_INT(wg_global_get(wg_instance_export_global(t.inst, "inited")).of.i32, 1);
    wg_val v = {.type = WG_I32, .of.i32 = 7};
    wg_global_set(wg_instance_export_global(t.inst, "code"), v);
    CHECK_EQ_INT(wg_wasi_run_start(t.inst, &trap), 7);
    CHECK_EQ_INT(trap.code, WG_TRAP_EXIT);
    CHECK_EQ_INT(trap.exit_code, 7);
    tenv_close(&t);

    /* neither export: -1 with a message */
    static const uint8_t empty[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    wg_error err;
    wg_module *m = wg_module_new(empty, sizeof empty, &err);
    CHECK(m != NULL);
    wg_instance *inst = wg_instance_new(m, NULL, NULL, &err, &trap);
    CHECK(inst != NULL);
    CHECK_EQ_INT(wg_wasi_run_start(inst, &trap), -1);
    CHECK_STR_CONTAINS(trap.message, "_start");
    wg_instance_free(inst);
    wg_module_free(m);
}

WG_TEST(no_wasi_state_traps) {
    wg_error err;
    wg_trap trap;
    wg_module *m = wg_module_new(wasi_test_wasm, sizeof wasi_test_wasm, &err);
    wg_imports *im = wg_imports_new();
    CHECK(m && im && wg_wasi_add_to_imports(im));
    wg_instance *inst = wg_instance_new(m, im, NULL, &err, &trap);
    CHECK(inst != NULL);
    wg_val args[2] = {{.type = WG_I32, .of.i32 = 0}, {.type = WG_I32, .of.i32 = 4}}, res;
    CHECK(!wg_instance_call(inst, "w_args_sizes_get", args, 2, &res, 1, &trap));
    CHECK_EQ_INT(trap.code, WG_TRAP_HOST);
    CHECK_STR_CONTAINS(trap.message, "WASI is not configured for this instance");
    wg_instance_free(inst);
    wg_imports_free(im);
    wg_module_free(m);
}

/* ---- stdio buffers ---- */

WG_TEST(fd_write_capture_and_cap) {
    tenv t;
    tenv_open(&t, 8, NULL, NULL);
    memcpy(mem(&t) + 100, "hello, world", 12);
    iov(&t, 0, 100, 5);
    iov(&t, 8, 105, 2);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(2), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 7);
    size_t len;
    bool trunc;
    const uint8_t *out = wg_wasi_output(t.w, 1, &len, &trunc);
    CHECK_EQ_INT(len, 7);
    CHECK(!trunc);
    CHECK(out && memcmp(out, "hello, ", 7) == 0);
    /* past the cap: the guest is told everything was written */
    iov(&t, 0, 107, 5);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(1), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 5);
    out = wg_wasi_output(t.w, 1, &len, &trunc);
    CHECK_EQ_INT(len, 8);
    CHECK(trunc);
    CHECK(memcmp(out, "hello, w", 8) == 0);
    /* stderr is NULL: discarded, full count */
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(2), A(0), A(1), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 5);
    CHECK(wg_wasi_output(t.w, 2, &len, &trunc) == NULL && len == 0);
    /* stdout cannot be read, stdin cannot be written */
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(1), A(0), A(1), A(50)), WG_WASI_ENOTCAPABLE);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(0), A(0), A(1), A(50)), WG_WASI_ENOTCAPABLE);
    tenv_close(&t);
}

static void limit_traps(wg_wasi_config *cfg, void *arg) {
    (void)arg;
    wg_wasi_config_output_limit_traps(cfg, true);
}

/* With output_limit_traps, the write that passes the cap stores what fits and
 * stops the guest with a clear message; writes that fit work as before. */
WG_TEST(fd_write_limit_traps) {
    tenv t;
    tenv_open(&t, 8, limit_traps, NULL);
    memcpy(mem(&t) + 100, "hello, world", 12);
    iov(&t, 0, 100, 5);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(1), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 5);
    iov(&t, 0, 105, 3); /* exactly up to the cap: fine */
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(1), A(50)), 0);
    iov(&t, 0, 108, 1); /* one byte past it: trap */
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(1), A(50)), -1);
    CHECK_EQ_INT(t.trap.code, WG_TRAP_HOST);
    CHECK_STR_CONTAINS(t.trap.message, "stdout exceeded its 8 bytes limit");
    size_t len;
    bool trunc;
    const uint8_t *out = wg_wasi_output(t.w, 1, &len, &trunc);
    CHECK_EQ_INT(len, 8);
    CHECK(trunc);
    CHECK(out && memcmp(out, "hello, w", 8) == 0);
    tenv_close(&t);

    /* the message names the stream and a round cap in MiB */
    tenv_open(&t, 1u << 20, limit_traps, NULL);
    CHECK(wg_memory_grow(wg_instance_memory(t.inst), 40) == 1); /* 41 pages > 2 MiB + 64 */
    iov(&t, 0, 64, 2u << 20);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(1), A(50)), -1);
    CHECK_STR_CONTAINS(t.trap.message, "stdout exceeded its 1 MiB limit");
    out = wg_wasi_output(t.w, 1, &len, &trunc);
    CHECK_EQ_INT(len, 1u << 20);
    CHECK(trunc);
    tenv_close(&t);
}

static void limit_traps_with_stderr(wg_wasi_config *cfg, void *arg) {
    wg_wasi_config_stderr_capture(cfg, *(size_t *)arg);
    wg_wasi_config_output_limit_traps(cfg, true);
}

/* With output_limit_traps, stderr still never traps: a write past its cap
 * keeps the first cap bytes, marks stderr truncated and is reported to the
 * guest as fully written; stdout, in the same instance, still traps. */
WG_TEST(fd_write_limit_traps_not_on_stderr) {
    tenv t;
    size_t ecap = 4;
    tenv_open(&t, 8, limit_traps_with_stderr, &ecap);
    memcpy(mem(&t) + 100, "hello, world", 12);
    iov(&t, 0, 100, 3);
    iov(&t, 8, 103, 3);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(2), A(0), A(2), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 6);
    size_t len;
    bool trunc;
    const uint8_t *err = wg_wasi_output(t.w, 2, &len, &trunc);
    CHECK_EQ_INT(len, 4);
    CHECK(trunc);
    CHECK(err && memcmp(err, "hell", 4) == 0);
    /* more stderr once full: still no trap, nothing more stored */
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(2), A(0), A(1), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 3);
    err = wg_wasi_output(t.w, 2, &len, &trunc);
    CHECK(len == 4 && trunc && memcmp(err, "hell", 4) == 0);
    /* stderr renumbered to another fd keeps its stream: still no trap */
    CHECK_EQ_INT(call(&t, "fd_renumber", "ii", A(2), A(3)), 0);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(3), A(0), A(1), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 3);
    /* stdout is untouched by stderr's overflow and traps past its own cap */
    CHECK(wg_wasi_output(t.w, 1, &len, &trunc) == NULL && len == 0 && !trunc);
    iov(&t, 0, 100, 9);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(1), A(50)), -1);
    CHECK_EQ_INT(t.trap.code, WG_TRAP_HOST);
    CHECK_STR_CONTAINS(t.trap.message, "stdout exceeded its 8 bytes limit");
    tenv_close(&t);
}

/* Many per-instance variables (the gateway adds ~30): all present, in order. */
WG_TEST(add_env_many) {
    tenv t;
    tenv_open(&t, 64, NULL, NULL);
    char name[16], value[16];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "V%d", i);
        snprintf(value, sizeof value, "%d", i * 7);
        CHECK(wg_wasi_add_env(t.w, name, value));
    }
    /* environ_sizes_get(count_ptr, size_ptr) */
    CHECK_EQ_INT(call(&t, "environ_sizes_get", "ii", A(0), A(4)), 0);
    CHECK_EQ_INT(rd32(&t, 0), 201); /* A=1 from the config, then 200 */
    CHECK_EQ_INT(call(&t, "environ_get", "ii", A(1024), A(4096)), 0);
    CHECK(strcmp((const char *)mem(&t) + rd32(&t, 1024), "A=1") == 0);
    CHECK(strcmp((const char *)mem(&t) + rd32(&t, 1024 + 4 * 200), "V199=1393") == 0);
    tenv_close(&t);
}

static void stdin_buf(wg_wasi_config *cfg, void *arg) {
    wg_wasi_config_stdin_buffer(cfg, (const uint8_t *)arg, strlen((const char *)arg));
}

WG_TEST(fd_read_stdin_buffer) {
    tenv t;
    tenv_open(&t, 1024, stdin_buf, "abcdef");
    iov(&t, 0, 100, 3);
    iov(&t, 8, 200, 1);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(0), A(0), A(2), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 4);
    CHECK(memcmp(mem(&t) + 100, "abc", 3) == 0 && mem(&t)[200] == 'd');
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(0), A(0), A(2), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 2);
    CHECK(memcmp(mem(&t) + 100, "ef", 2) == 0);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(0), A(0), A(2), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 0);
    /* per-instance stdin replaces the buffer */
    wg_wasi_set_stdin(t.w, (const uint8_t *)"XY", 2);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(0), A(0), A(1), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 2);
    CHECK(memcmp(mem(&t) + 100, "XY", 2) == 0);
    /* seeking a stream */
    CHECK_EQ_INT(call(&t, "fd_seek", "iIii", A(0), A(0), A(0), A(50)), WG_WASI_ESPIPE);
    CHECK_EQ_INT(call(&t, "fd_tell", "ii", A(0), A(50)), WG_WASI_ESPIPE);
    /* fdstat of the buffer */
    CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", A(0), A(300)), 0);
    CHECK(rd64(&t, 308) & WG_WASI_RIGHT_FD_READ);
    CHECK(!(rd64(&t, 308) & WG_WASI_RIGHT_FD_WRITE));
    tenv_close(&t);
}

/* ---- hostile arguments ---- */

WG_TEST(bad_pointers_fault) {
    tenv t;
    tenv_open(&t, 1024, NULL, NULL);
    iov(&t, 0, 100, 5);
    /* iovec array out of bounds, partly out, huge count */
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(PAGE - 4), A(1), A(50)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(0x20000000), A(50)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(0xFFFFFFFF), A(50)), WG_WASI_EFAULT);
    /* buffer out of bounds, huge length, wrapping */
    iov(&t, 0, PAGE - 2, 5);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(1), A(50)), WG_WASI_EFAULT);
    iov(&t, 0, 0xFFFFFFF0u, 0x20);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(1), A(50)), WG_WASI_EFAULT);
    iov(&t, 0, 100, 0xFFFFFFFFu);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(0), A(0), A(1), A(50)), WG_WASI_EFAULT);
    /* result pointer out of bounds: nothing written */
    iov(&t, 0, 100, 5);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(1), A(PAGE - 3)), WG_WASI_EFAULT);
    size_t len;
    CHECK(wg_wasi_output(t.w, 1, &len, NULL) == NULL && len == 0);
    CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", A(1), A(PAGE - 23)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "fd_filestat_get", "ii", A(3), A(PAGE - 63)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "fd_prestat_get", "ii", A(3), A(PAGE - 7)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "fd_prestat_dir_name", "iii", A(3), A(PAGE - 2), A(3)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "poll_oneoff", "iiii", A(PAGE - 40), A(0), A(1), A(50)), WG_WASI_EFAULT);
    CHECK_EQ_INT(call(&t, "poll_oneoff", "iiii", A(0), A(0), A(0x7FFFFFFF), A(50)), WG_WASI_EFAULT);
    /* an empty write with any buffer pointer in bounds is fine */
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(0), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 0);
    tenv_close(&t);
}

WG_TEST(bad_fds_badf) {
    tenv t;
    tenv_open(&t, 1024, NULL, NULL);
    iov(&t, 0, 100, 5);
    uint64_t bad[] = {5, 99, 0x7FFFFFFF, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint64_t fd = bad[i];
        CHECK_EQ_INT(call(&t, "fd_write", "iiii", fd, A(0), A(1), A(50)), WG_WASI_EBADF);
        CHECK_EQ_INT(call(&t, "fd_read", "iiii", fd, A(0), A(1), A(50)), WG_WASI_EBADF);
        CHECK_EQ_INT(call(&t, "fd_close", "i", fd), WG_WASI_EBADF);
        CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", fd, A(200)), WG_WASI_EBADF);
        CHECK_EQ_INT(call(&t, "fd_seek", "iIii", fd, A(0), A(0), A(50)), WG_WASI_EBADF);
        CHECK_EQ_INT(call(&t, "fd_prestat_get", "ii", fd, A(200)), WG_WASI_EBADF);
        CHECK_EQ_INT(call(&t, "fd_renumber", "ii", fd, A(1)), WG_WASI_EBADF);
        CHECK_EQ_INT(call(&t, "fd_renumber", "ii", A(1), fd), WG_WASI_EBADF);
        CHECK_EQ_INT(call(&t, "sock_shutdown", "ii", fd, A(3)), WG_WASI_EBADF);
        CHECK_EQ_INT(call(&t, "fd_sync", "i", fd), WG_WASI_EBADF);
    }
    /* not a preopen, not a socket */
    CHECK_EQ_INT(call(&t, "fd_prestat_get", "ii", A(1), A(200)), WG_WASI_EBADF);
    CHECK_EQ_INT(call(&t, "sock_shutdown", "ii", A(1), A(1)), WG_WASI_ENOTSOCK);
    CHECK_EQ_INT(call(&t, "sock_send", "iiiii", A(1), A(0), A(1), A(0), A(50)), WG_WASI_ENOTSOCK);
    tenv_close(&t);
}

/* ---- preopens, rights, renumber ---- */

WG_TEST(preopens_and_rights) {
    tenv t;
    tenv_open(&t, 1024, NULL, NULL);
    CHECK_EQ_INT(call(&t, "fd_prestat_get", "ii", A(3), A(200)), 0);
    CHECK_EQ_INT(mem(&t)[200], 0);
    CHECK_EQ_INT(rd32(&t, 204), 3);
    CHECK_EQ_INT(call(&t, "fd_prestat_dir_name", "iii", A(4), A(300), A(3)), 0);
    CHECK(memcmp(mem(&t) + 300, "/rw", 3) == 0);
    CHECK_EQ_INT(call(&t, "fd_prestat_dir_name", "iii", A(4), A(300), A(2)), WG_WASI_ENAMETOOLONG);
    CHECK_EQ_INT(call(&t, "fd_prestat_dir_name", "iii", A(4), A(300), A(10)), 0);

    /* the read-only preopen has no write rights, the other has */
    CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", A(3), A(400)), 0);
    CHECK_EQ_INT(mem(&t)[400], WG_WASI_FILETYPE_DIRECTORY);
    uint64_t ro_base = rd64(&t, 408), ro_inh = rd64(&t, 416);
    CHECK(ro_base & WG_WASI_RIGHT_PATH_OPEN);
    CHECK(!(ro_base & WG_WASI_RIGHTS_WRITE));
    CHECK(!(ro_inh & WG_WASI_RIGHT_FD_WRITE));
    CHECK(ro_inh & WG_WASI_RIGHT_FD_READ);
    CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", A(4), A(400)), 0);
    CHECK(rd64(&t, 408) & WG_WASI_RIGHT_PATH_CREATE_FILE);
    CHECK(rd64(&t, 416) & WG_WASI_RIGHT_FD_WRITE);
    CHECK_EQ_INT(call(&t, "fd_filestat_set_times", "iIIi", A(3), A(0), A(0), A(2 | 8)),
                 WG_WASI_ENOTCAPABLE);
    CHECK_EQ_INT(call(&t, "fd_filestat_set_times", "iIIi", A(4), A(1000000000), A(0), A(1 | 8)), 0);
    CHECK_EQ_INT(call(&t, "fd_filestat_get", "ii", A(4), A(500)), 0);
    CHECK_EQ_INT(mem(&t)[516], WG_WASI_FILETYPE_DIRECTORY);
    CHECK_EQ_INT(rd64(&t, 540), 1000000000);
    CHECK(rd64(&t, 508) != 0);
    CHECK_EQ_INT(call(&t, "fd_filestat_set_times", "iIIi", A(4), A(0), A(0), A(1 | 2)), WG_WASI_EINVAL);
    CHECK_EQ_INT(call(&t, "fd_filestat_set_times", "iIIi", A(4), A(0), A(0), A(4 | 8)), WG_WASI_EINVAL);
    /* byte-stream operations on a directory */
    iov(&t, 0, 100, 5);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(4), A(0), A(1), A(50)), WG_WASI_ENOTCAPABLE);
    CHECK_EQ_INT(call(&t, "fd_seek", "iIii", A(4), A(0), A(1), A(50)), WG_WASI_EISDIR);
    CHECK_EQ_INT(call(&t, "fd_sync", "i", A(4)), 0);

    /* rights only shrink */
    CHECK_EQ_INT(call(&t, "fd_fdstat_set_rights", "iII", A(4), A(WG_WASI_RIGHT_PATH_OPEN),
                      A(WG_WASI_RIGHT_FD_READ)), 0);
    CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", A(4), A(400)), 0);
    CHECK_EQ_INT(rd64(&t, 408), WG_WASI_RIGHT_PATH_OPEN);
    CHECK_EQ_INT(rd64(&t, 416), WG_WASI_RIGHT_FD_READ);
    CHECK_EQ_INT(call(&t, "fd_fdstat_set_rights", "iII", A(4),
                      A(WG_WASI_RIGHT_PATH_OPEN | WG_WASI_RIGHT_PATH_CREATE_FILE), A(0)),
                 WG_WASI_ENOTCAPABLE);
    CHECK_EQ_INT(call(&t, "fd_filestat_set_times", "iIIi", A(4), A(0), A(0), A(2)), WG_WASI_ENOTCAPABLE);
    tenv_close(&t);
}

WG_TEST(renumber_and_close) {
    tenv t;
    tenv_open(&t, 1024, NULL, NULL);
    CHECK_EQ_INT(call(&t, "fd_renumber", "ii", A(4), A(3)), 0);
    CHECK_EQ_INT(call(&t, "fd_prestat_dir_name", "iii", A(3), A(300), A(3)), 0);
    CHECK(memcmp(mem(&t) + 300, "/rw", 3) == 0);
    CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", A(4), A(400)), WG_WASI_EBADF);
    CHECK_EQ_INT(call(&t, "fd_renumber", "ii", A(3), A(4)), WG_WASI_EBADF);
    CHECK_EQ_INT(call(&t, "fd_renumber", "ii", A(3), A(3)), 0);
    /* stdout moved to fd 3 keeps writing into the capture */
    CHECK_EQ_INT(call(&t, "fd_renumber", "ii", A(1), A(3)), 0);
    memcpy(mem(&t) + 100, "moved", 5);
    iov(&t, 0, 100, 5);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(3), A(0), A(1), A(50)), 0);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(1), A(0), A(1), A(50)), WG_WASI_EBADF);
    size_t len;
    const uint8_t *out = wg_wasi_output(t.w, 1, &len, NULL);
    CHECK(len == 5 && memcmp(out, "moved", 5) == 0);
    /* closing: preopens too; closed twice is BADF */
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(3)), 0);
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(3)), WG_WASI_EBADF);
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(0)), 0);
    CHECK_EQ_INT(call(&t, "fd_prestat_get", "ii", A(0), A(200)), WG_WASI_EBADF);
    tenv_close(&t);
}

/* ---- a regular file handed in as stdin ---- */

static void stdin_fd(wg_wasi_config *cfg, void *arg) {
    wg_wasi_config_stdio(cfg, 0, WG_WASI_STDIO_FD, *(int *)arg);
}

WG_TEST(seek_tell_pread_on_a_file) {
    char path[] = "/tmp/wasi1-utfileXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, "0123456789", 10) == 10);
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    tenv t;
    tenv_open(&t, 1024, stdin_fd, &fd);
    CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", A(0), A(400)), 0);
    CHECK_EQ_INT(mem(&t)[400], WG_WASI_FILETYPE_REGULAR_FILE);
    CHECK(rd64(&t, 408) & WG_WASI_RIGHT_FD_SEEK);
    CHECK_EQ_INT(call(&t, "fd_seek", "iIii", A(0), A(3), A(0), A(50)), 0);
    CHECK_EQ_INT(rd64(&t, 50), 3);
    CHECK_EQ_INT(call(&t, "fd_tell", "ii", A(0), A(60)), 0);
    CHECK_EQ_INT(rd64(&t, 60), 3);
    iov(&t, 0, 100, 2);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(0), A(0), A(1), A(70)), 0);
    CHECK(rd32(&t, 70) == 2 && memcmp(mem(&t) + 100, "34", 2) == 0);
    CHECK_EQ_INT(call(&t, "fd_seek", "iIii", A(0), A(1), A(1), A(50)), 0);
    CHECK_EQ_INT(rd64(&t, 50), 6);
    CHECK_EQ_INT(call(&t, "fd_seek", "iIii", A(0), A(-1), A(2), A(50)), 0);
    CHECK_EQ_INT(rd64(&t, 50), 9);
    CHECK_EQ_INT(call(&t, "fd_seek", "iIii", A(0), A(0), A(3), A(50)), WG_WASI_EINVAL);
    CHECK_EQ_INT(call(&t, "fd_seek", "iIii", A(0), A(-100), A(0), A(50)), WG_WASI_EINVAL);
    CHECK_EQ_INT(call(&t, "fd_seek", "iIii", A(0), A(0), A(0), A(PAGE - 4)), WG_WASI_EFAULT);
    /* pread does not move the position */
    iov(&t, 0, 100, 4);
    CHECK_EQ_INT(call(&t, "fd_pread", "iiiIi", A(0), A(0), A(1), A(1), A(70)), 0);
    CHECK(rd32(&t, 70) == 4 && memcmp(mem(&t) + 100, "1234", 4) == 0);
    CHECK_EQ_INT(call(&t, "fd_tell", "ii", A(0), A(60)), 0);
    CHECK_EQ_INT(rd64(&t, 60), 9);
    /* stdin is read-only: no pwrite, no truncation */
    CHECK_EQ_INT(call(&t, "fd_pwrite", "iiiIi", A(0), A(0), A(1), A(0), A(70)), WG_WASI_ENOTCAPABLE);
    CHECK_EQ_INT(call(&t, "fd_filestat_set_size", "iI", A(0), A(0)), WG_WASI_ENOTCAPABLE);
    CHECK_EQ_INT(call(&t, "fd_filestat_get", "ii", A(0), A(500)), 0);
    CHECK_EQ_INT(rd64(&t, 532), 10);
    CHECK_EQ_INT(mem(&t)[516], WG_WASI_FILETYPE_REGULAR_FILE);
    CHECK_EQ_INT(call(&t, "fd_advise", "iIIi", A(0), A(0), A(10), A(1)), 0);
    CHECK_EQ_INT(call(&t, "fd_advise", "iIIi", A(0), A(0), A(10), A(6)), WG_WASI_EINVAL);
    /* only seeking rights dropped: tell still works, seek does not */
    CHECK_EQ_INT(call(&t, "fd_fdstat_set_rights", "iII", A(0),
                      A(WG_WASI_RIGHT_FD_READ | WG_WASI_RIGHT_FD_TELL), A(0)), 0);
    CHECK_EQ_INT(call(&t, "fd_seek", "iIii", A(0), A(0), A(1), A(50)), 0);
    CHECK_EQ_INT(call(&t, "fd_seek", "iIii", A(0), A(1), A(1), A(50)), WG_WASI_ENOTCAPABLE);
    CHECK_EQ_INT(call(&t, "fd_pread", "iiiIi", A(0), A(0), A(1), A(1), A(70)), WG_WASI_ENOTCAPABLE);
    /* closing a borrowed fd leaves the host fd open */
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(0)), 0);
    tenv_close(&t);
    CHECK(fcntl(fd, F_GETFD) >= 0);
    close(fd);
    unlink(path);
}

/* ---- flags ---- */

WG_TEST(fdstat_set_flags) {
    tenv t;
    tenv_open(&t, 1024, NULL, NULL);
    CHECK_EQ_INT(call(&t, "fd_fdstat_set_flags", "ii", A(1), A(WG_WASI_FDFLAG_APPEND)), 0);
    CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", A(1), A(400)), 0);
    CHECK_EQ_INT(rd32(&t, 402) & 0xffff, WG_WASI_FDFLAG_APPEND);
    CHECK_EQ_INT(call(&t, "fd_fdstat_set_flags", "ii", A(1), A(WG_WASI_FDFLAG_DSYNC)), WG_WASI_EINVAL);
    CHECK_EQ_INT(call(&t, "fd_fdstat_set_flags", "ii", A(1), A(0x100)), WG_WASI_EINVAL);
    CHECK_EQ_INT(call(&t, "fd_fdstat_set_flags", "ii", A(1), A(0)), 0);
    CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", A(1), A(400)), 0);
    CHECK_EQ_INT(rd32(&t, 402) & 0xffff, 0);
    tenv_close(&t);
}

/* ---- poll_oneoff ---- */

static void sub_clock(tenv *t, uint32_t p, uint64_t ud, uint64_t timeout_ns, uint16_t flags) {
    memset(mem(t) + p, 0, 48);
    wr64(t, p, ud);
    mem(t)[p + 8] = 0;
    wr32(t, p + 16, 1); /* monotonic */
    wr64(t, p + 24, timeout_ns);
    mem(t)[p + 40] = (uint8_t)flags;
}

static void sub_fd(tenv *t, uint32_t p, uint64_t ud, uint8_t tag, uint32_t fd) {
    memset(mem(t) + p, 0, 48);
    wr64(t, p, ud);
    mem(t)[p + 8] = tag;
    wr32(t, p + 16, fd);
}

#define HOUR_NS (3600ull * 1000000000ull)

static uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

WG_TEST(poll_oneoff_clock_and_fds) {
    tenv t;
    tenv_open(&t, 1024, stdin_buf, "xyz");
    /* a 20 ms relative clock */
    sub_clock(&t, 0, 0xABCD, 20000000, 0);
    uint64_t t0 = mono_ns();
    CHECK_EQ_INT(call(&t, "poll_oneoff", "iiii", A(0), A(1000), A(1), A(2000)), 0);
    CHECK(mono_ns() - t0 >= 20000000);
    CHECK_EQ_INT(rd32(&t, 2000), 1);
    CHECK_EQ_INT(rd64(&t, 1000), 0xABCD);
    CHECK_EQ_INT(mem(&t)[1008] | mem(&t)[1009] << 8, 0);
    CHECK_EQ_INT(mem(&t)[1010], 0);
    /* an absolute deadline in the past fires at once */
    CHECK_EQ_INT(call(&t, "clock_time_get", "iIi", A(1), A(0), A(3000)), 0);
    sub_clock(&t, 0, 1, rd64(&t, 3000) - 1000, 1);
    CHECK_EQ_INT(call(&t, "poll_oneoff", "iiii", A(0), A(1000), A(1), A(2000)), 0);
    CHECK_EQ_INT(rd32(&t, 2000), 1);
    /* zero subscriptions */
    CHECK_EQ_INT(call(&t, "poll_oneoff", "iiii", A(0), A(1000), A(0), A(2000)), WG_WASI_EINVAL);
    /* stdin buffer ready with 3 bytes, a bad fd errors, the clock (an hour
     * away: it cannot come due however slow the machine) does not fire */
    sub_clock(&t, 0, 10, HOUR_NS, 0);
    sub_fd(&t, 48, 11, 1, 0);
    sub_fd(&t, 96, 12, 1, 77);
    sub_fd(&t, 144, 13, 2, 1);
    CHECK_EQ_INT(call(&t, "poll_oneoff", "iiii", A(0), A(1000), A(4), A(2000)), 0);
    CHECK_EQ_INT(rd32(&t, 2000), 3);
    CHECK_EQ_INT(rd64(&t, 1000), 11);
    CHECK_EQ_INT(mem(&t)[1010], 1);
    CHECK_EQ_INT(rd64(&t, 1016), 3);
    CHECK_EQ_INT(rd64(&t, 1032), 12);
    CHECK_EQ_INT(mem(&t)[1040], WG_WASI_EBADF);
    CHECK_EQ_INT(rd64(&t, 1064), 13);
    CHECK_EQ_INT(mem(&t)[1074], 2);
    /* unknown tag */
    sub_fd(&t, 0, 1, 9, 0);
    CHECK_EQ_INT(call(&t, "poll_oneoff", "iiii", A(0), A(1000), A(1), A(2000)), WG_WASI_EINVAL);
    tenv_close(&t);
}

/* True when thread tid of this process is blocked in a system call that
 * waits for time or fds (what poll_oneoff waits in), from
 * /proc/self/task/TID/syscall ("NR args..." while in a system call). */
static bool thread_in_timed_wait(pid_t tid) {
    char path[64], buf[128];
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return false;
    buf[n] = '\0';
    char *end;
    long nr = strtol(buf, &end, 10);
    if (end == buf) return false; /* "running" */
    return nr == SYS_ppoll || nr == SYS_pselect6 || nr == SYS_epoll_pwait ||
           nr == SYS_clock_nanosleep ||
#ifdef SYS_poll
           nr == SYS_poll ||
#endif
#ifdef SYS_select
           nr == SYS_select ||
#endif
#ifdef SYS_epoll_wait
           nr == SYS_epoll_wait ||
#endif
#ifdef SYS_nanosleep
           nr == SYS_nanosleep ||
#endif
           false;
}

typedef struct poll_interrupter {
    wg_instance *inst;
    pid_t tid;     /* the thread running the guest */
    bool saw_wait; /* it was seen waiting before the interrupt */
} poll_interrupter;

/* Interrupts x->inst once its thread is seen waiting inside poll_oneoff:
 * an event, not a delay (interrupting before the call would stop the guest
 * at its entry instead, a trap rather than the INTR this test is about).
 * Polls at most 60000 times, 1 ms apart, then interrupts anyway. */
static void *interrupt_when_waiting(void *arg) {
    poll_interrupter *x = arg;
    for (int i = 0; i < 60000 && !x->saw_wait; i++) {
        if (thread_in_timed_wait(x->tid)) {
            x->saw_wait = true;
        } else {
            struct timespec d = {0, 1000000};
            nanosleep(&d, NULL);
        }
    }
    wg_instance_interrupt(x->inst);
    return NULL;
}

WG_TEST(poll_oneoff_interruptible) {
    alarm(120); /* a poll that ignores the interrupt must not hang the run */
    tenv t;
    tenv_open(&t, 1024, NULL, NULL);
    sub_clock(&t, 0, 1, HOUR_NS, 0); /* only the interrupt can end it */
    poll_interrupter x = {t.inst, gettid(), false};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, interrupt_when_waiting, &x) == 0);
    CHECK_EQ_INT(call(&t, "poll_oneoff", "iiii", A(0), A(1000), A(1), A(2000)), WG_WASI_EINTR);
    pthread_join(th, NULL);
    if (!x.saw_wait)
        wg_test_fail(__FILE__, __LINE__,
                     "never saw the guest's thread wait in ppoll/pselect6/epoll/nanosleep "
                     "(/proc/self/task/TID/syscall) within 60000 polls");
    alarm(0);
    wg_instance_clear_interrupt(t.inst);
    tenv_close(&t);
}

static void pipe_stdin(wg_wasi_config *cfg, void *arg) {
    wg_wasi_config_stdio(cfg, 0, WG_WASI_STDIO_FD, ((int *)arg)[0]);
}

WG_TEST(poll_oneoff_host_pipe) {
    int p[2];
    CHECK(pipe(p) == 0);
    tenv t;
    tenv_open(&t, 1024, pipe_stdin, p);
    /* nothing to read: the 20 ms clock fires */
    sub_fd(&t, 0, 1, 1, 0);
    sub_clock(&t, 48, 2, 20000000, 0);
    uint64_t t0 = mono_ns();
    CHECK_EQ_INT(call(&t, "poll_oneoff", "iiii", A(0), A(1000), A(2), A(2000)), 0);
    CHECK(mono_ns() - t0 >= 20000000);
    CHECK_EQ_INT(rd32(&t, 2000), 1);
    CHECK_EQ_INT(rd64(&t, 1000), 2);
    /* data available: the fd fires with its byte count (the clock, an hour
     * away, does not) */
    CHECK(write(p[1], "hey", 3) == 3);
    sub_clock(&t, 48, 2, HOUR_NS, 0);
    CHECK_EQ_INT(call(&t, "poll_oneoff", "iiii", A(0), A(1000), A(2), A(2000)), 0);
    CHECK_EQ_INT(rd32(&t, 2000), 1);
    CHECK_EQ_INT(rd64(&t, 1000), 1);
    CHECK_EQ_INT(rd64(&t, 1016), 3);
    /* a pipe is a stream */
    CHECK_EQ_INT(call(&t, "fd_seek", "iIii", A(0), A(0), A(0), A(50)), WG_WASI_ESPIPE);
    CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", A(0), A(400)), 0);
    CHECK_EQ_INT(mem(&t)[400], WG_WASI_FILETYPE_UNKNOWN);
    tenv_close(&t);
    close(p[0]);
    close(p[1]);
}

/* ---- FIFOs in a preopen ---- */

#define FD_AT 2040u   /* where path_open and sock_accept put the new guest fd */
#define PATH_AT 2048u /* where open_path puts the path */

/* path_open(dirfd, path, oflags, rights, fdflags) from the guest, following
 * symlinks; the new fd is at FD_AT. Returns the errno. */
static int open_path(tenv *t, uint32_t dirfd, const char *path, uint32_t oflags, uint64_t rights,
                     uint32_t fdflags) {
    size_t len = strlen(path);
    memcpy(mem(t) + PATH_AT, path, len);
    return call(t, "path_open", "iiiiiIIii", A(dirfd), A(1), A(PATH_AT), A(len), A(oflags),
                A(rights), A(0), A(fdflags), A(FD_AT));
}

/* The guest-visible fdflags of fd (fd_fdstat_get), or -1. */
static int guest_fdflags(tenv *t, uint32_t fd) {
    if (call(t, "fd_fdstat_get", "ii", A(fd), A(400)) != 0) return -1;
    return (int)(rd32(t, 402) & 0xffff);
}

/* Makes the FIFO rw/NAME in t's scratch directory; its host path goes to out. */
static void make_fifo(tenv *t, const char *name, char *out, size_t size) {
    snprintf(out, size, "%s/rw/%s", t->dir, name);
    CHECK(mkfifo(out, 0600) == 0);
}

/* The scheduler state of thread tid ('R' running, 'S' sleeping in a wait,
 * ...), or 0. Reads /proc with plain syscalls and no malloc, so the watched
 * thread can never be sleeping on a lock that this thread holds. */
static char thread_state(pid_t tid) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')'); /* "pid (comm) S ..." */
    return paren && paren[1] == ' ' ? paren[2] : 0;
}

/* Interrupts inst once thread tid is asleep: an event, not a delay, so the
 * interrupt lands while the host function is waiting, however slow the
 * machine. `armed` is set once pthread_create has returned (a sanitizer's
 * pthread_create may itself sleep until the new thread runs); from then on
 * the only place the calling thread sleeps is the wait inside
 * fd_read/fd_write. */
typedef struct interrupter {
    wg_instance *inst;
    pid_t tid;
    pthread_t th;
    atomic_int armed;
} interrupter;

static void *interrupt_when_asleep(void *arg) {
    interrupter *x = arg;
    const struct timespec tick = {0, 1000000};
    while (!atomic_load(&x->armed)) nanosleep(&tick, NULL);
    while (thread_state(x->tid) != 'S') nanosleep(&tick, NULL);
    wg_instance_interrupt(x->inst);
    return NULL;
}

/* Starts the interrupter; the caller's very next step is the waiting call. */
static void interrupter_start(interrupter *x, wg_instance *inst) {
    x->inst = inst;
    x->tid = gettid();
    atomic_init(&x->armed, 0);
    CHECK(pthread_create(&x->th, NULL, interrupt_when_asleep, x) == 0);
    atomic_store(&x->armed, 1);
}

static void interrupter_join(interrupter *x) {
    pthread_join(x->th, NULL);
    wg_instance_clear_interrupt(x->inst);
}

/* path_open of a FIFO never waits for the other end (open(2) would, in the
 * kernel, out of reach of any timeout): read-only without a writer it opens
 * at once and reads EOF, blocking as asked; write-only without a reader it is
 * NXIO; asked NONBLOCK, it stays so and an empty read is AGAIN. SIGALRM ends
 * the test program if anything does block. */
WG_TEST(path_open_fifo_never_blocks) {
    tenv t;
    tenv_open_paths(&t, NULL, NULL);
    char fifo[128];
    make_fifo(&t, "fifo", fifo, sizeof fifo);
    alarm(60);
    CHECK_EQ_INT(open_path(&t, 4, "fifo", 0, WG_WASI_RIGHT_FD_READ, 0), 0);
    uint32_t fd = rd32(&t, FD_AT);
    CHECK_EQ_INT(guest_fdflags(&t, fd), 0);
    CHECK_EQ_INT(mem(&t)[400], WG_WASI_FILETYPE_UNKNOWN);
    iov(&t, 0, 100, 16);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(fd), A(0), A(1), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 0);
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(fd)), 0);
    CHECK_EQ_INT(open_path(&t, 4, "fifo", 0, WG_WASI_RIGHT_FD_WRITE, 0), WG_WASI_ENXIO);
    CHECK_EQ_INT(open_path(&t, 3, "../rw/fifo", 0, WG_WASI_RIGHT_FD_READ, 0), WG_WASI_ENOTCAPABLE);

    CHECK_EQ_INT(open_path(&t, 4, "fifo", 0, WG_WASI_RIGHT_FD_READ, WG_WASI_FDFLAG_NONBLOCK), 0);
    fd = rd32(&t, FD_AT);
    CHECK_EQ_INT(guest_fdflags(&t, fd), WG_WASI_FDFLAG_NONBLOCK);
    int wfd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    CHECK(wfd >= 0);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(fd), A(0), A(1), A(50)), WG_WASI_EAGAIN);
    CHECK(write(wfd, "ab", 2) == 2);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(fd), A(0), A(1), A(50)), 0);
    CHECK(rd32(&t, 50) == 2 && memcmp(mem(&t) + 100, "ab", 2) == 0);
    close(wfd);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(fd), A(0), A(1), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 0);
    alarm(0);
    tenv_close(&t);
}

/* A blocking read of a FIFO whose writer holds it open and never writes
 * waits, and an interrupt ends the wait with INTR; data and the writer's
 * close still arrive afterwards. */
WG_TEST(fifo_read_with_silent_writer_is_interruptible) {
    tenv t;
    tenv_open_paths(&t, NULL, NULL);
    char fifo[128];
    make_fifo(&t, "fifo", fifo, sizeof fifo);
    alarm(60);
    CHECK_EQ_INT(open_path(&t, 4, "fifo", 0, WG_WASI_RIGHT_FD_READ, 0), 0);
    uint32_t fd = rd32(&t, FD_AT);
    int wfd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    CHECK(wfd >= 0);
    iov(&t, 0, 100, 16);
    interrupter x;
    interrupter_start(&x, t.inst);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(fd), A(0), A(1), A(50)), WG_WASI_EINTR);
    interrupter_join(&x);
    CHECK(write(wfd, "x", 1) == 1);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(fd), A(0), A(1), A(50)), 0);
    CHECK(rd32(&t, 50) == 1 && mem(&t)[100] == 'x');
    close(wfd);
    CHECK_EQ_INT(call(&t, "fd_read", "iiii", A(fd), A(0), A(1), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 0);
    CHECK_EQ_INT(guest_fdflags(&t, fd), 0); /* the non-blocking calls left no trace */
    alarm(0);
    tenv_close(&t);
}

/* A write of more than a FIFO can take is never left blocking in the kernel
 * for the rest: it returns the part that fit (a short write), and the next
 * write into the full pipe waits until an interrupt ends it with INTR. */
WG_TEST(fifo_write_to_a_full_pipe_is_interruptible) {
    tenv t;
    tenv_open_paths(&t, NULL, NULL);
    char fifo[128];
    make_fifo(&t, "fifo", fifo, sizeof fifo);
    alarm(60);
    int rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    CHECK(rfd >= 0);
    CHECK_EQ_INT(open_path(&t, 4, "fifo", 0, WG_WASI_RIGHT_FD_WRITE, 0), 0);
    uint32_t fd = rd32(&t, FD_AT);
    enum { NIOV = 20, CHUNK = 60000 };
    for (uint32_t i = 0; i < NIOV; i++) iov(&t, 8 * i, 4096, CHUNK);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(fd), A(0), A(NIOV), A(50)), 0);
    uint32_t wrote = rd32(&t, 50);
    CHECK(wrote > 0 && wrote < (uint32_t)NIOV * CHUNK);
    interrupter x;
    interrupter_start(&x, t.inst);
    CHECK_EQ_INT(call(&t, "fd_write", "iiii", A(fd), A(0), A(NIOV), A(50)), WG_WASI_EINTR);
    interrupter_join(&x);
    static char sink[1 << 16];
    size_t drained = 0;
    for (ssize_t n; (n = read(rfd, sink, sizeof sink)) > 0;) drained += (size_t)n;
    CHECK_EQ_INT(drained, wrote);
    close(rfd);
    alarm(0);
    tenv_close(&t);
}

/* ---- sockets ---- */

static void sock_stdio(wg_wasi_config *cfg, void *arg) {
    int *s = arg;
    wg_wasi_config_stdio(cfg, 0, WG_WASI_STDIO_FD, s[0]);
    wg_wasi_config_stdio(cfg, 1, WG_WASI_STDIO_FD, s[1]);
}

WG_TEST(sockets_send_recv_shutdown) {
    int a[2], b[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0);
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, b) == 0);
    int guest[2] = {a[0], b[0]};
    tenv t;
    tenv_open(&t, 1024, sock_stdio, guest);
    CHECK_EQ_INT(call(&t, "fd_fdstat_get", "ii", A(1), A(400)), 0);
    CHECK_EQ_INT(mem(&t)[400], WG_WASI_FILETYPE_SOCKET_STREAM);
    /* send on fd 1 */
    memcpy(mem(&t) + 100, "ping", 4);
    iov(&t, 0, 100, 4);
    CHECK_EQ_INT(call(&t, "sock_send", "iiiii", A(1), A(0), A(1), A(0), A(50)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 4);
    char buf[8];
    CHECK(read(b[1], buf, sizeof buf) == 4 && memcmp(buf, "ping", 4) == 0);
    /* recv on fd 0, with PEEK first */
    CHECK(write(a[1], "pong", 4) == 4);
    iov(&t, 0, 200, 8);
    CHECK_EQ_INT(call(&t, "sock_recv", "iiiiii", A(0), A(0), A(1), A(1), A(50), A(54)), 0);
    CHECK_EQ_INT(rd32(&t, 50), 4);
    CHECK_EQ_INT(call(&t, "sock_recv", "iiiiii", A(0), A(0), A(1), A(0), A(50), A(54)), 0);
    CHECK(rd32(&t, 50) == 4 && memcmp(mem(&t) + 200, "pong", 4) == 0);
    CHECK_EQ_INT(call(&t, "sock_recv", "iiiiii", A(0), A(0), A(1), A(8), A(50), A(54)), WG_WASI_EINVAL);
    /* directions: stdin may not send, stdout may not receive */
    CHECK_EQ_INT(call(&t, "sock_send", "iiiii", A(0), A(0), A(1), A(0), A(50)), WG_WASI_ENOTCAPABLE);
    /* shutdown the write side: the peer sees EOF */
    CHECK_EQ_INT(call(&t, "sock_shutdown", "ii", A(1), A(0)), WG_WASI_EINVAL);
    CHECK_EQ_INT(call(&t, "sock_shutdown", "ii", A(1), A(2)), 0);
    CHECK(read(b[1], buf, sizeof buf) == 0);
    /* accept on a non-listening socket */
    CHECK_EQ_INT(call(&t, "sock_accept", "iii", A(0), A(0), A(50)), WG_WASI_EINVAL);
    CHECK_EQ_INT(call(&t, "sock_accept", "iii", A(3), A(0), A(50)), WG_WASI_ENOTSOCK);
    tenv_close(&t);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
}

/* ---- no leaked host fds ---- */

static int count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

WG_TEST(no_fd_leaks) {
    int before = count_fds();
    for (int i = 0; i < 3; i++) {
        tenv t;
        tenv_open(&t, 1024, NULL, NULL);
        CHECK_EQ_INT(call(&t, "fd_sync", "i", A(4)), 0); /* opens and closes a real fd */
        CHECK_EQ_INT(call(&t, "fd_sync", "i", A(3)), WG_WASI_ENOTCAPABLE); /* read-only */
        CHECK_EQ_INT(call(&t, "fd_renumber", "ii", A(3), A(4)), 0);
        tenv_close(&t);
    }
    CHECK_EQ_INT(count_fds(), before);
}

/* ---- open-file limits ---- */

static int count_fds(void);

/* Makes the regular file rw/NAME in t's scratch directory. */
static void make_file(tenv *t, const char *name) {
    char p[128];
    snprintf(p, sizeof p, "%s/rw/%s", t->dir, name);
    int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
}

/* Opens rw/NAME read-only from the guest: the errno; the fd is at FD_AT. */
static int open_rw(tenv *t, const char *name) {
    return open_path(t, 4, name, 0, WG_WASI_RIGHT_FD_READ, 0);
}

static void max_open_3(wg_wasi_config *cfg, void *arg) {
    (void)arg;
    wg_wasi_config_max_open_files(cfg, 3);
}

/* max_open_files: the guest's own fds (not stdio, not preopens) are capped;
 * one more is MFILE (33), before the file system is even asked; closing one,
 * or renumbering one over another, gives a place back; renumbering over a
 * preopen or stdio does not; failed opens take nothing. */
WG_TEST(max_open_files_caps_guest_fds) {
    tenv t;
    tenv_open_paths(&t, max_open_3, NULL);
    make_file(&t, "f");
    uint32_t fds[3];
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(open_rw(&t, "f"), 0);
        fds[i] = rd32(&t, FD_AT);
    }
    CHECK_EQ_INT(t.w->nopen, 3);
    CHECK_EQ_INT(WG_WASI_EMFILE, 33);
    CHECK_EQ_INT(open_rw(&t, "f"), WG_WASI_EMFILE);
    CHECK_EQ_INT(open_rw(&t, "no-such-file"), WG_WASI_EMFILE);
    CHECK_EQ_INT(open_path(&t, 4, "new", 1 /* CREAT */, WG_WASI_RIGHT_FD_WRITE, 0), WG_WASI_EMFILE);
    char p[128];
    snprintf(p, sizeof p, "%s/rw/new", t.dir);
    CHECK(access(p, F_OK) != 0); /* refused before the file system saw it */
    /* closing stdio or renumbering onto a preopen frees nothing */
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(1)), 0);
    CHECK_EQ_INT(call(&t, "fd_renumber", "ii", A(fds[0]), A(3)), 0);
    fds[0] = 3;
    CHECK_EQ_INT(open_rw(&t, "f"), WG_WASI_EMFILE);
    /* closing a guest fd frees its place */
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(fds[1])), 0);
    CHECK_EQ_INT(t.w->nopen, 2);
    CHECK_EQ_INT(open_rw(&t, "f"), 0);
    fds[1] = rd32(&t, FD_AT);
    CHECK_EQ_INT(open_rw(&t, "f"), WG_WASI_EMFILE);
    /* renumbering a guest fd over another closes the latter: one place back */
    CHECK_EQ_INT(call(&t, "fd_renumber", "ii", A(fds[2]), A(fds[1])), 0);
    CHECK_EQ_INT(t.w->nopen, 2);
    CHECK_EQ_INT(open_rw(&t, "f"), 0);
    CHECK_EQ_INT(t.w->nopen, 3);
    /* a failed open under the cap takes no place */
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(fds[0])), 0);
    CHECK_EQ_INT(open_rw(&t, "no-such-file"), WG_WASI_ENOENT);
    CHECK_EQ_INT(open_path(&t, 4, "fifo-none", 0, WG_WASI_RIGHT_FD_WRITE, 0), WG_WASI_ENOENT);
    CHECK_EQ_INT(t.w->nopen, 2);
    CHECK_EQ_INT(open_rw(&t, "f"), 0);
    tenv_close(&t);

    /* 0 (the default) is no cap of its own */
    tenv_open_paths(&t, NULL, NULL);
    make_file(&t, "f");
    for (int i = 0; i < 50; i++) CHECK_EQ_INT(open_rw(&t, "f"), 0);
    CHECK_EQ_INT(t.w->nopen, 50);
    tenv_close(&t);
}

static void with_budget(wg_wasi_config *cfg, void *arg) {
    wg_wasi_config_fd_budget(cfg, arg);
}

/* A budget shared by two wg_wasi (two configs, as two routes): together they
 * never pass it (NFILE, 41), a close in one makes room for the other, and
 * wg_wasi_free gives back whatever was still open. */
WG_TEST(fd_budget_shared_across_instances) {
    wg_wasi_fd_budget *b = wg_wasi_fd_budget_new(4);
    CHECK(b != NULL);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 0);
    tenv x, y;
    tenv_open_paths(&x, with_budget, b);
    tenv_open_paths(&y, with_budget, b);
    make_file(&x, "f");
    make_file(&y, "f");
    CHECK_EQ_INT(WG_WASI_ENFILE, 41);
    for (int i = 0; i < 3; i++) CHECK_EQ_INT(open_rw(&x, "f"), 0);
    uint32_t x_last = rd32(&x, FD_AT);
    CHECK_EQ_INT(open_rw(&y, "f"), 0);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 4);
    CHECK_EQ_INT(open_rw(&y, "f"), WG_WASI_ENFILE);
    CHECK_EQ_INT(open_rw(&x, "f"), WG_WASI_ENFILE);
    CHECK_EQ_INT(open_rw(&y, "no-such-file"), WG_WASI_ENFILE);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 4);
    /* a close in x is a place for y */
    CHECK_EQ_INT(call(&x, "fd_close", "i", A(x_last)), 0);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 3);
    CHECK_EQ_INT(open_rw(&y, "f"), 0);
    CHECK_EQ_INT(open_rw(&x, "f"), WG_WASI_ENFILE);
    /* freeing x (two fds still open) gives its places back */
    tenv_close(&x);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 2);
    CHECK_EQ_INT(open_rw(&y, "f"), 0);
    CHECK_EQ_INT(open_rw(&y, "f"), 0);
    CHECK_EQ_INT(open_rw(&y, "f"), WG_WASI_ENFILE);
    tenv_close(&y);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 0);
    wg_wasi_fd_budget_free(b);
}

typedef struct cap_and_budget {
    size_t cap;
    wg_wasi_fd_budget *budget;
} cap_and_budget;

static void cap_and_budget_tweak(wg_wasi_config *cfg, void *arg) {
    const cap_and_budget *cb = arg;
    wg_wasi_config_max_open_files(cfg, cb->cap);
    wg_wasi_config_fd_budget(cfg, cb->budget);
}

/* Both limits: whichever is reached first answers (the instance's own cap,
 * MFILE, is checked first and takes nothing from the budget); a budget of 0
 * allows nothing; a wg_wasi keeps the budget it was made with even if the
 * config changes; a NULL budget is harmless in the API. */
WG_TEST(fd_budget_and_cap_together) {
    wg_wasi_fd_budget *b = wg_wasi_fd_budget_new(10);
    CHECK(b != NULL);
    cap_and_budget cb = {2, b};
    tenv t;
    tenv_open_paths(&t, cap_and_budget_tweak, &cb);
    make_file(&t, "f");
    CHECK_EQ_INT(open_rw(&t, "f"), 0);
    CHECK_EQ_INT(open_rw(&t, "f"), 0);
    CHECK_EQ_INT(open_rw(&t, "f"), WG_WASI_EMFILE);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 2);
    wg_wasi_config_fd_budget(t.cfg, NULL); /* too late for t.w */
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(rd32(&t, FD_AT))), 0);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 1);
    tenv_close(&t);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 0);
    wg_wasi_fd_budget_free(b);

    b = wg_wasi_fd_budget_new(0);
    CHECK(b != NULL);
    cb.cap = 0;
    cb.budget = b;
    tenv_open_paths(&t, cap_and_budget_tweak, &cb);
    make_file(&t, "f");
    CHECK_EQ_INT(open_rw(&t, "f"), WG_WASI_ENFILE);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 0);
    tenv_close(&t);
    wg_wasi_fd_budget_free(b);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(NULL), 0);
    wg_wasi_fd_budget_free(NULL);
    wg_wasi_config_max_open_files(NULL, 1);
    wg_wasi_config_fd_budget(NULL, NULL);
}

/* Threads charging one budget at once, each through its own wg_wasi: the
 * total charged is exactly the budget, never more (compare-and-swap), and
 * every place comes back. */
typedef struct charger {
    wg_wasi *w;
    size_t got;
} charger;

static void *charge_all(void *arg) {
    charger *c = arg;
    while (wg__wasi_fd_charge(c->w) == WG_WASI_ESUCCESS) c->got++;
    return NULL;
}

WG_TEST(fd_budget_is_exact_under_threads) {
    enum { NTHREADS = 8, LIMIT = 100000 };
    wg_wasi_fd_budget *b = wg_wasi_fd_budget_new(LIMIT);
    wg_wasi_config *cfg = wg_wasi_config_new();
    CHECK(b && cfg);
    wg_wasi_config_fd_budget(cfg, b);
    charger c[NTHREADS];
    pthread_t th[NTHREADS];
    wg_error err;
    for (int i = 0; i < NTHREADS; i++) {
        c[i].w = wg_wasi_new(cfg, &err);
        c[i].got = 0;
        CHECK(c[i].w != NULL);
    }
    for (int i = 0; i < NTHREADS; i++) CHECK(pthread_create(&th[i], NULL, charge_all, &c[i]) == 0);
    size_t total = 0;
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        total += c[i].got;
        CHECK_EQ_INT(wg__wasi_fd_charge(c[i].w), WG_WASI_ENFILE);
    }
    CHECK_EQ_INT(total, LIMIT);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), LIMIT);
    for (int i = 0; i < NTHREADS; i++) {
        for (size_t k = 0; k < c[i].got; k++) wg__wasi_fd_uncharge(c[i].w);
        wg_wasi_free(c[i].w);
    }
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 0);
    wg_wasi_config_free(cfg);
    wg_wasi_fd_budget_free(b);
}

/* The host out of descriptors (RLIMIT_NOFILE) is MFILE too, and the failed
 * open keeps no place under the limits. */
WG_TEST(host_emfile_is_mfile) {
    wg_wasi_fd_budget *b = wg_wasi_fd_budget_new(10);
    tenv t;
    tenv_open_paths(&t, with_budget, b);
    make_file(&t, "f");
    struct rlimit old;
    CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
    int probe = dup(0);
    CHECK(probe >= 0);
    struct rlimit low = {(rlim_t)probe, old.rlim_max};
    close(probe);
    CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
    CHECK_EQ_INT(open_rw(&t, "f"), WG_WASI_EMFILE);
    CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
    CHECK_EQ_INT(t.w->nopen, 0);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 0);
    CHECK_EQ_INT(open_rw(&t, "f"), 0);
    tenv_close(&t);
    wg_wasi_fd_budget_free(b);
}

/* Fills every free slot of t's fd table up to WG_WASI_MAX_FDS with null
 * fds, directly: inserting one by one scans for the lowest free slot each
 * time, quadratic in the table size. Then wg__wasi_fd_insert must refuse. */
static bool fill_fd_table(tenv *t) {
    wg_wasi_fd filler;
    memset(&filler, 0, sizeof filler);
    filler.kind = WG_WASI_FD_NULL;
    filler.hostfd = -1;
    wg_wasi_fd *full = realloc(t->w->fds, WG_WASI_MAX_FDS * sizeof *full);
    CHECK(full != NULL);
    if (!full) return false;
    for (uint32_t i = 0; i < WG_WASI_MAX_FDS; i++)
        if (i >= t->w->nfds || full[i].kind == WG_WASI_FD_FREE) full[i] = filler;
    t->w->fds = full;
    t->w->nfds = t->w->cap = WG_WASI_MAX_FDS;
    int err = 0;
    CHECK_EQ_INT(wg__wasi_fd_insert(t->w, &filler, &err), -1);
    CHECK_EQ_INT(err, WG_WASI_EMFILE);
    return true;
}

/* The fd table's own hard limit (WG_WASI_MAX_FDS slots): path_open answers
 * MFILE, closes the host fd it had opened and gives its place back. */
WG_TEST(full_fd_table_is_mfile_without_leaks) {
    wg_wasi_fd_budget *b = wg_wasi_fd_budget_new(10);
    tenv t;
    tenv_open_paths(&t, with_budget, b);
    make_file(&t, "f");
    if (!fill_fd_table(&t)) return;
    int before = count_fds();
    CHECK_EQ_INT(open_rw(&t, "f"), WG_WASI_EMFILE);
    CHECK_EQ_INT(count_fds(), before);
    CHECK_EQ_INT(t.w->nopen, 0);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 0);
    /* a freed slot is reused at once */
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(1000)), 0);
    CHECK_EQ_INT(open_rw(&t, "f"), 0);
    CHECK_EQ_INT(rd32(&t, FD_AT), 1000);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 1);
    tenv_close(&t);
    CHECK_EQ_INT(wg_wasi_fd_budget_used(b), 0);
    wg_wasi_fd_budget_free(b);
}

/* sock_accept makes guest fds too: counted like path_open's, refused at the
 * cap with the connection left queued for later. */
typedef struct listener {
    int fd;
    struct sockaddr_un addr;
} listener;

static void listen_stdin(wg_wasi_config *cfg, void *arg) {
    wg_wasi_config_stdio(cfg, 0, WG_WASI_STDIO_FD, ((listener *)arg)->fd);
    wg_wasi_config_max_open_files(cfg, 1);
}

static int connect_to(const listener *l) {
    int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c >= 0 && connect(c, (const struct sockaddr *)&l->addr, sizeof l->addr) != 0) {
        close(c);
        c = -1;
    }
    return c;
}

WG_TEST(sock_accept_counts_against_the_cap) {
    listener l;
    memset(&l, 0, sizeof l);
    l.addr.sun_family = AF_UNIX;
    /* abstract namespace: nothing in the file system to clean up */
    snprintf(l.addr.sun_path + 1, sizeof l.addr.sun_path - 1, "wg-test-accept-%d", (int)getpid());
    l.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(l.fd >= 0);
    CHECK(bind(l.fd, (const struct sockaddr *)&l.addr, sizeof l.addr) == 0);
    CHECK(listen(l.fd, 4) == 0);
    int c1 = connect_to(&l), c2 = connect_to(&l);
    CHECK(c1 >= 0 && c2 >= 0);
    tenv t;
    tenv_open_paths(&t, listen_stdin, &l);
    CHECK_EQ_INT(call(&t, "sock_accept", "iii", A(0), A(0), A(FD_AT)), 0);
    uint32_t fd = rd32(&t, FD_AT);
    CHECK_EQ_INT(t.w->nopen, 1);
    CHECK_EQ_INT(call(&t, "sock_accept", "iii", A(0), A(0), A(FD_AT)), WG_WASI_EMFILE);
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(fd)), 0);
    CHECK_EQ_INT(call(&t, "sock_accept", "iii", A(0), A(0), A(FD_AT)), 0);
    CHECK_EQ_INT(t.w->nopen, 1);
    /* an accept that fails (nothing queued on a non-blocking listener)
     * takes no place */
    CHECK_EQ_INT(call(&t, "fd_close", "i", A(rd32(&t, FD_AT))), 0);
    CHECK(fcntl(l.fd, F_SETFL, fcntl(l.fd, F_GETFL) | O_NONBLOCK) == 0);
    CHECK_EQ_INT(call(&t, "sock_accept", "iii", A(0), A(0), A(FD_AT)), WG_WASI_EAGAIN);
    CHECK_EQ_INT(t.w->nopen, 0);
    /* a full table: MFILE, the accepted connection closed, no place kept */
    int c3 = connect_to(&l);
    CHECK(c3 >= 0);
    if (!fill_fd_table(&t)) return;
    int before = count_fds();
    CHECK_EQ_INT(call(&t, "sock_accept", "iii", A(0), A(0), A(FD_AT)), WG_WASI_EMFILE);
    CHECK_EQ_INT(count_fds(), before);
    CHECK_EQ_INT(t.w->nopen, 0);
    char byte;
    CHECK(read(c3, &byte, 1) == 0); /* the peer sees it closed */
    close(c3);
    tenv_close(&t);
    close(c1);
    close(c2);
    close(l.fd);
}

/* ---- errno mapping ---- */

WG_TEST(errno_mapping) {
    CHECK_EQ_INT(wg__wasi_errno(ENOENT), WG_WASI_ENOENT);
    CHECK_EQ_INT(wg__wasi_errno(EEXIST), 20);
    CHECK_EQ_INT(wg__wasi_errno(EPIPE), 64);
    CHECK_EQ_INT(wg__wasi_errno(ESPIPE), 70);
    CHECK_EQ_INT(wg__wasi_errno(EROFS), 69);
    CHECK_EQ_INT(wg__wasi_errno(EXDEV), 75);
    CHECK_EQ_INT(wg__wasi_errno(EOPNOTSUPP), WG_WASI_ENOTSUP);
    CHECK_EQ_INT(wg__wasi_errno(EWOULDBLOCK), WG_WASI_EAGAIN);
    CHECK_EQ_INT(wg__wasi_errno(ENOTEMPTY), 55);
    CHECK_EQ_INT(wg__wasi_errno(ELOOP), 32);
    CHECK_EQ_INT(wg__wasi_errno(EMFILE), 33);
    CHECK_EQ_INT(wg__wasi_errno(ENFILE), 41);
    CHECK_EQ_INT(wg__wasi_errno(ENXIO), 60);
    CHECK_EQ_INT(wg__wasi_errno(12345), WG_WASI_EIO);
    CHECK_EQ_INT(WG_WASI_ENOTCAPABLE, 76);
}

WG_TEST(config_preopen_errors) {
    wg_wasi_config *cfg = wg_wasi_config_new();
    wg_error err;
    CHECK(!wg_wasi_config_preopen(cfg, "/nonexistent/wasi1", "/x", false, &err));
    CHECK_STR_CONTAINS(err.message, "/nonexistent/wasi1");
    CHECK_STR_CONTAINS(err.message, strerror(ENOENT));
    CHECK(!wg_wasi_config_preopen(cfg, "/etc/passwd", "/x", false, &err));
    CHECK_STR_CONTAINS(err.message, strerror(ENOTDIR));
    wg_wasi_config_free(cfg);
}

WG_TEST_MAIN()
