package org.ami.komora.android

import kotlinx.coroutines.runBlocking
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.createVault
import org.ami.komora.ui.Language
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/** The caseload: search as you type, the filters, the cards, the sync line. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class CaseloadScreenTest {
    @get:Rule
    val tmp = TemporaryFolder()
    private lateinit var d: Device
    private val t get() = d.app.texts

    private fun standalone(): Caseload {
        d = device()
        d.app.setLanguage(Language.ENGLISH)
        val v = runBlocking { createVault(d.app.vaultDir.path, PIN, KdfStrength.INSECURE_FOR_TESTS, d.app.platformKey) }
        d.app.unlocked(v)
        d.app.recordClient("Hélène Uwimana", 1975, "F", "Huye")
        val people = d.app.claudinesCaseload()
        d.launch()
        return people
    }

    /** The names on the cards of the caseload, top to bottom. */
    private fun cards(): List<String> {
        val names = setOf("Mukamana Odette", "Uwase Diane", "Habimana Jean-Bosco", "Ingabire Grace", "Nyirahabimana Claire", "Hélène Uwimana")
        return d.views().filterIsInstance<android.widget.TextView>().map { it.text.toString() }.filter { it in names }
    }

    @Test
    fun `typing three letters finds a client whatever the accents, and her card opens her file`() {
        standalone()
        d.type(t[Str.SEARCH_HINT], "HEL")
        assertEquals(listOf("Hélène Uwimana"), cards().take(1))
        assertTrue(d.shows("Huye · born 1975"))
        d.type(t[Str.SEARCH_HINT], "zzz")
        assertTrue(d.shows(t[Str.NO_RESULTS]))
        d.type(t[Str.SEARCH_HINT], "ingab")
        d.tap("Ingabire Grace")
        assertTrue(d.app.current is Screen.ClientFile)
        assertTrue(d.shows("Ingabire Grace"))
        d.back()
        assertEquals(Screen.Caseload, d.app.current)
    }

    @Test
    fun `the urgent case is red and first, the filters narrow the cards, and TalkBack hears why it is urgent`() {
        standalone()
        assertEquals("Mukamana Odette", cards().first())
        val urgent = d.views().first { it.contentDescription?.startsWith(t[Str.CD_URGENT]) == true }
        assertTrue(urgent.contentDescription.contains("Mukamana Odette") && urgent.contentDescription.contains(t.term("suicide-risk")))

        d.tap(t[Str.FILTER_HIGH_RISK])
        assertEquals(listOf("Mukamana Odette"), cards())
        d.tap(t[Str.FILTER_HIGH_RISK])
        d.tap(t[Str.FOLLOW_UP_DUE])
        assertEquals(listOf("Ingabire Grace", "Nyirahabimana Claire").sorted(), cards().sorted())
        d.tap(t[Str.FOLLOW_UP_DUE])
        d.pick(t[Str.FIELD_STATUS], t[Str.STATUS_CLOSED])
        assertTrue("an empty filter says so", d.shows(t[Str.EMPTY_FILTERED]))
        assertFalse(d.shows(t[Str.EMPTY_CASELOAD]))
    }

    @Test
    fun `sync now shows its progress, and the line says when it last synced and what waits`() {
        Team(tmp.newFolder("team")).use { team ->
            d = device()
            d.app.setLanguage(Language.ENGLISH)
            d.launch().enrol(team.server.url, team.code())
            assertTrue(d.shows("${t[Str.SYNC_NEVER]} · "))
            d.app.recordClient("Mukamana Odette", 1978, "F")
            d.settle()
            val waiting = d.app.vault().syncStatus().pending
            assertTrue(waiting > 0)
            // While it syncs the screen stays on (a screen going off would lock the app and
            // stop the sync); once it ends, the screen may go off again.
            val button = d.find(t[Str.SYNC_NOW])
            d.tap(t[Str.SYNC_NOW])
            val seen = mutableListOf<Pair<Boolean, Boolean>>()
            d.waitFor("the sync to end") {
                seen += !button.isEnabled to d.views().any { it.keepScreenOn }
                button.isEnabled
            }
            assertTrue("$seen", seen.any { it.first })
            assertTrue("the screen is kept on exactly while it syncs: $seen", seen.all { (syncing, on) -> syncing == on })
            assertTrue(d.visibleText(), d.shows(t.format(Str.SYNC_DONE, waiting, 0)))
            assertTrue(d.shows("${t.format(Str.SYNC_LAST, t[Str.AGO_NOW])} · ${t[Str.SYNC_NOTHING_WAITING]}"))
            team.jean.sync()
            assertEquals(listOf("Mukamana Odette"), team.jean.app.vault().clients().map { it.name })
        }
    }
}
