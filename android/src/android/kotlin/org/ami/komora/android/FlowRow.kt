package org.ami.komora.android

import android.content.Context
import android.view.View
import android.view.ViewGroup

/**
 * Children side by side, wrapping to the next line when the width runs out: chips and short
 * choices stay on one line in English and wrap, rather than overlap or get cut, in Kinyarwanda
 * at a large font. The framework has no such layout; this is the smallest one that works.
 */
internal class FlowRow(context: Context, private val gapPx: Int) : ViewGroup(context) {
    override fun onMeasure(widthMeasureSpec: Int, heightMeasureSpec: Int) {
        val maxWidth = MeasureSpec.getSize(widthMeasureSpec) - paddingLeft - paddingRight
        val unbounded = MeasureSpec.getMode(widthMeasureSpec) == MeasureSpec.UNSPECIFIED
        var x = 0
        var y = 0
        var lineHeight = 0
        var widest = 0
        for (i in 0 until childCount) {
            val c = getChildAt(i)
            if (c.visibility == View.GONE) continue
            c.measure(
                if (unbounded) MeasureSpec.makeMeasureSpec(0, MeasureSpec.UNSPECIFIED)
                else MeasureSpec.makeMeasureSpec(maxWidth, MeasureSpec.AT_MOST),
                MeasureSpec.makeMeasureSpec(0, MeasureSpec.UNSPECIFIED),
            )
            if (!unbounded && x > 0 && x + c.measuredWidth > maxWidth) {
                x = 0
                y += lineHeight + gapPx
                lineHeight = 0
            }
            x += c.measuredWidth + gapPx
            widest = maxOf(widest, x - gapPx)
            lineHeight = maxOf(lineHeight, c.measuredHeight)
        }
        val width = if (unbounded) widest + paddingLeft + paddingRight else MeasureSpec.getSize(widthMeasureSpec)
        setMeasuredDimension(width, y + lineHeight + paddingTop + paddingBottom)
    }

    override fun onLayout(changed: Boolean, l: Int, t: Int, r: Int, b: Int) {
        val maxWidth = r - l - paddingLeft - paddingRight
        var x = 0
        var y = 0
        var lineHeight = 0
        for (i in 0 until childCount) {
            val c = getChildAt(i)
            if (c.visibility == View.GONE) continue
            if (x > 0 && x + c.measuredWidth > maxWidth) {
                x = 0
                y += lineHeight + gapPx
                lineHeight = 0
            }
            c.layout(paddingLeft + x, paddingTop + y, paddingLeft + x + c.measuredWidth, paddingTop + y + c.measuredHeight)
            x += c.measuredWidth + gapPx
            lineHeight = maxOf(lineHeight, c.measuredHeight)
        }
    }
}
