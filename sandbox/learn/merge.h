/* learn --merge: reads back a profile that learn wrote, into the model
 * (learned.h), so that this run's grants are added to it. Only the lines
 * learn writes are understood; a hand-edited line is an error rather than
 * something silently dropped from the merged file. */
#pragma once

struct lp_learned;

/* Reads `path` into l (merging). `include` is what this run's Include=
 * line says; a file learned from another base is refused. Errors are
 * printed as "FILE:LINE: message"; -EINVAL then, -errno for I/O. */
int lp_learned_read(struct lp_learned *l, const char *path, const char *include);
