package org.ami.komora.android

import android.app.Activity
import android.graphics.Bitmap
import android.graphics.Canvas
import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.view.WindowManager
import android.widget.CompoundButton
import android.widget.EditText
import android.widget.ScrollView
import android.widget.TextView
import java.io.File
import org.ami.komora.ui.App
import org.robolectric.Robolectric
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController

/**
 * A tablet in the counsellor's hands: the real [MainActivity] under Robolectric, driven only
 * through what she can see and touch (a label, a button's words, a field's label). Every step
 * waits for the main looper to run what the core's callbacks posted to it.
 */
class Device(val application: TestApplication) {
    private var controller: ActivityController<MainActivity>? = null

    val activity: MainActivity get() = controller?.get() ?: error("the app is not running: launch() it")
    val app: App get() = application.app

    /** Open the app from the launcher (a new activity over whatever the process holds). */
    fun launch(): Device {
        controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        settle()
        return this
    }

    /** Home button or another app: the activity stops (and the app locks itself). */
    fun leave(): Device {
        controller?.pause()?.stop()
        settle()
        return this
    }

    /** Back to the app after [leave]. */
    fun comeBack(): Device {
        controller?.restart()?.start()?.resume()
        settle()
        return this
    }

    /**
     * The tablet's screen becomes [qualifiers] (size and density, as Robolectric names them)
     * with the font at [fontScale]: the activity hears it as a configuration change, as on a
     * device whose font setting was changed or which was turned.
     */
    fun reconfigure(qualifiers: String, fontScale: Float): Device {
        org.robolectric.RuntimeEnvironment.setQualifiers(qualifiers)
        org.robolectric.RuntimeEnvironment.setFontScale(fontScale)
        controller?.configurationChange()
        settle()
        return this
    }

    /** What the activity puts in the Bundle Android keeps for it when it stops it. */
    fun savedState(): android.os.Bundle = android.os.Bundle().also { controller?.saveInstanceState(it) }

    /** The activity is destroyed (the system reclaimed it); the process may live on. */
    fun destroy() {
        controller?.pause()?.stop()?.destroy()
        controller = null
        settle()
    }

    // ---- waiting ----

    /** Run what is due on the main looper until [done] holds (the core answers on other threads). */
    fun waitFor(what: String, timeoutMs: Long = 30_000, done: () -> Boolean) {
        val deadline = System.currentTimeMillis() + timeoutMs
        while (true) {
            shadowOf(Looper.getMainLooper()).idle()
            if (done()) return
            if (System.currentTimeMillis() > deadline) error("waited ${timeoutMs / 1000} s for $what; the screen shows:\n${visibleText()}")
            Thread.sleep(5)
        }
    }

    fun settle() {
        shadowOf(Looper.getMainLooper()).idle()
    }

    /** Wait until [text] is on screen (exactly, or as the start of a line). */
    fun waitForText(text: String, timeoutMs: Long = 30_000) = waitFor("\"$text\"", timeoutMs) { shows(text) }

    // ---- what is on screen ----

    /** Every window of the app, the activity's first, dialogs and pop-ups after, with its flags. */
    fun windows(): List<Pair<View, WindowManager.LayoutParams>> = Windows.all()

    /** Views of the topmost window that are shown, in drawing order. */
    fun views(root: View = topWindow()): List<View> = buildList {
        fun walk(v: View) {
            if (!v.isShown) return
            add(v)
            if (v is ViewGroup) for (i in 0 until v.childCount) walk(v.getChildAt(i))
        }
        walk(root)
    }

    fun topWindow(): View = windows().lastOrNull()?.first ?: activity.window.decorView

    /** Every piece of text shown, one per line (what a sighted user reads). */
    fun visibleText(): String = views().filterIsInstance<TextView>()
        .mapNotNull { v -> v.text?.toString()?.takeIf { it.isNotBlank() } ?: v.hint?.toString()?.let { "[$it]" } }
        .joinToString("\n")

    fun shows(text: String): Boolean = views().filterIsInstance<TextView>().any { v ->
        val t = v.text?.toString().orEmpty()
        t == text || t.lines().any { it == text || it.startsWith(text) } || (t.contains(text) && text.length > 12)
    }

    /** The view a person would call [label]: its words, its spoken name, or the field it names. */
    fun find(label: String): View = findOrNull(label) ?: error("nothing called \"$label\" on screen; the screen shows:\n${visibleText()}")

    fun findOrNull(label: String): View? {
        val shown = views()
        return shown.firstOrNull { it is EditText && fieldName(it, shown) == label }
            ?: shown.firstOrNull { it.isClickable && (it as? TextView)?.text?.toString() == label }
            ?: shown.firstOrNull { it.isClickable && it.contentDescription?.toString() == label }
            ?: shown.firstOrNull { it.isClickable && it is ViewGroup && descendantsText(it).contains(label) }
            ?: shown.firstOrNull { (it as? TextView)?.text?.toString() == label }
    }

    private fun descendantsText(g: ViewGroup): List<String> = buildList {
        fun walk(v: View) {
            (v as? TextView)?.text?.toString()?.let { add(it) }
            if (v is ViewGroup) for (i in 0 until v.childCount) walk(v.getChildAt(i))
        }
        walk(g)
    }

    /** A field's name as TalkBack says it: the label that points at it, else its hint. */
    fun fieldName(field: EditText, shown: List<View> = views()): String? =
        shown.filterIsInstance<TextView>().firstOrNull { it.labelFor == field.id && field.id != View.NO_ID }?.text?.toString()
            ?: field.hint?.toString()
            ?: field.contentDescription?.toString()

