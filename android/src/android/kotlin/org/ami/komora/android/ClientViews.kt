// A client's file, the form that records or edits a client with her consent, and linking a
// member of her household.
package org.ami.komora.android

import android.text.InputType
import android.view.View
import android.widget.LinearLayout
import org.ami.komora.ui.App
import org.ami.komora.ui.Choice
import org.ami.komora.ui.ClientFilePresenter
import org.ami.komora.ui.ClientFileState
import org.ami.komora.ui.ClientFormPresenter
import org.ami.komora.ui.ClientFormState
import org.ami.komora.ui.Language
import org.ami.komora.ui.LinkHouseholdPresenter
import org.ami.komora.ui.LinkHouseholdState
import org.ami.komora.ui.Lists
import org.ami.komora.ui.Str
import org.ami.komora.ui.draftMark

internal class ClientFileView(ui: Ui, app: App, private val p: ClientFilePresenter) : ScreenView<ClientFileState>(ui, app, p) {
    override val title = t[Str.CLIENT_FILE]
    override fun actions() = listOf(t[Str.EDIT] to { p.edit() })

    private val name = ui.title()
    private val risks = ui.flow()
    private val message = ui.message(error = true)
    private val profile = ui.stack()
    private val consent = ui.stack()
    private val household = ui.stack()
    private val cases = ui.stack()
    private val trends = ui.stack()
    /** Measures left before their last answer, each with its Continue. */
    private val unfinished = ui.stack()
    private val referrals = ui.stack()
    private val timeline = ui.stack()
    private var problem = Lists.get().problems.first().id
    private var instrument = Lists.instruments.first().id
    private val destination = ui.picker(t[Str.FIELD_DESTINATION], Lists.get().referralDestinations.map { Choice(it.id, t.term(it)) }, null) { p.referralDestination(it) }
    private val followUp = ui.dateField(t[Str.FIELD_FOLLOW_UP], t[Str.DATE_NOT_SET], { t.date(it) }) { p.referralFollowUp(it) }
    /** Enabled once a destination is chosen; the form clears after a referral is recorded. */
    private val refer = ui.button(t[Str.REFER]) { p.refer() }
    private val openCase = ui.button(t[Str.OPEN_CASE]) { p.openCase(problem) }
    /** Giving her her own file: supervisors only (the presenter says whether this tablet may). */
    private val exportCard = ui.card(
        ui.heading(t[Str.EXPORT_SECTION]),
        ui.secondary(t[Str.EXPORT_ENTRY_EXPLAIN]),
        ui.button(t[Str.EXPORT_ENTRY]) { p.giveFile() },
    ).apply { shown = false }
    private val recordFirst = ui.primary(t[Str.RECORD_SESSION]) { p.state.value.openCases.firstOrNull()?.let { p.recordSession(it.id) } }
    private val bar = ui.bottomBar(recordFirst)

    override fun body(): View = ui.column(
        name, risks, message,
        ui.card(ui.heading(t[Str.SECTION_PROFILE]), profile),
        ui.card(
            ui.heading(t[Str.SECTION_CASES]), cases,
            ui.strong(t[Str.NEW_CASE], 17f),
            ui.picker(t[Str.FIELD_PROBLEM], Lists.get().problems.map { Choice(it.id, t.term(it)) }, problem) { problem = it }.root,
            openCase,
        ),
        ui.card(ui.heading(t[Str.SECTION_CONSENT]), consent),
        ui.card(ui.heading(t[Str.SECTION_HOUSEHOLD]), household, ui.button(t[Str.LINK_HOUSEHOLD]) { p.linkHousehold() }),
        ui.card(
            ui.heading(t[Str.SECTION_MEASURES]), unfinished, trends,
            ui.picker(t[Str.FIELD_INSTRUMENT], Lists.instruments.map { Choice(it.id, it.name) }, instrument) { instrument = it }.root,
            ui.button(t[Str.GIVE_MEASURE]) { p.giveMeasure(instrument) },
        ),
        ui.card(
            ui.heading(t[Str.SECTION_REFERRALS]), referrals,
            ui.strong(t[Str.SECTION_NEW_REFERRAL], 17f),
            destination.root,
            followUp.root,
            refer,
        ),
        ui.card(ui.heading(t[Str.SECTION_TIMELINE]), timeline),
        exportCard,
    )

    override fun bottom(): View = bar

