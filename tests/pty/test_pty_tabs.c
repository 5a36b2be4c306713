/* test_pty_tabs.c: every demo user signs in to the real cqrs in a
 * pseudo-terminal and visits every tab and sub-tab their roles allow, by
 * keyboard alone; the tab bar must show exactly the tabs the roles allow
 * (the golden table below), each sub-tab must open without an error, and
 * a hidden tab's digit must say it is not available. Built twice: with
 * the default keymap (digits, Tab and BTab) and, with -DPTY_VI, with the
 * vi keymap chosen in the config file (`keymap = vi`: L/H between tabs,
 * l/h between sub-tabs). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/pty.h"

#ifdef PTY_VI
#define KEYMAP_NAME "vi"
#else
#define KEYMAP_NAME "default"
#endif

/* The tabs, as the tab bar names them at 80 columns (short) and wider. */
static const char *const tab_short[6] = {
	"Home", "Participation", "Data", "Achievement", "Reports", "Admin",
};
static const char *const tab_long[6] = {
	"Home", "Participation Management", "Data Submission", "Achievement", "Reports",
	"Administration",
};

#define HOME { "Message Centre", "My Account" }
#define REPORTS { "Pre-defined", "Administrative" }
#define NONE { NULL }

/* Golden table: the sub-tabs each demo user sees, per tab (an empty list:
 * the tab is hidden). From the roles in the demo seed and the screens'
 * role and organisation-kind rules. */
static const struct user_tabs {
	const char *user;
	const char *subs[6][4];
} users[] = {
	{ "demo.practice", { HOME, { "My Services" },
			     { "Record Achievement", "Missing Data", "Network Achievement" },
			     { "Achievement Results", "Declare" }, REPORTS, { "Users" } } },
	{ "demo.view", { HOME, { "My Services" }, { "Missing Data", "Network Achievement" },
			 { "Achievement Results" }, REPORTS, NONE } },
	{ "demo.pcn", { HOME, { "My Services" }, { "Missing Data", "Network Achievement" },
			{ "Achievement Results", "Declare" }, REPORTS, NONE } },
	{ "demo.commissioner", { HOME, { "Offered Services", "Create Offers" },
				 { "Record Provider Achievement", "Network Achievement" },
				 { "Achievement Results", "Declaration Management" }, REPORTS,
				 NONE } },
	{ "demo.approver", { HOME, NONE, { "Network Achievement" },
			     { "Achievement Results", "Declaration Management" }, REPORTS,
			     NONE } },
	{ "demo.finance", { HOME, NONE, { "Network Achievement" },
			    { "Achievement Results", "Declaration Management" }, REPORTS,
			    NONE } },
	{ "demo.admin", { HOME, NONE, { "Network Achievement" }, { "Achievement Results" },
			  REPORTS, { "Users", "Provider Clusters", "Allocated Reports" } } },
	{ "demo.cluster", { HOME, { "Offered Services", "Create Offers" },
			    { "Record Provider Achievement", "Network Achievement" },
			    { "Achievement Results", "Declaration Management" }, REPORTS,
			    NONE } },
};

static struct pty_server srv;

static int nsubs(const struct user_tabs *u, int tab)
{
	int n = 0;
	while (n < 4 && u->subs[tab][n])
		n++;
	return n;
}

/* True when the tab bar shows tab (its digit and name). */
static bool tab_shown(struct pty_term *t, int tab)
{
	char a[64], b[64];
	snprintf(a, sizeof a, "%d %s", tab + 1, tab_short[tab]);
	snprintf(b, sizeof b, "%d %s", tab + 1, tab_long[tab]);
	return pty_find_in_row(t, PTY_TAB_ROW, a, NULL) || pty_find_in_row(t, PTY_TAB_ROW, b, NULL);
}

static bool active_tab_is(struct pty_term *t, int tab)
{
	char *name = pty_active_item(t, PTY_TAB_ROW);
	bool ok = strcmp(name, tab_short[tab]) == 0 || strcmp(name, tab_long[tab]) == 0;
	free(name);
	return ok;
}

