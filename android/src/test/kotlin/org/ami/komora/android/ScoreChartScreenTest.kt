package org.ami.komora.android

import android.graphics.Bitmap
import android.graphics.Canvas
import android.graphics.Color
import android.view.View
import android.widget.TextView
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.createVault
import org.ami.komora.ui.Language
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str
import org.ami.komora.ui.draftMark
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * Mukamana's file shows her PHQ-9 of November and of today as a chart with the bands behind
 * it, in Kinyarwanda, French and English; TalkBack reads the chart as the core's own dates,
 * scores and bands, and where the bands' labels lack the language they carry the draft mark.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class ScoreChartScreenTest {
    @Test
    fun `her file draws each measure's scores over its bands, and TalkBack reads the core's dates, scores and bands in each language`() {
        val d = device()
        val v = runBlocking { createVault(d.app.vaultDir.path, PIN, KdfStrength.INSECURE_FOR_TESTS, d.app.platformKey) }
        d.app.unlocked(v)
        d.launch()
        val odette = d.app.claudinesCaseload().id("Mukamana Odette")
        d.app.open(Screen.ClientFile(odette))
        d.settle()
        val core = d.app.vault().scoreCharts(odette).single()
        assertEquals("two PHQ-9s, in November and today", 2, core.points.size)

        for (language in listOf(Language.KINYARWANDA, Language.FRENCH, Language.ENGLISH)) {
            d.app.setLanguage(language)
            d.settle()
            val t = d.app.texts
            val chart = d.views().filterIsInstance<ScoreChartView>().single()
            val density = chart.resources.displayMetrics.density
            assertTrue("$language: drawn at a readable size", chart.isShown && chart.height >= (150 * density).toInt() && chart.width > chart.height)

            // TalkBack: the whole chart in words, every figure the core's.
            assertTrue(chart.isImportantForAccessibility && chart.isFocusable)
            val said = chart.contentDescription.toString()
            for (p in core.points) {
                val band = core.bands.single { it.id == p.band }
                // "3 Nov 2026: 18, Moderately severe." (French puts a space before the colon)
                val expected = Regex(Regex.escape(t.date(p.date)) + " ?: ${p.score}, " + Regex.escape(t.pick(band.en, band.fr, band.rw)) + "\\.")
                assertTrue("$language: $expected in \"$said\"", expected.containsMatchIn(said))
            }
            assertTrue("$language: the cut-off set named", said.contains(core.cutoffSet))

            // The bands behind: down a strip on the chart's right edge, where no dot or label
            // is drawn, one tint per band of the core's.
            val picture = Bitmap.createBitmap(chart.width, chart.height, Bitmap.Config.ARGB_8888)
            chart.draw(Canvas(picture))
            val x = chart.width - (10 * density).toInt()
            val tints = (0 until chart.height).map { picture.getPixel(x, it) }.filter { Color.alpha(it) > 0 }.toSet()
            assertTrue("$language: ${tints.size} tints for ${core.bands.size} bands", tints.size >= core.bands.size)

            // The bands' labels lack Kinyarwanda and French (shown in English): marked as a draft.
            val mark = d.views().filterIsInstance<TextView>().firstOrNull { it.text.toString() == draftMark(t) }
            if (language == Language.ENGLISH) {
                assertNull("the English labels are the published ones", mark)
            } else {
                assertNotNull("$language: the draft mark beside the chart", mark)
                assertEquals(t[Str.DRAFT_MARK_CD], mark!!.contentDescription)
                assertEquals(View.IMPORTANT_FOR_ACCESSIBILITY_YES, mark.importantForAccessibility)
            }
        }
    }
}
