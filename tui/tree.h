/* tree.h: a tree with expand and collapse, drawn through the list widget
 * (so it has the same cursor, paging and search). Nodes are added in
 * pre-order with their depth. Markers: "+" collapsed, "-" expanded. */
#ifndef CQRS_TUI_TREE_H
#define CQRS_TUI_TREE_H

#include "tui/list.h"
#include "tui/tui.h"

struct tree_node {
	char *text;           /* owned */
	int depth;
	bool expanded;
	bool has_children;    /* computed */
	enum style style;
	long tag;             /* for the owner */
};

struct tree {
	struct tree_node *nodes;
	size_t n;
	size_t *vis;          /* indexes of visible nodes; owned */
	size_t nvis;
	struct list list;
};

void tree_init(struct tree *t);
/* Frees every node and the visible index. */
void tree_free(struct tree *t);
/* Appends a node (text copied); returns its index. Call tree_done after
 * the last one. */
size_t tree_add(struct tree *t, int depth, const char *text, enum style st, long tag);
/* Computes children and visibility; expands nodes shallower than
 * open_depth, and those whose tag is TREE_OPEN. */
#define TREE_OPEN (-1L)
void tree_done(struct tree *t, int open_depth);
/* The node under the cursor, or NULL. */
struct tree_node *tree_current(struct tree *t);
/* Expand, collapse, and the list actions. */
enum wres tree_action(struct tree *t, enum action a, int key);
void tree_draw(struct tree *t, WINDOW *w, int y, int x, int h, int width);

#endif
