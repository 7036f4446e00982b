package org.ami.komora.ui

import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** Settings: changing the PIN, as a counsellor does when she suspects someone saw her type it. */
class SettingsFlowTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `she changes her PIN in Settings and the next unlock takes the new one, not the old`() {
        val tablet = Tablet(tmp.resolve("claudine")).standalone()
        val settings = SettingsPresenter(tablet.app)

        settings.currentPin(TABLET_PIN)
        settings.newPin("1234")
        settings.confirmNewPin("1234")
        runBlocking { settings.changePin() }
        assertEquals(listOf(FieldError("newPin", "The PIN needs at least 6 digits")), settings.state.value.pinErrors)

        settings.newPin("975310")
        settings.confirmNewPin("975311")
        runBlocking { settings.changePin() }
        assertEquals(listOf(FieldError("confirmPin", "The two PINs differ")), settings.state.value.pinErrors)

        // A wrong current PIN is refused (and counted like one typed to unlock).
        settings.currentPin("000000")
        settings.newPin("975310")
        settings.confirmNewPin("975310")
        runBlocking { settings.changePin() }
        assertEquals(listOf(FieldError("currentPin", "Wrong PIN")), settings.state.value.pinErrors)
        assertEquals(0, settings.state.value.newPinDigits, "every PIN field is emptied")

        settings.currentPin(TABLET_PIN)
        settings.newPin("975310")
        settings.confirmNewPin("975310")
        runBlocking { settings.changePin() }
        assertEquals("Your PIN is changed. Use the new one from now on.", settings.state.value.pinMessage)
        assertTrue(settings.state.value.pinErrors.isEmpty())
        assertTrue(tablet.app.isUnlocked, "the tablet stays open")
        assertFalse("975310" in settings.state.value.toString(), "no PIN in the screen state")

        tablet.app.lock()
        val unlock = UnlockPresenter(tablet.app)
        unlock.pin(TABLET_PIN)
        runBlocking { unlock.submit() }
        assertEquals("Wrong PIN", unlock.state.value.message, "the old PIN no longer opens it")
        unlock.pin("975310")
        runBlocking { unlock.submit() }
        assertTrue(tablet.app.isUnlocked)
    }

    @Test
    fun `a counsellor who leaves hands her tablet back from Settings and the team keeps all she wrote`() {
        org.ami.komora.RunningServer(tmp.resolve("server")).use { server ->
            val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
            val claudine = Tablet(tmp.resolve("claudine")).enrolThroughScreen(server, admin, "counsellor")
            claudine.recordClient("Written offline before leaving")
            val settings = SettingsPresenter(claudine.app)
            assertTrue(settings.state.value.canHandBack)
            runBlocking { settings.handBack() }
            assertTrue(settings.state.value.handBackAsked, "the first tap asks")
            assertEquals(1, runBlocking { admin.app.vault().devices() }.count { !it.revoked && it.role == "counsellor" })
            runBlocking { settings.handBack() }
            assertTrue(
                settings.state.value.handBackMessage!!.startsWith("Handed back: everything was sent"),
                settings.state.value.handBackMessage,
            )
            assertTrue(claudine.app.vault().syncStatus().handedBack)
            // The administrator sees it handed back, revokes it, and has her client.
            admin.sync()
            val listed = runBlocking { admin.app.vault().devices() }.single { it.role == "counsellor" }
            assertTrue(listed.handedBack)
            runBlocking { admin.app.vault().revokeDevice(listed.id) }
            assertEquals(
                listOf("Written offline before leaving"),
                admin.app.vault().clients().map { it.name },
            )
        }
    }

    @Test
    fun `an administrator sees in Settings every tablet of her team, a silent one flagged, and a server with no backups`() {
        org.ami.komora.RunningServer(tmp.resolve("server")).use { server ->
            val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
            val claudine = Tablet(tmp.resolve("claudine")).enrolThroughScreen(server, admin, "counsellor")
            claudine.recordClient("Written in the field")
            claudine.sync()
            // A counsellor is not shown the team's tablets.
            assertFalse(SettingsPresenter(claudine.app).state.value.canSeeTablets)

            val settings = SettingsPresenter(admin.app)
            assertTrue(settings.state.value.canSeeTablets)
            runBlocking { settings.showTablets() }
            val s = settings.state.value
            assertEquals(2, s.tablets.size, s.tablets.toString())
            val hers = s.tablets.single { it.title.startsWith("Counsellor") }
            // Her sync sent everything: the server heard so at the end of it, not only at login.
            assertTrue(
                hers.detail.startsWith("Komora 0.1.0, last sync just now, 0 waiting to be sent, 0 not read"),
                hers.detail,
            )
            assertFalse(hers.attention)
            assertTrue(s.tablets.single { it.title.startsWith("Administrator") }.title.endsWith("this tablet"))
            assertEquals("Server backups: NONE scheduled: tell whoever runs the server", s.tabletsMessage)
            assertTrue(s.backupNeedsAttention)

            // Fifteen days later she has not synced again: her line says so.
            admin.clock.advanceMinutes(15L * 24 * 60)
            runBlocking { settings.showTablets() }
            val silent = settings.state.value.tablets.single { it.title.startsWith("Counsellor") }
            assertTrue(silent.title.contains("no sync for over 2 weeks"), silent.title)
            assertTrue(silent.attention)
        }
    }
}
