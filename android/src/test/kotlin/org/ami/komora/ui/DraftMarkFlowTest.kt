package org.ami.komora.ui

import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * A counsellor gives the PHQ-9 in Kinyarwanda from the team's content pack: the reviewed item
 * shows as it is, the item the reviewer was unsure of carries the small draft mark, and the
 * SRQ-20, whose English introduction was never checked against the WHO guide, carries it too.
 */
class DraftMarkFlowTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `a draft translation and an unchecked introduction carry the draft mark, a reviewed one does not`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val client = tablet.recordClient("Mukamana Odette")
        val pack = """
            {"id": "ami-rw", "version": 1, "language": "rw", "status": "reviewed-by-ami",
             "source": "AMI reviewers, 2026",
             "texts": {"instrument:phq-9:items.1": "Test reviewed item",
                       "instrument:phq-9:items.2": {"text": "Test draft item", "status": "draft"}}}
        """.trimIndent()
        tablet.app.vault().importContentPack(pack)

        val phqEnglish = MeasurePresenter(tablet.app, client, "phq-9", null, null)
        assertNull(phqEnglish.state.value.draftMark, "the PHQ-9's English is the published text")
        val srq = MeasurePresenter(tablet.app, client, "srq-20", null, null)
        assertEquals("(draft)", srq.state.value.draftMark)

        tablet.app.setLanguage(Language.KINYARWANDA)
        val phq = MeasurePresenter(tablet.app, client, "phq-9", null, null)
        assertEquals("Test reviewed item", phq.state.value.question)
        assertNull(phq.state.value.draftMark)
        phq.answer(1)
        assertEquals("Test draft item", phq.state.value.question)
        assertEquals("(agateganyo)", phq.state.value.draftMark)
    }
}
