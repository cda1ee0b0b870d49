/* state: per-request isolation. It reports the state a previous request
 * would have left in its globals (data segment, bss, heap pointer), then
 * changes it. A fresh instance per request always reports the initial state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int counter;                  /* .bss */
static char last[128] = "initial";   /* .data */
static char *heap_note;              /* set from a heap allocation */

int main(void)
{
    const char *q = getenv("QUERY_STRING");
    counter++;
    printf("content-type: text/plain\n\ncounter=%d\nlast=%s\nheap=%s\n", counter, last,
           heap_note ? heap_note : "none");
    snprintf(last, sizeof last, "%s", q ? q : "");
    heap_note = strdup("left-by-an-earlier-request");
    return 0;
}
