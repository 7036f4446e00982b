// Supervision: the supervisor's queue (risk first), a session's detail with comment / approve /
// needs changes, and the counsellor's list of requests to answer.
package org.ami.komora.ui

import org.ami.komora.core.ReviewStanding

data class QueueRow(val sessionId: String, val names: String, val detail: String, val urgent: Boolean, val answered: Boolean) : Private()

data class ReviewQueueState(val rows: List<QueueRow> = emptyList(), val message: String? = null) : Private()

class ReviewQueuePresenter(app: App) : AppPresenter<ReviewQueueState>(app, ReviewQueueState()) {
    override fun ReviewQueueState.withMessage(message: String?) = copy(message = message)

    init {
        refresh()
    }

    /** The core orders the queue: raised risks first, then the oldest sessions. */
    fun refresh() {
        guard {
            val t = app.texts
            val v = app.vault()
            val queue = v.reviewQueue()
            val known = names(queue.flatMap { it.clientIds })
            val rows = queue.map { i ->
                val names = i.clientIds.mapNotNull { id -> known[id] }
                val detail = listOfNotNull(
                    t.date(i.date),
                    t.term(i.modality),
                    i.riskFlags.joinToString(", ") { f -> t.term(f) }.ifEmpty { null },
                    if (i.answeredReview != null) t[Str.REVIEW_ANSWERED] else t[Str.REVIEW_NOT_YET],
                ).joinToString(" · ")
                QueueRow(i.sessionId, names.joinToString(", ").ifEmpty { t[Str.UNKNOWN_CLIENT] }, detail, i.urgent, i.answeredReview != null)
            }
            update { it.copy(rows = rows) }
        }
    }

    fun open(sessionId: String) = app.open(Screen.SessionReview(sessionId))
}

data class ReviewLine(val verdict: String, val comment: String?, val response: String?) : Private()

data class SessionReviewState(
    val title: String = "",
    val details: List<Line> = emptyList(),
    val notes: String? = null,
    val reviews: List<ReviewLine> = emptyList(),
    val comment: String = "",
    /** The counsellor asked for a change and must answer before the loop closes. */
    val waitingForCounsellor: Boolean = false,
    /** Supervisors and administrators review; a counsellor rereads her own session here. */
    val canReview: Boolean = false,
    /** The supervisor's comment came back from a draft. */
    val restored: String? = null,
    val errors: List<FieldError> = emptyList(),
    val message: String? = null,
) : Private()

