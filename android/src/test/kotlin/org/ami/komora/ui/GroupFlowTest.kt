package org.ami.komora.ui

import java.nio.file.Path
import org.ami.komora.RunningServer
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** Healing groups: the cycle with its phases, the session of the day, attendance by tapping names. */
class GroupFlowTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `a facilitator starts the first session of a new group, in its safety phase, and taps who came`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val members = listOf("Mukamana Odette", "Habimana Jean", "Uwase Diane").map { tablet.recordClient(it) }
        val groups = GroupsPresenter(tablet.app)
        groups.create("Ruheru healing group", "healing-group", listOf("Claudine", "Jean"), members)
        val screen = tablet.app.current as Screen.Group
        assertEquals("Ruheru healing group", groups.state.value.groups.single().name)

        val g = GroupPresenter(tablet.app, screen.groupId)
        val cycle = g.state.value.cycle
        assertEquals(15, cycle.size, "a cycle is 15 sessions by default")
        assertEquals("Safety", cycle.first().phase)
        assertEquals(
            listOf("Safety", "Trust", "Care", "Respect", "New life orientation", "Memories"),
            cycle.map { it.phase }.distinct(),
            "the six phases follow each other in order",
        )
        assertTrue(cycle.all { it.held == null })
        assertNull(g.state.value.today)
        assertTrue(g.state.value.canStartToday)

        g.startToday()
        assertEquals("Session 1: Safety", g.state.value.today)
        assertFalse(g.state.value.canStartToday, "one session a day")
        assertEquals("0 of 3 present", g.state.value.attendanceLine)
        g.tap(members[0])
        g.tap(members[2])
        assertEquals("2 of 3 present", g.state.value.attendanceLine)
        g.tap(members[2])
        assertEquals("1 of 3 present", g.state.value.attendanceLine, "tapped again: not present")
        g.flagForReferral(members[1])
        assertTrue(g.state.value.message != null, "flagging someone absent is refused, with a message")
        assertFalse(g.state.value.attendance.single { it.clientId == members[1] }.flagged)
        g.dismissMessage()
        g.flagForReferral(members[0])
        assertTrue(g.state.value.attendance.single { it.clientId == members[0] }.flagged, "she needs individual follow-up")
        assertTrue(g.state.value.cycle.first().held != null, "session 1 shows as held")

        groups.refresh()
        assertEquals("Healing group · 1 of 15 sessions held", groups.state.value.groups.single().detail)
    }

    @Test
    fun `two facilitators mark attendance on their own tablets offline, and after syncing both see everyone they marked`() {
        RunningServer(tmp.resolve("server")).use { server ->
            val claudine = Tablet(tmp.resolve("claudine")).bootstrapAdmin(server)
            val jean = Tablet(tmp.resolve("jean")).enrolThroughScreen(server, claudine, "counsellor")
            val members = listOf("Mukamana Odette", "Habimana Jean").map { claudine.recordClient(it) }
            GroupsPresenter(claudine.app).create("Dialogue space", "dialogue-space", listOf("Claudine", "Jean"), members)
            val groupId = (claudine.app.current as Screen.Group).groupId
            GroupPresenter(claudine.app, groupId).startToday()
            claudine.sync()
            jean.sync()

            GroupPresenter(claudine.app, groupId).tap(members[0])
            GroupPresenter(jean.app, groupId).tap(members[1])
            claudine.sync()
            jean.sync()
            claudine.sync()

            for (tablet in listOf(claudine, jean)) {
                val g = GroupPresenter(tablet.app, groupId)
                assertEquals("2 of 2 present", g.state.value.attendanceLine)
            }
        }
    }
}
