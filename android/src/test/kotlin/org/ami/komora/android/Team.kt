// What the Android-layer scenarios stand on: a real sync server, the supervisor's tablet (Jean,
// also the administrator), the people Claudine counsels, and the fixed morning every screen is
// seen on. Nothing is mocked: the core, SQLite, the server and the framework are the real ones.
package org.ami.komora.android

import android.content.pm.ActivityInfo
import java.io.File
import java.time.Instant
import kotlinx.coroutines.runBlocking
import org.ami.komora.RunningServer
import org.ami.komora.core.NewCase
import org.ami.komora.core.NewConsent
import org.ami.komora.core.NewReferral
import org.ami.komora.core.NewSession
import org.ami.komora.core.setClockForTests
import org.ami.komora.ui.App
import org.ami.komora.ui.ClientFormPresenter
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Tablet
import org.ami.komora.ui.TestClock
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf

/** Tuesday 1 December 2026, 09:00 in Kigali: every date on the screens is read from it. */
val MORNING_MS: Long = Instant.parse("2026-12-01T07:00:00Z").toEpochMilli()

const val PIN = "246810"

/** The device under test, at the fixed morning, with the activity's real configuration handling. */
fun device(): Device {
    setClockForTests(MORNING_MS)
    TestApplication.testClock.nowMs = MORNING_MS
    val application = RuntimeEnvironment.getApplication() as TestApplication
    // The manifest's entry: the activity handles rotation, font and size changes itself.
    shadowOf(application.packageManager).addOrUpdateActivity(
        ActivityInfo().apply {
            name = MainActivity::class.java.name
            packageName = application.packageName
            configChanges = ActivityInfo.CONFIG_ORIENTATION or ActivityInfo.CONFIG_SCREEN_SIZE or
                ActivityInfo.CONFIG_SCREEN_LAYOUT or ActivityInfo.CONFIG_SMALLEST_SCREEN_SIZE or
                ActivityInfo.CONFIG_KEYBOARD or ActivityInfo.CONFIG_KEYBOARD_HIDDEN or
                ActivityInfo.CONFIG_FONT_SCALE or ActivityInfo.CONFIG_DENSITY or ActivityInfo.CONFIG_UI_MODE or
                ActivityInfo.CONFIG_LOCALE or ActivityInfo.CONFIG_LAYOUT_DIRECTION
        },
    )
    return Device(application)
}

/** A real server and its first tablet, the supervisor's; stopped at the end of the test. */
class Team(dir: File) : AutoCloseable {
    val server = RunningServer(File(dir, "server").toPath())
    val jean: Tablet = Tablet(File(dir, "jean").toPath(), TestClock(MORNING_MS)).bootstrapAdmin(server)

    /** A one-time enrolment code for a new tablet of [role]. */
    fun code(role: String = "counsellor"): String = runBlocking { jean.app.vault().invite(role, 24).code }

    /** Another tablet of the team, enrolled (through its enrol presenter) with a code of [role]. */
    fun tablet(dir: File, role: String): Tablet = Tablet(dir.toPath(), TestClock(MORNING_MS)).enrolThroughScreen(server, jean, role)

    override fun close() = server.close()
}

/** Enrol the device through its enrol screen, as a counsellor does with the code she was given. */
fun Device.enrol(server: String, code: String, pin: String = PIN): Device {
    type(app.texts[org.ami.komora.ui.Str.ENROL_SERVER], server)
    type(app.texts[org.ami.komora.ui.Str.ENROL_CODE], code)
    type(app.texts[org.ami.komora.ui.Str.ENROL_PIN], pin)
    type(app.texts[org.ami.komora.ui.Str.ENROL_PIN_AGAIN], pin)
    tap(app.texts[org.ami.komora.ui.Str.ENROL_SUBMIT])
    waitFor("the caseload after enrolment") { app.current != Screen.Enrol && app.isUnlocked }
    return this
}

/** Tap Sync now and wait until the sync has ended (its button is enabled again). */
fun Device.syncNow(): Device {
    val label = app.texts[org.ami.komora.ui.Str.SYNC_NOW]
    tap(label)
    waitFor("the sync to end") { findOrNull(label)?.isEnabled != false }
    return this
}

/** Unlock through the unlock screen. */
fun Device.unlock(pin: String = PIN): Device {
    type(app.texts[org.ami.komora.ui.Str.UNLOCK_PIN], pin)
    tap(app.texts[org.ami.komora.ui.Str.UNLOCK_TITLE])
    waitFor("the vault to open") { app.isUnlocked || app.current != Screen.Unlock || shows(app.texts[org.ami.komora.ui.Str.WRONG_PIN]) }
    return this
}

