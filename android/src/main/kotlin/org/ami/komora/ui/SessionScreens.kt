// Record a session or a home visit in a few taps, then give a measure item by item.
package org.ami.komora.ui

import org.ami.komora.core.Draft
import org.ami.komora.core.Instrument
import org.ami.komora.core.KomoraException
import org.ami.komora.core.NewAssessment
import org.ami.komora.core.NewSession
import org.ami.komora.core.sessionMinutesMax

data class SessionFormState(
    val modality: String = "office",
    val modalityChoices: List<Choice> = emptyList(),
    val durationMin: String = "60",
    val notes: String = "",
    val interventions: Set<String> = emptySet(),
    val interventionChoices: List<Choice> = emptyList(),
    /** Home visits: who in the household was there, and anything about safety. */
    val householdPresent: String = "",
    val safetyNotes: String = "",
    val followUpPlan: String = "",
    /** "YYYY-MM-DD" (a date picker fills it). */
    val nextAppointment: String = "",
    /** Give a measure right after saving (an instrument id) or none. */
    val measure: String? = null,
    val measureChoices: List<Choice> = emptyList(),
    val isHomeVisit: Boolean = false,
    /** The client(s) of the case, for the screen's heading. */
    val clientNames: String = "",
    /** A draft kept earlier filled the form ("Restored what you typed at 09:14"). */
    val restored: String? = null,
    val errors: List<FieldError> = emptyList(),
    val message: String? = null,
) : Private()

class SessionFormPresenter(app: App, private val caseId: String) :
    AppPresenter<SessionFormState>(app, SessionFormState()) {
    override fun SessionFormState.withMessage(message: String?) = copy(message = message)

    private val slot = DraftKeeper.sessionSlot(caseId)

    init {
        val t = app.texts
        val l = Lists.get()
        update {
            it.copy(
                modalityChoices = l.modalities.map { m -> Choice(m.id, t.term(m)) },
                interventionChoices = l.interventions.map { m -> Choice(m.id, t.term(m)) },
                measureChoices = Lists.instruments.map { i -> Choice(i.id, i.name) },
            )
        }
        guard {
            val v = app.vault()
            val names = names(v.getCase(caseId).clients)
            update { it.copy(clientNames = names.values.sorted().joinToString(", ")) }
        }
        app.drafts.restore(slot)?.let { d ->
            val f = d.fields
            update {
                it.copy(
                    modality = f["modality"] ?: it.modality,
                    isHomeVisit = (f["modality"] ?: it.modality) == "home-visit",
                    durationMin = f["duration"] ?: it.durationMin,
                    notes = f["notes"].orEmpty(),
                    interventions = f["interventions"].orEmpty().split(',').filter(String::isNotEmpty).toSet(),
                    householdPresent = f["household_present"].orEmpty(),
                    safetyNotes = f["safety_notes"].orEmpty(),
                    followUpPlan = f["follow_up_plan"].orEmpty(),
                    nextAppointment = f["next_appointment"].orEmpty(),
                    measure = f["measure"]?.ifEmpty { null },
                    restored = t.format(Str.DRAFT_RESTORED, t.time(d.savedMs)),
                )
            }
        }
    }

    /** Each change is kept as a draft (sealed in the vault) until the session is saved. */
    private fun edit(f: (SessionFormState) -> SessionFormState) {
        update(f)
        val s = current
        app.drafts.changed(
            slot,
            mapOf(
                "modality" to s.modality, "duration" to s.durationMin, "notes" to s.notes,
                "interventions" to s.interventions.sorted().joinToString(","),
                "household_present" to s.householdPresent, "safety_notes" to s.safetyNotes,
                "follow_up_plan" to s.followUpPlan, "next_appointment" to s.nextAppointment,
                "measure" to s.measure.orEmpty(),
            ).filterValues { it.isNotEmpty() }.let { typed ->
                // A form that holds only its defaults is nothing to keep.
                if (typed.keys.all { it == "modality" || it == "duration" } && s.modality == "office" && s.durationMin == "60") emptyMap() else typed
            },
        )
    }

    fun modality(id: String) = edit { it.copy(modality = id, isHomeVisit = id == "home-visit") }
    /** Digits only, as many as the core's longest session has (its rule: `checkSessionMinutes`). */
    fun duration(minutes: String) = edit { it.copy(durationMin = minutes.filter(Char::isDigit).take(MINUTES_DIGITS)) }
    fun notes(text: String) = edit { it.copy(notes = text) }
    fun intervention(id: String, on: Boolean) =
        edit { it.copy(interventions = if (on) it.interventions + id else it.interventions - id) }
    fun householdPresent(text: String) = edit { it.copy(householdPresent = text) }
    fun safetyNotes(text: String) = edit { it.copy(safetyNotes = text) }
    fun followUpPlan(text: String) = edit { it.copy(followUpPlan = text) }
    fun nextAppointment(date: String) = edit { it.copy(nextAppointment = date.trim(), errors = it.errors.filter { e -> e.field != "next_appointment" }) }
    fun measure(instrument: String?) = edit { it.copy(measure = instrument) }

    /** Throw away what was typed (the kept draft too) and start again. */
    fun discardDraft() {
        app.drafts.discard(slot)
        val s = current
        current = SessionFormState(
            modalityChoices = s.modalityChoices, interventionChoices = s.interventionChoices,
            measureChoices = s.measureChoices, clientNames = s.clientNames,
        )
    }

    /** Leave without saving: what was typed stays as a draft, offered after the next unlock. */
    fun cancel() {
        app.drafts.flush()
        app.back()
    }

    /** Save the session; with a measure chosen, its items come next. */
    fun save() {
        val s = current
        try {
            val v = app.vault()
            val id = v.addSession(
                NewSession(
                    caseId = caseId,
                    modality = s.modality,
                    date = null,
                    durationMin = s.durationMin.toIntOrNull(),
                    participants = emptyList(),
                    interventions = s.interventions.toList(),
                    notes = s.notes.ifBlank { null },
                    followUpPlan = s.followUpPlan.ifBlank { null },
                    nextAppointment = s.nextAppointment.ifBlank { null },
                    householdPresent = if (s.isHomeVisit) s.householdPresent.split(',').map(String::trim).filter(String::isNotEmpty) else emptyList(),
                    safetyNotes = if (s.isHomeVisit) s.safetyNotes.ifBlank { null } else null,
                ),
            )
            app.drafts.discard(slot)
            val client = v.getCase(caseId).clients.firstOrNull()
            val measure = s.measure
            if (measure != null && client != null) {
                app.replace(Screen.Measure(client, measure, caseId, id))
            } else {
                app.back()
            }
        } catch (e: KomoraException.Validation) {
            update { it.copy(errors = listOf(FieldError(e.field, app.fieldError(e)))) }
        } catch (e: KomoraException) {
            update { it.copy(message = app.failure(e)) }
        }
    }
}

