// The settings, and the donors' figures (a data officer's home screen).
package org.ami.komora.android

import android.view.View
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch
import org.ami.komora.ui.App
import org.ami.komora.ui.FiguresPresenter
import org.ami.komora.ui.FiguresState
import org.ami.komora.ui.Screen
import org.ami.komora.ui.SettingsPresenter
import org.ami.komora.ui.SettingsState
import org.ami.komora.ui.Str

internal class SettingsView(ui: Ui, app: App, private val p: SettingsPresenter, scope: CoroutineScope) :
    ScreenView<SettingsState>(ui, app, p) {
    private val s0 = p.state.value
    override val title = t[Str.SETTINGS_TITLE]
    private val about = ui.stack()
    private val licences = ui.stack()
    private val language = ui.choices(t[Str.LANGUAGE], s0.languages, s0.language.code) { p.language(it) }
    private val autoLock = ui.choices(t[Str.AUTO_LOCK], s0.autoLockChoices, s0.autoLockMinutes.toString()) { p.autoLock(it.toInt()) }
    private val limit = ui.secondary()
    private val currentPin = ui.pinField(t[Str.CURRENT_PIN]) { p.currentPin(it) }
    private val newPin = ui.pinField(t[Str.NEW_PIN]) { p.newPin(it) }
    private val confirmPin = ui.pinField(t[Str.NEW_PIN_AGAIN]) { p.confirmNewPin(it) }
    private val pinMessage = ui.message()
    private val changePin = ui.button(t[Str.CHANGE_PIN]) { scope.launch { p.changePin() } }
    private val practice = ui.rowCard(ui.strong(t[Str.PRACTICE_JOIN]), Tone.WARNING) { app.open(Screen.JoinPractice) }
    private val handBackMessage = ui.message()
    private val handBack = ui.button(t[Str.HAND_BACK], Rank.DESTRUCTIVE) { scope.launch { p.handBack() } }
    private val handBackCard = ui.card(handBack, handBackMessage)
    private val tablets = ui.stack()
    private val tabletsMessage = ui.message()
    private val backupWarning = ui.message(error = true)
    private val showTablets = ui.button(t[Str.TABLETS_SHOW]) { scope.launch { p.showTablets() } }
    private val tabletsCard = ui.card(ui.heading(t[Str.TABLETS_TITLE]), backupWarning, tabletsMessage, tablets, showTablets)

    override fun body(): View = ui.column(
        ui.card(language.root),
        ui.card(autoLock.root, limit),
        ui.card(
            ui.heading(t[Str.SECTION_SECURITY]),
            ui.button(t[Str.LOCK_NOW]) { p.lockNow() },
            ui.strong(t[Str.CHANGE_PIN], 17f),
            currentPin.root, newPin.root, confirmPin.root, pinMessage, changePin,
            gap = 14,
        ),
        ui.heading(t[Str.SECTION_TEAMS]),
        ui.rowCard(ui.strong(t[Str.TEAM_JOIN]), null) { app.open(Screen.JoinTeam) },
        practice,
        tabletsCard,
        handBackCard,
        ui.card(ui.heading(t[Str.ABOUT]), about),
        ui.card(ui.heading(t[Str.LICENCES]), licences),
    )

    override fun render(s: SettingsState) {
        language.select(s.language.code)
        autoLock.select(s.autoLockMinutes.toString())
        limit.show(s.autoLockLimit)
        ui.lines(about, s.about)
        ui.lines(licences, s.licences)
        if (s.currentPinDigits == 0) currentPin.sync("")
        if (s.newPinDigits == 0) newPin.sync("")
        if (s.confirmPinDigits == 0) confirmPin.sync("")
        currentPin.error(s.pinErrors.of("currentPin"))
        newPin.error(s.pinErrors.of("newPin"))
        confirmPin.error(s.pinErrors.of("confirmPin"))
        pinMessage.show(s.pinMessage)
        changePin.isEnabled = !s.pinBusy
        practice.shown = !app.hasPractice && app.isUnlocked
        // Handing back asks first (the presenter's second tap), then says what it did.
        handBackCard.shown = s.canHandBack
        handBack.isEnabled = !s.handBackBusy
        handBackMessage.show(s.handBackMessage)
        tabletsCard.shown = s.canSeeTablets
        showTablets.isEnabled = !s.tabletsBusy
        // A backup that failed, is too old or was never scheduled reads as a warning.
        backupWarning.show(s.tabletsMessage.takeIf { s.backupNeedsAttention })
        tabletsMessage.show(s.tabletsMessage.takeIf { !s.backupNeedsAttention })
        tablets.removeAllViews()
        for (line in s.tablets) {
            // A tablet to act on (silent, handed back, unread changes) carries a warning chip.
            ui.add(tablets, ui.stack().apply {
                addView(if (line.attention) ui.chip(line.title, Tone.WARNING) else ui.strong(line.title, 16f))
                addView(ui.secondary(line.detail))
                addView(ui.secondary(line.id))
            }, 10)
        }
    }
}

