/* screens.h: every screen, declared once. Each line is one sub-tab: its
 * tab, name, the roles and organisation kinds that see it, and its ops
 * (one file per screen). Which tabs a user sees follows from this data:
 * a tab is shown when one of its sub-tabs is. Later issues add their
 * screens here. See docs/screens.md for the reasoning. */
#ifndef CQRS_SCREENS_H
#define CQRS_SCREENS_H

#include "screens/app.h"
#include "screens/listscreen.h"
#include "screens/reports.h"

/* Practice-side roles that may look at a practice's or PCN's services. */
#define R_PROVIDER_VIEW (R(VIEW) | R(FINANCE_VIEW) | R(SERVICE_MANAGEMENT) | \
	R(ACHIEVEMENT_ENTRY) | R(DECLARATION_MANAGEMENT) | R(SUPERVISOR) | \
	R(PCN_VIEW) | R(PCN_MANAGEMENT))
/* Commissioner roles that may look across the practices they administer. */
#define R_COMMISSIONER_VIEW (R(VIEW) | R(FINANCE_VIEW) | R(COMMISSIONING_MANAGEMENT) | \
	R(APPROVAL_MANAGEMENT) | R(FINANCE_MANAGEMENT) | R(ACHIEVEMENT_ENTRY) | \
	R(ORG_ADMIN))

/* _(ID, TAB, "Sub-tab", roles, kinds, ops, arg) */
#define CQRS_SCREENS(_) \
	_(MESSAGE_CENTRE, HOME, "Message Centre", ROLES_ALL, KINDS_ALL, \
	  listscreen_ops, &message_centre_list) \
	_(MY_ACCOUNT, HOME, "My Account", ROLES_ALL, KINDS_ALL, my_account_ops, NULL) \
	_(MY_SERVICES, PARTICIPATION, "My Services", R_PROVIDER_VIEW, KINDS_PROVIDER, \
	  listscreen_ops, &my_services_list) \
	_(OFFERED_SERVICES, PARTICIPATION, "Offered Services", \
	  R(COMMISSIONING_MANAGEMENT) | R(VIEW) | R(FINANCE_VIEW), KINDS_COMMISSIONER, \
	  listscreen_ops, &offered_services_list) \
	_(CREATE_OFFERS, PARTICIPATION, "Create Offers", R(COMMISSIONING_MANAGEMENT), \
	  KINDS_COMMISSIONER, create_offers_ops, NULL) \
	_(RECORD_ACHIEVEMENT, DATA, "Record Achievement", R(ACHIEVEMENT_ENTRY), K(PRACTICE), \
	  record_achievement_ops, NULL) \
	_(RECORD_PROVIDER_ACHIEVEMENT, DATA, "Record Provider Achievement", \
	  R(ACHIEVEMENT_ENTRY), KINDS_COMMISSIONER, record_provider_achievement_ops, \
	  NULL) \
	_(MISSING_DATA, DATA, "Missing Data", R_PROVIDER_VIEW, KINDS_PROVIDER, \
	  listscreen_ops, &missing_data_list) \
	_(NETWORK_ACHIEVEMENT, DATA, "Network Achievement", \
	  R_PROVIDER_VIEW | R_COMMISSIONER_VIEW, KINDS_ALL, network_achievement_ops, \
	  &network_achievement_sel) \
	_(ACHIEVEMENT_RESULTS, ACHIEVEMENT, "Achievement Results", \
	  R_PROVIDER_VIEW | R_COMMISSIONER_VIEW, KINDS_ALL, achievement_results_ops, \
	  &achievement_results_sel) \
	_(DECLARE, ACHIEVEMENT, "Declare", R(DECLARATION_MANAGEMENT), KINDS_PROVIDER, \
	  declare_ops, NULL) \
	_(DECLARATION_MANAGEMENT, ACHIEVEMENT, "Declaration Management", \
	  R(APPROVAL_MANAGEMENT) | R(FINANCE_MANAGEMENT) | R(COMMISSIONING_MANAGEMENT), \
	  KINDS_COMMISSIONER, listscreen_ops, &declaration_management_list) \
	_(REPORTS_PREDEFINED, REPORTS, "Pre-defined", \
	  R_PROVIDER_VIEW | R_COMMISSIONER_VIEW, KINDS_ALL, reports_ops, \
	  &reports_predefined_tab) \
	_(REPORTS_ADMINISTRATIVE, REPORTS, "Administrative", \
	  R_PROVIDER_VIEW | R_COMMISSIONER_VIEW | R(USER_ADMIN) | R(ADV_USER_ADMIN), \
	  KINDS_ALL, reports_ops, &reports_administrative_tab) \
	_(ADMIN_USERS, ADMIN, "Users", R(USER_ADMIN) | R(ADV_USER_ADMIN), KINDS_ALL, \
	  browse_ops, &admin_users_def) \
	_(ADMIN_CLUSTERS, ADMIN, "Provider Clusters", R(ORG_ADMIN), KINDS_COMMISSIONER, \
	  browse_ops, &admin_clusters_def) \
	_(ADMIN_ALLOCATED_REPORTS, ADMIN, "Allocated Reports", R(ORG_ADMIN), \
	  KINDS_COMMISSIONER, browse_ops, &admin_allocated_reports_def)

enum screen_id {
#define CQRS_SCREEN_ENUM(id, tab, name, roles, kinds, ops, arg) SCR_##id,
	CQRS_SCREENS(CQRS_SCREEN_ENUM)
#undef CQRS_SCREEN_ENUM
	SCR__COUNT,
	SCR_SIGNIN = SCR__COUNT, /* not a sub-tab: shown when signed out */
};

extern const struct screen_ops my_account_ops, browse_ops, signin_ops;
/* Data Submission (data_entry.h) */
extern const struct screen_ops record_achievement_ops, record_provider_achievement_ops;
extern const struct screen_ops create_offers_ops;
/* Screens declared as lists (listscreen.h). */
extern const struct ls_decl message_centre_list, my_services_list, offered_services_list,
	declaration_management_list, missing_data_list;
/* The Achievement screens (issues 6 and 7). */
extern const struct screen_ops achievement_results_ops, network_achievement_ops, declare_ops;
/* Their organisation, year and service (ach_common.h). */
struct ac_sel_ops;
extern const struct ac_sel_ops achievement_results_sel, network_achievement_sel;

/* The placeholder views (views.h). */
struct browse_def;
extern const struct browse_def admin_users_def, admin_clusters_def, admin_allocated_reports_def;

#endif
