// The app's look, made in code from the framework's own drawables (no XML, no AndroidX): a
// palette chosen for a cheap tablet in the sun (every text colour at least 6:1 against what it
// sits on, most above 7:1), and the few shapes every screen is drawn with.
package org.ami.komora.android

import android.content.res.ColorStateList
import android.graphics.Canvas
import android.graphics.ColorFilter
import android.graphics.Paint
import android.graphics.Path
import android.graphics.PixelFormat
import android.graphics.drawable.Drawable
import android.graphics.drawable.GradientDrawable
import android.graphics.drawable.LayerDrawable
import android.graphics.drawable.RippleDrawable
import android.graphics.drawable.StateListDrawable
import android.view.Gravity

/** Colours, as ARGB. Text on each background is checked at 4.5:1 or more by the screen tests. */
internal object Palette {
    const val PRIMARY = 0xFF0B5C7A.toInt()
    const val PRIMARY_DARK = 0xFF07455C.toInt()
    const val ON_PRIMARY = 0xFFFFFFFF.toInt()
    const val BACKGROUND = 0xFFF2F4F6.toInt()
    const val SURFACE = 0xFFFFFFFF.toInt()
    const val OUTLINE = 0xFFC3CBD2.toInt()
    const val TEXT = 0xFF1A1C1E.toInt()
    const val TEXT_SECONDARY = 0xFF454C53.toInt()
    const val FIELD = 0xFFE9EEF2.toInt()
    const val FIELD_LINE = 0xFF5B6670.toInt()
    const val ERROR = 0xFFB3261E.toInt()
    const val ERROR_BG = 0xFFFCE8E6.toInt()
    const val DISABLED_BG = 0xFFDDE2E6.toInt()
    const val DISABLED_TEXT = 0xFF4A535B.toInt()
    const val PRESSED = 0x33000000
    const val PRACTICE_BG = 0xFFFFD95A.toInt()
    const val PRACTICE_TEXT = 0xFF2E2300.toInt()
}

/** What a chip or a row's stripe says at a glance. */
internal enum class Tone(val background: Int, val text: Int) {
    DANGER(0xFFFADBD8.toInt(), 0xFF8C1D18.toInt()),
    WARNING(0xFFFFEDC2.toInt(), 0xFF5F4600.toInt()),
    GOOD(0xFFDCEFE2.toInt(), 0xFF1B5E30.toInt()),
    INFO(0xFFDCEAF5.toInt(), 0xFF0B4A6F.toInt()),
    NEUTRAL(0xFFE6E9EC.toInt(), 0xFF33393F.toInt()),
}

/** Shapes, sized in pixels by the caller (Ui converts dp). */
internal object Shapes {
    fun rounded(fill: Int, radius: Float, stroke: Int? = null, strokeWidth: Int = 0): GradientDrawable =
        GradientDrawable().apply {
            shape = GradientDrawable.RECTANGLE
            cornerRadius = radius
            setColor(fill)
            if (stroke != null) setStroke(strokeWidth, stroke)
        }

    /** A button's background: its fill, greyed when disabled, with the framework's ripple. */
    fun button(fill: Int, radius: Float, stroke: Int? = null, strokeWidth: Int = 0): Drawable {
        val states = StateListDrawable().apply {
            addState(intArrayOf(-android.R.attr.state_enabled), rounded(Palette.DISABLED_BG, radius))
            addState(intArrayOf(), rounded(fill, radius, stroke, strokeWidth))
        }
        return RippleDrawable(ColorStateList.valueOf(Palette.PRESSED), states, rounded(0xFF000000.toInt(), radius))
    }

    /** A tappable surface that shows the touch (rows, cards). */
    fun ripple(content: Drawable?, radius: Float): Drawable =
        RippleDrawable(ColorStateList.valueOf(Palette.PRESSED), content, rounded(0xFF000000.toInt(), radius))

    /**
     * A filled text field (Material's filled style): a tinted box, its top corners rounded, a
     * line under it that thickens in the primary colour while it has the focus and turns red
     * with an error.
     */
    fun field(radius: Float, line: Int, focusedLine: Int, error: Boolean): Drawable {
        fun box(lineColour: Int, lineWidth: Int): Drawable {
            val fill = GradientDrawable().apply {
                setColor(Palette.FIELD)
                cornerRadii = floatArrayOf(radius, radius, radius, radius, 0f, 0f, 0f, 0f)
            }
            val under = GradientDrawable().apply { setColor(lineColour) }
            return LayerDrawable(arrayOf(fill, under)).apply {
                setLayerGravity(1, Gravity.BOTTOM or Gravity.FILL_HORIZONTAL)
                setLayerHeight(1, lineWidth)
            }
        }
        val thin = (line / 2).coerceAtLeast(1)
        return StateListDrawable().apply {
            addState(intArrayOf(android.R.attr.state_focused), box(if (error) Palette.ERROR else Palette.PRIMARY, focusedLine))
            addState(intArrayOf(), box(if (error) Palette.ERROR else Palette.FIELD_LINE, if (error) line else thin))
        }
    }
}

/** A line icon drawn with a path: the app bar's back arrow, a picker's chevron, a row's arrow. */
internal class LineIcon(private val kind: Kind, colour: Int, private val sizePx: Int, strokePx: Float) : Drawable() {
    enum class Kind { BACK, DOWN, FORWARD }

    private val paint = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = colour
        style = Paint.Style.STROKE
        strokeWidth = strokePx
        strokeCap = Paint.Cap.ROUND
        strokeJoin = Paint.Join.ROUND
    }

    override fun getIntrinsicWidth() = sizePx
    override fun getIntrinsicHeight() = sizePx

    override fun draw(canvas: Canvas) {
        val b = bounds
        val s = minOf(b.width(), b.height()).toFloat()
        val x = b.exactCenterX() - s / 2
        val y = b.exactCenterY() - s / 2
        val p = Path()
        when (kind) {
            Kind.BACK -> {
                p.moveTo(x + s * 0.80f, y + s * 0.5f); p.lineTo(x + s * 0.22f, y + s * 0.5f)
                p.moveTo(x + s * 0.48f, y + s * 0.24f); p.lineTo(x + s * 0.22f, y + s * 0.5f); p.lineTo(x + s * 0.48f, y + s * 0.76f)
            }
            Kind.DOWN -> {
                p.moveTo(x + s * 0.25f, y + s * 0.38f); p.lineTo(x + s * 0.5f, y + s * 0.63f); p.lineTo(x + s * 0.75f, y + s * 0.38f)
            }
            Kind.FORWARD -> {
                p.moveTo(x + s * 0.38f, y + s * 0.25f); p.lineTo(x + s * 0.63f, y + s * 0.5f); p.lineTo(x + s * 0.38f, y + s * 0.75f)
            }
        }
        canvas.drawPath(p, paint)
    }

    override fun setAlpha(alpha: Int) {
        paint.alpha = alpha
    }

    override fun setColorFilter(colorFilter: ColorFilter?) {
        paint.colorFilter = colorFilter
    }

    @Deprecated("Deprecated in Java")
    override fun getOpacity(): Int = PixelFormat.TRANSLUCENT
}
