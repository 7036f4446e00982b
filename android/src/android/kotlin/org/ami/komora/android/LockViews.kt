// The doors of the app: enrolling the tablet (or joining another team), unlocking it with its
// PIN, and opening the practice team.
package org.ami.komora.android

import android.text.InputType
import android.view.View
import android.widget.LinearLayout
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch
import org.ami.komora.ui.App
import org.ami.komora.ui.EnrolPresenter
import org.ami.komora.ui.EnrolState
import org.ami.komora.ui.FieldError
import org.ami.komora.ui.JoinPracticePresenter
import org.ami.komora.ui.JoinPracticeState
import org.ami.komora.ui.Str
import org.ami.komora.ui.UnlockPresenter
import org.ami.komora.ui.UnlockState

/** The error of [field] among a form's errors, if any. */
internal fun List<FieldError>.of(field: String): String? = firstOrNull { it.field == field }?.message

internal class EnrolView(ui: Ui, app: App, private val p: EnrolPresenter, scope: CoroutineScope) :
    ScreenView<EnrolState>(ui, app, p) {
    override val title = t[if (p.joining) Str.TEAM_JOIN else Str.ENROL_TITLE]
    override val hasBack = p.joining
    private val notice = ui.message(error = true)
    private val server = ui.field(t[Str.ENROL_SERVER], InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_URI, hint = "https://") { p.server(it) }
    private val code = ui.field(
        t[Str.ENROL_CODE],
        InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS or InputType.TYPE_TEXT_FLAG_CAP_CHARACTERS,
        hint = "XXXXX-XXXXX-XXXXX-XXXXX",
    ) { p.code(it) }
    private val pin = ui.pinField(t[if (p.joining) Str.UNLOCK_PIN else Str.ENROL_PIN]) { p.pin(it) }
    private val confirm = ui.pinField(t[Str.ENROL_PIN_AGAIN]) { p.confirmPin(it) }
    private val submit = ui.primary(t[Str.ENROL_SUBMIT]) { scope.launch { p.submit() } }
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
    } ?: View(ui.ctx).apply { visibility = View.GONE }
    private val scan = ui.button(t[Str.ENROL_SCAN]) {
        scanView.visibility = View.VISIBLE
        scanner?.start()
    }

    init {
        // Joining another team: the tablet's PIN, once (it opens every team).
        confirm.visible = !p.joining
    }

    override fun body(): View = ui.column(
        notice,
        ui.card(ui.body(t[Str.ENROL_EXPLAIN]), scan, scanView),
        ui.card(server.root, code.root, pin.root, confirm.root, gap = 16),
    )

    override fun bottom(): View = ui.bottomBar(submit)

    override fun leave() {
        scanner?.stop()
    }

    override fun render(s: EnrolState) {
        server.sync(s.server)
        code.sync(s.code)
        if (s.pinDigits == 0) pin.sync("")
        if (s.confirmDigits == 0) confirm.sync("")
        server.error(s.errors.of("server"))
        code.error(s.errors.of("code"))
        pin.error(s.errors.of("pin"))
        confirm.error(s.errors.of("confirm"))
        notice.show(s.message)
        submit.isEnabled = !s.busy
        submit.text = if (s.busy) t[Str.ENROLLING] else t[Str.ENROL_SUBMIT]
    }
}

internal class UnlockView(ui: Ui, app: App, private val p: UnlockPresenter, scope: CoroutineScope) :
    ScreenView<UnlockState>(ui, app, p) {
    override val title = t[Str.APP_NAME]
    override val hasBack = false
    private val pin = ui.pinField(t[Str.UNLOCK_PIN]) { p.pin(it) }
    private val message = ui.message(error = true)
    private val submit = ui.primary(t[Str.UNLOCK_TITLE]) { scope.launch { p.submit() } }
    private var countingDown = false

    override fun body(): View = ui.column(
        ui.card(ui.strong(t[Str.UNLOCK_PROMPT], 20f), pin.root, message, submit, gap = 16),
    )

    override fun render(s: UnlockState) {
        if (s.pinDigits == 0) pin.sync("")
        pin.input.contentDescription = null
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

internal class JoinPracticeView(ui: Ui, app: App, private val p: JoinPracticePresenter, scope: CoroutineScope) :
    ScreenView<JoinPracticeState>(ui, app, p) {
    override val title = t[Str.PRACTICE_TEAM]
    private val pin = ui.pinField(t[Str.PIN_FOR_PRACTICE]) { p.pin(it) }
    private val message = ui.message(error = true)
    private val submit = ui.primary(t[Str.PRACTICE_JOIN]) { scope.launch { p.submit() } }

    override fun body(): View = ui.column(
        ui.card(ui.body(t[Str.PRACTICE_EXPLAIN]), pin.root, message, gap = 16),
    )

    override fun bottom(): View = ui.bottomBar(submit)

    override fun render(s: JoinPracticeState) {
        if (s.pinDigits == 0) pin.sync("")
        pin.error(s.errors.of("pin"))
        message.show(s.message)
        submit.isEnabled = !s.busy
    }
}
