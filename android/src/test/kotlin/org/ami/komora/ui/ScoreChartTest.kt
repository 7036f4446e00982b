package org.ami.komora.ui

import java.nio.file.Files
import java.nio.file.Path
import java.time.LocalDate
import kotlin.io.path.isRegularFile
import kotlinx.coroutines.runBlocking
import org.ami.komora.PIN
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.KomoraException
import org.ami.komora.core.KomoraVault
import org.ami.komora.core.NewAssessment
import org.ami.komora.core.NewClient
import org.ami.komora.core.NewReferral
import org.ami.komora.core.NewRightsRequest
import org.ami.komora.core.PassageDecision
import org.ami.komora.core.createVault
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * Mukamana's file shows her PHQ-9 over three months as a chart with the bands behind it, in
 * Kinyarwanda, French and English, and TalkBack reads every date, score and band; the figures
 * are the core's. Her supervisor gives her the file from the app: the documents come back in
 * memory, and nothing readable is left on the tablet's storage.
 */
class ScoreChartTest {
    @TempDir
    lateinit var tmp: Path

    private fun vault(): KomoraVault = runBlocking {
        createVault(tmp.resolve("v").toString(), PIN, KdfStrength.INSECURE_FOR_TESTS, null)
    }

    private fun KomoraVault.daysAgo(n: Long): String = LocalDate.parse(today()).minusDays(n).toString()

    private fun phq(v: KomoraVault, client: String, daysAgo: Long, answer: Int) {
        v.addAssessment(NewAssessment(clientId = client, instrument = "phq-9", answers = List(9) { answer }, date = v.daysAgo(daysAgo)))
    }

    @Test
    fun `the chart shows the core's scores and bands and TalkBack reads them in each language`() {
        vault().use { v ->
            val client = v.addClient(NewClient(name = "Mukamana Odette", sex = "F", birthYear = 1984))
            phq(v, client, 90, 2) // 18
            phq(v, client, 45, 1) // 9
            phq(v, client, 1, 0) // 0
            val core = v.measureTrends(client).single()
            for (language in Language.entries) {
                val t = Texts(language)
                val chart = scoreCharts(v, client, t).single()
                assertEquals(core.points.map { it.score }, chart.dots.map { it.score }, "$language: the core's scores")
                assertEquals(core.points.map { it.band }, chart.dots.map { it.band }, "$language: the core's bands")
                assertEquals(listOf(18, 9, 0), chart.dots.map { it.score })
                assertEquals("phq-9:standard", chart.cutoffSet)
                // Positions follow the figures: the lowest score at the bottom, dates in order.
                assertEquals(listOf(18f / 27f, 9f / 27f, 0f), chart.dots.map { it.y })
                assertEquals(0f, chart.dots.first().x)
                assertEquals(1f, chart.dots.last().x)
                assertTrue(chart.dots[1].x in 0.45f..0.55f)
                // The bands behind cover the whole scale, in order.
                assertEquals(0f, chart.areas.first().bottom)
                assertEquals(1f, chart.areas.last().top)
                // TalkBack: every date in this language's format, every score and band label.
                for (d in chart.dots) {
                    assertTrue(chart.description.contains(t.date(d.date)), "$language: ${d.date}")
                    assertTrue(chart.description.contains("${d.score}, ${d.bandLabel}"), "$language: ${d.score}")
                }
                assertEquals(language != Language.ENGLISH, chart.labelsMissing, "labels not translated yet are flagged")
            }
            assertTrue(scoreCharts(v, client, Texts(Language.FRENCH)).single().description.startsWith("PHQ-9 : 3 scores"))
        }
    }

    @Test
    fun `every language of the chart keeps the same placeholders`() {
        val placeholders = { s: String -> Regex("\\{\\d}").findAll(s).map { it.value }.toSet() }
        val english = chartPhrases(Language.ENGLISH).map(placeholders)
        for (l in Language.entries) {
            assertEquals(english, chartPhrases(l).map(placeholders), "$l")
        }
    }

    @Test
    fun `a supervisor gives a client her file and no readable copy is left on the tablet`() {
        vault().use { v ->
            val client = v.addClient(NewClient(name = "Mukamana Odette", sex = "F", birthYear = 1984))
            phq(v, client, 3, 1)
            val before = Files.walk(tmp).use { s -> s.filter { it.isRegularFile() }.toList().toSet() }
            val passages = v.clientExportReview(client)
            assertTrue(passages.isEmpty())
            val docs = v.exportClient(client, emptyList<PassageDecision>(), "fr")
            assertTrue(docs.html.contains("Votre dossier à AMI"))
            assertTrue(docs.json.contains("Mukamana Odette"))
            val after = Files.walk(tmp).use { s -> s.filter { it.isRegularFile() }.toList().toSet() }
            assertEquals(before, after, "the export wrote no file")
            for (f in after) {
                assertFalse(String(Files.readAllBytes(f), Charsets.ISO_8859_1).contains("Mukamana"), "$f holds her name in clear")
            }
            // An objection to sharing refuses a referral, with a reason the screen can show.
            v.addRightsRequest(NewRightsRequest(clientId = client, right = "objection", subject = "sharing"))
            val refused = assertThrows(KomoraException.Forbidden::class.java) {
                v.addReferral(NewReferral(clientId = client, destination = "health-centre"))
            }
            assertTrue(refused.reason.contains("objected to sharing"))
            assertEquals(listOf("objection"), v.rightsRequests(client).map { it.right })
        }
    }
}
