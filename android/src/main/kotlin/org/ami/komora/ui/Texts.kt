package org.ami.komora.ui

import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.util.Locale
import org.ami.komora.core.KomoraException
import org.ami.komora.core.Term

enum class Language(val code: String, val nativeName: String, val locale: Locale) {
    KINYARWANDA("rw", "Ikinyarwanda", Locale.forLanguageTag("rw-RW")),
    FRENCH("fr", "Français", Locale.forLanguageTag("fr-RW")),
    ENGLISH("en", "English", Locale.forLanguageTag("en-RW"));

    companion object {
        fun fromCode(code: String?): Language? = entries.firstOrNull { it.code == code }
    }
}

/** The table of one language. */
internal fun table(l: Language): Map<Str, String> = when (l) {
    Language.ENGLISH -> ENGLISH_TEXTS
    Language.FRENCH -> FRENCH_TEXTS
    Language.KINYARWANDA -> KINYARWANDA_TEXTS
}

/**
 * What the screens say, in one language: strings, dates in the local format, "2 h ago", the
 * labels of the core's codes, and a message for every refusal of the core. Never shows a raw
 * exception text, which could name an internal detail.
 */
class Texts(val language: Language) {
    private val strings = table(language)

    /** A missing string (a test forbids it) falls back to English rather than crash in the field. */
    operator fun get(key: Str): String = strings[key] ?: ENGLISH_TEXTS.getValue(key)

    fun format(key: Str, vararg args: Any): String {
        var s = get(key)
        args.forEachIndexed { i, a -> s = s.replace("{$i}", a.toString()) }
        return s
    }

    /** A label from the core's data: this language's, else English (never invented). */
    fun pick(en: String, fr: String?, rw: String?): String = when (language) {
        Language.ENGLISH -> en
        Language.FRENCH -> fr ?: en
        Language.KINYARWANDA -> rw ?: en
    }

    /** Whether the core's data lacks this language for a label (the screen says so once). */
    fun missing(fr: String?, rw: String?): Boolean = when (language) {
        Language.ENGLISH -> false
        Language.FRENCH -> fr == null
        Language.KINYARWANDA -> rw == null
    }

    fun term(t: Term): String = pick(t.en, t.fr, t.rw)

    /** The label of a code: the app's own codes (statuses, risk levels, ...), then the lists'. */
    fun code(code: String): String {
        CODES[code]?.let { return get(it) }
        Lists.terms[code]?.let { return term(it) }
        return code
    }

    /** Whether [code] has a label of its own (a test checks every code the core returns). */
    internal fun labelled(code: String): Boolean = code in CODES || code in Lists.terms

    /** A list term by id (problems, modalities, destinations, risk flags, phases...). */
    fun term(id: String): String = code(id)

    /** A score band's label from the instrument's own data ("moderate" -> "Moderate"). */
    fun band(instrument: String, band: String): String {
        val b = Lists.instruments.firstOrNull { it.id == instrument }?.bands?.firstOrNull { it.id == band }
        return if (b == null) band else pick(b.en, b.fr, b.rw)
    }

    /** The name of a field the core names in a conflict or an error ("birth_year"). */
    fun field(name: String): String = FIELDS[name]?.let { get(it) } ?: name.replace('_', ' ')

    /** A timeline summary is codes separated by spaces ("phq-9 14 moderate"): each is labelled. */
    fun summary(text: String): String {
        var instrument: String? = null
        return text.split(' ', ',').filter { it.isNotEmpty() }.joinToString(" ") { w ->
            val named = Lists.instruments.firstOrNull { it.id == w }
            if (named != null) instrument = named.id
            // A score's band follows its instrument ("phq-9 18 moderately_severe"): its label
            // comes from that instrument's data, not from the raw code.
            named?.name ?: instrument?.let { i -> band(i, w).takeIf { it != w } } ?: code(w)
        }
    }

    /** A date of the core ("2026-12-05") as people here write it. */
    fun date(iso: String): String {
        val d = runCatching { LocalDate.parse(iso) }.getOrNull() ?: return iso
        return d.format(DATE_FORMATS.getValue(language))
    }

    fun dateTime(ms: Long): String =
        Instant.ofEpochMilli(ms).atZone(ZoneId.systemDefault()).toLocalDate().format(DATE_FORMATS.getValue(language))

    /** A calendar's heading: "December 2026", "décembre 2026", "Ukuboza 2026". */
    fun monthHeading(date: LocalDate): String = when (language) {
        Language.KINYARWANDA -> "${KINYARWANDA_MONTHS[date.monthValue - 1]} ${date.year}"
        else -> date.format(DateTimeFormatter.ofPattern("LLLL yyyy", language.locale)).replaceFirstChar { it.uppercase() }
    }

