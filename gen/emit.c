#include "emit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define MAX_JUMP 255u           /* conditional jump offsets are 8 bits */

/* Instructions are emitted last first; a place is given as its distance
 * from the end of the program (1 for the last instruction). */
struct emitter {
	const struct graph *g;
	struct sock_filter *rev;        /* the program, backwards */
	size_t len, cap;
	bool *need_ld, *need_and;       /* which prefix instructions a node has */
	size_t *at_ld, *at_and, *at_jump; /* where they went (for a return: at_jump) */
};

static size_t put(struct emitter *e, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (e->len == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 256;
		e->rev = xreallocarray(e->rev, e->cap, sizeof(*e->rev));
	}
	e->rev[e->len] = (struct sock_filter){ .code = code, .jt = jt, .jf = jf, .k = k };
	return ++e->len;
}

/* Where a jump from node `from` into node `to` lands: past the load (and the
 * mask) when `from` leaves that very value in the accumulator. */
static size_t entry(const struct emitter *e, int from, int to)
{
	const struct node *a = &e->g->nodes[from], *b = &e->g->nodes[to];

	if (b->kind == NODE_RET)
		return e->at_jump[to];
	if (a->offset == b->offset && a->mask == b->mask)
		return e->at_jump[to];
	if (a->offset == b->offset && a->mask == NO_MASK)
		return e->at_and[to];
	return e->at_ld[to];
}

/* A copy of return node `to`, or a JA to `target`, placed next: something
 * a conditional jump about to be emitted can reach. */
static size_t detour(struct emitter *e, int to, size_t target)
{
	const struct node *b = &e->g->nodes[to];

	if (b->kind == NODE_RET) {
		e->at_jump[to] = put(e, BPF_RET | BPF_K, 0, 0, b->ret);
		return e->at_jump[to];
	}
	return put(e, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(e->len + 1 - target - 1));
}

static void emit_node(struct emitter *e, int i)
{
	const struct node *x = &e->g->nodes[i];
	size_t t, f;

	if (x->kind == NODE_RET) {
		e->at_jump[i] = put(e, BPF_RET | BPF_K, 0, 0, x->ret);
		return;
	}
	t = entry(e, i, x->t);
	f = entry(e, i, x->f);
	/* The jump goes at len + 1; each detour moves it one further from the
	 * other target, so check again until both fit. */
	for (;;) {
		if (e->len - t > MAX_JUMP)
			t = detour(e, x->t, t);
		else if (e->len - f > MAX_JUMP)
			f = detour(e, x->f, f);
		else
			break;
	}
	e->at_jump[i] = put(e, BPF_JMP | x->jop | BPF_K, (uint8_t)(e->len - t),
			    (uint8_t)(e->len - f), x->k);
	e->at_and[i] = e->need_and[i] ? put(e, BPF_ALU | BPF_AND | BPF_K, 0, 0, x->mask) : e->at_jump[i];
	e->at_ld[i] = e->need_ld[i] ? put(e, BPF_LD | BPF_W | BPF_ABS, 0, 0, x->offset) : e->at_and[i];
}

/* Records which prefix instructions `to` needs for the way in from `from`
 * (from < 0: the start of the program, where the accumulator holds nothing). */
static void note_way_in(struct emitter *e, int from, int to)
{
	const struct node *b = &e->g->nodes[to];
	const struct node *a = from >= 0 ? &e->g->nodes[from] : NULL;

	if (b->kind == NODE_RET)
		return;
	if (!a || a->offset != b->offset || (a->mask != b->mask && a->mask != NO_MASK)) {
		e->need_ld[to] = true;
		e->need_and[to] = b->mask != NO_MASK;
	} else if (a->mask != b->mask) {
		e->need_and[to] = true;
	}
}

size_t emit_program(const struct graph *g, int root, struct sock_filter **prog)
{
	struct emitter e = { .g = g };
	/* Depth-first walks without recursion; the second keeps (node, successors done). */
	int *stack = xcalloc(2 * g->n + 2, sizeof(*stack));
	unsigned char *state = xcalloc(g->n, 1);        /* seen */
	size_t depth = 0;

	e.need_ld = xcalloc(g->n, sizeof(*e.need_ld));
	e.need_and = xcalloc(g->n, sizeof(*e.need_and));
	e.at_ld = xcalloc(g->n, sizeof(*e.at_ld));
	e.at_and = xcalloc(g->n, sizeof(*e.at_and));
	e.at_jump = xcalloc(g->n, sizeof(*e.at_jump));

	/* First every way into every reachable node, so each knows its prefix;
	 * then the nodes in post-order, true side first: a node's false side is
	 * emitted just before it and so usually follows its jump (jf = 0). */
	note_way_in(&e, -1, root);
	stack[depth++] = root;
	state[root] = 1;
	while (depth) {
		const struct node *x = &g->nodes[stack[--depth]];

		if (x->kind != NODE_CMP)
			continue;
		for (int side = 0; side < 2; side++) {
			int next = side ? x->f : x->t;

			note_way_in(&e, (int)(x - g->nodes), next);
			if (!state[next]) {
				state[next] = 1;
				stack[depth++] = next;
			}
		}
	}

	memset(state, 0, g->n);
	stack[depth++] = root;
	state[root] = 1;
	stack[depth++] = 0;
	while (depth) {
		int i = stack[depth - 2], *done = &stack[depth - 1];
		const struct node *x = &g->nodes[i];
		int next = x->kind == NODE_CMP && *done < 2 ? (*done == 0 ? x->t : x->f) : -1;

		if (next >= 0) {
			++*done;
			if (!state[next]) {
				state[next] = 1;
				stack[depth++] = next;
				stack[depth++] = 0;
			}
			continue;
		}
		emit_node(&e, i);
		depth -= 2;
	}

	*prog = xreallocarray(NULL, e.len, sizeof(**prog));
	for (size_t k = 0; k < e.len; k++)
		(*prog)[k] = e.rev[e.len - 1 - k];
	free(stack);
	free(state);
	free(e.rev);
	free(e.need_ld);
	free(e.need_and);
	free(e.at_ld);
	free(e.at_and);
	free(e.at_jump);
	return e.len;
}
