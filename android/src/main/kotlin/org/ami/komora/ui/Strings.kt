// Every string the screens show, in English, French and Kinyarwanda. One key per string; a
// test fails when a language lacks a key or a placeholder ({0}, {1}) differs between languages.
//
// Kinyarwanda: drafted by the Komora team, to be reviewed by AMI's Kinyarwanda-speaking staff
// before the first field use (docs/SCREENS.md lists the review). Clinical wording (instrument
// items, list labels) is NOT here: it comes from the core's data, where a missing translation
// stays missing rather than invented.
package org.ami.komora.ui

/** The key of a user-visible string; the English text is its meaning. */
enum class Str {
    /** Komora */
    APP_NAME,
    /** Enrol this tablet */
    ENROL_TITLE,
    /** Server address */
    ENROL_SERVER,
    /** Enrolment code */
    ENROL_CODE,
    /** Scan the QR code */
    ENROL_SCAN,
    /** Choose a PIN (at least 6 digits) */
    ENROL_PIN,
    /** Type the PIN again */
    ENROL_PIN_AGAIN,
    /** Enrol */
    ENROL_SUBMIT,
    /** Enrolling… */
    ENROLLING,
    /** Unlock */
    UNLOCK_TITLE,
    /** Your PIN */
    UNLOCK_PIN,
    /** Wrong PIN */
    WRONG_PIN,
    /** Too many wrong PINs. Try again in {0} s. */
    LOCKED_OUT,
    /** Locked after a time without use */
    LOCKED_IDLE,
    /** This QR code is not a Komora enrolment code */
    QR_UNKNOWN,
    /** Type the server's address, starting with https:// */
    SERVER_INVALID,
    /** Type the enrolment code you were given */
    CODE_MISSING,
    /** The PIN needs at least {0} digits */
    PIN_TOO_SHORT,
    SCREEN_LOCK_NEEDED,
    HAND_BACK,
    HAND_BACK_CONFIRM,
    HAND_BACK_DONE,
    HAND_BACK_OFFLINE,
    /** The two PINs differ */
    PIN_MISMATCH,
    /** My cases */
    CASELOAD_TITLE,
    /** Search by name or code */
    SEARCH_HINT,
    /** born {0} */
    BORN_IN,
    /** All */
    STATUS_ALL,
    /** High risk */
    FILTER_HIGH_RISK,
    /** Follow-up due */
    FOLLOW_UP_DUE,
    /** Next: {0} */
    NEXT_APPOINTMENT,
    /** Referrals overdue: {0} */
    REFERRALS_OVERDUE,
    /** Referrals open: {0} */
    REFERRALS_OPEN,
    /** (client not on this tablet) */
    UNKNOWN_CLIENT,
    /** This tablet works alone (no sync server) */
    SYNC_ALONE,
    /** Last synced {0} */
    SYNC_LAST,
    /** Never synced */
    SYNC_NEVER,
    /** nothing waiting */
    SYNC_NOTHING_WAITING,
    SYNC_UNSENT_WARNING,
    SYNC_NOTES_ARRIVING,
    /** 1 change waiting */
    SYNC_ONE_WAITING,
    /** {0} changes waiting */
    SYNC_WAITING,
    /** Sync now */
    SYNC_NOW,
    /** Connecting… */
    SYNC_STARTING,
    /** Sending: {0} of {1} */
    SYNC_SENDING,
    /** Receiving: {0} */
    SYNC_RECEIVING,
    /** Synced: {0} sent, {1} received */
    SYNC_DONE,
    /** No connection to the server. Your work is safe on this tablet and will be sent later. */
    SYNC_OFFLINE,
    /** just now */
    AGO_NOW,
    /** {0} min ago */
    AGO_MINUTES,
    /** {0} h ago */
    AGO_HOURS,
    /** {0} days ago */
    AGO_DAYS,
    /** No client matches */
    NO_RESULTS,
    /** No cases */
    NO_CASES,
    /** New client */
    NEW_CLIENT,
    /** Edit client */
    EDIT_CLIENT,
    /** Profile */
    SECTION_PROFILE,
    /** Consent */
    SECTION_CONSENT,
    /** Household */
    SECTION_HOUSEHOLD,
    /** Timeline */
    SECTION_TIMELINE,
    /** Measures */
    SECTION_MEASURES,
    /** Referrals */
    SECTION_REFERRALS,
    /** Name */
    FIELD_NAME,
    /** Code */
    FIELD_CODE,
    /** Sex */
    FIELD_SEX,
    /** Female */
    SEX_F,
    /** Male */
    SEX_M,
    /** Year of birth */
    FIELD_BIRTH_YEAR,
    /** Phone */
    FIELD_PHONE,
    /** Lives in */
    FIELD_PLACE,
    /** District */
    FIELD_DISTRICT,
    /** Sector */
    FIELD_SECTOR,
    /** Cell */
    FIELD_CELL,
    /** Village */
    FIELD_VILLAGE,
    /** Groups */
    FIELD_TARGET_GROUPS,
    /** Parent or guardian's name */
    FIELD_GUARDIAN,
    /** Explained in */
    FIELD_CONSENT_LANGUAGE,
    /** Not recorded */
    CONSENT_NOT_RECORDED,
    /** Given on {0} */
    CONSENT_GIVEN_ON,
    /** Withdrawn on {0} */
    CONSENT_WITHDRAWN_ON,
    /** Under 16: a parent or guardian gives consent. Type their name. */
    GUARDIAN_REQUIRED,
    /** Ask for consent to record data before saving */
    CONSENT_DATA_REQUIRED,
    /** Type the client's name */
    NAME_REQUIRED,
    /** No change */
    TREND_SAME,
    /** Better by {0} */
    TREND_BETTER,
    /** Worse by {0} */
    TREND_WORSE,
    /** Case */
    CASE,
    /** Session */
    SESSION,
    /** Edit */
    EDIT,
    /** Open a case */
    OPEN_CASE,
    /** Record a session */
    RECORD_SESSION,
    /** Give a measure */
    GIVE_MEASURE,
    /** Refer */
    REFER,
    /** Withdraw consent */
    WITHDRAW_CONSENT,
    /** Save */
    SAVE,
    /** Cancel */
    CANCEL,
    /** Back */
    BACK,
    /** New session */
    NEW_SESSION_TITLE,
    /** Date */
    FIELD_DATE,
    /** Where */
    FIELD_MODALITY,
    /** Duration */
    FIELD_DURATION,
    /** {0} min */
    MINUTES,
    /** Notes */
    FIELD_NOTES,
    /** Interventions */
    FIELD_INTERVENTIONS,
    /** Present at home */
    FIELD_HOUSEHOLD_PRESENT,
    /** Safety */
    FIELD_SAFETY,
    /** Follow-up plan */
    FIELD_FOLLOW_UP_PLAN,
    /** Next appointment */
    FIELD_NEXT_APPOINTMENT,
    /** Risk */
    FIELD_RISK,
    /** No measure */
    MEASURE_NONE,
    /** Question {0} of {1} */
    MEASURE_PROGRESS,
    /** Score {0}: {1} */
    MEASURE_RESULT,
    /** Some text is not translated yet and shows in English: read it in your own words. */
    TRANSLATION_MISSING,
    /** Previous */
    PREVIOUS,
    /** Done */
    DONE,
    /** Healing groups */
    GROUPS_TITLE,
    /** Join another team */
    TEAM_JOIN,
    /** Team */
    TEAM_LABEL,
    /** Figures for donors */
    FIGURES_TITLE,
    /** This quarter */
    FIGURES_QUARTER,
    /** Last quarter */
    FIGURES_LAST_QUARTER,
    /** This year */
    FIGURES_YEAR,
    /** Everything */
    FIGURES_ALL,
    /** No figures for this period yet */
    FIGURES_NONE,
    /** Share the CSV */
    FIGURES_SHARE,
    /** Counts from 1 to 4 show as <5, so that nobody can be singled out */
    FIGURES_SMALL,
    /** average change {0} */
    FIGURES_AVERAGE,
    /** Sessions */
    FIG_SESSIONS,
    /** People reached */
    FIG_CLIENTS_REACHED,
    /** Group sessions */
    FIG_GROUP_SESSIONS,
    /** Group attendance */
    FIG_GROUP_ATTENDANCE,
    /** Referrals */
    FIG_REFERRALS,
    /** Change in scores */
    FIG_MEASURE_CHANGE,
    /** Latest score, by band */
    FIG_MEASURE_BAND,
    /** Cut-off set used */
    FIG_CUTOFF_SET,
    /** Total */
    DIM_ALL,
    /** by kind of meeting */
    DIM_MODALITY,
    /** by district */
    DIM_DISTRICT,
    /** by sex */
    DIM_SEX,
    /** by age */
    DIM_AGE_BAND,
    /** by target group */
    DIM_TARGET_GROUP,
    /** by kind of group */
    DIM_GROUP_KIND,
    /** by destination */
    DIM_DESTINATION,
    /** by status */
    DIM_STATUS,
    /** by instrument */
    DIM_INSTRUMENT,
    /** {0} of {1} sessions held */
    GROUP_HELD,
    /** Session {0}: {1} */
    GROUP_SESSION_PHASE,
    /** {0} of {1} present */
    GROUP_PRESENT,
    /** Start today's session */
    GROUP_START_TODAY,
    /** Not held yet */
    GROUP_NOT_HELD,
    /** Needs individual follow-up */
    FLAG_REFERRAL,
    /** To review */
    REVIEW_QUEUE_TITLE,
    /** Nothing to review */
    REVIEW_EMPTY,
    /** Answered */
    REVIEW_ANSWERED,
    /** Not reviewed yet */
    REVIEW_NOT_YET,
    /** Approve */
    APPROVE,
    /** Needs changes */
    NEEDS_CHANGES,
    /** Comment */
    ADD_COMMENT,
    /** Your comment */
    COMMENT_HINT,
    /** Write what should change */
    COMMENT_REQUIRED,
    /** Requests from your supervisor */
    REQUESTS_TITLE,
    /** No requests */
    REQUESTS_EMPTY,
    /** Answer */
    ANSWER,
    /** Your answer */
    ANSWER_HINT,
    /** Write your answer first */
    ANSWER_REQUIRED,
    /** Comment */
    VERDICT_COMMENT,
    /** Approved */
    VERDICT_APPROVED,
    /** Changes requested */
    VERDICT_NEEDS_CHANGES,
    /** Settings */
    SETTINGS_TITLE,
    /** Change PIN */
    CHANGE_PIN,
    /** Current PIN */
    CURRENT_PIN,
    /** Type your current PIN */
    CURRENT_PIN_MISSING,
    /** New PIN (at least 6 digits) */
    NEW_PIN,
    /** Type the new PIN again */
    NEW_PIN_AGAIN,
    /** Your PIN is changed. Use the new one from now on. */
    PIN_CHANGED,
    /** Language */
    LANGUAGE,
    /** Lock when idle for */
    AUTO_LOCK,
    /** About */
    ABOUT,
    /** Licences */
    LICENCES,
    /** Version */
    ABOUT_VERSION,
    /** This tablet */
    ABOUT_DEVICE,
    /** Role */
    ABOUT_ROLE,
    /** Team */
    ABOUT_TEAM,
    /** Lock */
    LOCK_NOW,
    /** Open */
    STATUS_OPEN,
    /** Active */
    STATUS_ACTIVE,
    /** Referred */
    STATUS_REFERRED,
    /** Closed */
    STATUS_CLOSED,
    /** Low risk */
    RISK_LOW,
    /** Medium risk */
    RISK_MEDIUM,
    /** High risk */
    RISK_HIGH,
    /** Pending */
    REFERRAL_PENDING,
    /** Accepted */
    REFERRAL_ACCEPTED,
    /** Completed */
    REFERRAL_COMPLETED,
    /** Declined */
    REFERRAL_DECLINED,
    /** Cancelled */
    REFERRAL_CANCELLED,
    /** given */
    CONSENT_GIVEN,
    /** withdrawn */
    CONSENT_WITHDRAWN,
    /** Counsellor */
    ROLE_COUNSELLOR,
    /** Supervisor */
    ROLE_SUPERVISOR,
    /** Administrator */
    ROLE_ADMIN,
    /** Data officer */
    ROLE_DATA_OFFICER,
    /** Case opened */
    TL_CASE,
    /** Session */
    TL_SESSION,
    /** Measure */
    TL_ASSESSMENT,
    /** Referral */
    TL_REFERRAL,
    /** Consent */
    TL_CONSENT,
    /** Group session */
    TL_GROUP,
    /** {0}: {1} */
    ERR_VALIDATION,
    /** The client withdrew consent to {0}: nothing more is recorded under it. */
    ERR_CONSENT_WITHDRAWN,
    /** This record is not on this tablet */
    ERR_NOT_FOUND,
    /** No connection to the server. Your work is kept on this tablet. */
    ERR_NETWORK,
    ERR_UNTRUSTED_SERVER,
    /** An administrator revoked this tablet; its records were erased from it. */
    ERR_REVOKED,
    /** An administrator revoked this tablet, but erasing its records failed: uninstall the app now. */
    ERR_REVOKED_NOT_ERASED,
    /** This enrolment code is unknown, already used or expired. Ask for a new one. */
    ERR_INVALID_CODE,
    /** Your role does not allow this */
    ERR_FORBIDDEN,
    /** Some data is damaged or was tampered with. Nothing was changed; tell your supervisor. */
    ERR_CORRUPT,
    /** The tablet could not save (is its storage full?). Nothing was lost. */
    ERR_STORAGE,
    ERR_STORAGE_FULL,
    ERR_READ_ONLY,
    /** These records were written by a newer Komora: update the app */
    ERR_TOO_NEW,
    ERR_UPDATE_REQUIRED,
    /** This tablet was handed back: it records nothing new. An administrator will revoke it. */
    ERR_HANDED_BACK,
    /** The server says this tablet was revoked, but no administrator signed it: nothing was erased. */
    ERR_REVOCATION_UNPROVEN,
    /** A sync goes on behind the lock (and after the unlock). */
    SYNC_BEHIND_LOCK,
    /** The tablet's date went back (a flat battery): {0} what it says today, {1} the latest date it has seen (its own work, or the server's). */
    CLOCK_WRONG,
    /** The tablet's date runs ahead of the server's: {0} what it says today, {1} the server's date at the last sync. */
    CLOCK_AHEAD,
    /** After a date the core refused, when the tablet's own date is known wrong. */
    CLOCK_HINT,
    /**
     * Two tablets of the team claim the same changes (ADR 0027), on the home screen of an
     * administrator or supervisor: {0} how many wait aside, {1} since when, {2} the tablet whose
     * changes this tablet keeps, {3} the one whose changes wait aside (each a [CONTESTED_TABLET]).
     */
    CONTESTED_CHANGES,
    /** A tablet as the team's list names it: {0} the start of its id, {1} its role. */
    CONTESTED_TABLET,
    /** She says the date shown is right after all. */
    CLOCK_IS_RIGHT,
    CLOCK_OPEN_SETTINGS,
    /** Asked before the warning stops: {0} the date the tablet says it is. */
    CLOCK_IS_RIGHT_CONFIRM,
    TABLETS_TITLE,
    TABLETS_SHOW,
    TABLET_THIS,
    TABLET_ACTIVE,
    TABLET_REVOKED,
    TABLET_HANDED_BACK,
    TABLET_SILENT,
    TABLET_DETAIL,
    TABLET_OLD_APP,
    TABLET_NEVER,
    BACKUP_LAST,
    BACKUP_FAILED,
    BACKUP_STALE,
    BACKUP_NONE,
    BACKUP_UNKNOWN,
    /** Something went wrong inside Komora. Your saved work is safe. */
    ERR_INTERNAL,
    /** Too many wrong PINs: this tablet's records were erased, as the administrator's policy asks. Enrol it again. */
    ERR_ERASED_AFTER_FAILURES,
    /** The tablet's secure key store failed: try again, or restart the tablet */
    ERR_PLATFORM_KEY,
    /** No records on this tablet yet: enrol it first */
    ERR_NO_VAULT,
    /** This tablet is already enrolled */
    ERR_VAULT_EXISTS,
    /** This tablet is not connected to a sync server */
    ERR_NOT_ENROLLED,
    /** Locked */
    ERR_LOCKED,
    /** Urgent: a risk was raised */
    CD_URGENT,
    /** {0} digits typed */
    CD_PIN_DIGITS,
    /** Syncing */
    CD_SYNCING,
    /** Follow-up date */
    FIELD_FOLLOW_UP,
    /** Your administrator allows at most {0} min */
    AUTO_LOCK_LIMIT,
    /** Practice team */
    PRACTICE_TEAM,
    /** Practice team: made-up clients for training. Nothing here is real or sent anywhere. */
    PRACTICE_BANNER,
    /** Practice team: nothing here is sent anywhere */
    PRACTICE_SYNC,
    /** Open the practice team */
    PRACTICE_JOIN,
    /** A team of made-up clients for learning Komora. It stays on this tablet, apart from your real teams, and every screen of it is marked. Type your PIN to open it. */
    PRACTICE_EXPLAIN,
    /** Restored what you typed ({0}). It was kept encrypted on this tablet. */
    DRAFT_RESTORED,
    /** kept {0} */
    DRAFT_KEPT_AT,
    /** Session notes */
    DRAFT_SESSION,
    /** Your comment on a session */
    DRAFT_REVIEW,
    /** Your answer to your supervisor */
    DRAFT_ANSWER,
    /** Not saved yet */
    DRAFTS_TITLE,
    /** Continue */
    DRAFT_CONTINUE,
    /** Discard */
    DRAFT_DISCARD,
    /** Throw away what you typed? It cannot be brought back. */
    DRAFT_DISCARD_CONFIRM,
    /** Born about {0} */
    BORN_ABOUT,
    /** Age (years) */
    FIELD_AGE,
    /** Year of birth unknown: type the age */
    AGE_INSTEAD,
    /** Choose */
    CHOOSE,
    /** Choose the place above first */
    CHOOSE_ABOVE_FIRST,
    /** Search the list */
    SEARCH_LIST,
    /** Nothing matches */
    NO_MATCH,
    /** No cases yet */
    EMPTY_CASELOAD_TITLE,
    /** Tap New client to record the first person you meet, or Sync now to receive your team's cases. */
    EMPTY_CASELOAD,
    /** No case matches these filters */
    EMPTY_FILTERED,
    /** New group */
    NEW_GROUP,
    /** Name of the group */
    GROUP_NAME,
    /** Kind of group */
    GROUP_KIND,
    /** First facilitator */
    GROUP_FACILITATOR_1,
    /** Second facilitator */
    GROUP_FACILITATOR_2,
    /** Members */
    GROUP_MEMBERS,
    /** Find a member by name or code */
    GROUP_FIND_MEMBER,
    /** {0} members */
    GROUP_MEMBERS_COUNT,
    /** Type the group's name */
    GROUP_NAME_REQUIRED,
    /** Type at least one facilitator */
    GROUP_FACILITATOR_REQUIRED,
    /** Add the group's members */
    GROUP_MEMBERS_REQUIRED,
    /** No groups yet. Tap New group to start a healing group or a dialogue space. */
    GROUPS_EMPTY,
    /** Link a household member */
    LINK_HOUSEHOLD,
    /** Find the person by name or code */
    LINK_FIND,
    /** Relation */
    LINK_RELATION,
    /** Choose the person first */
    LINK_PICK_PERSON,
    /** Choose the relation */
    LINK_PICK_RELATION,
    /** Link */
    LINK_SAVE,
    /** Chosen: {0} */
    LINK_CHOSEN,
    /** Change status */
    REFERRAL_STATUS_CHANGE,
    /** Withdraw consent to {0}? Nothing more will be recorded under it. */
    WITHDRAW_CONFIRM,
    /** Keep */
    KEEP,
    /** Not said */
    SEX_NOT_SAID,
    /** No one linked yet */
    HOUSEHOLD_EMPTY,
    /** No referrals */
    REFERRALS_EMPTY,
    /** No measures yet */
    MEASURES_EMPTY,
    /** Client file */
    CLIENT_FILE,
    /** Problem */
    FIELD_PROBLEM,
    /** Measure */
    FIELD_INSTRUMENT,
    /** Refer to */
    FIELD_DESTINATION,
    /** Cases */
    SECTION_CASES,
    /** New referral */
    SECTION_NEW_REFERRAL,
    /** Your supervisor gives you a QR code, or a code to type. */
    ENROL_EXPLAIN,
    /** Type your PIN to open Komora */
    UNLOCK_PROMPT,
    /** Security */
    SECTION_SECURITY,
    /** Teams */
    SECTION_TEAMS,
    /** Show */
    FILTERS,
    /** Status */
    FIELD_STATUS,
    /** Attendance */
    ATTENDANCE,
    /** The cycle */
    GROUP_CYCLE,
    /** Today's session */
    TODAY_SESSION,
    /** Needs follow-up */
    FOLLOW_UP_TOGGLE,
    /** Reviews */
    REVIEWS,
    /** More */
    GO_TO,
    /** chosen */
    CD_CHOSEN,
    /** Back */
    CD_BACK,
    /** {0} of {1} questions answered */
    CD_MEASURE_PROGRESS,
    /** Risk */
    RISK,
    /** Your supervisor asks */
    ANSWER_FROM_SUPERVISOR,
    /** Details */
    DETAILS,
    /** Period */
    PERIOD,
    /** Your PIN */
    PIN_FOR_PRACTICE,
    /** Not set */
    DATE_NOT_SET,
    /** Session with {0} */
    SESSION_FOR,
    /** Overdue */
    OVERDUE,
    /** not given */
    NOT_GIVEN,
    /** In 1 week */
    DATE_IN_ONE_WEEK,
    /** In 2 weeks */
    DATE_IN_TWO_WEEKS,
    /** In 4 weeks */
    DATE_IN_FOUR_WEEKS,
    /** Previous month */
    PREVIOUS_MONTH,
    /** Next month */
    NEXT_MONTH,
    /** No date */
    DATE_CLEAR,
    /** New case */
    NEW_CASE,
    /** Her case is now marked at risk: it goes first in your supervisor's queue. */
    RISK_RAISED_NOTE,
    /** A copy for the client */
    EXPORT_SECTION,
    /** The law lets a client have everything recorded about them. You read each note before anything leaves the tablet. */
    EXPORT_ENTRY_EXPLAIN,
    /** Give the client their file */
    EXPORT_ENTRY,
    /** The client's own file */
    EXPORT_TITLE,
    /** Read each note before it leaves. A note about other people or about safety can put the client in danger if the file falls into the wrong hands. A note you do not include stays out. */
    EXPORT_EXPLAIN,
    /** The file holds no notes to read: it can be given as it is. */
    EXPORT_NO_NOTES,
    /** In the client's copy */
    EXPORT_DECISION,
    /** Include */
    EXPORT_INCLUDE,
    /** Leave out */
    EXPORT_WITHHOLD,
    /** Not decided: left out */
    EXPORT_UNDECIDED,
    /** Notes included: {0}. Left out: {1}. */
    EXPORT_COUNTS,
    /** Language of the copy */
    EXPORT_LANGUAGE,
    /** As in their consent */
    EXPORT_LANGUAGE_THEIRS,
    /** You choose where it goes: a USB stick, a printer. The page, then the data, each where you pick; nothing stays on this tablet. */
    EXPORT_WHERE,
    /** Save the copy */
    EXPORT_SAVE,
    /** Saved where you chose: the page and the data. Nothing was kept on this tablet. */
    EXPORT_SAVED,
    /** Documents saved where you chose: {0} of {1}. Nothing was kept on this tablet. */
    EXPORT_SAVED_SOME,
    /** Nothing was saved. */
    EXPORT_NONE_SAVED,
    /** The copy could not be written there (documents saved: {0} of {1}). Nothing was kept on this tablet: choose another place and save again. */
    EXPORT_NOT_WRITTEN,
    /** This text is a draft: it has not been reviewed yet. */
    DRAFT_MARK_CD,
    /** A form's draft the tablet refused to keep ({0}: why). */
    DRAFT_NOT_KEPT,
    /** Why: the cap of unsaved forms ({0}: the cap). */
    DRAFTS_TOO_MANY,
    /** A measure left before its last answer, offered on the client's file ({0}: instrument, {1}: "Question 6 of 9"). */
    MEASURE_UNFINISHED,
}