    /** A weekday's short name for a calendar's columns ("Mon", "lun.", "Mbe"). */
    fun weekdayShort(day: java.time.DayOfWeek): String = when (language) {
        Language.KINYARWANDA -> KINYARWANDA_WEEKDAYS[day.value - 1]
        else -> day.getDisplayName(java.time.format.TextStyle.SHORT, language.locale)
    }

    /** A day read out in full, for TalkBack ("Tuesday 8 December 2026"). */
    fun dayInFull(date: LocalDate): String = when (language) {
        Language.KINYARWANDA -> "${date.dayOfMonth} ${KINYARWANDA_MONTHS[date.monthValue - 1]} ${date.year}"
        else -> date.format(DateTimeFormatter.ofPattern("EEEE d MMMM yyyy", language.locale))
    }

    /** A month of the figures ("2026-11") as people here write it ("Nov 2026"). */
    fun month(yearMonth: String): String {
        val d = runCatching { LocalDate.parse("$yearMonth-01") }.getOrNull() ?: return yearMonth
        return d.format(MONTH_FORMATS.getValue(language))
    }

    /** A moment, day and hour ("1 Dec 2026, 09:14"), in Rwanda's 24-hour way. */
    fun time(ms: Long): String {
        val at = Instant.ofEpochMilli(ms).atZone(ZoneId.systemDefault())
        return "${at.toLocalDate().format(DATE_FORMATS.getValue(language))}, ${at.format(HOURS)}"
    }

    /** "just now", "5 min ago", "2 h ago", "3 days ago". */
    fun ago(thenMs: Long, nowMs: Long): String {
        val minutes = maxOf(0, nowMs - thenMs) / 60_000
        return when {
            minutes < 1 -> get(Str.AGO_NOW)
            minutes < 60 -> format(Str.AGO_MINUTES, minutes)
            minutes < 48 * 60 -> format(Str.AGO_HOURS, minutes / 60)
            else -> format(Str.AGO_DAYS, minutes / (24 * 60))
        }
    }

    /** What a counsellor reads when the core refuses: what happened and what to do. */
    fun error(e: Throwable): String = when (e) {
        is KomoraException.Validation -> format(Str.ERR_VALIDATION, field(e.field), e.reason)
        is KomoraException.ConsentWithdrawn -> format(Str.ERR_CONSENT_WITHDRAWN, code(e.scope))
        is KomoraException.WrongPin -> get(Str.WRONG_PIN)
        is KomoraException.LockedOut -> format(Str.LOCKED_OUT, (e.retryAfterMs + 999) / 1000)
        is KomoraException.ErasedAfterFailures -> get(Str.ERR_ERASED_AFTER_FAILURES)
        is KomoraException.PlatformKeyUnavailable, is KomoraException.PlatformKey -> get(Str.ERR_PLATFORM_KEY)
        is KomoraException.NoVault -> get(Str.ERR_NO_VAULT)
        is KomoraException.VaultExists -> get(Str.ERR_VAULT_EXISTS)
        is KomoraException.Closed -> get(Str.ERR_LOCKED)
        is KomoraException.NotEnrolled -> get(Str.ERR_NOT_ENROLLED)
        is KomoraException.Revoked -> get(if (e.erased) Str.ERR_REVOKED else Str.ERR_REVOKED_NOT_ERASED)
        is KomoraException.InvalidCode -> get(Str.ERR_INVALID_CODE)
        is KomoraException.Forbidden -> get(Str.ERR_FORBIDDEN)
        is KomoraException.Corrupt -> get(Str.ERR_CORRUPT)
        is KomoraException.NotFound -> get(Str.ERR_NOT_FOUND)
        is KomoraException.Network -> get(Str.ERR_NETWORK)
        is KomoraException.UntrustedServer -> get(Str.ERR_UNTRUSTED_SERVER)
        is KomoraException.Storage -> get(Str.ERR_STORAGE)
        is KomoraException.StorageFull -> get(Str.ERR_STORAGE_FULL)
        is KomoraException.ReadOnly -> get(Str.ERR_READ_ONLY)
        is KomoraException.TooNew -> get(Str.ERR_TOO_NEW)
        is KomoraException.UpdateRequired -> get(Str.ERR_UPDATE_REQUIRED)
        is KomoraException.HandedBack -> get(Str.ERR_HANDED_BACK)
        is KomoraException.RevocationUnproven -> get(Str.ERR_REVOCATION_UNPROVEN)
        else -> get(Str.ERR_INTERNAL)
    }

