// Half-typed forms survive: what a counsellor types is kept, sealed in the vault, as she types
// (core `drafts.rs`), and offered back after the next unlock. Never in a Bundle, never in clear
// on disk, never synced.
package org.ami.komora.ui

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import org.ami.komora.core.Draft
import org.ami.komora.core.InternalException
import org.ami.komora.core.KomoraException

/**
 * The drafts of the open vault. A form calls [changed] on every keystroke; the core writes
 * (one small SQLite transaction, an fsync) at most every [KEEP_EVERY_MS], and [flush] writes
 * what is left before the app locks, goes to the background or switches team, and when the
 * activity's short timer after the last keystroke fires. So a killed app loses at most the
 * last two seconds of typing, and a locked one loses nothing.
 *
 * A write the tablet refuses (its storage full, the disk read-only, the core's cap of unsaved
 * forms reached) loses nothing either: what waits stays waiting, in memory only, and is tried
 * again at the next pause, tick or unlock of its team; [notKept] says so to her, in her
 * language, at once (she is still in the form, and can save it or make room before leaving);
 * [restore] and [all] give it back as if it were kept, so the form it belongs to fills itself
 * and the home screen offers it after the next unlock.
 */
class DraftKeeper(private val app: App) {
    /** What a form holds and is not written yet: its team (the vault's device id), slot, fields. */
    private class Pending(val team: String, val slot: String, val fields: Map<String, String>, val typedMs: Long) {
        /** A form emptied again is nothing to keep (the core discards its draft). */
        val typedSomething: Boolean get() = fields.values.any { it.isNotBlank() }
    }

    /** Waiting, by team and slot, oldest first. */
    private val pending = LinkedHashMap<Pair<String, String>, Pending>()
    private var lastWriteMs = Long.MIN_VALUE / 2
    private val refused = MutableStateFlow<String?>(null)

    /**
     * What to tell her while what she typed cannot be kept on the tablet ("This note could
     * not be kept on the tablet: ..."); null once everything waiting is kept.
     */
    val notKept: StateFlow<String?> get() = refused

    /** The open vault's team, to keep a draft in the vault it was typed in (null: locked). */
    private fun team(): String? =
        if (!app.isUnlocked) null else try {
            app.vault().deviceId()
        } catch (e: KomoraException) {
            null
        }

    /** What a form holds now, under its [slot]. */
    fun changed(slot: String, fields: Map<String, String>) {
        val team = team() ?: return
        val now = app.clock.nowMs()
        // Another form's changes still waiting are kept first (unless the tablet refuses
        // them: then the next pause or tick tries again, not every keystroke).
        if (refused.value == null && pending.keys.any { it != team to slot }) flush()
        pending.remove(team to slot)
        pending[team to slot] = Pending(team, slot, fields, now)
        if (now - lastWriteMs >= KEEP_EVERY_MS) flush()
    }

    /**
     * Write what is waiting for the open vault, if anything. What the tablet refuses stays
     * waiting, and [notKept] says why; what waits for another team (or for a locked vault)
     * waits for it to be open again.
     */
    fun flush() {
        val team = team() ?: return
        val mine = pending.values.filter { it.team == team }
        if (mine.isEmpty()) return
        var failure: Exception? = null
        for (p in mine) {
            try {
                app.vault().keepDraft(p.slot, p.fields)
                if (pending[team to p.slot] === p) pending.remove(team to p.slot)
            } catch (e: KomoraException) {
                failure = e
            } catch (e: InternalException) {
                // A fault inside the core (run from the activity's timer: never a crash).
                failure = e
            }
        }
        // Written or refused, the next try waits for the next pause or tick: a refusal is not
        // tried again on every keystroke.
        lastWriteMs = app.clock.nowMs()
        refused.value = failure?.let { notKeptLine(it) }
    }

    /** "This note could not be kept on the tablet: ...", in her language. */
    private fun notKeptLine(e: Exception): String {
        val t = app.texts
        val why = if (e is KomoraException.Validation && e.field == "draft" && e.reason.startsWith("too many")) {
            t.format(Str.DRAFTS_TOO_MANY, MAX_DRAFTS)
        } else {
            t.error(e)
        }
        return t.format(Str.DRAFT_NOT_KEPT, why)
    }

    /** The draft of [slot], to fill a form that opens (null: none, or the vault is locked). */
    fun restore(slot: String): Draft? {
        val team = team() ?: return null
        flush()
        pending[team to slot]?.let { p -> return if (p.typedSomething) Draft(slot, p.fields, p.typedMs) else null }
        return try {
            app.vault().draft(slot)
        } catch (e: KomoraException) {
            null
        }
    }

    /** The form was saved, or she threw the draft away. */
    fun discard(slot: String) {
        team()?.let { pending.remove(it to slot) }
        if (pending.isEmpty()) refused.value = null
        try {
            app.vault().discardDraft(slot)
        } catch (e: KomoraException) {
            // Locked meanwhile: the draft stays, offered after the next unlock.
        }
    }

    /** Every draft of the open vault: those the tablet refused (still waiting) first, then the kept ones newest first. */
    fun all(): List<Draft> {
        val team = team() ?: return emptyList()
        flush()
        val kept = try {
            app.vault().drafts()
        } catch (e: KomoraException) {
            emptyList()
        }
        val waiting = pending.values.filter { it.team == team }
        // Those the tablet refused first: they are at risk, and what she typed last.
        return waiting.filter { it.typedSomething }.reversed().map { Draft(it.slot, it.fields, it.typedMs) } +
            kept.filter { d -> waiting.none { it.slot == d.slot } }
    }

    /** The vault closes for good (erased, revoked): nothing waits for it any more. */
    fun forget() {
        pending.clear()
        refused.value = null
    }

    companion object {
        const val KEEP_EVERY_MS = 2_000L

        /** The core's cap on unsaved forms per vault (core `drafts.rs`, `MAX_DRAFTS`). */
        const val MAX_DRAFTS = 64

        fun sessionSlot(caseId: String) = "session:$caseId"
        fun clientSlot(clientId: String?) = "client:${clientId ?: "new"}"
        fun reviewSlot(sessionId: String) = "review:$sessionId"
        fun answerSlot(reviewId: String) = "answer:$reviewId"
        const val NEW_GROUP_SLOT = "group:new"
        fun measureSlot(clientId: String, instrument: String) = "measure:$clientId:$instrument"

        /** The screen that a draft's slot belongs to (null: a slot of an older version). */
        fun screenOf(slot: String): Screen? {
            val (kind, id) = slot.split(':', limit = 2).let { it[0] to it.getOrNull(1).orEmpty() }
            return when (kind) {
                "session" -> Screen.SessionForm(id)
                "client" -> Screen.ClientForm(id.takeIf { it != "new" })
                "review" -> Screen.SessionReview(id)
                "answer" -> Screen.Requests
                "group" -> Screen.NewGroup
                // The measure finds its case and session in its draft.
                "measure" -> id.split(':', limit = 2).takeIf { it.size == 2 }?.let { (client, instrument) -> Screen.Measure(client, instrument, null, null) }
                else -> null
            }
        }
    }
}

/** A form's restored draft: which slot, and when it was kept ("Restored what you typed at 09:14"). */
data class Restored(val slot: String, val line: String) : Private()
