// Recording a session or a home visit, and giving a measure one item at a time.
package org.ami.komora.android

import android.content.res.ColorStateList
import android.text.InputType
import android.view.Gravity
import android.view.View
import android.widget.ProgressBar
import org.ami.komora.ui.App
import org.ami.komora.ui.Choice
import org.ami.komora.ui.MeasurePresenter
import org.ami.komora.ui.MeasureState
import org.ami.komora.ui.SessionFormPresenter
import org.ami.komora.ui.SessionFormState
import org.ami.komora.ui.Str

internal class SessionFormView(ui: Ui, app: App, private val p: SessionFormPresenter) : ScreenView<SessionFormState>(ui, app, p) {
    private val s0 = p.state.value
    override val title = t[Str.NEW_SESSION_TITLE]

    private val who = ui.strong()
    private val restored = ui.message()
    private val discard = ui.button(t[Str.DRAFT_DISCARD], Rank.TEXT) {
        ui.confirm(t[Str.DRAFT_DISCARD_CONFIRM], t[Str.DRAFT_DISCARD], t[Str.KEEP]) { p.discardDraft() }
    }
    private val modality = ui.choices(t[Str.FIELD_MODALITY], s0.modalityChoices, s0.modality) { p.modality(it) }
    private val duration = ui.field(t[Str.FIELD_DURATION] + " (min)", InputType.TYPE_CLASS_NUMBER) { p.duration(it) }
    private val notes = ui.privateText(t[Str.FIELD_NOTES], multiLine = true) { p.notes(it) }
    private val interventions = s0.interventionChoices.map { c -> c.id to ui.check(c.label) { on -> p.intervention(c.id, on) } }
    private val household = ui.privateText(t[Str.FIELD_HOUSEHOLD_PRESENT]) { p.householdPresent(it) }
    private val safety = ui.privateText(t[Str.FIELD_SAFETY], multiLine = true) { p.safetyNotes(it) }
    private val homeVisit = ui.stack().apply {
        addView(household.root)
        ui.add(this, safety.root, 16)
    }
    private val plan = ui.privateText(t[Str.FIELD_FOLLOW_UP_PLAN], multiLine = true) { p.followUpPlan(it) }
    private val next = ui.dateField(t[Str.FIELD_NEXT_APPOINTMENT], t[Str.DATE_NOT_SET], { t.date(it) }) { p.nextAppointment(it) }
    private val measure = ui.picker(t[Str.GIVE_MEASURE], listOf(Choice("", t[Str.MEASURE_NONE])) + s0.measureChoices, s0.measure ?: "", searchable = false) {
        p.measure(it.ifEmpty { null })
    }
    private val message = ui.message(error = true)

    override fun body(): View = ui.column(
        who,
        ui.stack().apply {
            addView(restored)
            ui.add(this, discard, 4)
        },
        ui.card(modality.root, duration.root, notes.root, gap = 16),
        ui.card(ui.heading(t[Str.FIELD_INTERVENTIONS]), ui.stack().apply { interventions.forEach { (_, c) -> addView(c) } }),
        ui.card(homeVisit),
        ui.card(plan.root, next.root, measure.root, gap = 16),
        message,
    )

    override fun bottom(): View = ui.bottomBar(ui.primary(t[Str.SAVE]) { p.save() })

    override fun render(s: SessionFormState) {
        who.show(s.clientNames.ifEmpty { null }?.let { t.format(Str.SESSION_FOR, it) })
        restored.show(s.restored)
        discard.shown = s.restored != null
        modality.select(s.modality)
        duration.sync(s.durationMin)
        notes.sync(s.notes)
        for ((id, box) in interventions) if (box.isChecked != (id in s.interventions)) box.isChecked = id in s.interventions
        household.sync(s.householdPresent)
        safety.sync(s.safetyNotes)
        plan.sync(s.followUpPlan)
        next.set(s.nextAppointment)
        measure.set(listOf(Choice("", t[Str.MEASURE_NONE])) + s.measureChoices, s.measure ?: "", t[Str.MEASURE_NONE])
        (homeVisit.parent as? View)?.shown = s.isHomeVisit
        next.error(s.errors.of("next_appointment"))
        notes.error(s.errors.of("notes"))
        duration.error(s.errors.of("duration_min") ?: s.errors.of("duration"))
        val placed = setOf("next_appointment", "notes", "duration_min", "duration")
        message.show(listOfNotNull(s.message, s.errors.filter { it.field !in placed }.joinToString("\n") { it.message }.ifEmpty { null }).joinToString("\n").ifEmpty { null })
    }
}

