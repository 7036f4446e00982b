// A walk through every screen of the app, the way its people reach them: a counsellor enrols
// her tablet and works her caseload, her supervisor reviews on his, the data officer counts on
// hers, a practice team, a revoked tablet. At each screen, `at(name)` lets the caller look
// (the checks, the pictures). Driven through the real views, in whichever language is set.
package org.ami.komora.android

import java.io.File
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.createVault
import org.ami.komora.ui.App
import org.ami.komora.ui.FilePreferences
import org.ami.komora.ui.Language
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str

/** Every screen the tour stops at, in order (docs/SCREENS.md shows them in this order). */
val TOUR_STOPS = listOf(
    "enrol", "enrol-mistakes", "caseload-empty", "caseload", "caseload-search", "client-form",
    "client-form-mistakes", "client-form-place", "picker", "client-file", "confirm", "link-household",
    "session-form", "date-picker", "measure", "measure-result", "measure-draft", "session-draft", "caseload-drafts", "groups", "new-group", "group",
    "requests", "settings", "join-team", "practice-join", "practice-caseload", "unlock",
    "review-queue", "session-review", "client-export", "client-export-saved", "figures", "unlock-wait", "revoked",
)

class Tour(private val d: Device, private val dir: File, private val language: Language, private val at: (String, (() -> Unit)?) -> Unit) {
    private val app: App get() = d.app
    private val t get() = app.texts

