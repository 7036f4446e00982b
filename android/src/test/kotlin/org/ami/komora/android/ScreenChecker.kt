package org.ami.komora.android

import android.app.Activity
import android.app.NotificationManager
import android.content.Context
import android.graphics.Bitmap
import android.graphics.Color
import android.graphics.Rect
import android.view.View
import android.view.ViewGroup
import android.view.WindowManager
import android.widget.CompoundButton
import android.widget.EditText
import android.widget.TextView
import kotlin.math.max
import kotlin.math.min
import kotlin.math.pow
import org.robolectric.Shadows.shadowOf

/** One thing wrong on a screen: which rule, on what, and how. */
data class Finding(val rule: String, val where: String, val detail: String) {
    override fun toString() = "[$rule] $where: $detail"
}

/**
 * What every screen must be, checked over the real view hierarchy the framework laid out
 * (Google's Accessibility Test Framework is not served here; these are its checks that matter
 * most on a counsellor's tablet, and the app's own):
 * - `cut`: no text cut off, ellipsized, or clipped by its parent;
 * - `overlap`: no two pieces of text or controls drawn over each other;
 * - `target`: every control at least 48 x 48 dp;
 * - `name`: every control named for TalkBack (its words, a description, a label, a hint);
 * - `contrast`: text at least 4.5:1 against what is drawn behind it (read from the pixels);
 * - `secure`: FLAG_SECURE on every window, dialogs and pop-ups included;
 * - `private`: no personal data in window titles, the recent-apps entry or notifications, and
 *   no text field whose menu hands its words to another app (Share, Translate);
 * - `primary`: at most one primary action on a screen.
 * [personal] is what must never appear outside the window's content: names, notes, codes.
 */
class ScreenChecker(private val personal: Collection<String>) {
    fun check(activity: Activity, windows: List<Pair<View, WindowManager.LayoutParams>>): List<Finding> = buildList {
        addAll(privacy(activity, windows))
        for ((root, params) in windows) {
            val name = windowName(root, params)
            if (params.flags and WindowManager.LayoutParams.FLAG_SECURE == 0) {
                add(Finding("secure", name, "the window can be captured: FLAG_SECURE is not set"))
            }
            addAll(content(root, name))
        }
    }

    private fun windowName(root: View, params: WindowManager.LayoutParams): String =
        if (params.type == WindowManager.LayoutParams.TYPE_BASE_APPLICATION) "the activity" else "a ${root.javaClass.simpleName} window"

    /** Titles, the recent-apps entry, notifications: nothing personal there. */
    private fun privacy(activity: Activity, windows: List<Pair<View, WindowManager.LayoutParams>>): List<Finding> = buildList {
        val titles = buildList {
            add("the activity's title" to activity.title?.toString())
            taskLabel(activity)?.let { add("the recent-apps entry" to it) }
            for ((root, params) in windows) add("the title of ${windowName(root, params)}" to params.title?.toString())
        }
        for ((where, text) in titles) {
            val leak = personal.filter { it.isNotBlank() }.firstOrNull { p -> text?.contains(p, ignoreCase = true) == true }
            if (leak != null) add(Finding("private", where, "shows personal data"))
        }
        val notifications = activity.getSystemService(Context.NOTIFICATION_SERVICE) as NotificationManager
        for (n in shadowOf(notifications).allNotifications) {
            val words = listOfNotNull(
                n.extras.getCharSequence(android.app.Notification.EXTRA_TITLE),
                n.extras.getCharSequence(android.app.Notification.EXTRA_TEXT),
                n.tickerText,
            ).joinToString(" ")
            if (personal.any { words.contains(it, ignoreCase = true) }) add(Finding("private", "a notification", "shows personal data"))
        }
    }

    private fun taskLabel(activity: Activity): String? = runCatching {
        val f = Activity::class.java.getDeclaredField("mTaskDescription").apply { isAccessible = true }
        (f.get(activity) as? android.app.ActivityManager.TaskDescription)?.label
    }.getOrNull()

