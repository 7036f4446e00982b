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
}
