/* headers: response-header passthrough, chosen by QUERY_STRING:
 *   teapot    status: 418, a custom header, a custom content-type
 *   notfound  status: 404 Not Found
 *   location  a location header and no status (the gateway must say 302)
 *   crlf      headers ending in CRLF instead of LF, status 201 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    const char *q = getenv("QUERY_STRING");
    if (!q) q = "";
    if (strcmp(q, "teapot") == 0)
        fputs("status: 418 I'm a teapot\nx-test-header: passthrough-value\n"
              "content-type: text/x-wasmgate-test\n\nshort and stout\n", stdout);
    else if (strcmp(q, "notfound") == 0)
        fputs("status: 404 Not Found\ncontent-type: text/plain\n\nnothing here\n", stdout);
    else if (strcmp(q, "location") == 0)
        fputs("location: /somewhere/else\n\n", stdout);
    else if (strcmp(q, "crlf") == 0)
        fputs("Status: 201 Created\r\nContent-Type: text/plain\r\nX-Crlf: yes\r\n\r\ncreated\n",
              stdout);
    else
        fputs("content-type: text/plain\n\nunknown mode\n", stdout);
    return 0;
}