data class MeasureState(
    val title: String = "",
    /** "Question 3 of 9". */
    val progress: String = "",
    val question: String = "",
    /** The instruction read before the items. */
    val instructions: String = "",
    val options: List<Choice> = emptyList(),
    /** The answer already chosen for this item, if any (going back shows it). */
    val chosen: String? = null,
    val index: Int = 0,
    val count: Int = 0,
    /** Shown at the end: "Score 14: Moderate". */
    val result: String? = null,
    /** Risk flags the answers raised ("Suicide risk"): the case goes to the top of the queue. */
    val alerts: List<String> = emptyList(),
    /** Said once when the instrument has no published text in the chosen language. */
    val note: String? = null,
    /** A small mark ("(draft)") when the question or instructions shown are a draft text. */
    val draftMark: String? = null,
    /** Answers kept earlier came back ("Restored what you typed at 09:14"). */
    val restored: String? = null,
    val message: String? = null,
) : Private()

/**
 * A measure given item by item. Its answers are kept as a draft (slot `measure:<client>:<instrument>`,
 * with its case and session) as she taps: a lock, a phone call or Back loses none, and the
 * measure opened again (from the client's file, or the draft offered after unlock) goes on at
 * the first unanswered question, still linked to the session it was given in.
 */
class MeasurePresenter(
    app: App,
    private val clientId: String,
    instrumentId: String,
    private var caseId: String?,
    private var sessionId: String?,
) : AppPresenter<MeasureState>(app, MeasureState()) {
    override fun MeasureState.withMessage(message: String?) = copy(message = message)

    // With the team's content packs (translations an administrator imported) and which of
    // its texts are drafts; the shipped text when the vault cannot say.
    private val localized = runCatching { app.vault().localizedInstrument(instrumentId) }.getOrNull()
    private val instrument: Instrument = localized?.instrument
        ?: Lists.instruments.lastOrNull { it.id == instrumentId }
        ?: throw KomoraException.Validation("instrument", "not a known instrument")
    private val drafts: Set<String> = localized?.drafts.orEmpty().toSet()

    /** Whether the text at [path], as shown in this language (or in English for lack of it), is a draft. */
    private fun isDraft(path: String, fr: String?, rw: String?): Boolean {
        val t = app.texts
        val shown = if (t.missing(fr, rw)) "en" else t.language.code
        return "$path:$shown" in drafts
    }
    private val answers = arrayOfNulls<Int>(instrument.items.size)
    private val slot = DraftKeeper.measureSlot(clientId, instrument.id)

    init {
        // The answers kept for this measure, unless they were given in another session than
        // the one just saved (then this is a new measure, and its first answer replaces them).
        val kept = app.drafts.restore(slot)
            ?.let { d -> MeasureDraft.read(d.fields, instrument.items.size)?.let { it to d.savedMs } }
            ?.takeIf { (m, _) -> sessionId == null || m.sessionId == null || m.sessionId == sessionId }
        if (kept != null) {
            val (m, savedMs) = kept
            m.answers.forEachIndexed { i, a -> answers[i] = a }
            // Opened again from her file (no session known there): the draft keeps the link.
            caseId = m.caseId ?: caseId
            sessionId = m.sessionId ?: sessionId
            show(answers.indexOfFirst { it == null }.coerceAtLeast(0))
            update { it.copy(restored = app.texts.format(Str.DRAFT_RESTORED, app.texts.time(savedMs))) }
        } else {
            show(0)
        }
    }

    private fun keepDraft() {
        app.drafts.changed(slot, MeasureDraft(answers.toList(), caseId, sessionId).fields())
    }

    /** Start again from the first question (the kept answers are thrown away). */
    fun discardDraft() {
        if (current.result != null) return
        app.drafts.discard(slot)
        answers.fill(null)
        show(0)
        update { it.copy(restored = null) }
    }

    private fun show(index: Int) {
        val t = app.texts
        val item = instrument.items[index]
        update {
            it.copy(
                title = instrument.name,
                instructions = instrument.instructions,
                progress = t.format(Str.MEASURE_PROGRESS, index + 1, instrument.items.size),
                question = t.pick(item.en, item.fr, item.rw),
                options = instrument.options.map { o -> Choice(o.value.toString(), t.pick(o.en, o.fr, o.rw)) },
                chosen = answers[index]?.toString(),
                index = index,
                count = instrument.items.size,
                note = t[Str.TRANSLATION_MISSING].takeIf {
                    instrument.items.any { i -> t.missing(i.fr, i.rw) } || instrument.options.any { o -> t.missing(o.fr, o.rw) }
                },
                draftMark = draftMark(t).takeIf {
                    isDraft("items.${item.id}", item.fr, item.rw) || isDraft("instructions", null, null)
                },
            )
        }
    }

    /** Tap an answer: the next item shows; after the last, the score. */
    fun answer(value: Int) {
        if (current.result != null) return
        val i = current.index
        answers[i] = value
        if (i + 1 < instrument.items.size) {
            keepDraft()
            show(i + 1)
        } else {
            finish()
        }
    }

    fun previous() {
        if (current.result == null && current.index > 0) show(current.index - 1)
    }

    private fun finish() {
        val t = app.texts
        try {
            val score = app.vault().addAssessment(
                NewAssessment(clientId, instrument.id, answers.map { it!! }, caseId, sessionId, null),
            )
            app.drafts.discard(slot)
            update {
                it.copy(
                    result = t.format(Str.MEASURE_RESULT, score.total, t.band(instrument.id, score.band)),
                    alerts = score.raisedFlags.map { f -> t.term(f) },
                )
            }
        } catch (e: KomoraException) {
            // Not recorded (the vault locked, the disk full): the answers stay kept.
            keepDraft()
            update { it.copy(message = app.failure(e)) }
        }
    }

    fun done() = app.back()
}

