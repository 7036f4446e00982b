package org.ami.komora.android

import org.ami.komora.core.KdfStrength
import org.ami.komora.ui.App
import org.ami.komora.ui.Clock

/**
 * The app as the tests run it: the real [KomoraApplication] with the tests' quick PIN
 * derivation, a clock they move, and the in-memory stand-in for the Android Keystore.
 */
class TestApplication : KomoraApplication() {
    override val kdf: KdfStrength get() = KdfStrength.INSECURE_FOR_TESTS
    override val clock: Clock get() = Clock { testClock.nowMs }

    override fun onCreate() {
        super.onCreate()
        InMemoryKeystore.install()
        // The tablet has a screen lock of its own, as the app requires (ADR 0015); a test
        // that needs one without it turns it off.
        org.robolectric.Shadows.shadowOf(getSystemService(android.app.KeyguardManager::class.java)).setIsDeviceSecure(true)
    }

    /** The process is gone (reclaimed in the background): only the disk remains. */
    fun killProcess() = processDied()

    /** This device becomes another tablet (whose app the test made): its screens show next. */
    fun become(app: App) = showApp(app)

    companion object {
        /** Moved by the tests (auto-lock, "2 h ago"); starts at the fixed morning of the pictures. */
        val testClock = MovableClock()
    }
}

class MovableClock(var nowMs: Long = System.currentTimeMillis()) {
    fun advanceMinutes(m: Long) {
        nowMs += m * 60_000
    }
}
