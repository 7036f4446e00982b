// Writing a client's file where the supervisor chooses, never in the tablet's shared storage:
// the system's document picker (ACTION_CREATE_DOCUMENT) names the place (a USB stick, a cloud
// folder the organisation allows, a printer's spool), and the bytes go straight from memory to
// it. Nothing is written to Downloads or any folder other apps can read, and no temporary file
// is made. MainActivity.saveDocuments launches [ExportDocuments.createDocument] for each
// document of a [DocumentsOut] and, with the picked Uri, writes it with [ExportDocuments.write].
package org.ami.komora.android

import android.content.ContentResolver
import android.content.Intent
import android.net.Uri
import android.provider.DocumentsContract

internal object ExportDocuments {
    /** The picker for one document: [name] without any client's name in it (it shows in the picker). */
    fun createDocument(name: String, mime: String): Intent = Intent(Intent.ACTION_CREATE_DOCUMENT).apply {
        addCategory(Intent.CATEGORY_OPENABLE)
        type = mime
        putExtra(Intent.EXTRA_TITLE, name)
    }

    /** Write [bytes] to the picked document; false when it could not be written (say so, keep nothing). */
    fun write(resolver: ContentResolver, uri: Uri, bytes: ByteArray): Boolean =
        runCatching {
            resolver.openOutputStream(uri, "wt")?.use { it.write(bytes); true } ?: false
        }.getOrDefault(false)

    /**
     * Remove a document the picker made but that holds nothing it should (the write failed
     * halfway, or the app locked before writing): a half-written copy of a client's file
     * must not stay on a USB stick. Best effort: a place that cannot delete keeps an empty or
     * partial file, and the screen has said the copy was not written.
     */
    fun discard(resolver: ContentResolver, uri: Uri) {
        runCatching { DocumentsContract.deleteDocument(resolver, uri) }
    }
}

/** One document on its way out: its name in the picker, its type, its bytes (wiped once done with). */
internal class OutgoingDocument(val name: String, val mime: String, private val bytes: ByteArray) {
    fun writeTo(resolver: ContentResolver, uri: Uri): Boolean = ExportDocuments.write(resolver, uri, bytes)

    /** Overwrite the bytes, so the file's text does not linger in memory until collected. */
    fun wipe() = bytes.fill(0)
}

/**
 * The documents of one save, each written where the supervisor picks, one after the other.
 * The first that cannot be written stops the save (the screen says so); [then] hears how many
 * were written and whether one failed. Every document is wiped once written, skipped or given up.
 */
internal class DocumentsOut(documents: List<OutgoingDocument>, private val then: (written: Int, failed: Int) -> Unit) {
    private val waiting = ArrayDeque(documents)
    private var written = 0
    private var failed = 0

    /** The document to ask a place for next; null: the save is over. */
    fun next(): OutgoingDocument? = if (failed > 0) null else waiting.firstOrNull()

    /** The picker answered for the current document: [uri] is where to write it (null: cancelled). */
    fun picked(resolver: ContentResolver, uri: Uri?) {
        val d = waiting.removeFirstOrNull() ?: return
        if (uri != null) {
            if (d.writeTo(resolver, uri)) {
                written++
            } else {
                failed++
                ExportDocuments.discard(resolver, uri)
            }
        }
        d.wipe()
    }

    /** Give up what is still waiting (the app locked, the screen went): nothing more is written. */
    fun drop() {
        waiting.forEach { it.wipe() }
        waiting.clear()
    }

    /** The save is over: wipe what is left and say how it went. */
    fun finish() {
        drop()
        then(written, failed)
    }
}
