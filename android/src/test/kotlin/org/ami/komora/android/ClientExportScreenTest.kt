package org.ami.komora.android

import android.content.Intent
import android.net.Uri
import android.os.Environment
import android.os.Looper
import android.view.ViewGroup
import android.widget.RadioButton
import android.widget.TextView
import java.io.ByteArrayOutputStream
import java.io.File
import java.io.IOException
import java.io.OutputStream
import java.time.Duration
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.PassageDecision
import org.ami.komora.core.createVault
import org.ami.komora.ui.Language
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str
import org.json.JSONObject
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/**
 * Mukamana asks her counsellor's supervisor for her file. On his tablet he reads each note of
 * it, includes her home visit's notes, leaves the rest out, and saves the page and the data
 * where he picks with the system's document picker: the bytes written there are the core's
 * documents, the names offered name no one, and nothing is left on the tablet. A counsellor's
 * tablet offers no way to do it; a place that cannot be written says so; a picker left open
 * too long locks the app and writes nothing.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class ClientExportScreenTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private val notes = "She spoke about the anniversary; her son listened."
    private val safety = "Meet outside if her husband has been drinking."

    /** Tap [choice] ("Include", "Leave out") under the note that reads [note]. */
    private fun Device.decide(note: String, choice: String) {
        val text = views().first { (it as? TextView)?.text?.toString() == note }
        val card = text.parent as ViewGroup
        val radio = views(card).first { it is RadioButton && it.text.toString() == choice }
        tap(radio, "$choice under \"$note\"")
    }

    /** Every file of the app's own storage and of the tablet's shared storage, with its bytes. */
    private fun Device.storage(): Map<File, ByteArray> {
        val roots = listOfNotNull(
            application.filesDir.parentFile, application.cacheDir, application.externalCacheDir,
            application.getExternalFilesDir(null), Environment.getExternalStorageDirectory(),
        ).filter { it.exists() }
        return roots.flatMap { r -> r.walkTopDown().filter { it.isFile }.toList() }.distinct().associateWith { it.readBytes() }
    }

    private fun ByteArray.holds(text: String) = String(this, Charsets.ISO_8859_1).contains(text)

    @Test
    fun `a supervisor gives Mukamana her file, each note decided on the screen, the page and the data saved where he picks under names that name no one, nothing kept`() {
        val d = device()
        Team(tmp.newFolder("team")).use { team ->
            val claudine = team.tablet(tmp.newFolder("claudine"), "counsellor")
            val people = claudine.app.claudinesCaseload()
            claudine.sync()

            d.app.setLanguage(Language.ENGLISH)
            val t = d.app.texts
            d.launch().enrol(team.server.url, team.code("supervisor"))
            d.syncNow()
            val odette = people.id("Mukamana Odette")
            d.app.open(Screen.ClientFile(odette))
            d.settle()
            d.tap(t[Str.EXPORT_ENTRY])
            assertEquals(Screen.ClientExport(odette), d.app.current)

            // Every free text of her file, each to decide; none decided yet, so none would go.
            assertTrue(d.shows(notes))
            assertTrue(d.shows(safety))
            assertTrue(d.shows("her son"))
            assertTrue(d.shows(t.format(Str.EXPORT_COUNTS, 0, 3)))
            d.decide(notes, t[Str.EXPORT_INCLUDE])
            d.decide(safety, t[Str.EXPORT_WITHHOLD])
            assertTrue("one note in, two out (one of them undecided)", d.shows(t.format(Str.EXPORT_COUNTS, 1, 2)))
            assertTrue(d.shows(t[Str.EXPORT_UNDECIDED]))

            val before = d.storage()
            d.tap(t[Str.EXPORT_SAVE])

            // The page first. He goes to the picker: the app stays open behind it (it opened it).
            d.leave()
            assertTrue("the picker the app opened does not lock it", d.app.isUnlocked)
            d.comeBack()
            val pageAt = Uri.parse("content://com.android.externalstorage.documents/document/usb%3Amukamana-page")
            val page = ByteArrayOutputStream()
            shadowOf(d.activity.contentResolver).registerOutputStream(pageAt, page)
            val askedPage = d.answerDocumentPicker(pageAt)
            assertEquals(Intent.ACTION_CREATE_DOCUMENT, askedPage.action)
            assertEquals("text/html", askedPage.type)
            assertTrue(askedPage.hasCategory(Intent.CATEGORY_OPENABLE))

            // Then the data, where he picks again.
            val dataAt = Uri.parse("content://com.android.externalstorage.documents/document/usb%3Amukamana-data")
            val data = ByteArrayOutputStream()
            shadowOf(d.activity.contentResolver).registerOutputStream(dataAt, data)
            val askedData = d.answerDocumentPicker(dataAt)
            assertEquals("application/json", askedData.type)
            assertFalse("two documents, two pickers", d.pickerWaiting())
            assertTrue(d.shows(t[Str.EXPORT_SAVED]))

            // The names offered in the picker (and kept by the place picked) name no one.
            val names = listOf(askedPage, askedData).map { it.getStringExtra(Intent.EXTRA_TITLE)!! }
            assertEquals(listOf("komora-file-2026-12-01.html", "komora-file-2026-12-01.json"), names)
            for (name in names) for (person in people.ids.keys) for (word in person.split(' ')) {
                assertFalse("\"$word\" in the name $name", name.contains(word, ignoreCase = true))
            }

            // What was written is the core's own documents with his decisions: the same as the
            // core produces now, but for the audit at the end (which now also holds that export).
            val v = d.app.vault()
            val released = v.clientExportReview(odette).single { it.text == notes }.key
            val fresh = v.exportClient(odette, listOf(PassageDecision(released, "release", null)), null)
            val writtenJson = JSONObject(data.toString(Charsets.UTF_8.name()))
            val freshJson = JSONObject(fresh.json)
            val writtenAudit = writtenJson.remove("audit").toString()
            val freshAudit = freshJson.remove("audit").toString()
            assertEquals(freshJson.toString(), writtenJson.toString())
            assertTrue("the audit grew since, and nothing in it changed", freshAudit.startsWith(writtenAudit.dropLast(1)))
            val writtenHtml = page.toString(Charsets.UTF_8.name())
            assertEquals(fresh.html.substringBeforeLast("<h2>"), writtenHtml.substringBeforeLast("<h2>"))
            assertTrue(writtenHtml.contains(notes) && writtenJson.toString().contains("Mukamana Odette"))
            assertFalse("the note left out is not in the page", writtenHtml.contains("drinking"))
            assertFalse("nor in the data", writtenJson.toString().contains("drinking"))
            assertFalse("nor the note left undecided", writtenJson.toString().contains("\"her son\""))

            // Nothing was kept: no new file anywhere on the tablet, and none holds her words in clear.
            val after = d.storage()
            val vault = d.app.vaultDir.canonicalPath
            assertEquals(before.keys.filterNot { it.canonicalPath.startsWith(vault) }.toSet(), after.keys.filterNot { it.canonicalPath.startsWith(vault) }.toSet())
            for ((f, bytes) in after) {
                assertFalse("$f holds her note in clear", bytes.holds("anniversary"))
                assertFalse("$f holds her name in clear", bytes.holds("Mukamana"))
            }
        }
    }

    @Test
    fun `a counsellor's tablet shows her file with no way to give it out, and the core refuses if asked`() {
        val d = device()
        Team(tmp.newFolder("team")).use { team ->
            d.app.setLanguage(Language.ENGLISH)
            val t = d.app.texts
            d.launch().enrol(team.server.url, team.code("counsellor"))
            val people = d.app.claudinesCaseload()
            val odette = people.id("Mukamana Odette")
            d.app.open(Screen.ClientFile(odette))
            d.settle()
            assertTrue(d.shows("Mukamana Odette"))
            assertNull("no way in from her file", d.findOrNull(t[Str.EXPORT_ENTRY]))
            assertFalse(d.shows(t[Str.EXPORT_SECTION]))

            // Even a screen reached some other way gets nothing from the core.
            d.app.open(Screen.ClientExport(odette))
            d.settle()
            assertFalse("no note shown", d.shows(notes))
            assertTrue(d.shows(t[Str.ERR_FORBIDDEN]))
            d.tap(t[Str.EXPORT_SAVE])
            assertFalse("no picker opened", d.pickerWaiting())
        }
    }

    /** A tablet outside any team (the core lets its one user give a file), with Mukamana's file. */
    private fun aloneWithOdette(d: Device): String {
        d.app.setLanguage(Language.ENGLISH)
        val v = runBlocking { createVault(d.app.vaultDir.path, PIN, KdfStrength.INSECURE_FOR_TESTS, d.app.platformKey) }
        d.app.unlocked(v)
        d.launch()
        val odette = d.app.claudinesCaseload().id("Mukamana Odette")
        d.app.open(Screen.ClientExport(odette))
        d.settle()
        return odette
    }

    @Test
    fun `a place that cannot be written says so, removes nothing else, and asks for no other place`() {
        val d = device()
        aloneWithOdette(d)
        val t = d.app.texts
        d.decide(notes, t[Str.EXPORT_INCLUDE])
        d.tap(t[Str.EXPORT_SAVE])
        val full = Uri.parse("content://com.android.externalstorage.documents/document/usb%3Afull")
        shadowOf(d.activity.contentResolver).registerOutputStream(full, object : OutputStream() {
            override fun write(b: Int) = throw IOException("No space left on device")
        })
        d.answerDocumentPicker(full)
        assertTrue(d.shows(t.format(Str.EXPORT_NOT_WRITTEN, 0, 2)))
        assertFalse("the data is not asked for after the page failed", d.pickerWaiting())
        assertFalse(d.shows(t[Str.EXPORT_SAVED]))
        d.reconfigure(TEN_INCH.qualifiers, 1.3f)
        assertTrue("turned, the screen still says so, decisions kept", d.shows(t.format(Str.EXPORT_NOT_WRITTEN, 0, 2)) && d.shows(t.format(Str.EXPORT_COUNTS, 1, 2)))

        // Another place then works: the supervisor saves again.
        d.tap(t[Str.EXPORT_SAVE])
        val stick = Uri.parse("content://com.android.externalstorage.documents/document/usb%3Astick")
        val page = ByteArrayOutputStream()
        shadowOf(d.activity.contentResolver).registerOutputStream(stick, page)
        d.answerDocumentPicker(stick)
        d.answerDocumentPicker(null) // no data this time
        assertTrue(page.toString(Charsets.UTF_8.name()).contains(notes))
        assertTrue(d.shows(t.format(Str.EXPORT_SAVED_SOME, 1, 2)))
    }

    @Test
    fun `a picker left open longer than the idle time locks the app and writes nothing`() {
        val d = device()
        aloneWithOdette(d)
        val t = d.app.texts
        d.decide(notes, t[Str.EXPORT_INCLUDE])
        d.tap(t[Str.EXPORT_SAVE])
        d.leave()
        shadowOf(Looper.getMainLooper()).idleFor(Duration.ofMinutes(d.app.autoLockMinutes.toLong()).plusSeconds(1))
        assertFalse("locked, keys zeroised, while the picker was in front", d.app.isUnlocked)
        d.comeBack()
        val late = Uri.parse("content://com.android.externalstorage.documents/document/usb%3Alate")
        val page = ByteArrayOutputStream()
        shadowOf(d.activity.contentResolver).registerOutputStream(late, page)
        d.answerDocumentPicker(late)
        assertEquals("nothing written after the lock", 0, page.size())
        assertFalse("no second picker", d.pickerWaiting())
        assertEquals(Screen.Unlock, d.app.current)
    }
}
