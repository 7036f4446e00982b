package org.ami.komora.android

import android.widget.TextView
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.createVault
import org.ami.komora.ui.Language
import org.ami.komora.ui.Lists
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * A counsellor gives measures from the team's content pack: the SRQ-20 (its English
 * introduction not yet checked against the WHO's guide) and the PHQ-9 in Kinyarwanda, one item
 * reviewed by AMI and one the reviewer was unsure of. The screen marks the draft texts, and
 * TalkBack says what the mark means; reviewed and published texts carry no mark.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class DraftMarkScreenTest {
    private fun Device.mark(text: String): TextView? =
        views().filterIsInstance<TextView>().firstOrNull { it.text.toString() == text }

    @Test
    fun `a draft question or introduction shows the draft mark, seen and heard, and a reviewed one does not`() {
        val d = device()
        d.app.setLanguage(Language.ENGLISH)
        val v = runBlocking { createVault(d.app.vaultDir.path, PIN, KdfStrength.INSECURE_FOR_TESTS, d.app.platformKey) }
        d.app.unlocked(v)
        d.launch()
        val client = d.app.recordClient("Mukamana Odette", 1978, "F")
        d.app.vault().importContentPack(
            """
            {"id": "ami-rw", "version": 1, "language": "rw", "status": "reviewed-by-ami",
             "source": "AMI reviewers, 2026",
             "texts": {"instrument:phq-9:items.1": "Test reviewed item",
                       "instrument:phq-9:items.2": {"text": "Test draft item", "status": "draft"}}}
            """.trimIndent(),
        )

        d.app.open(Screen.Measure(client, "srq-20", null, null))
        d.settle()
        val srq = d.mark("(draft)")
        assertTrue("the SRQ-20's unchecked introduction is marked", srq?.isShown == true && srq.width > 0)
        assertEquals(d.app.texts[Str.DRAFT_MARK_CD], srq!!.contentDescription)
        assertEquals("and the screen passes every check with it", emptyList<Finding>(), ScreenChecker(listOf("Mukamana")).check(d.activity, d.windows()))
        d.back()

        d.app.open(Screen.Measure(client, "phq-9", null, null))
        d.settle()
        assertNull("the PHQ-9's published English carries no mark", d.mark("(draft)"))
        d.back()

        d.app.setLanguage(Language.KINYARWANDA)
        d.app.open(Screen.Measure(client, "phq-9", null, null))
        d.settle()
        val t = d.app.texts
        assertTrue(d.shows("Test reviewed item"))
        assertNull("a reviewed translation carries no mark", d.mark("(agateganyo)"))
        val phq = Lists.instruments.first { it.id == "phq-9" }
        d.tap(phq.options[1].let { t.pick(it.en, it.fr, it.rw) })
        assertTrue(d.shows("Test draft item"))
        val draft = d.mark("(agateganyo)")
        assertTrue("the unsure translation is marked", draft?.isShown == true)
        assertEquals(t[Str.DRAFT_MARK_CD], draft!!.contentDescription)
    }
}
