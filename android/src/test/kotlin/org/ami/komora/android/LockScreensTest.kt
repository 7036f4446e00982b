package org.ami.komora.android

import android.widget.Button
import java.time.Duration
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.setClockForTests
import org.ami.komora.core.vaultExists
import org.ami.komora.ui.Language
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** Enrolling the tablet, unlocking it, the lock-out, the auto-lock, revocation: through the screens. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class LockScreensTest {
    @get:Rule
    val tmp = TemporaryFolder()
    private lateinit var team: Team
    private lateinit var d: Device
    private val t get() = d.app.texts

    @Before
    fun start() {
        d = device()
        d.app.setLanguage(Language.ENGLISH)
        team = Team(tmp.newFolder("team"))
    }

    @After
    fun stop() = team.close()

    private fun unlockButton(): Button = d.views().first { it.tag == Rank.PRIMARY } as Button

    @Test
    fun `a counsellor types the code she was given, a wrong one is refused with what to do, the right one opens her empty caseload, its key wrapped by the Keystore`() {
        d.launch()
        assertEquals(Screen.Enrol, d.app.current)
        d.type(t[Str.ENROL_SERVER], team.server.url)
        d.type(t[Str.ENROL_CODE], "AAAAA-BBBBB-CCCCC-DDDDD")
        d.type(t[Str.ENROL_PIN], PIN)
        d.type(t[Str.ENROL_PIN_AGAIN], PIN)
        d.tap(t[Str.ENROL_SUBMIT])
        d.waitForText(t[Str.ERR_INVALID_CODE])
        assertEquals(Screen.Enrol, d.app.current)
        assertFalse("no half-made vault is left", vaultExists(d.app.vaultDir.path))
        assertEquals("the PIN is not kept after a failure", "", d.field(t[Str.ENROL_PIN]).text.toString())

        d.enrol(team.server.url, team.code())
        assertEquals(Screen.Caseload, d.app.current)
        assertTrue(d.shows(t[Str.EMPTY_CASELOAD_TITLE]))
        assertTrue("a new counsellor is told what to do", d.shows(t[Str.EMPTY_CASELOAD]))
        // The app's real KeystorePlatformKey made its keys, as asked of the Android Keystore:
        // the one that wraps the vault's key and the PIN step's (ADR 0015).
        val wrap = InMemoryKeystore.generated.single { it.keystoreAlias == KeystorePlatformKey.DEFAULT_ALIAS }
        assertEquals(256, wrap.keySize)
        assertTrue("usable only while the tablet is unlocked", wrap.isUnlockedDeviceRequired)
        val step = InMemoryKeystore.generated.single { it.keystoreAlias == "${KeystorePlatformKey.DEFAULT_ALIAS}.pin-step" }
        assertTrue("the PIN step too, only behind the tablet's own lock", step.isUnlockedDeviceRequired)
        assertEquals(setOf(wrap.keystoreAlias, step.keystoreAlias), InMemoryKeystore.aliases())
    }

    @Test
    fun `a tablet with no screen lock of its own is not enrolled, and is told how to set one`() {
        org.robolectric.Shadows.shadowOf(d.application.getSystemService(android.app.KeyguardManager::class.java)).setIsDeviceSecure(false)
        d.launch()
        d.type(t[Str.ENROL_SERVER], team.server.url)
        d.type(t[Str.ENROL_CODE], team.code())
        d.type(t[Str.ENROL_PIN], PIN)
        d.type(t[Str.ENROL_PIN_AGAIN], PIN)
        d.tap(t[Str.ENROL_SUBMIT])
        assertTrue(d.shows(t[Str.SCREEN_LOCK_NEEDED]))
        assertFalse(vaultExists(d.app.vaultDir.path))
    }

    @Test
    fun `five wrong PINs make her wait, the button counts the seconds down, and after the wait her PIN opens the tablet`() {
        d.launch().enrol(team.server.url, team.code())
        d.tap(t[Str.LOCK_NOW])
        assertEquals(Screen.Unlock, d.app.current)
        var tries = 0
        while (unlockButton().isEnabled && tries < 8) {
            d.type(t[Str.UNLOCK_PIN], "135790")
            d.tap(unlockButton(), "Unlock")
            d.waitFor("the refusal") { d.field(t[Str.UNLOCK_PIN]).text.isEmpty() && (d.shows(t[Str.WRONG_PIN]) || !unlockButton().isEnabled) }
            tries++
        }
        assertTrue("the wait starts after the free attempts: $tries", tries in 5..6)
        assertTrue(d.shows(t.format(Str.LOCKED_OUT, 30)))
        assertEquals("Unlock (30 s)", unlockButton().text.toString())
        TestApplication.testClock.nowMs += 1_000
        shadowOf(android.os.Looper.getMainLooper()).idleFor(Duration.ofSeconds(1))
        assertEquals("the countdown moves", "Unlock (29 s)", unlockButton().text.toString())

        // Half a minute later (the core's clock too: it counts the wait, not the screen).
        TestApplication.testClock.nowMs += 30_000
        setClockForTests(MORNING_MS + 120_000)
        shadowOf(android.os.Looper.getMainLooper()).idleFor(Duration.ofSeconds(31))
        assertTrue(unlockButton().isEnabled)
        d.unlock()
        assertEquals(Screen.Caseload, d.app.current)
    }

    @Test
    fun `idle for five minutes the tablet locks itself and says why, and sent to the background it locks at once`() {
        d.launch().enrol(team.server.url, team.code())
        TestApplication.testClock.advanceMinutes(4)
        shadowOf(android.os.Looper.getMainLooper()).idleFor(Duration.ofSeconds(16))
        assertTrue("four minutes: still open", d.app.isUnlocked)
        TestApplication.testClock.advanceMinutes(1)
        shadowOf(android.os.Looper.getMainLooper()).idleFor(Duration.ofSeconds(16))
        assertFalse(d.app.isUnlocked)
        assertTrue(d.shows(t[Str.LOCKED_IDLE]))

        d.unlock()
        assertTrue(d.app.isUnlocked)
        d.leave()
        assertFalse("the home button locks at once", d.app.isUnlocked)
        d.comeBack()
        assertEquals(Screen.Unlock, d.app.current)
    }

    @Test
    fun `a tablet revoked by the administrator erases itself at its next sync, its practice team and Keystore key too, and says so`() {
        d.launch().enrol(team.server.url, team.code())
        d.app.recordClient("Mukamana Odette", 1978, "F")
        d.syncNow()
        val huye = d.app.vault().deviceId()
        // She had opened the practice team too; the real team shows again.
        runBlocking { d.app.joinPractice(PIN) }
        d.app.switchTeam("0")
        d.settle()
        runBlocking { team.jean.app.vault().revokeDevice(huye) }

        d.tap(t[Str.SYNC_NOW])
        d.waitFor("the enrol screen") { d.app.current == Screen.Enrol }
        assertTrue(d.shows(t[Str.ERR_REVOKED]))
        assertFalse(vaultExists(d.app.vaultDir.path))
        assertFalse("a practice team lives only beside a real one", vaultExists(d.app.practiceDir().path))
        assertTrue("nothing could unwrap a copy of the vault", InMemoryKeystore.aliases().isEmpty())
        assertFalse(d.visibleText().contains("Mukamana"))
    }

    @Test
    fun `a copy of the vault without the tablet's Keystore key does not open, and she is told what failed`() {
        d.launch().enrol(team.server.url, team.code())
        d.tap(t[Str.LOCK_NOW])
        // The vault's files are intact, but the key that wraps its master key is not there
        // (another tablet, or the app's data restored without the Keystore).
        java.security.KeyStore.getInstance("AndroidKeyStore").apply { load(null) }.deleteEntry(KeystorePlatformKey.DEFAULT_ALIAS)
        d.destroy()
        d.application.killProcess()
        d.launch()
        d.type(t[Str.UNLOCK_PIN], PIN)
        d.tap(t[Str.UNLOCK_TITLE])
        d.waitForText(t[Str.ERR_PLATFORM_KEY])
        assertFalse(d.app.isUnlocked)
    }

    /**
     * She had asked to withdraw a consent and left the question open when the tablet locked
     * itself: the question goes with the screen, and the PIN screen is what shows (it hid it,
     * and its buttons acted on a closed vault).
     */
    @Test
    fun `a question left open when the tablet locks goes with the screen, and the PIN screen shows`() {
        d.launch().enrol(team.server.url, team.code())
        val people = d.app.claudinesCaseload()
        d.app.open(Screen.ClientFile(people.id("Mukamana Odette")))
        d.settle()
        d.tapStarting(t[Str.WITHDRAW_CONSENT])
        assertTrue(org.robolectric.shadows.ShadowDialog.getShownDialogs().any { it.isShowing })

        TestApplication.testClock.nowMs += 10 * 60_000L
        d.app.tick()
        d.settle()
        assertEquals(Screen.Unlock, d.app.current)
        assertFalse("no dialog over the PIN screen", org.robolectric.shadows.ShadowDialog.getShownDialogs().any { it.isShowing })
        d.unlock()
        assertTrue(d.app.isUnlocked)
    }
}
