// Healing groups and dialogue spaces: the list, a group's page with today's attendance and the
// cycle, and the form for a new group.
package org.ami.komora.android

import android.view.View
import android.widget.LinearLayout
import org.ami.komora.ui.App
import org.ami.komora.ui.GroupFormPresenter
import org.ami.komora.ui.GroupFormState
import org.ami.komora.ui.GroupPresenter
import org.ami.komora.ui.GroupState
import org.ami.komora.ui.GroupsPresenter
import org.ami.komora.ui.GroupsState
import org.ami.komora.ui.Str

internal class GroupsView(ui: Ui, app: App, private val p: GroupsPresenter) : ScreenView<GroupsState>(ui, app, p) {
    override val title = t[Str.GROUPS_TITLE]
    private val list = ui.stack()
    private val message = ui.message(error = true)

    override fun body(): View = ui.column(message, list)

    override fun bottom(): View = ui.bottomBar(ui.primary(t[Str.NEW_GROUP]) { p.newGroup() })

    override fun render(s: GroupsState) {
        message.show(s.message)
        list.removeAllViews()
        if (s.groups.isEmpty()) ui.add(list, ui.emptyState(t[Str.GROUPS_TITLE], t[Str.GROUPS_EMPTY]))
        for (g in s.groups) {
            ui.add(list, ui.rowCard(ui.stack().apply {
                addView(ui.strong(g.name))
                addView(ui.secondary(g.detail))
            }, null) { p.open(g.groupId) }, 8)
        }
    }
}

internal class GroupView(ui: Ui, app: App, private val p: GroupPresenter) : ScreenView<GroupState>(ui, app, p) {
    override val title = t[Str.GROUPS_TITLE]
    private val name = ui.title()
    private val facilitators = ui.secondary()
    private val today = ui.strong()
    private val attendanceLine = ui.secondary()
    private val attendance = ui.stack()
    private val todayCard = ui.card(ui.heading(t[Str.TODAY_SESSION]), today, attendanceLine, attendance)
    private val cycle = ui.stack()
    private val message = ui.message(error = true)
    private val start = ui.primary(t[Str.GROUP_START_TODAY]) { p.startToday() }
    private val startBar = ui.bottomBar(start)

    override fun body(): View = ui.column(name, facilitators, message, todayCard, ui.card(ui.heading(t[Str.GROUP_CYCLE]), cycle))

    override fun bottom(): View = startBar

    override fun render(s: GroupState) {
        name.text = s.name
        facilitators.text = s.facilitators
        message.show(s.message)
        startBar.shown = s.canStartToday
        todayCard.shown = s.today != null
        today.text = s.today.orEmpty()
        attendanceLine.show(s.attendanceLine.ifEmpty { null })
        attendance.removeAllViews()
        for (a in s.attendance) {
            // Tap: present or not. Present, she may need individual follow-up afterwards.
            val box = ui.check(a.name, a.present) { p.tap(a.clientId) }
            box.setOnLongClickListener {
                p.flagForReferral(a.clientId)
                true
            }
            val row = LinearLayout(ui.ctx).apply {
                orientation = LinearLayout.HORIZONTAL
                gravity = android.view.Gravity.CENTER_VERTICAL
                addView(box, LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f))
                when {
                    a.flagged -> addView(ui.chip(t[Str.FLAG_REFERRAL], Tone.WARNING))
                    a.present -> addView(ui.button(t[Str.FOLLOW_UP_TOGGLE], Rank.TEXT) { p.flagForReferral(a.clientId) }.apply {
                        contentDescription = "${t[Str.FOLLOW_UP_TOGGLE]}: ${a.name}"
                    })
                }
            }
            ui.add(attendance, row, 4)
        }
        cycle.removeAllViews()
        for (c in s.cycle) {
            ui.add(cycle, LinearLayout(ui.ctx).apply {
                orientation = LinearLayout.HORIZONTAL
                gravity = android.view.Gravity.CENTER_VERTICAL
                addView(ui.body("${c.number}. ${c.phase}"), LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f))
                addView(ui.chip(c.held ?: t[Str.GROUP_NOT_HELD], if (c.held != null) Tone.GOOD else Tone.NEUTRAL))
            }, 6)
        }
    }
}

internal class GroupFormView(ui: Ui, app: App, private val p: GroupFormPresenter) : ScreenView<GroupFormState>(ui, app, p) {
    override val title = t[Str.NEW_GROUP]
    private val restored = ui.message()
    private val discard = ui.button(t[Str.DRAFT_DISCARD], Rank.TEXT) {
        ui.confirm(t[Str.DRAFT_DISCARD_CONFIRM], t[Str.DRAFT_DISCARD], t[Str.KEEP]) { p.discardDraft() }
    }
    private val name = ui.privateText(t[Str.GROUP_NAME]) { p.name(it) }
    private val kind = ui.choices(t[Str.GROUP_KIND], p.state.value.kinds, p.state.value.kind) { p.kind(it) }
    private val first = ui.privateText(t[Str.GROUP_FACILITATOR_1]) { p.facilitator1(it) }
    private val second = ui.privateText(t[Str.GROUP_FACILITATOR_2]) { p.facilitator2(it) }
    private val count = ui.secondary()
    private val members = ui.stack()
    private val membersError = ui.message(error = true)
    private val search = ui.privateText(t[Str.GROUP_FIND_MEMBER]) { p.type(it) }
    private val results = ui.stack()
    private val message = ui.message(error = true)

    override fun body(): View = ui.column(
        ui.stack().apply {
            addView(restored)
            ui.add(this, discard, 4)
        },
        ui.card(name.root, kind.root, first.root, second.root, gap = 16),
        ui.card(ui.heading(t[Str.GROUP_MEMBERS]), count, members, membersError, search.root, results),
        message,
    )

    override fun bottom(): View = ui.bottomBar(ui.primary(t[Str.SAVE]) { p.save() })

    override fun render(s: GroupFormState) {
        restored.show(s.restored)
        discard.shown = s.restored != null
        name.sync(s.name)
        kind.select(s.kind)
        first.sync(s.facilitator1)
        second.sync(s.facilitator2)
        name.error(s.errors.of("name"))
        first.error(s.errors.of("facilitators"))
        membersError.show(s.errors.of("members"))
        message.show(s.message)
        count.text = t.format(Str.GROUP_MEMBERS_COUNT, s.members.size)
        members.removeAllViews()
        for (m in s.members) members.addView(ui.check(m.name, true) { p.toggle(m) })
        results.removeAllViews()
        val inGroup = s.members.map { it.clientId }.toSet()
        if (s.query.isNotBlank() && s.results.isEmpty()) results.addView(ui.secondary(t[Str.NO_RESULTS]))
        for (r in s.results.filter { it.clientId !in inGroup }) {
            results.addView(ui.check("${r.name} · ${r.detail}", false) { p.toggle(r) })
        }
    }
}
