/* files_in: how many entries a directory holds, besides . and .. (the
 * store on disk's tests: its files have no names, so a directory must
 * stay empty). -1 when it cannot be read. For the unit tests only. */
#ifndef LOCKSTEP_TEST_FILES_IN_H
#define LOCKSTEP_TEST_FILES_IN_H

#include <dirent.h>
#include <string.h>

static inline int files_in(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

#endif
