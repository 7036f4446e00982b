// A client's file (profile, consent, household, timeline, measures, referrals) and the form
// that records or edits a client with her consent.
package org.ami.komora.ui

import org.ami.komora.core.ClientChanges
import org.ami.komora.core.KomoraException
import org.ami.komora.core.NewCase
import org.ami.komora.core.NewClient
import org.ami.komora.core.NewConsent
import org.ami.komora.core.NewReferral

/** Under this age consent is given by a parent or guardian. */
const val GUARDIAN_UNDER = 16

data class Line(val label: String, val value: String) : Private()

data class ConsentLine(val scopeId: String, val scope: String, val standing: String, val given: Boolean) : Private()

data class TimelineLine(val date: String, val kind: String, val detail: String, val recordId: String, val isSession: Boolean) : Private()

/** [instrumentId]: the instrument's code ("phq-9"), to set the trend beside its chart. */
data class TrendLine(val instrument: String, val scores: String, val change: String, val instrumentId: String = "") : Private()

data class ReferralLine(
    val referralId: String,
    val destination: String,
    val status: String,
    val followUp: String?,
    val overdue: Boolean,
    /** The status code ("pending"...), and the statuses it may move to (a closed one: none). */
    val statusId: String = "",
    val nextStatuses: List<Choice> = emptyList(),
) : Private()

/** Where a referral may go from each status: forward, or cancelled while still open. */
val REFERRAL_NEXT = mapOf(
    "pending" to listOf("accepted", "completed", "declined", "cancelled"),
    "accepted" to listOf("completed", "cancelled"),
)

data class ClientFileState(
    val name: String = "",
    val profile: List<Line> = emptyList(),
    val consent: List<ConsentLine> = emptyList(),
    val household: List<Line> = emptyList(),
    val timeline: List<TimelineLine> = emptyList(),
    val trends: List<TrendLine> = emptyList(),
    /** Each measure's scores over time with the bands behind them (ScoreCharts.kt). */
    val charts: List<ScoreChart> = emptyList(),
    val referrals: List<ReferralLine> = emptyList(),
    /** Open cases, to record a session in (the first is the usual one). */
    val openCases: List<Choice> = emptyList(),
    val conflicts: List<String> = emptyList(),
    /** What her open cases raise, to see before anything else ("Suicide risk", "High risk"). */
    val risks: List<String> = emptyList(),
    /** Whether any of it is urgent (a raised flag or a high risk): shown in red. */
    val urgent: Boolean = false,
    /**
     * Whether this tablet may give the client her own file: a supervisor's or an
     * administrator's, or a vault outside any team, as the core allows; never the practice
     * team's (whoever holds the tablet, its people are made up).
     */
    val canExport: Boolean = false,
    /** Measures left before their last answer ("PHQ-9 not finished: Question 6 of 9"), by instrument. */
    val unfinishedMeasures: List<Choice> = emptyList(),
    /** The new referral's form: where to (null: not chosen yet) and the date to check on it. */
    val referTo: String? = null,
    val referFollowUp: String = "",
    val message: String? = null,
) : Private()

