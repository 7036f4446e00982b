package org.ami.komora.android

import java.io.File
import org.ami.komora.ui.Language
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * Two lines that appear only in a situation the tour does not reach, checked as the tour checks
 * every screen (ScreenChecker on a 7" and a 10" tablet, default and large font), in each
 * language: the PIN screen while a sync goes on behind the lock (ADR 0028), and the session form
 * when the tablet refused to keep her note as a draft; the home screen's warnings (a date gone
 * wrong, two tablets claiming the same changes). With -Dkomora.screens.out=DIR the pictures are
 * written there too.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class NewWordsOnScreensTest {
    @get:Rule
    val tmp = TemporaryFolder()

    @Test
    fun `the PIN screen during a sync behind the lock and a note not kept read whole in every language at every size`() {
        val out = System.getProperty("komora.screens.out")?.takeIf { it.isNotBlank() }?.let(::File)
        Team(tmp.newFolder("team")).use { team ->
            // A slow link: each sync is still running when the tablet locks itself.
            org.ami.komora.SlowLink(team.server.url, bytesPerSecond = 4_000).use { link ->
                val d = device()
                d.launch().enrol(link.url, team.code())
                val people = d.app.claudinesCaseload()
                d.settle()
                val findings = mutableListOf<String>()
                for ((i, language) in Language.entries.withIndex()) {
                    d.app.setLanguage(language)
                    d.settle()
                    val t = d.app.texts
                    val matrix = Matrix(d, language, out) { personalData(d) }

                    // Something to send, Sync now, then ten minutes without a touch.
                    d.app.recordClient("Uwamahoro $i", 1990, "F")
                    d.app.open(Screen.Caseload)
                    d.settle()
                    d.tap(t[Str.SYNC_NOW])
                    TestApplication.testClock.nowMs += 10 * 60_000L
                    d.app.tick()
                    d.settle()
                    assertEquals(Screen.Unlock, d.app.current)
                    assertTrue("the sync goes on behind the lock", d.app.syncingBehindLock)
                    assertTrue(d.shows(t[Str.SYNC_BEHIND_LOCK]) || d.visibleText().contains(t[Str.SYNC_BEHIND_LOCK]))
                    matrix.at("unlock-syncing", null)
                    d.waitFor("the sync behind the lock to end", 120_000) { !d.app.syncingBehindLock }
                    d.unlock()

                    // The session form when the tablet refuses to keep her note (64 forms kept).
                    val v = d.app.vault()
                    repeat(org.ami.komora.ui.DraftKeeper.MAX_DRAFTS - v.drafts().size) {
                        v.keepDraft("answer:old-$i-$it", mapOf("answer" to "an old answer"))
                    }
                    d.app.open(Screen.SessionForm(people.cases.values.first()))
                    d.settle()
                    d.type(t[Str.FIELD_NOTES], "Yavuze ko asinzira neza ubu, umuhungu we yaje")
                    org.robolectric.Shadows.shadowOf(android.os.Looper.getMainLooper()).idleFor(java.time.Duration.ofMillis(2_100))
                    assertTrue(d.visibleText().contains(t.format(Str.DRAFT_NOT_KEPT, "").take(20)))
                    matrix.at("session-not-kept", null)
                    d.app.drafts.forget()
                    d.back()
                    findings += matrix.findings
                }
                assertEquals(emptyList<String>(), findings)
            }
        }
    }

    /**
     * A tablet whose battery ran flat wakes up on 1 January 2010: her home screen says the date
     * is wrong before anything else, whole, in every language at every size; "The date is right"
     * asks first (a tired tap on it does not silence a true warning), and a yes removes it.
     */
    @Test
    fun `the home screen of a tablet whose date fell back to 2010 says so whole in every language at every size`() {
        val out = System.getProperty("komora.screens.out")?.takeIf { it.isNotBlank() }?.let(::File)
        Team(tmp.newFolder("team")).use { team ->
            val d = device()
            d.launch().enrol(team.server.url, team.code())
            d.app.claudinesCaseload()
            try {
                org.ami.komora.core.setClockForTests(java.time.Instant.parse("2010-01-01T06:00:00Z").toEpochMilli())
                val findings = mutableListOf<String>()
                for (language in Language.entries) {
                    d.app.setLanguage(language)
                    // She comes back to her home screen (after the flat battery: the app starts).
                    d.backHome()
                    val t = d.app.texts
                    val v = d.app.vault()
                    val said = t.format(Str.CLOCK_WRONG, t.date(v.today()), t.date(v.clockWentBack()!!))
                    assertTrue("the warning is on her home screen:\n${d.visibleText()}", d.shows(said))
                    assertTrue(said, said.contains(t.date("2010-01-01")))
                    val matrix = Matrix(d, language, out) { personalData(d) }
                    matrix.at("caseload-date-wrong", null)
                    findings += matrix.findings
                }
                assertEquals(emptyList<String>(), findings)
                val t = d.app.texts
                // "Set the date" opens Android's own Date & time settings.
                d.tap(t[Str.CLOCK_OPEN_SETTINGS])
                val opened = org.robolectric.Shadows.shadowOf(d.application).nextStartedActivity
                assertEquals(android.provider.Settings.ACTION_DATE_SETTINGS, opened?.action)
                val question = t.format(Str.CLOCK_IS_RIGHT_CONFIRM, t.date("2010-01-01"))
                d.tap(t[Str.CLOCK_IS_RIGHT])
                assertTrue("it asks first", d.shows(question))
                d.tap(t[Str.CANCEL])
                d.settle()
                assertTrue("No closes the question", !d.shows(question))
                assertTrue("and keeps the warning", d.visibleText().contains(t.date("2010-01-01")))
                d.tap(t[Str.CLOCK_IS_RIGHT])
                d.tap(t[Str.CLOCK_IS_RIGHT])
                d.settle()
                assertTrue("yes removes it", !d.shows(t[Str.CLOCK_IS_RIGHT]))
            } finally {
                org.ami.komora.core.setClockForTests(MORNING_MS)
            }
        }
    }

    /**
     * After the flat battery she set the date by hand and typed 2036: at her next sync the
     * server's date tells the tablet, and her home screen says so, whole, in every language at
     * every size, until the date is set right.
     */
    @Test
    fun `the home screen of a tablet ten years ahead of its server says so whole in every language at every size`() {
        val out = System.getProperty("komora.screens.out")?.takeIf { it.isNotBlank() }?.let(::File)
        Team(tmp.newFolder("team")).use { team ->
            val d = device()
            d.launch().enrol(team.server.url, team.code())
            d.app.claudinesCaseload()
            try {
                org.ami.komora.core.setClockAheadForTests(10L * 365 * 24 * 60 * 60 * 1000)
                d.syncNow()
                val findings = mutableListOf<String>()
                for (language in Language.entries) {
                    d.app.setLanguage(language)
                    d.backHome()
                    val t = d.app.texts
                    val v = d.app.vault()
                    val said = t.format(Str.CLOCK_AHEAD, t.date(v.today()), t.date(v.clockWentAhead()!!))
                    assertTrue("the ahead warning is on her home screen:\n${d.visibleText()}", d.shows(said))
                    val matrix = Matrix(d, language, out) { personalData(d) }
                    matrix.at("caseload-date-ahead", null)
                    findings += matrix.findings
                }
                assertEquals(emptyList<String>(), findings)
                // Set right: the warning goes at once.
                org.ami.komora.core.setClockAheadForTests(0)
                d.backHome()
                assertTrue("set right, no warning", !d.shows(d.app.texts[Str.CLOCK_IS_RIGHT]))
            } finally {
                org.ami.komora.core.setClockAheadForTests(0)
            }
        }
    }

    /**
     * A stolen counsellor's tablet signs changes of its own under the ids of Claudine's new
     * client (ADR 0027). The supervisor's tablet, which holds hers, keeps the thief's aside: her
     * home screen says two tablets claim the same changes, names both as the team's list does
     * and says what to do, whole, in every language at every size; it stays at every visit
     * (read from the vault, not from the sync that found it), and goes once the administrator
     * revokes the stolen tablet. Claudine's own home screen (a counsellor's) does not show it,
     * though her tablet holds the thief's copies aside too: she cannot act on it.
     */
    @Test
    fun `a supervisor's home screen names the two tablets that claim the same changes whole in every language at every size`() {
        val out = System.getProperty("komora.screens.out")?.takeIf { it.isNotBlank() }?.let(::File)
        Team(tmp.newFolder("team")).use { team ->
            val d = device()
            d.launch().enrol(team.server.url, team.code("supervisor"))
            val claudine = team.tablet(tmp.newFolder("claudine"), "counsellor")
            val thief = team.tablet(tmp.newFolder("thief"), "counsellor")
            thief.sync()
            claudine.recordClient("Mukamana Odette")
            claudine.sync()
            d.syncNow()
            val squatted = org.ami.komora.core.squatForTests(thief.app.vault(), claudine.app.vault())
            assertTrue(squatted > 0u)
            thief.sync()
            d.syncNow()
            val held = d.app.vault().contestedChanges().single()
            val hers = claudine.app.vault().deviceId()
            val thiefs = thief.app.vault().deviceId()
            assertEquals(hers to thiefs, held.keptDevice to held.asideDevice)

            val findings = mutableListOf<String>()
            for (language in Language.entries) {
                d.app.setLanguage(language)
                d.backHome()
                val t = d.app.texts
                val counsellor = t.code("role-counsellor")
                val said = t.format(
                    Str.CONTESTED_CHANGES,
                    squatted.toLong(),
                    t.dateTime(held.sinceMs),
                    t.format(Str.CONTESTED_TABLET, hers.take(8), counsellor),
                    t.format(Str.CONTESTED_TABLET, thiefs.take(8), counsellor),
                )
                assertTrue("the warning is on her home screen:\n${d.visibleText()}", d.shows(said))
                val matrix = Matrix(d, language, out) { personalData(d) }
                matrix.at("caseload-contested", null)
                findings += matrix.findings
            }
            assertEquals(emptyList<String>(), findings)

            claudine.sync()
            assertTrue("her tablet holds the thief's copies aside", claudine.app.vault().contestedChanges().isNotEmpty())
            val hersHome = org.ami.komora.ui.CaseloadPresenter(claudine.app)
            assertEquals(emptyList<String>(), hersHome.state.value.contested)

            // The administrator revokes the stolen tablet: settled, the warning goes.
            kotlinx.coroutines.runBlocking { team.jean.app.vault().revokeDevice(thiefs) }
            d.syncNow()
            d.backHome()
            assertTrue(d.app.vault().contestedChanges().isEmpty())
            assertTrue("no warning once settled", !d.visibleText().contains(thiefs.take(8)))
        }
    }
}

/** She leaves her home screen and comes back to it: it reads the vault again. */
private fun Device.backHome() {
    app.open(Screen.Groups)
    settle()
    back()
    settle()
}
