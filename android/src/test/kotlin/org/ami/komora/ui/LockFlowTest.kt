package org.ami.komora.ui

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.ami.komora.WithServer
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** Enrol a tablet, set its PIN, unlock it; auto-lock when idle or sent to the background. */
class LockFlowTest : WithServer() {
    @Test
    fun `a new tablet is enrolled from the QR code with a PIN typed twice, then locks when idle and opens with its PIN`() {
        val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
        val code = runBlocking { admin.app.vault().invite("counsellor", 24).code }

        val tablet = Tablet(tmp.resolve("claudine"))
        assertEquals(Screen.Enrol, tablet.app.current, "a tablet without a vault starts at the enrol screen")
        val enrol = EnrolPresenter(tablet.app)
        enrol.scanned(EnrolmentLink.format(server.url, code))
        assertEquals(server.url, enrol.state.value.server)
        assertFalse(code in enrol.state.value.toString(), "the enrolment code is never printed")
        enrol.pin("1234")
        enrol.confirmPin("1234")
        runBlocking { enrol.submit() }
        assertEquals(listOf(FieldError("pin", "The PIN needs at least 6 digits")), enrol.state.value.errors)
        enrol.pin(TABLET_PIN)
        enrol.confirmPin("246801")
        runBlocking { enrol.submit() }
        assertEquals(listOf(FieldError("confirm", "The two PINs differ")), enrol.state.value.errors)
        assertFalse(tablet.app.isUnlocked, "nothing was enrolled on a bad form")

        enrol.confirmPin(TABLET_PIN)
        runBlocking { enrol.submit() }
        assertEquals(Screen.Caseload, tablet.app.current)
        assertEquals("counsellor", tablet.app.vault().syncStatus().role)

        // Four minutes idle: still open. A touch, four more: still open (she was working).
        // Then five minutes (the default) without a touch: locked, and the screen says why.
        tablet.clock.advanceMinutes(4)
        tablet.app.tick()
        assertTrue(tablet.app.isUnlocked)
        tablet.app.touch()
        tablet.clock.advanceMinutes(4)
        tablet.app.tick()
        assertTrue(tablet.app.isUnlocked, "a touch restarts the idle time")
        tablet.clock.advanceMinutes(1)
        tablet.app.tick()
        assertFalse(tablet.app.isUnlocked)
        assertEquals(Screen.Unlock, tablet.app.current)
        val unlock = UnlockPresenter(tablet.app)
        assertEquals("Locked after a time without use", unlock.state.value.message)

        unlock.pin("135790")
        runBlocking { unlock.submit() }
        assertEquals("Wrong PIN", unlock.state.value.message)
        assertFalse(tablet.app.isUnlocked)
        TABLET_PIN.forEach { unlock.digit(it) }
        assertEquals(6, unlock.state.value.pinDigits)
        runBlocking { unlock.submit() }
        assertEquals(Screen.Caseload, tablet.app.current)

        // Home button: locked at once, whatever the idle time.
        tablet.app.backgrounded()
        assertEquals(Screen.Unlock, tablet.app.current)
        assertFalse(tablet.app.isUnlocked)
    }

    @Test
    fun `a tablet without a screen lock of its own is not enrolled, and is told how to set one`() {
        val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
        val code = runBlocking { admin.app.vault().invite("counsellor", 24).code }
        val dir = tmp.resolve("unlocked-tablet")
        val app = App(
            vaultDir = dir.resolve("vault").toFile(),
            preferences = FilePreferences(dir.resolve("settings.properties").toFile()).also { it.language = Language.ENGLISH },
            kdf = org.ami.komora.core.KdfStrength.INSECURE_FOR_TESTS,
            screenLockSet = { false },
        )
        val p = EnrolPresenter(app)
        p.server(server.url)
        p.code(code)
        p.pin(TABLET_PIN)
        p.confirmPin(TABLET_PIN)
        runBlocking { p.submit() }
        assertFalse(app.isUnlocked)
        assertTrue(
            p.state.value.errors.any { it.message.startsWith("This tablet has no screen lock. Set one first") },
            p.state.value.errors.toString(),
        )
        assertFalse(org.ami.komora.core.vaultExists(app.vaultDir.path), "nothing was made")
    }

