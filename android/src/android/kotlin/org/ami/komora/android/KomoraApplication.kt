package org.ami.komora.android

import android.app.Application
import java.io.File
import org.ami.komora.ui.App
import org.ami.komora.ui.FilePreferences

/**
 * The app's process-wide state, kept to what every screen shares.
 *
 * Nothing to set up for JNA: the generated bindings load the core with
 * `Native.register(..., "komora_ffi")`, which JNA on Android resolves to `libkomora_ffi.so`
 * from the APK's native libraries (app/src/main/jniLibs/<abi>/, built by cargo-ndk), the same
 * way `System.loadLibrary("komora_ffi")` would; JNA's own `libjnidispatch.so` comes with its AAR.
 */
class KomoraApplication : Application() {
    /** Where the encrypted vault lives: app-private storage, excluded from backups and transfers. */
    val vaultDir: File by lazy { File(filesDir, "vault") }

    /**
     * The app's state for the whole process (unlocked vault, screen stack, language), so a
     * recreated activity finds the counsellor where she was. Settings hold no records and no keys.
     */
    val app: App by lazy {
        val keystore = KeystorePlatformKey()
        // An erased vault's Keystore key goes too: nothing is left that could unwrap a copy.
        App(vaultDir, FilePreferences(File(filesDir, "settings.properties")), platformKey = keystore, onErased = { runCatching { keystore.delete() } }, screenLockSet = { ScreenLock.isSet(this) })
    }
}