/** A measure's answers as a draft keeps them: one field per answer given, and its links. */
internal data class MeasureDraft(val answers: List<Int?>, val caseId: String?, val sessionId: String?) : Private() {
    fun fields(): Map<String, String> =
        if (answers.all { it == null }) {
            emptyMap()
        } else {
            answers.withIndex().filter { it.value != null }.associate { (i, a) -> "item.$i" to a.toString() } +
                listOfNotNull(caseId?.let { "case" to it }, sessionId?.let { "session" to it })
        }

    /** How far she got: "Question 6 of 9" (the first unanswered one). */
    fun progress(t: Texts): String =
        t.format(Str.MEASURE_PROGRESS, answers.indexOfFirst { it == null }.let { if (it < 0) answers.size else it + 1 }, answers.size)

    companion object {
        /**
         * What a kept draft of a measure says on a list ("PHQ-9 not finished: Question 6 of 9"),
         * with its client and instrument (null: not a measure's draft, or not one of this version).
         */
        fun offer(d: Draft, t: Texts): Triple<String, String, String>? {
            val (kind, client, instrument) = d.slot.split(':', limit = 3).takeIf { it.size == 3 } ?: return null
            if (kind != "measure") return null
            val items = Lists.instruments.lastOrNull { it.id == instrument }?.items?.size ?: return null
            val m = read(d.fields, items) ?: return null
            return Triple(client, instrument, t.format(Str.MEASURE_UNFINISHED, Lists.instrumentName(instrument), m.progress(t)))
        }

        /** The draft's answers for an instrument of [count] items (null: not a measure's draft of that size). */
        fun read(fields: Map<String, String>, count: Int): MeasureDraft? {
            val answers = (0 until count).map { i -> fields["item.$i"]?.toIntOrNull() }
            if (answers.all { it == null }) return null
            return MeasureDraft(answers, fields["case"], fields["session"])
        }
    }
}

/** How many digits a session's duration can have: the core's longest session decides. */
private val MINUTES_DIGITS: Int = sessionMinutesMax().toString().length
