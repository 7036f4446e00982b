// Writing a client's file where the supervisor chooses, never in the tablet's shared storage:
// the system's document picker (ACTION_CREATE_DOCUMENT) names the place (a USB stick, a cloud
// folder the organisation allows, a printer's spool), and the bytes go straight from memory to
// it. Nothing is written to Downloads or any folder other apps can read, and no temporary file
// is made. The activity launches [createDocument] and, with the picked Uri, calls [write].
package org.ami.komora.android

import android.content.ContentResolver
import android.content.Intent
import android.net.Uri

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
}