    override fun render(s: ClientFileState) {
        name.text = s.name
        risks.removeAllViews()
        for (r in s.risks) risks.addView(ui.chip(r, if (s.urgent) Tone.DANGER else Tone.WARNING))
        risks.shown = s.risks.isNotEmpty()
        message.show(s.message)
        ui.lines(profile, s.profile)
        destination.set(Lists.get().referralDestinations.map { Choice(it.id, t.term(it)) }, s.referTo, t[Str.CHOOSE])
        followUp.set(s.referFollowUp)
        refer.isEnabled = s.referTo != null
        unfinished.removeAllViews()
        for (m in s.unfinishedMeasures) {
            ui.add(unfinished, ui.stack().apply {
                addView(ui.strong(m.label, 17f))
                addView(ui.button(t[Str.DRAFT_CONTINUE]) { p.continueMeasure(m.id) })
            }, 8)
        }

        cases.removeAllViews()
        // The first open case's session is the screen's main action, at the bottom.
        bar.shown = s.openCases.isNotEmpty()
        recordFirst.text = s.openCases.firstOrNull()?.let { "${t[Str.RECORD_SESSION]}: ${it.label}" } ?: t[Str.RECORD_SESSION]
        for ((i, c) in s.openCases.withIndex()) {
            ui.add(cases, ui.stack().apply {
                addView(ui.strong(c.label, 17f))
                if (i > 0) addView(ui.button(t[Str.RECORD_SESSION]) { p.recordSession(c.id) }, LinearLayout.LayoutParams(LinearLayout.LayoutParams.WRAP_CONTENT, LinearLayout.LayoutParams.WRAP_CONTENT).apply { topMargin = ui.dp(6) })
            }, 8)
        }
        if (s.openCases.isEmpty()) ui.add(cases, ui.secondary(t[Str.NO_CASES]))

        consent.removeAllViews()
        for (c in s.consent) {
            val tone = when {
                c.given -> Tone.GOOD
                c.standing == t[Str.CONSENT_NOT_RECORDED] -> Tone.NEUTRAL
                else -> Tone.DANGER
            }
            // One line per scope: what it is and where it stands, its withdrawal at the end.
            ui.add(consent, android.widget.LinearLayout(ui.ctx).apply {
                orientation = android.widget.LinearLayout.HORIZONTAL
                gravity = android.view.Gravity.CENTER_VERTICAL
                addView(ui.stack().apply {
                    addView(ui.strong(c.scope, 17f))
                    addView(ui.flow(ui.chip(c.standing, tone)).apply { setPadding(0, ui.dp(4), 0, 0) })
                }, android.widget.LinearLayout.LayoutParams(0, android.widget.LinearLayout.LayoutParams.WRAP_CONTENT, 1f))
                if (c.given) {
                    addView(ui.button(t[Str.WITHDRAW_CONSENT], Rank.DESTRUCTIVE) {
                        ui.confirm(t.format(Str.WITHDRAW_CONFIRM, c.scope), t[Str.WITHDRAW_CONSENT], t[Str.KEEP]) {
                            p.withdrawConsent(c.scopeId, app.texts.language)
                        }
                    })
                }
            }, 12)
        }

        ui.lines(household, s.household)
        if (s.household.isEmpty()) ui.add(household, ui.secondary(t[Str.HOUSEHOLD_EMPTY]))

        // Each measure: its name, its scores over time as a chart with the bands behind them
        // (TalkBack reads the chart's description: every date, score and band), then the same
        // figures in words and the change.
        trends.removeAllViews()
        for (tr in s.trends) {
            val chart = s.charts.firstOrNull { it.instrument == tr.instrumentId }
            ui.add(trends, ui.stack().apply {
                val name = ui.strong(tr.instrument, 17f)
                if (chart?.labelsMissing == true) {
                    // The bands' labels lack this language and show in English: a draft.
                    addView(ui.flow(name, ui.draftMark(draftMark(t), t[Str.DRAFT_MARK_CD])))
                } else {
                    addView(name)
                }
                if (chart != null && chart.dots.isNotEmpty()) {
                    addView(ScoreChartView(ui.ctx, chart), android.widget.LinearLayout.LayoutParams(
                        android.widget.LinearLayout.LayoutParams.MATCH_PARENT, android.widget.LinearLayout.LayoutParams.WRAP_CONTENT,
                    ).apply { topMargin = ui.dp(6); bottomMargin = ui.dp(6) })
                }
                addView(ui.body(tr.scores))
                addView(ui.secondary(tr.change))
            }, 10)
        }
        if (s.trends.isEmpty()) ui.add(trends, ui.secondary(t[Str.MEASURES_EMPTY]))

        referrals.removeAllViews()
        for (r in s.referrals) {
            val chips = listOfNotNull(
                ui.chip(r.status, if (r.nextStatuses.isEmpty()) Tone.NEUTRAL else Tone.INFO),
                if (r.overdue) ui.chip(t[Str.OVERDUE], Tone.WARNING) else null,
            )
            ui.add(referrals, ui.stack().apply {
                addView(ui.strong(r.destination, 17f))
                addView(ui.flow(*chips.toTypedArray()).apply { setPadding(0, ui.dp(4), 0, ui.dp(4)) })
                r.followUp?.let { addView(ui.secondary("${t[Str.FIELD_FOLLOW_UP]}: $it")) }
                if (r.nextStatuses.isNotEmpty()) {
                    addView(ui.picker(t[Str.REFERRAL_STATUS_CHANGE], r.nextStatuses, null, searchable = false) { status ->
                        p.setReferralStatus(r.referralId, status)
                    }.apply { set(r.nextStatuses, null, t[Str.CHOOSE]) }.root)
                }
            }, 14)
        }
        if (s.referrals.isEmpty()) ui.add(referrals, ui.secondary(t[Str.REFERRALS_EMPTY]))

        exportCard.shown = s.canExport

        timeline.removeAllViews()
        for (e in s.timeline) {
            val content = ui.stack().apply {
                addView(ui.secondary(e.date))
                addView(ui.body("${e.kind} · ${e.detail}"))
            }
            ui.add(timeline, if (e.isSession) ui.rowCard(content, null) { p.openTimeline(e) } else content, 8)
        }
    }
}

