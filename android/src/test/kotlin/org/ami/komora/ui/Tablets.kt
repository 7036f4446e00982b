// What the presenter scenarios stand on: tablets (an App each, over its own vault directory)
// and a real sync server. Nothing is mocked: the core, SQLite and the server are the real ones.
package org.ami.komora.ui

import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import org.ami.komora.RunningServer
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.bootstrap
import org.ami.komora.core.createVault

const val TABLET_PIN = "246810"

/** A clock the test moves: auto-lock and "2 h ago" without sleeping. */
class TestClock(var nowMs: Long = System.currentTimeMillis()) : Clock {
    override fun nowMs(): Long = nowMs
    fun advanceMinutes(m: Long) {
        nowMs += m * 60_000
    }
}

/** One tablet: its own vault directory, settings file and clock. English unless a test says. */
class Tablet(dir: Path, val clock: TestClock = TestClock()) {
    val app = App(
        vaultDir = dir.resolve("vault").toFile(),
        preferences = FilePreferences(dir.resolve("settings.properties").toFile()).also { it.language = Language.ENGLISH },
        clock = clock,
        kdf = KdfStrength.INSECURE_FOR_TESTS,
    )
    val t: Texts get() = app.texts

    /** A tablet used without a server (the vault created with its PIN), unlocked. */
    fun standalone(): Tablet {
        val v = runBlocking { createVault(app.vaultDir.path, TABLET_PIN, KdfStrength.INSECURE_FOR_TESTS, null) }
        app.unlocked(v)
        return this
    }

    /** The organisation's first tablet on a fresh server: the administrator's, also a supervisor. */
    fun bootstrapAdmin(server: RunningServer): Tablet {
        val v = runBlocking {
            bootstrap(app.vaultDir.path, TABLET_PIN, server.url, server.bootstrapCode, "AMI", "Huye", KdfStrength.INSECURE_FOR_TESTS, null, listOfNotNull(server.pin))
        }
        app.unlocked(v)
        return this
    }

    /** Enrol through the enrol screen, as a counsellor would, with a code from [inviter]. */
    fun enrolThroughScreen(server: RunningServer, inviter: Tablet, role: String): Tablet = enrolAt(server.url, inviter, role)

    /** The same, through [url] (a link in between). */
    fun enrolAt(url: String, inviter: Tablet, role: String): Tablet {
        val code = runBlocking { inviter.app.vault().invite(role, 24).code }
        val p = EnrolPresenter(app)
        p.scanned(EnrolmentLink.format(url, code))
        p.pin(TABLET_PIN)
        p.confirmPin(TABLET_PIN)
        runBlocking { p.submit() }
        check(app.isUnlocked) { "enrolment failed: ${p.state.value.message} ${p.state.value.errors}" }
        return this
    }

    /** She types her PIN on the unlock screen. */
    fun unlock(): UnlockPresenter = UnlockPresenter(app).also {
        it.pin(TABLET_PIN)
        runBlocking { it.submit() }
    }

    fun sync() {
        val p = CaseloadPresenter(app)
        runBlocking { p.sync() }
        check(p.state.value.message == null) { "sync failed: ${p.state.value.message}" }
    }

    /** Record a client through the form, with consent to services and data recording. */
    fun recordClient(name: String, birthYear: Int = 1980, sex: String = "F", guardian: String? = null): String {
        val p = ClientFormPresenter(app, null)
        p.set("name", name)
        p.set("sex", sex)
        p.set("birth_year", birthYear.toString())
        p.set("district", "Huye")
        p.consent("services", true)
        p.consent("data-recording", true)
        guardian?.let { p.set("guardian_name", it) }
        p.save()
        val screen = app.current
        check(screen is Screen.ClientFile) { "not saved: ${p.state.value.errors} ${p.state.value.message}" }
        return screen.clientId
    }
}
