package org.ami.komora.android

import kotlinx.coroutines.runBlocking
import org.ami.komora.core.NewCase
import org.ami.komora.core.NewSession
import org.ami.komora.ui.Language
import org.ami.komora.ui.Lists
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
import org.robolectric.annotation.Config

/**
 * The issue's own scenario on the screens, on two tablets syncing through a real server:
 * Claudine records a home visit with a PHQ-9 given item by item; on Jean's tablet it comes
 * first in his queue; he asks for a change; she answers on hers; he approves.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class SupervisionTest {
    @get:Rule
    val tmp = TemporaryFolder()

    @Test
    fun `a home visit with a PHQ-9 reaches the supervisor first, he asks for a change, she answers, he approves`() {
        Team(tmp.newFolder("team")).use { team ->
            val d = device()
            val t = org.ami.komora.ui.Texts(Language.ENGLISH)
            d.app.setLanguage(Language.ENGLISH)
            team.jean.app.setLanguage(Language.ENGLISH)
            d.launch().enrol(team.server.url, team.code())
            val claudine = d.app
            // An earlier, calm office session for another client: in the queue before hers.
            val diane = claudine.recordClient("Uwase Diane", 1990, "F")
            val dianesCase = claudine.vault().addCase(NewCase(listOf(diane), listOf("grief")))
            claudine.vault().addSession(NewSession(caseId = dianesCase, modality = "office", notes = "Talked about her brother."))
            val odette = claudine.recordClient("Mukamana Odette", 1978, "F")
            claudine.vault().addCase(NewCase(listOf(odette), listOf("trauma")))
            d.settle()
            d.syncNow()

            // At Odette's door: her file, a home visit, the PHQ-9 one item at a time.
            d.type(t[Str.SEARCH_HINT], "muk")
            d.tap("Mukamana Odette")
            d.tapStarting(t[Str.RECORD_SESSION])
            assertFalse(d.findOrNull(t[Str.FIELD_SAFETY])?.isShown == true)
            d.tap(t.term("home-visit"))
            assertTrue("the home visit's own fields show", d.find(t[Str.FIELD_SAFETY]).isShown)
            d.type(t[Str.FIELD_NOTES], "She spoke about the anniversary; her son listened.")
            d.type(t[Str.FIELD_SAFETY], "Her husband drinks; meet outside next time.")
            d.openPicker(t[Str.FIELD_NEXT_APPOINTMENT])
            d.tap(t[Str.DATE_IN_ONE_WEEK])
            d.pick(t[Str.GIVE_MEASURE], Lists.instrumentName("phq-9"))
            d.tap(t[Str.SAVE])

            val phq = Lists.instruments.first { it.id == "phq-9" }
            fun answer(i: Int) = d.tap(phq.options[i].en)
            assertTrue(d.shows(t.format(Str.MEASURE_PROGRESS, 1, 9)))
            listOf(2, 2, 2, 2, 2, 2, 1, 3).forEach(::answer)
            d.tap(t[Str.PREVIOUS])
            assertTrue(d.shows(t.format(Str.MEASURE_PROGRESS, 8, 9)))
            assertTrue("going back shows the answer given", d.shows("✓  ${phq.options[3].en}"))
            answer(0)
            answer(1)
            assertTrue(d.shows(t.format(Str.MEASURE_RESULT, 14, "Moderate")))
            assertTrue("item 9 raised the risk", d.shows(t.term("suicide-risk")))
            d.tap(t[Str.DONE])
            d.back()
            d.syncNow()

            // Jean's tablet.
            d.destroy()
            team.jean.sync()
            d.application.become(team.jean.app)
            d.launch()
            d.tap(t[Str.REVIEW_QUEUE_TITLE])
            val first = d.views().first { it.contentDescription?.startsWith(t[Str.CD_URGENT]) == true }
            assertTrue("her home visit first, urgent", first.contentDescription.contains("Mukamana Odette"))
            d.tap(first, "her home visit")
            assertTrue(d.shows("She spoke about the anniversary; her son listened."))
            assertTrue(d.shows("Her husband drinks; meet outside next time."))
            d.tap(t[Str.NEEDS_CHANGES])
            assertTrue("a request says what to change", d.shows(t[Str.COMMENT_REQUIRED]))
            d.type(t[Str.COMMENT_HINT], "Add the safety plan you agreed with her.")
            d.tap(t[Str.NEEDS_CHANGES])
            assertEquals(Screen.ReviewQueue, team.jean.app.current)
            d.back()
            d.syncNow()
            d.destroy()

            // Claudine's again: the request, her answer.
            team.jean.app.foregrounded()
            runBlocking { team.jean.app.unlockAll(PIN) }
            d.application.become(claudine)
            claudine.foregrounded()
            runBlocking { claudine.unlockAll(PIN) }
            d.launch()
            d.syncNow()
            d.tap(t[Str.REQUESTS_TITLE])
            assertTrue(d.shows("Add the safety plan you agreed with her."))
            d.tap(t[Str.ANSWER])
            assertTrue(d.shows(t[Str.ANSWER_REQUIRED]))
            d.type(t[Str.ANSWER_HINT], "Safety plan: she goes to her sister's if he is drunk.")
            d.tap(t[Str.ANSWER])
            assertTrue("answered: the request leaves her list", d.shows(t[Str.REQUESTS_EMPTY]))
            d.back()
            d.syncNow()
            d.destroy()

            // Jean approves.
            team.jean.sync()
            d.application.become(team.jean.app)
            d.launch()
            d.tap(t[Str.REVIEW_QUEUE_TITLE])
            assertTrue(d.shows(t[Str.REVIEW_ANSWERED]))
            d.tapStarting("Mukamana Odette")
            assertTrue(d.shows("→ Safety plan: she goes to her sister's if he is drunk."))
            d.tap(t[Str.APPROVE])
            assertFalse("approved: it leaves the queue", d.views().any { it.contentDescription?.contains("Mukamana Odette") == true })
            assertTrue("hers approved, Diane's waits", d.views().any { (it as? android.widget.TextView)?.text == "Uwase Diane" })
            assertEquals(odette, team.jean.app.vault().clients().first { it.name == "Mukamana Odette" }.id)
        }
    }
}
