package org.ami.komora

import java.io.BufferedReader
import java.io.InputStreamReader
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.KomoraException
import org.ami.komora.core.NewClient
import org.ami.komora.core.bootstrap
import org.ami.komora.core.enroll
import org.ami.komora.core.parseEnrolmentLink
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * A real komora-sync-server on a loopback port, with its bootstrap code. Plain HTTP on
 * loopback unless [tls]: then it serves its own certificate and [pin] is the pin it printed.
 */
class RunningServer(data: Path, tls: Boolean = false) : AutoCloseable {
    private val process: Process
    val url: String
    val bootstrapCode: String
    val pin: String?

    init {
        val bin = System.getProperty("komora.server.bin") ?: error("komora.server.bin is not set")
        val args = mutableListOf(bin, "--data", data.toString(), "--listen", "127.0.0.1:0")
        if (!tls) args += "--plain-http"
        process = ProcessBuilder(args)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val out = BufferedReader(InputStreamReader(process.inputStream))
        var code: String? = null
        var printedPin: String? = null
        var address: String? = null
        while (address == null) {
            val line = out.readLine() ?: error("the server stopped before listening")
            if (line.startsWith("bootstrap code: ")) code = line.removePrefix("bootstrap code: ").trim()
            if (line.startsWith("certificate pin: ")) printedPin = line.removePrefix("certificate pin: ").trim()
            // As printed, scheme included: http://127.0.0.1:PORT or https://...
            if (line.startsWith("listening on ")) address = line.removePrefix("listening on ").trim()
        }
        url = address
        pin = printedPin
        bootstrapCode = code ?: error("no bootstrap code printed")
    }

    override fun close() {
        process.destroy()
        process.waitFor(10, TimeUnit.SECONDS)
    }
}

/** A test with a fresh real server in its own temporary folder, stopped after each test. */
abstract class WithServer {
    @TempDir
    lateinit var tmp: Path
    protected lateinit var server: RunningServer

    @BeforeEach
    fun startServer() {
        server = RunningServer(tmp.resolve("server"))
    }

    @AfterEach
    fun stopServer() = server.close()
}

class SyncTest : WithServer() {
    @Test
    fun `a tablet trusts the server's own certificate by the pin in its QR code, and one without the pin is refused`() = runBlocking {
        // Finding 12 of the security review (issue 16): TLS without a domain name or an authority.
        RunningServer(tmp.resolve("tls-server"), tls = true).use { tls ->
            assertTrue(tls.url.startsWith("https://127.0.0.1:"), tls.url)
            val pin = tls.pin ?: error("a TLS server prints its pin")
            val admin = bootstrap(
                tmp.resolve("tls-admin").toString(), PIN, tls.url, tls.bootstrapCode,
                "AMI", "Huye", KdfStrength.INSECURE_FOR_TESTS, null, listOf(pin),
            )
            admin.use {
                val invitation = admin.invite("counsellor", 24)
                val link = parseEnrolmentLink(invitation.link) ?: error("the invitation's link parses")
                assertEquals(listOf(pin), link.certificatePins, "the QR code carries the pin")
                val unpinned = runCatching {
                    enroll(tmp.resolve("no-pin").toString(), PIN, link.serverUrl, link.code, KdfStrength.INSECURE_FOR_TESTS, null)
                }.exceptionOrNull()
                assertTrue(unpinned is KomoraException.UntrustedServer, "got $unpinned")
                val claudine = enroll(
                    tmp.resolve("claudine").toString(), PIN, link.serverUrl, link.code,
                    KdfStrength.INSECURE_FOR_TESTS, null, link.certificatePins,
                )
                claudine.use {
                    claudine.addClient(NewClient(name = "Uwase Immaculée", district = "Huye"))
                    claudine.syncFlow().toList()
                    admin.syncFlow().toList()
                    assertEquals(1, admin.searchClients("uwase", 10).size, "it crossed over TLS")
                }
            }
        }
    }