class ClientFilePresenter(app: App, private val clientId: String) :
    AppPresenter<ClientFileState>(app, ClientFileState()) {
    override fun ClientFileState.withMessage(message: String?) = copy(message = message)

    init {
        // Opening a file is a view the audit records (who read whose file, when).
        guard { load(audited = true) }
    }

    fun refresh() {
        guard { load(audited = false) }
    }

    private fun load(audited: Boolean) {
        val v = app.vault()
        val t = app.texts
        val c = if (audited) v.viewClient(clientId) else v.client(clientId)
        val profile = buildList {
            c.code?.let { add(Line(t[Str.FIELD_CODE], it)) }
            c.sex?.let { add(Line(t[Str.FIELD_SEX], t.code("sex-$it"))) }
            c.birthYear?.let { add(Line(t[Str.FIELD_BIRTH_YEAR], it.toString())) }
            c.phone?.let { add(Line(t[Str.FIELD_PHONE], it)) }
            val place = listOfNotNull(c.village, c.cell, c.sector, c.district).joinToString(", ")
            if (place.isNotEmpty()) add(Line(t[Str.FIELD_PLACE], place))
            if (c.targetGroups.isNotEmpty()) add(Line(t[Str.FIELD_TARGET_GROUPS], c.targetGroups.joinToString(", ") { t.code(it) }))
        }
        val standing = v.consentStanding(clientId).associateBy { it.scope }
        val consent = Lists.get().consentScopes.map { scope ->
            val s = standing[scope.id]
            ConsentLine(
                scopeId = scope.id,
                scope = t.term(scope),
                standing = when {
                    s?.date == null -> t[Str.CONSENT_NOT_RECORDED]
                    s.given -> t.format(Str.CONSENT_GIVEN_ON, t.date(s.date!!))
                    else -> t.format(Str.CONSENT_WITHDRAWN_ON, t.date(s.date!!))
                },
                given = s?.given == true,
            )
        }
        val household = v.household(clientId).map { Line(t.code(it.relation), it.name) }
        // Newest day first, as the core gives it; within a day, a steady order (the core
        // breaks ties by random ids), so the file reads the same each time it opens.
        val timeline = v.timeline(clientId).sortedWith(compareByDescending<org.ami.komora.core.TimelineEntry> { it.date }.thenBy { it.kind }.thenBy { it.summary }).map { e ->
            TimelineLine(t.date(e.date), t.code("timeline-${e.kind}"), t.summary(e.summary), e.recordId, e.kind == "session")
        }
        val trends = v.measureTrends(clientId).map { tr ->
            TrendLine(
                instrument = Lists.instrumentName(tr.instrument),
                scores = tr.points.joinToString(" → ") { p -> "${p.score} (${t.band(tr.instrument, p.band)})" },
                change = when {
                    tr.points.size < 2 || tr.change == 0L -> t[Str.TREND_SAME]
                    tr.improved -> t.format(Str.TREND_BETTER, kotlin.math.abs(tr.change))
                    else -> t.format(Str.TREND_WORSE, kotlin.math.abs(tr.change))
                },
                instrumentId = tr.instrument,
            )
        }
        val referrals = v.referralsOf(clientId).map { r ->
            ReferralLine(
                r.id, t.term(r.destination), t.code(r.status), r.followUp?.let { t.date(it) }, r.overdue,
                statusId = r.status, nextStatuses = REFERRAL_NEXT[r.status].orEmpty().map { s -> Choice(s, t.code(s)) },
            )
        }
        val open = v.casesOf(clientId, false)
        val cases = open.map { c -> Choice(c.id, c.problems.joinToString(", ") { p -> t.term(p) }.ifEmpty { t[Str.CASE] }) }
        val flags = open.flatMap { it.riskFlags }.distinct().map { t.term(it) }
        val level = open.map { it.riskLevel }.let { l -> listOf("high", "medium").firstOrNull { it in l } }
        val risks = flags.ifEmpty { listOfNotNull(level?.let { t.code(it) }) }
        val unfinished = app.drafts.all().mapNotNull { d ->
            MeasureDraft.offer(d, t)?.takeIf { it.first == clientId }?.let { (_, instrument, line) -> Choice(instrument, line) }
        }
        current = ClientFileState(
            unfinishedMeasures = unfinished,
            referTo = current.referTo,
            referFollowUp = current.referFollowUp,
            name = c.name,
            charts = scoreCharts(v, clientId, t),
            profile = profile,
            consent = consent,
            household = household,
            timeline = timeline,
            trends = trends,
            referrals = referrals,
            openCases = cases,
            conflicts = c.conflicts.map { t.field(it) },
            risks = risks,
            urgent = flags.isNotEmpty() || level == "high",
            canExport = !app.isPractice && v.abilities().exportsClientFiles,
        )
    }

    fun edit() = app.open(Screen.ClientForm(clientId))

    /** Open a case for her (one problem to start with) and record its first session. */
    fun openCase(problem: String) {
        guard {
            val id = app.vault().addCase(NewCase(listOf(clientId), listOf(problem), null, null))
            load(audited = false)
            app.open(Screen.SessionForm(id))
        }
    }

    fun recordSession(caseId: String) = app.open(Screen.SessionForm(caseId))

    /** Give her her own file: review its notes, then save it where the supervisor chooses. */
    fun giveFile() {
        if (current.canExport) app.open(Screen.ClientExport(clientId))
    }

    /** Reread a session of her timeline (its notes, the supervisor's reviews). */
    fun openTimeline(line: TimelineLine) {
        if (line.isSession) app.open(Screen.SessionReview(line.recordId))
    }

    /** Go on with a measure left unfinished (its answers, case and session come from its draft). */
    fun continueMeasure(instrument: String) = app.open(Screen.Measure(clientId, instrument, null, null))

    fun giveMeasure(instrument: String) =
        app.open(Screen.Measure(clientId, instrument, current.openCases.firstOrNull()?.id, null))

    /** The new referral goes to [destination]. */
    fun referralDestination(destination: String) = update { it.copy(referTo = destination) }

    /** The date to check on the new referral ("": none). */
    fun referralFollowUp(date: String) = update { it.copy(referFollowUp = date.trim()) }

    /**
     * Record the referral of the form (made today unless [date] says when), then clear the
     * form: a second tap (a cheap tablet rereading her file makes the first seem to do
     * nothing) finds nothing chosen and records nothing more.
     */
    fun refer(reason: String? = null, date: String? = null) {
        val s = current
        val destination = s.referTo ?: return
        guard {
            app.vault().addReferral(
                NewReferral(clientId, s.openCases.firstOrNull()?.id, destination, null, reason, s.referFollowUp.ifEmpty { null }, date),
            )
            update { it.copy(referTo = null, referFollowUp = "") }
            load(audited = false)
        }
    }

    /** Record a referral to [destination] in one call (what the form's three taps do). */
    fun refer(destination: String, followUp: String?, reason: String?, date: String? = null) {
        referralDestination(destination)
        referralFollowUp(followUp.orEmpty())
        refer(reason, date)
    }

    /** A referral's news: the partner accepted her, she was seen, it was declined or cancelled. */
    fun setReferralStatus(referralId: String, status: String) {
        guard {
            app.vault().updateReferral(referralId, status, null, false)
            load(audited = false)
        }
    }

    /** Link a relative or someone of her household (another client of the team). */
    fun linkHousehold() = app.open(Screen.LinkHousehold(clientId))

    fun withdrawConsent(scope: String, language: Language) {
        guard {
            app.vault().addConsent(NewConsent(clientId, scope, true, language.code, null, null))
            load(audited = false)
        }
    }
}

