// The text field every screen uses: what a counsellor types stays in Komora.
package org.ami.komora.android

import android.content.ClipData
import android.content.ClipboardManager
import android.content.Context
import android.content.Intent
import android.os.PersistableBundle
import android.view.ActionMode
import android.view.Menu
import android.view.MenuItem
import android.widget.EditText

/**
 * A text field whose words do not leave the app by its own menus. The selection menu of an
 * Android field offers Share, Translate, web search and whatever other apps register for
 * selected text (`ACTION_PROCESS_TEXT`), and a phone number's "Call": each hands the
 * selected words (a note, a name) to another app, which keeps them outside the vault. Those
 * items are hidden; Cut, Copy, Paste and Select all stay (a counsellor moves her own text
 * within a note). What is copied is marked sensitive: from Android 13 the system's copy
 * preview does not show it and keyboards keep it out of their clipboard history.
 */
internal class PrivateEditText(ctx: Context) : EditText(ctx) {
    init {
        customSelectionActionModeCallback = KeepInApp
        customInsertionActionModeCallback = KeepInApp
    }

    override fun onTextContextMenuItem(id: Int): Boolean {
        when (id) {
            android.R.id.copy, android.R.id.cut -> {
                val from = minOf(selectionStart, selectionEnd).coerceAtLeast(0)
                val to = maxOf(selectionStart, selectionEnd).coerceAtLeast(0)
                if (from == to) return true
                copySensitive(text.subSequence(from, to))
                if (id == android.R.id.cut) text.delete(from, to)
                return true
            }
            // Reached by a keyboard shortcut or an accessibility action, not only the menu.
            android.R.id.shareText, android.R.id.textAssist -> return true
        }
        return super.onTextContextMenuItem(id)
    }

    private fun copySensitive(words: CharSequence) {
        val clip = ClipData.newPlainText(null, words)
        clip.description.extras = PersistableBundle().apply { putBoolean(EXTRA_IS_SENSITIVE, true) }
        val clipboard = context.getSystemService(ClipboardManager::class.java) ?: return
        clipboard.setPrimaryClip(clip)
    }

    /** Hides, in the selection and insertion menus, every item that hands the words to another app. */
    object KeepInApp : ActionMode.Callback {
        private val LEAVING = setOf(android.R.id.shareText, android.R.id.textAssist)

        override fun onCreateActionMode(mode: ActionMode?, menu: Menu): Boolean = true.also { hide(menu) }

        override fun onPrepareActionMode(mode: ActionMode?, menu: Menu): Boolean = true.also { hide(menu) }

        override fun onActionItemClicked(mode: ActionMode?, item: MenuItem): Boolean = false

        override fun onDestroyActionMode(mode: ActionMode?) = Unit

        fun hide(menu: Menu) {
            for (i in 0 until menu.size()) {
                val item = menu.getItem(i)
                if (item.itemId in LEAVING || item.intent?.action == Intent.ACTION_PROCESS_TEXT || item.intent?.action == Intent.ACTION_SEND) {
                    item.isVisible = false
                }
            }
        }
    }

    companion object {
        /** `ClipDescription.EXTRA_IS_SENSITIVE` (API 33), by name: older systems ignore it. */
        const val EXTRA_IS_SENSITIVE = "android.content.extra.IS_SENSITIVE"
    }
}
