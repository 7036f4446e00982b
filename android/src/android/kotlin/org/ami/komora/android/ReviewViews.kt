// Supervision: the supervisor's queue and a session's review, and the counsellor's requests.
package org.ami.komora.android

import android.view.View
import org.ami.komora.ui.App
import org.ami.komora.ui.RequestsPresenter
import org.ami.komora.ui.RequestsState
import org.ami.komora.ui.ReviewQueuePresenter
import org.ami.komora.ui.ReviewQueueState
import org.ami.komora.ui.SessionReviewPresenter
import org.ami.komora.ui.SessionReviewState
import org.ami.komora.ui.Str

internal class ReviewQueueView(ui: Ui, app: App, private val p: ReviewQueuePresenter) : ScreenView<ReviewQueueState>(ui, app, p) {
    override val title = t[Str.REVIEW_QUEUE_TITLE]
    private val list = ui.stack()
    private val message = ui.message(error = true)

    override fun body(): View = ui.column(message, list)

    override fun render(s: ReviewQueueState) {
        message.show(s.message)
        list.removeAllViews()
        if (s.rows.isEmpty()) ui.add(list, ui.emptyState(t[Str.REVIEW_EMPTY], null))
        for (r in s.rows) {
            val content = ui.stack().apply {
                addView(ui.strong(r.names))
                addView(ui.secondary(r.detail))
                if (r.answered) addView(ui.flow(ui.chip(t[Str.REVIEW_ANSWERED], Tone.INFO)).apply { setPadding(0, ui.dp(6), 0, 0) })
            }
            val row = ui.rowCard(content, if (r.urgent) Tone.DANGER else null) { p.open(r.sessionId) }
            if (r.urgent) row.contentDescription = "${t[Str.CD_URGENT]}. ${r.names}. ${r.detail}"
            ui.add(list, row, 8)
        }
    }
}

internal class SessionReviewView(ui: Ui, app: App, private val p: SessionReviewPresenter) :
    ScreenView<SessionReviewState>(ui, app, p) {
    override val title = t[Str.SESSION]
    private val name = ui.title()
    private val details = ui.stack()
    private val notes = ui.body()
    private val reviews = ui.stack()
    private val reviewsCard = ui.card(ui.heading(t[Str.REVIEWS]), reviews)
    private val restored = ui.message()
    private val comment = ui.privateText(t[Str.COMMENT_HINT], multiLine = true) { p.comment(it) }
    private val commentCard = ui.card(restored, comment.root)
    private val message = ui.message(error = true)
    private val actions = ui.bottomBar(
        ui.button(t[Str.ADD_COMMENT], Rank.TEXT) { p.addComment() },
        ui.button(t[Str.NEEDS_CHANGES]) { p.needsChanges() },
        ui.primary(t[Str.APPROVE]) { p.approve() },
    )

    override fun body(): View = ui.column(
        name,
        ui.card(ui.heading(t[Str.DETAILS]), details),
        ui.card(ui.heading(t[Str.FIELD_NOTES]), notes),
        reviewsCard,
        commentCard,
        message,
    )

    override fun bottom(): View = actions

    override fun render(s: SessionReviewState) {
        name.text = s.title
        ui.lines(details, s.details)
        notes.text = s.notes.orEmpty()
        reviews.removeAllViews()
        reviewsCard.shown = s.reviews.isNotEmpty()
        for (r in s.reviews) {
            ui.add(reviews, ui.stack().apply {
                addView(ui.flow(ui.chip(r.verdict, if (r.verdict == t[Str.VERDICT_APPROVED]) Tone.GOOD else Tone.INFO)))
                r.comment?.let { addView(ui.body(it)) }
                r.response?.let { addView(ui.secondary("→ $it")) }
            }, 12)
        }
        comment.sync(s.comment)
        comment.error(s.errors.of("comment"))
        restored.show(s.restored)
        commentCard.shown = s.canReview
        actions.shown = s.canReview
        message.show(s.message)
    }
}

internal class RequestsView(ui: Ui, app: App, private val p: RequestsPresenter) : ScreenView<RequestsState>(ui, app, p) {
    override val title = t[Str.REQUESTS_TITLE]
    private val list = ui.stack()
    private val message = ui.message(error = true)
    private var shown: List<String>? = null

    override fun body(): View = ui.column(message, list)

    override fun render(s: RequestsState) {
        message.show(s.message)
        // Rebuild only when the requests change, not on each keystroke of an answer.
        val ids = s.rows.map { it.reviewId }
        if (ids == shown) return
        shown = ids
        list.removeAllViews()
        if (s.rows.isEmpty()) ui.add(list, ui.emptyState(t[Str.REQUESTS_EMPTY], null))
        for (r in s.rows) {
            val answer = ui.privateText(t[Str.ANSWER_HINT], multiLine = true) { p.answerText(r.reviewId, it) }
            answer.sync(s.answers[r.reviewId].orEmpty())
            ui.add(list, ui.card(
                ui.strong(r.title),
                ui.secondary(t[Str.ANSWER_FROM_SUPERVISOR]),
                ui.body(r.comment),
                answer.root,
                ui.button(t[Str.ANSWER], if (s.rows.size == 1) Rank.PRIMARY else Rank.SECONDARY) { p.answer(r.reviewId) },
                gap = 10,
            ))
        }
    }
}