/** The donors' figures: a period, the figures as a list, sharing the CSV (anonymous). */
internal class FiguresView(ui: Ui, app: App, private val p: FiguresPresenter, scope: CoroutineScope) :
    ScreenView<FiguresState>(ui, app, p) {
    override val title = t[Str.FIGURES_TITLE]
    /** On a data officer's tablet the figures are the home screen. */
    private val home = app.screen.value.size <= 1
    override val hasBack = !home
    override fun actions() = if (home) listOf(lockAction()) else emptyList()
    private val period = ui.choices(t[Str.PERIOD], p.state.value.periods, p.state.value.period) { id ->
        p.choose(id)
        scope.launch { p.load() }
    }
    private val range = ui.secondary()
    private val message = ui.message()
    private val list = ui.stack()
    private val syncButton = ui.button(t[Str.SYNC_NOW]) { scope.launch { p.sync() } }
    private val share = ui.primary(t[Str.FIGURES_SHARE]) {
        val send = android.content.Intent(android.content.Intent.ACTION_SEND).apply {
            type = "text/csv"
            putExtra(android.content.Intent.EXTRA_SUBJECT, t[Str.FIGURES_TITLE])
            putExtra(android.content.Intent.EXTRA_TEXT, p.state.value.csv)
        }
        ui.ctx.startActivity(android.content.Intent.createChooser(send, t[Str.FIGURES_SHARE]))
    }

    init {
        scope.launch {
            p.load()
            if (home) p.resumeStoppedSync()
        }
    }

    override fun body(): View = ui.column(
        ui.card(period.root, range),
        message,
        list,
        ui.secondary(t[Str.FIGURES_SMALL]),
        syncButton,
        if (home) ui.rowCard(ui.strong(t[Str.SETTINGS_TITLE]), null) { app.open(Screen.Settings) } else null,
    )

    override fun bottom(): View = ui.bottomBar(share)

    override fun render(s: FiguresState) {
        range.show(s.range.ifEmpty { null })
        message.show(s.message)
        syncButton.isEnabled = !s.syncing
        share.isEnabled = s.csv.isNotEmpty() && !s.busy
        list.removeAllViews()
        if (s.rows.isEmpty() && !s.busy) ui.add(list, ui.emptyState(t[Str.FIGURES_NONE], null))
        // One card per figure, its lines under it.
        for ((label, rows) in s.rows.groupBy { it.label }) {
            val card = ui.card(ui.strong(label, 17f))
            // The total first, then its parts.
            for (r in rows.sortedBy { it.detail != t[Str.DIM_ALL] }) {
                ui.add(card, android.widget.LinearLayout(ui.ctx).apply {
                    orientation = android.widget.LinearLayout.HORIZONTAL
                    addView(ui.body(r.detail), android.widget.LinearLayout.LayoutParams(0, android.widget.LinearLayout.LayoutParams.WRAP_CONTENT, 1f))
                    addView(ui.strong(r.count, 17f))
                }, 6)
            }
            ui.add(list, card, 8)
        }
    }
}
