package org.ami.komora.android

import android.app.Application
import java.io.File
import org.ami.komora.core.KdfStrength
import org.ami.komora.ui.App
import org.ami.komora.ui.Clock
import org.ami.komora.ui.FilePreferences

/**
 * The app's process-wide state, kept to what every screen shares.
 *
 * Nothing to set up for JNA: the generated bindings load the core with
 * `Native.register(..., "komora_ffi")`, which JNA on Android resolves to `libkomora_ffi.so`
 * from the APK's native libraries (app/src/main/jniLibs/<abi>/, built by cargo-ndk), the same
 * way `System.loadLibrary("komora_ffi")` would; JNA's own `libjnidispatch.so` comes with its AAR.
 */
open class KomoraApplication : Application() {
    /** Where the encrypted vault lives: app-private storage, excluded from backups and transfers. */
    val vaultDir: File by lazy { File(filesDir, "vault") }

    private var made: App? = null

    /**
     * The app's state for the whole process (unlocked vault, screen stack, language), so a
     * recreated activity finds the counsellor where she was. Settings hold no records and no keys.
     */
    val app: App
        get() = made ?: makeApp().also { made = it }

    /** The PIN's key derivation for a new vault: the standard cost on tablets. */
    protected open val kdf: KdfStrength get() = KdfStrength.STANDARD

    /** Wall time for the auto-lock and "2 h ago". */
    protected open val clock: Clock get() = Clock.SYSTEM

    private fun makeApp(): App {
        val keystore = KeystorePlatformKey()
        // An erased vault's Keystore key goes too: nothing is left that could unwrap a copy.
        return App(
            vaultDir, FilePreferences(File(filesDir, "settings.properties")), clock = clock, kdf = kdf,
            platformKey = keystore, onErased = { runCatching { keystore.delete() } },
            screenLockSet = { ScreenLock.isSet(this) },
        )
    }

    /**
     * The process ends without warning (Android reclaims a background app's memory on a 2 GB
     * tablet): nothing held in memory survives, only what is on disk. The Android-layer tests
     * call it to live through that; a device never does.
     */
    protected fun processDied() {
        made = null
    }

    /** The Android-layer tests show another tablet's app (a supervisor's, a data officer's). */
    protected fun showApp(app: App) {
        made = app
    }
}
