package org.ami.komora.android

import android.graphics.Bitmap
import android.graphics.Canvas
import android.view.View
import android.view.ViewGroup
import android.widget.ScrollView

/** Draws a window to a bitmap with the framework's own drawing code (real fonts, real text). */
object Pictures {
    /**
     * The window as it shows, or [whole]: as tall as its scrolling content, so one picture shows
     * a long screen from top to bottom (the window is laid out taller, drawn, then put back).
     */
    fun draw(root: View, whole: Boolean): Bitmap {
        // A check box ticked a moment ago animates its tick over a few frames that no clock
        // has run yet: show every drawable in its final state, as the eye sees it.
        root.jumpDrawablesToCurrentState()
        val width = root.width
        val height = root.height
        val scrolls = scrollViews(root)
        val extra = if (whole) scrolls.sumOf { s -> maxOf(0, (s.getChildAt(0)?.height ?: 0) - s.height) } else 0
        val tall = height + extra
        val kept = scrolls.map { it.scrollY }
        if (whole) scrolls.forEach { it.scrollTo(0, 0) }
        if (tall != height) relayout(root, width, tall)
        val bitmap = Bitmap.createBitmap(width, tall, Bitmap.Config.ARGB_8888)
        root.draw(Canvas(bitmap))
        if (tall != height) relayout(root, width, height)
        scrolls.zip(kept).forEach { (s, y) -> s.scrollTo(0, y) }
        return bitmap
    }

    /** Run [block] with [root] laid out as tall as its scrolling content (then put back). */
    fun <T> whole(root: View, block: () -> T): T {
        val height = root.height
        val scrolls = scrollViews(root)
        val extra = scrolls.sumOf { s -> maxOf(0, (s.getChildAt(0)?.height ?: 0) - s.height) }
        val kept = scrolls.map { it.scrollY }
        scrolls.forEach { it.scrollTo(0, 0) }
        if (extra > 0) relayout(root, root.width, height + extra)
        try {
            return block()
        } finally {
            if (extra > 0) relayout(root, root.width, height)
            scrolls.zip(kept).forEach { (s, y) -> s.scrollTo(0, y) }
        }
    }

    /**
     * A dialog over the screen it opened from, as the counsellor sees it: the screen dimmed,
     * the dialog in the middle.
     */
    fun dialogOver(screen: View, dialog: View): Bitmap {
        screen.jumpDrawablesToCurrentState()
        dialog.jumpDrawablesToCurrentState()
        val bitmap = Bitmap.createBitmap(screen.width, screen.height, Bitmap.Config.ARGB_8888)
        val canvas = Canvas(bitmap)
        screen.draw(canvas)
        canvas.drawColor(0x99000000.toInt())
        canvas.save()
        canvas.translate((screen.width - dialog.width) / 2f, (screen.height - dialog.height) / 2f)
        dialog.draw(canvas)
        canvas.restore()
        return bitmap
    }

    private fun relayout(root: View, width: Int, height: Int) {
        root.measure(
            View.MeasureSpec.makeMeasureSpec(width, View.MeasureSpec.EXACTLY),
            View.MeasureSpec.makeMeasureSpec(height, View.MeasureSpec.EXACTLY),
        )
        root.layout(0, 0, width, height)
    }

    private fun scrollViews(v: View): List<ScrollView> = buildList {
        fun walk(x: View) {
            if (x.visibility != View.VISIBLE) return
            if (x is ScrollView) add(x)
            if (x is ViewGroup) for (i in 0 until x.childCount) walk(x.getChildAt(i))
        }
        walk(v)
    }
}