/** English. */
internal val ENGLISH_TEXTS: Map<Str, String> = mapOf(
    Str.APP_NAME to "Komora",
    Str.ENROL_TITLE to "Enrol this tablet",
    Str.ENROL_SERVER to "Server address",
    Str.ENROL_CODE to "Enrolment code",
    Str.ENROL_SCAN to "Scan the QR code",
    Str.ENROL_PIN to "Choose a PIN (at least 6 digits)",
    Str.ENROL_PIN_AGAIN to "Type the PIN again",
    Str.ENROL_SUBMIT to "Enrol",
    Str.ENROLLING to "Enrolling…",
    Str.UNLOCK_TITLE to "Unlock",
    Str.UNLOCK_PIN to "Your PIN",
    Str.WRONG_PIN to "Wrong PIN",
    Str.LOCKED_OUT to "Too many wrong PINs. Try again in {0} s.",
    Str.LOCKED_IDLE to "Locked after a time without use",
    Str.QR_UNKNOWN to "This QR code is not a Komora enrolment code",
    Str.SERVER_INVALID to "Type the server's address, starting with https://",
    Str.CODE_MISSING to "Type the enrolment code you were given",
    Str.PIN_TOO_SHORT to "The PIN needs at least {0} digits",
    Str.HAND_BACK to "Hand this tablet back",
    Str.HAND_BACK_CONFIRM to "Tap again to hand the tablet back: everything on it is sent first, then it records nothing more",
    Str.HAND_BACK_DONE to "Handed back: everything was sent. Give the tablet to your administrator, who revokes it; it erases itself at its next connection",
    Str.HAND_BACK_OFFLINE to "Not handed back: some changes could not be sent. Connect to the network and try again",
    Str.SCREEN_LOCK_NEEDED to "This tablet has no screen lock. Set one first (Settings, Security, Screen lock): Komora's PIN works only behind it",
    Str.PIN_MISMATCH to "The two PINs differ",
    Str.CASELOAD_TITLE to "My cases",
    Str.SEARCH_HINT to "Search by name or code",
    Str.BORN_IN to "born {0}",
    Str.STATUS_ALL to "All",
    Str.FILTER_HIGH_RISK to "High risk",
    Str.FOLLOW_UP_DUE to "Follow-up due",
    Str.NEXT_APPOINTMENT to "Next: {0}",
    Str.REFERRALS_OVERDUE to "Referrals overdue: {0}",
    Str.REFERRALS_OPEN to "Referrals open: {0}",
    Str.UNKNOWN_CLIENT to "(client not on this tablet)",
    Str.SYNC_ALONE to "This tablet works alone (no sync server)",
    Str.SYNC_LAST to "Last synced {0}",
    Str.SYNC_NEVER to "Never synced",
    Str.SYNC_NOTHING_WAITING to "nothing waiting",
    Str.SYNC_UNSENT_WARNING to "these changes are on this tablet only: connect to send them (a forgotten PIN would lose them)",
    Str.SYNC_NOTES_ARRIVING to "{0} session notes still arriving",
    Str.SYNC_ONE_WAITING to "1 change waiting",
    Str.SYNC_WAITING to "{0} changes waiting",
    Str.SYNC_NOW to "Sync now",
    Str.SYNC_STARTING to "Connecting…",
    Str.SYNC_SENDING to "Sending: {0} of {1}",
    Str.SYNC_RECEIVING to "Receiving: {0}",
    Str.SYNC_DONE to "Synced: {0} sent, {1} received",
    Str.SYNC_OFFLINE to "No connection to the server. Your work is safe on this tablet and will be sent later.",
    Str.AGO_NOW to "just now",
    Str.AGO_MINUTES to "{0} min ago",
    Str.AGO_HOURS to "{0} h ago",
    Str.AGO_DAYS to "{0} days ago",
    Str.NO_RESULTS to "No client matches",
    Str.NO_CASES to "No cases",
    Str.NEW_CLIENT to "New client",
    Str.EDIT_CLIENT to "Edit client",
    Str.SECTION_PROFILE to "Profile",
    Str.SECTION_CONSENT to "Consent",
    Str.SECTION_HOUSEHOLD to "Household",
    Str.SECTION_TIMELINE to "Timeline",
    Str.SECTION_MEASURES to "Measures",
    Str.SECTION_REFERRALS to "Referrals",
    Str.FIELD_NAME to "Name",
    Str.FIELD_CODE to "Code",
    Str.FIELD_SEX to "Sex",
    Str.SEX_F to "Female",
    Str.SEX_M to "Male",
    Str.FIELD_BIRTH_YEAR to "Year of birth",
    Str.FIELD_PHONE to "Phone",
    Str.FIELD_PLACE to "Lives in",
    Str.FIELD_DISTRICT to "District",
    Str.FIELD_SECTOR to "Sector",
    Str.FIELD_CELL to "Cell",
    Str.FIELD_VILLAGE to "Village",
    Str.FIELD_TARGET_GROUPS to "Groups",
    Str.FIELD_GUARDIAN to "Parent or guardian's name",
    Str.FIELD_CONSENT_LANGUAGE to "Explained in",
    Str.CONSENT_NOT_RECORDED to "Not recorded",
    Str.CONSENT_GIVEN_ON to "Given on {0}",
    Str.CONSENT_WITHDRAWN_ON to "Withdrawn on {0}",
    Str.GUARDIAN_REQUIRED to "Under 16: a parent or guardian gives consent. Type their name.",
    Str.CONSENT_DATA_REQUIRED to "Ask for consent to record data before saving",
    Str.NAME_REQUIRED to "Type the client's name",
    Str.TREND_SAME to "No change",
    Str.TREND_BETTER to "Better by {0}",
    Str.TREND_WORSE to "Worse by {0}",
    Str.CASE to "Case",
    Str.SESSION to "Session",
    Str.EDIT to "Edit",
    Str.OPEN_CASE to "Open a case",
    Str.RECORD_SESSION to "Record a session",
    Str.GIVE_MEASURE to "Give a measure",
    Str.REFER to "Refer",
    Str.WITHDRAW_CONSENT to "Withdraw consent",
    Str.SAVE to "Save",
    Str.CANCEL to "Cancel",
    Str.BACK to "Back",
    Str.NEW_SESSION_TITLE to "New session",
    Str.FIELD_DATE to "Date",
    Str.FIELD_MODALITY to "Where",
    Str.FIELD_DURATION to "Duration",
    Str.MINUTES to "{0} min",
    Str.FIELD_NOTES to "Notes",
    Str.FIELD_INTERVENTIONS to "Interventions",
    Str.FIELD_HOUSEHOLD_PRESENT to "Present at home",
    Str.FIELD_SAFETY to "Safety",
    Str.FIELD_FOLLOW_UP_PLAN to "Follow-up plan",
    Str.FIELD_NEXT_APPOINTMENT to "Next appointment",
    Str.FIELD_RISK to "Risk",
    Str.MEASURE_NONE to "No measure",
    Str.MEASURE_PROGRESS to "Question {0} of {1}",
    Str.MEASURE_RESULT to "Score {0}: {1}",
    Str.TRANSLATION_MISSING to "Some text is not translated yet and shows in English: read it in your own words.",
    Str.PREVIOUS to "Previous",
    Str.DONE to "Done",
    Str.GROUPS_TITLE to "Healing groups",
    Str.TEAM_JOIN to "Join another team",
    Str.TEAM_LABEL to "Team",
    Str.FIGURES_TITLE to "Figures for donors",
    Str.FIGURES_QUARTER to "This quarter",
    Str.FIGURES_LAST_QUARTER to "Last quarter",
    Str.FIGURES_YEAR to "This year",
    Str.FIGURES_ALL to "Everything",
    Str.FIGURES_NONE to "No figures for this period yet",
    Str.FIGURES_SHARE to "Share the CSV",
    Str.FIGURES_SMALL to "Counts from 1 to 4 show as <5, so that nobody can be singled out",
    Str.FIGURES_AVERAGE to "average change {0}",
    Str.FIG_SESSIONS to "Sessions",
    Str.FIG_CLIENTS_REACHED to "People reached",
    Str.FIG_GROUP_SESSIONS to "Group sessions",
    Str.FIG_GROUP_ATTENDANCE to "Group attendance",
    Str.FIG_REFERRALS to "Referrals",
    Str.FIG_MEASURE_CHANGE to "Change in scores",
    Str.FIG_MEASURE_BAND to "Latest score, by band",
    Str.FIG_CUTOFF_SET to "Cut-off set used",
    Str.DIM_ALL to "Total",
    Str.DIM_MODALITY to "by kind of meeting",
    Str.DIM_DISTRICT to "by district",
    Str.DIM_SEX to "by sex",
    Str.DIM_AGE_BAND to "by age",
    Str.DIM_TARGET_GROUP to "by target group",
    Str.DIM_GROUP_KIND to "by kind of group",
    Str.DIM_DESTINATION to "by destination",
    Str.DIM_STATUS to "by status",
    Str.DIM_INSTRUMENT to "by instrument",
    Str.GROUP_HELD to "{0} of {1} sessions held",
    Str.GROUP_SESSION_PHASE to "Session {0}: {1}",
    Str.GROUP_PRESENT to "{0} of {1} present",
    Str.GROUP_START_TODAY to "Start today's session",
    Str.GROUP_NOT_HELD to "Not held yet",
    Str.FLAG_REFERRAL to "Needs individual follow-up",
    Str.REVIEW_QUEUE_TITLE to "To review",
    Str.REVIEW_EMPTY to "Nothing to review",
    Str.REVIEW_ANSWERED to "Answered",
    Str.REVIEW_NOT_YET to "Not reviewed yet",
    Str.APPROVE to "Approve",
    Str.NEEDS_CHANGES to "Needs changes",
    Str.ADD_COMMENT to "Comment",
    Str.COMMENT_HINT to "Your comment",
    Str.COMMENT_REQUIRED to "Write what should change",
    Str.REQUESTS_TITLE to "Requests from your supervisor",
    Str.REQUESTS_EMPTY to "No requests",
    Str.ANSWER to "Answer",
    Str.ANSWER_HINT to "Your answer",
    Str.ANSWER_REQUIRED to "Write your answer first",
    Str.VERDICT_COMMENT to "Comment",
    Str.VERDICT_APPROVED to "Approved",
    Str.VERDICT_NEEDS_CHANGES to "Changes requested",
    Str.SETTINGS_TITLE to "Settings",
    Str.CHANGE_PIN to "Change PIN",
    Str.CURRENT_PIN to "Current PIN",
    Str.CURRENT_PIN_MISSING to "Type your current PIN",
    Str.NEW_PIN to "New PIN (at least 6 digits)",
    Str.NEW_PIN_AGAIN to "Type the new PIN again",
    Str.PIN_CHANGED to "Your PIN is changed. Use the new one from now on.",
    Str.LANGUAGE to "Language",
    Str.AUTO_LOCK to "Lock when idle for",
    Str.ABOUT to "About",
    Str.LICENCES to "Licences",
    Str.ABOUT_VERSION to "Version",
    Str.ABOUT_DEVICE to "This tablet",
    Str.ABOUT_ROLE to "Role",
    Str.ABOUT_TEAM to "Team",
    Str.LOCK_NOW to "Lock",
    Str.STATUS_OPEN to "Open",
    Str.STATUS_ACTIVE to "Active",
    Str.STATUS_REFERRED to "Referred",
    Str.STATUS_CLOSED to "Closed",
    Str.RISK_LOW to "Low risk",
    Str.RISK_MEDIUM to "Medium risk",
    Str.RISK_HIGH to "High risk",
    Str.REFERRAL_PENDING to "Pending",
    Str.REFERRAL_ACCEPTED to "Accepted",
    Str.REFERRAL_COMPLETED to "Completed",
    Str.REFERRAL_DECLINED to "Declined",
    Str.REFERRAL_CANCELLED to "Cancelled",
    Str.CONSENT_GIVEN to "given",
    Str.CONSENT_WITHDRAWN to "withdrawn",
    Str.ROLE_COUNSELLOR to "Counsellor",
    Str.ROLE_SUPERVISOR to "Supervisor",
    Str.ROLE_ADMIN to "Administrator",
    Str.ROLE_DATA_OFFICER to "Data officer",
    Str.TL_CASE to "Case opened",
    Str.TL_SESSION to "Session",
    Str.TL_ASSESSMENT to "Measure",
    Str.TL_REFERRAL to "Referral",
    Str.TL_CONSENT to "Consent",
    Str.TL_GROUP to "Group session",
    Str.ERR_VALIDATION to "{0}: {1}",
    Str.ERR_CONSENT_WITHDRAWN to "The client withdrew consent to {0}: nothing more is recorded under it.",
    Str.ERR_NOT_FOUND to "This record is not on this tablet",
    Str.ERR_NETWORK to "No connection to the server. Your work is kept on this tablet.",
    Str.ERR_UNTRUSTED_SERVER to "The server's certificate is not the one this tablet was enrolled with: it may be an impostor. Nothing was sent. Ask your administrator.",
    Str.ERR_REVOKED to "An administrator revoked this tablet; its records were erased from it.",
    Str.ERR_REVOKED_NOT_ERASED to "An administrator revoked this tablet, but erasing its records failed: uninstall the app now.",
    Str.ERR_INVALID_CODE to "This enrolment code is unknown, already used or expired. Ask for a new one.",
    Str.ERR_FORBIDDEN to "Your role does not allow this",
    Str.ERR_CORRUPT to "Some data is damaged or was tampered with. Nothing was changed; tell your supervisor.",
    Str.ERR_STORAGE to "The tablet could not save (is its storage full?). Nothing was lost.",
    Str.ERR_STORAGE_FULL to "The tablet's storage is full. Free some space (photos, videos, other apps), then save again. Nothing you saved before was lost.",
    Str.ERR_READ_ONLY to "The tablet's storage cannot be written at the moment. Restart the tablet, then save again. Nothing you saved before was lost.",
    Str.ERR_TOO_NEW to "These records were written by a newer Komora: update the app",
    Str.ERR_UPDATE_REQUIRED to "Update the app: this version is too old for the server or for the team. Nothing on this tablet is lost",
    Str.ERR_HANDED_BACK to "This tablet was handed back: it records nothing new. An administrator will revoke it.",
    Str.ERR_REVOCATION_UNPROVEN to "The server says this tablet was revoked, but no administrator signed that. Nothing was erased; tell your administrator.",
    Str.SYNC_BEHIND_LOCK to "A sync goes on behind the lock.",
    Str.CLOCK_WRONG to "This tablet's date is wrong: it says today is {0}, but it has already seen {1} (in its own work or from the server), so today is {1} or later. A flat battery often does this. Set today's date in the tablet's own Settings app (Date & time, not Komora's settings) before you record anything: what you record now would be dated wrong, and a session cannot be dated before its case.",
    Str.CLOCK_AHEAD to "This tablet's date is wrong: it says today is {0}, but the server's date was {1} when it last synced. Set today's date in the tablet's own Settings app (Date & time, not Komora's settings) before you record anything: what you record now would be dated in the future.",
    Str.CLOCK_HINT to "This tablet's date is wrong: set it in the tablet's own Settings app (Date & time).",
    Str.CONTESTED_CHANGES to "Two tablets sent the same {0} change(s) (since {1}): this tablet keeps those of {2}, and those of {3} wait aside. One of the two may be lost or stolen: if so, an administrator revokes it, and the other's changes then apply. Nothing of either is lost meanwhile.",
    Str.CONTESTED_TABLET to "tablet {0} ({1})",
    Str.CLOCK_IS_RIGHT to "The date is right",
    Str.CLOCK_OPEN_SETTINGS to "Set the date",
    Str.CLOCK_IS_RIGHT_CONFIRM to "Is today really {0}?",
    Str.TABLETS_TITLE to "The team's tablets",
    Str.TABLETS_SHOW to "Show the team's tablets",
    Str.TABLET_THIS to "this tablet",
    Str.TABLET_ACTIVE to "active",
    Str.TABLET_REVOKED to "revoked",
    Str.TABLET_HANDED_BACK to "handed back: revoke it",
    Str.TABLET_SILENT to "no sync for over 2 weeks",
    Str.TABLET_DETAIL to "Komora {0}, last sync {1}, {2} waiting to be sent, {3} not read",
    Str.TABLET_OLD_APP to "an older app that does not say",
    Str.TABLET_NEVER to "never",
    Str.BACKUP_LAST to "Server backups: the last good one {0}",
    Str.BACKUP_FAILED to "Server backups: the last one FAILED (last good one {0}): tell whoever runs the server",
    Str.BACKUP_STALE to "Server backups: TOO OLD (last good one {0}): tell whoever runs the server",
    Str.BACKUP_NONE to "Server backups: NONE scheduled: tell whoever runs the server",
    Str.BACKUP_UNKNOWN to "Server backups: the server does not say",
    Str.ERR_INTERNAL to "Something went wrong inside Komora. Your saved work is safe.",
    Str.ERR_ERASED_AFTER_FAILURES to "Too many wrong PINs: this tablet's records were erased, as the administrator's policy asks. Enrol it again.",
    Str.ERR_PLATFORM_KEY to "The tablet's secure key store failed: try again, or restart the tablet",
    Str.ERR_NO_VAULT to "No records on this tablet yet: enrol it first",
    Str.ERR_VAULT_EXISTS to "This tablet is already enrolled",
    Str.ERR_NOT_ENROLLED to "This tablet is not connected to a sync server",
    Str.ERR_LOCKED to "Locked",
    Str.CD_URGENT to "Urgent: a risk was raised",
    Str.CD_PIN_DIGITS to "{0} digits typed",
    Str.CD_SYNCING to "Syncing",
    Str.FIELD_FOLLOW_UP to "Follow-up date",
    Str.AUTO_LOCK_LIMIT to "Your administrator allows at most {0} min",
    Str.PRACTICE_TEAM to "Practice team",
    Str.PRACTICE_BANNER to "Practice team: made-up clients for training. Nothing here is real or sent anywhere.",
    Str.PRACTICE_SYNC to "Practice team: nothing here is sent anywhere",
    Str.PRACTICE_JOIN to "Open the practice team",
    Str.PRACTICE_EXPLAIN to "A team of made-up clients for learning Komora. It stays on this tablet, apart from your real teams, and every screen of it is marked. Type your PIN to open it.",
    Str.DRAFT_RESTORED to "Restored what you typed ({0}). It was kept encrypted on this tablet.",
    Str.DRAFT_KEPT_AT to "kept {0}",
    Str.DRAFT_SESSION to "Session notes",
    Str.DRAFT_REVIEW to "Your comment on a session",
    Str.DRAFT_ANSWER to "Your answer to your supervisor",
    Str.DRAFTS_TITLE to "Not saved yet",
    Str.DRAFT_CONTINUE to "Continue",
    Str.DRAFT_DISCARD to "Discard",
    Str.DRAFT_DISCARD_CONFIRM to "Throw away what you typed? It cannot be brought back.",
    Str.BORN_ABOUT to "Born about {0}",
    Str.FIELD_AGE to "Age (years)",
    Str.AGE_INSTEAD to "Year of birth unknown: type the age",
    Str.CHOOSE to "Choose",
    Str.CHOOSE_ABOVE_FIRST to "Choose the place above first",
    Str.SEARCH_LIST to "Search the list",
    Str.NO_MATCH to "Nothing matches",
    Str.EMPTY_CASELOAD_TITLE to "No cases yet",
    Str.EMPTY_CASELOAD to "Tap New client to record the first person you meet, or Sync now to receive your team's cases.",
    Str.EMPTY_FILTERED to "No case matches these filters",
    Str.NEW_GROUP to "New group",
    Str.GROUP_NAME to "Name of the group",
    Str.GROUP_KIND to "Kind of group",
    Str.GROUP_FACILITATOR_1 to "First facilitator",
    Str.GROUP_FACILITATOR_2 to "Second facilitator",
    Str.GROUP_MEMBERS to "Members",
    Str.GROUP_FIND_MEMBER to "Find a member by name or code",
    Str.GROUP_MEMBERS_COUNT to "{0} members",
    Str.GROUP_NAME_REQUIRED to "Type the group's name",
    Str.GROUP_FACILITATOR_REQUIRED to "Type at least one facilitator",
    Str.GROUP_MEMBERS_REQUIRED to "Add the group's members",
    Str.GROUPS_EMPTY to "No groups yet. Tap New group to start a healing group or a dialogue space.",
    Str.LINK_HOUSEHOLD to "Link a household member",
    Str.LINK_FIND to "Find the person by name or code",
    Str.LINK_RELATION to "Relation",
    Str.LINK_PICK_PERSON to "Choose the person first",
    Str.LINK_PICK_RELATION to "Choose the relation",
    Str.LINK_SAVE to "Link",
    Str.LINK_CHOSEN to "Chosen: {0}",
    Str.REFERRAL_STATUS_CHANGE to "Change status",
    Str.WITHDRAW_CONFIRM to "Withdraw consent to {0}? Nothing more will be recorded under it.",
    Str.KEEP to "Keep",
    Str.SEX_NOT_SAID to "Not said",
    Str.HOUSEHOLD_EMPTY to "No one linked yet",
    Str.REFERRALS_EMPTY to "No referrals",
    Str.MEASURES_EMPTY to "No measures yet",
    Str.CLIENT_FILE to "Client file",
    Str.FIELD_PROBLEM to "Problem",
    Str.FIELD_INSTRUMENT to "Measure",
    Str.FIELD_DESTINATION to "Refer to",
    Str.SECTION_CASES to "Cases",
    Str.SECTION_NEW_REFERRAL to "New referral",
    Str.ENROL_EXPLAIN to "Your supervisor gives you a QR code, or a code to type.",
    Str.UNLOCK_PROMPT to "Type your PIN to open Komora",
    Str.SECTION_SECURITY to "Security",
    Str.SECTION_TEAMS to "Teams",
    Str.FILTERS to "Show",
    Str.FIELD_STATUS to "Status",
    Str.ATTENDANCE to "Attendance",
    Str.GROUP_CYCLE to "The cycle",
    Str.TODAY_SESSION to "Today's session",
    Str.FOLLOW_UP_TOGGLE to "Needs follow-up",
    Str.REVIEWS to "Reviews",
    Str.GO_TO to "More",
    Str.CD_CHOSEN to "chosen",
    Str.CD_BACK to "Back",
    Str.CD_MEASURE_PROGRESS to "{0} of {1} questions answered",
    Str.RISK to "Risk",
    Str.ANSWER_FROM_SUPERVISOR to "Your supervisor asks",
    Str.DETAILS to "Details",
    Str.PERIOD to "Period",
    Str.PIN_FOR_PRACTICE to "Your PIN",
    Str.DATE_NOT_SET to "Not set",
    Str.SESSION_FOR to "Session with {0}",
    Str.OVERDUE to "Overdue",
    Str.NOT_GIVEN to "not given",
    Str.DATE_IN_ONE_WEEK to "In 1 week",
    Str.DATE_IN_TWO_WEEKS to "In 2 weeks",
    Str.DATE_IN_FOUR_WEEKS to "In 4 weeks",
    Str.PREVIOUS_MONTH to "Previous month",
    Str.NEXT_MONTH to "Next month",
    Str.DATE_CLEAR to "No date",
    Str.NEW_CASE to "New case",
    Str.RISK_RAISED_NOTE to "Her case is now marked at risk: it goes first in your supervisor's queue.",
    Str.EXPORT_SECTION to "A copy for the client",
    Str.EXPORT_ENTRY_EXPLAIN to "The law lets a client have everything recorded about them. You read each note before anything leaves the tablet.",
    Str.EXPORT_ENTRY to "Give the client their file",
    Str.EXPORT_TITLE to "The client's own file",
    Str.EXPORT_EXPLAIN to "Read each note before it leaves. A note about other people or about safety can put the client in danger if the file falls into the wrong hands. A note you do not include stays out.",
    Str.EXPORT_NO_NOTES to "The file holds no notes to read: it can be given as it is.",
    Str.EXPORT_DECISION to "In the client's copy",
    Str.EXPORT_INCLUDE to "Include",
    Str.EXPORT_WITHHOLD to "Leave out",
    Str.EXPORT_UNDECIDED to "Not decided: left out",
    Str.EXPORT_COUNTS to "Notes included: {0}. Left out: {1}.",
    Str.EXPORT_LANGUAGE to "Language of the copy",
    Str.EXPORT_LANGUAGE_THEIRS to "As in their consent",
    Str.EXPORT_WHERE to "You choose where it goes: a USB stick, a printer. The page, then the data, each where you pick; nothing stays on this tablet.",
    Str.EXPORT_SAVE to "Save the copy",
    Str.EXPORT_SAVED to "Saved where you chose: the page and the data. Nothing was kept on this tablet.",
    Str.EXPORT_SAVED_SOME to "Documents saved where you chose: {0} of {1}. Nothing was kept on this tablet.",
    Str.EXPORT_NONE_SAVED to "Nothing was saved.",
    Str.EXPORT_NOT_WRITTEN to "The copy could not be written there (documents saved: {0} of {1}). Nothing was kept on this tablet: choose another place and save again.",
    Str.DRAFT_MARK_CD to "This text is a draft: it has not been reviewed yet.",
    Str.DRAFT_NOT_KEPT to "This note could not be kept on the tablet: {0} Until then it stays only in the open app: save the form before you leave.",
    Str.DRAFTS_TOO_MANY to "this tablet keeps at most {0} unsaved forms. Save or discard some of those listed on the home screen.",
    Str.MEASURE_UNFINISHED to "{0} not finished: {1}",
)

