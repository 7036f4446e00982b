// One view per screen: widgets built once, `render` draws the presenter's state, widget events
// call the presenter. No logic here beyond layout: it lives in the presenters, tested on the JVM.
package org.ami.komora.android

import android.view.View
import android.widget.LinearLayout
import android.widget.TextView
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch
import org.ami.komora.ui.App
import org.ami.komora.ui.CaseloadFilters
import org.ami.komora.ui.CaseloadPresenter
import org.ami.komora.ui.CaseloadState
import org.ami.komora.ui.Choice
import org.ami.komora.ui.ClientFilePresenter
import org.ami.komora.ui.ClientFileState
import org.ami.komora.ui.ClientFormPresenter
import org.ami.komora.ui.ClientFormState
import org.ami.komora.ui.EnrolPresenter
import org.ami.komora.ui.EnrolState
import org.ami.komora.ui.GroupPresenter
import org.ami.komora.ui.GroupState
import org.ami.komora.ui.FiguresPresenter
import org.ami.komora.ui.FiguresState
import org.ami.komora.ui.GroupsPresenter
import org.ami.komora.ui.GroupsState
import org.ami.komora.ui.Language
import org.ami.komora.ui.Lists
import org.ami.komora.ui.MeasurePresenter
import org.ami.komora.ui.MeasureState
import org.ami.komora.ui.Presenter
import org.ami.komora.ui.RequestsPresenter
import org.ami.komora.ui.RequestsState
import org.ami.komora.ui.ReviewQueuePresenter
import org.ami.komora.ui.ReviewQueueState
import org.ami.komora.ui.Screen
import org.ami.komora.ui.SessionFormPresenter
import org.ami.komora.ui.SessionFormState
import org.ami.komora.ui.SessionReviewPresenter
import org.ami.komora.ui.SessionReviewState
import org.ami.komora.ui.SettingsPresenter
import org.ami.komora.ui.SettingsState
import org.ami.komora.ui.Str
import org.ami.komora.ui.UnlockPresenter
import org.ami.komora.ui.UnlockState

internal abstract class ScreenView<S>(protected val ui: Ui, protected val app: App, val presenter: Presenter<S>) {
    protected val t get() = app.texts
    abstract val root: View
    abstract fun render(s: S)

    /** The screen goes (another one opens, or the app locks): let go of what it holds. */
    open fun leave() = Unit

    /** Draw every state the presenter publishes, on the main thread, until the screen goes. */
    fun bind(scope: CoroutineScope): Job = scope.launch { presenter.state.collect { render(it) } }
}

/** The view of a screen, with a new presenter over the app. */
internal fun viewFor(screen: Screen, ui: Ui, app: App, scope: CoroutineScope): ScreenView<*> = when (screen) {
    Screen.Enrol -> EnrolView(ui, app, EnrolPresenter(app), scope)
    Screen.Unlock -> UnlockView(ui, app, UnlockPresenter(app), scope)
    Screen.Caseload -> CaseloadView(ui, app, CaseloadPresenter(app), scope)
    is Screen.ClientFile -> ClientFileView(ui, app, ClientFilePresenter(app, screen.clientId))
    is Screen.ClientForm -> ClientFormView(ui, app, ClientFormPresenter(app, screen.clientId))
    is Screen.SessionForm -> SessionFormView(ui, app, SessionFormPresenter(app, screen.caseId))
    is Screen.Measure -> MeasureView(ui, app, MeasurePresenter(app, screen.clientId, screen.instrument, screen.caseId, screen.sessionId))
    Screen.Groups -> GroupsView(ui, app, GroupsPresenter(app))
    is Screen.Group -> GroupView(ui, app, GroupPresenter(app, screen.groupId))
    Screen.ReviewQueue -> ReviewQueueView(ui, app, ReviewQueuePresenter(app))
    is Screen.SessionReview -> SessionReviewView(ui, app, SessionReviewPresenter(app, screen.sessionId))
    Screen.Requests -> RequestsView(ui, app, RequestsPresenter(app))
    Screen.Settings -> SettingsView(ui, app, SettingsPresenter(app), scope)
    Screen.Figures -> FiguresView(ui, app, FiguresPresenter(app), scope)
    Screen.JoinTeam -> EnrolView(ui, app, EnrolPresenter(app, joining = true), scope)
}

