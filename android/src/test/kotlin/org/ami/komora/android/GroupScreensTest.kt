package org.ami.komora.android

import kotlinx.coroutines.runBlocking
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.createVault
import org.ami.komora.ui.Language
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/** Healing groups on the screens: a new group, its first session, who came, who needs follow-up. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class GroupScreensTest {
    @Test
    fun `a facilitator creates a group, starts its first session in the safety phase and taps who came`() {
        val d = device()
        d.app.setLanguage(Language.ENGLISH)
        val t = d.app.texts
        val v = runBlocking { createVault(d.app.vaultDir.path, PIN, KdfStrength.INSECURE_FOR_TESTS, d.app.platformKey) }
        d.app.unlocked(v)
        d.app.claudinesCaseload()
        d.launch()

        d.tap(t[Str.GROUPS_TITLE])
        assertTrue("an empty list says what to do", d.shows(t[Str.GROUPS_EMPTY]))
        d.tap(t[Str.NEW_GROUP])
        d.tap(t[Str.SAVE])
        assertTrue(d.shows(t[Str.GROUP_NAME_REQUIRED]))
        assertTrue(d.shows(t[Str.GROUP_MEMBERS_REQUIRED]))
        d.type(t[Str.GROUP_NAME], "Ruheru")
        d.type(t[Str.GROUP_FACILITATOR_1], "Claudine")
        d.type(t[Str.GROUP_FACILITATOR_2], "Jean")
        d.type(t[Str.GROUP_FIND_MEMBER], "mukamana")
        d.tapStarting("Mukamana Odette")
        d.type(t[Str.GROUP_FIND_MEMBER], "uwase")
        d.tapStarting("Uwase Diane")
        d.type(t[Str.GROUP_FIND_MEMBER], "ingabire")
        d.tapStarting("Ingabire Grace")
        assertTrue(d.shows(t.format(Str.GROUP_MEMBERS_COUNT, 3)))
        d.tap(t[Str.SAVE])
        assertTrue(d.app.current is Screen.Group)
        assertTrue(d.shows("1. ${t.term("safety")}"))
        assertTrue(d.shows("15. ${t.term("memories")}"))

        d.tap(t[Str.GROUP_START_TODAY])
        assertTrue(d.shows(t.format(Str.GROUP_SESSION_PHASE, 1, t.term("safety"))))
        d.tap("Mukamana Odette")
        d.tap("Uwase Diane")
        assertTrue(d.shows(t.format(Str.GROUP_PRESENT, 2, 3)))
        d.tap("Uwase Diane")
        assertTrue("tapped again: not present", d.shows(t.format(Str.GROUP_PRESENT, 1, 3)))
        d.tap("${t[Str.FOLLOW_UP_TOGGLE]}: Mukamana Odette")
        assertTrue(d.shows(t[Str.FLAG_REFERRAL]))
        val g = (d.app.current as Screen.Group).groupId
        val session = v.groupSessions(g).single()
        assertEquals(1, session.attendance.size)
        assertEquals(1, session.flagged.size)
        d.back()
        assertTrue(d.shows("Ruheru"))
        assertTrue(d.shows(t.format(Str.GROUP_HELD, 1, 15).let { "${t.term("healing-group")} · $it" }))
    }
}
