package org.ami.komora.android

import java.io.File
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.createVault
import org.ami.komora.ui.Language
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str
import org.ami.komora.ui.Texts
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/** Settings: the language, the auto-lock, the PIN, another team, the practice team. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class SettingsScreenTest {
    @get:Rule
    val tmp = TemporaryFolder()
    private val en = Texts(Language.ENGLISH)
    private val fr = Texts(Language.FRENCH)

    private fun standalone(): Device {
        val d = device()
        d.app.setLanguage(Language.ENGLISH)
        val v = runBlocking { createVault(d.app.vaultDir.path, PIN, KdfStrength.INSECURE_FOR_TESTS, d.app.platformKey) }
        d.app.unlocked(v)
        return d.launch()
    }

    @Test
    fun `choosing French redraws the screen in French at once, the choice is kept, and the idle time chosen applies`() {
        val d = standalone()
        d.tap(en[Str.SETTINGS_TITLE])
        d.tap("Français")
        assertTrue("the same screen, now in French", d.shows(fr[Str.SETTINGS_TITLE]) && d.shows(fr[Str.LANGUAGE]))
        d.back()
        assertTrue(d.shows(fr[Str.CASELOAD_TITLE]))
        assertEquals(Language.FRENCH, d.app.preferences.language)

        d.tap(fr[Str.SETTINGS_TITLE])
        d.tap(fr.format(Str.MINUTES, 1))
        assertEquals(1, d.app.autoLockMinutes)
        TestApplication.testClock.advanceMinutes(1)
        org.robolectric.Shadows.shadowOf(android.os.Looper.getMainLooper()).idleFor(java.time.Duration.ofSeconds(16))
        assertFalse(d.app.isUnlocked)
        assertTrue(d.shows(fr[Str.LOCKED_IDLE]))
    }

    @Test
    fun `a PIN change shows each mistake under its field, a wrong current PIN counts, and then the new PIN opens the tablet`() {
        val d = standalone()
        d.tap(en[Str.SETTINGS_TITLE])
        d.tap(en[Str.CHANGE_PIN])
        assertTrue(d.shows(en[Str.CURRENT_PIN_MISSING]))
        d.type(en[Str.CURRENT_PIN], "111111")
        d.type(en[Str.NEW_PIN], "1357")
        d.tap(en[Str.CHANGE_PIN])
        assertTrue(d.shows(en.format(Str.PIN_TOO_SHORT, 6)))
        d.type(en[Str.NEW_PIN], "135791")
        d.type(en[Str.NEW_PIN_AGAIN], "135791")
        d.tap(en[Str.CHANGE_PIN])
        d.waitForText(en[Str.WRONG_PIN])
        d.type(en[Str.CURRENT_PIN], PIN)
        d.type(en[Str.NEW_PIN], "135791")
        d.type(en[Str.NEW_PIN_AGAIN], "135791")
        d.tap(en[Str.CHANGE_PIN])
        d.waitForText(en[Str.PIN_CHANGED])
        assertTrue("she stays in", d.app.isUnlocked)
        d.tap(en[Str.LOCK_NOW])
        d.unlock("135791")
        assertTrue(d.app.isUnlocked)
    }

    @Test
    fun `a counsellor joins another team from Settings with her PIN, and each team shows only its own clients`() {
        Team(tmp.newFolder("team")).use { team ->
            val d = device()
            d.app.setLanguage(Language.ENGLISH)
            d.launch().enrol(team.server.url, team.code())
            d.app.recordClient("Uwase Huye", 1990, "F")
            val admin = team.jean.app
            val nyanza = runBlocking {
                admin.vault().createTeam(File(admin.vaultDir, "teams/nyanza").path, PIN, "Nyanza", KdfStrength.INSECURE_FOR_TESTS, null)
            }
            admin.joined(nyanza)
            val code = runBlocking { admin.vault().invite("counsellor", 24).code }

            d.tap(en[Str.SETTINGS_TITLE])
            d.tap(en[Str.TEAM_JOIN])
            assertFalse("the tablet's one PIN, asked once", d.findOrNull(en[Str.ENROL_PIN_AGAIN])?.isShown == true)
            d.type(en[Str.ENROL_SERVER], team.server.url)
            d.type(en[Str.ENROL_CODE], code)
            d.type(en[Str.UNLOCK_PIN], "999999")
            d.tap(en[Str.ENROL_SUBMIT])
            d.waitForText(en[Str.WRONG_PIN])
            d.type(en[Str.UNLOCK_PIN], PIN)
            d.tap(en[Str.ENROL_SUBMIT])
            d.waitFor("the second team") { d.app.teams().size == 2 && d.app.current == Screen.Caseload }
            assertEquals("Nyanza", d.picked(en[Str.TEAM_LABEL]))
            d.type(en[Str.SEARCH_HINT], "uwase")
            assertTrue("Huye's client is not in Nyanza: ${d.visibleText()}", d.shows(en[Str.NO_RESULTS]))
            d.pick(en[Str.TEAM_LABEL], "Huye")
            d.type(en[Str.SEARCH_HINT], "uwase")
            assertTrue(d.shows("Uwase Huye"))
        }
    }

    @Test
    fun `the practice team of made-up clients is marked on every screen and never reaches the real team`() {
        Team(tmp.newFolder("team")).use { team ->
            val d = device()
            d.app.setLanguage(Language.ENGLISH)
            d.launch().enrol(team.server.url, team.code())
            d.app.recordClient("Uwase Real", 1990, "F")
            d.tap(en[Str.SETTINGS_TITLE])
            d.tap(en[Str.PRACTICE_JOIN])
            d.type(en[Str.PIN_FOR_PRACTICE], "000000")
            d.tap(en[Str.PRACTICE_JOIN])
            d.waitForText(en[Str.WRONG_PIN])
            d.type(en[Str.PIN_FOR_PRACTICE], PIN)
            d.tap(en[Str.PRACTICE_JOIN])
            d.waitFor("the practice team") { d.app.isPractice && d.app.current == Screen.Caseload }

            val practiceNames = d.app.vault().clients().map { it.name }
            assertEquals(24, practiceNames.size)
            assertTrue(d.app.vault().clients().all { it.code!!.startsWith("PRACTICE-") })
            assertTrue(d.shows(en[Str.PRACTICE_BANNER]))
            assertTrue(d.shows(en[Str.PRACTICE_SYNC]))
            assertFalse("a practice team has nothing to sync with", d.shows(en[Str.SYNC_NOW]))
            // Every screen of it says so: a file, a session, a new client, the groups.
            d.tapStarting(practiceNames.sorted().first().substringBefore(' '))
            d.settle()
            for (step in listOf<() -> Unit>(
                { },
                { d.tapStarting(en[Str.RECORD_SESSION]) },
                { d.back(); d.back(); d.tap(en[Str.NEW_CLIENT]) },
                { d.back(); d.tap(en[Str.GROUPS_TITLE]) },
                { d.tapStarting("Practice healing group") },
            )) {
                step()
                assertTrue("${d.app.current}: the practice banner", d.shows(en[Str.PRACTICE_BANNER]))
            }
            d.back()
            d.back()

            // The real team: none of the made-up people, on the tablet or, after a sync, anywhere.
            d.pick(en[Str.TEAM_LABEL], "Huye")
            assertFalse(d.shows(en[Str.PRACTICE_BANNER]))
            d.type(en[Str.SEARCH_HINT], "a")
            assertTrue(d.visibleText(), d.shows("Uwase Real"))
            for (name in practiceNames) assertFalse("$name in the real team", d.shows(name))
            d.type(en[Str.SEARCH_HINT], "PRACTICE")
            assertTrue(d.shows(en[Str.NO_RESULTS]))
            d.syncNow()
            team.jean.sync()
            val seen = team.jean.app.vault().clients().map { it.name }
            assertEquals(listOf("Uwase Real"), seen)
        }
    }
}