    @Test
    fun `two tablets sync through a real server and the progress arrives as a Flow`() = runBlocking {
        val admin = bootstrap(
            tmp.resolve("admin").toString(), PIN, server.url, server.bootstrapCode,
            "AMI", "Huye", KdfStrength.INSECURE_FOR_TESTS, null,
        )
        admin.use {
            val invitation = admin.invite("counsellor", 24)
            assertEquals(20, invitation.code.filter { it.isLetterOrDigit() }.length)
            val claudine = enroll(
                tmp.resolve("claudine").toString(), PIN, server.url, invitation.code,
                KdfStrength.INSECURE_FOR_TESTS, null,
            )
            claudine.use {
                repeat(30) { i -> claudine.addClient(NewClient(name = "Client $i", district = "Huye")) }
                // A new client is two operations at team format 5: her file's keys, then her fields.
                assertEquals(60L, claudine.syncStatus().pending)
                val events = claudine.syncFlow().toList()
                val finished = events.last() as SyncEvent.Finished
                assertEquals(60L, finished.report.sentOps)
                assertTrue(events.dropLast(1).all { it is SyncEvent.Progress }, "progress first")
                assertTrue(events.count { it is SyncEvent.Progress } >= 2, "progress was reported: $events")
                assertEquals(0L, claudine.syncStatus().pending)

                val received = admin.syncFlow().toList().last() as SyncEvent.Finished
                assertEquals(60L, received.report.applied)
                assertEquals(30, admin.searchClients("client", 100).size)
                assertEquals(claudine.clients().map { it.id }.toSet(), admin.clients().map { it.id }.toSet())
            }
            // A used code cannot enrol a second tablet.
            val reused = runCatching {
                enroll(tmp.resolve("thief").toString(), PIN, server.url, invitation.code, KdfStrength.INSECURE_FOR_TESTS, null)
            }.exceptionOrNull()
            assertTrue(reused is KomoraException.InvalidCode, "got $reused")
        }
    }

    @Test
    fun `a client who asks to be forgotten is erased by the administrator and the counsellor's tablet forgets her at its next sync`() = runBlocking {
        val admin = bootstrap(
            tmp.resolve("admin").toString(), PIN, server.url, server.bootstrapCode,
            "AMI", "Huye", KdfStrength.INSECURE_FOR_TESTS, null,
        )
        admin.use {
            val claudine = enroll(
                tmp.resolve("claudine").toString(), PIN, server.url, admin.invite("counsellor", 24).code,
                KdfStrength.INSECURE_FOR_TESTS, null,
            )
            claudine.use {
                val uwase = claudine.addClient(NewClient(name = "Uwase Immaculée", district = "Huye"))
                val ange = claudine.addClient(NewClient(name = "Mukamana Ange", district = "Huye"))
                claudine.syncFlow().toList()
                admin.syncFlow().toList()
                assertEquals(1, admin.searchClients("uwase", 10).size)

                val refused = runCatching { claudine.eraseClient(uwase, "client-request") }.exceptionOrNull()
                assertTrue(refused is KomoraException.Forbidden, "a counsellor cannot erase: got $refused")

                val erasure = admin.eraseClient(uwase, "client-request")
                assertEquals(uwase, erasure.clientId)
                assertEquals(0, admin.searchClients("uwase", 10).size)
                admin.syncFlow().toList()
                claudine.syncFlow().toList()
                assertEquals(0, claudine.searchClients("uwase", 10).size, "forgotten on her tablet too")
                assertEquals(listOf(ange), claudine.clients().map { it.id })
                val gone = runCatching { claudine.client(uwase) }.exceptionOrNull()
                assertTrue(gone is KomoraException.NotFound, "got $gone")
                assertEquals(listOf("client-request"), claudine.erasures().map { it.reason })
            }
        }
    }

    @Test
    fun `a server that cannot be reached ends the flow with a network exception`() = runBlocking {
        val admin = bootstrap(
            tmp.resolve("admin").toString(), PIN, server.url, server.bootstrapCode,
            "AMI", "Huye", KdfStrength.INSECURE_FOR_TESTS, null,
        )
        admin.use {
            admin.addClient(NewClient(name = "Waiting client"))
            server.close()
            val e = runCatching { admin.syncFlow().toList() }.exceptionOrNull()
            assertTrue(e is KomoraException.Network, "got $e")
            assertEquals(2L, admin.syncStatus().pending, "still waiting (her keys, her fields), nothing lost")
        }
    }

