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

    /** The form for a new group. */
    fun newGroup() = app.open(Screen.NewGroup)
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

data class GroupFormState(
    val name: String = "",
    val kind: String = "healing-group",
    val kinds: List<Choice> = emptyList(),
    val facilitator1: String = "",
    val facilitator2: String = "",
    val query: String = "",
    val results: List<ClientRow> = emptyList(),
    /** The members chosen so far, in the order she chose them. */
    val members: List<ClientRow> = emptyList(),
    val restored: String? = null,
    val errors: List<FieldError> = emptyList(),
    val message: String? = null,
) : Private()

/**
 * A new healing group or dialogue space: a name, the two facilitators of Community-Based
 * Sociotherapy, and its members found by name (10 to 15 people, usually). Kept as a draft as
 * she types.
 */
class GroupFormPresenter(app: App) : AppPresenter<GroupFormState>(app, GroupFormState()) {
    override fun GroupFormState.withMessage(message: String?) = copy(message = message)

    private val slot = DraftKeeper.NEW_GROUP_SLOT

    init {
        val t = app.texts
        update { it.copy(kinds = Lists.get().groupKinds.map { k -> Choice(k.id, t.term(k)) }) }
        app.drafts.restore(slot)?.let { d ->
            val f = d.fields
            val ids = f["members"].orEmpty().split(',').filter(String::isNotEmpty)
            val known = runCatching { names(ids) }.getOrDefault(emptyMap())
            update {
                it.copy(
                    name = f["name"].orEmpty(), kind = f["kind"] ?: it.kind,
                    facilitator1 = f["facilitator1"].orEmpty(), facilitator2 = f["facilitator2"].orEmpty(),
                    members = ids.mapNotNull { id -> known[id]?.let { n -> ClientRow(id, n, "") } },
                    restored = t.format(Str.DRAFT_RESTORED, t.time(d.savedMs)),
                )
            }
        }
    }

    private fun edit(f: (GroupFormState) -> GroupFormState) {
        update(f)
        val s = current
        val typed = mapOf(
            "name" to s.name, "facilitator1" to s.facilitator1, "facilitator2" to s.facilitator2,
            "members" to s.members.joinToString(",") { it.clientId },
        ).filterValues { it.isNotBlank() }
        app.drafts.changed(slot, if (typed.isEmpty()) emptyMap() else typed + ("kind" to s.kind))
    }

    fun name(text: String) = edit { it.copy(name = text, errors = it.errors.filter { e -> e.field != "name" }) }
    fun kind(id: String) = edit { it.copy(kind = id) }
    fun facilitator1(text: String) = edit { it.copy(facilitator1 = text, errors = it.errors.filter { e -> e.field != "facilitators" }) }
    fun facilitator2(text: String) = edit { it.copy(facilitator2 = text, errors = it.errors.filter { e -> e.field != "facilitators" }) }

    /** Find a member by name or code. */
    fun type(query: String) {
        update { it.copy(query = query) }
        if (query.isBlank()) {
            update { it.copy(results = emptyList()) }
            return
        }
        guard {
            val t = app.texts
            val rows = app.vault().searchClients(query, 20).map { c ->
                ClientRow(c.id, c.name, listOfNotNull(c.code, c.district, c.birthYear?.let { y -> t.format(Str.BORN_IN, y) }).joinToString(" · "))
            }
            update { it.copy(results = rows) }
        }
    }

    /** Tap a person found: in the group; tap a member: out of it. */
    fun toggle(row: ClientRow) = edit { s ->
        val inGroup = s.members.any { it.clientId == row.clientId }
        s.copy(
            members = if (inGroup) s.members.filter { it.clientId != row.clientId } else s.members + row,
            errors = s.errors.filter { e -> e.field != "members" },
        )
    }

    fun discardDraft() {
        app.drafts.discard(slot)
        current = GroupFormState(kinds = current.kinds)
    }

    /** Create the group; its page opens. */
    fun save() {
        val t = app.texts
        val s = current
        val facilitators = listOf(s.facilitator1, s.facilitator2).map(String::trim).filter(String::isNotEmpty)
        val errors = buildList {
            if (s.name.isBlank()) add(FieldError("name", t[Str.GROUP_NAME_REQUIRED]))
            if (facilitators.isEmpty()) add(FieldError("facilitators", t[Str.GROUP_FACILITATOR_REQUIRED]))
            if (s.members.isEmpty()) add(FieldError("members", t[Str.GROUP_MEMBERS_REQUIRED]))
        }
        if (errors.isNotEmpty()) {
            update { it.copy(errors = errors) }
            return
        }
        try {
            val id = app.vault().addGroup(NewGroup(s.name.trim(), s.kind, facilitators, s.members.map { it.clientId }, null, null))
            app.drafts.discard(slot)
            app.replace(Screen.Group(id))
        } catch (e: org.ami.komora.core.KomoraException.Validation) {
            update { it.copy(errors = listOf(FieldError(e.field, app.fieldError(e)))) }
        } catch (e: org.ami.komora.core.KomoraException) {
            update { it.copy(message = app.failure(e)) }
        }
    }
}