class SessionReviewPresenter(app: App, private val sessionId: String) :
    AppPresenter<SessionReviewState>(app, SessionReviewState()) {
    override fun SessionReviewState.withMessage(message: String?) = copy(message = message)

    private val slot = DraftKeeper.reviewSlot(sessionId)

    init {
        // Reading a session's notes is a view the audit records.
        guard { load() }
        app.drafts.restore(slot)?.let { d ->
            update { it.copy(comment = d.fields["comment"].orEmpty(), restored = app.texts.format(Str.DRAFT_RESTORED, app.texts.time(d.savedMs))) }
        }
    }

    private fun load() {
        val t = app.texts
        val v = app.vault()
        val s = v.viewSession(sessionId)
        val case = s.caseId?.let { v.getCase(it) }
        val names = case?.clients?.let { ids -> names(ids).let { known -> ids.mapNotNull { known[it] } } }.orEmpty()
        val details = buildList {
            add(Line(t[Str.FIELD_DATE], t.date(s.date)))
            add(Line(t[Str.FIELD_MODALITY], t.term(s.modality)))
            s.durationMin?.let { add(Line(t[Str.FIELD_DURATION], t.format(Str.MINUTES, it))) }
            if (s.interventions.isNotEmpty()) add(Line(t[Str.FIELD_INTERVENTIONS], s.interventions.joinToString(", ") { t.term(it) }))
            if (s.householdPresent.isNotEmpty()) add(Line(t[Str.FIELD_HOUSEHOLD_PRESENT], s.householdPresent.joinToString(", ")))
            s.safetyNotes?.let { add(Line(t[Str.FIELD_SAFETY], it)) }
            s.followUpPlan?.let { add(Line(t[Str.FIELD_FOLLOW_UP_PLAN], it)) }
            s.nextAppointment?.let { add(Line(t[Str.FIELD_NEXT_APPOINTMENT], t.date(it))) }
            if (case != null && case.riskFlags.isNotEmpty()) add(Line(t[Str.FIELD_RISK], case.riskFlags.joinToString(", ") { t.term(it) }))
        }
        val reviews = v.reviewsOf(sessionId)
        update {
            it.copy(
                title = names.joinToString(", ").ifEmpty { t[Str.SESSION] },
                details = details,
                notes = s.notes,
                reviews = reviews.map { r -> ReviewLine(t.code(r.verdict), r.comment, r.response) },
                waitingForCounsellor = v.reviewStanding(sessionId) == ReviewStanding.WAITING_FOR_COUNSELLOR,
                canReview = v.abilities().reviewsSessions,
            )
        }
    }

    fun comment(text: String) {
        update { it.copy(comment = text, errors = emptyList()) }
        app.drafts.changed(slot, mapOf("comment" to text))
    }

    fun approve() = submit("approved")

    /** Send the session back to the counsellor's queue with what to change (a comment is needed). */
    fun needsChanges() = submit("needs-changes")

    fun addComment() = submit("comment")

    private fun submit(verdict: String) {
        if (!current.canReview) return
        val t = app.texts
        val text = current.comment.trim()
        if (verdict != "approved" && text.isEmpty()) {
            update { it.copy(errors = listOf(FieldError("comment", t[Str.COMMENT_REQUIRED]))) }
            return
        }
        if (guard { app.vault().addReview(sessionId, verdict, text.ifEmpty { null }) }) {
            app.drafts.discard(slot)
            update { it.copy(comment = "", restored = null) }
            guard { load() }
            if (verdict != "comment") app.back()
        }
    }
}

data class RequestRow(val reviewId: String, val sessionId: String?, val title: String, val comment: String) : Private()

data class RequestsState(
    val rows: List<RequestRow> = emptyList(),
    val answers: Map<String, String> = emptyMap(),
    val message: String? = null,
) : Private()

/** The counsellor's side: what supervisors asked her to change, and her answers. */
class RequestsPresenter(app: App) : AppPresenter<RequestsState>(app, RequestsState()) {
    override fun RequestsState.withMessage(message: String?) = copy(message = message)

    init {
        refresh()
    }

    fun refresh() {
        guard {
            val t = app.texts
            val v = app.vault()
            val rows = v.changeRequests().mapNotNull { r ->
                val target = r.targetId ?: return@mapNotNull null
                // Listings carry no text: the request's words come from the review itself.
                val full = v.reviewsOf(target).firstOrNull { it.id == r.id } ?: r
                val title = runCatching {
                    val s = v.session(target)
                    "${t.date(s.date)} · ${t.term(s.modality)}"
                }.getOrDefault(t[Str.CASE])
                RequestRow(r.id, target, title, full.comment.orEmpty())
            }
            // Answers half typed before a lock come back from their drafts.
            val kept = rows.mapNotNull { r ->
                current.answers[r.reviewId]?.let { r.reviewId to it }
                    ?: app.drafts.restore(DraftKeeper.answerSlot(r.reviewId))?.fields?.get("answer")?.let { r.reviewId to it }
            }.toMap()
            update { it.copy(rows = rows, answers = kept) }
        }
    }

    fun answerText(reviewId: String, text: String) {
        update { it.copy(answers = it.answers + (reviewId to text)) }
        app.drafts.changed(DraftKeeper.answerSlot(reviewId), mapOf("answer" to text))
    }

    /** Her answer closes the loop: the session returns to the supervisor's queue. */
    fun answer(reviewId: String) {
        val text = current.answers[reviewId]?.trim().orEmpty()
        if (text.isEmpty()) {
            update { it.copy(message = app.texts[Str.ANSWER_REQUIRED]) }
            return
        }
        if (guard { app.vault().answerReview(reviewId, text) }) {
            app.drafts.discard(DraftKeeper.answerSlot(reviewId))
            update { it.copy(answers = it.answers - reviewId) }
            refresh()
        }
    }
}