    fun run() {
        Team(File(dir, "team")).use { team ->
            // Jean's tablet speaks the tour's language too (his screens are photographed).
            team.jean.app.setLanguage(language)
            app.setLanguage(language)
            d.launch()
            stop("enrol")

            // (An address of the organisation's kind: the test server's port changes every run.)
            d.type(t[Str.ENROL_SERVER], "https://komora.ami.example")
            d.type(t[Str.ENROL_PIN], "2468")
            d.type(t[Str.ENROL_PIN_AGAIN], "2469")
            d.tap(t[Str.ENROL_SUBMIT])
            stop("enrol-mistakes")

            d.enrol(team.server.url, team.code())
            stop("caseload-empty")

            val people = app.claudinesCaseload()
            // A request from Jean: he reads her first session with Diane and asks for more.
            d.syncNow()
            team.jean.sync()
            val queue = team.jean.app.vault().reviewQueue()
            val dianesSession = queue.first { it.clientIds.contains(people.id("Uwase Diane")) }
            team.jean.app.vault().addReview(dianesSession.sessionId, "needs-changes", "Write down what she agreed to try before next week.")
            team.jean.sync()
            d.syncNow()
            stop("caseload")

            d.type(t[Str.SEARCH_HINT], "muk")
            stop("caseload-search")
            d.type(t[Str.SEARCH_HINT], "")

            d.tap(t[Str.NEW_CLIENT])
            stop("client-form")
            d.type(t[Str.FIELD_NAME], "Uwimana Hélène")
            d.type(t[Str.FIELD_BIRTH_YEAR], "2013")
            d.tap(t[Str.SAVE])
            stop("client-form-mistakes")
            d.tap(t[Str.AGE_INSTEAD])
            d.type(t[Str.FIELD_AGE], "34")
            d.pick(t[Str.FIELD_DISTRICT], "Huye")
            d.pick(t[Str.FIELD_SECTOR], "Tumba")
            stop("client-form-place")
            val openCells = {
                d.openPicker(t[Str.FIELD_CELL])
                d.type(t[Str.SEARCH_LIST], "ma")
                Unit
            }
            openCells()
            stop("picker", openCells)
            d.back()
            d.back()

            app.open(Screen.ClientFile(people.id("Mukamana Odette")))
            d.settle()
            stop("client-file")
            val withdraw = { d.tapStarting(t[Str.WITHDRAW_CONSENT]); Unit }
            withdraw()
            stop("confirm", withdraw)
            d.tap(t[Str.KEEP])
            d.tap(t[Str.LINK_HOUSEHOLD])
            d.type(t[Str.LINK_FIND], "ing")
            d.tap("Ingabire Grace")
            stop("link-household")
            d.back()

            d.tap(t[Str.RECORD_SESSION] + ": " + t.term("trauma"))
            d.tap(t.term("home-visit"))
            check(d.isChecked(t.term("home-visit"))) { "home visit not checked" }
            d.type(t[Str.FIELD_NOTES], "She slept better this week. Her son came with her to the market.")
            d.tap(t.term("supportive-counselling"))
            check(d.isChecked(t.term("supportive-counselling"))) { "not checked" }
            d.type(t[Str.FIELD_HOUSEHOLD_PRESENT], "her son")
            d.pick(t[Str.GIVE_MEASURE], org.ami.komora.ui.Lists.instrumentName("phq-9"))
            check(d.isChecked(t.term("home-visit"))) { "home visit not checked at the stop" }
            stop("session-form")
            val calendar = { d.openPicker(t[Str.FIELD_NEXT_APPOINTMENT]); Unit }
            calendar()
            stop("date-picker", calendar)
            d.back()
            d.tap(t[Str.SAVE])
            val phq = org.ami.komora.ui.Lists.instruments.first { it.id == "phq-9" }
            val sometimes = phq.options[1].let { t.pick(it.en, it.fr, it.rw) }
            repeat(2) { d.tap(sometimes) }
            stop("measure")
            repeat(7) { d.tap(sometimes) }
            stop("measure-result")
            d.tap(t[Str.DONE])

            // The SRQ-20, whose English introduction is not yet checked against its source:
            // the draft mark under its text.
            d.pick(t[Str.FIELD_INSTRUMENT], org.ami.komora.ui.Lists.instrumentName("srq-20"))
            d.tap(t[Str.GIVE_MEASURE])
            stop("measure-draft")
            d.back()

            // A note begun, then the tablet locked in her pocket: the draft comes back.
            d.tap(t[Str.RECORD_SESSION] + ": " + t.term("trauma"))
            d.type(t[Str.FIELD_NOTES], "Her husband was at home; we spoke outside. She asked about")
            d.leave()
            d.comeBack()
            d.unlock()
            stop("caseload-drafts")
            d.tap(t[Str.DRAFT_CONTINUE])
            stop("session-draft")
            d.back()
            d.back()
            d.back()

            app.open(Screen.Groups)
            d.settle()
            d.tap(t[Str.NEW_GROUP])
            d.type(t[Str.GROUP_NAME], "Ruheru")
            d.type(t[Str.GROUP_FACILITATOR_1], "Claudine")
            d.type(t[Str.GROUP_FACILITATOR_2], "Jean")
            d.type(t[Str.GROUP_FIND_MEMBER], "a")
            for (name in listOf("Mukamana Odette", "Uwase Diane", "Ingabire Grace", "Nyirahabimana Claire")) d.tapStarting(name)
            stop("new-group")
            d.tap(t[Str.SAVE])
            d.tap(t[Str.GROUP_START_TODAY])
            d.tap("Mukamana Odette")
            d.tap("Uwase Diane")
            stop("group")
            d.back()
            stop("groups")
            d.back()

            app.open(Screen.Requests)
            d.settle()
            stop("requests")
            d.back()

            app.open(Screen.Settings)
            d.settle()
            stop("settings")
            d.tap(t[Str.TEAM_JOIN])
            stop("join-team")
            d.back()
            d.tap(t[Str.PRACTICE_JOIN])
            stop("practice-join")
            d.type(t[Str.PIN_FOR_PRACTICE], PIN)
            d.tap(t[Str.PRACTICE_JOIN])
            d.waitFor("the practice team") { app.isPractice }
            stop("practice-caseload")
            app.lock()
            d.settle()
            stop("unlock")

            // Jean's tablet: the queue, and her home visit first in it.
            team.jean.app.lock()
            d.destroy()
            val jean = team.jean.app
            runBlocking { jean.unlockAll(org.ami.komora.ui.TABLET_PIN) }
            d.application.become(jean)
            d.launch()
            d.tap(t[Str.REVIEW_QUEUE_TITLE])
            stop("review-queue")
            d.tapStarting("Mukamana Odette")
            d.type(t[Str.COMMENT_HINT], "Good safety plan. Ask her about the anniversary next time.")
            stop("session-review")

            // Odette asks for her file: Jean reads its notes, includes the home visit's, and
            // saves the page and the data on the USB stick he picks.
            jean.open(Screen.ClientFile(people.id("Mukamana Odette")))
            d.settle()
            d.tap(t[Str.EXPORT_ENTRY])
            val notes = d.views().first { (it as? android.widget.TextView)?.text?.toString() == "She spoke about the anniversary; her son listened." }
            val include = d.views(notes.parent as android.view.View).first { it is android.widget.RadioButton && it.text.toString() == t[Str.EXPORT_INCLUDE] }
            d.tap(include, "include the home visit's notes")
            stop("client-export")
            d.tap(t[Str.EXPORT_SAVE])
            for (doc in listOf("page", "data")) {
                val at = android.net.Uri.parse("content://com.android.externalstorage.documents/document/usb%3A$doc")
                org.robolectric.Shadows.shadowOf(d.activity.contentResolver).registerOutputStream(at, java.io.ByteArrayOutputStream())
                d.answerDocumentPicker(at)
            }
            check(d.shows(t[Str.EXPORT_SAVED])) { "not saved: ${d.visibleText()}" }
            stop("client-export-saved")
            d.destroy()

            // Diane's tablet, a data officer's: the figures and nothing else.
            reopen(jean)
            val diane = team.tablet(File(dir, "diane"), "data_officer")
            diane.app.setLanguage(language)
            diane.sync()
            d.application.become(diane.app)
            d.launch()
            d.waitFor("the figures") { d.shows(t[Str.FIG_SESSIONS]) && d.find(t[Str.FIGURES_SHARE]).isEnabled }
            stop("figures")
            d.destroy()

            // A lost tablet: five wrong PINs make it wait...
            val lost = lostTablet()
            d.application.become(lost)
            d.launch()
            val unlockButton = { d.views().first { it.tag == Rank.PRIMARY } as android.widget.Button }
            var tries = 0
            while (unlockButton().isEnabled && tries < 8) {
                d.type(t[Str.UNLOCK_PIN], "000000")
                d.tap(unlockButton(), "unlock")
                d.waitFor("the refusal") { d.find(t[Str.UNLOCK_PIN]).let { (it as android.widget.EditText).text.isEmpty() } }
                tries++
            }
            check(!unlockButton().isEnabled) { "no wait after $tries wrong PINs" }
            stop("unlock-wait")
            d.destroy()

            // ...and an administrator revokes Claudine's: it erases itself at its next contact.
            d.application.killProcess()
            app.setLanguage(language)
            d.launch()
            d.unlock()
            val claudineId = app.vault().deviceId()
            reopen(jean)
            runBlocking { jean.vault().revokeDevice(claudineId) }
            d.tap(t[Str.SYNC_NOW])
            d.waitFor("the revocation") { app.current == Screen.Enrol }
            stop("revoked")
        }
    }

    /** Another tablet's app, unlocked again after its screens were shown (and left) here. */
    private fun reopen(other: App) {
        other.foregrounded()
        runBlocking { other.unlockAll(PIN) }
    }

    /** A tablet of its own, locked, for the lock-out's countdown. */
    private fun lostTablet(): App {
        val dir = File(dir, "lost")
        val a = App(File(dir, "vault"), FilePreferences(File(dir, "settings.properties")).also { it.language = language }, clock = { TestApplication.testClock.nowMs }, kdf = KdfStrength.INSECURE_FOR_TESTS)
        val v = runBlocking { createVault(a.vaultDir.path, PIN, KdfStrength.INSECURE_FOR_TESTS, null) }
        v.lock()
        v.close()
        return App(File(dir, "vault"), FilePreferences(File(dir, "settings.properties")), clock = { TestApplication.testClock.nowMs }, kdf = KdfStrength.INSECURE_FOR_TESTS)
    }

    /** A screen to look at; [reopen] opens its dialog again after the screen was redrawn. */
    private fun stop(name: String, reopen: (() -> Unit)? = null) {
        check(name in TOUR_STOPS) { "not a stop of the tour: $name" }
        d.settle()
        at(name, reopen)
    }
}
