// The client file's score charts: each measure's scores over time with the bands behind them,
// laid out here in plain Kotlin (fractions of the chart's width and height), drawn by
// ScoreChartView in the Android layer with the framework's Canvas. The figures are the core's
// (KomoraVault.scoreCharts): scores, bands and the cut-off set the team chose; nothing is
// recomputed here. TalkBack reads [ScoreChart.description]: every date, score and band.
package org.ami.komora.ui

import org.ami.komora.core.KomoraVault
import org.ami.komora.core.ScoreChart as CoreChart

/**
 * A band behind the chart: from [bottom] to [top], fractions of the height (0 is the lowest
 * score). A band covers half a point either side of its scores, so the bands meet without a
 * gap and a score on a band's edge (14 of "10 to 14") is drawn inside it, not between two.
 */
data class ChartArea(val id: String, val label: String, val min: Int, val max: Int, val bottom: Float, val top: Float)

/** One score: [x] from 0 (first date) to 1 (last), [y] from 0 (lowest score) to 1 (highest). */
data class ChartDot(val date: String, val shownDate: String, val score: Int, val band: String, val bandLabel: String, val x: Float, val y: Float)

/** One measure's chart as the screen draws it and TalkBack reads it. */
class ScoreChart(
    val instrument: String,
    val title: String,
    val cutoffSet: String,
    val higherIsBetter: Boolean,
    val min: Int,
    val max: Int,
    val areas: List<ChartArea>,
    val dots: List<ChartDot>,
    /** The whole chart in words: what TalkBack says. */
    val description: String,
    /** The band labels lack this language (shown in English, with the draft mark). */
    val labelsMissing: Boolean,
) : Private()

/** The chart's own phrases; the Kinyarwanda is the Komora team's draft, to be reviewed with the rest. */
private enum class ChartText { SUMMARY, POINT, BANDS_FROM, DRAFT }

private val CHART_TEXTS: Map<Language, Map<ChartText, String>> = mapOf(
    Language.ENGLISH to mapOf(
        ChartText.SUMMARY to "{0}: {1} scores, from {2} to {3}.",
        ChartText.POINT to "{0}: {1}, {2}.",
        ChartText.BANDS_FROM to "Bands: {0}.",
        ChartText.DRAFT to "draft",
    ),
    Language.FRENCH to mapOf(
        ChartText.SUMMARY to "{0} : {1} scores, du {2} au {3}.",
        ChartText.POINT to "{0} : {1}, {2}.",
        ChartText.BANDS_FROM to "Seuils : {0}.",
        ChartText.DRAFT to "provisoire",
    ),
    Language.KINYARWANDA to mapOf(
        ChartText.SUMMARY to "{0}: amanota {1}, kuva {2} kugeza {3}.",
        ChartText.POINT to "{0}: {1}, {2}.",
        ChartText.BANDS_FROM to "Ibipimo: {0}.",
        ChartText.DRAFT to "agateganyo",
    ),
)

/** The phrases of every language, for the test that checks them. */
internal fun chartPhrases(l: Language): List<String> = ChartText.entries.map { CHART_TEXTS.getValue(l).getValue(it) }

private fun phrase(t: Texts, key: ChartText, vararg args: Any): String {
    var s = CHART_TEXTS.getValue(t.language).getValue(key)
    args.forEachIndexed { i, a -> s = s.replace("{$i}", a.toString()) }
    return s
}

/** The mark shown beside a text that is a draft (an instrument text or label not reviewed). */
fun draftMark(t: Texts): String = "(${phrase(t, ChartText.DRAFT)})"

/** Lay out one chart from the core's figures. */
fun scoreChart(c: CoreChart, t: Texts): ScoreChart {
    val span = (c.max - c.min).coerceAtLeast(1).toFloat()
    val frac = { score: Float -> ((score - c.min) / span).coerceIn(0f, 1f) }
    val areas = c.bands.map { b ->
        ChartArea(b.id, t.pick(b.en, b.fr, b.rw), b.min, b.max, frac(b.min - 0.5f), frac(b.max + 0.5f))
    }
    val labelOf = { id: String -> areas.firstOrNull { it.id == id }?.label ?: t.band(c.instrument, id) }
    val days = c.points.map { java.time.LocalDate.parse(it.date).toEpochDay() }
    val first = days.minOrNull() ?: 0L
    val width = ((days.maxOrNull() ?: 0L) - first).coerceAtLeast(1L).toFloat()
    val dots = c.points.mapIndexed { i, p ->
        val x = if (c.points.size == 1) 0.5f else (days[i] - first) / width
        ChartDot(p.date, t.date(p.date), p.score, p.band, labelOf(p.band), x, frac(p.score.toFloat()))
    }
    val title = c.instrument.uppercase()
    val spoken = buildString {
        if (dots.isNotEmpty()) {
            append(phrase(t, ChartText.SUMMARY, title, dots.size, dots.first().shownDate, dots.last().shownDate))
        }
        dots.forEach { append(' ').append(phrase(t, ChartText.POINT, it.shownDate, it.score, it.bandLabel)) }
        append(' ').append(phrase(t, ChartText.BANDS_FROM, c.cutoffSet))
    }.trim()
    return ScoreChart(
        instrument = c.instrument,
        title = title,
        cutoffSet = c.cutoffSet,
        higherIsBetter = c.higherIsBetter,
        min = c.min,
        max = c.max,
        areas = areas,
        dots = dots,
        description = spoken,
        labelsMissing = c.bands.any { t.missing(it.fr, it.rw) },
    )
}

/** Every measure's chart for a client's file. */
fun scoreCharts(v: KomoraVault, clientId: String, t: Texts): List<ScoreChart> =
    v.scoreCharts(clientId).map { scoreChart(it, t) }
