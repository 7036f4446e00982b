package org.ami.komora.ui

import java.io.File
import kotlinx.coroutines.runBlocking
import org.ami.komora.WithServer
import org.ami.komora.core.KdfStrength
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * Claudine counsels in Huye and, since the Nyanza team opened, there too. One tablet, one PIN:
 * both teams open together, a switcher on her caseload shows one at a time, and neither team's
 * clients appear in the other (each team is a vault of its own, ADR 0011).
 */
class TeamsFlowTest : WithServer() {
    private fun names(tablet: Tablet) = tablet.app.vault().clients().map { it.name }.sorted()

    @Test
    fun `a counsellor in two teams opens both with one PIN, switches between them, and each shows only its own clients`() {
        val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
        // The administrator makes the Nyanza team: her tablet now holds both teams.
        val nyanza = runBlocking {
            admin.app.vault().createTeam(File(admin.app.vaultDir, "teams/nyanza").path, TABLET_PIN, "Nyanza", KdfStrength.INSECURE_FOR_TESTS, null)
        }
        admin.app.joined(nyanza)
        assertEquals(listOf("Huye", "Nyanza"), admin.app.teams().map { it.label })
        assertEquals("1", admin.app.currentTeam)

        admin.app.switchTeam("0")
        val claudine = Tablet(tmp.resolve("claudine")).enrolThroughScreen(server, admin, "counsellor")
        claudine.recordClient("Uwase Huye")
        claudine.sync()

        // Nyanza invites her; she joins from Settings with her tablet's PIN.
        admin.app.switchTeam("1")
        val code = runBlocking { admin.app.vault().invite("counsellor", 24).code }
        claudine.app.open(Screen.JoinTeam)
        val join = EnrolPresenter(claudine.app, joining = true)
        join.scanned(EnrolmentLink.format(server.url, code))
        join.pin("13579135")
        runBlocking { join.submit() }
        assertEquals(listOf("pin"), join.state.value.errors.map { it.field }, "another PIN is refused")
        join.pin(TABLET_PIN)
        runBlocking { join.submit() }
        val caseload = CaseloadPresenter(claudine.app)
        assertEquals(listOf("Huye", "Nyanza"), caseload.state.value.teams.map { it.label })
        assertEquals("1", caseload.state.value.team)
        assertEquals(emptyList<String>(), names(claudine))
        claudine.recordClient("Mukamana Nyanza")
        claudine.sync()

        caseload.switchTeam("0")
        assertEquals(Screen.Caseload, claudine.app.current)
        assertEquals(listOf("Uwase Huye"), names(claudine), "Huye shows Huye's clients only")

        // Locked and opened again: one PIN opens both teams.
        claudine.app.lock()
        val unlock = UnlockPresenter(claudine.app)
        unlock.pin(TABLET_PIN)
        runBlocking { unlock.submit() }
        assertEquals(listOf("Huye", "Nyanza"), claudine.app.teams().map { it.label })
        claudine.app.switchTeam("1")
        assertEquals(listOf("Mukamana Nyanza"), names(claudine))

        // The Nyanza administrator receives Claudine's Nyanza client, not her Huye one.
        admin.sync()
        assertEquals(listOf("Mukamana Nyanza"), names(admin))
    }

    /**
     * She joins a second team over a slow link and the screen times out (the app locks)
     * before the enrolment ends. When the screen comes back, the PIN is asked: the new team
     * did not open itself, and it opens with the others once she types her PIN.
     */
    @Test
    fun `a team joined while the tablet was locked stays locked until her PIN`() {
        val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
        admin.recordClient("Uwase Huye")
        val joined = runBlocking {
            admin.app.vault().createTeam(File(admin.app.vaultDir, "teams/nyanza").path, TABLET_PIN, "Nyanza", KdfStrength.INSECURE_FOR_TESTS, null)
        }
        admin.app.backgrounded()
        admin.app.joined(joined)
        admin.app.foregrounded()
        assertFalse(admin.app.isUnlocked, "no team opened without the PIN")
        assertEquals(Screen.Unlock, admin.app.current)

        admin.unlock()
        assertTrue(admin.app.isUnlocked)
        assertEquals(listOf("Huye", "Nyanza"), admin.app.teams().map { it.label })
    }
}
