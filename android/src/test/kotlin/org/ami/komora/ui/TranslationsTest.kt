package org.ami.komora.ui

import java.nio.file.Path
import org.ami.komora.core.KomoraException
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

class TranslationsTest {
    @TempDir
    lateinit var tmp: Path

    private val placeholder = Regex("\\{\\d+}")

    @Test
    fun `every string exists in Kinyarwanda, French and English, with the same placeholders`() {
        val problems = buildList {
            for (l in Language.entries) {
                val table = table(l)
                for (key in Str.entries) {
                    val text = table[key]
                    if (text.isNullOrBlank()) {
                        add("${l.code}: $key is missing")
                        continue
                    }
                    val expected = placeholder.findAll(ENGLISH_TEXTS.getValue(key)).map { it.value }.toSet()
                    val found = placeholder.findAll(text).map { it.value }.toSet()
                    if (expected != found) add("${l.code}: $key has $found, English has $expected")
                }
            }
        }
        assertEquals(emptyList<String>(), problems)
    }

    @Test
    fun `every code the core can return for a status, risk, verdict or role has a label in every language`() {
        val codes = CASE_STATUSES + listOf("low", "medium", "high", "pending", "accepted", "completed", "declined", "cancelled") +
            listOf("comment", "approved", "needs-changes", "given", "withdrawn") +
            listOf("role-counsellor", "role-supervisor", "role-admin", "role-data_officer", "sex-F", "sex-M") +
            listOf("case", "session", "assessment", "referral", "consent", "group-session").map { "timeline-$it" }
        for (l in Language.entries) {
            val t = Texts(l)
            for (c in codes) assertTrue(t.labelled(c) && t.code(c).isNotBlank(), "${l.code} has no label for $c")
        }
        assertEquals("Changes requested", Texts(Language.ENGLISH).code("needs-changes"))
        assertEquals("Corrections demandées", Texts(Language.FRENCH).code("needs-changes"))
    }

    @Test
    fun `every refusal of the core reads as a sentence in each language, never as the raw exception`() {
        val refusals = listOf(
            KomoraException.Validation("birth_year", "must be a year"), KomoraException.ConsentWithdrawn("sharing"),
            KomoraException.Network("reset"), KomoraException.Storage("disk I/O error"),
            KomoraException.Corrupt("operation 4f2a"), KomoraException.Internal("index out of bounds"),
            KomoraException.Revoked(true), KomoraException.Revoked(false), KomoraException.InvalidCode(),
        )
        for (l in Language.entries) {
            val t = Texts(l)
            for (e in refusals) {
                val text = t.error(e)
                assertTrue(text.isNotBlank())
                for (internal in listOf("disk I/O", "4f2a", "index out of bounds", "reset")) {
                    assertTrue(internal !in text, "${l.code}: '$text' shows an internal detail")
                }
            }
        }
        assertEquals("Year of birth: must be a year", Texts(Language.ENGLISH).error(KomoraException.Validation("birth_year", "must be a year")))
    }

    @Test
    fun `switching to French changes the screens' words and dates at once, and the choice is kept`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        tablet.recordClient("Uwase Diane")
        val settings = SettingsPresenter(tablet.app)
        assertEquals(listOf("Ikinyarwanda", "Français", "English"), settings.state.value.languages.map { it.label })
        settings.language("fr")
        assertEquals("Ce code QR n'est pas un code d'inscription Komora", tablet.t[Str.QR_UNKNOWN])
        assertEquals("5 déc. 2026", tablet.t.date("2026-12-05"))
        assertEquals("Cette tablette travaille seule (sans serveur)", CaseloadPresenter(tablet.app).state.value.syncLine)
        assertEquals("Sécurité", tablet.t.code("safety"), "list labels follow the language")

        settings.language("rw")
        assertEquals("05/12/2026", tablet.t.date("2026-12-05"))
        // A list label not yet translated into Kinyarwanda shows in English rather than invented.
        assertEquals("Safety", tablet.t.code("safety"))
        assertEquals(Language.KINYARWANDA, FilePreferences(tmp.resolve("t").resolve("settings.properties").toFile()).language)
    }

    /** A handed-back tablet, an unproven revocation: each says what happened, in every language. */
    @Test
    fun `a handed-back tablet and an unproven revocation each read in her language`() {
        for (language in Language.entries) {
            val t = Texts(language)
            for (e in listOf(KomoraException.HandedBack(), KomoraException.RevocationUnproven())) {
                val said = t.error(e)
                assertTrue(said != t[Str.ERR_INTERNAL], "$language: ${e::class.simpleName} reads as an internal fault")
            }
        }
    }
}
