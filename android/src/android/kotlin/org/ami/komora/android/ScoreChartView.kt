// A measure's scores over time, drawn with the framework's Canvas: the bands as tinted strips
// behind (darker for the bands further from well), the scores as dots joined by a line, each
// with its figure, and the dates of the first and last score. TalkBack reads the chart's
// description (every date, score and band) rather than the drawing.
package org.ami.komora.android

import android.content.Context
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Paint
import android.util.TypedValue
import android.view.View
import org.ami.komora.ui.ScoreChart

internal class ScoreChartView(ctx: Context, private val chart: ScoreChart) : View(ctx) {
    private fun px(dp: Float): Float =
        TypedValue.applyDimension(TypedValue.COMPLEX_UNIT_DIP, dp, resources.displayMetrics)

    private fun sp(v: Float): Float =
        TypedValue.applyDimension(TypedValue.COMPLEX_UNIT_SP, v, resources.displayMetrics)

    private val band = Paint(Paint.ANTI_ALIAS_FLAG).apply { style = Paint.Style.FILL }
    private val line = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = Color.rgb(0x1f, 0x3d, 0x5c)
        strokeWidth = px(2f)
        style = Paint.Style.STROKE
    }
    private val dot = Paint(Paint.ANTI_ALIAS_FLAG).apply { color = Color.rgb(0x1f, 0x3d, 0x5c) }
    private val text = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = Color.BLACK
        textSize = sp(13f)
    }

    init {
        contentDescription = chart.description
        importantForAccessibility = IMPORTANT_FOR_ACCESSIBILITY_YES
        isFocusable = true
        minimumHeight = px(160f).toInt()
    }

    override fun onMeasure(widthMeasureSpec: Int, heightMeasureSpec: Int) {
        val w = MeasureSpec.getSize(widthMeasureSpec)
        setMeasuredDimension(w, resolveSize(px(180f).toInt(), heightMeasureSpec))
    }

    override fun onDraw(canvas: Canvas) {
        super.onDraw(canvas)
        val left = px(8f)
        val right = width - px(8f)
        val top = px(8f)
        val bottom = height - sp(18f)
        val h = bottom - top
        // Shade by distance from the "well" end: the lowest band is well unless higher is better.
        val n = chart.areas.size.coerceAtLeast(1)
        chart.areas.forEachIndexed { i, a ->
            val severity = if (chart.higherIsBetter) n - 1 - i else i
            val alpha = 40 + 150 * severity / n
            band.color = Color.argb(alpha, 0xc0, 0x6a, 0x2b)
            canvas.drawRect(left, bottom - a.top * h - 1, right, bottom - a.bottom * h, band)
            canvas.drawText(a.label, left + px(4f), bottom - a.top * h + text.textSize, text)
        }
        val pts = chart.dots.map { (left + px(16f) + it.x * (right - left - px(32f))) to (bottom - it.y * h) }
        for (i in 1 until pts.size) {
            canvas.drawLine(pts[i - 1].first, pts[i - 1].second, pts[i].first, pts[i].second, line)
        }
        chart.dots.forEachIndexed { i, d ->
            val (x, y) = pts[i]
            canvas.drawCircle(x, y, px(4f), dot)
            canvas.drawText(d.score.toString(), x + px(6f), y - px(6f), text)
        }
        chart.dots.firstOrNull()?.let { canvas.drawText(it.shownDate, left, height - px(4f), text) }
        if (chart.dots.size > 1) {
            val last = chart.dots.last().shownDate
            canvas.drawText(last, right - text.measureText(last), height - px(4f), text)
        }
    }
}