internal class MeasureView(ui: Ui, app: App, private val p: MeasurePresenter) : ScreenView<MeasureState>(ui, app, p) {
    override val title = p.state.value.title
    private val note = ui.message()
    /** "Restored what you typed (09:14)", with a way to start again from the first question. */
    private val restored = ui.message()
    private val startAgain = ui.button(t[Str.DRAFT_DISCARD], Rank.TEXT) { p.discardDraft() }
    private val instructions = ui.secondary()
    private val progressLine = ui.secondary()
    private val bar = ProgressBar(ui.ctx, null, android.R.attr.progressBarStyleHorizontal).apply {
        progressTintList = ColorStateList.valueOf(Palette.PRIMARY)
        progressBackgroundTintList = ColorStateList.valueOf(Palette.OUTLINE)
        importantForAccessibility = View.IMPORTANT_FOR_ACCESSIBILITY_NO
    }
    private val question = ui.strong(sizeSp = 24f)
    /** "(draft)" under a question or introduction not yet reviewed; TalkBack says what it means. */
    private val draft = ui.draftMark("", t[Str.DRAFT_MARK_CD])
    private val draftRow = ui.flow(draft).apply { shown = false }
    private val options = ui.stack()
    private val previous = ui.button(t[Str.PREVIOUS], Rank.TEXT) { p.previous() }
    private val asking = ui.card(progressLine, bar, question, draftRow, options, previous, gap = 14)
    private val score = ui.strong(sizeSp = 30f)
    private val alerts = ui.stack()
    private val result = ui.card(score, alerts)
    private val message = ui.message(error = true)
    private val done = ui.primary(t[Str.DONE]) { p.done() }
    private val doneBar = ui.bottomBar(done)

    override fun body(): View = ui.column(note, restored, startAgain, instructions, asking, result, message)

    override fun bottom(): View = doneBar

    override fun render(s: MeasureState) {
        note.show(s.note)
        val finished = s.result != null
        restored.show(if (finished) null else s.restored)
        startAgain.shown = !finished && s.restored != null
        instructions.show(if (finished) null else s.instructions)
        asking.shown = !finished
        result.shown = finished
        doneBar.shown = finished
        progressLine.text = s.progress
        bar.max = s.count
        bar.progress = s.index
        question.text = s.question
        draft.text = s.draftMark.orEmpty()
        draftRow.shown = s.draftMark != null
        options.removeAllViews()
        for (o in s.options) {
            val chosen = o.id == s.chosen
            val b = ui.button(if (chosen) "✓  ${o.label}" else o.label) { p.answer(o.id.toInt()) }.apply {
                gravity = Gravity.START or Gravity.CENTER_VERTICAL
                minHeight = ui.dp(56)
                if (chosen) {
                    background = Shapes.button(Tone.INFO.background, ui.dp(26).toFloat(), Palette.PRIMARY, ui.dp(2))
                    setTextColor(Tone.INFO.text)
                    contentDescription = "${o.label}, ${t[Str.CD_CHOSEN]}"
                }
            }
            // Every answer as wide as the screen: one big target each, the same for all.
            options.addView(b, android.widget.LinearLayout.LayoutParams(android.widget.LinearLayout.LayoutParams.MATCH_PARENT, android.widget.LinearLayout.LayoutParams.WRAP_CONTENT).apply {
                if (options.childCount > 0) topMargin = ui.dp(10)
            })
        }
        previous.shown = s.index > 0
        score.text = s.result.orEmpty()
        alerts.removeAllViews()
        if (s.alerts.isNotEmpty()) {
            alerts.addView(ui.flow(*s.alerts.map { ui.chip(it, Tone.DANGER) }.toTypedArray()))
            ui.add(alerts, ui.body(t[Str.RISK_RAISED_NOTE]), 8)
        }
        message.show(s.message)
    }
}
