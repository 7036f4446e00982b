package org.ami.komora.ui

import java.nio.file.Path
import org.ami.komora.core.NewCase
import org.ami.komora.core.NewSession
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * Mukamana asks for her file at the office. Her supervisor reads the two notes of her home
 * visit on the tablet, keeps the safety note, releases the other, and gets the page and the
 * JSON to write where she chooses; until then the documents live only in memory.
 */
class ClientExportFlowTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `a supervisor reviews each note, keeps the safety note, and gets her file to hand over`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val client = tablet.recordClient("Mukamana Odette")
        val v = tablet.app.vault()
        val case = v.addCase(NewCase(clients = listOf(client), problems = listOf("grief")))
        v.addSession(
            NewSession(
                caseId = case, modality = "home-visit", notes = "She sleeps better since the group started.",
                safetyNotes = "Leave by the back path.",
            ),
        )
        val p = ClientExportPresenter(tablet.app, client)
        val passages = p.state.value.passages
        assertEquals(listOf("Notes", "Safety"), passages.map { it.reason })
        assertTrue(passages.all { it.decision == "withhold" }, "nothing leaves undecided")
        assertFalse("back path" in p.state.value.toString(), "a screen's state prints no note")

        p.release(passages.first { it.reason == "Notes" }.key)
        p.language(Language.ENGLISH)
        p.produce()
        val ready = p.state.value.ready!!
        assertTrue("She sleeps better since the group started." in ready.html)
        assertFalse("back path" in ready.html || "back path" in ready.json)
        assertEquals(Triple(1, 0, 1), Triple(ready.released, ready.shortened, ready.withheld))
        p.done()
        assertNull(p.state.value.ready, "dropped once written")

        for (l in Language.entries) {
            assertEquals(passageReasons(Language.ENGLISH).keys, passageReasons(l).keys, "$l")
        }
    }

    @Test
    fun `her file offers the copy on a lone tablet and never in the practice team, and the screen says where the copy went`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val client = tablet.recordClient("Mukamana Odette")
        val file = ClientFilePresenter(tablet.app, client)
        assertTrue(file.state.value.canExport, "a tablet outside any team: its one user may give the file")
        file.giveFile()
        assertEquals(Screen.ClientExport(client), tablet.app.current)

        val p = ClientExportPresenter(tablet.app, client)
        p.produce()
        assertEquals("komora-file-${tablet.app.vault().today()}", p.state.value.ready!!.name, "the date, never her name")
        p.saved(written = 2, failed = 0, of = 2)
        assertEquals(tablet.t[Str.EXPORT_SAVED], p.state.value.saved)
        assertNull(p.state.value.ready, "dropped once written")
        p.language(null)
        assertEquals(tablet.t[Str.EXPORT_SAVED], p.state.value.saved, "choosing what is already chosen changes nothing")
        p.produce()
        p.saved(written = 0, failed = 1, of = 2)
        assertEquals(tablet.t.format(Str.EXPORT_NOT_WRITTEN, 0, 2), p.state.value.message)
        assertNull(p.state.value.saved)
        p.produce()
        p.saved(written = 0, failed = 0, of = 2)
        assertEquals(tablet.t[Str.EXPORT_NONE_SAVED], p.state.value.saved)
        assertNull(p.state.value.message)

        // The practice team's people are made up, whoever holds the tablet: no copy to give.
        kotlinx.coroutines.runBlocking { tablet.app.joinPractice(TABLET_PIN) }
        val made = tablet.app.vault().clients().first().id
        assertFalse(ClientFilePresenter(tablet.app, made).state.value.canExport)
    }
}