internal class EnrolView(ui: Ui, app: App, private val p: EnrolPresenter, scope: CoroutineScope) :
    ScreenView<EnrolState>(ui, app, p) {
    private val server = ui.field(t[Str.ENROL_SERVER], android.text.InputType.TYPE_TEXT_VARIATION_URI) { p.server(it) }
    private val code = ui.field(t[Str.ENROL_CODE], android.text.InputType.TYPE_CLASS_TEXT or android.text.InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS or android.text.InputType.TYPE_TEXT_FLAG_CAP_CHARACTERS) { p.code(it) }
    private val pin = ui.pinField(t[Str.ENROL_PIN]) { p.pin(it) }
    private val confirm = ui.pinField(t[Str.ENROL_PIN_AGAIN]) { p.confirmPin(it) }
    private val errors = ui.message()
    private val message = ui.message()
    private val submit = ui.button(t[Str.ENROL_SUBMIT]) { scope.launch { p.submit() } }
    private val scanner = (ui.ctx as? MainActivity)?.let { activity ->
        QrScanner(activity) { text ->
            scanView.visibility = View.GONE
            p.scanned(text)
        }
    }
    private val scanView: View = scanner?.preview?.apply {
        visibility = View.GONE
        contentDescription = t[Str.ENROL_SCAN]
        layoutParams = LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, (ui.ctx.resources.displayMetrics.widthPixels * 3) / 4)
    } ?: View(ui.ctx)
    private val scan = ui.button(t[Str.ENROL_SCAN]) {
        scanView.visibility = View.VISIBLE
        scanner?.start()
    }
    override val root: View = ui.scroll(
        ui.column(ui.title(t[if (p.joining) Str.TEAM_JOIN else Str.ENROL_TITLE]), scan, scanView, server, code, pin, confirm, errors, message, submit),
    )

    init {
        // Joining another team: the tablet's PIN, once (it opens every team).
        if (p.joining) confirm.visibility = View.GONE
    }

    override fun leave() {
        scanner?.stop()
    }

    override fun render(s: EnrolState) {
        server.sync(s.server)
        code.sync(s.code)
        if (s.pinDigits == 0) pin.sync("")
        if (s.confirmDigits == 0) confirm.sync("")
        errors.show(s.errors.joinToString("\n") { it.message }.ifEmpty { null })
        message.show(s.message)
        submit.isEnabled = !s.busy
        submit.text = if (s.busy) t[Str.ENROLLING] else t[Str.ENROL_SUBMIT]
    }
}

internal class UnlockView(ui: Ui, app: App, private val p: UnlockPresenter, scope: CoroutineScope) :
    ScreenView<UnlockState>(ui, app, p) {
    private val pin = ui.pinField(t[Str.UNLOCK_PIN]) { p.pin(it) }
    private val message = ui.message()
    private val submit = ui.button(t[Str.UNLOCK_TITLE]) { scope.launch { p.submit() } }
    private var countingDown = false
    override val root: View = ui.column(ui.title(t[Str.APP_NAME]), pin, message, submit)

    override fun render(s: UnlockState) {
        if (s.pinDigits == 0) pin.sync("")
        pin.contentDescription = t.format(Str.CD_PIN_DIGITS, s.pinDigits)
        message.show(s.message)
        val wait = p.secondsToWait()
        submit.isEnabled = !s.busy && wait == 0L
        if (wait > 0 && !countingDown) {
            countingDown = true
            submit.postDelayed({
                countingDown = false
                render(p.state.value)
            }, 1000)
        }
        submit.text = if (wait > 0) "${t[Str.UNLOCK_TITLE]} ($wait s)" else t[Str.UNLOCK_TITLE]
    }
}

