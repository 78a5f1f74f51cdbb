/* What the network observer counted (supervise/net_observer.h), turned into
 * findings: its first sightings are announced in a ring buffer while the
 * command runs, so that each process's executable is read while it still
 * exists; after the run, every counted destination becomes one network
 * finding with its exact count, as a notified call would have made it. */
#pragma once
#include <stdint.h>

struct lp_findings;
struct lp_net_observer;
struct lp_net_observed;
struct lp_decider;

/* NULL (and 0) when the observer is not attached. -ENOMEM. */
int lp_net_observed_new(const struct lp_net_observer *o, struct lp_net_observed **ret);
void lp_net_observed_free(struct lp_net_observed *w);

/* A process gone before its executable was read is named by the program
 * its last execve ran (supervise/exec_names.h): the filesystem
 * observer's execs map, and a process of the command's mount namespace.
 * Without: by its thread's name. */
void lp_net_observed_names(struct lp_net_observed *w, int execs, int command);

/* The fd to poll for announcements; -1 for NULL. */
int lp_net_observed_fd(const struct lp_net_observed *w);

/* Reads the announcements waiting: each new process's executable. */
void lp_net_observed_drain(struct lp_net_observed *w);

/* After the command's tree is gone: every counted destination into
 * `store` as a network finding (rules/checks.h). 0 or -errno. */
int lp_net_observed_collect(struct lp_net_observed *w, const struct lp_decider *d,
                            struct lp_findings *store, uint64_t start_ms);
