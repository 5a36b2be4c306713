/* message_centre.c: Home > Message Centre: the user's open tasks from
 * GET /tasks with their counts by kind; Enter on a task goes to the screen
 * it concerns (declared in the table below). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

/* Task kinds: how they are named and which screen deals with them. The
 * first screen the user's roles allow is opened. */
static const struct task_kind {
	const char *kind;
	const char *name;
	int screens[2];
} task_kinds[] = {
	{"OFFER", "Offers to review", {SCR_MY_SERVICES, SCR_OFFERED_SERVICES}},
	{"OFFER_REJECTED", "Offers rejected", {SCR_OFFERED_SERVICES, SCR_MY_SERVICES}},
	{"OFFER_WITHDRAWN", "Offers withdrawn", {SCR_MY_SERVICES, SCR_OFFERED_SERVICES}},
	{"OFFER_CANCELLED", "Services cancelled", {SCR_MY_SERVICES, SCR_OFFERED_SERVICES}},
	{"DECLARATION", "Declarations due", {SCR_DECLARE, SCR_ACHIEVEMENT_RESULTS}},
	{"DECLARATION_APPROVAL", "Declarations to approve",
	 {SCR_DECLARATION_MANAGEMENT, SCR_ACHIEVEMENT_RESULTS}},
	{"DECLARATION_FINANCE", "Declarations to approve financially",
	 {SCR_DECLARATION_MANAGEMENT, SCR_ACHIEVEMENT_RESULTS}},
	{"MISSING_DATA", "Missing data", {SCR_MISSING_DATA, SCR_RECORD_ACHIEVEMENT}},
};

static const struct task_kind *kind_of(const char *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(task_kinds); i++)
		if (strcmp(task_kinds[i].kind, kind) == 0)
			return &task_kinds[i];
	return NULL;
}

struct mc {
	json_t *tasks;      /* owned reference */
	json_t *counts;     /* owned reference */
	struct list list;
	bool loading;
	char *error;        /* owned */
	char **text;        /* search text per task; owned */
	size_t ntext;
};

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void draw_task(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct mc *m = ud;
	json_t *t = json_array_get(m->tasks, row);
	time_t at = (time_t)json_integer_value(json_object_get(t, "created_at"));
	struct tm tm;
	char when[16] = "";
	if (gmtime_r(&at, &tm))
		strftime(when, sizeof(when), "%d/%m/%Y", &tm);
	tui_put(w, y, x, 11, when, ST_NORMAL, true);
	tui_put(w, y, x + 11, 8, jstr(t, "organisation"), ST_NORMAL, true);
	tui_put(w, y, x + 19, width - 19, jstr(t, "title"), ST_NORMAL, true);
}

static const char *task_text(void *ud, size_t row)
{
	struct mc *m = ud;
	return row < m->ntext ? m->text[row] : "";
}

static void mc_clear(struct mc *m)
{
	for (size_t i = 0; i < m->ntext; i++)
		free(m->text[i]);
	xfree(&m->text);
	m->ntext = 0;
	json_decref(m->tasks);
	json_decref(m->counts);
	m->tasks = m->counts = NULL;
	xfree(&m->error);
	list_set_count(&m->list, 0);
}

static void mc_init(struct screen *s)
{
	struct mc *m = s->priv;
	list_init(&m->list, draw_task, task_text, m);
}

static void mc_done(struct screen *s)
{
	struct mc *m = s->priv;
	mc_clear(m);
	list_free(&m->list);
}