internal class CaseloadView(ui: Ui, app: App, private val p: CaseloadPresenter, scope: CoroutineScope) :
    ScreenView<CaseloadState>(ui, app, p) {
    private val syncLine = ui.label(sizeSp = 15f)
    private val progress = ui.message()
    private val message = ui.message()
    private val syncButton = ui.button(t[Str.SYNC_NOW]) { scope.launch { p.sync() } }
    private val search = ui.privateText(t[Str.SEARCH_HINT]) { p.type(it) }
    private val results = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val highRisk = ui.check(t[Str.FILTER_HIGH_RISK]) { p.filter(p.state.value.filters.copy(highRiskOnly = it)) }
    private val due = ui.check(t[Str.FOLLOW_UP_DUE]) { p.filter(p.state.value.filters.copy(followUpDueOnly = it)) }
    private val cases = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val reviewButton = ui.button(t[Str.REVIEW_QUEUE_TITLE]) { app.open(Screen.ReviewQueue) }
    private val figuresButton = ui.button(t[Str.FIGURES_TITLE]) { app.open(Screen.Figures) }
    private val teamPicker = ui.spinner(t[Str.TEAM_LABEL], p.state.value.teams, p.state.value.team) { id ->
        if (id != p.state.value.team) p.switchTeam(id)
    }
    override val root: View = ui.scroll(
        ui.column(
            ui.row(ui.title(t[Str.CASELOAD_TITLE]), ui.button(t[Str.LOCK_NOW]) { app.lock() }),
            teamPicker,
            syncLine, ui.row(syncButton, ui.button(t[Str.NEW_CLIENT]) { app.open(Screen.ClientForm(null)) }),
            progress, message, search, results,
            ui.row(highRisk, due),
            ui.spinner(t[Str.STATUS_ALL], p.state.value.statusChoices, "") { id ->
                p.filter(p.state.value.filters.copy(status = id.ifEmpty { null }))
            },
            cases,
            ui.row(
                ui.button(t[Str.GROUPS_TITLE]) { app.open(Screen.Groups) },
                ui.button(t[Str.REQUESTS_TITLE]) { app.open(Screen.Requests) },
            ),
            ui.row(reviewButton, ui.button(t[Str.SETTINGS_TITLE]) { app.open(Screen.Settings) }),
            figuresButton,
        ),
    )

    override fun render(s: CaseloadState) {
        syncLine.text = s.syncLine
        syncButton.isEnabled = !s.syncing
        syncButton.contentDescription = if (s.syncing) t[Str.CD_SYNCING] else null
        progress.show(s.syncProgress)
        message.show(s.message)
        reviewButton.visibility = if (s.reviews) View.VISIBLE else View.GONE
        figuresButton.visibility = if (s.reviews) View.VISIBLE else View.GONE
        teamPicker.visibility = if (s.teams.size > 1) View.VISIBLE else View.GONE
        results.removeAllViews()
        if (s.query.isNotBlank() && s.results.isEmpty()) results.addView(ui.label(t[Str.NO_RESULTS]))
        for (r in s.results) results.addView(ui.button("${r.name}\n${r.detail}") { p.openClient(r.clientId) })
        cases.removeAllViews()
        if (s.cases.isEmpty()) cases.addView(ui.label(t[Str.NO_CASES]))
        for (c in s.cases) {
            val b = ui.button(listOf(c.names, "${c.status} · ${c.risk}", c.detail).filter { it.isNotEmpty() }.joinToString("\n")) {
                c.clientId?.let { p.openClient(it) }
            }
            if (c.urgent) b.contentDescription = "${t[Str.CD_URGENT]}. ${b.text}"
            cases.addView(b)
        }
    }
}

internal class ClientFileView(ui: Ui, app: App, private val p: ClientFilePresenter) : ScreenView<ClientFileState>(ui, app, p) {
    private val name = ui.title()
    private val message = ui.message()
    private val profile = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val consent = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val household = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val cases = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val trends = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val referrals = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val timeline = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private var problem = Lists.get().problems.first().id
    private var instrument = Lists.instruments.first().id
    private var destination = Lists.get().referralDestinations.first().id
    private var followUp: String? = null