internal class ClientFormView(ui: Ui, app: App, private val p: ClientFormPresenter) : ScreenView<ClientFormState>(ui, app, p) {
    private val s0 = p.state.value
    override val title = t[if (s0.editing) Str.EDIT_CLIENT else Str.NEW_CLIENT]

    private val restored = ui.message()
    private val discard = ui.button(t[Str.DRAFT_DISCARD], Rank.TEXT) {
        ui.confirm(t[Str.DRAFT_DISCARD_CONFIRM], t[Str.DRAFT_DISCARD], t[Str.KEEP]) { p.discardDraft() }
    }
    private val name = ui.privateText(t[Str.FIELD_NAME]) { p.set("name", it) }
    private val code = ui.privateText(t[Str.FIELD_CODE]) { p.set("code", it) }
    private val sex = ui.choices(
        t[Str.FIELD_SEX],
        listOf(Choice("F", t[Str.SEX_F]), Choice("M", t[Str.SEX_M]), Choice("", t[Str.SEX_NOT_SAID])),
        s0.sex,
    ) { p.set("sex", it) }
    private val birthYear = ui.field(t[Str.FIELD_BIRTH_YEAR], InputType.TYPE_CLASS_NUMBER) { p.set("birth_year", it) }
    private val ageInstead = ui.check(t[Str.AGE_INSTEAD], s0.ageInstead) { p.ageInstead(it) }
    private val age = ui.field(t[Str.FIELD_AGE], InputType.TYPE_CLASS_NUMBER) { p.set("age", it) }
    private val ageYear = ui.secondary()
    private val phone = ui.field(t[Str.FIELD_PHONE], InputType.TYPE_CLASS_PHONE, hint = "07…") { p.set("phone", it) }
    private val district = ui.picker(t[Str.FIELD_DISTRICT], emptyList(), null, searchable = true) { p.set("district", it) }
    private val sector = ui.picker(t[Str.FIELD_SECTOR], emptyList(), null, searchable = true) { p.set("sector", it) }
    private val cell = ui.picker(t[Str.FIELD_CELL], emptyList(), null, searchable = true) { p.set("cell", it) }
    private val village = ui.picker(t[Str.FIELD_VILLAGE], emptyList(), null, searchable = true) { p.set("village", it) }
    private val scopes = s0.scopeChoices.map { c -> c.id to ui.check(c.label, c.id in s0.consentScopes) { on -> p.consent(c.id, on) } }
    private val consentError = ui.message(error = true)
    private val language = ui.choices(
        t[Str.FIELD_CONSENT_LANGUAGE],
        Language.entries.map { Choice(it.code, it.nativeName) },
        s0.consentLanguage.code,
    ) { code -> Language.fromCode(code)?.let(p::consentLanguage) }
    private val guardian = ui.privateText(t[Str.FIELD_GUARDIAN]) { p.set("guardian_name", it) }
    private val consentCard = ui.card(
        ui.heading(t[Str.SECTION_CONSENT]),
        ui.stack().apply { scopes.forEach { (_, box) -> addView(box) } },
        consentError, language.root, guardian.root,
    )
    private val message = ui.message(error = true)

