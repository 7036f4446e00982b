package org.ami.komora.android

import android.app.Activity
import android.app.ActivityManager
import android.content.Intent
import android.content.res.Configuration
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
import org.ami.komora.ui.DraftKeeper
import org.ami.komora.ui.Presenter
import org.ami.komora.ui.Screen

/**
 * The one activity: it draws whichever screen the app's state names and hands every touch to
 * the auto-lock. Secure window (no screenshots, blank in recents, a title that names no one);
 * locked when sent to the background; locked after the idle time in the settings. Its manifest
 * entry handles rotation and font changes itself: the screen is drawn again at the new size
 * over the same presenter, so nothing typed is lost. Nothing is ever saved in a Bundle: what a
 * form holds is kept, sealed, in the vault as a draft (DraftKeeper), and a new activity finds
 * the counsellor where she was from the app's state.
 */
class MainActivity : Activity() {
    private val scope: CoroutineScope = MainScope()
    private val ticker = Handler(Looper.getMainLooper())
    private lateinit var app: App
    private lateinit var ui: Ui
    private var shown: Screen? = null
    private var presenter: Presenter<*>? = null
    private var screenJob: Job? = null
    private var current: ScreenView<*>? = null

    private val tick = object : Runnable {
        override fun run() {
            app.tick()
            ticker.postDelayed(this, TICK_MS)
        }
    }

    /** A pause in typing: keep the draft now (a killed app then loses at most this long). */
    private val keepDraft = Runnable { app.drafts.flush() }

    override fun onCreate(savedInstanceState: Bundle?) {
        // The look is the code's, not only the manifest's (the tests launch without one).
        setTheme(android.R.style.Theme_Material_Light_NoActionBar)
        super.onCreate(null) // nothing of a saved state is ever read back
        secureWindow()
        @Suppress("DEPRECATION") // the way to colour it from API 26 up to 34
        window.statusBarColor = Palette.PRIMARY_DARK
        window.decorView.setBackgroundColor(Palette.BACKGROUND)
        app = (application as KomoraApplication).app
        title = NEUTRAL_TITLE
        @Suppress("DEPRECATION") // the label-only constructor is the one API 26 has
        setTaskDescription(ActivityManager.TaskDescription(NEUTRAL_TITLE))
        ui = Ui(
            this,
            texts = { app.texts },
            today = { runCatching { java.time.LocalDate.parse(app.vault().today()) }.getOrElse { java.time.LocalDate.now() } },
        ) {
            app.touch()
            ticker.removeCallbacks(keepDraft)
            ticker.postDelayed(keepDraft, DraftKeeper.KEEP_EVERY_MS)
        }
        scope.launch { app.screen.collect { stack -> show(stack.last()) } }
        // Another team shown: the same home screen, drawn again from that team's vault.
        scope.launch { app.teamSwitches.drop(1).collect { shown?.let { s -> redraw(s, presenterFor(s, app)) } } }
        // A new language shows at once: the screen is drawn again in it (what a form holds
        // comes back from its draft).
        scope.launch {
            app.languageFlow.drop(1).collect {
                app.drafts.flush()
                shown?.let { s -> redraw(s, presenterFor(s, app)) }
            }
        }
    }

    private fun show(screen: Screen) {
        if (screen == shown) return
        // Another screen (or the lock): a save under way is given up, its bytes wiped, and the
        // dialogs open over the old screen close with it.
        dropSaving()
        ui.dismissDialogs()
        redraw(screen, presenterFor(screen, app))
    }

    private fun redraw(screen: Screen, p: Presenter<*>) {
        shown = screen
        presenter = p
        screenJob?.cancel()
        current?.leave()
        val view = viewFor(p, ui, app, scope)
        current = view
        setContentView(view.root)
        screenJob = view.bind(scope)
    }

    /** Turned, a new font size, a keyboard: the same screen, drawn again at the new size. */
    override fun onConfigurationChanged(newConfig: Configuration) {
        super.onConfigurationChanged(newConfig)
        val s = shown ?: return
        val p = presenter ?: return
        redraw(s, p)
    }

    /** Never any of the screen's content: see the class comment. */
    override fun onSaveInstanceState(outState: Bundle) = Unit

    override fun onRestoreInstanceState(savedInstanceState: Bundle) = Unit

    /** The documents being saved where the supervisor picks (a client's own file), if any. */
    private var saving: DocumentsOut? = null

    /** Whether the system's document picker, opened by the app for [saving], is in front of it. */
    private var pickerOpen = false

    /**
     * The picker stayed in front longer than the idle time: the app locks as if sent to the
     * background, and what it was saving is dropped unwritten.
     */
    private val pickerTooLong = Runnable {
        dropSaving()
        current?.leave()
        app.backgrounded()
    }

    /**
     * Save [documents] where the supervisor picks, one after the other: the system's picker
     * for each (its name says no one's name), the bytes written straight from memory to the
     * place picked, then wiped. [then] hears how many were written and whether one failed;
     * it is not called when the save is given up (the app locked, the screen went).
     */
    internal fun saveDocuments(documents: List<OutgoingDocument>, then: (written: Int, failed: Int) -> Unit) {
        dropSaving()
        saving = DocumentsOut(documents, then)
        pickNext()
    }

    private fun pickNext() {
        val s = saving ?: return
        val d = s.next()
        if (d == null) {
            saving = null
            s.finish()
            return
        }
        pickerOpen = true
        startActivityForResult(ExportDocuments.createDocument(d.name, d.mime), SAVE_REQUEST)
    }

    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        super.onActivityResult(requestCode, resultCode, data)
        if (requestCode != SAVE_REQUEST) return
        pickerOpen = false
        ticker.removeCallbacks(pickerTooLong)
        val uri = if (resultCode == RESULT_OK) data?.data else null
        val s = saving
        if (s == null) {
            // Locked while the picker was open: the bytes were dropped, and the document the
            // picker made holds nothing. Leave no empty copy with the file's name behind.
            uri?.let { ExportDocuments.discard(contentResolver, it) }
            return
        }
        s.picked(contentResolver, uri)
        pickNext()
    }

    private fun dropSaving() {
        saving?.drop()
        saving = null
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
        ticker.removeCallbacks(pickerTooLong)
        app.foregrounded()
        ticker.post(tick)
    }

    /**
     * Home button, another app, screen off: what forms hold is kept, then lock, keys zeroised.
     * Except behind the document picker the app opened itself to save a client's file: the
     * supervisor is still at work there, and the app locks only if the picker stays in front
     * longer than her idle time (the bytes waiting are then dropped unwritten).
     */
    override fun onStop() {
        ticker.removeCallbacks(tick)
        ticker.removeCallbacks(keepDraft)
        if (pickerOpen && saving != null) {
            ticker.postDelayed(pickerTooLong, app.autoLockMinutes * 60_000L)
            super.onStop()
            return
        }
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
        dropSaving()
        ticker.removeCallbacks(pickerTooLong)
        scope.cancel()
        super.onDestroy()
    }

    private companion object {
        const val TICK_MS = 15_000L
        const val CAMERA_REQUEST = 7
        const val SAVE_REQUEST = 8
        /** The window's and the recent-apps entry's title: the app's name, never a person's. */
        const val NEUTRAL_TITLE = "Komora"
    }
}