    @Test
    fun `a used enrolment code is refused with what to do, and a QR code of something else is not taken`() {
        val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
        val code = runBlocking { admin.app.vault().invite("counsellor", 24).code }
        Tablet(tmp.resolve("first")).apply {
            val p = EnrolPresenter(app)
            p.server(server.url)
            p.code(code)
            p.pin(TABLET_PIN)
            p.confirmPin(TABLET_PIN)
            runBlocking { p.submit() }
            assertTrue(app.isUnlocked)
        }

        val second = Tablet(tmp.resolve("second"))
        val p = EnrolPresenter(second.app)
        p.scanned("https://example.org/not-komora")
        assertEquals("This QR code is not a Komora enrolment code", p.state.value.message)
        assertEquals("", p.state.value.server, "nothing was filled in")
        p.server(server.url)
        p.code(code)
        p.pin(TABLET_PIN)
        p.confirmPin(TABLET_PIN)
        runBlocking { p.submit() }
        assertEquals("This enrolment code is unknown, already used or expired. Ask for a new one.", p.state.value.message)
        assertEquals(Screen.Enrol, second.app.current)
        assertFalse(org.ami.komora.core.vaultExists(second.app.vaultDir.path), "no half-made vault is left")
        assertEquals(0, p.state.value.pinDigits, "the PIN is not kept after a failure")
    }

    @Test
    fun `after five wrong PINs the tablet makes her wait, and the countdown shows`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        tablet.app.lock()
        val unlock = UnlockPresenter(tablet.app)
        var tries = 0
        while (unlock.state.value.waitUntilMs == null && tries < 10) {
            unlock.pin("000000")
            runBlocking { unlock.submit() }
            tries++
        }
        assertNotNull(unlock.state.value.waitUntilMs, "a wait was imposed")
        assertTrue(tries in 5..6, "after the free attempts: $tries")
        assertTrue(unlock.secondsToWait() > 0)
        assertTrue(unlock.state.value.message!!.startsWith("Too many wrong PINs. Try again in "))

