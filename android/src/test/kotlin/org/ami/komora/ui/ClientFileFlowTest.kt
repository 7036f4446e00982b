package org.ami.komora.ui

import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import org.ami.komora.RunningServer
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** A client's file: the form with consent capture, then profile, consent, household, referrals, timeline. */
class ClientFileFlowTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `a boy of 14 is recorded only with his mother's consent, and his file shows who gave it`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val thisYear = java.time.Instant.ofEpochMilli(tablet.clock.nowMs()).atZone(java.time.ZoneOffset.UTC).year
        val form = ClientFormPresenter(tablet.app, null)
        form.save()
        assertEquals(
            listOf("name", "consent"),
            form.state.value.errors.map { it.field },
            "no name and no consent: nothing saved",
        )
        form.set("name", "Ishimwe Eric")
        form.set("sex", "M")
        form.set("birth_year", (thisYear - 14).toString())
        assertTrue(form.state.value.needsGuardian, "under 16: the guardian field shows")
        form.consent("data-recording", true)
        form.consent("services", true)
        form.save()
        assertEquals(
            listOf(FieldError("guardian_name", "Under 16: a parent or guardian gives consent. Type their name.")),
            form.state.value.errors,
        )
        assertTrue(tablet.app.vault().clients().isEmpty(), "nothing was saved")

        form.set("guardian_name", "Mukamana Odette")
        form.save()
        val screen = tablet.app.current as Screen.ClientFile
        val file = ClientFilePresenter(tablet.app, screen.clientId)
        val s = file.state.value
        assertEquals("Ishimwe Eric", s.name)
        assertTrue(Line("Sex", "Male") in s.profile, "${s.profile}")
        val consent = s.consent.associate { it.scope to it.given }
        assertEquals(mapOf("Receiving services" to true, "Recording data" to true, "Sharing with a referral partner" to false), consent)
        for (printed in listOf(s.toString(), s.profile.toString(), CaseloadPresenter(tablet.app).also { it.type("ish") }.state.value.toString())) {
            assertFalse("Ishimwe" in printed || "Mukamana" in printed, "a screen's state prints no name: $printed")
        }
        val timeline = s.timeline.map { it.kind to it.detail }
        assertTrue(timeline.contains("Consent" to "Recording data given"), "$timeline")
    }

    @Test
    fun `a mother and her son as one household, a referral to Isange that becomes overdue, and her measures over time`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val mother = tablet.recordClient("Mukamana Odette", 1980)
        val son = tablet.recordClient("Ishimwe Eric", 1990, sex = "M")
        val v = tablet.app.vault()
        v.linkClients(mother, son, "parent")

        val file = ClientFilePresenter(tablet.app, mother)
        assertEquals(listOf("Ishimwe Eric"), file.state.value.household.map { it.value })
        file.openCase("violence")
        tablet.app.back()
        val today = java.time.LocalDate.parse(v.today())
        file.refer("isange", today.minusDays(1).toString(), "Violence at home")
        assertTrue(file.state.value.referrals.isEmpty(), "a follow-up before the referral itself is refused")
        assertTrue(file.state.value.message!!.startsWith("Follow-up"), file.state.value.message)
        // Recorded back at the office: she referred her ten days ago, to check on it yesterday.
        file.refer("isange", today.minusDays(1).toString(), "Violence at home", date = today.minusDays(10).toString())
        val referral = file.state.value.referrals.single()
        assertTrue(referral.destination.contains("Isange"), referral.destination)
        assertEquals("Pending", referral.status)
        assertTrue(referral.overdue, "its follow-up date has passed")

        file.giveMeasure("who-5")
        val m = tablet.app.current as Screen.Measure
        MeasurePresenter(tablet.app, m.clientId, m.instrument, m.caseId, null).apply { repeat(5) { answer(1) } }
        tablet.app.back()
        MeasurePresenter(tablet.app, mother, "who-5", null, null).apply { repeat(5) { answer(3) } }
        file.refresh()
        val trend = file.state.value.trends.single()
        assertEquals("WHO-5 Well-Being Index", trend.instrument)
        assertEquals("Better by 40", trend.change, trend.scores)
    }

    @Test
    fun `when she withdraws consent to data recording, no new session can be recorded for her`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val odette = tablet.recordClient("Mukamana Odette")
        val file = ClientFilePresenter(tablet.app, odette)
        file.openCase("trauma")
        val case = (tablet.app.current as Screen.SessionForm).caseId
        tablet.app.back()
        file.withdrawConsent("data-recording", Language.KINYARWANDA)
        assertFalse(file.state.value.consent.single { it.scope == "Recording data" }.given)
        assertTrue(file.state.value.consent.single { it.scope == "Recording data" }.standing.startsWith("Withdrawn on "))

        val form = SessionFormPresenter(tablet.app, case)
        form.notes("Anything")
        form.save()
        assertEquals(
            "The client withdrew consent to Recording data: nothing more is recorded under it.",
            form.state.value.message,
        )
        assertTrue(file.state.value.timeline.none { it.isSession }, "nothing was recorded")
    }

    @Test
    fun `editing a client changes only what she changed, and a cleared phone is cleared`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val form = ClientFormPresenter(tablet.app, null)
        form.set("name", "Uwase Diane")
        form.set("phone", "0788123456")
        form.consent("data-recording", true)
        form.save()
        val id = (tablet.app.current as Screen.ClientFile).clientId
        val edit = ClientFormPresenter(tablet.app, id)
        assertEquals("0788123456", edit.state.value.phone)
        edit.set("phone", "")
        edit.set("village", "Gitwe")
        edit.save()
        assertEquals(
            listOf(FieldError("district", "District: give the district with the sector, cell or village")),
            edit.state.value.errors,
            "the core's rule shows next to its field",
        )
        assertEquals("0788123456", tablet.app.vault().client(id).phone, "nothing was changed")
        edit.set("district", "Nyaruguru")
        assertEquals("", edit.state.value.village, "a district chosen clears what was under another one")
        assertTrue("Busanze" in edit.state.value.sectors, "the sector picker offers Nyaruguru's sectors")
        edit.set("sector", "Busanze")
        edit.set("cell", "Kirarangombe")
        assertTrue("Gitwe" in edit.state.value.villages, "and the village picker the cell's villages")
        edit.set("village", "Gitwe")
        edit.save()
        val c = tablet.app.vault().client(id)
        assertEquals(null, c.phone, "${edit.state.value.errors} ${edit.state.value.message}")
        assertEquals("Nyaruguru", c.district)
        assertEquals("Gitwe", c.village)
        assertEquals("Uwase Diane", c.name)
        assertEquals(1, tablet.app.vault().clientHistory(id, "name").size, "the name was written once")
    }

    /**
     * Jean (the supervisor, also the administrator) and Claudine (a counsellor) on a real
     * server, both holding Odette, whom Claudine recorded in Gitwe.
     */
    private fun withOdetteOnTwoTablets(body: (jean: Tablet, claudine: Tablet, odette: String) -> Unit) {
        RunningServer(tmp.resolve("server")).use { server ->
            val jean = Tablet(tmp.resolve("jean")).bootstrapAdmin(server)
            val claudine = Tablet(tmp.resolve("claudine")).enrolThroughScreen(server, jean, "counsellor")
            val odette = claudine.recordOdetteInGitwe()
            claudine.sync()
            jean.sync()
            body(jean, claudine, odette)
        }
    }

    /** Odette as Claudine records her: a phone, a code, and where she lives down to her village. */
    private fun Tablet.recordOdetteInGitwe(): String {
        val p = ClientFormPresenter(app, null)
        p.set("name", "Mukamana Odette")
        p.set("code", "HY-12")
        p.set("phone", "0788111111")
        p.set("birth_year", "1980")
        p.set("district", "Nyaruguru")
        p.set("sector", "Busanze")
        p.set("cell", "Kirarangombe")
        p.set("village", "Gitwe")
        p.consent("data-recording", true)
        p.save()
        return (app.current as Screen.ClientFile).clientId
    }

    private fun Tablet.unlock() {
        val unlock = UnlockPresenter(app)
        unlock.pin(TABLET_PIN)
        runBlocking { unlock.submit() }
        check(app.isUnlocked) { "not unlocked: ${unlock.state.value.message}" }
    }

    @Test
    fun `a colleague's correction synced while she edits the same client survives her save`() {
        withOdetteOnTwoTablets { jean, claudine, odette ->
            // Claudine opens the edit form; meanwhile Jean, her supervisor, corrects the phone.
            val edit = ClientFormPresenter(claudine.app, odette)
            ClientFormPresenter(jean.app, odette).apply {
                set("phone", "0788999999")
                save()
            }
            jean.sync()
            claudine.sync()

            // She changes only the village (she had the old phone on screen all along).
            val village = edit.state.value.villages.first { it != "Gitwe" }
            edit.set("village", village)
            edit.save()
            assertEquals(emptyList<FieldError>(), edit.state.value.errors)
            claudine.sync()
            jean.sync()
            for (tablet in listOf(claudine, jean)) {
                val c = tablet.app.vault().client(odette)
                assertEquals("0788999999", c.phone, "Jean's correction stands")
                assertEquals(village, c.village, "her change too")
            }
        }
    }

    @Test
    fun `an edit kept as a draft over a lock does not undo what a colleague changed meanwhile, and what she cleared stays cleared`() {
        withOdetteOnTwoTablets { jean, claudine, odette ->
            val edit = ClientFormPresenter(claudine.app, odette)
            val village = edit.state.value.villages.first { it != "Gitwe" }
            edit.set("village", village)
            edit.set("code", "")
            claudine.app.lock() // mid-edit: the tablet locks

            ClientFormPresenter(jean.app, odette).apply {
                set("birth_year", "1981")
                save()
            }
            jean.sync()

            claudine.unlock()
            claudine.sync()
            val caseload = CaseloadPresenter(claudine.app)
            val slot = DraftKeeper.clientSlot(odette)
            assertTrue(caseload.state.value.drafts.any { it.slot == slot }, "her edit is offered after unlock")
            caseload.continueDraft(slot)
            assertEquals(Screen.ClientForm(odette), claudine.app.current)
            val again = ClientFormPresenter(claudine.app, odette)
            assertEquals(village, again.state.value.village, "what she changed came back")
            assertEquals("", again.state.value.code, "what she cleared stays cleared")
            assertEquals("1981", again.state.value.birthYear, "what she did not touch shows Jean's correction")
            again.save()

            val c = claudine.app.vault().client(odette)
            assertEquals(1981, c.birthYear, "Jean's year stands")
            assertEquals(village, c.village)
            assertNull(c.code)
            assertEquals("0788111111", c.phone)
        }
    }

    @Test
    fun `a colleague's correction of the very number she is changing, synced while her form waited over a lock, is kept beside hers and the file shows the clash`() {
        withOdetteOnTwoTablets { jean, claudine, odette ->
            // Her form opens with the old number on screen; the tablet locks before she types.
            ClientFormPresenter(claudine.app, odette).set("phone", "078822")
            claudine.app.lock()
            ClientFormPresenter(jean.app, odette).apply {
                set("phone", "0788999999")
                save()
            }
            jean.sync()
            claudine.unlock()
            claudine.sync() // Jean's correction arrives behind her kept form

            CaseloadPresenter(claudine.app).continueDraft(DraftKeeper.clientSlot(odette))
            ClientFormPresenter(claudine.app, odette).apply {
                set("phone", "0788222222")
                save()
                assertEquals(emptyList<FieldError>(), state.value.errors)
            }
            claudine.sync()
            jean.sync()
            for (tablet in listOf(claudine, jean)) {
                val c = tablet.app.vault().client(odette)
                assertEquals(listOf("phone"), c.conflicts, "the clash is shown, not settled unseen")
                val numbers = tablet.app.vault().clientHistory(odette, "phone").map { it.value to it.status }
                assertTrue("0788999999" to "concurrent" in numbers, "Jean's correction is kept: $numbers")
                assertTrue("0788222222" to "current" in numbers, "and hers: $numbers")
                assertTrue(ClientFilePresenter(tablet.app, odette).state.value.conflicts.isNotEmpty(), "her file says so")
            }
        }
    }

    @Test
    fun `a referral tapped twice on a slow tablet is recorded once`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val odette = tablet.recordClient("Mukamana Odette")
        val file = ClientFilePresenter(tablet.app, odette)
        file.openCase("violence")
        tablet.app.back()
        val inAWeek = java.time.LocalDate.parse(tablet.app.vault().today()).plusDays(7).toString()
        file.referralDestination("isange")
        file.referralFollowUp(inAWeek)
        // The first tap rereads her whole file; the second lands when it is done.
        file.refer()
        file.refer()
        assertEquals(1, file.state.value.referrals.size, "${file.state.value.referrals.map { it.destination }}")
        assertEquals(1, tablet.app.vault().referralsOf(odette).size)
        assertNull(file.state.value.referTo, "the form is clear for the next referral")
        assertEquals("", file.state.value.referFollowUp)

        // A second referral, somewhere else, is still one tap away.
        file.referralDestination(Lists.get().referralDestinations.first { it.id != "isange" }.id)
        file.refer()
        assertEquals(2, file.state.value.referrals.size)
    }

    @Test
    fun `a session refused for its date says the tablet's date is the cause when the clock fell back`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val odette = tablet.recordClient("Mukamana Odette")
        ClientFilePresenter(tablet.app, odette).openCase("trauma")
        val case = (tablet.app.current as Screen.SessionForm).caseId
        try {
            // The battery ran flat: the tablet wakes up on 1 January 2010.
            org.ami.komora.core.setClockForTests(java.time.Instant.parse("2010-01-01T06:00:00Z").toEpochMilli())
            val form = SessionFormPresenter(tablet.app, case)
            form.notes("She could not sleep this week.")
            form.save()
            val said = form.state.value.errors.single()
            assertEquals("date", said.field)
            assertTrue(said.message.endsWith(tablet.t[Str.CLOCK_HINT]), said.message)
        } finally {
            org.ami.komora.core.setClockForTests(null)
        }
        // The date set right: the same session is recorded.
        SessionFormPresenter(tablet.app, case).apply {
            notes("She could not sleep this week.")
            save()
            assertEquals(emptyList<FieldError>(), state.value.errors)
        }
    }

    @Test
    fun `a measure interrupted by a phone call is offered back after unlock with its answers`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val odette = tablet.recordClient("Mukamana Odette")
        ClientFilePresenter(tablet.app, odette).openCase("trauma")
        val case = (tablet.app.current as Screen.SessionForm).caseId
        SessionFormPresenter(tablet.app, case).apply {
            notes("She could not sleep this week.")
            measure("phq-9")
            save()
        }
        val screen = tablet.app.current as Screen.Measure
        val measure = MeasurePresenter(tablet.app, screen.clientId, screen.instrument, screen.caseId, screen.sessionId)
        listOf(2, 2, 1, 0, 3).forEach { measure.answer(it) }
        assertEquals("Question 6 of 9", measure.state.value.progress)

        // The phone rings: she answers it, the app goes to the background and locks.
        tablet.app.backgrounded()
        tablet.app.foregrounded()
        tablet.unlock()

        val file = ClientFilePresenter(tablet.app, odette)
        val phq9 = Lists.instrumentName("phq-9")
        assertEquals(listOf("$phq9 not finished: Question 6 of 9"), file.state.value.unfinishedMeasures.map { it.label })
        file.continueMeasure("phq-9")
        val again = (tablet.app.current as Screen.Measure).let { MeasurePresenter(tablet.app, it.clientId, it.instrument, it.caseId, it.sessionId) }
        assertEquals("Question 6 of 9", again.state.value.progress, "it goes on where she stopped")
        assertTrue(again.state.value.restored!!.startsWith("Restored what you typed"), again.state.value.restored)
        again.previous()
        assertEquals("3", again.state.value.chosen, "her answers came back")
        again.answer(3)
        repeat(4) { again.answer(0) }
        assertTrue(again.state.value.result!!.startsWith("Score 8:"), again.state.value.result)

        file.refresh()
        assertTrue(file.state.value.unfinishedMeasures.isEmpty(), "recorded: nothing left to continue")
        assertTrue(file.state.value.trends.single().scores.startsWith("8 "), file.state.value.trends.single().scores)
    }

    @Test
    fun `a measure left with Back and given again from her file goes on where she stopped, and Discard starts it again`() {
        val tablet = Tablet(tmp.resolve("t")).standalone()
        val odette = tablet.recordClient("Mukamana Odette")
        val file = ClientFilePresenter(tablet.app, odette)
        file.giveMeasure("who-5")
        MeasurePresenter(tablet.app, odette, "who-5", null, null).apply { answer(4) }
        tablet.app.back() // Back, no question asked: nothing is lost

        file.giveMeasure("who-5")
        val again = MeasurePresenter(tablet.app, odette, "who-5", null, null)
        assertEquals("Question 2 of 5", again.state.value.progress)
        again.discardDraft()
        assertEquals("Question 1 of 5", again.state.value.progress)
        assertNull(again.state.value.chosen, "her earlier answer is gone")
        tablet.app.back()
        file.refresh()
        assertTrue(file.state.value.unfinishedMeasures.isEmpty(), "nothing left to continue")
    }
}
