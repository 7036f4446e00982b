package org.ami.komora.android

import android.content.ClipboardManager
import android.content.Intent
import android.view.Menu
import org.ami.komora.ui.Str
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.robolectric.fakes.RoboMenu

/**
 * A counsellor selects words in a field: the menu offers no way to hand them to another app
 * (Share, Translate, a web search), and what she copies is marked sensitive, so the system's
 * copy preview and the keyboard's clipboard history keep it to themselves. Every field of
 * every screen is such a field (ScreenChecker's `private` rule, over the whole tour).
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class PrivateFieldsTest {
    @Test
    fun `words selected in a field cannot be shared or translated, and a copy is marked sensitive`() {
        val d = device()
        d.launch()
        val field = d.field(d.app.texts[Str.ENROL_SERVER])
        assertTrue(field is PrivateEditText)
        field.setText("Mukamana Odette told me about the night")
        field.setSelection(0, 15)

        // The selection menu as the framework fills it: its own items, then other apps'.
        val menu = RoboMenu(d.activity)
        menu.add(Menu.NONE, android.R.id.cut, 0, "Cut")
        menu.add(Menu.NONE, android.R.id.copy, 1, "Copy")
        menu.add(Menu.NONE, android.R.id.shareText, 2, "Share")
        menu.add(Menu.NONE, Menu.NONE, 3, "Translate").intent = Intent(Intent.ACTION_PROCESS_TEXT).setPackage("com.google.android.apps.translate")
        menu.add(Menu.NONE, android.R.id.textAssist, 4, "Call")
        field.customSelectionActionModeCallback!!.onCreateActionMode(null, menu)
        field.customSelectionActionModeCallback!!.onPrepareActionMode(null, menu)
        val shown = (0 until menu.size()).map { menu.getItem(it) }.filter { it.isVisible }.map { it.title.toString() }
        assertEquals(listOf("Cut", "Copy"), shown)
        assertTrue(field.customInsertionActionModeCallback === field.customSelectionActionModeCallback)

        // Share by another way (a keyboard shortcut, an accessibility action) does nothing.
        assertTrue(field.onTextContextMenuItem(android.R.id.shareText))

        assertTrue(field.onTextContextMenuItem(android.R.id.copy))
        val clipboard = d.activity.getSystemService(ClipboardManager::class.java)!!
        val clip = clipboard.primaryClip!!
        assertEquals("Mukamana Odette", clip.getItemAt(0).text.toString())
        assertTrue(clip.description.extras!!.getBoolean(PrivateEditText.EXTRA_IS_SENSITIVE))

        assertTrue(field.onTextContextMenuItem(android.R.id.cut))
        assertEquals(" told me about the night", field.text.toString())
        assertFalse(clipboard.primaryClip!!.description.extras == null)
    }
}
