package org.ami.komora.android

import android.app.KeyguardManager
import android.content.Context

/**
 * Whether the tablet has a screen lock of its own (a PIN, pattern or password). The Keystore's
 * PIN-step key is usable only while the tablet is unlocked (`setUnlockedDeviceRequired`), so
 * the hardware-throttled Android lock screen stands before every guess of Komora's PIN; without
 * a screen lock that protection does not exist, and the app does not enrol (ADR 0015).
 */
object ScreenLock {
    fun isSet(context: Context): Boolean =
        (context.getSystemService(Context.KEYGUARD_SERVICE) as KeyguardManager).isDeviceSecure
}
