// The donors' figures: the home screen of a data officer's tablet (all it can open: ADR 0011),
// and what a supervisor checks before a report goes out. Read from the core's anonymous report.
package org.ami.komora.ui

import java.time.LocalDate
import org.ami.komora.core.KomoraException

/** One figure: what is counted, in which month, in which cell, and the count. */
data class FigureRow(val label: String, val detail: String, val count: String) : Private()

data class FiguresState(
    val periods: List<Choice> = emptyList(),
    val period: String = "quarter",
    /** "1 Oct 2026 – 4 Dec 2026", or empty for everything. */
    val range: String = "",
    val rows: List<FigureRow> = emptyList(),
    /** The report as CSV, to share: anonymous (no name, no note; counts below 5 hidden). */
    val csv: String = "",
    val busy: Boolean = false,
    val syncing: Boolean = false,
    val message: String? = null,
) : Private()

/** The periods offered, in order. */
val FIGURE_PERIODS = listOf("quarter", "last-quarter", "year", "all")

class FiguresPresenter(app: App) : AppPresenter<FiguresState>(app, FiguresState()) {
    override fun FiguresState.withMessage(message: String?) = copy(message = message)

    init {
        val t = app.texts
        val labels = mapOf(
            "quarter" to Str.FIGURES_QUARTER, "last-quarter" to Str.FIGURES_LAST_QUARTER,
            "year" to Str.FIGURES_YEAR, "all" to Str.FIGURES_ALL,
        )
        update { it.copy(periods = FIGURE_PERIODS.map { p -> Choice(p, t[labels.getValue(p)]) }) }
    }

    /** Choose a period; the view then calls [load]. */
    fun choose(period: String) {
        if (period in FIGURE_PERIODS) update { it.copy(period = period) }
    }

    /** Work out the figures of the chosen period (the core reads every record: off the main thread). */
    suspend fun load(keepMessage: Boolean = false) {
        val t = app.texts
        update { it.copy(busy = true, message = if (keepMessage) it.message else null) }
        try {
            val today = LocalDate.parse(app.vault().today())
            val (from, to) = periodRange(current.period, today)
            val csv = app.vault().reportCsv(from?.toString(), to?.toString())
            val range = if (from == null || to == null) "" else "${t.date(from.toString())} – ${t.date(to.toString())}"
            update { it.copy(busy = false, csv = csv, rows = rows(csv), range = range) }
        } catch (e: KomoraException) {
            update { it.copy(busy = false, message = app.failure(e)) }
        }
    }

    /** A sync the unlock stopped (it went on behind the lock) goes on, as on the caseload (ADR 0028). */
    suspend fun resumeStoppedSync() {
        if (app.takeStoppedSync()) sync()
    }

    /** Receive what the team recorded since the last sync, then work the figures out again. */
    suspend fun sync() {
        if (current.syncing) return
        update { it.copy(syncing = true, message = null) }
        val failed = app.syncNow { line -> update { it.copy(message = line) } }
        update { it.copy(syncing = false, message = failed ?: it.message) }
        if (app.isUnlocked) load(keepMessage = true)
    }

    private fun rows(csv: String): List<FigureRow> {
        val t = app.texts
        return csv.lineSequence().drop(1).filter { it.isNotBlank() }.map { line ->
            val f = splitCsv(line)
            val (metric, month, dimension, value, count) = f
            val average = f.getOrNull(5).orEmpty()
            val label = listOf(t[METRICS[metric] ?: Str.FIGURES_TITLE], if (month == "period") "" else t.month(month))
                .filter { it.isNotEmpty() }.joinToString(" · ")
            val cell = when {
                // The latest scores by band, and the cut-off set the bands come from: the
                // instrument in the dimension's place, a band or a set in the value's.
                metric == "measure_band" -> "${Lists.instrumentName(dimension)}: ${t.band(dimension, value)}"
                metric == "cutoff_set" -> "${Lists.instrumentName(dimension)}: $value"
                dimension == "all" -> t[Str.DIM_ALL]
                else -> "${t[DIMENSIONS[dimension] ?: Str.DIM_ALL]}: ${valueLabel(dimension, value)}"
            }
            val detail = if (average.isEmpty()) cell else "$cell · ${t.format(Str.FIGURES_AVERAGE, average)}"
            FigureRow(label, detail, count)
        }.toList()
    }

    private fun valueLabel(dimension: String, value: String): String = when {
        dimension == "sex" -> app.texts.code("sex-$value")
        dimension == "instrument" -> Lists.instrumentName(value)
        value == "none" -> app.texts[Str.NOT_GIVEN]
        else -> app.texts.code(value)
    }

    companion object {
        private val METRICS = mapOf(
            "sessions" to Str.FIG_SESSIONS, "clients_reached" to Str.FIG_CLIENTS_REACHED,
            "group_sessions" to Str.FIG_GROUP_SESSIONS, "group_attendance" to Str.FIG_GROUP_ATTENDANCE,
            "referrals" to Str.FIG_REFERRALS, "measure_change" to Str.FIG_MEASURE_CHANGE,
            "measure_band" to Str.FIG_MEASURE_BAND, "cutoff_set" to Str.FIG_CUTOFF_SET,
        )
        private val DIMENSIONS = mapOf(
            "modality" to Str.DIM_MODALITY, "district" to Str.DIM_DISTRICT, "sex" to Str.DIM_SEX,
            "age_band" to Str.DIM_AGE_BAND, "target_group" to Str.DIM_TARGET_GROUP,
            "group_kind" to Str.DIM_GROUP_KIND, "destination" to Str.DIM_DESTINATION,
            "status" to Str.DIM_STATUS, "instrument" to Str.DIM_INSTRUMENT,
        )
    }
}

/** The first and last day of a period around [today] (`null`s: everything). */
fun periodRange(period: String, today: LocalDate): Pair<LocalDate?, LocalDate?> {
    val quarterStart = today.withDayOfMonth(1).withMonth((today.monthValue - 1) / 3 * 3 + 1)
    return when (period) {
        "quarter" -> quarterStart to today
        "last-quarter" -> quarterStart.minusMonths(3) to quarterStart.minusDays(1)
        "year" -> today.withDayOfYear(1) to today
        else -> null to null
    }
}

/** One CSV line's fields (RFC 4180 quoting, as the core writes it). */
internal fun splitCsv(line: String): List<String> {
    val out = mutableListOf<String>()
    val field = StringBuilder()
    var quoted = false
    var i = 0
    while (i < line.length) {
        val c = line[i]
        when {
            quoted && c == '"' && i + 1 < line.length && line[i + 1] == '"' -> { field.append('"'); i++ }
            c == '"' -> quoted = !quoted
            c == ',' && !quoted -> { out.add(field.toString()); field.clear() }
            else -> field.append(c)
        }
        i++
    }
    out.add(field.toString())
    while (out.size < 6) out.add("")
    return out
}
