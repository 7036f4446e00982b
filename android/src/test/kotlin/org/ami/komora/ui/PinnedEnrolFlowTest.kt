package org.ami.komora.ui

import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import org.ami.komora.RunningServer
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * Enrolling from the QR code of a server that serves its own certificate, with no domain name
 * and no certificate authority: the QR code carries the pin of the server's key, and the tablet
 * trusts that key only (ADR 0014; finding 12 of the security review, issue 16).
 */
class PinnedEnrolFlowTest {
    @TempDir
    lateinit var tmp: Path

    /** Scan [qr] on [tablet]'s enrol screen and submit it with the PIN typed twice. */
    private fun enrolFrom(tablet: Tablet, qr: String, expectPins: List<String?>): EnrolPresenter {
        val p = EnrolPresenter(tablet.app)
        p.scanned(qr)
        assertEquals(expectPins, p.state.value.pins, "the scan took the pins")
        p.pin(TABLET_PIN)
        p.confirmPin(TABLET_PIN)
        runBlocking { p.submit() }
        return p
    }

    @Test
    fun `a tablet enrolled from the QR code of a server with its own certificate syncs, and a QR code naming another key is refused as an impostor`() {
        RunningServer(tmp.resolve("server"), tls = true).use { server ->
            val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
            val qr = runBlocking { admin.app.vault().invite("counsellor", 24).link }

            val claudine = Tablet(tmp.resolve("claudine"))
            val enrol = enrolFrom(claudine, qr, listOf(server.pin))
            assertEquals(Screen.Caseload, claudine.app.current, "enrolled: ${enrol.state.value.message}")
            claudine.recordClient("Uwase Immaculée")
            claudine.sync()
            admin.sync()
            assertEquals(1, runBlocking { admin.app.vault().searchClients("uwase", 10) }.size, "it crossed over TLS")

            // The same invitation, but a QR code naming another key (forged, or another server's).
            val other = "sha256/" + "A".repeat(43) + "="
            val forged = EnrolmentLink.parse(qr)!!.let { EnrolmentLink.format(it.server, it.code, listOf(other)) }
            val tablet = Tablet(tmp.resolve("second"))
            val p = enrolFrom(tablet, forged, listOf(other))
            assertEquals(tablet.t[Str.ERR_UNTRUSTED_SERVER], p.state.value.message)
            assertEquals(Screen.Enrol, tablet.app.current)
            assertFalse(org.ami.komora.core.vaultExists(tablet.app.vaultDir.path), "nothing was made")
        }
    }

    @Test
    fun `an address typed by hand in plain http to another machine is refused on the form before anything is sent`() {
        val tablet = Tablet(tmp.resolve("tablet"))
        val p = EnrolPresenter(tablet.app)
        p.server("http://192.168.1.10:8787")
        p.code("7K3MQ-9XD2H-PAVW4-E8TRC")
        p.pin(TABLET_PIN)
        p.confirmPin(TABLET_PIN)
        runBlocking { p.submit() }
        assertEquals(listOf(FieldError("server", tablet.t[Str.SERVER_INVALID])), p.state.value.errors)
        assertFalse(org.ami.komora.core.vaultExists(tablet.app.vaultDir.path))
        // A QR code pointing there is no enrolment code at all.
        p.scanned("komora:enrol?server=http%3A%2F%2F192.168.1.10%3A8787&code=7K3MQ9XD2HPAVW4E8TRC")
        assertEquals(tablet.t[Str.QR_UNKNOWN], p.state.value.message)
    }
}
