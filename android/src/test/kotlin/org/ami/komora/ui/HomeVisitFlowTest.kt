package org.ami.komora.ui

import org.ami.komora.WithServer
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The issue's own scenario, screen by screen: a counsellor finds a client by typing three
 * letters of her name, records a home visit with a PHQ-9, sees score 14 "Moderate", syncs; the
 * supervisor's queue shows it first; he asks for changes; she answers; he approves.
 */
class HomeVisitFlowTest : WithServer() {
    @Test
    fun `a home visit with a PHQ-9 reaches the supervisor first in his queue, and the change he asks for comes back answered`() {
        val supervisor = Tablet(tmp.resolve("jean")).bootstrapAdmin(server)
        val counsellor = Tablet(tmp.resolve("claudine")).enrolThroughScreen(server, supervisor, "counsellor")

        // An earlier, calm office session for another client: in the queue before hers.
        val other = counsellor.recordClient("Uwase Diane")
        ClientFilePresenter(counsellor.app, other).openCase("grief")
        SessionFormPresenter(counsellor.app, caseOf(counsellor, other)).apply {
            modality("office")
            notes("Talked about her brother.")
            save()
        }
        val odette = counsellor.recordClient("Mukamana Odette")
        ClientFilePresenter(counsellor.app, odette).openCase("trauma")
        counsellor.app.lock()

        // Next morning, at the door of Odette's house: unlock, type "muk", open her file.
        val unlock = UnlockPresenter(counsellor.app)
        unlock.pin(TABLET_PIN)
        kotlinx.coroutines.runBlocking { unlock.submit() }
        val caseload = CaseloadPresenter(counsellor.app)
        caseload.type("muk")
        assertEquals(listOf("Mukamana Odette"), caseload.state.value.results.map { it.name })
        caseload.openClient(caseload.state.value.results.single().clientId)
        val file = ClientFilePresenter(counsellor.app, odette)
        assertEquals("Mukamana Odette", file.state.value.name)
        val case = file.state.value.openCases.single().id

        file.recordSession(case)
        val form = SessionFormPresenter(counsellor.app, case)
        form.modality("home-visit")
        assertTrue(form.state.value.isHomeVisit, "the home-visit fields show")
        form.notes("She spoke about the anniversary; her son listened.")
        form.householdPresent("her son, her sister")
        form.safetyNotes("Her husband drinks; meet outside next time.")
        form.nextAppointment("2030-01-15")
        form.measure("phq-9")
        form.save()
        val measureScreen = counsellor.app.current as Screen.Measure

        val measure = MeasurePresenter(counsellor.app, measureScreen.clientId, measureScreen.instrument, measureScreen.caseId, measureScreen.sessionId)
        assertEquals("Question 1 of 9", measure.state.value.progress)
        assertEquals(4, measure.state.value.options.size)
        // 2,2,2,2,2,2,1 then a slip corrected with "previous", then 0 and 1 on the last item.
        listOf(2, 2, 2, 2, 2, 2, 1, 3).forEach { measure.answer(it) }
        measure.previous()
        assertEquals("3", measure.state.value.chosen, "going back shows the answer given")
        measure.answer(0)
        measure.answer(1)
        assertEquals("Score 14: Moderate", measure.state.value.result)
        assertEquals(listOf("Suicide risk"), measure.state.value.alerts, "item 9 answered: the risk is raised")
        measure.done()

        counsellor.sync()
        supervisor.sync()

        val queue = ReviewQueuePresenter(supervisor.app)
        val rows = queue.state.value.rows
        assertEquals(2, rows.size)
        assertEquals("Mukamana Odette", rows.first().names, "the raised risk puts her first")
        assertTrue(rows.first().urgent)
        assertTrue("Suicide risk" in rows.first().detail, rows.first().detail)
        assertEquals("Uwase Diane", rows.last().names)

        queue.open(rows.first().sessionId)
        val review = SessionReviewPresenter(supervisor.app, rows.first().sessionId)
        assertEquals("She spoke about the anniversary; her son listened.", review.state.value.notes)
        assertTrue(review.state.value.details.any { it.value == "Her husband drinks; meet outside next time." })
        review.needsChanges()
        assertEquals("Write what should change", review.state.value.errors.single().message, "a request says what to change")
        review.comment("Add the safety plan you agreed with her.")
        review.needsChanges()
        assertFalse(supervisor.app.current is Screen.SessionReview, "sent: the session closes")
        supervisor.sync()
        counsellor.sync()

        val requests = RequestsPresenter(counsellor.app)
        val request = requests.state.value.rows.single()
        assertEquals("Add the safety plan you agreed with her.", request.comment)
        requests.answer(request.reviewId)
        assertEquals("Write your answer first", requests.state.value.message)
        requests.answerText(request.reviewId, "Safety plan: she goes to her sister's if he is drunk.")
        requests.answer(request.reviewId)
        assertTrue(requests.state.value.rows.isEmpty(), "answered: the request leaves her list")
        counsellor.sync()
        supervisor.sync()

        queue.refresh()
        val back = queue.state.value.rows.first()
        assertTrue(back.answered, "the answered session is back in his queue")
        val second = SessionReviewPresenter(supervisor.app, back.sessionId)
        assertEquals(
            "Safety plan: she goes to her sister's if he is drunk.",
            second.state.value.reviews.single { it.verdict == "Changes requested" }.response,
        )
        second.approve()
        queue.refresh()
        assertEquals(listOf("Uwase Diane"), queue.state.value.rows.map { it.names }, "approved: it leaves the queue")
        assertNull(queue.state.value.message)
        assertFalse(second.state.value.waitingForCounsellor)
    }

    private fun caseOf(tablet: Tablet, client: String): String =
        ClientFilePresenter(tablet.app, client).state.value.openCases.single().id
}
