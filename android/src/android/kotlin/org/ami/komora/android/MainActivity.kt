package org.ami.komora.android

import android.app.Activity
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.drop
import kotlinx.coroutines.launch
import org.ami.komora.ui.App
import org.ami.komora.ui.Screen

/**
 * The one activity: it draws whichever screen the app's state names and hands every touch to
 * the auto-lock. Secure window (no screenshots, blank in recents); locked when sent to the
 * background; locked after the idle time in the settings. Its manifest entry handles rotation
 * and font changes itself, so a half-typed note survives turning the tablet.
 */
class MainActivity : Activity() {
    private val scope: CoroutineScope = MainScope()
    private val ticker = Handler(Looper.getMainLooper())
    private lateinit var app: App
    private lateinit var ui: Ui
    private var shown: Screen? = null
    private var screenJob: Job? = null
    private var current: ScreenView<*>? = null

    private val tick = object : Runnable {
        override fun run() {
            app.tick()
            ticker.postDelayed(this, TICK_MS)
        }
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        secureWindow()
        app = (application as KomoraApplication).app
        ui = Ui(this) { app.touch() }
        scope.launch { app.screen.collect { stack -> show(stack.last()) } }
        // A new language shows at once: the screen is drawn again in it (not at start).
        scope.launch { app.languageFlow.drop(1).collect { shown?.let { redraw(it) } } }
    }

    private fun show(screen: Screen) {
        if (screen == shown) return
        redraw(screen)
    }

    private fun redraw(screen: Screen) {
        shown = screen
        screenJob?.cancel()
        current?.leave()
        val view = viewFor(screen, ui, app, scope)
        current = view
        setContentView(view.root)
        title = app.texts[org.ami.komora.ui.Str.APP_NAME]
        screenJob = view.bind(scope)
    }

    private var cameraAnswer: ((Boolean) -> Unit)? = null

    /** Ask for the camera (the enrol screen's QR code); [then] hears whether it was granted. */
    fun askForCamera(then: (Boolean) -> Unit) {
        cameraAnswer = then
        requestPermissions(arrayOf(android.Manifest.permission.CAMERA), CAMERA_REQUEST)
    }

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        super.onRequestPermissionsResult(requestCode, permissions, grantResults)
        if (requestCode != CAMERA_REQUEST) return
        val granted = grantResults.isNotEmpty() && grantResults[0] == android.content.pm.PackageManager.PERMISSION_GRANTED
        cameraAnswer?.invoke(granted)
        cameraAnswer = null
    }

    override fun onUserInteraction() {
        super.onUserInteraction()
        app.touch()
    }

    override fun onStart() {
        super.onStart()
        app.foregrounded()
        ticker.post(tick)
    }

    /** Home button, another app, screen off: lock now, keys zeroised. */
    override fun onStop() {
        ticker.removeCallbacks(tick)
        current?.leave() // the camera, if the enrol screen had it open
        app.backgrounded()
        super.onStop()
    }

    @Deprecated("Deprecated in API 33; the app still supports API 26")
    override fun onBackPressed() {
        if (!app.back()) {
            @Suppress("DEPRECATION")
            super.onBackPressed()
        }
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    private companion object {
        const val TICK_MS = 15_000L
        const val CAMERA_REQUEST = 7
    }
}