/** French. */
internal val FRENCH_TEXTS: Map<Str, String> = mapOf(
    Str.APP_NAME to "Komora",
    Str.ENROL_TITLE to "Inscrire cette tablette",
    Str.ENROL_SERVER to "Adresse du serveur",
    Str.ENROL_CODE to "Code d'inscription",
    Str.ENROL_SCAN to "Scanner le code QR",
    Str.ENROL_PIN to "Choisissez un code PIN (au moins 6 chiffres)",
    Str.ENROL_PIN_AGAIN to "Retapez le code PIN",
    Str.ENROL_SUBMIT to "Inscrire",
    Str.ENROLLING to "Inscription…",
    Str.UNLOCK_TITLE to "Déverrouiller",
    Str.UNLOCK_PIN to "Votre code PIN",
    Str.WRONG_PIN to "Code PIN incorrect",
    Str.LOCKED_OUT to "Trop de codes PIN incorrects. Réessayez dans {0} s.",
    Str.LOCKED_IDLE to "Verrouillé après une période sans utilisation",
    Str.QR_UNKNOWN to "Ce code QR n'est pas un code d'inscription Komora",
    Str.SERVER_INVALID to "Tapez l'adresse du serveur, commençant par https://",
    Str.CODE_MISSING to "Tapez le code d'inscription reçu",
    Str.PIN_TOO_SHORT to "Le code PIN doit avoir au moins {0} chiffres",
    Str.HAND_BACK to "Rendre cette tablette",
    Str.HAND_BACK_CONFIRM to "Touchez encore pour rendre la tablette : tout ce qu'elle contient est d'abord envoyé, puis elle n'enregistre plus rien",
    Str.HAND_BACK_DONE to "Tablette rendue : tout a été envoyé. Remettez-la à votre administrateur, qui la révoque ; elle s'efface à sa prochaine connexion",
    Str.HAND_BACK_OFFLINE to "Tablette non rendue : des changements n'ont pas pu être envoyés. Connectez-vous au réseau et réessayez",
    Str.SCREEN_LOCK_NEEDED to "Cette tablette n'a pas de verrouillage d'écran. Activez-en un d'abord (Paramètres, Sécurité, Verrouillage de l'écran) : le code PIN de Komora ne fonctionne que derrière lui",
    Str.PIN_MISMATCH to "Les deux codes PIN diffèrent",
    Str.CASELOAD_TITLE to "Mes dossiers",
    Str.SEARCH_HINT to "Chercher par nom ou code",
    Str.BORN_IN to "né(e) en {0}",
    Str.STATUS_ALL to "Tous",
    Str.FILTER_HIGH_RISK to "Risque élevé",
    Str.FOLLOW_UP_DUE to "Suivi à faire",
    Str.NEXT_APPOINTMENT to "Prochain rendez-vous : {0}",
    Str.REFERRALS_OVERDUE to "Orientations en retard : {0}",
    Str.REFERRALS_OPEN to "Orientations en cours : {0}",
    Str.UNKNOWN_CLIENT to "(client absent de cette tablette)",
    Str.SYNC_ALONE to "Cette tablette travaille seule (sans serveur)",
    Str.SYNC_LAST to "Dernière synchronisation {0}",
    Str.SYNC_NEVER to "Jamais synchronisé",
    Str.SYNC_NOTHING_WAITING to "rien en attente",
    Str.SYNC_UNSENT_WARNING to "ces changements ne sont que sur cette tablette : connectez-vous pour les envoyer (un code PIN oublié les perdrait)",
    Str.SYNC_NOTES_ARRIVING to "{0} notes de séance encore en route",
    Str.SYNC_ONE_WAITING to "1 modification en attente",
    Str.SYNC_WAITING to "{0} modifications en attente",
    Str.SYNC_NOW to "Synchroniser",
    Str.SYNC_STARTING to "Connexion…",
    Str.SYNC_SENDING to "Envoi : {0} sur {1}",
    Str.SYNC_RECEIVING to "Réception : {0}",
    Str.SYNC_DONE to "Synchronisé : {0} envoyés, {1} reçus",
    Str.SYNC_OFFLINE to "Pas de connexion au serveur. Votre travail est en sécurité sur cette tablette et sera envoyé plus tard.",
    Str.AGO_NOW to "à l'instant",
    Str.AGO_MINUTES to "il y a {0} min",
    Str.AGO_HOURS to "il y a {0} h",
    Str.AGO_DAYS to "il y a {0} jours",
    Str.NO_RESULTS to "Aucun client ne correspond",
    Str.NO_CASES to "Aucun dossier",
    Str.NEW_CLIENT to "Nouveau client",
    Str.EDIT_CLIENT to "Modifier le client",
    Str.SECTION_PROFILE to "Profil",
    Str.SECTION_CONSENT to "Consentement",
    Str.SECTION_HOUSEHOLD to "Ménage",
    Str.SECTION_TIMELINE to "Chronologie",
    Str.SECTION_MEASURES to "Mesures",
    Str.SECTION_REFERRALS to "Orientations",
    Str.FIELD_NAME to "Nom",
    Str.FIELD_CODE to "Code",
    Str.FIELD_SEX to "Sexe",
    Str.SEX_F to "Femme",
    Str.SEX_M to "Homme",
    Str.FIELD_BIRTH_YEAR to "Année de naissance",
    Str.FIELD_PHONE to "Téléphone",
    Str.FIELD_PLACE to "Habite à",
    Str.FIELD_DISTRICT to "District",
    Str.FIELD_SECTOR to "Secteur",
    Str.FIELD_CELL to "Cellule",
    Str.FIELD_VILLAGE to "Village",
    Str.FIELD_TARGET_GROUPS to "Groupes",
    Str.FIELD_GUARDIAN to "Nom du parent ou du tuteur",
    Str.FIELD_CONSENT_LANGUAGE to "Expliqué en",
    Str.CONSENT_NOT_RECORDED to "Non enregistré",
    Str.CONSENT_GIVEN_ON to "Donné le {0}",
    Str.CONSENT_WITHDRAWN_ON to "Retiré le {0}",
    Str.GUARDIAN_REQUIRED to "Moins de 16 ans : un parent ou un tuteur donne le consentement. Tapez son nom.",
    Str.CONSENT_DATA_REQUIRED to "Demandez le consentement à l'enregistrement des données avant d'enregistrer",
    Str.NAME_REQUIRED to "Tapez le nom du client",
    Str.TREND_SAME to "Pas de changement",
    Str.TREND_BETTER to "Amélioré de {0}",
    Str.TREND_WORSE to "Aggravé de {0}",
    Str.CASE to "Dossier",
    Str.SESSION to "Séance",
    Str.EDIT to "Modifier",
    Str.OPEN_CASE to "Ouvrir un dossier",
    Str.RECORD_SESSION to "Noter une séance",
    Str.GIVE_MEASURE to "Faire passer une mesure",
    Str.REFER to "Orienter",
    Str.WITHDRAW_CONSENT to "Retirer le consentement",
    Str.SAVE to "Enregistrer",
    Str.CANCEL to "Annuler",
    Str.BACK to "Retour",
    Str.NEW_SESSION_TITLE to "Nouvelle séance",
    Str.FIELD_DATE to "Date",
    Str.FIELD_MODALITY to "Modalité",
    Str.FIELD_DURATION to "Durée",
    Str.MINUTES to "{0} min",
    Str.FIELD_NOTES to "Notes",
    Str.FIELD_INTERVENTIONS to "Interventions",
    Str.FIELD_HOUSEHOLD_PRESENT to "Présents au domicile",
    Str.FIELD_SAFETY to "Sécurité",
    Str.FIELD_FOLLOW_UP_PLAN to "Plan de suivi",
    Str.FIELD_NEXT_APPOINTMENT to "Prochain rendez-vous",
    Str.FIELD_RISK to "Risque",
    Str.MEASURE_NONE to "Pas de mesure",
    Str.MEASURE_PROGRESS to "Question {0} sur {1}",
    Str.MEASURE_RESULT to "Score {0} : {1}",
    Str.TRANSLATION_MISSING to "Certains textes ne sont pas encore traduits et s'affichent en anglais : lisez-les avec vos mots.",
    Str.PREVIOUS to "Précédent",
    Str.DONE to "Terminé",
    Str.GROUPS_TITLE to "Groupes de guérison",
    Str.TEAM_JOIN to "Rejoindre une autre équipe",
    Str.TEAM_LABEL to "Équipe",
    Str.FIGURES_TITLE to "Chiffres pour les bailleurs",
    Str.FIGURES_QUARTER to "Ce trimestre",
    Str.FIGURES_LAST_QUARTER to "Trimestre dernier",
    Str.FIGURES_YEAR to "Cette année",
    Str.FIGURES_ALL to "Tout",
    Str.FIGURES_NONE to "Pas encore de chiffres pour cette période",
    Str.FIGURES_SHARE to "Partager le CSV",
    Str.FIGURES_SMALL to "Les nombres de 1 à 4 s'affichent <5, pour que personne ne soit identifiable",
    Str.FIGURES_AVERAGE to "variation moyenne {0}",
    Str.FIG_SESSIONS to "Séances",
    Str.FIG_CLIENTS_REACHED to "Personnes atteintes",
    Str.FIG_GROUP_SESSIONS to "Séances de groupe",
    Str.FIG_GROUP_ATTENDANCE to "Présences en groupe",
    Str.FIG_REFERRALS to "Orientations",
    Str.FIG_MEASURE_CHANGE to "Évolution des scores",
    Str.FIG_MEASURE_BAND to "Dernier score, par seuil",
    Str.FIG_CUTOFF_SET to "Seuils utilisés",
    Str.DIM_ALL to "Total",
    Str.DIM_MODALITY to "par type de rencontre",
    Str.DIM_DISTRICT to "par district",
    Str.DIM_SEX to "par sexe",
    Str.DIM_AGE_BAND to "par âge",
    Str.DIM_TARGET_GROUP to "par groupe cible",
    Str.DIM_GROUP_KIND to "par type de groupe",
    Str.DIM_DESTINATION to "par destination",
    Str.DIM_STATUS to "par statut",
    Str.DIM_INSTRUMENT to "par instrument",
    Str.GROUP_HELD to "{0} séances tenues sur {1}",
    Str.GROUP_SESSION_PHASE to "Séance {0} : {1}",
    Str.GROUP_PRESENT to "{0} présents sur {1}",
    Str.GROUP_START_TODAY to "Commencer la séance du jour",
    Str.GROUP_NOT_HELD to "Pas encore tenue",
    Str.FLAG_REFERRAL to "Suivi individuel nécessaire",
    Str.REVIEW_QUEUE_TITLE to "À relire",
    Str.REVIEW_EMPTY to "Rien à relire",
    Str.REVIEW_ANSWERED to "Répondu",
    Str.REVIEW_NOT_YET to "Pas encore relu",
    Str.APPROVE to "Approuver",
    Str.NEEDS_CHANGES to "À corriger",
    Str.ADD_COMMENT to "Commenter",
    Str.COMMENT_HINT to "Votre commentaire",
    Str.COMMENT_REQUIRED to "Écrivez ce qui doit changer",
    Str.REQUESTS_TITLE to "Demandes de votre superviseur",
    Str.REQUESTS_EMPTY to "Aucune demande",
    Str.ANSWER to "Répondre",
    Str.ANSWER_HINT to "Votre réponse",
    Str.ANSWER_REQUIRED to "Écrivez d'abord votre réponse",
    Str.VERDICT_COMMENT to "Commentaire",
    Str.VERDICT_APPROVED to "Approuvé",
    Str.VERDICT_NEEDS_CHANGES to "Corrections demandées",
    Str.SETTINGS_TITLE to "Paramètres",
    Str.CHANGE_PIN to "Changer le code PIN",
    Str.CURRENT_PIN to "Code PIN actuel",
    Str.CURRENT_PIN_MISSING to "Tapez votre code PIN actuel",
    Str.NEW_PIN to "Nouveau code PIN (au moins 6 chiffres)",
    Str.NEW_PIN_AGAIN to "Retapez le nouveau code PIN",
    Str.PIN_CHANGED to "Votre code PIN est changé. Utilisez le nouveau désormais.",
    Str.LANGUAGE to "Langue",
    Str.AUTO_LOCK to "Verrouiller après une inactivité de",
    Str.ABOUT to "À propos",
    Str.LICENCES to "Licences",
    Str.ABOUT_VERSION to "Version",
    Str.ABOUT_DEVICE to "Cette tablette",
    Str.ABOUT_ROLE to "Rôle",
    Str.ABOUT_TEAM to "Équipe",
    Str.LOCK_NOW to "Verrouiller",
    Str.STATUS_OPEN to "Ouvert",
    Str.STATUS_ACTIVE to "Actif",
    Str.STATUS_REFERRED to "Orienté",
    Str.STATUS_CLOSED to "Clos",
    Str.RISK_LOW to "Risque faible",
    Str.RISK_MEDIUM to "Risque moyen",
    Str.RISK_HIGH to "Risque élevé",
    Str.REFERRAL_PENDING to "En attente",
    Str.REFERRAL_ACCEPTED to "Accepté",
    Str.REFERRAL_COMPLETED to "Terminé",
    Str.REFERRAL_DECLINED to "Refusé",
    Str.REFERRAL_CANCELLED to "Annulé",
    Str.CONSENT_GIVEN to "donné",
    Str.CONSENT_WITHDRAWN to "retiré",
    Str.ROLE_COUNSELLOR to "Conseiller",
    Str.ROLE_SUPERVISOR to "Superviseur",
    Str.ROLE_ADMIN to "Administrateur",
    Str.ROLE_DATA_OFFICER to "Chargé des données",
    Str.TL_CASE to "Dossier ouvert",
    Str.TL_SESSION to "Séance",
    Str.TL_ASSESSMENT to "Mesure",
    Str.TL_REFERRAL to "Orientation",
    Str.TL_CONSENT to "Consentement",
    Str.TL_GROUP to "Séance de groupe",
    Str.ERR_VALIDATION to "{0} : {1}",
    Str.ERR_CONSENT_WITHDRAWN to "Le client a retiré son consentement pour {0} : plus rien n'est enregistré à ce titre.",
    Str.ERR_NOT_FOUND to "Cet enregistrement n'est pas sur cette tablette",
    Str.ERR_NETWORK to "Pas de connexion au serveur. Votre travail reste sur cette tablette.",
    Str.ERR_UNTRUSTED_SERVER to "Le certificat du serveur n'est pas celui avec lequel cette tablette a été inscrite : ce peut être un imposteur. Rien n'a été envoyé. Demandez à votre administrateur.",
    Str.ERR_REVOKED to "Un administrateur a révoqué cette tablette ; ses données y ont été effacées.",
    Str.ERR_REVOKED_NOT_ERASED to "Un administrateur a révoqué cette tablette, mais l'effacement a échoué : désinstallez l'application maintenant.",
    Str.ERR_INVALID_CODE to "Ce code d'inscription est inconnu, déjà utilisé ou expiré. Demandez-en un nouveau.",
    Str.ERR_FORBIDDEN to "Votre rôle ne le permet pas",
    Str.ERR_CORRUPT to "Des données sont endommagées ou ont été altérées. Rien n'a été modifié ; prévenez votre superviseur.",
    Str.ERR_STORAGE to "La tablette n'a pas pu enregistrer (mémoire pleine ?). Rien n'a été perdu.",
    Str.ERR_STORAGE_FULL to "La mémoire de la tablette est pleine. Libérez de la place (photos, vidéos, autres applications), puis enregistrez à nouveau. Rien de ce qui était enregistré n'a été perdu.",
    Str.ERR_READ_ONLY to "La mémoire de la tablette ne peut pas être écrite pour le moment. Redémarrez la tablette, puis enregistrez à nouveau. Rien de ce qui était enregistré n'a été perdu.",
    Str.ERR_TOO_NEW to "Ces données viennent d'une version plus récente de Komora : mettez l'application à jour",
    Str.ERR_UPDATE_REQUIRED to "Mettez l'application à jour : cette version est trop ancienne pour le serveur ou pour l'équipe. Rien de ce que contient la tablette n'est perdu",
    Str.ERR_HANDED_BACK to "Cette tablette a été rendue : elle n'enregistre plus rien de nouveau. Un administrateur la révoquera.",
    Str.ERR_REVOCATION_UNPROVEN to "Le serveur dit que cette tablette a été révoquée, mais aucun administrateur ne l'a signé. Rien n'a été effacé ; prévenez votre administrateur.",
    Str.SYNC_BEHIND_LOCK to "Une synchronisation continue derrière le verrouillage.",
    Str.CLOCK_WRONG to "La date de cette tablette est fausse : elle indique le {0}, mais elle a déjà connu le {1} (dans son propre travail ou par le serveur) : nous sommes donc le {1} ou après. Une batterie vide fait souvent cela. Réglez la date du jour dans l'application Paramètres de la tablette (Date et heure, pas les paramètres de Komora) avant d'enregistrer quoi que ce soit : ce que vous enregistrez maintenant serait mal daté, et une séance ne peut pas précéder son dossier.",
    Str.CLOCK_AHEAD to "La date de cette tablette est fausse : elle indique le {0}, mais le serveur était au {1} lors de la dernière synchronisation. Réglez la date du jour dans l'application Paramètres de la tablette (Date et heure, pas les paramètres de Komora) avant d'enregistrer quoi que ce soit : ce que vous enregistrez maintenant serait daté dans le futur.",
    Str.CLOCK_HINT to "La date de cette tablette est fausse : réglez-la dans l'application Paramètres de la tablette (Date et heure).",
    Str.CONTESTED_CHANGES to "Deux tablettes ont envoyé les mêmes {0} modification(s) (depuis le {1}) : cette tablette garde celles de la {2}, et celles de la {3} attendent à part. L'une des deux est peut-être perdue ou volée : si c'est le cas, un administrateur la révoque, et les modifications de l'autre s'appliquent alors. Rien de l'une ni de l'autre n'est perdu d'ici là.",
    Str.CONTESTED_TABLET to "tablette {0} ({1})",
    Str.CLOCK_IS_RIGHT to "La date est juste",
    Str.CLOCK_OPEN_SETTINGS to "Régler la date",
    Str.CLOCK_IS_RIGHT_CONFIRM to "Sommes-nous vraiment le {0} ?",
    Str.TABLETS_TITLE to "Les tablettes de l'équipe",
    Str.TABLETS_SHOW to "Voir les tablettes de l'équipe",
    Str.TABLET_THIS to "cette tablette",
    Str.TABLET_ACTIVE to "active",
    Str.TABLET_REVOKED to "révoquée",
    Str.TABLET_HANDED_BACK to "rendue : révoquez-la",
    Str.TABLET_SILENT to "aucune synchronisation depuis plus de 2 semaines",
    Str.TABLET_DETAIL to "Komora {0}, dernière synchronisation {1}, {2} en attente d'envoi, {3} non lues",
    Str.TABLET_OLD_APP to "une application plus ancienne qui ne le dit pas",
    Str.TABLET_NEVER to "jamais",
    Str.BACKUP_LAST to "Sauvegardes du serveur : la dernière bonne {0}",
    Str.BACKUP_FAILED to "Sauvegardes du serveur : la dernière a ÉCHOUÉ (dernière bonne {0}) : prévenez qui gère le serveur",
    Str.BACKUP_STALE to "Sauvegardes du serveur : TROP ANCIENNES (dernière bonne {0}) : prévenez qui gère le serveur",
    Str.BACKUP_NONE to "Sauvegardes du serveur : AUCUNE prévue : prévenez qui gère le serveur",
    Str.BACKUP_UNKNOWN to "Sauvegardes du serveur : le serveur ne le dit pas",
    Str.ERR_INTERNAL to "Une erreur interne s'est produite. Votre travail enregistré est en sécurité.",
    Str.ERR_ERASED_AFTER_FAILURES to "Trop de codes PIN incorrects : les données de cette tablette ont été effacées, comme le veut la règle de l'administrateur. Inscrivez-la à nouveau.",
    Str.ERR_PLATFORM_KEY to "Le coffre de clés de la tablette a échoué : réessayez ou redémarrez la tablette",
    Str.ERR_NO_VAULT to "Aucune donnée sur cette tablette : inscrivez-la d'abord",
    Str.ERR_VAULT_EXISTS to "Cette tablette est déjà inscrite",
    Str.ERR_NOT_ENROLLED to "Cette tablette n'est reliée à aucun serveur",
    Str.ERR_LOCKED to "Verrouillé",
    Str.CD_URGENT to "Urgent : un risque a été signalé",
    Str.CD_PIN_DIGITS to "{0} chiffres tapés",
    Str.CD_SYNCING to "Synchronisation en cours",
    Str.FIELD_FOLLOW_UP to "Date de suivi",
    Str.AUTO_LOCK_LIMIT to "Votre administrateur autorise au plus {0} min",
    Str.PRACTICE_TEAM to "Équipe d'entraînement",
    Str.PRACTICE_BANNER to "Équipe d'entraînement : des clients inventés pour apprendre. Rien n'est réel ni envoyé nulle part.",
    Str.PRACTICE_SYNC to "Équipe d'entraînement : rien n'est envoyé",
    Str.PRACTICE_JOIN to "Ouvrir l'équipe d'entraînement",
    Str.PRACTICE_EXPLAIN to "Une équipe de clients inventés pour apprendre Komora. Elle reste sur cette tablette, à part de vos vraies équipes, et chacun de ses écrans est marqué. Tapez votre code PIN pour l'ouvrir.",
    Str.DRAFT_RESTORED to "Ce que vous aviez tapé est revenu ({0}). Il était gardé chiffré sur cette tablette.",
    Str.DRAFT_KEPT_AT to "gardé {0}",
    Str.DRAFT_SESSION to "Notes de séance",
    Str.DRAFT_REVIEW to "Votre commentaire sur une séance",
    Str.DRAFT_ANSWER to "Votre réponse à votre superviseur",
    Str.DRAFTS_TITLE to "Pas encore enregistré",
    Str.DRAFT_CONTINUE to "Continuer",
    Str.DRAFT_DISCARD to "Jeter",
    Str.DRAFT_DISCARD_CONFIRM to "Jeter ce que vous avez tapé ? Impossible de le retrouver ensuite.",
    Str.BORN_ABOUT to "Né(e) vers {0}",
    Str.FIELD_AGE to "Âge (ans)",
    Str.AGE_INSTEAD to "Année de naissance inconnue : tapez l'âge",
    Str.CHOOSE to "Choisir",
    Str.CHOOSE_ABOVE_FIRST to "Choisissez d'abord le lieu au-dessus",
    Str.SEARCH_LIST to "Chercher dans la liste",
    Str.NO_MATCH to "Aucun résultat",
    Str.EMPTY_CASELOAD_TITLE to "Pas encore de dossiers",
    Str.EMPTY_CASELOAD to "Touchez Nouveau client pour enregistrer la première personne que vous rencontrez, ou Synchroniser pour recevoir les dossiers de votre équipe.",
    Str.EMPTY_FILTERED to "Aucun dossier ne correspond à ces filtres",
    Str.NEW_GROUP to "Nouveau groupe",
    Str.GROUP_NAME to "Nom du groupe",
    Str.GROUP_KIND to "Type de groupe",
    Str.GROUP_FACILITATOR_1 to "Premier animateur",
    Str.GROUP_FACILITATOR_2 to "Second animateur",
    Str.GROUP_MEMBERS to "Membres",
    Str.GROUP_FIND_MEMBER to "Trouver un membre par nom ou code",
    Str.GROUP_MEMBERS_COUNT to "{0} membres",
    Str.GROUP_NAME_REQUIRED to "Tapez le nom du groupe",
    Str.GROUP_FACILITATOR_REQUIRED to "Tapez au moins un animateur",
    Str.GROUP_MEMBERS_REQUIRED to "Ajoutez les membres du groupe",
    Str.GROUPS_EMPTY to "Pas encore de groupe. Touchez Nouveau groupe pour lancer un groupe de guérison ou un espace de dialogue.",
    Str.LINK_HOUSEHOLD to "Lier un membre du foyer",
    Str.LINK_FIND to "Trouver la personne par nom ou code",
    Str.LINK_RELATION to "Lien",
    Str.LINK_PICK_PERSON to "Choisissez d'abord la personne",
    Str.LINK_PICK_RELATION to "Choisissez le lien",
    Str.LINK_SAVE to "Lier",
    Str.LINK_CHOSEN to "Choisi : {0}",
    Str.REFERRAL_STATUS_CHANGE to "Changer le statut",
    Str.WITHDRAW_CONFIRM to "Retirer le consentement : {0} ? Plus rien ne sera enregistré à ce titre.",
    Str.KEEP to "Garder",
    Str.SEX_NOT_SAID to "Non précisé",
    Str.HOUSEHOLD_EMPTY to "Personne n'est lié pour l'instant",
    Str.REFERRALS_EMPTY to "Aucune orientation",
    Str.MEASURES_EMPTY to "Pas encore de mesure",
    Str.CLIENT_FILE to "Dossier du client",
    Str.FIELD_PROBLEM to "Problème",
    Str.FIELD_INSTRUMENT to "Mesure",
    Str.FIELD_DESTINATION to "Orienter vers",
    Str.SECTION_CASES to "Dossiers",
    Str.SECTION_NEW_REFERRAL to "Nouvelle orientation",
    Str.ENROL_EXPLAIN to "Votre superviseur vous donne un code QR, ou un code à taper.",
    Str.UNLOCK_PROMPT to "Tapez votre code PIN pour ouvrir Komora",
    Str.SECTION_SECURITY to "Sécurité",
    Str.SECTION_TEAMS to "Équipes",
    Str.FILTERS to "Afficher",
    Str.FIELD_STATUS to "Statut",
    Str.ATTENDANCE to "Présences",
    Str.GROUP_CYCLE to "Le cycle",
    Str.TODAY_SESSION to "Séance du jour",
    Str.FOLLOW_UP_TOGGLE to "Suivi individuel",
    Str.REVIEWS to "Relectures",
    Str.GO_TO to "Plus",
    Str.CD_CHOSEN to "choisi",
    Str.CD_BACK to "Retour",
    Str.CD_MEASURE_PROGRESS to "{0} questions sur {1} répondues",
    Str.RISK to "Risque",
    Str.ANSWER_FROM_SUPERVISOR to "Votre superviseur demande",
    Str.DETAILS to "Détails",
    Str.PERIOD to "Période",
    Str.PIN_FOR_PRACTICE to "Votre code PIN",
    Str.DATE_NOT_SET to "Non fixée",
    Str.SESSION_FOR to "Séance avec {0}",
    Str.OVERDUE to "En retard",
    Str.NOT_GIVEN to "non précisé",
    Str.DATE_IN_ONE_WEEK to "Dans 1 semaine",
    Str.DATE_IN_TWO_WEEKS to "Dans 2 semaines",
    Str.DATE_IN_FOUR_WEEKS to "Dans 4 semaines",
    Str.PREVIOUS_MONTH to "Mois précédent",
    Str.NEXT_MONTH to "Mois suivant",
    Str.DATE_CLEAR to "Pas de date",
    Str.NEW_CASE to "Nouveau dossier",
    Str.RISK_RAISED_NOTE to "Son dossier est maintenant signalé à risque : il passe en tête de la file de votre superviseur.",
    Str.EXPORT_SECTION to "Une copie pour le client",
    Str.EXPORT_ENTRY_EXPLAIN to "La loi permet au client d'avoir tout ce qui est enregistré sur lui. Vous lisez chaque note avant que quoi que ce soit ne quitte la tablette.",
    Str.EXPORT_ENTRY to "Remettre son dossier au client",
    Str.EXPORT_TITLE to "Le dossier remis au client",
    Str.EXPORT_EXPLAIN to "Lisez chaque note avant qu'elle parte. Une note sur d'autres personnes ou sur la sécurité peut mettre le client en danger si le dossier tombe entre de mauvaises mains. Une note que vous n'incluez pas reste en dehors.",
    Str.EXPORT_NO_NOTES to "Le dossier ne contient aucune note à lire : il peut être remis tel quel.",
    Str.EXPORT_DECISION to "Dans la copie du client",
    Str.EXPORT_INCLUDE to "Inclure",
    Str.EXPORT_WITHHOLD to "Laisser de côté",
    Str.EXPORT_UNDECIDED to "Pas décidé : laissé de côté",
    Str.EXPORT_COUNTS to "Notes incluses : {0}. Laissées de côté : {1}.",
    Str.EXPORT_LANGUAGE to "Langue de la copie",
    Str.EXPORT_LANGUAGE_THEIRS to "Celle de son consentement",
    Str.EXPORT_WHERE to "Vous choisissez où elle va : une clé USB, une imprimante. La page, puis les données, chacune où vous le choisissez ; rien ne reste sur cette tablette.",
    Str.EXPORT_SAVE to "Enregistrer la copie",
    Str.EXPORT_SAVED to "Enregistrée où vous l'avez choisi : la page et les données. Rien n'a été gardé sur cette tablette.",
    Str.EXPORT_SAVED_SOME to "Documents enregistrés où vous l'avez choisi : {0} sur {1}. Rien n'a été gardé sur cette tablette.",
    Str.EXPORT_NONE_SAVED to "Rien n'a été enregistré.",
    Str.EXPORT_NOT_WRITTEN to "La copie n'a pas pu être écrite à cet endroit (documents enregistrés : {0} sur {1}). Rien n'a été gardé sur cette tablette : choisissez un autre endroit et recommencez.",
    Str.DRAFT_MARK_CD to "Ce texte est provisoire : il n'a pas encore été relu.",
    Str.DRAFT_NOT_KEPT to "Cette note n'a pas pu être gardée sur la tablette : {0} En attendant, elle n'est que dans l'application ouverte : enregistrez le formulaire avant de partir.",
    Str.DRAFTS_TOO_MANY to "cette tablette garde au plus {0} formulaires non enregistrés. Enregistrez ou jetez certains de ceux de l'écran d'accueil.",
    Str.MEASURE_UNFINISHED to "{0} pas terminé : {1}",
)

