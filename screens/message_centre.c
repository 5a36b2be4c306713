/* message_centre.c: Home > Message Centre: the user's open tasks from
 * GET /tasks with their counts by kind; Enter on a task goes to the screen
 * it concerns (declared in the table below). Declared as a list screen
 * (listscreen.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/ach_common.h"
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

static struct api_call source(struct ls *l)
{
	return call_tasks();
}

/* The heading, and the counts by kind once the tasks are in. */
static void head(struct ls *l, WINDOW *w, int width)
{
	tui_put(w, 0, 0, width, "Message Centre: your tasks", ST_HEADING, true);
	json_t *answer = ls_answer(l);
	if (!answer)
		return;
	struct buf c;
	buf_init(&c);
	const char *kind;
	json_t *v;
	json_object_foreach(json_object_get(answer, "counts"), kind, v) {
		const struct task_kind *k = kind_of(kind);
		buf_printf(&c, "%s%s: %lld", c.len ? "   " : "", k ? k->name : kind,
			   (long long)json_integer_value(v));
	}
	tui_put(w, 1, 0, width, c.len ? c.data : "", ST_LABEL, true);
	buf_free(&c);
}

/* Enter: the first screen the user's roles allow for the task's kind,
 * opened at the task's subject. */
static void open_task(struct ls *l, json_t *t)
{
	struct app *a = ls_screen(l)->app;
	const struct task_kind *k = kind_of(ac_str(t, "kind"));
	if (!k) {
		app_message(a, MSG_INFO, "No screen deals with tasks of kind %s yet.",
			    ac_str(t, "kind"));
		return;
	}
	json_t *sid = json_object_get(t, "subject_id");
	for (size_t i = 0; i < ARRAY_SIZE(k->screens); i++)
		if (json_is_integer(sid)
		    ? app_goto_subject(a, k->screens[i], ac_str(t, "subject_type"),
				       (long)json_integer_value(sid))
		    : app_goto(a, k->screens[i]))
			return;
	app_message(a, MSG_INFO, "Your roles here do not open the screen for \"%s\".", k->name);
}

static void on_dismissed(struct screen *s, const struct api_response *r)
{
	struct ls *l = s->priv;
	if (app_failed(s->app, r, "Dismissing the notice"))
		return;
	app_message(s->app, MSG_OK, "Dismissed.");
	ls_reload(l);
}

/* x (F8): a notice is dismissed; the server keeps who may (its own
 * notices, in the user's scope) and says which tasks are notices. */
static enum wres task_action(struct ls *l, enum action a)
{
	if (a != ACT_DISMISS)
		return W_IGNORED;
	struct screen *s = ls_screen(l);
	json_t *t = ls_cursor(l);
	if (!t) {
		app_message(s->app, MSG_INFO, "There is no task here to dismiss.");
		return W_HANDLED;
	}
	if (!json_is_true(json_object_get(t, "dismissable"))) {
		app_message(s->app, MSG_INFO, "This task is work, not a notice: it closes itself "
			    "when the work is done (Enter opens its screen).");
		return W_HANDLED;
	}
	app_message(s->app, MSG_INFO, "Dismissing...");
	app_call(s->app, s, call_task_done((long)json_integer_value(json_object_get(t, "id"))),
		 on_dismissed);
	return W_HANDLED;
}

/* The title of the task under the cursor in full (the column may cut its
 * end), over two rows. */
static void foot(struct ls *l, WINDOW *w, int y, int width)
{
	json_t *t = ls_cursor(l);
	size_t n;
	char **v = tui_wrap(t ? ac_str(t, "title") : "", width, width - 2, &n);
	for (int i = 0; i < 2; i++)
		tui_printf(w, y + i, 0, width, ST_DIM, true, "%s%s", i ? "  " : "",
			   t && (size_t)i < n ? v[i] : "");
	tui_wrap_free(v, n);
}

static const struct ls_column columns[] = {
	{.title = "Date", .key = "created_at", .width = 11, .fmt = LS_STAMP},
	{.title = "Org", .key = "organisation", .width = 8},
	{.title = "Task (Enter opens its screen; d dismisses a notice)", .key = "title"},
};

const struct ls_decl message_centre_list = {
	.source = source,
	.rows = "tasks",
	.what = "Loading tasks",
	.error = "Could not load your tasks",
	.absent = "This server has no Message Centre yet (GET /api/v1/tasks answered 404).",
	.columns = columns,
	.ncolumns = ARRAY_SIZE(columns),
	.search = "{organisation} {kind} {title}",
	.empty = "No tasks: nothing is waiting for you.",
	.empty_hint = "New offers, declarations and approvals will appear here.",
	.context = CTX_TASKS,
	.head_rows = 2,
	.head = head,
	.open = open_task,
	.action = task_action,
	.foot_rows = 2,
	.foot = foot,
};
