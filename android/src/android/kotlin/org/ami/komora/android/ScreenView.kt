// One view per screen: widgets built once, `render` draws the presenter's state, widget events
// call the presenter. No logic here beyond layout: it lives in the presenters, tested on the JVM.
package org.ami.komora.android

import android.view.View
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch
import org.ami.komora.ui.App
import org.ami.komora.ui.CaseloadPresenter
import org.ami.komora.ui.ClientExportPresenter
import org.ami.komora.ui.ClientFilePresenter
import org.ami.komora.ui.ClientFormPresenter
import org.ami.komora.ui.EnrolPresenter
import org.ami.komora.ui.FiguresPresenter
import org.ami.komora.ui.GroupFormPresenter
import org.ami.komora.ui.GroupPresenter
import org.ami.komora.ui.GroupsPresenter
import org.ami.komora.ui.JoinPracticePresenter
import org.ami.komora.ui.LinkHouseholdPresenter
import org.ami.komora.ui.MeasurePresenter
import org.ami.komora.ui.Presenter
import org.ami.komora.ui.RequestsPresenter
import org.ami.komora.ui.ReviewQueuePresenter
import org.ami.komora.ui.Screen
import org.ami.komora.ui.SessionFormPresenter
import org.ami.komora.ui.SessionReviewPresenter
import org.ami.komora.ui.SettingsPresenter
import org.ami.komora.ui.Str
import org.ami.komora.ui.UnlockPresenter

/**
 * A screen: its app bar (title, back, actions), the practice banner when the practice team is
 * shown, its content and its bottom bar. Subclasses build their widgets in their constructor
 * and say what goes where; [render] draws every state the presenter publishes.
 */
internal abstract class ScreenView<S>(protected val ui: Ui, protected val app: App, val presenter: Presenter<S>) {
    protected val t get() = app.texts

    /** The app bar's title: never a person's name (it is read aloud and shown to passers-by). */
    abstract val title: String

    /** Whether the app bar offers back (not on the home screens and the lock screens). */
    open val hasBack: Boolean = true

    /** The app bar's actions (Lock on the home screens). */
    open fun actions(): List<Pair<String, () -> Unit>> = emptyList()

    abstract fun body(): View

    /** The bar at the bottom (a form's Save): null, none. */
    open fun bottom(): View? = null

    /** Said on every screen while what she typed cannot be kept on the tablet (`DraftKeeper.notKept`). */
    private val notKept = ui.message(error = true)

    val root: View by lazy {
        ui.screen(
            ui.appBar(title, t[Str.CD_BACK], if (hasBack) ({ app.back() }) else null, actions()),
            ui.stack().apply {
                if (app.isPractice) addView(ui.practiceBanner(t[Str.PRACTICE_BANNER]))
                addView(notKept)
            },
            body(),
            bottom(),
        )
    }

    abstract fun render(s: S)

    /** The screen goes (another one opens, or the app locks): let go of what it holds. */
    open fun leave() = Unit

    /** Draw every state the presenter publishes, on the main thread, until the screen goes. */
    fun bind(scope: CoroutineScope): Job = scope.launch {
        launch { app.drafts.notKept.collect { notKept.show(it) } }
        presenter.state.collect { render(it) }
    }

    /** The Lock action of the home screens. */
    protected fun lockAction(): Pair<String, () -> Unit> = t[Str.LOCK_NOW] to { app.lock() }
}

/** A new presenter for [screen] (its state read fresh from the core). */
internal fun presenterFor(screen: Screen, app: App): Presenter<*> = when (screen) {
    Screen.Enrol -> EnrolPresenter(app)
    Screen.Unlock -> UnlockPresenter(app)
    Screen.Caseload -> CaseloadPresenter(app)
    is Screen.ClientFile -> ClientFilePresenter(app, screen.clientId)
    is Screen.ClientForm -> ClientFormPresenter(app, screen.clientId)
    is Screen.SessionForm -> SessionFormPresenter(app, screen.caseId)
    is Screen.Measure -> MeasurePresenter(app, screen.clientId, screen.instrument, screen.caseId, screen.sessionId)
    Screen.Groups -> GroupsPresenter(app)
    is Screen.Group -> GroupPresenter(app, screen.groupId)
    Screen.NewGroup -> GroupFormPresenter(app)
    Screen.ReviewQueue -> ReviewQueuePresenter(app)
    is Screen.SessionReview -> SessionReviewPresenter(app, screen.sessionId)
    Screen.Requests -> RequestsPresenter(app)
    Screen.Settings -> SettingsPresenter(app)
    Screen.Figures -> FiguresPresenter(app)
    Screen.JoinTeam -> EnrolPresenter(app, joining = true)
    is Screen.LinkHousehold -> LinkHouseholdPresenter(app, screen.clientId)
    Screen.JoinPractice -> JoinPracticePresenter(app)
    is Screen.ClientExport -> ClientExportPresenter(app, screen.clientId)
}

/** The view of a screen over its presenter. */
internal fun viewFor(p: Presenter<*>, ui: Ui, app: App, scope: CoroutineScope): ScreenView<*> = when (p) {
    is EnrolPresenter -> EnrolView(ui, app, p, scope)
    is UnlockPresenter -> UnlockView(ui, app, p, scope)
    is CaseloadPresenter -> CaseloadView(ui, app, p, scope)
    is ClientFilePresenter -> ClientFileView(ui, app, p)
    is ClientFormPresenter -> ClientFormView(ui, app, p)
    is SessionFormPresenter -> SessionFormView(ui, app, p)
    is MeasurePresenter -> MeasureView(ui, app, p)
    is GroupsPresenter -> GroupsView(ui, app, p)
    is GroupPresenter -> GroupView(ui, app, p)
    is GroupFormPresenter -> GroupFormView(ui, app, p)
    is ReviewQueuePresenter -> ReviewQueueView(ui, app, p)
    is SessionReviewPresenter -> SessionReviewView(ui, app, p)
    is RequestsPresenter -> RequestsView(ui, app, p)
    is SettingsPresenter -> SettingsView(ui, app, p, scope)
    is FiguresPresenter -> FiguresView(ui, app, p, scope)
    is LinkHouseholdPresenter -> LinkHouseholdView(ui, app, p)
    is JoinPracticePresenter -> JoinPracticeView(ui, app, p, scope)
    is ClientExportPresenter -> ClientExportView(ui, app, p)
    else -> error("no view for ${p.javaClass.simpleName}")
}