/** Claudine's people, recorded with their consent; returns their ids by name. */
class Caseload(val ids: Map<String, String>, val cases: Map<String, String>) {
    fun id(name: String) = ids.getValue(name)
    fun case(name: String) = cases.getValue(name)
}

/** Record a client through her form's presenter (consent to services and data recording). */
fun App.recordClient(name: String, birthYear: Int, sex: String, district: String? = null, sector: String? = null, guardian: String? = null): String {
    open(Screen.ClientForm(null))
    val p = ClientFormPresenter(this, null)
    p.set("name", name)
    p.set("sex", sex)
    p.set("birth_year", birthYear.toString())
    district?.let { p.set("district", it) }
    sector?.let { p.set("sector", it) }
    p.consent("services", true)
    p.consent("data-recording", true)
    p.consent("sharing", true)
    guardian?.let { p.set("guardian_name", it) }
    p.save()
    val s = current
    check(s is Screen.ClientFile) { "not saved: ${p.state.value.errors.map { it.message }} ${p.state.value.message}" }
    back()
    return s.clientId
}

/**
 * Claudine's caseload on the fixed morning: a woman at risk after a home visit, a widow in
 * grief, a couple in conflict, a boy of 14 with his mother's consent, a referral overdue, and a
 * follow-up due today.
 */
fun App.claudinesCaseload(): Caseload {
    val v = vault()
    val ids = linkedMapOf(
        "Mukamana Odette" to recordClient("Mukamana Odette", 1978, "F", "Nyaruguru", "Busanze"),
        "Uwase Diane" to recordClient("Uwase Diane", 1990, "F", "Huye", "Tumba"),
        "Habimana Jean-Bosco" to recordClient("Habimana Jean-Bosco", 1968, "M", "Gisagara"),
        "Ingabire Grace" to recordClient("Ingabire Grace", 1985, "F", "Huye", "Ngoma"),
        "Nyirahabimana Claire" to recordClient("Nyirahabimana Claire", 1972, "F", "Nyanza"),
        "Ishimwe Eric" to recordClient("Ishimwe Eric", 2012, "M", "Nyaruguru", "Busanze", guardian = "Mukamana Odette"),
    )
    val cases = linkedMapOf<String, String>()
    // Each case opened on a day of its own: cases equal in every other way are listed by the
    // day they opened, so the pictures show them in the same order on every run.
    fun case(name: String, problem: String, risk: String?, opened: String): String =
        v.addCase(NewCase(listOf(ids.getValue(name)), listOf(problem), risk, opened)).also { cases[name] = it }
    case("Mukamana Odette", "trauma", "high", "2026-10-05")
    case("Uwase Diane", "grief", null, "2026-10-12")
    case("Habimana Jean-Bosco", "domestic-conflict", "medium", "2026-10-19")
    case("Ingabire Grace", "depression", null, "2026-10-26")
    case("Nyirahabimana Claire", "violence", "medium", "2026-11-02")
    v.raiseRisk(cases.getValue("Mukamana Odette"), "suicide-risk")
    v.addSession(
        NewSession(
            caseId = cases.getValue("Mukamana Odette"), modality = "home-visit", durationMin = 60,
            notes = "She spoke about the anniversary; her son listened.", interventions = listOf("supportive-counselling", "safety-planning"),
            householdPresent = listOf("her son"), safetyNotes = "Meet outside if her husband has been drinking.",
            nextAppointment = "2026-12-08",
        ),
    )
    v.addSession(NewSession(caseId = cases.getValue("Ingabire Grace"), modality = "office", durationMin = 45, nextAppointment = v.today()))
    v.addSession(NewSession(caseId = cases.getValue("Uwase Diane"), modality = "office", durationMin = 60, notes = "Talked about her brother."))
    v.addAssessment(org.ami.komora.core.NewAssessment(ids.getValue("Mukamana Odette"), "phq-9", listOf(2, 2, 3, 2, 2, 2, 2, 2, 1), cases["Mukamana Odette"], null, "2026-11-03"))
    v.addAssessment(org.ami.komora.core.NewAssessment(ids.getValue("Mukamana Odette"), "phq-9", listOf(2, 2, 2, 2, 2, 2, 1, 0, 1), cases["Mukamana Odette"], null, null))
    v.addReferral(NewReferral(ids.getValue("Nyirahabimana Claire"), cases["Nyirahabimana Claire"], "isange", null, null, "2026-11-28", "2026-11-20"))
    v.addReferral(NewReferral(ids.getValue("Mukamana Odette"), cases["Mukamana Odette"], "health-centre", null, null, "2026-12-10", null))
    v.linkClients(ids.getValue("Mukamana Odette"), ids.getValue("Ishimwe Eric"), "child")
    v.addConsent(NewConsent(ids.getValue("Habimana Jean-Bosco"), "sharing", true, "rw", null, null))
    return Caseload(ids, cases)
}
