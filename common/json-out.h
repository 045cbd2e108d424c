/* JSON written by the tools' --json options. */
#ifndef CX_JSON_OUT_H
#define CX_JSON_OUT_H

#include <stdio.h>

/* S as a JSON string, quotes included: '"', '\' and every control
 * character escaped (a path or a cgroup name may hold any of them);
 * other bytes as they are. */
void cx_json_string(FILE *out, const char *s);

#endif