    override val root: View = ui.scroll(
        ui.column(
            ui.row(name, ui.button(t[Str.EDIT]) { p.edit() }), message,
            ui.heading(t[Str.SECTION_PROFILE]), profile,
            ui.heading(t[Str.SECTION_CONSENT]), consent,
            ui.heading(t[Str.SECTION_HOUSEHOLD]), household,
            ui.heading(t[Str.CASE]), cases,
            ui.spinner(t[Str.OPEN_CASE], Lists.get().problems.map { Choice(it.id, t.term(it)) }, problem) { problem = it },
            ui.button(t[Str.OPEN_CASE]) { p.openCase(problem) },
            ui.heading(t[Str.SECTION_MEASURES]), trends,
            ui.spinner(t[Str.GIVE_MEASURE], Lists.instruments.map { Choice(it.id, it.name) }, instrument) { instrument = it },
            ui.button(t[Str.GIVE_MEASURE]) { p.giveMeasure(instrument) },
            ui.heading(t[Str.SECTION_REFERRALS]), referrals,
            ui.spinner(t[Str.REFER], Lists.get().referralDestinations.map { Choice(it.id, t.term(it)) }, destination) { destination = it },
            ui.dateButton(t[Str.FIELD_FOLLOW_UP]) { followUp = it },
            ui.button(t[Str.REFER]) { p.refer(destination, followUp, null) },
            ui.heading(t[Str.SECTION_TIMELINE]), timeline,
        ),
    )

    override fun render(s: ClientFileState) {
        name.text = s.name
        message.show(s.message)
        ui.lines(profile, s.profile)
        consent.removeAllViews()
        for (c in s.consent) {
            consent.addView(ui.label("${c.scope}: ${c.standing}"))
            if (c.given) consent.addView(ui.button(t[Str.WITHDRAW_CONSENT]) { p.withdrawConsent(c.scopeId, app.texts.language) })
        }
        ui.lines(household, s.household)
        cases.removeAllViews()
        for (c in s.openCases) cases.addView(ui.button("${t[Str.RECORD_SESSION]}: ${c.label}") { p.recordSession(c.id) })
        trends.removeAllViews()
        for (tr in s.trends) trends.addView(ui.label("${tr.instrument}: ${tr.scores} (${tr.change})"))
        referrals.removeAllViews()
        for (r in s.referrals) {
            referrals.addView(ui.label(listOfNotNull(r.destination, r.status, r.followUp).joinToString(" · ")).apply {
                if (r.overdue) setTypeface(typeface, android.graphics.Typeface.BOLD)
            })
        }
        timeline.removeAllViews()
        for (e in s.timeline) {
            val line = "${e.date} · ${e.kind} · ${e.detail}"
            timeline.addView(if (e.isSession) ui.button(line) { p.openTimeline(e) } else ui.label(line))
        }
    }
}