    /**
     * A stolen counsellor's tablet signs changes of its own under the ids of Claudine's new
     * client (ADR 0027). Bosco's tablet, which holds hers, keeps the thief's aside: the binding
     * says which two tablets claim the changes, their roles, how many and since when, at every
     * asking (not once), and nothing once the administrator revokes the stolen tablet.
     */
    @Test
    fun `changes two tablets claim are listed with both tablets until the stolen one is revoked`() = runBlocking {
        val admin = bootstrap(
            tmp.resolve("admin").toString(), PIN, server.url, server.bootstrapCode,
            "AMI", "Huye", KdfStrength.INSECURE_FOR_TESTS, null,
        )
        admin.use {
            suspend fun tablet(name: String, role: String) =
                enroll(tmp.resolve(name).toString(), PIN, server.url, admin.invite(role, 24).code, KdfStrength.INSECURE_FOR_TESTS, null)
            val claudine = tablet("claudine", "counsellor")
            val bosco = tablet("bosco", "supervisor")
            val thief = tablet("thief", "counsellor")
            for (v in listOf(claudine, bosco, thief)) v.syncFlow().toList()
            assertEquals(emptyList<org.ami.komora.core.ContestedChanges>(), bosco.contestedChanges())

            claudine.addClient(NewClient(name = "Mukamana Odette", district = "Huye"))
            claudine.syncFlow().toList()
            bosco.syncFlow().toList()
            val squatted = org.ami.komora.core.squatForTests(thief, claudine)
            assertTrue(squatted > 0u)
            thief.syncFlow().toList()
            bosco.syncFlow().toList()

            repeat(2) {
                val held = bosco.contestedChanges()
                assertEquals(1, held.size, "$held")
                val c = held.single()
                assertEquals(claudine.deviceId(), c.keptDevice)
                assertEquals("counsellor", c.keptRole)
                assertEquals(thief.deviceId(), c.asideDevice)
                assertEquals("counsellor", c.asideRole)
                assertEquals(squatted.toLong(), c.changes)
                assertTrue(c.sinceMs > 0, "since when: ${c.sinceMs}")
                // Said again at the next sync's end: it is read from the vault.
                bosco.syncFlow().toList()
            }
            assertEquals(1, bosco.searchClients("Mukamana", 10).size, "her client stands")

            admin.revokeDevice(thief.deviceId())
            bosco.syncFlow().toList()
            assertEquals(emptyList<org.ami.komora.core.ContestedChanges>(), bosco.contestedChanges())
            assertEquals(1, bosco.searchClients("Mukamana", 10).size)
            for (v in listOf(claudine, bosco, thief)) v.close()
        }
    }
}

class RevocationTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `a revoked tablet is told so at its next sync and erases its vault`() = runBlocking {
        RunningServer(tmp.resolve("server")).use { server ->
            val admin = bootstrap(
                tmp.resolve("admin").toString(), PIN, server.url, server.bootstrapCode,
                "AMI", "Huye", KdfStrength.INSECURE_FOR_TESTS, null,
            )
            admin.use {
                val code = admin.invite("counsellor", 1).code
                val lostDir = tmp.resolve("lost").toString()
                val lost = enroll(lostDir, PIN, server.url, code, KdfStrength.INSECURE_FOR_TESTS, null)
                lost.addClient(NewClient(name = "Known before"))
                lost.syncFlow().toList()
                val devices = admin.devices()
                assertEquals(2, devices.size)
                admin.revokeDevice(lost.deviceId())
                assertTrue(admin.devices().single { it.id == lost.deviceId() }.revoked)

                val e = runCatching { lost.syncFlow().toList() }.exceptionOrNull()
                assertTrue(e is KomoraException.Revoked, "got $e")
                assertTrue((e as KomoraException.Revoked).erased, "it says the vault was erased")
                assertTrue(lost.isLocked(), "the vault is closed")
                assertTrue(!org.ami.komora.core.vaultExists(lostDir), "and erased")
                lost.close()
            }
        }
    }
}
