/* apitest.h: the helpers the API test programs share on top of
 * harness.h: one server (srv), the last answer (R), short request
 * functions that leave their answer in R, and checks that print the last
 * request and answer when they fail. */
#ifndef CQRS_TEST_APITEST_H
#define CQRS_TEST_APITEST_H

#include <stdbool.h>
#include <jansson.h>

#include "harness.h"

/* Every demo user's password. */
#define PASSWORD "Terminal-2025"

extern struct server srv;     /* the server under test */
extern struct http_resp R;    /* the last answer (see go()) */

/* A formatted string that lives until eight more have been made. */
const char *F(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Limits the program to seconds, starts srv (cqrsd --demo on a free
 * loopback port) as a checked case, and bails out when it does not start. */
void apitest_start(unsigned seconds);
/* The same with extra cqrsd arguments (NULL-terminated; may be NULL). */
void apitest_start_with(unsigned seconds, const char *const *extra_args);
/* Performs one request on srv; the answer is left in R (replacing the last). */
void go(const char *token, const char *method, const char *body, const char *path);
void GET(const char *token, const char *path);
void POST(const char *token, const char *path, const char *body);
void PUT(const char *token, const char *path, const char *body);
/* One case; on failure the last request and its answer are shown. */
bool ck(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool streq(const char *a, const char *b);
bool contains(const char *hay, const char *needle);
/* The error message and field of R (borrowed; NULL when none). */
const char *err_msg(void);
const char *err_field(void);
/* R is an error with this status, code, field (NULL: any) and a message
 * containing needle (NULL: any non-empty message). */
bool is_err(long status, const char *code, const char *field, const char *needle);
json_int_t jint(const json_t *o, const char *key);
/* R's top-level key (borrowed). */
json_t *J(const char *key);
/* The id of token's open task of kind about subject_type subject (0: none),
 * and how many open tasks of any kind token has about it. */
json_int_t task_with(const char *token, const char *subject_type, const char *kind,
		     json_int_t subject);
int tasks_with(const char *token, const char *subject_type, json_int_t subject);
/* Data Submission look-ups as token sees them (0 or -1 when none): the
 * achievement of org for service svc on date (YYYY-MM-DD), the id of the
 * group with code in achievement ach, and a group form's version. */
json_int_t ach_on(const char *token, const char *org, json_int_t svc, const char *date);
json_int_t group_of(const char *token, json_int_t ach, const char *code);
json_int_t form_version(const char *token, json_int_t ach, json_int_t gid);
/* The id of the service with code (e.g. "QOF2425") as token sees the
 * catalogue; bails out when there is none. */
json_int_t service_by_code(const char *token, const char *code);
/* The id of user_id as administrator admin sees it in GET /admin/users
 * (0: not listed); R holds the list. */
json_int_t uid_of(const char *admin, const char *user_id);
/* GET path with token on srv: the parsed body (owned; NULL when not JSON)
 * and, when status is not NULL, the HTTP status. R is left alone. */
json_t *fetch(const char *path, const char *token, long *status);
/* The token of demo user `user` on srv, signed in with PASSWORD on first
 * use (borrowed: kept until apitest_done(); NULL when the sign-in failed). */
const char *T(const char *user);
/* The demo user's GET /me answer, fetched once (borrowed; NULL on failure). */
json_t *ME(const char *user);
/* The organisation of kind ("PRACTICE", "PCN", "ICB") in a GET /me answer
 * (borrowed), or NULL. */
json_t *me_org(const json_t *me, const char *kind);
/* True when an array of objects has one whose "code" is code. */
bool array_has_code(const json_t *arr, const char *code);
/* The first "code" in an array of objects that is not code (borrowed), or NULL. */
const char *other_code(const json_t *arr, const char *code);
/* s is a date YYYY-MM-DD. */
bool is_date(const char *s);
/* j has, at any depth, a key containing "pence" (a pounds field). */
bool has_pence(const json_t *j);
/* Frees what the helpers hold (R, the last request, F's strings, the
 * demo users' tokens and /me answers). */
void apitest_done(void);

#endif
