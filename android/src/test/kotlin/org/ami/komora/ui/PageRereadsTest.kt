package org.ami.komora.ui

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * How often the caseload is re-read during a long first sync, on a clock the test turns: the
 * real sync and caseload over a real server are in CaseloadFlowTest; here, the two links and
 * the two tablets a counsellor may have.
 */
class PageRereadsTest {
    private class Link(val pageEveryMs: Long, val rereadMs: Long) {
        var now = 0L
        var rereads = 0
        val rereadsAt = mutableListOf<Long>()

        fun sync(pages: Int) {
            val r = PageRereads { now * 1_000_000 }
            repeat(pages) {
                now += pageEveryMs
                r.maybe {
                    rereadsAt += now
                    rereads++
                    now += rereadMs
                }
            }
        }
    }

    @Test
    fun `over 2G every page she receives shows on her caseload`() {
        // A 256 KiB page every 40 s at 50 kbit/s; a cheap tablet re-reads in a quarter second.
        val link = Link(pageEveryMs = 40_000, rereadMs = 250).also { it.sync(pages = 12) }
        assertEquals(12, link.rereads)
    }

    @Test
    fun `over Wi-Fi a cheap tablet does not spend its first sync redrawing the caseload`() {
        // 400 pages, one every 20 ms; re-reading 300 cases takes 150 ms on a cheap tablet.
        val link = Link(pageEveryMs = 20, rereadMs = 150).also { it.sync(pages = 400) }
        val redrawing = link.rereads * 150L
        assertTrue(link.rereads >= 2, "the caseload still fills during the sync: ${link.rereads}")
        assertTrue(redrawing * 4 <= link.now + 150, "$redrawing ms of ${link.now} ms spent re-reading")
        assertEquals(20L, link.rereadsAt.first(), "the first page shows at once")
    }

    @Test
    fun `a fast tablet on a fast link still sees the list grow page by page`() {
        // A page every 50 ms, a re-read of a few milliseconds: most pages are shown.
        val link = Link(pageEveryMs = 50, rereadMs = 5).also { it.sync(pages = 100) }
        assertEquals(100, link.rereads)
    }
}
