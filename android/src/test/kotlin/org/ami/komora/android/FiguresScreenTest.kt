package org.ami.komora.android

import android.content.Intent
import android.widget.TextView
import org.ami.komora.ui.Language
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** A data officer's tablet: the donors' figures and nothing else, never a name. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class FiguresScreenTest {
    @get:Rule
    val tmp = TemporaryFolder()

    @Test
    fun `a data officer's tablet opens on the figures, shows no name anywhere, and shares the CSV without one`() {
        val d = device() // first: every tablet's clock at the same morning
        Team(tmp.newFolder("team")).use { team ->
            val claudine = team.tablet(tmp.newFolder("claudine"), "counsellor")
            val people = claudine.app.claudinesCaseload()
            claudine.sync()

            d.app.setLanguage(Language.ENGLISH)
            val t = d.app.texts
            d.launch().enrol(team.server.url, team.code("data_officer"))
            assertEquals(Screen.Figures, d.app.current)
            d.syncNow()
            d.waitForText(t[Str.FIG_SESSIONS])
            assertTrue(d.shows(t[Str.FIG_CLIENTS_REACHED]))
            assertTrue(d.shows(t[Str.FIGURES_SMALL]))
            val everything = d.views().filterIsInstance<TextView>().joinToString("\n") { "${it.text} ${it.contentDescription ?: ""}" }
            for (name in people.ids.keys) for (word in name.split(' ')) assertFalse("\"$word\" on a data officer's screen", everything.contains(word))
            assertFalse("no button to anyone's file", d.shows(t[Str.NEW_CLIENT]))

            d.tap(t[Str.FIGURES_YEAR])
            d.waitFor("the year's figures") { d.find(t[Str.FIGURES_SHARE]).isEnabled && d.shows(t[Str.FIG_SESSIONS]) }
            d.tap(t[Str.FIGURES_SHARE])
            val chooser = shadowOf(d.activity).nextStartedActivity
            val send = chooser.getParcelableExtra(Intent.EXTRA_INTENT, Intent::class.java)!!
            assertEquals("text/csv", send.type)
            val csv = send.getStringExtra(Intent.EXTRA_TEXT)!!
            assertTrue(csv.startsWith("metric,"))
            for (name in people.ids.keys) for (word in name.split(' ')) assertFalse(csv.contains(word))
        }
    }
}
