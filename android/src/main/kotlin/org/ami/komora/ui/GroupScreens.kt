// Healing groups and dialogue spaces: the cycle, the session of the day, attendance by tapping.
package org.ami.komora.ui

import org.ami.komora.core.GroupSession
import org.ami.komora.core.NewGroup

data class GroupRow(val groupId: String, val name: String, val detail: String) : Private()

data class GroupsState(val groups: List<GroupRow> = emptyList(), val message: String? = null) : Private()

class GroupsPresenter(app: App) : AppPresenter<GroupsState>(app, GroupsState()) {
    override fun GroupsState.withMessage(message: String?) = copy(message = message)

    init {
        refresh()
    }

    fun refresh() {
        guard {
            val t = app.texts
            val v = app.vault()
            val rows = v.groups().map { g ->
                val held = v.groupSessions(g.id).size
                GroupRow(g.id, g.name, "${t.code(g.kind)} · ${t.format(Str.GROUP_HELD, held, g.cycleLength)}")
            }
            update { it.copy(groups = rows) }
        }
    }

    /** A new group of the given members with its two facilitators; its page opens. */
    fun create(name: String, kind: String, facilitators: List<String>, members: List<String>) {
        guard {
            val id = app.vault().addGroup(NewGroup(name, kind, facilitators, members, null, null))
            refresh()
            app.open(Screen.Group(id))
        }
    }

    fun open(groupId: String) = app.open(Screen.Group(groupId))
}

data class CycleStep(val number: Int, val phase: String, val held: String?) : Private()

data class AttendanceRow(val clientId: String, val name: String, val present: Boolean, val flagged: Boolean) : Private()

data class GroupState(
    val name: String = "",
    val facilitators: String = "",
    /** Every session of the cycle with its phase and, once held, its date. */
    val cycle: List<CycleStep> = emptyList(),
    /** Today's session, if it has been started: its number and phase. */
    val today: String? = null,
    /** Members, tapped present or not for today's session. */
    val attendance: List<AttendanceRow> = emptyList(),
    /** "6 of 12 present". */
    val attendanceLine: String = "",
    val canStartToday: Boolean = false,
    val message: String? = null,
) : Private()

class GroupPresenter(app: App, private val groupId: String) : AppPresenter<GroupState>(app, GroupState()) {
    override fun GroupState.withMessage(message: String?) = copy(message = message)

    private var todaySession: GroupSession? = null

    init {
        refresh()
    }

    fun refresh() {
        guard {
            val t = app.texts
            val v = app.vault()
            val g = v.group(groupId)
            val sessions = v.groupSessions(groupId)
            val today = v.today()
            todaySession = sessions.lastOrNull { it.date == today }
            val byNumber = sessions.groupBy { it.number }
            val cycle = (1..g.cycleLength).map { n ->
                val held = byNumber[n]?.firstOrNull()
                CycleStep(n, t.term(held?.phase ?: g.phases.getOrElse(n - 1) { "" }), held?.let { t.date(it.date) })
            }
            val s = todaySession
            val names = names(g.members)
            val rows = g.members.map { id ->
                AttendanceRow(id, names[id] ?: t[Str.UNKNOWN_CLIENT], s != null && id in s.attendance, s != null && id in s.flagged)
            }.sortedBy { it.name.lowercase() }
            update {
                it.copy(
                    name = g.name,
                    facilitators = g.facilitators.joinToString(", "),
                    cycle = cycle,
                    today = s?.let { x -> t.format(Str.GROUP_SESSION_PHASE, x.number, t.term(x.phase)) },
                    attendance = if (s == null) emptyList() else rows,
                    attendanceLine = if (s == null) "" else t.format(Str.GROUP_PRESENT, rows.count { r -> r.present }, rows.size),
                    canStartToday = s == null && sessions.size < g.cycleLength,
                )
            }
        }
    }

    /** Start today's session: the next number of the cycle, in its phase. */
    fun startToday() {
        if (todaySession != null) return
        guard {
            val v = app.vault()
            val next = (v.groupSessions(groupId).maxOfOrNull { it.number } ?: 0) + 1
            v.addGroupSession(groupId, next, null, null, null)
            refresh()
        }
    }

    /** Tap a name: present, tap again: not present. */
    fun tap(clientId: String) {
        val s = todaySession ?: return
        val present = current.attendance.firstOrNull { it.clientId == clientId }?.present ?: return
        guard {
            app.vault().markAttendance(s.id, clientId, !present)
            refresh()
        }
    }

    /** A participant who needs individual follow-up after the session. */
    fun flagForReferral(clientId: String) {
        val s = todaySession ?: return
        guard {
            app.vault().flagForReferral(s.id, clientId)
            refresh()
        }
    }
}