internal class ClientFormView(ui: Ui, app: App, private val p: ClientFormPresenter) : ScreenView<ClientFormState>(ui, app, p) {
    private val s0 = p.state.value
    private val name = ui.privateText(t[Str.FIELD_NAME]) { p.set("name", it) }.apply { setText(s0.name) }
    private val code = ui.privateText(t[Str.FIELD_CODE]) { p.set("code", it) }.apply { setText(s0.code) }
    private val birthYear = ui.field(t[Str.FIELD_BIRTH_YEAR], android.text.InputType.TYPE_CLASS_NUMBER) { p.set("birth_year", it) }
        .apply { setText(s0.birthYear) }
    private val phone = ui.field(t[Str.FIELD_PHONE], android.text.InputType.TYPE_CLASS_PHONE) { p.set("phone", it) }.apply { setText(s0.phone) }
    private val guardian = ui.privateText(t[Str.FIELD_GUARDIAN]) { p.set("guardian_name", it) }
    private val consent = LinearLayout(ui.ctx).apply {
        orientation = LinearLayout.VERTICAL
        addView(ui.heading(t[Str.SECTION_CONSENT]))
        for (c in s0.scopeChoices) addView(ui.check(c.label) { on -> p.consent(c.id, on) })
        addView(ui.spinner(t[Str.FIELD_CONSENT_LANGUAGE], Language.entries.map { Choice(it.code, it.nativeName) }, s0.consentLanguage.code) {
            Language.fromCode(it)?.let(p::consentLanguage)
        })
        addView(guardian)
    }
    private val errors = ui.message()
    private val message = ui.message()
    override val root: View = ui.scroll(
        ui.column(
            ui.title(if (s0.editing) t[Str.EDIT_CLIENT] else t[Str.NEW_CLIENT]), name, code,
            ui.spinner(t[Str.FIELD_SEX], listOf(Choice("", "—"), Choice("F", t[Str.SEX_F]), Choice("M", t[Str.SEX_M])), s0.sex) { p.set("sex", it) },
            birthYear, phone,
            ui.privateText(t[Str.FIELD_DISTRICT]) { p.set("district", it) }.apply { setText(s0.district) },
            ui.privateText(t[Str.FIELD_SECTOR]) { p.set("sector", it) }.apply { setText(s0.sector) },
            ui.privateText(t[Str.FIELD_CELL]) { p.set("cell", it) }.apply { setText(s0.cell) },
            ui.privateText(t[Str.FIELD_VILLAGE]) { p.set("village", it) }.apply { setText(s0.village) },
            consent, errors, message,
            ui.row(ui.button(t[Str.CANCEL]) { app.back() }, ui.button(t[Str.SAVE]) { p.save() }),
        ),
    )

    override fun render(s: ClientFormState) {
        consent.visibility = if (s.editing) View.GONE else View.VISIBLE
        guardian.visibility = if (s.needsGuardian) View.VISIBLE else View.GONE
        errors.show(s.errors.joinToString("\n") { it.message }.ifEmpty { null })
        message.show(s.message)
    }
}

internal class SessionFormView(ui: Ui, app: App, private val p: SessionFormPresenter) : ScreenView<SessionFormState>(ui, app, p) {
    private val s0 = p.state.value
    private val homeVisit = ui.column(
        ui.privateText(t[Str.FIELD_HOUSEHOLD_PRESENT]) { p.householdPresent(it) },
        ui.privateText(t[Str.FIELD_SAFETY], multiLine = true) { p.safetyNotes(it) },
    )
    private val errors = ui.message()
    private val message = ui.message()
    override val root: View = ui.scroll(
        ui.column(
            ui.title(t[Str.NEW_SESSION_TITLE]),
            ui.spinner(t[Str.FIELD_MODALITY], s0.modalityChoices, s0.modality) { p.modality(it) },
            ui.field(t[Str.FIELD_DURATION], android.text.InputType.TYPE_CLASS_NUMBER) { p.duration(it) }.apply { setText(s0.durationMin) },
            ui.privateText(t[Str.FIELD_NOTES], multiLine = true) { p.notes(it) },
            ui.heading(t[Str.FIELD_INTERVENTIONS]),
            ui.column(*s0.interventionChoices.map { c -> ui.check(c.label) { on -> p.intervention(c.id, on) } }.toTypedArray()),
            homeVisit,
            ui.privateText(t[Str.FIELD_FOLLOW_UP_PLAN], multiLine = true) { p.followUpPlan(it) },
            ui.dateButton(t[Str.FIELD_NEXT_APPOINTMENT]) { p.nextAppointment(it) },
            ui.spinner(t[Str.GIVE_MEASURE], listOf(Choice("", t[Str.MEASURE_NONE])) + s0.measureChoices, "") { p.measure(it.ifEmpty { null }) },
            errors, message,
            ui.row(ui.button(t[Str.CANCEL]) { app.back() }, ui.button(t[Str.SAVE]) { p.save() }),
        ),
    )

