package org.ami.komora.android

import android.app.Dialog
import android.text.Editable
import android.text.InputType
import android.text.TextWatcher
import android.view.Gravity
import android.view.View
import android.view.ViewGroup.LayoutParams.MATCH_PARENT
import android.view.ViewGroup.LayoutParams.WRAP_CONTENT
import android.view.WindowManager
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import org.ami.komora.core.foldForSearch
import org.ami.komora.ui.Choice
import org.ami.komora.ui.Str

/**
 * A list to choose from, in a dialog of the app's own (a secure window: the framework's
 * Spinner opens its list in a pop-up window that screenshots and screen recordings can see).
 * Long lists (districts, sectors, instruments) have a search box that ignores case and accents,
 * as the client search does.
 */
internal class Picker(
    private val ui: Ui,
    title: String,
    private val choices: List<Choice>,
    private val selected: String?,
    searchable: Boolean,
    private val onPick: (String) -> Unit,
) {
    private val dialog = Dialog(ui.ctx, android.R.style.Theme_Material_Light_Dialog_NoActionBar)
    private val list = ui.stack()
    private val empty = ui.secondary().apply { visibility = View.GONE }

    init {
        val search = if (searchable) ui.field(texts()[Str.SEARCH_LIST], InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS) { q -> fill(q) } else null
        val content = ui.column(
            ui.strong(title, 20f),
            search?.root,
            ScrollView(ui.ctx).apply {
                isSaveEnabled = false
                addView(list)
            },
            ui.button(texts()[Str.CANCEL], Rank.TEXT) { dialog.dismiss() }.also {
                (it.layoutParams as? LinearLayout.LayoutParams)?.gravity = Gravity.END
            },
            padding = 20,
        ).apply { background = Shapes.rounded(Palette.SURFACE, ui.dp(16).toFloat()) }
        // A long list takes what height is left; the dialog never outgrows the screen.
        if (searchable) {
            (content.getChildAt(content.childCount - 2).layoutParams as LinearLayout.LayoutParams).apply {
                height = 0
                weight = 1f
            }
        }
        empty.text = texts()[Str.NO_MATCH]
        list.addView(empty)
        fill("")
        dialog.setContentView(content)
        dialog.secureWindow()
        dialog.window?.apply {
            setBackgroundDrawable(android.graphics.drawable.ColorDrawable(0))
            val m = ui.ctx.resources.displayMetrics
            // A long list (one with a search box) takes most of the screen, so it does not jump
            // as she types; a short one only what it needs.
            setLayout(minOf(m.widthPixels * 9 / 10, ui.dp(560)), if (searchable) m.heightPixels * 8 / 10 else WRAP_CONTENT)
            @Suppress("DEPRECATION") // still how a dialog makes room for the keyboard below API 30
            setSoftInputMode(WindowManager.LayoutParams.SOFT_INPUT_ADJUST_RESIZE)
        }
    }

    private fun texts() = ui.texts()

    private fun fill(query: String) {
        val q = foldForSearch(query.trim())
        while (list.childCount > 1) list.removeViewAt(1)
        val shown = choices.filter { q.isEmpty() || foldForSearch(it.label).contains(q) }
        empty.visibility = if (shown.isEmpty()) View.VISIBLE else View.GONE
        for (c in shown) list.addView(row(c), LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
    }

    private fun row(c: Choice): View = ui.body(c.label, 18f).apply {
        val chosen = c.id == selected
        if (chosen) {
            setTypeface(typeface, android.graphics.Typeface.BOLD)
            setTextColor(Palette.PRIMARY)
            contentDescription = "${c.label}, ${texts()[Str.CD_CHOSEN]}"
        }
        setCompoundDrawablesRelativeWithIntrinsicBounds(null, null, if (chosen) Tick(ui.dp(24)) else null, null)
        minHeight = ui.dp(56)
        gravity = Gravity.CENTER_VERTICAL
        setPadding(ui.dp(12), ui.dp(8), ui.dp(12), ui.dp(8))
        background = Shapes.ripple(null, ui.dp(8).toFloat())
        isClickable = true
        isFocusable = true
        setOnClickListener {
            dialog.dismiss()
            onPick(c.id)
        }
    }

    fun show() {
        ui.opened(dialog)
        dialog.show()
    }
}

/** The tick beside the chosen row. */
private class Tick(size: Int) : android.graphics.drawable.Drawable() {
    private val s = size
    private val paint = android.graphics.Paint(android.graphics.Paint.ANTI_ALIAS_FLAG).apply {
        color = Palette.PRIMARY
        style = android.graphics.Paint.Style.STROKE
        strokeWidth = size / 10f
        strokeCap = android.graphics.Paint.Cap.ROUND
    }
    override fun getIntrinsicWidth() = s
    override fun getIntrinsicHeight() = s
    override fun draw(canvas: android.graphics.Canvas) {
        val b = bounds
        val p = android.graphics.Path().apply {
            moveTo(b.left + b.width() * 0.2f, b.top + b.height() * 0.52f)
            lineTo(b.left + b.width() * 0.42f, b.top + b.height() * 0.74f)
            lineTo(b.left + b.width() * 0.82f, b.top + b.height() * 0.3f)
        }
        canvas.drawPath(p, paint)
    }
    override fun setAlpha(alpha: Int) { paint.alpha = alpha }
    override fun setColorFilter(colorFilter: android.graphics.ColorFilter?) { paint.colorFilter = colorFilter }
    @Deprecated("Deprecated in Java")
    override fun getOpacity() = android.graphics.PixelFormat.TRANSLUCENT
}
