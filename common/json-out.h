/* JSON written by the tools' --json options. */
#ifndef CX_JSON_OUT_H
#define CX_JSON_OUT_H

#include <stdio.h>

/* S as a JSON string, quotes included: '"', '\' and every control
 * character escaped, UTF-8 as it is, and a byte that is not part of
 * valid UTF-8 (a path or a cgroup name may hold any byte) as \u00XX,
 * the code point of its value: valid JSON always, though such a byte
 * and the character U+00XX then read the same. */
void cx_json_string(FILE *out, const char *s);

#endif