        // While waiting, even the right PIN is not tried: it stays typed, for when the wait ends.
        unlock.pin(TABLET_PIN)
        runBlocking { unlock.submit() }
        assertFalse(tablet.app.isUnlocked)
        assertEquals(6, unlock.state.value.pinDigits, "not sent to the core")
        assertEquals(Screen.Unlock, tablet.app.current)
    }

    @Test
    fun `the auto-lock time she chose in the settings is the one that applies, and survives a restart`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val settings = SettingsPresenter(tablet.app)
        settings.autoLock(1)
        assertEquals(1, settings.state.value.autoLockMinutes)
        tablet.clock.advanceMinutes(1)
        tablet.app.tick()
        assertFalse(tablet.app.isUnlocked)

        val file = tmp.resolve("t").resolve("settings.properties").toFile()
        assertEquals(1, FilePreferences(file).autoLockMinutes, "read again after a restart")
        assertNull(runCatching { settings.autoLock(7) }.exceptionOrNull(), "a time not offered is ignored")
        assertEquals(1, FilePreferences(file).autoLockMinutes)
    }

    @Test
    fun `a tablet revoked by the administrator erases itself at its next sync and says so on the enrol screen`() {
        val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
        val lost = Tablet(tmp.resolve("lost")).enrolThroughScreen(server, admin, "counsellor")
        lost.recordClient("Mukamana Odette")
        lost.sync()
        runBlocking { admin.app.vault().revokeDevice(lost.app.vault().deviceId()) }

        val caseload = CaseloadPresenter(lost.app)
        runBlocking { caseload.sync() }
        assertFalse(lost.app.isUnlocked)
        assertEquals(Screen.Enrol, lost.app.current, "nothing is left to unlock")
        assertFalse(org.ami.komora.core.vaultExists(lost.app.vaultDir.path))
        val enrol = EnrolPresenter(lost.app)
        assertEquals("An administrator revoked this tablet; its records were erased from it.", enrol.state.value.message)
        assertEquals(null, EnrolPresenter(lost.app).state.value.message, "said once")
    }

    @Test
    fun `a PIN accepted after she left the app does not leave the vault open in the background`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        tablet.app.lock()
        val unlock = UnlockPresenter(tablet.app)
        unlock.pin(TABLET_PIN)
        tablet.app.backgrounded()
        runBlocking { unlock.submit() }
        assertFalse(tablet.app.isUnlocked, "locked while away")
        assertEquals(Screen.Unlock, tablet.app.current)
        tablet.app.foregrounded()
        unlock.pin(TABLET_PIN)
        runBlocking { unlock.submit() }
        assertTrue(tablet.app.isUnlocked)
    }

    @Test
    fun `the administrator's idle limit is the most a counsellor's tablet stays unlocked, whatever she chose`() {
        val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
        val tablet = Tablet(tmp.resolve("claudine")).enrolThroughScreen(server, admin, "counsellor")
        SettingsPresenter(tablet.app).autoLock(10)
        admin.app.vault().setTeamPolicy(org.ami.komora.core.TeamPolicy(autoLockMinutes = 2, wipeAfterFailures = 8))
        admin.sync()
        tablet.sync()

        val settings = SettingsPresenter(tablet.app)
        assertEquals(listOf("1", "2"), settings.state.value.autoLockChoices.map { it.id })
        assertEquals("Your administrator allows at most 2 min", settings.state.value.autoLockLimit)
        assertEquals(2, settings.state.value.autoLockMinutes)
        tablet.clock.advanceMinutes(2)
        tablet.app.tick()
        assertFalse(tablet.app.isUnlocked, "locked after the administrator's 2 minutes, not her 10")
    }

    /**
     * She taps Sync on 2G, the screen goes off (the app locks, the sync's vault with it), she
     * unlocks again and starts a note. The old sync then fails on its locked vault: that must
     * not lock the tablet she has opened since, nor throw away what she is typing.
     */
    @Test
    fun `the end of a sync stopped by an earlier lock does not lock the tablet she opened since`() {
        val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
        val before = admin.app.vault()
        // The sync reports its first step, then waits there (the link is slow) until released.
        val reached = java.util.concurrent.CountDownLatch(1)
        val release = java.util.concurrent.CountDownLatch(1)
        val listener = object : org.ami.komora.core.SyncListener {
            override fun onProgress(progress: org.ami.komora.core.SyncProgress) {
                if (reached.count > 0) {
                    reached.countDown()
                    release.await(30, java.util.concurrent.TimeUnit.SECONDS)
                }
            }
        }
        runBlocking {
            val sync = async(Dispatchers.IO) { runCatching { before.sync(listener) }.exceptionOrNull() }
            assertTrue(reached.await(30, java.util.concurrent.TimeUnit.SECONDS))
            admin.app.lock()
            val unlock = UnlockPresenter(admin.app)
            unlock.pin(TABLET_PIN)
            unlock.submit()
            assertTrue(admin.app.isUnlocked)
            release.countDown()
            val stale = sync.await()
            assertTrue(stale is org.ami.komora.core.KomoraException.Closed, "$stale")
            admin.app.failure(stale!!)
        }
        assertTrue(admin.app.isUnlocked, "the tablet she opened since stays open")
        assertEquals(Screen.Caseload, admin.app.current)

        // A failure of the vault open now still locks, as before.
        admin.app.failure(org.ami.komora.core.KomoraException.Closed())
        assertTrue(admin.app.isUnlocked, "the open vault answers: it is not the one that failed")
        val now = admin.app.vault()
        now.lock()
        admin.app.failure(org.ami.komora.core.KomoraException.Closed())
        assertFalse(admin.app.isUnlocked)
    }

    /**
     * The screen goes off while her enrolment crawls over 2G (the app locks), or she presses
     * Back during it (the activity ends, the enrolment goes on). When she comes back the
     * tablet has its vault: it asks for her PIN, never to enrol again ("already enrolled").
     */
    @Test
    fun `a tablet enrolled while its screen was off asks for the PIN when she comes back, not to enrol again`() {
        val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
        val tablet = Tablet(tmp.resolve("claudine"))
        val enrol = EnrolPresenter(tablet.app)
        enrol.scanned(EnrolmentLink.format(server.url, runBlocking { admin.app.vault().invite("counsellor", 24).code }))
        enrol.pin(TABLET_PIN)
        enrol.confirmPin(TABLET_PIN)
        tablet.app.backgrounded()
        runBlocking { enrol.submit() }
        tablet.app.foregrounded()
        assertFalse(tablet.app.isUnlocked, "nothing opened without her")
        assertEquals(Screen.Unlock, tablet.app.current)
        tablet.unlock()
        assertEquals("counsellor", tablet.app.vault().syncStatus().role)

        // Back during the enrolment: the screen's work was dropped, the core's was not.
        val other = Tablet(tmp.resolve("diane"))
        assertEquals(Screen.Enrol, other.app.current)
        val code = runBlocking { admin.app.vault().invite("counsellor", 24).code }
        runBlocking {
            org.ami.komora.core.enroll(other.app.vaultDir.path, TABLET_PIN, server.url, code, other.app.kdf, null, emptyList())
        }.close()
        other.app.backgrounded()
        other.app.foregrounded()
        assertEquals(Screen.Unlock, other.app.current)
    }

    /**
     * A counsellor's first sync over 2G: she taps Sync now and puts the tablet in her bag (the
     * screen goes off, the app locks at once). The sync goes on behind the lock, showing
     * nothing; at her next unlock every client it brought is there. Typing the PIN while it
     * runs stops it (one opening of a vault at a time), and the home screen then goes on with
     * it from where it stopped.
     */
    @Test
    fun `a sync over a slow link goes on behind the lock, and what it brought is there at the next unlock`() {
        val admin = Tablet(tmp.resolve("admin")).bootstrapAdmin(server)
        val names = (0 until 200).map { "Umukiriya $it" }
        runBlocking { admin.app.vault().importClients(names.map { org.ami.komora.core.NewClient(name = it, district = "Huye") }) }
        admin.sync()
        org.ami.komora.SlowLink(server.url, bytesPerSecond = 40_000).use { link ->
            fun started(p: CaseloadPresenter) = runBlocking {
                kotlinx.coroutines.withTimeout(60_000) {
                    while (p.state.value.syncProgress?.startsWith("Receiving") != true) kotlinx.coroutines.delay(10)
                }
            }
            val c = Tablet(tmp.resolve("c")).enrolAt(link.url, admin, "counsellor")
            val p = CaseloadPresenter(c.app)
            runBlocking {
                val sync = launch(Dispatchers.Default) { p.sync() }
                started(p)
                c.app.backgrounded()
                assertFalse(c.app.isUnlocked, "locked at once, nothing shown")
                assertTrue(c.app.syncingBehindLock)
                assertTrue(c.app.notice.value!!.contains("A sync goes on behind the lock."), c.app.notice.value)
                sync.join()
            }
            assertFalse(c.app.syncingBehindLock, "the vault closed when the sync ended")
            c.app.foregrounded()
            c.unlock()
            assertEquals(names.sorted(), c.app.vault().clients().map { it.name }.sorted(), "everything came behind the lock")

            // Another tablet: her PIN typed while the sync runs behind the lock stops it; she
            // records a client; Sync now goes on and sends it, numbered as it should be.
            val d = Tablet(tmp.resolve("d")).enrolAt(link.url, admin, "counsellor")
            val q = CaseloadPresenter(d.app)
            runBlocking {
                val sync = launch(Dispatchers.Default) { q.sync() }
                started(q)
                d.app.backgrounded()
                d.app.foregrounded()
                val again = UnlockPresenter(d.app)
                again.pin(TABLET_PIN)
                again.submit()
                sync.join()
            }
            assertTrue(d.app.isUnlocked)
            assertFalse(d.app.syncingBehindLock)
            assertEquals(null, q.state.value.message)
            assertTrue(d.app.vault().clients().size < 200, "the unlock stopped it mid-way")
            // The home screen shown after the unlock goes on with it.
            val home = CaseloadPresenter(d.app)
            runBlocking { home.resumeStoppedSync() }
            assertEquals(null, home.state.value.message)
            assertEquals(200, d.app.vault().clients().size, "the stopped sync went on after the unlock")
            runBlocking { home.resumeStoppedSync() }
            d.recordClient("Uwase Diane")
            d.sync()
            assertEquals(201, d.app.vault().clients().size)
            admin.sync()
            assertTrue(admin.app.vault().clients().any { it.name == "Uwase Diane" })
        }
    }

    /** A fault inside the core (a Rust panic) during a screen's action: a message, no crash. */
    @Test
    fun `a fault inside the core during an action shows a message and the app carries on`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val probe = FaultProbe(tablet.app)
        probe.fault()
        assertEquals(tablet.app.texts[Str.ERR_INTERNAL], probe.state.value.message)
        assertTrue(tablet.app.isUnlocked)
        tablet.recordClient("Uwase Diane")
        assertEquals(1, tablet.app.vault().clients().size, "the vault carries on")
    }

    @Test
    fun `a note that cannot be kept as a draft is not lost when she leaves the app`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val odette = tablet.recordClient("Mukamana Odette")
        ClientFilePresenter(tablet.app, odette).openCase("trauma")
        val case = (tablet.app.current as Screen.SessionForm).caseId
        // Months of forms left unsaved fill the core's cap: the tablet refuses one more draft.
        val v = tablet.app.vault()
        repeat(DraftKeeper.MAX_DRAFTS) { v.keepDraft("answer:old-$it", mapOf("answer" to "an old answer $it")) }

        val note = "Her husband came home drunk on Saturday; she slept at her sister's in Gitwe"
        val form = SessionFormPresenter(tablet.app, case)
        form.notes(note)
        // A pause in her typing: the activity's timer keeps the draft (what the tick does too).
        tablet.clock.nowMs += DraftKeeper.KEEP_EVERY_MS
        tablet.app.tick()
        assertEquals(
            "This note could not be kept on the tablet: this tablet keeps at most 64 unsaved forms. Save or discard " +
                "some of those listed on the home screen. Until then it stays only in the open app: save the form before you leave.",
            tablet.app.drafts.notKept.value,
            "she is told while she is still in the form",
        )

        // She leaves for a moment (the app locks), comes back and unlocks.
        tablet.app.backgrounded()
        tablet.app.foregrounded()
        tablet.unlock()
        val caseload = CaseloadPresenter(tablet.app)
        val slot = DraftKeeper.sessionSlot(case)
        assertTrue(caseload.state.value.drafts.any { it.slot == slot }, "her note is offered with the other drafts")
        assertNotNull(tablet.app.drafts.notKept.value, "and she is still told it is not kept on the tablet")
        caseload.continueDraft(slot)
        val again = SessionFormPresenter(tablet.app, case)
        assertEquals(note, again.state.value.notes)

        // She makes room: one old draft thrown away, and hers is kept on the tablet at the next pause.
        caseload.discardDraft("answer:old-0")
        tablet.clock.nowMs += DraftKeeper.KEEP_EVERY_MS
        tablet.app.tick()
        assertNull(tablet.app.drafts.notKept.value)
        assertEquals(note, tablet.app.vault().draft(slot)?.fields?.get("notes"), "kept, sealed in the vault")
    }
}

private data class ProbeState(val message: String? = null)

/** A screen whose one action runs into a panic of the core, through the presenters' guard. */
private class FaultProbe(app: App) : AppPresenter<ProbeState>(app, ProbeState()) {
    override fun ProbeState.withMessage(message: String?) = copy(message = message)

    fun fault() = guard { org.ami.komora.core.panicForTests() }
}
