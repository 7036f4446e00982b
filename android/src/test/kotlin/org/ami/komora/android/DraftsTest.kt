package org.ami.komora.android

import android.os.Bundle
import android.os.Parcel
import java.io.File
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.NewCase
import org.ami.komora.core.createVault
import org.ami.komora.ui.Language
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * A half-written note survives: the app killed in the background on a 2 GB tablet, a lock
 * while typing, the tablet turned, a larger font. What she typed is kept sealed in the vault
 * as she types, offered back after unlock, discarded on save; never in clear on disk, never in
 * a Bundle.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class DraftsTest {
    private lateinit var d: Device
    private lateinit var caseId: String
    private val t get() = d.app.texts

    /** The words of the note: long enough that finding them anywhere is no accident. */
    private val note = "Her husband came home drunk on Saturday; she slept at her sister's in Gitwe"

    @Before
    fun claudinesTablet() {
        d = device()
        d.app.setLanguage(Language.ENGLISH)
        val v = runBlocking { createVault(d.app.vaultDir.path, PIN, KdfStrength.INSECURE_FOR_TESTS, d.app.platformKey) }
        d.app.unlocked(v)
        val odette = d.app.recordClient("Mukamana Odette", 1978, "F", "Nyaruguru")
        caseId = v.addCase(NewCase(listOf(odette), listOf("trauma")))
        d.launch()
        d.tap("Mukamana Odette")
        d.tap("${t[Str.RECORD_SESSION]}: ${t.term("trauma")}")
        d.tap(t.term("home-visit"))
    }

    private fun typeHalfANote() {
        d.type(t[Str.FIELD_NOTES], note.substring(0, 40))
        d.type(t[Str.FIELD_NOTES], note.substring(40), replace = false)
        d.type(t[Str.FIELD_SAFETY], "Meet outside")
    }

    @Test
    fun `the app killed in the background while a note is half typed, relaunched and unlocked, offers the draft, and it comes back whole`() {
        typeHalfANote()
        d.leave() // home button: Android stops the activity (and the app locks itself)...
        d.application.killProcess() // ...then reclaims the process; only the disk remains
        d.destroy()

        d.launch()
        assertEquals(Screen.Unlock, d.app.current)
        assertFalse("nothing of the note on the lock screen", d.visibleText().contains("Gitwe"))
        d.unlock()
        d.waitForText(t[Str.DRAFTS_TITLE])
        assertTrue(d.shows(t[Str.DRAFT_SESSION]))
        assertTrue("it says whose note it is", d.shows("Mukamana Odette · ${t.format(Str.DRAFT_KEPT_AT, "").trim()}"))

        d.tap(t[Str.DRAFT_CONTINUE])
        assertEquals(Screen.SessionForm(caseId), d.app.current)
        assertEquals(note, d.field(t[Str.FIELD_NOTES]).text.toString())
        assertEquals("Meet outside", d.field(t[Str.FIELD_SAFETY]).text.toString())
        assertTrue("the home visit's choice came back too", d.isChecked(t.term("home-visit")))
        assertTrue(d.visibleText().contains(t.format(Str.DRAFT_RESTORED, "").substringBefore("(")))

        // Saved: the draft is gone; the session is in her file.
        d.tap(t[Str.SAVE])
        assertTrue(d.app.vault().drafts().isEmpty())
        assertEquals(note, d.app.vault().session(d.app.vault().timeline(d.app.vault().getCase(caseId).clients.single()).first { it.kind == "session" }.recordId).notes)
    }

    @Test
    fun `killed without warning two seconds after the last keystroke, the note is still kept`() {
        typeHalfANote()
        // The activity's timer after the last keystroke keeps the draft; then the process dies
        // with no stop, no lock (a crash, the battery out).
        org.robolectric.Shadows.shadowOf(android.os.Looper.getMainLooper()).idleFor(java.time.Duration.ofMillis(2_100))
        d.application.killProcess()
        d.launch()
        d.unlock()
        d.tap(t[Str.DRAFT_CONTINUE])
        assertEquals(note, d.field(t[Str.FIELD_NOTES]).text.toString())
    }

    @Test
    fun `the draft is unreadable in every file of the app's storage, and no Bundle holds what she typed`() {
        typeHalfANote()
        d.app.drafts.flush()
        assertEquals("the draft is kept", note, d.app.vault().draft("session:$caseId")?.fields?.get("notes"))

        // The activity saves its state as Android asks before stopping it: nothing of the note.
        val saved = d.savedState()
        assertFalse("a Bundle holds the note", bytesOf(saved).containsText(note.substring(0, 20)))

        d.leave() // locked: the keys are gone from memory; the disk is all an attacker has
        val storage = d.application.filesDir.parentFile!!
        val files = storage.walkTopDown().filter { it.isFile }.toList()
        assertTrue("the vault's database is among them", files.any { it.name.endsWith(".db") || it.name.contains("vault") })
        for (f in files) {
            val bytes = f.readBytes()
            for (words in listOf(note, note.substring(0, 20), "Meet outside", "Gitwe")) {
                assertFalse("\"$words\" in clear in ${f.relativeTo(storage)}", bytes.containsText(words))
            }
        }
    }

    @Test
    fun `turned, or given a larger font, the tablet keeps what she was typing on screen`() {
        typeHalfANote()
        val before = d.field(t[Str.FIELD_NOTES]).textSize
        d.reconfigure("w960dp-h600dp-hdpi", 1.0f) // turned on its side
        assertEquals(note, d.field(t[Str.FIELD_NOTES]).text.toString())
        d.reconfigure("w960dp-h600dp-hdpi", 1.3f) // the font made larger in the settings
        assertEquals(note, d.field(t[Str.FIELD_NOTES]).text.toString())
        assertEquals("Meet outside", d.field(t[Str.FIELD_SAFETY]).text.toString())
        assertTrue(d.isChecked(t.term("home-visit")))
        // Android 14's font scaling is not linear (large text grows less): larger, not 1.3 times.
        assertTrue("the note is drawn in the larger font", d.field(t[Str.FIELD_NOTES]).textSize > before * 1.1f)
    }

    @Test
    fun `locked while typing by the idle timer, the note is offered after unlock, and once thrown away it is gone`() {
        typeHalfANote()
        TestApplication.testClock.advanceMinutes(6)
        org.robolectric.Shadows.shadowOf(android.os.Looper.getMainLooper()).idleFor(java.time.Duration.ofSeconds(16))
        assertEquals(Screen.Unlock, d.app.current)
        assertTrue(d.shows(t[Str.LOCKED_IDLE]))
        d.unlock()
        d.waitForText(t[Str.DRAFTS_TITLE])
        d.tap(t[Str.DRAFT_DISCARD])
        d.tap(t[Str.DRAFT_DISCARD]) // the question: yes, throw it away
        assertFalse(d.shows(t[Str.DRAFTS_TITLE]))
        assertTrue(d.app.vault().drafts().isEmpty())
    }

    @Test
    fun `a note the tablet refuses to keep is said on screen before she leaves, and is still there after unlock`() {
        // Months of forms left unsaved fill the core's cap: the tablet refuses one more draft.
        val v = d.app.vault()
        repeat(org.ami.komora.ui.DraftKeeper.MAX_DRAFTS) { v.keepDraft("answer:old-$it", mapOf("answer" to "an old answer $it")) }
        typeHalfANote()
        org.robolectric.Shadows.shadowOf(android.os.Looper.getMainLooper()).idleFor(java.time.Duration.ofMillis(2_100))
        val told = t.format(Str.DRAFT_NOT_KEPT, t.format(Str.DRAFTS_TOO_MANY, org.ami.komora.ui.DraftKeeper.MAX_DRAFTS))
        assertTrue("she is told while she is still in the form", d.shows(told))

        d.leave() // she goes to make room: the app locks
        d.comeBack()
        d.unlock()
        d.waitForText(t[Str.DRAFTS_TITLE])
        assertTrue("still told, on the home screen", d.shows(told))
        d.tap(t[Str.DRAFT_CONTINUE]) // hers is the newest, the first offered
        assertEquals(Screen.SessionForm(caseId), d.app.current)
        assertEquals(note, d.field(t[Str.FIELD_NOTES]).text.toString())
    }

    private fun bytesOf(b: Bundle): ByteArray {
        val p = Parcel.obtain()
        try {
            p.writeBundle(b)
            return p.marshall()
        } finally {
            p.recycle()
        }
    }
}

/** Whether these bytes hold [text] in UTF-8 or in UTF-16 (Java's strings in a Parcel or a heap dump). */
fun ByteArray.containsText(text: String): Boolean =
    listOf(Charsets.UTF_8, Charsets.UTF_16LE, Charsets.UTF_16BE).any { cs -> indexOf(text.toByteArray(cs)) >= 0 }

private fun ByteArray.indexOf(needle: ByteArray): Int {
    if (needle.isEmpty() || needle.size > size) return -1
    outer@ for (i in 0..size - needle.size) {
        for (j in needle.indices) if (this[i + j] != needle[j]) continue@outer
        return i
    }
    return -1
}
