/* main: the lockstep command line (placeholder until the slice lands). */
#include <stdio.h>

int main(void)
{
    puts("lockstep " LOCKSTEP_VERSION);
    return 0;
}
