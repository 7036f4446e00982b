package org.ami.komora.ui

import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
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
}
