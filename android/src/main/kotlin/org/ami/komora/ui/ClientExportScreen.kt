// Giving a client their own file from the app (supervisors; Law N° 058/2021, access and
// portability). The supervisor reads every free text of the file first (notes, safety notes,
// who was present, a guardian's name) and decides each: release, withhold, or release a
// shortened text; anything not decided is withheld. The documents then come back from the
// core in memory; the Android layer writes them only to the place the supervisor picks (the
// system's document picker: a USB stick, a printer) and drops them: no readable copy is left
// in the tablet's shared storage. Reading the passages and producing the file are audited by
// the core.
package org.ami.komora.ui

import org.ami.komora.core.PassageDecision

/**
 * One passage to decide on; [decision] is release, withhold or replace. Until the supervisor
 * decides ([decided] false) it is withheld, and the screen says it was not decided.
 * [reasonId]: the core's reason ("safety", "third-party"...), [reason] its label.
 */
data class PassageLine(
    val key: String,
    val date: String,
    val reason: String,
    val text: String,
    val decision: String = "withhold",
    val replacement: String? = null,
    val reasonId: String = "",
    val decided: Boolean = false,
) : Private()

/**
 * The documents, ready to be written where the supervisor chooses; dropped by
 * [ClientExportPresenter.done]. [name]: the file name offered in the picker, without the
 * extension; it names no one (the picker and the place it is saved show it).
 */
class ExportReady(val html: String, val json: String, val released: Int, val shortened: Int, val withheld: Int, val name: String = "komora-file") : Private()

data class ClientExportState(
    val passages: List<PassageLine> = emptyList(),
    /** The client's language by default (their latest consent's). */
    val language: Language? = null,
    val ready: ExportReady? = null,
    /** What became of the last documents ("Saved where you chose"); a failure is [message]. */
    val saved: String? = null,
    val message: String? = null,
) : Private()

/** Why a passage needs the supervisor's eye; the Kinyarwanda is the Komora team's draft, to be reviewed. */
private val REASONS: Map<Language, Map<String, String>> = mapOf(
    Language.ENGLISH to mapOf(
        "notes" to "Notes",
        "shared-record" to "Shared with other people",
        "third-party" to "About other people",
        "safety" to "Safety",
    ),
    Language.FRENCH to mapOf(
        "notes" to "Notes",
        "shared-record" to "Partagé avec d'autres personnes",
        "third-party" to "Concerne d'autres personnes",
        "safety" to "Sécurité",
    ),
    Language.KINYARWANDA to mapOf(
        "notes" to "Inyandiko",
        "shared-record" to "Bisangiwe n'abandi bantu",
        "third-party" to "Bireba abandi bantu",
        "safety" to "Umutekano",
    ),
)

/** The reasons' labels of every language, for the test that checks them. */
internal fun passageReasons(l: Language): Map<String, String> = REASONS.getValue(l)

class ClientExportPresenter(app: App, private val clientId: String) :
    AppPresenter<ClientExportState>(app, ClientExportState()) {
    override fun ClientExportState.withMessage(message: String?) = copy(message = message)

    init {
        guard {
            val t = app.texts
            current = ClientExportState(
                passages = app.vault().clientExportReview(clientId).map { p ->
                    PassageLine(p.key, t.date(p.date), REASONS.getValue(t.language)[p.reason] ?: p.reason, p.text, reasonId = p.reason)
                },
            )
        }
    }

    private fun decide(key: String, decision: String, replacement: String? = null) = update { s ->
        // The same decision again changes nothing (and keeps what the screen said last).
        val line = s.passages.firstOrNull { it.key == key }
        if (line == null || (line.decided && line.decision == decision && line.replacement == replacement)) return@update s
        s.copy(
            passages = s.passages.map { if (it.key == key) it.copy(decision = decision, replacement = replacement, decided = true) else it },
            ready = null,
            saved = null,
        )
    }

    fun release(key: String) = decide(key, "release")

    fun withhold(key: String) = decide(key, "withhold")

    /** Release [text] instead: the passage with the other people's part taken out. */
    fun replace(key: String, text: String) = decide(key, "replace", text)

    /** The document's language; null: the client's own (her latest consent's). */
    fun language(l: Language?) = update { if (it.language == l) it else it.copy(language = l, ready = null, saved = null) }

    /** Build the documents (audited as an export of the client's file). */
    fun produce() {
        guard {
            val s = current
            val decisions = s.passages.map { PassageDecision(it.key, it.decision, it.replacement) }
            val v = app.vault()
            val docs = v.exportClient(clientId, decisions, s.language?.code)
            // The date tells two copies apart; a name or a code would show in the picker.
            val name = "komora-file-${v.today()}"
            update { it.copy(ready = ExportReady(docs.html, docs.json, docs.released, docs.shortened, docs.withheld, name), saved = null, message = null) }
        }
    }

    /**
     * The documents went where the supervisor chose ([written] of [of]; [failed] could not be
     * written there): say so, and drop them from memory.
     */
    fun saved(written: Int, failed: Int, of: Int) {
        val t = app.texts
        update {
            it.copy(
                ready = null,
                saved = when {
                    failed > 0 -> null
                    written == 0 -> t[Str.EXPORT_NONE_SAVED]
                    written == of -> t[Str.EXPORT_SAVED]
                    else -> t.format(Str.EXPORT_SAVED_SOME, written, of)
                },
                message = if (failed > 0) t.format(Str.EXPORT_NOT_WRITTEN, written, of) else null,
            )
        }
    }

    /** The documents were written (or the supervisor cancelled): drop them from memory. */
    fun done() = update { it.copy(ready = null) }
}
