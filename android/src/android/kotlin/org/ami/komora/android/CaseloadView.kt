// The counsellor's home: drafts to finish, the sync line, search, her cases as cards with the
// risk and what is due visible at a glance, and the way to everything else.
package org.ami.komora.android

import android.view.View
import android.widget.LinearLayout
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch
import org.ami.komora.ui.App
import org.ami.komora.ui.CaseRow
import org.ami.komora.ui.CaseloadPresenter
import org.ami.komora.ui.CaseloadState
import org.ami.komora.ui.ClientRow
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str

/** The tone of a case's risk: red when urgent or high, amber when medium. */
internal fun riskTone(level: String, urgent: Boolean): Tone = when {
    urgent || level == "high" -> Tone.DANGER
    level == "medium" -> Tone.WARNING
    else -> Tone.GOOD
}

internal class CaseloadView(ui: Ui, app: App, private val p: CaseloadPresenter, scope: CoroutineScope) :
    ScreenView<CaseloadState>(ui, app, p) {
    override val title = t[Str.CASELOAD_TITLE]
    override val hasBack = false
    override fun actions() = listOf(lockAction())

    private val teamPicker = ui.picker(t[Str.TEAM_LABEL], p.state.value.teams, p.state.value.team) { id ->
        if (id != p.state.value.team) p.switchTeam(id)
    }
    private val clockWrong = ui.message(error = true)
    private val clockRight = ui.button(t[Str.CLOCK_IS_RIGHT], Rank.TEXT) {
        ui.confirm(p.state.value.clockConfirm, t[Str.CLOCK_IS_RIGHT], t[Str.CANCEL]) { p.dateIsRight() }
    }
    /** Android's own Date & time settings, where the date is set (not Komora's settings). */
    private val clockSet = ui.button(t[Str.CLOCK_OPEN_SETTINGS], Rank.SECONDARY) {
        val open = android.content.Intent(android.provider.Settings.ACTION_DATE_SETTINGS)
            .addFlags(android.content.Intent.FLAG_ACTIVITY_NEW_TASK)
        // A tablet without that screen (a locked-down kiosk build): the warning's words say where.
        runCatching { ui.ctx.startActivity(open) }
    }
    private val clockCard = ui.card(clockWrong, clockSet, clockRight)
    /** Two tablets claim the same changes: one warning per pair (administrators, supervisors). */
    private val contested = ui.stack()
    private val contestedCard = ui.card(contested)
    private var shownContested: List<String>? = null
    private val drafts = ui.stack()
    private val draftsCard = ui.card(ui.heading(t[Str.DRAFTS_TITLE]), drafts)
    private val syncLine = ui.secondary()
    private val progress = ui.message()
    private val message = ui.message(error = true)
    private val syncButton = ui.button(t[Str.SYNC_NOW]) { scope.launch { p.sync() } }
    private val search = ui.privateText(t[Str.SEARCH_HINT]) { p.type(it) }
    private val results = ui.stack()
    private val highRisk = ui.check(t[Str.FILTER_HIGH_RISK]) { p.filter(p.state.value.filters.copy(highRiskOnly = it)) }
    private val due = ui.check(t[Str.FOLLOW_UP_DUE]) { p.filter(p.state.value.filters.copy(followUpDueOnly = it)) }
    private val status = ui.picker(t[Str.FIELD_STATUS], p.state.value.statusChoices, "") { id ->
        p.filter(p.state.value.filters.copy(status = id.ifEmpty { null }))
    }
    private val cases = ui.stack()
    private val reviewRow = ui.rowCard(ui.strong(t[Str.REVIEW_QUEUE_TITLE]), null) { app.open(Screen.ReviewQueue) }
    private val figuresRow = ui.rowCard(ui.strong(t[Str.FIGURES_TITLE]), null) { app.open(Screen.Figures) }
    private var shownCases: List<CaseRow>? = null

    init {
        // A sync the unlock stopped (it went on behind the lock) goes on (ADR 0028).
        scope.launch { p.resumeStoppedSync() }
    }
    /** What the results list shows (whether a query was typed, and what it found). */
    private var shownResults: Pair<Boolean, List<ClientRow>>? = null

    override fun body(): View = ui.column(
        clockCard,
        contestedCard,
        teamPicker.root,
        ui.card(
            android.widget.LinearLayout(ui.ctx).apply {
                orientation = android.widget.LinearLayout.HORIZONTAL
                gravity = android.view.Gravity.CENTER_VERTICAL
                addView(syncLine, android.widget.LinearLayout.LayoutParams(0, android.widget.LinearLayout.LayoutParams.WRAP_CONTENT, 1f))
                addView(syncButton, android.widget.LinearLayout.LayoutParams(android.widget.LinearLayout.LayoutParams.WRAP_CONTENT, android.widget.LinearLayout.LayoutParams.WRAP_CONTENT).apply { marginStart = ui.dp(12) })
            },
            progress, message,
        ).apply { setPadding(ui.dp(16), ui.dp(8), ui.dp(12), ui.dp(8)) },
        draftsCard,
        search.root,
        results,
        ui.flow(highRisk, due),
        status.root,
        cases,
        ui.heading(t[Str.GO_TO]),
        ui.rowCard(ui.strong(t[Str.GROUPS_TITLE]), null) { app.open(Screen.Groups) },
        ui.rowCard(ui.strong(t[Str.REQUESTS_TITLE]), null) { app.open(Screen.Requests) },
        reviewRow,
        figuresRow,
        ui.rowCard(ui.strong(t[Str.SETTINGS_TITLE]), null) { app.open(Screen.Settings) },
    )

    override fun bottom(): View = ui.bottomBar(ui.primary(t[Str.NEW_CLIENT]) { app.open(Screen.ClientForm(null)) })

    override fun render(s: CaseloadState) {
        clockCard.shown = s.clockWrong != null
        clockWrong.show(s.clockWrong)
        contestedCard.shown = s.contested.isNotEmpty()
        if (s.contested != shownContested) {
            shownContested = s.contested
            contested.removeAllViews()
            for (line in s.contested) ui.add(contested, ui.message(error = true).apply { show(line) }, 8)
        }
        teamPicker.set(s.teams, s.team, "")
        teamPicker.visible = s.teams.size > 1
        syncLine.text = s.syncLine
        syncButton.shown = !s.practice
        syncButton.isEnabled = !s.syncing
        // The screen stays on while a sync runs: a screen going off locks the app (and stops
        // the sync) at once, and a first sync over 2G takes minutes. The app's own idle lock
        // still applies.
        syncButton.keepScreenOn = s.syncing
        syncButton.contentDescription = if (s.syncing) t[Str.CD_SYNCING] else null
        progress.show(s.syncProgress)
        message.show(s.message)
        reviewRow.shown = s.reviews
        figuresRow.shown = s.reviews
        status.set(s.statusChoices, s.filters.status ?: "", t[Str.STATUS_ALL])
        renderDrafts(s)
        if ((s.query.isNotBlank() to s.results) != shownResults) renderResults(s)
        if (s.cases != shownCases) renderCases(s)
    }

    private fun renderDrafts(s: CaseloadState) {
        draftsCard.shown = s.drafts.isNotEmpty()
        drafts.removeAllViews()
        for (d in s.drafts) {
            ui.add(drafts, ui.stack().apply {
                addView(ui.strong(d.title, 17f))
                addView(ui.secondary(d.detail))
                addView(ui.flow(
                    ui.button(t[Str.DRAFT_CONTINUE]) { p.continueDraft(d.slot) },
                    ui.button(t[Str.DRAFT_DISCARD], Rank.TEXT) {
                        ui.confirm(t[Str.DRAFT_DISCARD_CONFIRM], t[Str.DRAFT_DISCARD], t[Str.KEEP]) { p.discardDraft(d.slot) }
                    },
                ).apply { setPadding(0, ui.dp(8), 0, 0) })
            })
        }
    }

    private fun renderResults(s: CaseloadState) {
        shownResults = s.query.isNotBlank() to s.results
        results.removeAllViews()
        if (s.query.isNotBlank() && s.results.isEmpty()) ui.add(results, ui.secondary(t[Str.NO_RESULTS]))
        for (r in s.results) {
            ui.add(results, ui.rowCard(ui.stack().apply {
                addView(ui.strong(r.name))
                addView(ui.secondary(r.detail))
            }, null) { p.openClient(r.clientId) }, 8)
        }
    }

    private fun renderCases(s: CaseloadState) {
        shownCases = s.cases
        cases.removeAllViews()
        if (s.cases.isEmpty()) {
            if (s.filtered) ui.add(cases, ui.emptyState(t[Str.EMPTY_FILTERED], null))
            else ui.add(cases, ui.emptyState(t[Str.EMPTY_CASELOAD_TITLE], t[Str.EMPTY_CASELOAD]))
        }
        for (c in s.cases) {
            val tone = riskTone(c.riskLevel, c.urgent)
            val chips = listOfNotNull(
                ui.chip(c.status, Tone.NEUTRAL),
                ui.chip(c.risk, tone),
                if (c.followUpDue) ui.chip(t[Str.FOLLOW_UP_DUE], Tone.INFO) else null,
            )
            val content = ui.stack().apply {
                addView(ui.strong(c.names))
                if (c.detail.isNotEmpty()) addView(ui.secondary(c.detail))
                addView(ui.flow(*chips.toTypedArray()).apply { setPadding(0, ui.dp(6), 0, 0) }, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT))
            }
            val row = ui.rowCard(content, if (c.urgent || c.riskLevel == "high") Tone.DANGER else null) { c.clientId?.let { p.openClient(it) } }
            if (c.urgent) row.contentDescription = "${t[Str.CD_URGENT]}. ${c.names}. ${c.status}, ${c.risk}. ${c.detail}"
            ui.add(cases, row, 8)
        }
    }
}
