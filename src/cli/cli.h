/*
 * The `wasmgate` command: what its subcommands share.
 *
 * Exit status (the same for every subcommand):
 *   0    success
 *   1    the module could not be read, decoded, validated or instantiated
 *   2    usage error: unknown command or flag, missing or bad argument
 *   124  `run --timeout` expired (as timeout(1))
 *   134  the WebAssembly code trapped (as a process killed by SIGABRT would)
 *   128+N  `run` was interrupted by signal N (SIGINT, SIGTERM)
 * and for `run` of a WASI command, whatever status the guest exits with.
 *
 * Messages go to stderr as "PATH: error: MESSAGE" for a module's errors and
 * "wasmgate: error: MESSAGE" for usage errors; results go to stdout.
 */
#ifndef WG_CLI_H
#define WG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/wasmgate.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_TRAP = 134,
};

/* Subcommands. argv[0] is the subcommand's name; they return an exit status. */
int cli_cmd_validate(int argc, char **argv);
int cli_cmd_inspect(int argc, char **argv);
int cli_cmd_run(int argc, char **argv);

/* `serve`: replaces the process (execv) with the gateway program, the file
 * WG_SERVE_PROGRAM in the folder of this executable (found through
 * /proc/self/exe, never PATH or the working directory), giving it the whole
 * command line: argv[0] as the user typed it, argv[1] "serve", the options.
 * Returns only on failure: CLI_EXIT_ERROR after printing which file it
 * looked for and why it could not run it (serve_exec.c). */
int cli_exec_serve(int argc, char **argv);

/* Prints "wasmgate: error: ..." and a hint to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* True if arg is -h or --help. */
int cli_is_help(const char *arg);

/* Prints the full usage text to stdout. */
void cli_print_usage(void);

/* Reads the whole file at path. Returns a malloc'd buffer (the caller frees
 * it) and its length in *len, or NULL after printing "PATH: error: cannot
 * read: REASON" to stderr. */
uint8_t *cli_read_file(const char *path, size_t *len);

/* A file's contents, read-only: mapped when the file is a regular file,
 * else (pipes, /proc files, empty files) read into a buffer. */
typedef struct cli_file {
    const uint8_t *data;     /* len bytes */
    size_t len;
    void *mapping;           /* the mmap'd region of len bytes, or NULL */
    uint8_t *buffer;         /* the malloc'd copy, or NULL */
} cli_file;

/* Loads the file at path into *f (release it with cli_file_release). False
 * after printing "PATH: error: cannot read: REASON" to stderr. */
bool cli_file_load(const char *path, cli_file *f);

/* Unmaps or frees f's contents; f is left empty. */
void cli_file_release(cli_file *f);

/* Reads, decodes, validates and compiles the module at path. Returns it (the
 * caller frees it with wg_module_free), or NULL after printing the reason to
 * stderr. If file is non-NULL it receives the file's contents, which the
 * caller releases with cli_file_release. */
wg_module *cli_load_module(const char *path, cli_file *file);

/* Decodes, validates and compiles the module in file (loaded from path,
 * for messages). NULL after printing the reason to stderr. */
wg_module *cli_module_of_file(const char *path, const cli_file *file);

/* For a command that is done and would only free what it holds before
 * main returns status: ends the process at once with exit(status) (stdio
 * is flushed, as after a return from main) and leaves the teardown to the
 * kernel. In builds that free at exit (WG_CLI_FREE_AT_EXIT, set by
 * CMakeLists.txt for the sanitizer builds, so that LeakSanitizer checks
 * every path) it returns, and the caller frees as usual.
 * Why: freeing an instance unmaps its value stack, its frame array and its
 * memory's reservation one by one, and each munmap flushes the TLB of every
 * CPU the process has run on, an interprocessor interrupt each on a VM; the
 * kernel's teardown at exit does it once. With the file's mapping, which
 * run keeps to the end for that reason, `run hello.wasm` spent 0.19 ms of
 * its 2.3 ms in those munmaps, more under load (docs/cli.md, "Start-up"). */
void cli_exit_fast(int status);

/* Parses the arguments of a command that takes exactly one MODULE and no
 * options (validate, inspect); argv[0] is the command. Returns -1 with *path
 * set, or the exit status to return at once (help printed, or a usage error
 * reported as "CMD: ..."). */
int cli_one_module_arg(int argc, char **argv, const char **path);

#endif
