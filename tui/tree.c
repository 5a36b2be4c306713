/* tree.c: the tree widget (see tree.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui/tree.h"
#include "util.h"

static void draw_node(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct tree *t = ud;
	struct tree_node *nd = &t->nodes[t->vis[row]];
	int indent = nd->depth * 2;
	if (indent > width / 2)
		indent = width / 2;
	tui_clear(w, y, x, indent);
	const char *mark = nd->has_children ? (nd->expanded ? "- " : "+ ") : "  ";
	tui_put(w, y, x + indent, 2, mark, ST_LABEL, true);
	tui_put(w, y, x + indent + 2, width - indent - 2, nd->text, nd->style, true);
}

static const char *node_text(void *ud, size_t row)
{
	struct tree *t = ud;
	return t->nodes[t->vis[row]].text;
}

void tree_init(struct tree *t)
{
	memset(t, 0, sizeof(*t));
	list_init(&t->list, draw_node, node_text, t);
}

void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->nodes[i].text);
	xfree(&t->nodes);
	xfree(&t->vis);
	list_free(&t->list);
	t->n = t->nvis = 0;
}

size_t tree_add(struct tree *t, int depth, const char *text, enum style st, long tag)
{
	t->nodes = xrealloc(t->nodes, (t->n + 1) * sizeof(*t->nodes));
	t->nodes[t->n] = (struct tree_node){xstrdup(text), depth, false, false, st, tag};
	return t->n++;
}

/* Recomputes the visible nodes, keeping the cursor on the same node. */
static void revisit(struct tree *t)
{
	size_t keep = t->nvis ? t->vis[t->list.cur] : 0;
	free(t->vis);
	t->vis = xmalloc((t->n ? t->n : 1) * sizeof(size_t));
	t->nvis = 0;
	int hide_below = -1; /* depth under a collapsed node */
	size_t newcur = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct tree_node *nd = &t->nodes[i];
		if (hide_below >= 0 && nd->depth > hide_below)
			continue;
		hide_below = -1;
		if (i <= keep)
			newcur = t->nvis;
		t->vis[t->nvis++] = i;
		if (nd->has_children && !nd->expanded)
			hide_below = nd->depth;
	}
	list_set_count(&t->list, t->nvis);
	t->list.cur = newcur;
}

void tree_done(struct tree *t, int open_depth)
{
	for (size_t i = 0; i < t->n; i++) {
		t->nodes[i].has_children = i + 1 < t->n && t->nodes[i + 1].depth > t->nodes[i].depth;
		t->nodes[i].expanded = t->nodes[i].depth < open_depth || t->nodes[i].tag == TREE_OPEN;
	}
	t->nvis = 0;
	revisit(t);
	t->list.cur = 0;
}

struct tree_node *tree_current(struct tree *t)
{
	return t->nvis ? &t->nodes[t->vis[t->list.cur]] : NULL;
}

enum wres tree_action(struct tree *t, enum action a, int key)
{
	struct tree_node *nd = tree_current(t);
	if (!t->list.searching && nd) {
		if (a == ACT_EXPAND || (a == ACT_OPEN && nd->has_children && !nd->expanded)) {
			if (nd->has_children && !nd->expanded) {
				nd->expanded = true;
				revisit(t);
			}
			return W_HANDLED;
		}
		if (a == ACT_COLLAPSE || (a == ACT_OPEN && nd->has_children && nd->expanded)) {
			if (nd->has_children && nd->expanded) {
				nd->expanded = false;
				revisit(t);
			} else {
				/* go to the parent */
				size_t i = t->vis[t->list.cur];
				while (i > 0 && t->nodes[i - 1].depth >= nd->depth)
					i--;
				if (i > 0) {
					for (size_t v = 0; v < t->nvis; v++)
						if (t->vis[v] == i - 1)
							t->list.cur = v;
				}
			}
			return W_HANDLED;
		}
	}
	return list_action(&t->list, a, key);
}

void tree_draw(struct tree *t, WINDOW *w, int y, int x, int h, int width)
{
	list_draw(&t->list, w, y, x, h, width);
}
