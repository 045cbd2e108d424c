/* Parsers: they take a string and return 0 with the value, or -1 with
 * errno EINVAL (not the right form) or ERANGE (out of range).  They
 * print nothing; the tool names the option in its message
 * (cx_opt_invalid).  All are pure but the user and group ones, which
 * look names up in the passwd- and group-format files they are given
 * (a root's /etc, not only the host's). */
#ifndef CX_PARSE_H
#define CX_PARSE_H

#include <stdint.h>
#include <sys/types.h>

/* Unsigned decimal, no sign, no spaces, no suffix. */
int cx_parse_u64(const char *s, uint64_t *out);
int cx_parse_u32(const char *s, uint32_t *out);
/* Signed decimal seconds, as for a time namespace offset. */
int cx_parse_i64(const char *s, int64_t *out);

/* A size in bytes, with util-linux's suffixes: "512", "512B", "100K",
 * "1.5G", "2T", up to E; the letter in either case.  A letter alone or
 * with "iB" is a power of 1024 ("100M", "100MiB"), with "B" a power of
 * 1000 ("100MB", "100mb"), as df(1) and util-linux read them.  A
 * fraction needs a unit and is rounded down to whole bytes.  Overflow
 * of 64 bits is ERANGE. */
int cx_parse_size(const char *s, uint64_t *out);

/* A user: a number, or a name looked up in the passwd-format file
 * PASSWD.  *gid gets the user's primary group when looked up by name;
 * *has_gid tells whether it was. */
int cx_parse_user(const char *s, const char *passwd, uid_t *uid, gid_t *gid,
		  int *has_gid);
/* A group: a number, or a name looked up in the group-format file. */
int cx_parse_group(const char *s, const char *group, gid_t *gid);
/* "USER[:GROUP]": GROUP defaults to USER's primary group when USER is a
 * name; a numeric USER without GROUP leaves *has_gid 0. */
int cx_parse_userspec(const char *s, const char *passwd, const char *group,
		      uid_t *uid, gid_t *gid, int *has_gid);
/* The passwd entry of UID: its name (in NAME, of LEN bytes) and primary
 * group.  -1 with ENOENT when there is none. */
int cx_lookup_uid(const char *passwd, uid_t uid, char *name, size_t len,
		  gid_t *gid);
/* The name of the first entry of ID in DB, a passwd- or group-format
 * file (the id is the third field of both).  -1 with ENOENT when there
 * is none. */
int cx_lookup_id(const char *db, uint32_t id, char *name, size_t len);
/* The groups NAME is a member of in the group file, after PRIMARY (which
 * comes first): up to max; returns the count or -1. */
int cx_user_groups(const char *group, const char *name, gid_t primary,
		   gid_t *out, int max);
/* "g1,g2,...": up to max groups; returns the count or -1. */
int cx_parse_groups(const char *s, const char *group, gid_t *out, int max);

/* An id map range "INNER:OUTER:COUNT" (util-linux 2.39 order), or the
 * older "OUTER,INNER,COUNT".  COUNT >= 1 and no range wraps 32 bits. */
struct cx_idmap {
	uint32_t inner, outer, count;
};
int cx_parse_idmap(const char *s, struct cx_idmap *m);
/* The first range subuid(5) or subgid(5) DB gives the user NAME or the
 * id ID: its first outer id and its size.  -1 with ENOENT for none. */
int cx_subid_first(const char *db, const char *name, uint32_t id,
		   uint32_t *start, uint32_t *count);
/* RANGE without the inner id HOLE (which a map of its own takes): one
 * or two ranges in OUT, the outer ids beside the hole left unused, as
 * util-linux does; returns how many (0 if RANGE was HOLE alone). */
int cx_idmap_around(struct cx_idmap range, uint32_t hole,
		    struct cx_idmap out[2]);

/* A signal: "TERM", "SIGTERM", "term" or "15". */
int cx_parse_signal(const char *s, int *sig);

#endif
