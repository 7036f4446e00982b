// A measure's scores over time, drawn with the framework's Canvas: the bands as tinted strips
// behind (darker for the bands further from well) with their names in a column on the left,
// the scores as dots joined by a line, each with its figure, and the dates of the first and
// last score under them. The figures have a pale halo, so the line crossing one never makes it
// unreadable. TalkBack reads the chart's description (every date, score and band)
// rather than the drawing. Sizes are in sp where text must fit, so the chart grows with the
// tablet's font setting.
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
        color = Palette.PRIMARY_DARK
        strokeWidth = px(2f)
        style = Paint.Style.STROKE
    }
    private val dot = Paint(Paint.ANTI_ALIAS_FLAG).apply { color = Palette.PRIMARY_DARK }
    private val text = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = Palette.TEXT
        textSize = sp(13f)
    }
    private val figure = Paint(text).apply { isFakeBoldText = true }
    private val halo = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = Color.argb(230, 255, 255, 255)
        style = Paint.Style.STROKE
        strokeWidth = px(3f)
        strokeJoin = Paint.Join.ROUND
    }

    init {
        contentDescription = chart.description
        importantForAccessibility = IMPORTANT_FOR_ACCESSIBILITY_YES
        isFocusable = true
        minimumHeight = px(160f).toInt()
    }

    override fun onMeasure(widthMeasureSpec: Int, heightMeasureSpec: Int) {
        val w = MeasureSpec.getSize(widthMeasureSpec)
        setMeasuredDimension(w, resolveSize(sp(190f).toInt(), heightMeasureSpec))
    }

    /** [s] at ([x], [y]) over a pale halo, so it reads on any tint and across the line. */
    private fun Canvas.label(s: String, x: Float, y: Float, paint: Paint) {
        halo.textSize = paint.textSize
        halo.isFakeBoldText = paint.isFakeBoldText
        drawText(s, x, y, halo)
        drawText(s, x, y, paint)
    }

    override fun onDraw(canvas: Canvas) {
        super.onDraw(canvas)
        val left = px(8f)
        val right = width - px(8f)
        val top = px(8f)
        val bottom = height - sp(20f)
        val h = bottom - top
        // The bands' names take a column on the left; the scores are drawn to its right.
        val names = chart.areas.maxOfOrNull { text.measureText(it.label) } ?: 0f
        val plotLeft = left + minOf(names + px(12f), (right - left) * 0.45f) + px(12f)
        val plotRight = right - px(16f)

        // Shade by distance from the "well" end: the lowest band is well unless higher is better.
        val n = chart.areas.size.coerceAtLeast(1)
        chart.areas.forEachIndexed { i, a ->
            val severity = if (chart.higherIsBetter) n - 1 - i else i
            band.color = Color.argb(40 + 150 * severity / n, 0xc0, 0x6a, 0x2b)
            canvas.drawRect(left, bottom - a.top * h, right, bottom - a.bottom * h, band)
        }

        val pts = chart.dots.map { (plotLeft + it.x * (plotRight - plotLeft)) to (bottom - it.y * h) }
        for (i in 1 until pts.size) {
            canvas.drawLine(pts[i - 1].first, pts[i - 1].second, pts[i].first, pts[i].second, line)
        }
        pts.forEach { (x, y) -> canvas.drawCircle(x, y, px(4f), dot) }

        // A band's name where it fits (a band narrower than a line of text stays unnamed here:
        // the figures under the chart and TalkBack name it).
        chart.areas.forEach { a ->
            val bandHeight = (a.top - a.bottom) * h
            if (bandHeight >= text.textSize * 1.1f) {
                val middle = bottom - (a.top + a.bottom) / 2 * h
                canvas.drawText(a.label, left + px(4f), middle + text.textSize / 3, text)
            }
        }

        // Each score's figure above its dot (below it at the top of the chart), inside the chart.
        chart.dots.forEachIndexed { i, d ->
            val (x, y) = pts[i]
            val s = d.score.toString()
            val w = figure.measureText(s)
            val above = y - px(8f)
            val fy = if (above - figure.textSize < top) y + figure.textSize + px(6f) else above
            canvas.label(s, (x - w / 2).coerceIn(left, right - w), fy, figure)
        }

        // The first and last dates, under their dots.
        val dateY = height - px(4f)
        fun date(i: Int) {
            val s = chart.dots[i].shownDate
            val w = text.measureText(s)
            canvas.drawText(s, (pts[i].first - w / 2).coerceIn(0f, width - w), dateY, text)
        }
        if (chart.dots.isNotEmpty()) date(0)
        if (chart.dots.size > 1) date(chart.dots.size - 1)
    }
}
