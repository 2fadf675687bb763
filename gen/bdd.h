/* Binary decision diagrams over the 16 32-bit words of struct seccomp_data:
 * exact sets of syscalls (number, arch, instruction pointer, arguments), of
 * any shape, with union, intersection and complement. Variables are ordered
 * word by word (offset / 4: nr, arch, ip, then each argument's low and high
 * word), each word from its most significant bit down, so that an interval
 * or a masked class of one word takes at most 32 nodes.
 *
 * A store holds the nodes of one analysis, up to a fixed number: past it
 * every operation gives BDD_FALSE and bdd_exhausted() says so, and the
 * caller reports that it could not decide (never a partial answer). */
#ifndef BDD_H
#define BDD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BDD_WORDS 16u
#define BDD_VARS (32u * BDD_WORDS)

/* The nodes one analysis may make: about 100 MB at the most. */
#define BDD_MAX_NODES (1u << 22)

typedef uint32_t bdd;

#define BDD_FALSE 0u
#define BDD_TRUE 1u

struct bdd_store;

struct bdd_store *bdd_store_new(size_t max_nodes);
void bdd_store_free(struct bdd_store *s);
/* Whether an operation ran out of nodes: every result since is meaningless. */
bool bdd_exhausted(const struct bdd_store *s);

/* The set where bit `bit` (0 = least significant) of word `word` is 1. */
bdd bdd_var(struct bdd_store *s, unsigned word, unsigned bit);
/* if f then g else h. */
bdd bdd_ite(struct bdd_store *s, bdd f, bdd g, bdd h);
bdd bdd_and(struct bdd_store *s, bdd f, bdd g);
bdd bdd_or(struct bdd_store *s, bdd f, bdd g);
bdd bdd_not(struct bdd_store *s, bdd f);

/* Whether the syscall whose seccomp_data words are words[] is in f. */
bool bdd_holds(const struct bdd_store *s, bdd f, const uint32_t words[BDD_WORDS]);
/* Where (word & mask) compares with k as op says (BPF_JEQ, JGT, JGE,
 * JSET), built bottom-up: at most one node a bit of the word. */
bdd bdd_word_test(struct bdd_store *s, unsigned word, uint32_t mask, uint16_t op, uint32_t k);
/* The member of f (not BDD_FALSE) that comes first in the variable order
 * (smallest nr, then arch, ...), or last with `last`; words f leaves free
 * are 0 (last: all ones). */
void bdd_pick(const struct bdd_store *s, bdd f, bool last, uint32_t words[BDD_WORDS]);
/* Whether f, a set of values of `word` alone, is one masked class
 * {x : (x & *mask) == *value}. */
bool bdd_cube(const struct bdd_store *s, bdd f, unsigned word, uint32_t *mask, uint32_t *value);

#endif
