package org.ami.komora

import java.nio.file.Path
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.ClientChanges
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.KomoraException
import org.ami.komora.core.KomoraVault
import org.ami.komora.core.NewAssessment
import org.ami.komora.core.NewCase
import org.ami.komora.core.NewClient
import org.ami.komora.core.NewSession
import org.ami.komora.core.createVault
import org.ami.komora.core.instruments
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

class CaseWorkTest {
    @TempDir
    lateinit var tmp: Path

    private fun vault(): KomoraVault = runBlocking {
        createVault(tmp.resolve("v").toString(), PIN, KdfStrength.INSECURE_FOR_TESTS, null)
    }

    @Test
    fun `a home visit with a PHQ-9 scores 14, moderate, and waits in the review queue`() {
        vault().use { v ->
            val odette = v.addClient(NewClient(name = "Hélène Mukamana", sex = "F", birthYear = 1980))
            val case = v.addCase(NewCase(clients = listOf(odette), problems = listOf("trauma", "grief")))
            val session = v.addSession(
                NewSession(
                    caseId = case, modality = "home-visit", durationMin = 60,
                    notes = "Spoke about the anniversary.", householdPresent = listOf("her son"),
                    safetyNotes = "Meet outside next time.",
                )
            )
            val phq9 = instruments().single { it.id == "phq-9" }
            assertEquals(9, phq9.items.size)
            val score = v.addAssessment(
                NewAssessment(clientId = odette, instrument = "phq-9", answers = listOf(2, 2, 2, 2, 2, 2, 1, 1, 0), caseId = case, sessionId = session)
            )
            assertEquals(14, score.total)
            assertEquals("moderate", score.band)

            // Typed three letters, without the accent.
            assertEquals(listOf(odette), v.searchClients("hel", 10).map { it.id })
            val seen = v.viewSession(session)
            assertEquals("Spoke about the anniversary.", seen.notes)
            assertEquals(listOf("her son"), seen.householdPresent)
            assertEquals(session, v.reviewQueue().single().sessionId)
            val kinds = v.timeline(odette).map { it.kind }.toSet()
            assertEquals(setOf("case", "session", "assessment"), kinds)
            assertTrue(v.timeline(odette).any { it.summary == "phq-9 14 moderate" })

            // Out-of-range answers are refused with the field named; nothing is written.
            val e = assertThrows(KomoraException.Validation::class.java) {
                v.addAssessment(NewAssessment(clientId = odette, instrument = "phq-9", answers = listOf(9, 0, 0, 0, 0, 0, 0, 0, 0)))
            }
            assertEquals("answers", e.field)
            assertEquals(1, v.measureTrends(odette).single().points.size)
        }
    }

    @Test
    fun `edits keep their history and a closed case takes no new session`() {
        vault().use { v ->
            val id = v.addClient(NewClient(name = "Uwase Diane", phone = "0788123456"))
            v.editClient(id, ClientChanges(phone = "0722000111"))
            v.editClient(id, ClientChanges(clear = listOf("phone")))
            val history = v.clientHistory(id, "phone")
            assertEquals(listOf("0788123456", "0722000111", null), history.map { it.value })
            assertEquals("current", history.last().status)
            // Records print their type only: a log line or a crash report holds no name or phone.
            val printed = listOf(
                v.viewClient(id), NewClient(name = "Uwase Diane"), ClientChanges(phone = "0722000111"),
                history.first(), NewSession(caseId = "x", modality = "office", notes = "Uwase cried"),
            ).joinToString(" ") { "$it" }
            for (secret in listOf("Uwase", "0788123456", "0722000111")) {
                assertTrue(secret !in printed, "printed $printed")
            }
            val case = v.addCase(NewCase(clients = listOf(id)))
            v.setCaseStatus(case, "closed", null)
            val e = assertThrows(KomoraException.Validation::class.java) {
                v.addSession(NewSession(caseId = case, modality = "office"))
            }
            assertEquals("case", e.field)
        }
    }

    @Test
    fun `many coroutines save and search at once and nothing is lost`() = runBlocking {
        vault().use { v ->
            val ids = (0 until 8).map { worker ->
                async(Dispatchers.Default) {
                    (0 until 25).map { i ->
                        val id = v.addClient(NewClient(name = "Worker-$worker client $i"))
                        v.searchClients("worker-$worker", 5)
                        id
                    }
                }
            }.awaitAll().flatten()
            assertEquals(200, ids.toSet().size)
            assertEquals(200, v.clients().size)
            assertEquals(25, v.searchClients("worker-3", 100).size)
        }
    }

    @Test
    fun `a bulk import is all or nothing`() = runBlocking {
        vault().use { v ->
            val good = (0 until 50).map { NewClient(name = "Imported $it") }
            assertEquals(50, v.importClients(good).size)
            val bad = good + NewClient(name = "")
            val e = runCatching { v.importClients(bad) }.exceptionOrNull()
            assertTrue(e is KomoraException.Validation, "got $e")
            assertEquals(50, v.clients().size)
            assertFalse(v.clients().any { it.name.isEmpty() })
        }
    }
}