static void on_tasks(struct screen *s, const struct api_response *r)
{
	struct mc *m = s->priv;
	m->loading = false;
	app_dirty(s->app);
	mc_clear(m);
	if (r->outcome == API_HTTP && r->status == 404 && strcmp(r->err_code, "not_found") == 0) {
		m->error = xstrdup("This server has no Message Centre yet (GET /api/v1/tasks "
				   "answered 404).");
		return;
	}
	if (app_failed(s->app, r, "Loading tasks")) {
		m->error = xasprintf("Could not load your tasks: %s", r->err_message);
		return;
	}
	json_t *tasks = json_object_get(r->json, "tasks");
	m->tasks = json_incref(json_is_array(tasks) ? tasks : json_array());
	if (!json_is_array(tasks))
		json_decref(m->tasks), m->tasks = json_array();
	m->counts = json_incref(json_object_get(r->json, "counts"));
	m->ntext = json_array_size(m->tasks);
	m->text = xcalloc(m->ntext ? m->ntext : 1, sizeof(char *));
	for (size_t i = 0; i < m->ntext; i++) {
		json_t *t = json_array_get(m->tasks, i);
		m->text[i] = xasprintf("%s %s %s", jstr(t, "organisation"), jstr(t, "kind"),
				       jstr(t, "title"));
	}
	list_set_count(&m->list, m->ntext);
}

static void mc_open(struct screen *s)
{
	struct mc *m = s->priv;
	m->loading = true;
	app_call(s->app, s, call_tasks(), on_tasks);
}

static void open_task(struct screen *s, struct mc *m)
{
	json_t *t = json_array_get(m->tasks, m->list.cur);
	const struct task_kind *k = kind_of(jstr(t, "kind"));
	if (k) {
		json_t *sid = json_object_get(t, "subject_id");
		for (size_t i = 0; i < ARRAY_SIZE(k->screens); i++)
			if (json_is_integer(sid)
			    ? app_goto_subject(s->app, k->screens[i], jstr(t, "subject_type"),
					       (long)json_integer_value(sid))
			    : app_goto(s->app, k->screens[i]))
				return;
		app_message(s->app, MSG_INFO, "Your roles here do not open the screen for \"%s\".",
			    k->name);
		return;
	}
	app_message(s->app, MSG_INFO, "No screen deals with tasks of kind %s yet.",
		    jstr(t, "kind"));
}

static enum wres mc_action(struct screen *s, enum action a, int key)
{
	struct mc *m = s->priv;
	enum wres r = list_action(&m->list, a, key);
	if (r == W_OPEN) {
		open_task(s, m);
		return W_HANDLED;
	}
	return r;
}

static enum context mc_context(struct screen *s)
{
	return CTX_LIST;
}

static void mc_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct mc *m = s->priv;
	tui_put(w, 0, 0, width, "Message Centre: your tasks", ST_HEADING, true);
	if (m->loading && !m->tasks) {
		tui_put(w, 2, 0, width, "Loading... (Esc stops it)", ST_INFO, true);
		return;
	}
	if (m->error) {
		tui_put(w, 2, 0, width, m->error, ST_ERROR, true);
		return;
	}
	if (!m->tasks)
		return;
	/* counts by kind */
	struct buf c;
	buf_init(&c);
	const char *kind;
	json_t *v;
	json_object_foreach(m->counts, kind, v) {
		const struct task_kind *k = kind_of(kind);
		buf_printf(&c, "%s%s: %lld", c.len ? "   " : "", k ? k->name : kind,
			   (long long)json_integer_value(v));
	}
	tui_put(w, 1, 0, width, c.len ? c.data : "", ST_LABEL, true);
	buf_free(&c);
	if (!m->list.n) {
		tui_put(w, 3, 0, width, "No tasks: nothing is waiting for you.", ST_INFO, true);
		tui_put(w, 4, 0, width, "New offers, declarations and approvals will appear here.",
			ST_DIM, true);
		return;
	}
	tui_put(w, 2, 2, 11, "Date", ST_COLHEAD, true);
	tui_put(w, 2, 13, 8, "Org", ST_COLHEAD, true);
	tui_put(w, 2, 21, width - 21, "Task (Enter opens its screen)", ST_COLHEAD, true);
	list_draw(&m->list, w, 3, 0, h - 3, width);
}

static bool mc_offers(struct screen *s, enum action a)
{
	return a != ACT_TAG_ALL && a != ACT_TOGGLE_TAG && a != ACT_FILTER;
}

const struct screen_ops message_centre_ops = {
	.offers = mc_offers,
	.priv_size = sizeof(struct mc),
	.init = mc_init,
	.open = mc_open,
	.draw = mc_draw,
	.action = mc_action,
	.context = mc_context,
	.done = mc_done,
};