    fun field(label: String): EditText = find(label) as? EditText ?: error("\"$label\" is not a text field")

    // ---- touching ----

    /** Tap what is called [label], scrolled into view first; it must be enabled. */
    fun tap(label: String): Device = tap(find(label), label)

    fun tap(view: View, label: String = view.toString()): Device {
        bringIntoView(view)
        check(view.isEnabled) { "\"$label\" is greyed out" }
        val was = (view as? CompoundButton)?.isChecked
        val heard = view.performClick()
        check(heard || (view is CompoundButton && view.isChecked != was)) { "\"$label\" does nothing when tapped" }
        settle()
        return this
    }

    fun longPress(label: String): Device {
        val v = find(label)
        bringIntoView(v)
        check(v.performLongClick()) { "\"$label\" does nothing on a long press" }
        settle()
        return this
    }

    /** Type into the field called [label], as a keyboard would: one character at a time. */
    fun type(label: String, text: String, replace: Boolean = true): Device {
        val f = field(label)
        bringIntoView(f)
        f.requestFocus()
        if (replace) f.setText("")
        for (c in text) f.append(c.toString())
        settle()
        return this
    }

    fun isChecked(label: String): Boolean = (find(label) as CompoundButton).isChecked

    /** Tap the first thing whose words (or a line of them) start with [start]. */
    fun tapStarting(start: String): Device {
        val v = views().firstOrNull { v ->
            v.isClickable && ((v as? TextView)?.text?.toString()?.startsWith(start) == true ||
                (v is ViewGroup && descendantsText(v).any { it.startsWith(start) }))
        } ?: error("nothing starting \"$start\" to tap; the screen shows:\n${visibleText()}")
        return tap(v, start)
    }

    /** Open the picker (or date field) called [label]: its list (or calendar) shows in a dialog. */
    fun openPicker(label: String): Device {
        val box = views().firstOrNull { it.isClickable && it.contentDescription?.toString()?.startsWith("$label:") == true }
            ?: error("no picker \"$label\"; the screen shows:\n${visibleText()}")
        return tap(box, label)
    }

    /** Open the picker called [label] and choose [choice] in its list. */
    fun pick(label: String, choice: String): Device {
        openPicker(label)
        val row = views().firstOrNull { it.isClickable && (it as? TextView)?.text?.toString() == choice }
            ?: error("\"$choice\" is not in the list of \"$label\"; it shows:\n${visibleText()}")
        return tap(row, choice)
    }

    /** The current value of the picker called [label]. */
    fun picked(label: String): String? = views().firstOrNull { it.contentDescription?.toString()?.startsWith("$label:") == true }
        ?.let { (it as TextView).text.toString() }

    /**
     * The system's document picker the app opened (to save a client's file): the supervisor
     * picks [uri] (null: she cancels). Returns the intent the app opened it with.
     */
    fun answerDocumentPicker(uri: android.net.Uri?): android.content.Intent {
        val asked = shadowOf(activity).nextStartedActivityForResult ?: error("no document picker was opened; the screen shows:\n${visibleText()}")
        val answer = uri?.let { android.content.Intent().setData(it) }
        shadowOf(activity).receiveResult(asked.intent, if (uri != null) Activity.RESULT_OK else Activity.RESULT_CANCELED, answer)
        settle()
        return asked.intent
    }

    /** Whether the app opened a picker (or any activity for a result) not yet answered. */
    fun pickerWaiting(): Boolean = shadowOf(activity).peekNextStartedActivityForResult() != null

    /** The back button (or gesture). */
    fun back(): Device {
        val dialog = org.robolectric.shadows.ShadowDialog.getShownDialogs().lastOrNull { it.isShowing }
        if (dialog != null) {
            dialog.cancel() // what the back button does to a dialog
        } else {
            @Suppress("DEPRECATION")
            activity.onBackPressed()
        }
        settle()
        return this
    }

    private fun bringIntoView(v: View) {
        var p = v.parent
        while (p != null && p !is ScrollView) p = p.parent
        if (p is ScrollView) {
            val r = android.graphics.Rect()
            v.getDrawingRect(r)
            p.offsetDescendantRectToMyCoords(v, r)
            p.scrollTo(0, maxOf(0, r.top - p.height / 3))
        }
        check(v.isShown) { "$v is not shown" }
    }

    // ---- pictures ----

    /** The topmost window as the counsellor sees it, or, [whole], its whole scrolling content. */
    fun picture(whole: Boolean = false): Bitmap = Pictures.draw(topWindow(), whole)

    fun savePicture(file: File, whole: Boolean = true) {
        file.parentFile?.mkdirs()
        val ws = windows()
        val bitmap = if (ws.size > 1) Pictures.dialogOver(ws.first().first, ws.last().first) else picture(whole)
        file.outputStream().use { bitmap.compress(Bitmap.CompressFormat.PNG, 100, it) }
    }
}

/** The app's windows, read from the framework's own window list (Robolectric runs it as is). */
object Windows {
    fun all(): List<Pair<View, WindowManager.LayoutParams>> {
        val global = Class.forName("android.view.WindowManagerGlobal")
        val instance = global.getMethod("getInstance").invoke(null)
        fun <T> field(name: String): List<T> {
            val f = global.getDeclaredField(name).apply { isAccessible = true }
            @Suppress("UNCHECKED_CAST")
            return (f.get(instance) as List<T>).toList()
        }
        val views = field<View>("mViews")
        val params = field<WindowManager.LayoutParams>("mParams")
        return views.zip(params).filter { (v, _) -> v.isAttachedToWindow && v.visibility == View.VISIBLE }
    }

    fun ofActivity(a: Activity): WindowManager.LayoutParams = a.window.attributes
}