data class ClientFormState(
    val editing: Boolean = false,
    val name: String = "",
    val code: String = "",
    /** "F", "M" or "". */
    val sex: String = "",
    val birthYear: String = "",
    /** The year of birth is not known: she types an age, the form works out the year. */
    val ageInstead: Boolean = false,
    val age: String = "",
    /** "Born about 1992", under the age. */
    val ageYear: String? = null,
    val phone: String = "",
    val district: String = "",
    val sector: String = "",
    val cell: String = "",
    val village: String = "",
    /** What the pickers offer: the units under what is chosen above (empty: choose above first). */
    val districts: List<String> = emptyList(),
    val sectors: List<String> = emptyList(),
    val cells: List<String> = emptyList(),
    val villages: List<String> = emptyList(),
    /** New clients only: the scopes she agreed to, in which language, and by whom. */
    val consentScopes: Set<String> = emptySet(),
    val consentLanguage: Language = Language.KINYARWANDA,
    val guardianName: String = "",
    /** Under 16 by the birth year: a parent or guardian gives consent. */
    val needsGuardian: Boolean = false,
    val scopeChoices: List<Choice> = emptyList(),
    /** A draft kept earlier filled the form. */
    val restored: String? = null,
    val errors: List<FieldError> = emptyList(),
    val message: String? = null,
) : Private()

/** The client's own fields in the form (a draft keeps those she changed). */
private val CLIENT_FIELDS = listOf("name", "code", "sex", "birth_year", "phone", "district", "sector", "cell", "village")

/** The parts of her place, district down to village. */
private val PLACE_FIELDS = listOf("district", "sector", "cell", "village")

