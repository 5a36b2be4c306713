/* actions.h: every user action and every key context, declared once.
 * Each X-macro list expands into an enum, the names the keymap parser
 * accepts, the function-bar labels and the help text, so the help screen,
 * the parser and the code cannot drift apart. */
#ifndef CQRS_ACTIONS_H
#define CQRS_ACTIONS_H

/* The tabs, in tab-bar order, declared once:
 * _(x, ID, N, "name", "short name", "bar label"), where x is passed
 * through to _. The list expands into the tab actions tab-N below, the
 * tab_id enum (screens/app.h) and the tab bar (screens/frame.c); N is the
 * number in the action's name (tab-1 ... ) and before the tab's name. */
#define CQRS_TABS(_, x) \
	_(x, HOME, 1, "Home", "Home", "Home") \
	_(x, PARTICIPATION, 2, "Participation Management", "Participation", "Particip") \
	_(x, DATA, 3, "Data Submission", "Data", "Data") \
	_(x, ACHIEVEMENT, 4, "Achievement", "Achievement", "Achieve") \
	_(x, REPORTS, 5, "Reports", "Reports", "Reports") \
	_(x, ADMIN, 6, "Administration", "Admin", "Admin")

/* A tab's action: ACT_TAB_N, named "tab-N", for the CQRS_ACTIONS entry _. */
#define CQRS_TAB_ACTION(_, id, n, name, short_name, label) \
	_(TAB_##n, "tab-" #n, label, "Go to the " name " tab")

/* _(ID, "config-name", "bar label", "help text"); the tab actions come
 * from CQRS_TABS. */
#define CQRS_ACTIONS(_) \
	_(NONE, "none", "", "Do nothing") \
	_(HELP, "help", "Help", "Show the keys of the current screen") \
	_(QUIT, "quit", "Quit", "Leave cqrs (the token is kept for next time)") \
	_(REFRESH, "refresh", "Refresh", "Fetch the current screen again from the server") \
	_(REDRAW, "redraw", "Redraw", "Repaint the whole terminal") \
	_(SUSPEND, "suspend", "Suspend", "Suspend cqrs and go back to the shell (fg resumes it)") \
	_(SIGN_OUT, "sign-out", "SignOut", "Sign out: the server revokes the token") \
	_(SWITCH_ORG, "switch-org", "Org", "Choose the current organisation") \
	CQRS_TABS(CQRS_TAB_ACTION, _) \
	_(NEXT_TAB, "next-tab", "Tab>", "Go to the next tab") \
	_(PREV_TAB, "prev-tab", "<Tab", "Go to the previous tab") \
	_(NEXT_SUBTAB, "next-subtab", "Sub>", "Go to the next sub-tab") \
	_(PREV_SUBTAB, "prev-subtab", "<Sub", "Go to the previous sub-tab") \
	_(MOVE_UP, "move-up", "Up", "Move the cursor up one line") \
	_(MOVE_DOWN, "move-down", "Down", "Move the cursor down one line") \
	_(PAGE_UP, "page-up", "PgUp", "Move up one page") \
	_(PAGE_DOWN, "page-down", "PgDn", "Move down one page") \
	_(FIRST, "first", "First", "Go to the first line") \
	_(LAST, "last", "Last", "Go to the last line") \
	_(OPEN, "open", "Open", "Open the item under the cursor") \
	_(BACK, "back", "Back", "Go back, close the dialog, or stop a slow request") \
	_(TOGGLE_TAG, "toggle-tag", "Tick", "Tick or untick the item under the cursor") \
	_(TAG_ALL, "select-all", "All", "Select All: tick every item (again: untick all)") \
	_(SEARCH, "search", "Search", "Search: type text, Enter to keep it, Esc to clear") \
	_(SEARCH_NEXT, "search-next", "Next", "Go to the next item matching the search") \
	_(SEARCH_PREV, "search-prev", "Prev", "Go to the previous item matching the search") \
	_(EXPAND, "expand", "Expand", "Expand the tree node under the cursor") \
	_(COLLAPSE, "collapse", "Collapse", "Collapse the tree node (or go to its parent)") \
	_(FILTER, "filter", "Filter", "Change the filter (financial year, kind)") \
	_(NEXT_FIELD, "next-field", "Next", "Go to the next field") \
	_(PREV_FIELD, "prev-field", "Prev", "Go to the previous field") \
	_(SUBMIT, "submit", "Submit", "Submit the form") \
	_(CURSOR_LEFT, "cursor-left", "Left", "Move the text cursor left") \
	_(CURSOR_RIGHT, "cursor-right", "Right", "Move the text cursor right") \
	_(LINE_START, "line-start", "Home", "Move the text cursor to the start") \
	_(LINE_END, "line-end", "End", "Move the text cursor to the end") \
	_(DELETE_CHAR, "delete-char", "Del", "Delete the character under the cursor") \
	_(DELETE_BACK, "delete-back", "BkSp", "Delete the character before the cursor") \
	_(KILL_LINE, "kill-line", "Kill", "Delete from the cursor to the end of the field") \
	_(CHOOSE, "choose", "Choose", "Open the drop-down of a choice field") \
	_(YES, "yes", "Yes", "Answer yes") \
	_(NO, "no", "No", "Answer no") \
	_(BREAKDOWN, "breakdown", "Breakdown", "Show how the figure under the cursor was calculated") \
	_(CHOOSE_PROVIDER, "choose-provider", "Provider", "Choose the practice or PCN to look at") \
	_(STUCK_VIEW, "stuck-view", "Stuck", "Switch between the dashboard and the stuck achievements") \
	_(REAGGREGATE, "rerun-aggregation", "Aggregate", "Re-run the network aggregation now") \
	_(ENTER_ON_BEHALF, "enter-on-behalf", "OnBehalf", "Enter the missing data on the practice's behalf") \
	_(ENTER_PCN_VALUES, "enter-pcn-values", "PCNValues", "Enter the PCN's own values (tick-boxes, CAIP) for the date shown") \
	_(CORRECT_MEMBERSHIP, "correct-membership", "Member", "Correct a PCN membership (add or end one)") \
	_(DECLARE, "declare", "Declare", "Declare Achievement: the checklist, then confirm") \
	_(EDIT_NOTES, "edit-notes", "Notes", "Edit the declaration notes") \
	_(APPROVE, "approve", "Approve", "Approve the ticked declarations (Approval Management)") \
	_(FIN_APPROVE, "financially-approve", "FinApprove", "Financially approve the ticked declarations") \
	_(RETURN_PROVIDER, "return-to-provider", "Return", "Return the ticked declarations to the provider") \
	_(ACCEPT, "accept", "Accept", "Accept Service: accept the ticked offers (or the one under the cursor)") \
	_(REJECT, "reject", "Reject", "Reject Service: reject the ticked offers (or the one under the cursor)") \
	_(WITHDRAW, "withdraw", "Withdraw", "Withdraw Service: withdraw the ticked Offered offers") \
	_(CANCEL_SERVICE, "cancel-service", "Cancel", "Cancel Service: cancel the ticked Approved or Rejected offers") \
	_(SAVE_WIP, "save-wip", "SaveWIP", "Save Work in Progress: store the New Values without submitting") \
	_(SUBMIT_DATA, "submit-data", "Submit", "Submit Achievement Data (asks Yes/No first; Esc aborts)") \
	_(HISTORY, "history", "History", "Show the submission history of the achievement date") \
	_(NEW_ACHIEVEMENT, "new-achievement", "AddNew", "Achievement Date drop-down: Add New Achievement for a date not yet recorded") \
	_(CHOOSE_SERVICE, "choose-service", "Service", "Choose the Quality Service whose achievements are shown") \
	_(CHOOSE_PRACTICE, "choose-practice", "Practice", "Choose the practice to enter data for (commissioner)") \
	_(DISMISS, "dismiss", "Dismiss", "Dismiss the notice under the cursor (work tasks close when done)") \
	_(EXPORT, "export", "Export", "Export the rows (a report: the whole report) to a CSV file") \
	_(SORT, "sort", "Sort", "Sort the rows by a column (again on the same column: the other way)") \
	_(RUN_SUMMARY, "run-summary", "Summary", "Run Achievement Summary Report for the declaration under the cursor") \
	_(OPEN_ALSO, "open-months", "Months", "Reports: the row's month-by-month chart (Achievement Summary, a practice's row)")

enum action {
#define CQRS_ACTION_ENUM(id, name, label, help) ACT_##id,
	CQRS_ACTIONS(CQRS_ACTION_ENUM)
#undef CQRS_ACTION_ENUM
	ACT__COUNT
};

/* _(ID, "config-name", "parent", "help text"): a key is looked up in its
 * context, then in the parent context, and so on up to global. */
#define CQRS_CONTEXTS(_) \
	_(GLOBAL, "global", -1, "Everywhere, unless a context below binds the key") \
	_(LIST, "list", CTX_GLOBAL, "Lists: tasks, services, organisations") \
	_(TREE, "tree", CTX_LIST, "Trees: a service's domains and indicator groups") \
	_(FORM, "form", CTX_GLOBAL, "Forms: sign-in and other typed fields") \
	_(DIALOG, "dialog", -1, "Confirmation dialogs: Esc always aborts") \
	_(POPUP, "popup", -1, "Drop-downs and the help overlay") \
	_(RESULTS, "results", CTX_LIST, "Achievement Results and Network Achievement") \
	_(DECLARE, "declare", CTX_LIST, "Achievement > Declare and its checklist") \
	_(APPROVAL, "approval", CTX_LIST, "Achievement > Declaration Management") \
	_(OFFERS, "offers", CTX_LIST, "My Services: offers to accept or reject") \
	_(OFFER, "offer", CTX_TREE, "An offer's details (My Services): accept or reject it") \
	_(OFFERED, "offered", CTX_LIST, "Offered Services: offers to withdraw or cancel") \
	_(ACHIEVEMENTS, "achievements", CTX_LIST, "Data Submission: the achievements panel, an achievement's groups, missing data") \
	_(TASKS, "tasks", CTX_LIST, "Home > Message Centre: your tasks and notices") \
	_(ENTRY, "entry", CTX_FORM, "The group form: New Values typed like a 3270 form (Enter and Tab move on)")

enum context {
#define CQRS_CONTEXT_ENUM(id, name, parent, help) CTX_##id,
	CQRS_CONTEXTS(CQRS_CONTEXT_ENUM)
#undef CQRS_CONTEXT_ENUM
	CTX__COUNT
};

/* The first tab action; tab t (0 for the first tab) is ACT_TAB_1 + t. */
#define ACT_TAB_FIRST ACT_TAB_1

const char *action_name(enum action a);
const char *action_label(enum action a);
const char *action_help(enum action a);
/* Returns the action for a config name, or -1. */
int action_lookup(const char *name);
const char *context_name(enum context c);
int context_parent(enum context c);
/* Returns the context for a config name, or -1. */
int context_lookup(const char *name);

#endif
