// Giving a client her own file (Law N° 058/2021, access and portability): every free text of
// the file, read by the supervisor and decided (include, or leave out; one not decided stays
// out), the copy's language, then Save: the page and the data go, one after the other, to the
// place the supervisor picks with the system's document picker (MainActivity.saveDocuments),
// straight from memory, and are dropped. Nothing is written to the tablet's storage.
package org.ami.komora.android

import android.view.View
import org.ami.komora.ui.App
import org.ami.komora.ui.Choice
import org.ami.komora.ui.ClientExportPresenter
import org.ami.komora.ui.ClientExportState
import org.ami.komora.ui.Language
import org.ami.komora.ui.PassageLine
import org.ami.komora.ui.Str

internal class ClientExportView(ui: Ui, app: App, private val p: ClientExportPresenter) : ScreenView<ClientExportState>(ui, app, p) {
    override val title = t[Str.EXPORT_TITLE]

    /** One note to decide on: its include / leave-out choice and the line saying it is undecided. */
    private inner class Decision(val line: PassageLine) {
        val choices = ui.choices(
            t[Str.EXPORT_DECISION],
            listOf(Choice(RELEASE, t[Str.EXPORT_INCLUDE]), Choice(WITHHOLD, t[Str.EXPORT_WITHHOLD])),
            null,
        ) { id -> if (id == RELEASE) p.release(line.key) else p.withhold(line.key) }
        val undecided = ui.secondary(t[Str.EXPORT_UNDECIDED])
        val card = ui.card(
            ui.flow(ui.secondary(line.date), ui.chip(line.reason, tone(line.reasonId))),
            ui.body(line.text),
            choices.root,
            undecided,
        )
    }

    // The notes are read once, when the screen opens; a decision changes only their choices.
    private val decisions = p.state.value.passages.map { Decision(it) }
    private val message = ui.message(error = true)
    private val saved = ui.message()
    private val counts = ui.strong(sizeSp = 17f)
    private val language = ui.choices(
        t[Str.EXPORT_LANGUAGE],
        listOf(Choice(THEIRS, t[Str.EXPORT_LANGUAGE_THEIRS])) + Language.entries.map { Choice(it.code, it.nativeName) },
        p.state.value.language?.code ?: THEIRS,
    ) { code -> p.language(Language.fromCode(code)) }
    private val save = ui.primary(t[Str.EXPORT_SAVE]) { give() }

    override fun body(): View = ui.column(
        ui.body(t[Str.EXPORT_EXPLAIN]),
        message,
        saved,
        *decisions.map { it.card }.toTypedArray(),
        if (decisions.isEmpty()) ui.card(ui.body(t[Str.EXPORT_NO_NOTES])) else null,
        ui.card(language.root, counts, ui.secondary(t[Str.EXPORT_WHERE]), gap = 12),
    )

    override fun bottom(): View = ui.bottomBar(save)

    override fun render(s: ClientExportState) {
        message.show(s.message)
        saved.show(s.saved)
        val byKey = s.passages.associateBy { it.key }
        for (d in decisions) {
            val line = byKey[d.line.key] ?: continue
            d.choices.select(if (line.decided) line.decision else null)
            d.undecided.shown = !line.decided
        }
        val included = s.passages.count { it.decided && it.decision != WITHHOLD }
        counts.text = t.format(Str.EXPORT_COUNTS, included, s.passages.size - included)
        language.select(s.language?.code ?: THEIRS)
    }

    /**
     * Build the documents, hand their bytes to the activity (which asks where each goes and
     * writes it there), and drop the presenter's copy at once: from here the bytes live only
     * in the activity's queue, each wiped once written or given up.
     */
    private fun give() {
        p.produce()
        val ready = p.state.value.ready ?: return
        val documents = listOf(
            OutgoingDocument("${ready.name}.html", "text/html", ready.html.toByteArray(Charsets.UTF_8)),
            OutgoingDocument("${ready.name}.json", "application/json", ready.json.toByteArray(Charsets.UTF_8)),
        )
        p.done()
        val activity = ui.ctx as? MainActivity ?: return documents.forEach { it.wipe() }
        activity.saveDocuments(documents) { written, failed -> p.saved(written, failed, documents.size) }
    }

    private fun tone(reason: String): Tone = when (reason) {
        "safety" -> Tone.DANGER
        "third-party", "shared-record" -> Tone.WARNING
        else -> Tone.NEUTRAL
    }

    private companion object {
        const val RELEASE = "release"
        const val WITHHOLD = "withhold"
        /** The language choice that leaves it to the client's own (her latest consent's). */
        const val THEIRS = ""
    }
}