    override fun render(s: SessionFormState) {
        homeVisit.visibility = if (s.isHomeVisit) View.VISIBLE else View.GONE
        errors.show(s.errors.joinToString("\n") { it.message }.ifEmpty { null })
        message.show(s.message)
    }
}

internal class MeasureView(ui: Ui, app: App, private val p: MeasurePresenter) : ScreenView<MeasureState>(ui, app, p) {
    private val title = ui.title()
    private val note = ui.message()
    private val instructions = ui.label(sizeSp = 15f)
    private val progress = ui.label(sizeSp = 15f)
    private val question = ui.label(sizeSp = 22f)
    private val options = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val previous = ui.button(t[Str.PREVIOUS]) { p.previous() }
    private val result = ui.message().apply { textSize = 24f }
    private val alerts = ui.message()
    private val message = ui.message()
    private val done = ui.button(t[Str.DONE]) { p.done() }
    override val root: View = ui.scroll(ui.column(title, note, instructions, progress, question, options, previous, result, alerts, message, done))

    override fun render(s: MeasureState) {
        title.text = s.title
        note.show(s.note)
        instructions.text = s.instructions
        val finished = s.result != null
        for (v in listOf<View>(progress, question, options, previous, instructions)) v.visibility = if (finished) View.GONE else View.VISIBLE
        progress.text = s.progress
        question.text = s.question
        options.removeAllViews()
        for (o in s.options) {
            val label = if (o.id == s.chosen) "✓ ${o.label}" else o.label
            options.addView(ui.button(label) { p.answer(o.id.toInt()) })
        }
        result.show(s.result)
        alerts.show(s.alerts.joinToString(", ").ifEmpty { null })
        message.show(s.message)
        done.visibility = if (finished) View.VISIBLE else View.GONE
    }
}

/** The donors' figures: a period, the figures as a list, sharing the CSV (anonymous). */
internal class FiguresView(ui: Ui, app: App, private val p: FiguresPresenter, scope: CoroutineScope) :
    ScreenView<FiguresState>(ui, app, p) {
    private val range = ui.label()
    private val message = ui.message()
    private val list = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val syncButton = ui.button(t[Str.SYNC_NOW]) { scope.launch { p.sync() } }
    private val share = ui.button(t[Str.FIGURES_SHARE]) {
        val send = android.content.Intent(android.content.Intent.ACTION_SEND).apply {
            type = "text/csv"
            putExtra(android.content.Intent.EXTRA_SUBJECT, t[Str.FIGURES_TITLE])
            putExtra(android.content.Intent.EXTRA_TEXT, p.state.value.csv)
        }
        ui.ctx.startActivity(android.content.Intent.createChooser(send, t[Str.FIGURES_SHARE]))
    }
    override val root: View = ui.scroll(
        ui.column(
            ui.row(ui.title(t[Str.FIGURES_TITLE]), ui.button(t[Str.LOCK_NOW]) { app.lock() }),
            ui.spinner(t[Str.FIGURES_QUARTER], p.state.value.periods, p.state.value.period) { id ->
                p.choose(id)
                scope.launch { p.load() }
            },
            range, message, list, ui.label(t[Str.FIGURES_SMALL], sizeSp = 13f),
            ui.row(syncButton, share),
            ui.button(t[Str.SETTINGS_TITLE]) { app.open(Screen.Settings) },
        ),
    )

    init {
        scope.launch { p.load() }
    }

    override fun render(s: FiguresState) {
        range.text = s.range
        message.show(s.message)
        syncButton.isEnabled = !s.syncing
        share.isEnabled = s.csv.isNotEmpty() && !s.busy
        list.removeAllViews()
        if (s.rows.isEmpty() && !s.busy) list.addView(ui.label(t[Str.FIGURES_NONE]))
        for (r in s.rows) list.addView(ui.label("${r.label}\n${r.detail}: ${r.count}"))
    }
}

