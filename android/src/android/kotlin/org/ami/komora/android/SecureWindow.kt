package org.ami.komora.android

import android.app.Activity
import android.app.Dialog
import android.os.Build
import android.view.WindowManager

/**
 * Keeps case notes off screenshots, screen recordings, casting and the recent-apps thumbnail
 * (blank there). Every Activity calls it in `onCreate`, before `setContentView`
 * (SourceRulesTest checks that each file declaring an Activity calls it).
 */
fun Activity.secureWindow() {
    window.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
    if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) {
        setRecentsScreenshotEnabled(false)
    }
}

/**
 * The same for a dialog, which has a window of its own that the Activity's flag does not cover:
 * call it before `show()`.
 */
fun Dialog.secureWindow() {
    window?.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
}
