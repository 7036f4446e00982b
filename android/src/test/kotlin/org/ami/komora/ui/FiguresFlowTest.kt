package org.ami.komora.ui

import java.time.LocalDate
import kotlinx.coroutines.runBlocking
import org.ami.komora.WithServer
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * Diane, AMI's data officer, has a tablet of her own. It opens on the donors' figures, which
 * match the supervisor's to the digit, and it shows no name anywhere: it never received the key
 * that opens them (ADR 0011).
 */
class FiguresFlowTest : WithServer() {
    @Test
    fun `a data officer's tablet opens on the donors' figures, the supervisor's own, and shows no name`() {
        val supervisor = Tablet(tmp.resolve("jean")).bootstrapAdmin(server)
        val counsellor = Tablet(tmp.resolve("claudine")).enrolThroughScreen(server, supervisor, "counsellor")
        val officer = Tablet(tmp.resolve("diane")).enrolThroughScreen(server, supervisor, "data_officer")
        assertEquals(Screen.Figures, officer.app.current, "her home screen is the figures")

        // Claudine's week: five women and five sessions.
        val names = listOf("Mukamana Odette", "Uwase Diane", "Nyirahabimana Claire", "Ingabire Rose", "Umutoni Alice")
        for (name in names) {
            val client = counsellor.recordClient(name)
            val file = ClientFilePresenter(counsellor.app, client)
            file.openCase("grief")
            SessionFormPresenter(counsellor.app, file.state.value.openCases.single().id).apply {
                modality("office")
                notes("She spoke about her brother.")
                save()
            }
        }
        // Her first client's PHQ-9: the figures count it by band and name the cut-off set.
        val first = counsellor.app.vault().clients().first { it.name == names.first() }.id
        counsellor.app.vault().addAssessment(org.ami.komora.core.NewAssessment(clientId = first, instrument = "phq-9", answers = List(9) { 1 }))
        counsellor.sync()
        supervisor.sync()

        val figures = FiguresPresenter(officer.app)
        runBlocking { figures.sync() }
        val shown = figures.state.value
        assertTrue(shown.rows.any { it.label.startsWith("Sessions") && it.detail == "Total" && it.count == "5" }, "five sessions")
        assertTrue(shown.rows.any { it.label.startsWith("People reached") && it.detail == "by district: Huye" && it.count == "5" })
        assertTrue(shown.range.isNotEmpty())
        val phq = Lists.instrumentName("phq-9")
        assertTrue(shown.rows.any { it.label == "Latest score, by band" && it.detail == "$phq: Mild" && it.count == "<5" }, "a score of 9 is mild")
        assertTrue(shown.rows.any { it.label == "Cut-off set used" && it.detail == "$phq: phq-9:standard" })
        assertTrue(shown.rows.none { it.label.startsWith(officer.t[Str.FIGURES_TITLE]) }, "every figure says what it counts")

        // The supervisor's figures are the same, to the digit.
        val his = FiguresPresenter(supervisor.app)
        runBlocking { his.load() }
        assertEquals(his.state.value.csv, shown.csv)
        assertTrue(CaseloadPresenter(supervisor.app).state.value.reviews, "the supervisor reaches the figures from his caseload")

        // Nothing on her tablet names anyone, and it records nothing.
        val clients = officer.app.vault().clients()
        assertEquals(5, clients.size)
        assertTrue(clients.all { it.name.isEmpty() }, "no name opens on her tablet")
        assertTrue(names.none { n -> shown.csv.contains(n) })
        val form = ClientFormPresenter(officer.app, null)
        form.set("name", "Someone")
        form.consent("data-recording", true)
        form.save()
        assertFalse(officer.app.current is Screen.ClientFile, "her tablet records no client")
        assertEquals("Your role does not allow this", form.state.value.message)
    }

    @Test
    fun `the periods are whole quarters and years`() {
        val day = LocalDate.parse("2026-12-04")
        assertEquals(LocalDate.parse("2026-10-01") to day, periodRange("quarter", day))
        assertEquals(LocalDate.parse("2026-07-01") to LocalDate.parse("2026-09-30"), periodRange("last-quarter", day))
        assertEquals(LocalDate.parse("2025-10-01") to LocalDate.parse("2025-12-31"), periodRange("last-quarter", LocalDate.parse("2026-02-10")))
        assertEquals(LocalDate.parse("2026-01-01") to day, periodRange("year", day))
        assertEquals(null to null, periodRange("all", day))
        assertEquals(listOf("a", "b, c", "say \"hi\"", "", "", ""), splitCsv("a,\"b, c\",\"say \"\"hi\"\"\""))
    }
}
