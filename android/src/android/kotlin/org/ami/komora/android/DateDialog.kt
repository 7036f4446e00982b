package org.ami.komora.android

import android.app.Dialog
import android.view.Gravity
import android.view.View
import android.view.ViewGroup.LayoutParams.MATCH_PARENT
import android.view.ViewGroup.LayoutParams.WRAP_CONTENT
import android.widget.LinearLayout
import android.widget.TextView
import java.time.DayOfWeek
import java.time.LocalDate
import java.time.temporal.TemporalAdjusters
import org.ami.komora.ui.Str

/**
 * Choosing a date (a next appointment, a referral's follow-up): the usual ones a tap away ("in
 * 2 weeks"), or a day of a month calendar whose every day is a 48 dp target read out in full
 * by TalkBack. The app's own, in a secure window: the platform's date picker has a header
 * under 48 dp and under 4.5:1 contrast (the screen checks found it), and its window was
 * secured only by remembering to.
 */
internal class DateDialog(
    private val ui: Ui,
    title: String,
    chosen: LocalDate?,
    private val today: LocalDate,
    private val onPick: (LocalDate?) -> Unit,
) {
    private val t = ui.texts()
    private val dialog = Dialog(ui.ctx, android.R.style.Theme_Material_Light_Dialog_NoActionBar)
    private var month: LocalDate = (chosen ?: today).withDayOfMonth(1)
    private val selected = chosen
    private val heading = ui.strong(sizeSp = 19f).apply { gravity = Gravity.CENTER }
    private val grid = ui.stack()

    init {
        val quick = ui.flow(
            ui.button(t[Str.DATE_IN_ONE_WEEK]) { pick(today.plusWeeks(1)) },
            ui.button(t[Str.DATE_IN_TWO_WEEKS]) { pick(today.plusWeeks(2)) },
            ui.button(t[Str.DATE_IN_FOUR_WEEKS]) { pick(today.plusWeeks(4)) },
        )
        val months = LinearLayout(ui.ctx).apply {
            orientation = LinearLayout.HORIZONTAL
            gravity = Gravity.CENTER_VERTICAL
            addView(arrow(LineIcon.Kind.BACK, t[Str.PREVIOUS_MONTH]) { month = month.minusMonths(1); fill() })
            addView(heading, LinearLayout.LayoutParams(0, WRAP_CONTENT, 1f))
            addView(arrow(LineIcon.Kind.FORWARD, t[Str.NEXT_MONTH]) { month = month.plusMonths(1); fill() })
        }
        val content = ui.column(
            ui.strong(title, 20f),
            quick,
            months,
            grid,
            LinearLayout(ui.ctx).apply {
                orientation = LinearLayout.HORIZONTAL
                gravity = Gravity.END
                addView(ui.button(t[Str.DATE_CLEAR], Rank.TEXT) { pick(null) })
                addView(ui.button(t[Str.CANCEL], Rank.TEXT) { dialog.dismiss() })
            },
            padding = 20,
        ).apply { background = Shapes.rounded(Palette.SURFACE, ui.dp(16).toFloat()) }
        fill()
        dialog.setContentView(content)
        dialog.secureWindow()
        dialog.window?.apply {
            setBackgroundDrawable(android.graphics.drawable.ColorDrawable(0))
            val m = ui.ctx.resources.displayMetrics
            setLayout(minOf(m.widthPixels * 9 / 10, ui.dp(560)), WRAP_CONTENT)
        }
    }

    private fun arrow(kind: LineIcon.Kind, name: String, onClick: () -> Unit): View =
        android.widget.ImageButton(ui.ctx).apply {
            setImageDrawable(LineIcon(kind, Palette.PRIMARY, ui.dp(24), ui.dp(2).toFloat()))
            background = Shapes.ripple(null, ui.dp(24).toFloat())
            contentDescription = name
            setOnClickListener { onClick() }
            layoutParams = LinearLayout.LayoutParams(ui.dp(48), ui.dp(48))
        }

    /** The month's weeks, Monday first (as Rwanda's calendars are). */
    private fun fill() {
        heading.text = t.monthHeading(month)
        grid.removeAllViews()
        grid.addView(week(DayOfWeek.entries.map { d -> ui.secondary(t.weekdayShort(d)).apply { gravity = Gravity.CENTER } }))
        var day = month.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
        while (day.isBefore(month.plusMonths(1))) {
            grid.addView(week((0 until 7).map { i -> cell(day.plusDays(i.toLong())) }))
            day = day.plusWeeks(1)
        }
    }

    private fun week(cells: List<View>): View = LinearLayout(ui.ctx).apply {
        orientation = LinearLayout.HORIZONTAL
        for (c in cells) addView(c, LinearLayout.LayoutParams(0, WRAP_CONTENT, 1f))
    }

    private fun cell(date: LocalDate): View {
        // A day of the month before or after: an empty cell (a Space takes no height of its own).
        if (date.month != month.month) return android.widget.Space(ui.ctx)
        return TextView(ui.ctx).apply {
            text = date.dayOfMonth.toString()
            textSize = 17f
            gravity = Gravity.CENTER
            minHeight = ui.dp(48)
            minWidth = ui.dp(48)
            contentDescription = t.dayInFull(date)
            isClickable = true
            isFocusable = true
            val radius = ui.dp(24).toFloat()
            when (date) {
                selected -> {
                    background = Shapes.button(Palette.PRIMARY, radius)
                    setTextColor(Palette.ON_PRIMARY)
                }
                today -> {
                    background = Shapes.button(Palette.SURFACE, radius, Palette.PRIMARY, ui.dp(2))
                    setTextColor(Palette.PRIMARY)
                }
                else -> {
                    background = Shapes.ripple(null, radius)
                    setTextColor(Palette.TEXT)
                }
            }
            setOnClickListener { pick(date) }
        }.also { it.layoutParams = LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT) }
    }

    private fun pick(date: LocalDate?) {
        dialog.dismiss()
        onPick(date)
    }

    fun show() {
        ui.opened(dialog)
        dialog.show()
    }
}
