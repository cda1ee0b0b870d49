/* redirect: a `location` header without a `status` makes the gateway answer
 * 302 Found (WAGI/CGI rule); the body is optional. */
#include <stdio.h>

int main(void)
{
    fputs("location: /hello\n"
          "content-type: text/plain\n"
          "\n"
          "See /hello\n", stdout);
    return 0;
}
