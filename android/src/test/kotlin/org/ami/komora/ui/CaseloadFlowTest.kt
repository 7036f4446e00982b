package org.ami.komora.ui

import java.nio.file.Path
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.ami.komora.RunningServer
import org.ami.komora.core.NewCase
import org.ami.komora.core.NewClient
import org.ami.komora.core.NewSession
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** The caseload: search as you type, filters, and the sync line with sync on demand. */
class CaseloadFlowTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `search finds a client by any three letters of her name or code, without caring for accents or case`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        tablet.recordClient("Hélène Uwimana", 1975)
        tablet.recordClient("Jean-Bosco Habimana", 1968, sex = "M")
        tablet.recordClient("Chantal Mukeshimana", 1990)
        val p = CaseloadPresenter(tablet.app)

        p.type("HEL")
        assertEquals(listOf("Hélène Uwimana"), p.state.value.results.map { it.name })
        assertEquals("Huye · born 1975", p.state.value.results.single().detail)
        p.type("mana")
        assertEquals(setOf("Hélène Uwimana", "Jean-Bosco Habimana", "Chantal Mukeshimana"), p.state.value.results.map { it.name }.toSet())
        p.type("zzz")
        assertTrue(p.state.value.results.isEmpty())
        p.type("")
        assertTrue(p.state.value.results.isEmpty(), "an empty box lists nobody")
    }

    @Test
    fun `the high-risk and follow-up filters narrow her caseload, and the urgent case says why`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val v = tablet.app.vault()
        val calm = tablet.recordClient("Uwase Diane")
        val worried = tablet.recordClient("Mukamana Odette")
        val due = tablet.recordClient("Ingabire Grace")
        v.addCase(NewCase(clients = listOf(calm), problems = listOf("grief")))
        val risky = v.addCase(NewCase(clients = listOf(worried), problems = listOf("violence")))
        v.raiseRisk(risky, "violence-at-home")
        val dueCase = v.addCase(NewCase(clients = listOf(due), problems = listOf("trauma")))
        v.addSession(NewSession(caseId = dueCase, modality = "office", nextAppointment = v.today()))

        val p = CaseloadPresenter(tablet.app)
        assertEquals(3, p.state.value.cases.size)
        p.filter(CaseloadFilters(highRiskOnly = true))
        val urgent = p.state.value.cases.single()
        assertEquals("Mukamana Odette", urgent.names)
        assertTrue(urgent.urgent)
        assertEquals("Violence at home", urgent.risk)

        p.filter(CaseloadFilters(followUpDueOnly = true))
        val row = p.state.value.cases.single()
        assertEquals("Ingabire Grace", row.names)
        assertTrue(row.followUpDue)
        assertTrue("Follow-up due" in row.detail, row.detail)

        p.filter(CaseloadFilters(status = "closed"))
        assertTrue(p.state.value.cases.isEmpty())
    }

    @Test
    fun `the sync line says how long ago and how much waits, and sync on demand shows its progress`() {
        RunningServer(tmp.resolve("server")).use { server ->
            val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
            val tablet = Tablet(tmp.resolve("t")).enrolThroughScreen(server, admin, "counsellor")
            tablet.recordClient("Uwase Diane")
            val p = CaseloadPresenter(tablet.app)
            val waiting = tablet.app.vault().syncStatus().pending
            assertTrue(waiting > 1)
            assertEquals("Never synced · $waiting changes waiting", p.state.value.syncLine)

            runBlocking { p.sync() }
            assertFalse(p.state.value.syncing)
            assertEquals("Last synced just now · nothing waiting", p.state.value.syncLine)
            assertTrue(p.state.value.syncProgress!!.startsWith("Synced: $waiting sent"), p.state.value.syncProgress)

            tablet.clock.advanceMinutes(125)
            p.refresh()
            assertEquals("Last synced 2 h ago · nothing waiting", p.state.value.syncLine)

            // The server goes away: her work stays, and the screen says so plainly.
            tablet.recordClient("Ingabire Grace")
            server.close()
            runBlocking { p.sync() }
            assertEquals(
                "No connection to the server. Your work is safe on this tablet and will be sent later.",
                p.state.value.message,
            )
            assertTrue(tablet.app.isUnlocked, "a network failure does not lock her out")
            assertTrue(p.state.value.syncLine.endsWith("changes waiting"), p.state.value.syncLine)
            // Days offline: the line says that what waits is on this tablet only (a forgotten
            // PIN means re-enrolment, and would lose it: ADR 0015).
            tablet.clock.advanceMinutes(4 * 24 * 60)
            p.refresh()
            assertTrue(
                p.state.value.syncLine.endsWith("connect to send them (a forgotten PIN would lose them)"),
                p.state.value.syncLine,
            )
        }
    }

    @Test
    fun `a tablet without a server says it works alone`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        assertEquals("This tablet works alone (no sync server)", CaseloadPresenter(tablet.app).state.value.syncLine)
    }

    /**
     * A supervisor's new tablet over a slow link: the first sync brings the caseload first and
     * the long session notes after (ADR 0025). The list fills while the sync runs, and says how
     * many notes are still on their way; at the end every note is there and the line is gone.
     */
    @Test
    fun `a supervisor's new tablet shows the caseload while the session notes are still arriving`() {
        RunningServer(tmp.resolve("server")).use { server ->
            val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
            val counsellor = Tablet(tmp.resolve("c")).enrolThroughScreen(server, admin, "counsellor")
            val v = counsellor.app.vault()
            // 50 clients, a case each and four sessions with long notes: 350 operations, more
            // than a sync reads in one pass.
            val clients = runBlocking { v.importClients((0 until 50).map { NewClient(name = "Umukiriya $it", district = "Huye") }) }
            val syllables = listOf("ba", "ku", "mu", "ra", "ye", "ndi", "nga", "twa", "bwo", "zi", "he", "ri", "sho", "go", "ma", "ki")
            val random = java.util.Random(7)
            fun note() = (0 until 400).joinToString("") { syllables[random.nextInt(syllables.size)] + if (random.nextInt(5) == 0) " " else "" }
            for (client in clients) {
                val case = v.addCase(NewCase(clients = listOf(client)))
                repeat(4) { v.addSession(NewSession(caseId = case, modality = "home-visit", notes = note())) }
            }
            counsellor.sync()

            val supervisor = Tablet(tmp.resolve("s")).enrolThroughScreen(server, admin, "supervisor")
            val p = CaseloadPresenter(supervisor.app)
            assertTrue(p.state.value.cases.isEmpty())
            // Watched from another thread, as a screen draws between pages: each state lasts
            // at least as long as the next page takes to come and be applied.
            val seen = java.util.concurrent.CopyOnWriteArrayList<CaseloadState>()
            runBlocking {
                val watcher = launch(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) { p.state.collect { seen += it } }
                p.sync()
                watcher.cancelAndJoin()
            }
            // The progress line says how much the sync brings in all: 50 clients' keys and
            // fields, 50 cases, 200 sessions.
            val of = seen.mapNotNull { it.syncProgress }.mapNotNull { Regex("Receiving: (\\d+) / (\\d+)").find(it) }
            assertTrue(of.isNotEmpty(), "${seen.mapNotNull { it.syncProgress }.distinct()}")
            assertTrue(of.all { it.groupValues[2].toInt() in 350..360 }, "${of.map { it.value }}")
            val early = seen.firstOrNull { it.syncing && it.cases.size == 50 && "session notes still arriving" in it.syncLine }
            assertNotNull(early, "the caseload was on screen before the notes: ${seen.map { "${it.cases.size} ${it.syncLine}" }.distinct()}")
            val coming = Regex("(\\d+) session notes still arriving").find(early!!.syncLine)!!.groupValues[1].toInt()
            assertTrue(coming in 1..200, early.syncLine)

            val done = p.state.value
            assertFalse(done.syncing)
            assertEquals(50, done.cases.size)
            assertFalse("still arriving" in done.syncLine, done.syncLine)
            val sv = supervisor.app.vault()
            val client = sv.getCase(done.cases.first().caseId).clients.first()
            val notes = sv.timeline(client).filter { it.kind == "session" }.map { sv.session(it.recordId).notes }
            assertEquals(4, notes.count { !it.isNullOrEmpty() }, "every note came")
        }
    }

    /**
     * She has "muk" typed in the search box when she syncs; the sync brings her supervisor's
     * erasure of Mukamana Odette. The results follow the sync: her name, code and birth year
     * do not stay on the screen until she types again.
     */
    @Test
    fun `a client erased by the supervisor leaves her search results when the sync ends`() {
        RunningServer(tmp.resolve("server")).use { server ->
            val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
            val counsellor = Tablet(tmp.resolve("c")).enrolThroughScreen(server, admin, "counsellor")
            val odette = counsellor.recordClient("Mukamana Odette", 1975)
            counsellor.recordClient("Mukeshimana Chantal", 1990)
            counsellor.sync()
            admin.sync()

            val p = CaseloadPresenter(counsellor.app)
            p.type("muk")
            assertEquals(setOf("Mukamana Odette", "Mukeshimana Chantal"), p.state.value.results.map { it.name }.toSet())
            admin.app.vault().eraseClient(odette, "client-request")
            admin.sync()

            runBlocking { p.sync() }
            assertEquals(null, p.state.value.message)
            assertEquals(listOf("Mukeshimana Chantal"), p.state.value.results.map { it.name })
        }
    }
}