    companion object {
        private val DATE_FORMATS = mapOf(
            Language.ENGLISH to DateTimeFormatter.ofPattern("d MMM yyyy", Locale.UK),
            Language.FRENCH to DateTimeFormatter.ofPattern("d MMM yyyy", Locale.FRENCH),
            // Month names are not in every platform's Kinyarwanda data: numbers, day first.
            Language.KINYARWANDA to DateTimeFormatter.ofPattern("dd/MM/yyyy"),
        )

        private val HOURS = DateTimeFormatter.ofPattern("HH:mm")

        /** The months in Kinyarwanda (the platform's locale data lacks them). */
        private val KINYARWANDA_MONTHS = listOf(
            "Mutarama", "Gashyantare", "Werurwe", "Mata", "Gicurasi", "Kamena",
            "Nyakanga", "Kanama", "Nzeri", "Ukwakira", "Ugushyingo", "Ukuboza",
        )

        /** Short weekday names in Kinyarwanda, Monday first (kuwa mbere ... ku cyumweru). */
        private val KINYARWANDA_WEEKDAYS = listOf("Mbe", "Kab", "Gat", "Kan", "Gnu", "Gnd", "Cyu")

        private val MONTH_FORMATS = mapOf(
            Language.ENGLISH to DateTimeFormatter.ofPattern("MMM yyyy", Locale.UK),
            Language.FRENCH to DateTimeFormatter.ofPattern("MMM yyyy", Locale.FRENCH),
            Language.KINYARWANDA to DateTimeFormatter.ofPattern("MM/yyyy"),
        )

        private val CODES = mapOf(
            "open" to Str.STATUS_OPEN, "active" to Str.STATUS_ACTIVE, "referred" to Str.STATUS_REFERRED,
            "closed" to Str.STATUS_CLOSED, "low" to Str.RISK_LOW, "medium" to Str.RISK_MEDIUM,
            "high" to Str.RISK_HIGH, "pending" to Str.REFERRAL_PENDING, "accepted" to Str.REFERRAL_ACCEPTED,
            "completed" to Str.REFERRAL_COMPLETED, "declined" to Str.REFERRAL_DECLINED,
            "cancelled" to Str.REFERRAL_CANCELLED, "given" to Str.CONSENT_GIVEN,
            "withdrawn" to Str.CONSENT_WITHDRAWN, "comment" to Str.VERDICT_COMMENT,
            "approved" to Str.VERDICT_APPROVED, "needs-changes" to Str.VERDICT_NEEDS_CHANGES,
            "sex-F" to Str.SEX_F, "sex-M" to Str.SEX_M, "role-counsellor" to Str.ROLE_COUNSELLOR,
            "role-supervisor" to Str.ROLE_SUPERVISOR, "role-admin" to Str.ROLE_ADMIN,
            "role-data_officer" to Str.ROLE_DATA_OFFICER,
            "timeline-case" to Str.TL_CASE, "timeline-session" to Str.TL_SESSION,
            "timeline-assessment" to Str.TL_ASSESSMENT, "timeline-referral" to Str.TL_REFERRAL,
            "timeline-consent" to Str.TL_CONSENT, "timeline-group-session" to Str.TL_GROUP,
        )

        private val FIELDS = mapOf(
            "name" to Str.FIELD_NAME, "code" to Str.FIELD_CODE, "sex" to Str.FIELD_SEX,
            "birth_year" to Str.FIELD_BIRTH_YEAR, "phone" to Str.FIELD_PHONE, "district" to Str.FIELD_DISTRICT,
            "sector" to Str.FIELD_SECTOR, "cell" to Str.FIELD_CELL, "village" to Str.FIELD_VILLAGE,
            "guardian_name" to Str.FIELD_GUARDIAN, "date" to Str.FIELD_DATE, "modality" to Str.FIELD_MODALITY,
            "duration" to Str.FIELD_DURATION, "notes" to Str.FIELD_NOTES, "interventions" to Str.FIELD_INTERVENTIONS,
            "household_present" to Str.FIELD_HOUSEHOLD_PRESENT, "safety_notes" to Str.FIELD_SAFETY,
            "follow_up_plan" to Str.FIELD_FOLLOW_UP_PLAN, "follow_up" to Str.FIELD_FOLLOW_UP, "next_appointment" to Str.FIELD_NEXT_APPOINTMENT,
            "risk" to Str.FIELD_RISK, "comment" to Str.ADD_COMMENT, "response" to Str.ANSWER,
            "case" to Str.CASE, "session" to Str.SESSION, "pin" to Str.UNLOCK_PIN,
        )
    }
}