/* Waits up to ms for the active tab to be tab. */
static bool wait_tab(struct pty_term *t, int tab, int ms)
{
	int64_t deadline = mono_ms() + ms;
	while (!active_tab_is(t, tab)) {
		if (mono_ms() > deadline)
			return false;
		pty_pump(t, 20);
	}
	return true;
}

/* Waits up to ms for the active sub-tab to be name. */
static bool wait_sub(struct pty_term *t, const char *name, int ms)
{
	int64_t deadline = mono_ms() + ms;
	for (;;) {
		char *cur = pty_active_item(t, PTY_SUBTAB_ROW);
		bool ok = strcmp(cur, name) == 0;
		free(cur);
		if (ok)
			return true;
		if (mono_ms() > deadline)
			return false;
		pty_pump(t, 20);
	}
}

/* The sub-tab row with the brackets removed and blanks collapsed. */
static char *sub_row(struct pty_term *t)
{
	char *row = pty_row(t, PTY_SUBTAB_ROW);
	char *out = xcalloc(strlen(row) + 1, 1), *o = out;
	bool blank = true;
	for (const char *p = row; *p; p++) {
		char c = *p == '[' || *p == ']' ? ' ' : *p;
		if (c == ' ') {
			if (!blank)
				*o++ = ' ';
			blank = true;
		} else {
			*o++ = c;
			blank = false;
		}
	}
	if (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	free(row);
	return out;
}

/* Checks the open sub-tab: it is the active one, its body has loaded
 * (the screen went quiet) and the message line shows no error. */
static bool check_sub(struct pty_term *t, const char *user, int tab, const char *name)
{
	bool active = wait_sub(t, name, 5000) && active_tab_is(t, tab);
	pty_settle(t, 150, 8000);
	char *msg = pty_message(t);
	char *body = pty_row(t, 3);
	bool ok = active && !str_has_prefix(msg, "Error:") && body[0] != '\0' &&
		  !pty_find(t, "Loading...", NULL, NULL);
	char *why = xasprintf("%s: %s > %s", user, tab_short[tab], name);
	if (!ok) {
		tap_diag("%s: active=%d message=\"%s\"", why, active, msg);
		pty_dump(t, why);
	}
	free(why);
	free(msg);
	free(body);
	return ok;
}

static void visit_user(const struct user_tabs *u)
{
	struct pty_opts o = { 0 };
	char *home = pty_mkdir("home");
	o.home = home;
#ifdef PTY_VI
	char *cfg = xasprintf("%s/.config/cqrs/config", home);
	pty_write_file(cfg, "# chosen by the test\nkeymap = vi\n");
	free(cfg);
#endif
	const char *args[] = { "--server", srv.url, NULL };
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	if (!t || !pty_sign_in(t, u->user, PTY_DEMO_PASSWORD, 15000)) {
		tap_ok(false, "%s (%s keymap): signs in", u->user, KEYMAP_NAME);
		tap_skip("could not sign in", "%s: tab bar", u->user);
		tap_skip("could not sign in", "%s: every tab and sub-tab", u->user);
		tap_skip("could not sign in", "%s: hidden tabs", u->user);
		pty_close(&t);
		free(home);
		return;
	}
	tap_ok(true, "%s (%s keymap): signs in", u->user, KEYMAP_NAME);
	pty_settle(t, 150, 5000);

	/* The tab bar: exactly the tabs with sub-tabs. */
	bool bar = true;
	for (int tab = 0; tab < 6; tab++) {
		bool want = nsubs(u, tab) > 0, got = tab_shown(t, tab);
		if (want != got) {
			tap_diag("%s: tab %d %s is %s but should %s", u->user, tab + 1,
				 tab_short[tab], got ? "shown" : "hidden", want ? "be shown" : "not be");
			bar = false;
		}
	}
	pty_check(t, bar, "%s: the tab bar shows exactly the tabs the roles allow", u->user);

	/* Every visible tab and sub-tab. */
	int visited = 0, failed = 0, expected = 0;
#ifdef PTY_VI
	bool first_tab = true;
#endif
	for (int tab = 0; tab < 6; tab++)
		expected += nsubs(u, tab);
	for (int tab = 0; tab < 6; tab++) {
		int n = nsubs(u, tab);
		if (!n)
			continue;
#ifdef PTY_VI
		/* From the previous visible tab, L steps over the hidden ones. */
		if (!first_tab)
			pty_key(t, "L");
#else
		char digit[2] = { (char)('1' + tab), 0 };
		pty_key(t, digit);
#endif
#ifdef PTY_VI
		first_tab = false;
#endif
		if (!wait_tab(t, tab, 5000)) {
			tap_diag("%s: tab %s did not become active", u->user, tab_short[tab]);
			pty_dump(t, tab_short[tab]);
			failed += n;
			continue;
		}
		/* The sub-tab row lists exactly the allowed sub-tabs. */
		struct buf want;
		buf_init(&want);
		for (int i = 0; i < n; i++)
			buf_printf(&want, "%s%s", i ? " " : "", u->subs[tab][i]);
		pty_settle(t, 50, 2000);
		char *row = sub_row(t);
		if (strcmp(row, want.data) != 0) {
			tap_diag("%s: %s sub-tabs are \"%s\", expected \"%s\"", u->user,
				 tab_short[tab], row, want.data);
			failed++;
		}
		free(row);
		buf_free(&want);
		for (int i = 0; i < n; i++) {
			if (i > 0)
#ifdef PTY_VI
				pty_key(t, "l");
#else
				pty_key(t, "Tab");
#endif
			visited++;
			if (!check_sub(t, u->user, tab, u->subs[tab][i]))
				failed++;
		}
		if (n > 1) {
			/* Backwards from the last wraps to the one before it; the
			 * next-sub-tab key from the last wraps to the first. */
#ifdef PTY_VI
			pty_key(t, "h");
#else
			pty_key(t, "BTab");
#endif
			if (!wait_sub(t, u->subs[tab][n - 2], 3000)) {
				tap_diag("%s: previous sub-tab did not go to %s", u->user,
					 u->subs[tab][n - 2]);
				failed++;
			}
#ifdef PTY_VI
			pty_key(t, "l");
			pty_key(t, "l");
#else
			pty_key(t, "]");
			pty_key(t, "]");
#endif
			if (!wait_sub(t, u->subs[tab][0], 3000)) {
				tap_diag("%s: next sub-tab did not wrap to %s", u->user, u->subs[tab][0]);
				pty_dump(t, "wrap");
				failed++;
			}
		}
	}
	pty_check(t, failed == 0 && visited == expected,
		  "%s: every tab and sub-tab opens (%d of %d, %d problems)", u->user, visited,
		  expected, failed);

	/* Hidden tabs: the digit says so and nothing changes; with vi, H
	 * (previous tab) also skips them, back to Home at the end. */
	bool hidden_ok = true;
	int hidden = 0;
	for (int tab = 0; tab < 6; tab++) {
		if (nsubs(u, tab))
			continue;
		hidden++;
		char digit[2] = { (char)('1' + tab), 0 };
		char *msg = xasprintf("The %s tab is not available to your roles", tab_long[tab]);
		pty_key(t, digit);
		if (!pty_wait_text(t, msg, 3000)) {
			tap_diag("%s: digit %s gave no \"not available\" message", u->user, digit);
			hidden_ok = false;
		}
		free(msg);
		if (tab_shown(t, tab))
			hidden_ok = false;
	}
#ifdef PTY_VI
	int steps = 0;
	for (int tab = 1; tab < 6; tab++)
		steps += nsubs(u, tab) > 0;
	for (int i = 0; i < steps; i++)
		pty_key(t, "H");
	if (!wait_tab(t, 0, 5000)) {
		tap_diag("%s: H %d times did not come back to Home", u->user, steps);
		hidden_ok = false;
	}
#else
	pty_key(t, "1");
	if (!wait_tab(t, 0, 5000))
		hidden_ok = false;
#endif
	pty_check(t, hidden_ok, "%s: %d hidden tab(s) are refused with a message; back to Home",
		  u->user, hidden);
	pty_close(&t);
	free(home);
}

int main(void)
{
	pty_init(240);
	tap_plan((int)ARRAY_SIZE(users) * 4);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	for (size_t i = 0; i < ARRAY_SIZE(users); i++)
		visit_user(&users[i]);
	pty_server_free(&srv);
	return pty_finish();
}