internal class GroupsView(ui: Ui, app: App, private val p: GroupsPresenter) : ScreenView<GroupsState>(ui, app, p) {
    private val list = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val message = ui.message()
    override val root: View = ui.scroll(ui.column(ui.title(t[Str.GROUPS_TITLE]), message, list))

    override fun render(s: GroupsState) {
        message.show(s.message)
        list.removeAllViews()
        for (g in s.groups) list.addView(ui.button("${g.name}\n${g.detail}") { p.open(g.groupId) })
    }
}

internal class GroupView(ui: Ui, app: App, private val p: GroupPresenter) : ScreenView<GroupState>(ui, app, p) {
    private val name = ui.title()
    private val facilitators = ui.label()
    private val today = ui.message()
    private val start = ui.button(t[Str.GROUP_START_TODAY]) { p.startToday() }
    private val attendanceLine = ui.message()
    private val attendance = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val cycle = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val message = ui.message()
    override val root: View = ui.scroll(ui.column(name, facilitators, message, today, start, attendanceLine, attendance, cycle))

    override fun render(s: GroupState) {
        name.text = s.name
        facilitators.text = s.facilitators
        today.show(s.today)
        start.visibility = if (s.canStartToday) View.VISIBLE else View.GONE
        attendanceLine.show(s.attendanceLine.ifEmpty { null })
        message.show(s.message)
        attendance.removeAllViews()
        for (a in s.attendance) {
            // Tap: present or not. Long press: needs individual follow-up.
            val b = ui.check(if (a.flagged) "${a.name} · ${t[Str.FLAG_REFERRAL]}" else a.name, a.present) { p.tap(a.clientId) }
            b.setOnLongClickListener {
                p.flagForReferral(a.clientId)
                true
            }
            attendance.addView(b)
        }
        cycle.removeAllViews()
        for (c in s.cycle) {
            cycle.addView(ui.label("${c.number}. ${c.phase} · ${c.held ?: t[Str.GROUP_NOT_HELD]}"))
        }
    }
}

internal class ReviewQueueView(ui: Ui, app: App, private val p: ReviewQueuePresenter) : ScreenView<ReviewQueueState>(ui, app, p) {
    private val list = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val message = ui.message()
    override val root: View = ui.scroll(ui.column(ui.title(t[Str.REVIEW_QUEUE_TITLE]), message, list))

    override fun render(s: ReviewQueueState) {
        message.show(s.message)
        list.removeAllViews()
        if (s.rows.isEmpty()) list.addView(ui.label(t[Str.REVIEW_EMPTY]))
        for (r in s.rows) {
            val b = ui.button("${r.names}\n${r.detail}") { p.open(r.sessionId) }
            if (r.urgent) b.contentDescription = "${t[Str.CD_URGENT]}. ${b.text}"
            list.addView(b)
        }
    }
}

internal class SessionReviewView(ui: Ui, app: App, private val p: SessionReviewPresenter) :
    ScreenView<SessionReviewState>(ui, app, p) {
    private val title = ui.title()
    private val details = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val notes = ui.label()
    private val reviews = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val comment = ui.privateText(t[Str.COMMENT_HINT], multiLine = true) { p.comment(it) }
    private val errors = ui.message()
    private val message = ui.message()
    private val actions = ui.row(
        ui.button(t[Str.ADD_COMMENT]) { p.addComment() },
        ui.button(t[Str.NEEDS_CHANGES]) { p.needsChanges() },
        ui.button(t[Str.APPROVE]) { p.approve() },
    )
    override val root: View = ui.scroll(
        ui.column(title, details, ui.heading(t[Str.FIELD_NOTES]), notes, reviews, comment, errors, message, actions),
    )

    override fun render(s: SessionReviewState) {
        title.text = s.title
        ui.lines(details, s.details)
        notes.text = s.notes.orEmpty()
        reviews.removeAllViews()
        for (r in s.reviews) {
            reviews.addView(ui.label(listOfNotNull(r.verdict, r.comment, r.response?.let { "→ $it" }).joinToString("\n")))
        }
        comment.sync(s.comment)
        comment.visibility = if (s.canReview) View.VISIBLE else View.GONE
        actions.visibility = if (s.canReview) View.VISIBLE else View.GONE
        errors.show(s.errors.joinToString("\n") { it.message }.ifEmpty { null })
        message.show(s.message)
    }
}

