// Half-typed forms survive: what a counsellor types is kept, sealed in the vault, as she types
// (core `drafts.rs`), and offered back after the next unlock. Never in a Bundle, never in clear
// on disk, never synced.
package org.ami.komora.ui

import org.ami.komora.core.Draft
import org.ami.komora.core.KomoraException

/**
 * The drafts of the open vault. A form calls [changed] on every keystroke; the core writes
 * (one small SQLite transaction, an fsync) at most every [KEEP_EVERY_MS], and [flush] writes
 * what is left before the app locks, goes to the background or switches team, and when the
 * activity's short timer after the last keystroke fires. So a killed app loses at most the
 * last two seconds of typing, and a locked one loses nothing.
 */
class DraftKeeper(private val app: App) {
    private var pending: Pair<String, Map<String, String>>? = null
    private var lastWriteMs = Long.MIN_VALUE / 2

    /** What a form holds now, under its [slot]. */
    fun changed(slot: String, fields: Map<String, String>) {
        // Another form's changes still waiting are kept first.
        if (pending != null && pending?.first != slot) flush()
        pending = slot to fields
        if (app.clock.nowMs() - lastWriteMs >= KEEP_EVERY_MS) flush()
    }

    /** Write what is waiting, if anything (the vault may have been locked: then it is dropped,
     * having been written by the flush the lock made first). */
    fun flush() {
        val (slot, fields) = pending ?: return
        pending = null
        if (!app.isUnlocked) return
        try {
            app.vault().keepDraft(slot, fields)
            lastWriteMs = app.clock.nowMs()
        } catch (e: KomoraException) {
            // A full disk or a locked vault: the form still holds the text; the next
            // keystroke tries again. Nothing to show for a draft that could not be kept.
        }
    }

    /** The draft of [slot], to fill a form that opens (null: none, or the vault is locked). */
    fun restore(slot: String): Draft? {
        if (pending?.first == slot) flush()
        return try {
            app.vault().draft(slot)
        } catch (e: KomoraException) {
            null
        }
    }

    /** The form was saved, or she threw the draft away. */
    fun discard(slot: String) {
        if (pending?.first == slot) pending = null
        try {
            app.vault().discardDraft(slot)
        } catch (e: KomoraException) {
            // Locked meanwhile: the draft stays, offered after the next unlock.
        }
    }

    /** Every draft of the open vault, the newest first. */
    fun all(): List<Draft> {
        flush()
        return try {
            app.vault().drafts()
        } catch (e: KomoraException) {
            emptyList()
        }
    }

    /** The vault closes: nothing waits for it any more. */
    fun forget() {
        pending = null
    }

    companion object {
        const val KEEP_EVERY_MS = 2_000L

        fun sessionSlot(caseId: String) = "session:$caseId"
        fun clientSlot(clientId: String?) = "client:${clientId ?: "new"}"
        fun reviewSlot(sessionId: String) = "review:$sessionId"
        fun answerSlot(reviewId: String) = "answer:$reviewId"
        const val NEW_GROUP_SLOT = "group:new"

        /** The screen that a draft's slot belongs to (null: a slot of an older version). */
        fun screenOf(slot: String): Screen? {
            val (kind, id) = slot.split(':', limit = 2).let { it[0] to it.getOrNull(1).orEmpty() }
            return when (kind) {
                "session" -> Screen.SessionForm(id)
                "client" -> Screen.ClientForm(id.takeIf { it != "new" })
                "review" -> Screen.SessionReview(id)
                "answer" -> Screen.Requests
                "group" -> Screen.NewGroup
                else -> null
            }
        }
    }
}

/** A form's restored draft: which slot, and when it was kept ("Restored what you typed at 09:14"). */
data class Restored(val slot: String, val line: String) : Private()