/** Kinyarwanda (draft, to be reviewed by AMI staff). */
internal val KINYARWANDA_TEXTS: Map<Str, String> = mapOf(
    Str.APP_NAME to "Komora",
    Str.ENROL_TITLE to "Kwandikisha iyi tabureti",
    Str.ENROL_SERVER to "Aderesi ya seriveri",
    Str.ENROL_CODE to "Kode yo kwiyandikisha",
    Str.ENROL_SCAN to "Soma kode ya QR",
    Str.ENROL_PIN to "Hitamo umubare w'ibanga (nibura imibare 6)",
    Str.ENROL_PIN_AGAIN to "Ongera wandike umubare w'ibanga",
    Str.ENROL_SUBMIT to "Iyandikishe",
    Str.ENROLLING to "Kwiyandikisha…",
    Str.UNLOCK_TITLE to "Fungura",
    Str.UNLOCK_PIN to "Umubare wawe w'ibanga",
    Str.WRONG_PIN to "Umubare w'ibanga si wo",
    Str.LOCKED_OUT to "Wibeshye inshuro nyinshi. Ongera ugerageze nyuma y'amasegonda {0}.",
    Str.LOCKED_IDLE to "Byafunzwe kubera igihe bidakoreshwa",
    Str.QR_UNKNOWN to "Iyi kode ya QR si iyo kwiyandikisha muri Komora",
    Str.SERVER_INVALID to "Andika aderesi ya seriveri, itangirwa na https://",
    Str.CODE_MISSING to "Andika kode yo kwiyandikisha wahawe",
    Str.PIN_TOO_SHORT to "Umubare w'ibanga ugomba kugira nibura imibare {0}",
    Str.HAND_BACK to "Subiza iyi tablette",
    Str.HAND_BACK_CONFIRM to "Kanda nanone kugira ngo usubize tablette: ibiyirimo byose bibanza koherezwa, hanyuma ntiyongere kwandika ikintu",
    Str.HAND_BACK_DONE to "Tablette yasubijwe: byose byoherejwe. Yihe umuyobozi wawe, uyihagarika; izisiba ubutaha niyihuza",
    Str.HAND_BACK_OFFLINE to "Tablette ntiyasubijwe: zimwe mu mpinduka ntizoherejwe. Huza interineti wongere ugerageze",
    Str.SCREEN_LOCK_NEEDED to "Iyi tablette nta gifunga cya ekarani ifite. Banza ugishyireho (Igenamiterere, Umutekano, Gufunga ekarani): umubare w'ibanga wa Komora ukora gusa iyo gihari",
    Str.PIN_MISMATCH to "Imibare y'ibanga yombi ntihuye",
    Str.CASELOAD_TITLE to "Amadosiye yanjye",
    Str.SEARCH_HINT to "Shakisha ukoresheje izina cyangwa kode",
    Str.BORN_IN to "yavutse {0}",
    Str.STATUS_ALL to "Byose",
    Str.FILTER_HIGH_RISK to "Ibyago byinshi",
    Str.FOLLOW_UP_DUE to "Igihe cyo gukurikirana kirageze",
    Str.NEXT_APPOINTMENT to "Gahunda itaha: {0}",
    Str.REFERRALS_OVERDUE to "Kohereza byarengeje igihe: {0}",
    Str.REFERRALS_OPEN to "Kohereza bitararangira: {0}",
    Str.UNKNOWN_CLIENT to "(umukiriya ntari kuri iyi tabureti)",
    Str.SYNC_ALONE to "Iyi tabureti ikora yonyine (nta seriveri)",
    Str.SYNC_LAST to "Byahujwe bwa nyuma {0}",
    Str.SYNC_NEVER to "Ntibirahuzwa na rimwe",
    Str.SYNC_NOTHING_WAITING to "nta gitegereje",
    Str.SYNC_UNSENT_WARNING to "izi mpinduka ziri kuri iyi tablette gusa: huza interineti uzohereze (wibagiwe umubare w'ibanga zatakara)",
    Str.SYNC_NOTES_ARRIVING to "inyandiko z'ikiganiro {0} ziracyaza",
    Str.SYNC_ONE_WAITING to "impinduka 1 itegereje",
    Str.SYNC_WAITING to "impinduka {0} zitegereje",
    Str.SYNC_NOW to "Huza ubu",
    Str.SYNC_STARTING to "Kwihuza…",
    Str.SYNC_SENDING to "Kohereza: {0} kuri {1}",
    Str.SYNC_RECEIVING to "Kwakira: {0}",
    Str.SYNC_DONE to "Byahujwe: {0} byoherejwe, {1} byakiriwe",
    Str.SYNC_OFFLINE to "Nta murongo wa seriveri. Ibyo wakoze biri amahoro kuri iyi tabureti kandi bizoherezwa nyuma.",
    Str.AGO_NOW to "nonaha",
    Str.AGO_MINUTES to "hashize iminota {0}",
    Str.AGO_HOURS to "hashize amasaha {0}",
    Str.AGO_DAYS to "hashize iminsi {0}",
    Str.NO_RESULTS to "Nta mukiriya uhuye n'ibyo washakishije",
    Str.NO_CASES to "Nta dosiye",
    Str.NEW_CLIENT to "Umukiriya mushya",
    Str.EDIT_CLIENT to "Hindura umukiriya",
    Str.SECTION_PROFILE to "Umwirondoro",
    Str.SECTION_CONSENT to "Uruhushya",
    Str.SECTION_HOUSEHOLD to "Urugo",
    Str.SECTION_TIMELINE to "Ibyabaye",
    Str.SECTION_MEASURES to "Ibipimo",
    Str.SECTION_REFERRALS to "Kohereza ahandi",
    Str.FIELD_NAME to "Amazina",
    Str.FIELD_CODE to "Kode",
    Str.FIELD_SEX to "Igitsina",
    Str.SEX_F to "Gore",
    Str.SEX_M to "Gabo",
    Str.FIELD_BIRTH_YEAR to "Umwaka w'amavuko",
    Str.FIELD_PHONE to "Telefoni",
    Str.FIELD_PLACE to "Aho atuye",
    Str.FIELD_DISTRICT to "Akarere",
    Str.FIELD_SECTOR to "Umurenge",
    Str.FIELD_CELL to "Akagari",
    Str.FIELD_VILLAGE to "Umudugudu",
    Str.FIELD_TARGET_GROUPS to "Amatsinda",
    Str.FIELD_GUARDIAN to "Amazina y'umubyeyi cyangwa umurera",
    Str.FIELD_CONSENT_LANGUAGE to "Byasobanuwe mu rurimi",
    Str.CONSENT_NOT_RECORDED to "Ntibyanditswe",
    Str.CONSENT_GIVEN_ON to "Rwatanzwe ku wa {0}",
    Str.CONSENT_WITHDRAWN_ON to "Rwakuweho ku wa {0}",
    Str.GUARDIAN_REQUIRED to "Munsi y'imyaka 16: umubyeyi cyangwa umurera ni we utanga uruhushya. Andika amazina ye.",
    Str.CONSENT_DATA_REQUIRED to "Saba uruhushya rwo kwandika amakuru mbere yo kubika",
    Str.NAME_REQUIRED to "Andika amazina y'umukiriya",
    Str.TREND_SAME to "Nta mpinduka",
    Str.TREND_BETTER to "Byateye imbere ho {0}",
    Str.TREND_WORSE to "Byasubiye inyuma ho {0}",
    Str.CASE to "Dosiye",
    Str.SESSION to "Ikiganiro",
    Str.EDIT to "Hindura",
    Str.OPEN_CASE to "Fungura dosiye",
    Str.RECORD_SESSION to "Andika ikiganiro",
    Str.GIVE_MEASURE to "Kora igipimo",
    Str.REFER to "Kohereza ahandi",
    Str.WITHDRAW_CONSENT to "Kuraho uruhushya",
    Str.SAVE to "Bika",
    Str.CANCEL to "Hagarika",
    Str.BACK to "Subira inyuma",
    Str.NEW_SESSION_TITLE to "Ikiganiro gishya",
    Str.FIELD_DATE to "Itariki",
    Str.FIELD_MODALITY to "Uburyo",
    Str.FIELD_DURATION to "Igihe cyamaze",
    Str.MINUTES to "iminota {0}",
    Str.FIELD_NOTES to "Ibyanditswe",
    Str.FIELD_INTERVENTIONS to "Ibyakozwe",
    Str.FIELD_HOUSEHOLD_PRESENT to "Abari bahari mu rugo",
    Str.FIELD_SAFETY to "Umutekano",
    Str.FIELD_FOLLOW_UP_PLAN to "Gahunda yo gukurikirana",
    Str.FIELD_NEXT_APPOINTMENT to "Gahunda itaha",
    Str.FIELD_RISK to "Ibyago",
    Str.MEASURE_NONE to "Nta gipimo",
    Str.MEASURE_PROGRESS to "Ikibazo cya {0} kuri {1}",
    Str.MEASURE_RESULT to "Amanota {0}: {1}",
    Str.TRANSLATION_MISSING to "Hari amagambo atarahindurwa, yanditse mu Cyongereza: yasome mu magambo yawe.",
    Str.PREVIOUS to "Ibibanza",
    Str.DONE to "Byarangiye",
    Str.GROUPS_TITLE to "Amatsinda y'isanamitima",
    Str.TEAM_JOIN to "Injira mu rindi tsinda",
    Str.TEAM_LABEL to "Itsinda",
    Str.FIGURES_TITLE to "Imibare y'abaterankunga",
    Str.FIGURES_QUARTER to "Iki gihembwe",
    Str.FIGURES_LAST_QUARTER to "Igihembwe gishize",
    Str.FIGURES_YEAR to "Uyu mwaka",
    Str.FIGURES_ALL to "Byose",
    Str.FIGURES_NONE to "Nta mibare iraboneka muri iki gihe",
    Str.FIGURES_SHARE to "Sangiza CSV",
    Str.FIGURES_SMALL to "Imibare kuva kuri 1 kugeza kuri 4 igaragara nka <5, kugira ngo hatagira umuntu umenyekana",
    Str.FIGURES_AVERAGE to "impinduka isanzwe {0}",
    Str.FIG_SESSIONS to "Ibiganiro",
    Str.FIG_CLIENTS_REACHED to "Abantu bagezweho",
    Str.FIG_GROUP_SESSIONS to "Ibiganiro by'amatsinda",
    Str.FIG_GROUP_ATTENDANCE to "Abitabiriye amatsinda",
    Str.FIG_REFERRALS to "Aboherejwe ahandi",
    Str.FIG_MEASURE_CHANGE to "Impinduka mu manota",
    Str.FIG_MEASURE_BAND to "Amanota aheruka, ku byiciro",
    Str.FIG_CUTOFF_SET to "Ibipimo byakoreshejwe",
    Str.DIM_ALL to "Byose hamwe",
    Str.DIM_MODALITY to "hakurikijwe uburyo bwo guhura",
    Str.DIM_DISTRICT to "hakurikijwe akarere",
    Str.DIM_SEX to "hakurikijwe igitsina",
    Str.DIM_AGE_BAND to "hakurikijwe imyaka",
    Str.DIM_TARGET_GROUP to "hakurikijwe itsinda rigenewe",
    Str.DIM_GROUP_KIND to "hakurikijwe ubwoko bw'itsinda",
    Str.DIM_DESTINATION to "hakurikijwe aho yoherejwe",
    Str.DIM_STATUS to "hakurikijwe uko bihagaze",
    Str.DIM_INSTRUMENT to "hakurikijwe igipimo",
    Str.GROUP_HELD to "Ibiganiro {0} kuri {1} byabaye",
    Str.GROUP_SESSION_PHASE to "Ikiganiro cya {0}: {1}",
    Str.GROUP_PRESENT to "{0} bahari kuri {1}",
    Str.GROUP_START_TODAY to "Tangira ikiganiro cy'uyu munsi",
    Str.GROUP_NOT_HELD to "Ntikirakorwa",
    Str.FLAG_REFERRAL to "Akeneye gukurikiranwa ku giti cye",
    Str.REVIEW_QUEUE_TITLE to "Ibyo kugenzura",
    Str.REVIEW_EMPTY to "Nta cyo kugenzura",
    Str.REVIEW_ANSWERED to "Byasubijwe",
    Str.REVIEW_NOT_YET to "Ntibiragenzurwa",
    Str.APPROVE to "Emeza",
    Str.NEEDS_CHANGES to "Bikeneye gukosorwa",
    Str.ADD_COMMENT to "Tanga igitekerezo",
    Str.COMMENT_HINT to "Igitekerezo cyawe",
    Str.COMMENT_REQUIRED to "Andika igikwiye guhinduka",
    Str.REQUESTS_TITLE to "Ibyo umugenzuzi wawe yasabye",
    Str.REQUESTS_EMPTY to "Nta busabe",
    Str.ANSWER to "Subiza",
    Str.ANSWER_HINT to "Igisubizo cyawe",
    Str.ANSWER_REQUIRED to "Banza wandike igisubizo cyawe",
    Str.VERDICT_COMMENT to "Igitekerezo",
    Str.VERDICT_APPROVED to "Byemejwe",
    Str.VERDICT_NEEDS_CHANGES to "Hasabwe gukosora",
    Str.SETTINGS_TITLE to "Igenamiterere",
    Str.CHANGE_PIN to "Hindura PIN",
    Str.CURRENT_PIN to "PIN usanzwe ukoresha",
    Str.CURRENT_PIN_MISSING to "Andika PIN usanzwe ukoresha",
    Str.NEW_PIN to "PIN nshya (nibura imibare 6)",
    Str.NEW_PIN_AGAIN to "Ongera wandike PIN nshya",
    Str.PIN_CHANGED to "PIN yawe yahinduwe. Guhera ubu koresha inshya.",
    Str.LANGUAGE to "Ururimi",
    Str.AUTO_LOCK to "Funga nyuma yo kudakoreshwa mu gihe cya",
    Str.ABOUT to "Ibyerekeye",
    Str.LICENCES to "Impushya",
    Str.ABOUT_VERSION to "Verisiyo",
    Str.ABOUT_DEVICE to "Iyi tabureti",
    Str.ABOUT_ROLE to "Inshingano",
    Str.ABOUT_TEAM to "Itsinda",
    Str.LOCK_NOW to "Funga",
    Str.STATUS_OPEN to "Irafunguye",
    Str.STATUS_ACTIVE to "Irakurikiranwa",
    Str.STATUS_REFERRED to "Yoherejwe ahandi",
    Str.STATUS_CLOSED to "Irafunzwe",
    Str.RISK_LOW to "Ibyago bike",
    Str.RISK_MEDIUM to "Ibyago biringaniye",
    Str.RISK_HIGH to "Ibyago byinshi",
    Str.REFERRAL_PENDING to "Biracyategerejwe",
    Str.REFERRAL_ACCEPTED to "Byemewe",
    Str.REFERRAL_COMPLETED to "Byarangiye",
    Str.REFERRAL_DECLINED to "Byanzwe",
    Str.REFERRAL_CANCELLED to "Byahagaritswe",
    Str.CONSENT_GIVEN to "rwatanzwe",
    Str.CONSENT_WITHDRAWN to "rwakuweho",
    Str.ROLE_COUNSELLOR to "Umujyanama",
    Str.ROLE_SUPERVISOR to "Umugenzuzi",
    Str.ROLE_ADMIN to "Umuyobozi wa sisitemu",
    Str.ROLE_DATA_OFFICER to "Ushinzwe imibare",
    Str.TL_CASE to "Dosiye yafunguwe",
    Str.TL_SESSION to "Ikiganiro",
    Str.TL_ASSESSMENT to "Igipimo",
    Str.TL_REFERRAL to "Kohereza ahandi",
    Str.TL_CONSENT to "Uruhushya",
    Str.TL_GROUP to "Ikiganiro cy'itsinda",
    Str.ERR_VALIDATION to "{0}: {1}",
    Str.ERR_CONSENT_WITHDRAWN to "Umukiriya yakuyeho uruhushya rwa {0}: nta kindi cyandikwa kuri rwo.",
    Str.ERR_NOT_FOUND to "Iyi nyandiko ntiri kuri iyi tabureti",
    Str.ERR_NETWORK to "Nta murongo wa seriveri. Ibyo wakoze bigumye kuri iyi tabureti.",
    Str.ERR_UNTRUSTED_SERVER to "Icyemezo cya seriveri si cyo iyi tabureti yandikishijwe na cyo: ishobora kuba ari iy'umwiyitirira. Nta kintu cyoherejwe. Baza umuyobozi wawe.",
    Str.ERR_REVOKED to "Umuyobozi yahagaritse iyi tabureti; amakuru yari kuriyo yasibwe.",
    Str.ERR_REVOKED_NOT_ERASED to "Umuyobozi yahagaritse iyi tabureti, ariko gusiba amakuru byanze: kuramo porogaramu ubu.",
    Str.ERR_INVALID_CODE to "Iyi kode ntizwi, yarakoreshejwe cyangwa igihe cyayo cyarashize. Saba indi nshya.",
    Str.ERR_FORBIDDEN to "Inshingano zawe ntizibikwemerera",
    Str.ERR_CORRUPT to "Hari amakuru yangiritse cyangwa yahinduwe. Nta cyahindutse; bimenyeshe umugenzuzi wawe.",
    Str.ERR_STORAGE to "Tabureti ntiyashoboye kubika (ububiko bwuzuye?). Nta cyatakaye.",
    Str.ERR_STORAGE_FULL to "Ububiko bwa tabureti bwuzuye. Siba bimwe (amafoto, amashusho, izindi porogaramu), hanyuma wongere ubike. Nta cyari cyarabitswe cyatakaye.",
    Str.ERR_READ_ONLY to "Ububiko bwa tabureti ntibushobora kwandikwaho ubu. Zimya tabureti uyifungure, hanyuma wongere ubike. Nta cyari cyarabitswe cyatakaye.",
    Str.ERR_TOO_NEW to "Aya makuru yanditswe na Komora nshya: vugurura porogaramu",
    Str.ERR_UPDATE_REQUIRED to "Vugurura porogaramu: iyi verisiyo irashaje cyane kuri seriveri cyangwa ku itsinda. Nta kiri kuri iyi tabureti gitakara",
    Str.ERR_HANDED_BACK to "Iyi tabureti yarasubijwe: ntiyandika ikintu gishya. Umuyobozi azayihagarika.",
    Str.ERR_REVOCATION_UNPROVEN to "Seriveri ivuga ko iyi tabureti yahagaritswe, ariko nta muyobozi wabisinye. Nta kintu cyasibwe; bimenyeshe umuyobozi wawe.",
    Str.SYNC_BEHIND_LOCK to "Guhuza birakomeje inyuma y'ifunga.",
    Str.CLOCK_WRONG to "Itariki y'iyi tabureti si yo: ivuga ko uyu munsi ari {0}, ariko yamaze kubona itariki ya {1} (mu byo yanditse cyangwa kuri seriveri), bityo uyu munsi ni {1} cyangwa nyuma yaho. Batiri yashizemo umuriro ikunze gutera ibi. Shyira itariki y'uyu munsi mu Igenamiterere rya tabureti ubwayo (Itariki n'isaha / Date & time, si igenamiterere rya Komora) mbere yo kugira icyo wandika: icyo wanditse ubu cyaba gifite itariki itari yo, kandi ikiganiro ntigishobora kubanziriza dosiye yacyo.",
    Str.CLOCK_AHEAD to "Itariki y'iyi tabureti si yo: ivuga ko uyu munsi ari {0}, ariko seriveri yari kuri {1} ubwo yaherukaga guhuza. Shyira itariki y'uyu munsi mu Igenamiterere rya tabureti ubwayo (Itariki n'isaha / Date & time, si igenamiterere rya Komora) mbere yo kugira icyo wandika: icyo wanditse ubu cyaba gifite itariki y'igihe kizaza.",
    Str.CLOCK_HINT to "Itariki y'iyi tabureti si yo: yishyire mu Igenamiterere rya tabureti ubwayo (Itariki n'isaha / Date & time).",
    // Draft, to be reviewed by AMI staff with the rest.
    Str.CONTESTED_CHANGES to "Tabureti ebyiri zohereje impinduka {0} zimwe (kuva ku ya {1}): iyi tabureti ibika iza {2}, naho iza {3} zibitswe ku ruhande. Imwe muri zo ishobora kuba yarabuze cyangwa yaribwe: niba ari ko bimeze, umuyobozi wa sisitemu (administrateur) arayihagarika, maze impinduka z'indi zigakurikizwa. Nta na kimwe muri byo gitakara muri icyo gihe.",
    Str.CONTESTED_TABLET to "tabureti {0} ({1})",
    Str.CLOCK_IS_RIGHT to "Itariki ni yo",
    Str.CLOCK_OPEN_SETTINGS to "Shyiraho itariki",
    Str.CLOCK_IS_RIGHT_CONFIRM to "Koko uyu munsi ni {0}?",
    Str.TABLETS_TITLE to "Tabuleti z'itsinda",
    Str.TABLETS_SHOW to "Erekana tabureti z'itsinda",
    Str.TABLET_THIS to "iyi tabureti",
    Str.TABLET_ACTIVE to "irakora",
    Str.TABLET_REVOKED to "yambuwe uburenganzira",
    Str.TABLET_HANDED_BACK to "yasubijwe: yambure uburenganzira",
    Str.TABLET_SILENT to "ntiyahuje amakuru mu byumweru birenga 2",
    Str.TABLET_DETAIL to "Komora {0}, iheruka guhuza {1}, {2} bitegereje koherezwa, {3} bitasomwe",
    Str.TABLET_OLD_APP to "porogaramu ishaje itabivuga",
    Str.TABLET_NEVER to "nta na rimwe",
    Str.BACKUP_LAST to "Kopi z'ububiko bwa seriveri: inziza iheruka {0}",
    Str.BACKUP_FAILED to "Kopi z'ububiko bwa seriveri: iheruka YANANIWE (inziza iheruka {0}): bimenyeshe ushinzwe seriveri",
    Str.BACKUP_STALE to "Kopi z'ububiko bwa seriveri: ZIRASHAJE (inziza iheruka {0}): bimenyeshe ushinzwe seriveri",
    Str.BACKUP_NONE to "Kopi z'ububiko bwa seriveri: NTA N'IMWE iteganyijwe: bimenyeshe ushinzwe seriveri",
    Str.BACKUP_UNKNOWN to "Kopi z'ububiko bwa seriveri: seriveri ntibivuga",
    Str.ERR_INTERNAL to "Habaye ikibazo imbere muri Komora. Ibyo wabitse biri amahoro.",
    Str.ERR_ERASED_AFTER_FAILURES to "Wibeshye inshuro nyinshi: amakuru y'iyi tabureti yasibwe nk'uko amabwiriza y'umuyobozi abiteganya. Ongera uyiyandikishe.",
    Str.ERR_PLATFORM_KEY to "Ububiko bw'imfunguzo z'ibanga bwanze: ongera ugerageze cyangwa uzimye ufungure tabureti",
    Str.ERR_NO_VAULT to "Nta makuru ari kuri iyi tabureti: banza uyiyandikishe",
    Str.ERR_VAULT_EXISTS to "Iyi tabureti isanzwe yanditswe",
    Str.ERR_NOT_ENROLLED to "Iyi tabureti ntihujwe na seriveri",
    Str.ERR_LOCKED to "Birafunzwe",
    Str.CD_URGENT to "Byihutirwa: hari ibyago byagaragajwe",
    Str.CD_PIN_DIGITS to "Imibare {0} yanditswe",
    Str.CD_SYNCING to "Birimo guhuzwa",
    Str.FIELD_FOLLOW_UP to "Itariki yo gukurikirana",
    Str.AUTO_LOCK_LIMIT to "Umuyobozi wawe yemera iminota {0} gusa",
    Str.PRACTICE_TEAM to "Itsinda ryo kwitoza",
    Str.PRACTICE_BANNER to "Itsinda ryo kwitoza: abakiriya b'ibihimbano bo kwigiraho. Nta na kimwe hano ari ukuri, nta na kimwe cyoherezwa.",
    Str.PRACTICE_SYNC to "Itsinda ryo kwitoza: nta kintu cyoherezwa",
    Str.PRACTICE_JOIN to "Fungura itsinda ryo kwitoza",
    Str.PRACTICE_EXPLAIN to "Itsinda ry'abakiriya b'ibihimbano ryo kwiga gukoresha Komora. Riguma kuri iyi tabureti, ritandukanye n'amatsinda yawe nyayo, kandi buri paji yaryo irabigaragaza. Andika umubare wawe w'ibanga kugira ngo urifungure.",
    Str.DRAFT_RESTORED to "Ibyo wari wanditse byagaruwe ({0}). Byari bibitswe mu ibanga kuri iyi tabureti.",
    Str.DRAFT_KEPT_AT to "byabitswe {0}",
    Str.DRAFT_SESSION to "Inyandiko z'ikiganiro",
    Str.DRAFT_REVIEW to "Igitekerezo cyawe ku kiganiro",
    Str.DRAFT_ANSWER to "Igisubizo cyawe ku mugenzuzi",
    Str.DRAFTS_TITLE to "Ntibirabikwa",
    Str.DRAFT_CONTINUE to "Komeza",
    Str.DRAFT_DISCARD to "Bireke",
    Str.DRAFT_DISCARD_CONFIRM to "Ureke ibyo wanditse? Ntibizashoboka kubigarura.",
    Str.BORN_ABOUT to "Yavutse ahagana mu {0}",
    Str.FIELD_AGE to "Imyaka afite",
    Str.AGE_INSTEAD to "Umwaka w'amavuko ntuzwi: andika imyaka",
    Str.CHOOSE to "Hitamo",
    Str.CHOOSE_ABOVE_FIRST to "Banza uhitemo ahari hejuru",
    Str.SEARCH_LIST to "Shakisha mu rutonde",
    Str.NO_MATCH to "Nta gihuye",
    Str.EMPTY_CASELOAD_TITLE to "Nta madosiye arahari",
    Str.EMPTY_CASELOAD to "Kanda Umukiriya mushya wandike umuntu wa mbere muhuye, cyangwa Huza ubu wakire amadosiye y'itsinda ryawe.",
    Str.EMPTY_FILTERED to "Nta dosiye ihuye n'ibyo wahisemo",
    Str.NEW_GROUP to "Itsinda rishya",
    Str.GROUP_NAME to "Izina ry'itsinda",
    Str.GROUP_KIND to "Ubwoko bw'itsinda",
    Str.GROUP_FACILITATOR_1 to "Umuyobozi w'ibiganiro wa mbere",
    Str.GROUP_FACILITATOR_2 to "Umuyobozi w'ibiganiro wa kabiri",
    Str.GROUP_MEMBERS to "Abanyamuryango",
    Str.GROUP_FIND_MEMBER to "Shakisha umunyamuryango ukoresheje izina cyangwa kode",
    Str.GROUP_MEMBERS_COUNT to "Abanyamuryango {0}",
    Str.GROUP_NAME_REQUIRED to "Andika izina ry'itsinda",
    Str.GROUP_FACILITATOR_REQUIRED to "Andika nibura umuyobozi w'ibiganiro umwe",
    Str.GROUP_MEMBERS_REQUIRED to "Ongeramo abanyamuryango b'itsinda",
    Str.GROUPS_EMPTY to "Nta tsinda rirahari. Kanda Itsinda rishya utangize itsinda ry'isanamitima cyangwa urubuga rw'ibiganiro.",
    Str.LINK_HOUSEHOLD to "Huza n'uwo babana",
    Str.LINK_FIND to "Shakisha umuntu ukoresheje izina cyangwa kode",
    Str.LINK_RELATION to "Isano",
    Str.LINK_PICK_PERSON to "Banza uhitemo umuntu",
    Str.LINK_PICK_RELATION to "Hitamo isano",
    Str.LINK_SAVE to "Huza",
    Str.LINK_CHOSEN to "Wahisemo: {0}",
    Str.REFERRAL_STATUS_CHANGE to "Hindura aho bigeze",
    Str.WITHDRAW_CONFIRM to "Gukuraho uruhushya rwa {0}? Nta kindi kizandikwa kuri rwo.",
    Str.KEEP to "Bigumishe",
    Str.SEX_NOT_SAID to "Ntibyavuzwe",
    Str.HOUSEHOLD_EMPTY to "Nta muntu urahuzwa",
    Str.REFERRALS_EMPTY to "Nta koherezwa",
    Str.MEASURES_EMPTY to "Nta gipimo kirakorwa",
    Str.CLIENT_FILE to "Idosiye y'umukiriya",
    Str.FIELD_PROBLEM to "Ikibazo",
    Str.FIELD_INSTRUMENT to "Igipimo",
    Str.FIELD_DESTINATION to "Kohereza kwa",
    Str.SECTION_CASES to "Amadosiye",
    Str.SECTION_NEW_REFERRAL to "Kohereza gushya",
    Str.ENROL_EXPLAIN to "Umugenzuzi wawe aguha kode ya QR, cyangwa kode yo kwandika.",
    Str.UNLOCK_PROMPT to "Andika umubare wawe w'ibanga ufungure Komora",
    Str.SECTION_SECURITY to "Umutekano",
    Str.SECTION_TEAMS to "Amatsinda",
    Str.FILTERS to "Erekana",
    Str.FIELD_STATUS to "Aho bigeze",
    Str.ATTENDANCE to "Abitabiriye",
    Str.GROUP_CYCLE to "Icyiciro cyose",
    Str.TODAY_SESSION to "Ikiganiro cy'uyu munsi",
    Str.FOLLOW_UP_TOGGLE to "Akeneye gukurikiranwa",
    Str.REVIEWS to "Isuzuma",
    Str.GO_TO to "Ibindi",
    Str.CD_CHOSEN to "byahiswemo",
    Str.CD_BACK to "Subira inyuma",
    Str.CD_MEASURE_PROGRESS to "Ibibazo {0} kuri {1} byasubijwe",
    Str.RISK to "Ibyago",
    Str.ANSWER_FROM_SUPERVISOR to "Umugenzuzi wawe arasaba",
    Str.DETAILS to "Ibisobanuro",
    Str.PERIOD to "Igihe",
    Str.PIN_FOR_PRACTICE to "Umubare wawe w'ibanga",
    Str.DATE_NOT_SET to "Ntiyashyizweho",
    Str.SESSION_FOR to "Ikiganiro na {0}",
    Str.OVERDUE to "Byarengeje igihe",
    Str.NOT_GIVEN to "ntibyatanzwe",
    Str.DATE_IN_ONE_WEEK to "Mu cyumweru 1",
    Str.DATE_IN_TWO_WEEKS to "Mu byumweru 2",
    Str.DATE_IN_FOUR_WEEKS to "Mu byumweru 4",
    Str.PREVIOUS_MONTH to "Ukwezi gushize",
    Str.NEXT_MONTH to "Ukwezi gutaha",
    Str.DATE_CLEAR to "Nta tariki",
    Str.NEW_CASE to "Dosiye nshya",
    Str.RISK_RAISED_NOTE to "Dosiye ye ubu igaragara ko ifite ibyago: izajya imbere ku rutonde rw'umugenzuzi wawe.",
    Str.EXPORT_SECTION to "Kopi y'umukiriya",
    Str.EXPORT_ENTRY_EXPLAIN to "Itegeko ryemerera umukiriya kubona ibyanditswe byose bimwerekeye. Usoma buri nyandiko mbere y'uko hari ikiva kuri tablette.",
    Str.EXPORT_ENTRY to "Ha umukiriya idosiye ye",
    Str.EXPORT_TITLE to "Idosiye ihabwa umukiriya",
    Str.EXPORT_EXPLAIN to "Soma buri nyandiko mbere y'uko isohoka. Inyandiko ivuga abandi bantu cyangwa umutekano ishobora gushyira umukiriya mu kaga idosiye iguye mu maboko atari yo. Inyandiko udashyizemo ntijyamo.",
    Str.EXPORT_NO_NOTES to "Idosiye nta nyandiko ifite zo gusoma: ishobora gutangwa uko iri.",
    Str.EXPORT_DECISION to "Muri kopi y'umukiriya",
    Str.EXPORT_INCLUDE to "Bishyiremo",
    Str.EXPORT_WITHHOLD to "Bikuremo",
    Str.EXPORT_UNDECIDED to "Ntibirafatwaho icyemezo: ntibirimo",
    Str.EXPORT_COUNTS to "Inyandiko zashyizwemo: {0}. Izakuwemo: {1}.",
    Str.EXPORT_LANGUAGE to "Ururimi rwa kopi",
    Str.EXPORT_LANGUAGE_THEIRS to "Urw'uruhushya rwe",
    Str.EXPORT_WHERE to "Wihitiramo aho ijya: flash, imashini icapa. Urupapuro, hanyuma amakuru, buri kimwe aho uhisemo; nta kintu gisigara kuri iyi tablette.",
    Str.EXPORT_SAVE to "Bika kopi",
    Str.EXPORT_SAVED to "Byabitswe aho wahisemo: urupapuro n'amakuru. Nta kintu cyasigaye kuri iyi tablette.",
    Str.EXPORT_SAVED_SOME to "Inyandiko zabitswe aho wahisemo: {0} kuri {1}. Nta kintu cyasigaye kuri iyi tablette.",
    Str.EXPORT_NONE_SAVED to "Nta kintu cyabitswe.",
    Str.EXPORT_NOT_WRITTEN to "Kopi ntiyashoboye kwandikwa aho (inyandiko zabitswe: {0} kuri {1}). Nta kintu cyasigaye kuri iyi tablette: hitamo ahandi wongere ubike.",
    Str.DRAFT_MARK_CD to "Iyi nyandiko ni iy'agateganyo: ntirasuzumwa.",
    Str.DRAFT_NOT_KEPT to "Iyi nyandiko ntiyashoboye kubikwa kuri tabureti: {0} Kugeza ubwo, iri muri porogaramu ifunguye gusa: bika ifishi mbere yo kugenda.",
    Str.DRAFTS_TOO_MANY to "iyi tabureti ibika amafishi atarabikwa atarenze {0}. Bika cyangwa ujugunye amwe mu ari ku rupapuro rw'ibanze.",
    Str.MEASURE_UNFINISHED to "{0} ntirarangira: {1}",
)