internal class RequestsView(ui: Ui, app: App, private val p: RequestsPresenter) : ScreenView<RequestsState>(ui, app, p) {
    private val list = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val message = ui.message()
    private var shown: List<String> = emptyList()
    override val root: View = ui.scroll(ui.column(ui.title(t[Str.REQUESTS_TITLE]), message, list))

    override fun render(s: RequestsState) {
        message.show(s.message)
        // Rebuild only when the requests change, not on each keystroke of an answer.
        val ids = s.rows.map { it.reviewId }
        if (ids == shown) return
        shown = ids
        list.removeAllViews()
        if (s.rows.isEmpty()) list.addView(ui.label(t[Str.REQUESTS_EMPTY]))
        for (r in s.rows) {
            list.addView(ui.heading(r.title))
            list.addView(ui.label(r.comment))
            list.addView(
                ui.privateText(t[Str.ANSWER_HINT], multiLine = true) { p.answerText(r.reviewId, it) }
                    .apply { setText(s.answers[r.reviewId].orEmpty()) },
            )
            list.addView(ui.button(t[Str.ANSWER]) { p.answer(r.reviewId) })
        }
    }
}

internal class SettingsView(ui: Ui, app: App, private val p: SettingsPresenter, scope: CoroutineScope) :
    ScreenView<SettingsState>(ui, app, p) {
    private val s0 = p.state.value
    private val about = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val licences = LinearLayout(ui.ctx).apply { orientation = LinearLayout.VERTICAL }
    private val currentPin = ui.pinField(t[Str.CURRENT_PIN]) { p.currentPin(it) }
    private val newPin = ui.pinField(t[Str.NEW_PIN]) { p.newPin(it) }
    private val confirmPin = ui.pinField(t[Str.NEW_PIN_AGAIN]) { p.confirmNewPin(it) }
    private val pinErrors = ui.message()
    private val pinMessage = ui.message()
    private val changePin = ui.button(t[Str.CHANGE_PIN]) { scope.launch { p.changePin() } }
    override val root: View = ui.scroll(
        ui.column(
            ui.title(t[Str.SETTINGS_TITLE]),
            ui.heading(t[Str.LANGUAGE]),
            ui.spinner(t[Str.LANGUAGE], s0.languages, s0.language.code) { p.language(it) },
            ui.heading(t[Str.AUTO_LOCK]),
            ui.spinner(t[Str.AUTO_LOCK], s0.autoLockChoices, s0.autoLockMinutes.toString()) { p.autoLock(it.toInt()) },
            ui.message().apply { show(s0.autoLockLimit) },
            ui.button(t[Str.LOCK_NOW]) { p.lockNow() },
            ui.heading(t[Str.CHANGE_PIN]),
            currentPin, newPin, confirmPin, pinErrors, pinMessage, changePin,
            ui.button(t[Str.TEAM_JOIN]) { app.open(Screen.JoinTeam) },
            ui.heading(t[Str.ABOUT]), about,
            ui.heading(t[Str.LICENCES]), licences,
        ),
    )

    override fun render(s: SettingsState) {
        ui.lines(about, s.about)
        ui.lines(licences, s.licences)
        if (s.currentPinDigits == 0) currentPin.sync("")
        if (s.newPinDigits == 0) newPin.sync("")
        if (s.confirmPinDigits == 0) confirmPin.sync("")
        pinErrors.show(s.pinErrors.joinToString("\n") { it.message }.ifEmpty { null })
        pinMessage.show(s.pinMessage)
        changePin.isEnabled = !s.pinBusy
    }
}

@Suppress("unused")
private fun TextView.bold() = setTypeface(typeface, android.graphics.Typeface.BOLD)
