package org.ami.komora.android

import java.io.File
import org.ami.komora.ui.Language
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * Every screen of the app, reached as its people reach it, checked on a 7" and a 10" tablet at
 * the default and the large font, in each language (ScreenChecker: nothing cut off or drawn
 * over, 48 dp targets, TalkBack names, 4.5:1 contrast, secure windows, nothing personal in
 * titles or notifications). With -Dkomora.screens.out=DIR (scripts/screens.sh) it also writes
 * each screen's picture there.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class ScreenTourTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private fun tour(language: Language) {
        val d = device()
        val out = System.getProperty("komora.screens.out")?.takeIf { it.isNotBlank() }?.let(::File)
        val matrix = Matrix(d, language, out) { personalData(d) }
        Tour(d, tmp.root, language, matrix::at).run()
        println("screens: ${language.code}: ${matrix.passed} of ${matrix.checked} screen x tablet x font checks pass")
        assertEquals(
            "${matrix.findings.size} findings",
            emptyList<String>(),
            matrix.findings,
        )
        assertEquals(TOUR_STOPS.size * TABLETS.size * FONT_SCALES.size, matrix.checked)
    }

    @Test
    fun `every screen in Kinyarwanda`() = tour(Language.KINYARWANDA)

    @Test
    fun `every screen in French`() = tour(Language.FRENCH)

    @Test
    fun `every screen in English`() = tour(Language.ENGLISH)
}

/** What must never show outside a window's content: the names and words of the people in the tour. */
fun personalData(d: Device): Collection<String> = buildSet {
    addAll(listOf("Mukamana", "Odette", "Uwase", "Habimana", "Ingabire", "Nyirahabimana", "Ishimwe", "Uwimana", "anniversary", "husband"))
    // A data officer's tablet cannot read names: those it lists are empty, and nothing to look for.
    if (d.app.isUnlocked) runCatching { d.app.vault().clients() }.getOrNull()?.forEach { if (it.name.isNotBlank()) add(it.name) }
}
