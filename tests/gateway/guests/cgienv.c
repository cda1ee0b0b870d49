/* cgienv: prints what WAGI gave the guest, one item a line, as text:
 *
 *   env:NAME=VALUE      every environment variable, sorted
 *   argc=N
 *   argv[I]=VALUE
 *   stdin=BYTES         the whole body, as sent (then a newline)
 *
 * The end-to-end test compares the CGI variables field by field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    size_t n = 0;
    for (char **e = environ; *e; e++) n++;
    char **env = calloc(n + 1, sizeof *env);
    if (!env) return 1;
    for (size_t i = 0; i < n; i++) env[i] = environ[i];
    qsort(env, n, sizeof *env, cmp_str);

    fputs("content-type: text/plain\n\n", stdout);
    for (size_t i = 0; i < n; i++) printf("env:%s\n", env[i]);
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    fputs("stdin=", stdout);
    static char buf[16384];
    ssize_t r;
    while ((r = read(0, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)r, stdout);
    putchar('\n');
    free(env);
    return 0;
}