    /** The checks on what a window draws. */
    private fun content(root: View, window: String): List<Finding> = buildList {
        val density = root.resources.displayMetrics.density
        val minTarget = (48 * density).toInt() - 1 // a pixel lost to rounding is not a finding
        val shown = visible(root)
        root.jumpDrawablesToCurrentState()
        val picture = Bitmap.createBitmap(root.width.coerceAtLeast(1), root.height.coerceAtLeast(1), Bitmap.Config.ARGB_8888)
        root.draw(android.graphics.Canvas(picture))
        val windowRect = Rect(0, 0, root.width, root.height)

        var primaries = 0
        for (v in shown) {
            val where = "$window: ${describe(v)}"
            val rect = rectIn(root, v)
            val onScreen = Rect(rect).apply { intersect(windowRect) }
            if (v.tag == Rank.PRIMARY) primaries++

            if (v is EditText && v !is PrivateEditText) {
                add(Finding("private", where, "a text field whose menu can share or translate what is typed in it"))
            }
            if (isControl(v)) {
                if (v.width < minTarget || v.height < minTarget) {
                    add(Finding("target", where, "${(v.width / density).toInt()} x ${(v.height / density).toInt()} dp, under 48 x 48"))
                }
                if (spokenName(v).isNullOrBlank()) add(Finding("name", where, "TalkBack has no name to say for it"))
            }
            if (v is TextView) {
                cut(v, density)?.let { add(Finding("cut", where, it)) }
                if (v.width == 0 || v.height == 0) continue
                clippedSideways(root, v)?.let { add(Finding("cut", where, it)) }
                if (!onScreen.isEmpty && shownText(v).isNotBlank()) {
                    val ratio = contrast(v, picture, onScreen)
                    if (ratio != null && ratio < 4.5) add(Finding("contrast", where, "%.2f:1, under 4.5:1".format(ratio)))
                }
            }
        }
        if (primaries > 1) add(Finding("primary", window, "$primaries primary actions on one screen"))
        addAll(overlaps(root, shown, window))
        picture.recycle()
    }

    /**
     * Views meant to be seen, from the root down (a view inside a hidden parent is not), those
     * squeezed to no size included: text or a control that the layout left no room for is
     * the worst way of being cut off.
     */
    private fun visible(root: View): List<View> = buildList {
        fun walk(v: View) {
            if (v.visibility != View.VISIBLE) return
            add(v)
            if (v is ViewGroup) for (i in 0 until v.childCount) walk(v.getChildAt(i))
        }
        walk(root)
    }

    private fun isControl(v: View): Boolean =
        v.isEnabled && (v.isClickable || v.isLongClickable || v is EditText || v is CompoundButton)

    /** What TalkBack says for a control: its description, its words, its hint or label, or its children's words. */
    fun spokenName(v: View): String? {
        v.contentDescription?.toString()?.takeIf { it.isNotBlank() }?.let { return it }
        (v as? TextView)?.text?.toString()?.takeIf { it.isNotBlank() && v !is EditText }?.let { return it }
        val info = v.createAccessibilityNodeInfo()
        info.hintText?.toString()?.takeIf { it.isNotBlank() }?.let { return it }
        info.labeledBy?.text?.toString()?.takeIf { it.isNotBlank() }?.let { return it }
        labelPointingAt(v)?.let { return it }
        if (v is ViewGroup) return childWords(v).joinToString(" ").ifBlank { null }
        return null
    }

    private fun labelPointingAt(v: View): String? {
        if (v.id == View.NO_ID) return null
        var top: View = v
        while (top.parent is View) top = top.parent as View
        return visible(top).filterIsInstance<TextView>().firstOrNull { it.labelFor == v.id }?.text?.toString()
    }

    private fun childWords(g: ViewGroup): List<String> = buildList {
        for (i in 0 until g.childCount) {
            val c = g.getChildAt(i)
            if (c.visibility != View.VISIBLE) continue
            c.contentDescription?.toString()?.let { add(it); continue }
            (c as? TextView)?.text?.toString()?.takeIf { it.isNotBlank() }?.let { add(it) }
            if (c is ViewGroup) addAll(childWords(c))
        }
    }

    private fun shownText(v: TextView): String =
        v.text?.toString()?.ifEmpty { null } ?: v.hint?.toString().orEmpty()

    /** Text that does not fit its view: ellipsized, or taller than the view shows. */
    private fun cut(v: TextView, density: Float): String? {
        if (shownText(v).isBlank()) return null
        if (v.width == 0 || v.height == 0) return "\"${short(v)}\" has no room at all (${v.width} x ${v.height} px)"
        val layout = v.layout ?: return null
        for (line in 0 until layout.lineCount) {
            if (layout.getEllipsisCount(line) > 0) return "\"${short(v)}\" is cut short with …"
        }
        // An edit field scrolls its own text; every other text shows whole.
        if (v is EditText) return null
        val needed = layout.getLineTop(layout.lineCount) + v.compoundPaddingTop + v.compoundPaddingBottom
        if (needed > v.height + density) return "\"${short(v)}\" needs ${(needed / density).toInt()} dp of height, has ${(v.height / density).toInt()}"
        val room = v.width - v.compoundPaddingLeft - v.compoundPaddingRight
        for (line in 0 until layout.lineCount) {
            // The ink of the line, its trailing spaces left out (they are never drawn).
            if (layout.getLineMax(line) > room + density) return "\"${short(v)}\" runs past its right edge"
        }
        return null
    }