/** A kept draft's key prefix for what a field held when she opened the form ("was.phone"). */
private const val WAS = "was."

/** In a client form's draft: which writes the form showed when it opened (`clientSeen`). */
private const val SEEN = "seen"

/** The client form's value of each of [CLIENT_FIELDS]. */
private fun ClientFormState.fields(): Map<String, String> = mapOf(
    "name" to name, "code" to code, "sex" to sex, "birth_year" to birthYear, "phone" to phone,
    "district" to district, "sector" to sector, "cell" to cell, "village" to village,
)

/** [s] with the client fields of [values] (field name to value) set. */
private fun withFields(s: ClientFormState, values: Map<String, String>): ClientFormState = s.copy(
    name = values["name"] ?: s.name, code = values["code"] ?: s.code, sex = values["sex"] ?: s.sex,
    birthYear = values["birth_year"] ?: s.birthYear, phone = values["phone"] ?: s.phone,
    district = values["district"] ?: s.district, sector = values["sector"] ?: s.sector,
    cell = values["cell"] ?: s.cell, village = values["village"] ?: s.village,
)

class ClientFormPresenter(app: App, private val clientId: String?) :
    AppPresenter<ClientFormState>(app, ClientFormState(editing = clientId != null)) {
    override fun ClientFormState.withMessage(message: String?) = copy(message = message)

    /** A new client saved, whose consents failed: saving again records only what is missing. */
    private var saved: String? = null
    private val consentsSaved = mutableSetOf<String>()
    private val slot = DraftKeeper.clientSlot(clientId)

    /**
     * What each client field held when she opened the form (a kept draft carries it over a
     * lock): saving sends only what she changed from it, so a colleague's correction synced
     * meanwhile to a field she did not touch stands. A new client: all empty.
     */
    private var baseline: Map<String, String> = emptyMap()

    /**
     * Which writes of her fields the form showed when it opened (the core's `clientSeen`; a
     * kept draft carries it over a lock): a field she saves replaces only those, so a
     * colleague's change to the same field synced while the form was open is kept beside hers
     * as a conflict the file shows, not replaced unseen.
     */
    private var seen: String? = null

    /** The client fields she changed from [baseline], with their values now ("" : cleared). */
    private fun changedFields(s: ClientFormState): Map<String, String> =
        s.fields().filter { (k, v) -> v.trim() != baseline[k].orEmpty().trim() }

    init {
        val t = app.texts
        update {
            it.copy(
                scopeChoices = Lists.get().consentScopes.map { s -> Choice(s.id, t.term(s)) },
                districts = placesUnder(emptyList()),
            )
        }
        if (clientId != null) {
            guard {
                val c = app.vault().client(clientId)
                baseline = mapOf(
                    "name" to c.name, "code" to c.code.orEmpty(), "sex" to c.sex.orEmpty(),
                    "birth_year" to c.birthYear?.toString().orEmpty(), "phone" to c.phone.orEmpty(),
                    "district" to c.district.orEmpty(), "sector" to c.sector.orEmpty(), "cell" to c.cell.orEmpty(),
                    "village" to c.village.orEmpty(),
                )
                seen = app.vault().clientSeen(clientId)
                update { withFields(it, baseline) }
            }
        }
        app.drafts.restore(slot)?.let { d ->
            val f = d.fields
            // What she changed comes back over the client as saved now; what she did not
            // change shows the saved value, a colleague's correction synced since included.
            // A draft of an older version kept no baseline: its typed fields count as changed.
            val was = f.filterKeys { it.startsWith(WAS) }.mapKeys { it.key.removePrefix(WAS) }
            val legacy = clientId != null && was.isEmpty()
            val mine = f.filterKeys { it in CLIENT_FIELDS }.filter { (_, v) -> !legacy || v.isNotBlank() }
            if (clientId != null && !legacy) baseline = baseline + mine.keys.associateWith { k -> was[k].orEmpty() }
            f[SEEN]?.let { seen = it }
            update {
                withFields(it, mine).copy(
                    age = f["age"].orEmpty(),
                    ageInstead = !f["age"].isNullOrEmpty(),
                    guardianName = f["guardian_name"].orEmpty(),
                    consentScopes = f["consent"].orEmpty().split(',').filter(String::isNotEmpty).toSet(),
                    consentLanguage = Language.fromCode(f["consent_language"]) ?: it.consentLanguage,
                    restored = t.format(Str.DRAFT_RESTORED, t.time(d.savedMs)),
                )
            }
        }
        update { withPlaces(it).let { s -> s.copy(needsGuardian = underSixteen(s.birthYear), ageYear = ageYear(s)) } }
    }

    /** The units under a place from the core's tree (a place not in it: nothing under it). */
    private fun placesUnder(place: List<String>): List<String> =
        try {
            org.ami.komora.core.placesUnder(place)
        } catch (e: KomoraException) {
            emptyList()
        }

    /** The pickers' lists for what is chosen now. */
    private fun withPlaces(s: ClientFormState): ClientFormState = s.copy(
        sectors = if (s.district.isEmpty()) emptyList() else placesUnder(listOf(s.district)),
        cells = if (s.sector.isEmpty()) emptyList() else placesUnder(listOf(s.district, s.sector)),
        villages = if (s.cell.isEmpty()) emptyList() else placesUnder(listOf(s.district, s.sector, s.cell)),
    )

    /** Type into a field ("name", "code", "sex", "birth_year", "age", "phone", "district", ...). */
    fun set(field: String, value: String) {
        update {
            val s = when (field) {
                "name" -> it.copy(name = value)
                "code" -> it.copy(code = value)
                "sex" -> it.copy(sex = value)
                "birth_year" -> it.copy(birthYear = value.filter(Char::isDigit).take(4))
                "age" -> {
                    val age = value.filter(Char::isDigit).take(3)
                    it.copy(age = age, birthYear = yearFromAge(age) ?: "")
                }
                "phone" -> it.copy(phone = value)
                // A place chosen above clears what was chosen under it: a sector of another
                // district is not one of this one.
                "district" -> withPlaces(it.copy(district = value, sector = "", cell = "", village = "").takeIf { _ -> value != it.district } ?: it)
                "sector" -> withPlaces(it.copy(sector = value, cell = "", village = "").takeIf { _ -> value != it.sector } ?: it)
                "cell" -> withPlaces(it.copy(cell = value, village = "").takeIf { _ -> value != it.cell } ?: it)
                "village" -> it.copy(village = value)
                "guardian_name" -> it.copy(guardianName = value)
                else -> error("no field $field")
            }
            val cleared = when (field) {
                "age" -> setOf("age", "birth_year")
                "district" -> setOf("district", "sector", "cell", "village")
                "sector" -> setOf("sector", "cell", "village")
                "cell" -> setOf("cell", "village")
                else -> setOf(field)
            }
            s.copy(errors = s.errors.filter { e -> e.field !in cleared }, needsGuardian = underSixteen(s.birthYear)).let { x -> x.copy(ageYear = ageYear(x)) }
        }
        keepDraft()
    }

    /** The year of birth is unknown: type an age instead (or go back to the year). */
    fun ageInstead(on: Boolean) {
        update { it.copy(ageInstead = on, age = "", birthYear = if (on) "" else it.birthYear, ageYear = null, needsGuardian = if (on) false else it.needsGuardian) }
        keepDraft()
    }

    private fun thisYear(): Int? = runCatching { app.vault().today().take(4).toInt() }.getOrNull()

    private fun yearFromAge(age: String): String? {
        val a = age.toIntOrNull() ?: return null
        val y = thisYear() ?: return null
        return if (a in 0..120) (y - a).toString() else null
    }

    private fun ageYear(s: ClientFormState): String? =
        if (s.ageInstead && s.birthYear.isNotEmpty()) app.texts.format(Str.BORN_ABOUT, s.birthYear) else null

    fun consent(scope: String, given: Boolean) {
        update { it.copy(consentScopes = if (given) it.consentScopes + scope else it.consentScopes - scope, errors = it.errors.filter { e -> e.field != "consent" }) }
        keepDraft()
    }

    fun consentLanguage(l: Language) {
        update { it.copy(consentLanguage = l) }
        keepDraft()
    }

    private fun keepDraft() {
        val s = current
        val changed = changedFields(s)
        val typed = changed + listOf("age" to s.age, "guardian_name" to s.guardianName).filter { it.second.isNotBlank() }
        app.drafts.changed(
            slot,
            if (typed.isEmpty()) {
                emptyMap()
            } else {
                typed + changed.keys.associate { k -> "$WAS$k" to baseline[k].orEmpty() } +
                    listOfNotNull(seen?.let { SEEN to it }) +
                    ("consent" to s.consentScopes.sorted().joinToString(",")) + ("consent_language" to s.consentLanguage.code)
            },
        )
    }

    /** Throw away what was typed (the kept draft too): the form shows the client as saved. */
    fun discardDraft() {
        app.drafts.discard(slot)
        val fresh = ClientFormPresenter(app, clientId)
        baseline = fresh.baseline
        seen = fresh.seen
        current = fresh.state.value
    }

    private fun underSixteen(birthYear: String): Boolean {
        val y = birthYear.toIntOrNull() ?: return false
        val thisYear = thisYear() ?: return false
        // Only the year is known: under 16 for sure when even a January birthday is not 16 yet
        // (the core's own rule; a child who may be 15 is asked for a guardian by the counsellor).
        return thisYear - y < GUARDIAN_UNDER
    }

    /** Save; a new client's consent is recorded with her. Returns to her file. */
    fun save() {
        val t = app.texts
        val s = current
        val errors = buildList {
            if (s.name.isBlank()) add(FieldError("name", t[Str.NAME_REQUIRED]))
            if (!s.editing) {
                if ("data-recording" !in s.consentScopes) add(FieldError("consent", t[Str.CONSENT_DATA_REQUIRED]))
                if (s.needsGuardian && s.guardianName.isBlank()) add(FieldError("guardian_name", t[Str.GUARDIAN_REQUIRED]))
            }
        }
        if (errors.isNotEmpty()) {
            update { it.copy(errors = errors) }
            return
        }
        try {
            val v = app.vault()
            val id = if (clientId == null) {
                val id = saved ?: v.addClient(
                    NewClient(
                        s.name.trim(), s.code.ifBlank { null }, s.sex.ifBlank { null }, s.birthYear.toIntOrNull(),
                        s.phone.ifBlank { null }, s.district.ifBlank { null }, s.sector.ifBlank { null },
                        s.cell.ifBlank { null }, s.village.ifBlank { null }, emptyList(),
                    ),
                )
                saved = id
                for (scope in s.consentScopes - consentsSaved) {
                    v.addConsent(
                        NewConsent(id, scope, false, s.consentLanguage.code, s.guardianName.ifBlank { null }?.takeIf { s.needsGuardian }, null),
                    )
                    consentsSaved += scope
                }
                id
            } else {
                // Only what she changed from what the form opened with: a field she did not
                // touch keeps whatever it holds now (a colleague's correction synced meanwhile).
                // Her place is one thing (the core checks a village against its district):
                // any part of it changed sends the whole place as the form holds it.
                val changed = changedFields(s).let { c ->
                    if (PLACE_FIELDS.any { it in c }) c + s.fields().filterKeys { it in PLACE_FIELDS } else c
                }
                val clearable = setOf("code", "phone", "sex", "birth_year", "sector", "cell", "village")
                val clear = changed.filter { (k, v) -> v.isBlank() && k in clearable }.keys.toList()
                fun changed(field: String) = changed[field]?.trim()?.takeIf { it.isNotEmpty() }
                v.editClient(
                    clientId,
                    ClientChanges(
                        changed("name"), changed("code"), changed("sex"), changed("birth_year")?.toIntOrNull(),
                        changed("phone"), changed("district"), changed("sector"), changed("cell"),
                        changed("village"), emptyList(), emptyList(), clear, seen,
                    ),
                )
                clientId
            }
            app.drafts.discard(slot)
            if (clientId == null) app.replace(Screen.ClientFile(id)) else app.back()
        } catch (e: KomoraException.Validation) {
            update { it.copy(errors = listOf(FieldError(e.field, t.error(e)))) }
        } catch (e: KomoraException) {
            update { it.copy(message = app.failure(e)) }
        }
    }
}