    override fun body(): View = ui.column(
        ui.stack().apply {
            addView(restored)
            ui.add(this, discard, 4)
        },
        ui.card(name.root, code.root, sex.root, birthYear.root, ageInstead, age.root, ageYear, phone.root, gap = 16),
        ui.card(ui.heading(t[Str.FIELD_PLACE]), district.root, sector.root, cell.root, village.root, gap = 16),
        consentCard,
        message,
    )

    override fun bottom(): View = ui.bottomBar(ui.primary(t[Str.SAVE]) { p.save() })

    private fun places(names: List<String>) = names.map { Choice(it, it) }

    override fun render(s: ClientFormState) {
        restored.show(s.restored)
        discard.shown = s.restored != null
        name.sync(s.name)
        code.sync(s.code)
        sex.select(s.sex)
        birthYear.visible = !s.ageInstead
        age.visible = s.ageInstead
        if (ageInstead.isChecked != s.ageInstead) ageInstead.isChecked = s.ageInstead
        if (s.ageInstead) age.sync(s.age) else birthYear.sync(s.birthYear)
        ageYear.show(s.ageYear)
        phone.sync(s.phone)
        val above = t[Str.CHOOSE_ABOVE_FIRST]
        district.set(places(s.districts), s.district.ifEmpty { null }, t[Str.CHOOSE])
        sector.set(places(s.sectors), s.sector.ifEmpty { null }, if (s.district.isEmpty()) above else t[Str.CHOOSE])
        cell.set(places(s.cells), s.cell.ifEmpty { null }, if (s.sector.isEmpty()) above else t[Str.CHOOSE])
        village.set(places(s.villages), s.village.ifEmpty { null }, if (s.cell.isEmpty()) above else t[Str.CHOOSE])
        for ((id, box) in scopes) if (box.isChecked != (id in s.consentScopes)) box.isChecked = id in s.consentScopes
        language.select(s.consentLanguage.code)
        guardian.sync(s.guardianName)
        consentCard.shown = !s.editing
        guardian.visible = s.needsGuardian
        val e = s.errors
        name.error(e.of("name"))
        code.error(e.of("code"))
        sex.error(e.of("sex"))
        birthYear.error(e.of("birth_year"))
        age.error(e.of("birth_year") ?: e.of("age"))
        phone.error(e.of("phone"))
        district.error(e.of("district"))
        sector.error(e.of("sector"))
        cell.error(e.of("cell"))
        village.error(e.of("village"))
        consentError.show(e.of("consent"))
        guardian.error(e.of("guardian_name"))
        val placed = setOf("name", "code", "sex", "birth_year", "age", "phone", "district", "sector", "cell", "village", "consent", "guardian_name")
        message.show(listOfNotNull(s.message, e.filter { it.field !in placed }.joinToString("\n") { it.message }.ifEmpty { null }).joinToString("\n").ifEmpty { null })
    }
}

internal class LinkHouseholdView(ui: Ui, app: App, private val p: LinkHouseholdPresenter) : ScreenView<LinkHouseholdState>(ui, app, p) {
    override val title = t[Str.LINK_HOUSEHOLD]
    private val name = ui.strong()
    private val search = ui.privateText(t[Str.LINK_FIND]) { p.type(it) }
    private val results = ui.stack()
    private val chosen = ui.message()
    private val personError = ui.message(error = true)
    private val relation = ui.choices(t[Str.LINK_RELATION], p.state.value.relations, null) { p.relation(it) }
    private val message = ui.message(error = true)
    private var shown: Any? = null

    override fun body(): View = ui.column(
        name,
        ui.card(search.root, results, chosen, personError),
        ui.card(relation.root),
        message,
    )

    override fun bottom(): View = ui.bottomBar(ui.primary(t[Str.LINK_SAVE]) { p.link() })

    override fun render(s: LinkHouseholdState) {
        name.text = s.name
        chosen.show(s.other?.let { t.format(Str.LINK_CHOSEN, it.name) })
        personError.show(s.errors.of("other"))
        relation.error(s.errors.of("relation"))
        message.show(s.message)
        if (s.results === shown) return
        shown = s.results
        results.removeAllViews()
        if (s.query.isNotBlank() && s.results.isEmpty()) ui.add(results, ui.secondary(t[Str.NO_RESULTS]))
        for (r in s.results) {
            ui.add(results, ui.rowCard(ui.stack().apply {
                addView(ui.strong(r.name, 17f))
                addView(ui.secondary(r.detail))
            }, null) { p.pick(r) }, 8)
        }
    }
}