    /** A view whose parent is narrower than it: its sides are not drawn. */
    private fun clippedSideways(root: View, v: View): String? {
        var child = v
        var p = v.parent
        var left = 0
        var right = v.width
        while (p is ViewGroup && p !== root.parent) {
            left += child.left - p.scrollX
            right += child.left - p.scrollX
            if (p.clipChildren && (left < -1 || right > p.width + 1)) {
                return "\"${short(v as TextView)}\" is clipped at the side by ${p.javaClass.simpleName}"
            }
            if (p === root) break
            child = p
            p = p.parent
        }
        return null
    }

    /**
     * The text's colour against the colour most drawn behind it (the view's own area in the
     * window's picture: the background wins the count over the thin strokes of letters).
     */
    private fun contrast(v: TextView, picture: Bitmap, area: Rect): Double? {
        val colour = if (v.text.isNullOrEmpty()) v.currentHintTextColor else v.currentTextColor
        val counts = HashMap<Int, Int>()
        val step = max(1, min(area.width(), area.height()) / 24)
        var y = area.top
        while (y < area.bottom) {
            var x = area.left
            while (x < area.right) {
                val p = picture.getPixel(x, y)
                counts[p] = (counts[p] ?: 0) + 1
                x += step
            }
            y += step
        }
        val background = counts.maxByOrNull { it.value }?.key ?: return null
        return ratio(over(colour, background), background)
    }

    private fun over(fg: Int, bg: Int): Int {
        val a = Color.alpha(fg) / 255.0
        fun mix(f: Int, b: Int) = (f * a + b * (1 - a)).toInt()
        return Color.rgb(mix(Color.red(fg), Color.red(bg)), mix(Color.green(fg), Color.green(bg)), mix(Color.blue(fg), Color.blue(bg)))
    }

    private fun luminance(c: Int): Double {
        fun ch(v: Int): Double {
            val s = v / 255.0
            return if (s <= 0.03928) s / 12.92 else ((s + 0.055) / 1.055).pow(2.4)
        }
        return 0.2126 * ch(Color.red(c)) + 0.7152 * ch(Color.green(c)) + 0.0722 * ch(Color.blue(c))
    }

    fun ratio(a: Int, b: Int): Double {
        val (hi, lo) = listOf(luminance(a), luminance(b)).sortedDescending()
        return (hi + 0.05) / (lo + 0.05)
    }

    /** Texts and controls drawn over one another (neither inside the other). */
    private fun overlaps(root: View, shown: List<View>, window: String): List<Finding> = buildList {
        val leaves = shown.filter { v ->
            v.width > 0 && v.height > 0 && ((v is TextView && shownText(v).isNotBlank()) || isControl(v))
        }.map { it to rectIn(root, it) }
        for (i in leaves.indices) for (j in i + 1 until leaves.size) {
            val (a, ra) = leaves[i]
            val (b, rb) = leaves[j]
            if (isAncestor(a, b) || isAncestor(b, a)) continue
            val overlap = Rect()
            if (overlap.setIntersect(ra, rb) && overlap.width() > 1 && overlap.height() > 1) {
                add(Finding("overlap", "$window: ${describe(a)}", "drawn over ${describe(b)}"))
            }
        }
    }

    private fun isAncestor(a: View, b: View): Boolean {
        var p = b.parent
        while (p != null) {
            if (p === a) return true
            p = p.parent
        }
        return false
    }

    /** Where [v] is drawn in [root]'s window, scrolling included. */
    private fun rectIn(root: View, v: View): Rect {
        val at = IntArray(2)
        val rootAt = IntArray(2)
        v.getLocationInWindow(at)
        root.getLocationInWindow(rootAt)
        val x = at[0] - rootAt[0]
        val y = at[1] - rootAt[1]
        return Rect(x, y, x + v.width, y + v.height)
    }

    private fun short(v: TextView): String = shownText(v).replace('\n', ' ').take(40)

    private fun describe(v: View): String = when (v) {
        is TextView -> "${v.javaClass.simpleName} \"${short(v)}\""
        else -> v.contentDescription?.let { "${v.javaClass.simpleName} \"$it\"" } ?: v.javaClass.simpleName
    }
}
