// The counsellor's home screen: search as you type, her cases with filters, the sync line.
package org.ami.komora.ui

import kotlinx.coroutines.flow.collect
import org.ami.komora.SyncEvent
import org.ami.komora.core.CaseloadEntry
import org.ami.komora.core.CaseloadFilter
import org.ami.komora.core.KomoraException
import org.ami.komora.core.KomoraVault
import org.ami.komora.syncFlow

/** How long unsent changes wait before the sync line warns: three days (ADR 0015). */
private const val UNSENT_WARNING_MS = 3L * 24 * 3600 * 1000

data class ClientRow(val clientId: String, val name: String, val detail: String) : Private()

data class CaseRow(
    val caseId: String,
    /** The first client's id: tapping the row opens her file. */
    val clientId: String?,
    val names: String,
    val status: String,
    val risk: String,
    val urgent: Boolean,
    /** "Next: 5 Dec 2026", "Follow-up due", "1 referral overdue"... */
    val detail: String,
    val followUpDue: Boolean,
    /** "low", "medium" or "high": the colour of the risk at a glance. */
    val riskLevel: String = "low",
    /** A referral's follow-up date has passed. */
    val overdue: Boolean = false,
) : Private()

/** A half-typed form kept from before, offered back: "Session notes · Mukamana Odette". */
data class DraftOffer(val slot: String, val title: String, val detail: String) : Private()

data class CaseloadFilters(
    val highRiskOnly: Boolean = false,
    val followUpDueOnly: Boolean = false,
    /** A status code (open, active, referred, closed) or null for every open case. */
    val status: String? = null,
) : Private()

data class CaseloadState(
    val query: String = "",
    /** Clients matching the query; empty while the query is empty. */
    val results: List<ClientRow> = emptyList(),
    val cases: List<CaseRow> = emptyList(),
    val filters: CaseloadFilters = CaseloadFilters(),
    val statusChoices: List<Choice> = emptyList(),
    /** "Last synced 2 h ago · 14 changes waiting". */
    val syncLine: String = "",
    val syncing: Boolean = false,
    /** While a sync runs: "Sending 14 changes…", then its outcome. */
    val syncProgress: String? = null,
    val message: String? = null,
    /** Whether this tablet's role reviews sessions (shows the review queue button) and checks
     * the donors' figures. */
    val reviews: Boolean = false,
    /** This tablet's teams (more than one: a switcher shows) and the one shown. */
    val teams: List<Choice> = emptyList(),
    val team: String = "",
    /** Forms she had begun and not saved, kept as drafts: offered back first. */
    val drafts: List<DraftOffer> = emptyList(),
    /** The practice team of made-up clients is shown (every screen says so). */
    val practice: Boolean = false,
    /** Any filter is on (an empty list then says so, rather than "no cases yet"). */
    val filtered: Boolean = false,
    /**
     * The tablet's date is wrong (it went back, most likely with a flat battery, or the
     * server's date says it runs ahead): said before anything else, since what she records
     * would be dated wrong.
     */
    val clockWrong: String? = null,
    /** What "The date is right" asks before the warning stops ("Is today really 1 Jan 2010?"). */
    val clockConfirm: String = "",
    /**
     * Two tablets of the team claim the same changes (a stolen tablet squatting a colleague's
     * work, ADR 0027): one sentence per pair of tablets, naming both and what to do. Only on
     * the home screen of those who see the team's tablets (administrators, supervisors); read
     * from the vault at every visit, so it stays until the revocation settles it.
     */
    val contested: List<String> = emptyList(),
) : Private()

class CaseloadPresenter(app: App) : AppPresenter<CaseloadState>(app, CaseloadState()) {
    override fun CaseloadState.withMessage(message: String?) = copy(message = message)

    init {
        refresh()
    }

    private val vault: KomoraVault get() = app.vault()

    /** Every keystroke: the core searches 5,000 clients in a few milliseconds. */
    fun type(query: String) {
        update { it.copy(query = query) }
        if (query.isBlank()) {
            update { it.copy(results = emptyList()) }
            return
        }
        guard {
            val t = app.texts
            val rows = vault.searchClients(query, 30).map { c ->
                ClientRow(c.id, c.name, listOfNotNull(c.code, c.district, c.birthYear?.let { y -> t.format(Str.BORN_IN, y) }).joinToString(" · "))
            }
            update { it.copy(results = rows) }
        }
    }

    fun filter(filters: CaseloadFilters) {
        update { it.copy(filters = filters) }
        refresh()
    }

    /**
     * Read the list (and the search results, if she is searching) again: after a sync, a
     * client it erased or changed must not stay in the results until she types again.
     */
    fun refresh() {
        guard { load() }
        if (current.query.isNotBlank()) type(current.query)
    }

    private fun load() {
        val t = app.texts
        val f = current.filters
        val status = vault.syncStatus()
        val may = vault.abilities()
        val entries = vault.caseload(
            CaseloadFilter(
                everyone = may.seesEveryCaseload,
                status = f.status,
                risk = if (f.highRiskOnly) "high" else null,
                followUpDueOnly = f.followUpDueOnly,
                includeClosed = f.status == "closed",
            ),
        )
        val names = names(entries.flatMap { it.caseInfo.clients })
        val today = vault.today()
        val clockWrong = vault.clockWentBack()?.let { seen -> t.format(Str.CLOCK_WRONG, t.date(today), t.date(seen)) }
            ?: vault.clockWentAhead()?.let { server -> t.format(Str.CLOCK_AHEAD, t.date(today), t.date(server)) }
        update {
            it.copy(
                cases = entries.map { e -> row(e, names) },
                statusChoices = listOf(Choice("", t[Str.STATUS_ALL])) + CASE_STATUSES.map { s -> Choice(s, t.code(s)) },
                syncLine = if (app.isPractice) t[Str.PRACTICE_SYNC] else syncLine(status.lastSyncMs, status.pending, status.role != null, status.notesArriving),
                reviews = may.hasReviewQueue,
                teams = app.teams(),
                team = app.currentTeam,
                drafts = draftOffers(),
                practice = app.isPractice,
                filtered = f.highRiskOnly || f.followUpDueOnly || f.status != null,
                clockWrong = clockWrong,
                clockConfirm = if (clockWrong != null) t.format(Str.CLOCK_IS_RIGHT_CONFIRM, t.date(today)) else "",
                contested = if (may.seesTeamTablets) contested(status.deviceId) else emptyList(),
            )
        }
    }

    /**
     * What this tablet holds aside because two tablets claim the same changes, as sentences.
     * A counsellor is not shown it: she cannot revoke a tablet, the tablets it names are not
     * hers to judge, and the administrator's own tablet receives both copies and says it there
     * (every tablet of the team that holds one copy is sent the other).
     */
    private fun contested(me: String): List<String> {
        val t = app.texts
        fun tablet(id: String, role: String?): String {
            val who = listOfNotNull(role?.let { t.code("role-$it") }, if (id == me) t[Str.TABLET_THIS] else null)
            return t.format(Str.CONTESTED_TABLET, id.take(8), who.joinToString(", ").ifEmpty { "?" })
        }
        return vault.contestedChanges().map { c ->
            t.format(
                Str.CONTESTED_CHANGES,
                c.changes,
                t.dateTime(c.sinceMs),
                tablet(c.keptDevice, c.keptRole),
                tablet(c.asideDevice, c.asideRole),
            )
        }
    }

    /** She says the date the tablet shows is right after all: the warning stops. */
    fun dateIsRight() {
        guard {
            vault.dateIsRight()
            load()
        }
    }

    /** What each kept draft is, in her words ("Session notes · Mukamana Odette · kept at 14:02"). */
    private fun draftOffers(): List<DraftOffer> {
        val t = app.texts
        val v = vault
        return app.drafts.all().mapNotNull { d ->
            val (kind, id) = d.slot.split(':', limit = 2).let { it[0] to it.getOrNull(1).orEmpty() }
            val kept = t.format(Str.DRAFT_KEPT_AT, t.time(d.savedMs))
            fun clientsOfCase(caseId: String) = runCatching { names(v.getCase(caseId).clients).values.sorted().joinToString(", ") }.getOrNull()
            val (title, who) = when (kind) {
                "session" -> t[Str.DRAFT_SESSION] to clientsOfCase(id)
                "client" -> (if (id == "new") t[Str.NEW_CLIENT] else t[Str.EDIT_CLIENT]) to
                    (d.fields["name"]?.takeIf { it.isNotBlank() } ?: runCatching { v.client(id).name }.getOrNull())
                "review" -> t[Str.DRAFT_REVIEW] to runCatching { v.session(id).caseId?.let(::clientsOfCase) }.getOrNull()
                "answer" -> t[Str.DRAFT_ANSWER] to null
                "group" -> t[Str.NEW_GROUP] to d.fields["name"]?.takeIf { it.isNotBlank() }
                // A measure begun and not finished: "PHQ-9 not finished: Question 6 of 9".
                "measure" -> MeasureDraft.offer(d, t)?.let { (client, _, line) -> line to runCatching { v.client(client).name }.getOrNull() }
                    ?: return@mapNotNull null
                else -> return@mapNotNull null
            }
            DraftOffer(d.slot, title, listOfNotNull(who, kept).joinToString(" · "))
        }
    }

    /** Open the form of a kept draft: it fills itself from it. */
    fun continueDraft(slot: String) {
        DraftKeeper.screenOf(slot)?.let { app.open(it) }
    }

    /** Throw a kept draft away. */
    fun discardDraft(slot: String) {
        app.drafts.discard(slot)
        update { it.copy(drafts = it.drafts.filter { d -> d.slot != slot }) }
    }

    private fun row(e: CaseloadEntry, known: Map<String, String>): CaseRow {
        val t = app.texts
        val c = e.caseInfo
        val names = c.clients.mapNotNull { id -> known[id] }
        val detail = buildList {
            e.nextAppointment?.let { add(t.format(Str.NEXT_APPOINTMENT, t.date(it))) }
            if (e.overdueReferrals > 0) add(t.format(Str.REFERRALS_OVERDUE, e.overdueReferrals))
            else if (e.openReferrals > 0) add(t.format(Str.REFERRALS_OPEN, e.openReferrals))
            if (e.followUpDue) add(t[Str.FOLLOW_UP_DUE])
        }.joinToString(" · ")
        return CaseRow(
            caseId = c.id,
            clientId = c.clients.firstOrNull(),
            names = names.joinToString(", ").ifEmpty { t[Str.UNKNOWN_CLIENT] },
            status = t.code(c.status),
            risk = if (c.urgent) (c.riskFlags.joinToString(", ") { t.term(it) }).ifEmpty { t.code(c.riskLevel) } else t.code(c.riskLevel),
            urgent = c.urgent,
            detail = detail,
            followUpDue = e.followUpDue,
            riskLevel = c.riskLevel,
            overdue = e.overdueReferrals > 0,
        )
    }

    /**
     * "Last synced 2 h ago · 14 changes waiting", and, while a first sync's notes are still on
     * their way (the caseload came first), how many.
     */
    private fun syncLine(lastSyncMs: Long?, pending: Long, enrolled: Boolean, notesArriving: Long): String {
        val t = app.texts
        if (!enrolled) return t[Str.SYNC_ALONE]
        val last = lastSyncMs?.let { t.format(Str.SYNC_LAST, t.ago(it, app.clock.nowMs())) } ?: t[Str.SYNC_NEVER]
        val waiting = when (pending) {
            0L -> t[Str.SYNC_NOTHING_WAITING]
            1L -> t[Str.SYNC_ONE_WAITING]
            else -> t.format(Str.SYNC_WAITING, pending)
        }
        // Unsent changes live on this tablet only: a forgotten PIN (re-enrolment) or a lost
        // tablet would take them with it (ADR 0015). Say so once they have waited days.
        val stale = pending > 0 && lastSyncMs != null && app.clock.nowMs() - lastSyncMs > UNSENT_WARNING_MS
        val line = if (stale) "$last · $waiting · ${t[Str.SYNC_UNSENT_WARNING]}" else "$last · $waiting"
        return if (notesArriving > 0) "$line · ${t.format(Str.SYNC_NOTES_ARRIVING, notesArriving)}" else line
    }

    /** Sync on demand, with progress; the list and the line refresh after. */
    suspend fun sync() {
        if (current.syncing) return
        update { it.copy(syncing = true, syncProgress = app.texts[Str.SYNC_STARTING], message = null) }
        // The list follows the pages as they come: a first sync over 2G brings the caseload
        // minutes before the notes (ADR 0025), and she can work with it meanwhile.
        val failed = app.syncNow(pulled = { refresh() }) { line -> update { it.copy(syncProgress = line) } }
        update {
            if (failed == null) it.copy(syncing = false) else it.copy(syncing = false, syncProgress = null, message = failed)
        }
        if (app.isUnlocked) refresh()
    }

    /**
     * After an unlock that stopped a sync going on behind the lock (ADR 0028): it goes on, from
     * where it stopped, without her tapping Sync now again.
     */
    suspend fun resumeStoppedSync() {
        if (app.takeStoppedSync()) sync()
    }

    fun openClient(clientId: String) = app.open(Screen.ClientFile(clientId))

    /** Show another of this tablet's teams (its caseload, or its figures). */
    fun switchTeam(id: String) = app.switchTeam(id)
}

val CASE_STATUSES = listOf("open", "active", "referred", "closed")

/**
 * Sync now, each progress line to [show] ("Sending 14 changes…", then the outcome), and
 * [pulled] after each page received (the screens read what it brought). Returns the failure's
 * sentence, or null when it went through. The team's policy is read again after.
 */
suspend fun App.syncNow(pulled: () -> Unit = {}, show: (String) -> Unit): String? {
    val t = texts
    var received = 0L
    val reread = PageRereads()
    val v = try {
        vault()
    } catch (e: KomoraException) {
        return failure(e)
    }
    // Locked meanwhile (the idle time, the screen going off, the home button), the sync goes
    // on behind the lock with this vault until it ends, showing nothing (ADR 0028).
    syncStarted(v)
    val error: KomoraException? = try {
        v.syncFlow().collect { e ->
            if (e is SyncEvent.Progress && e.progress.phase == "pulling" && e.progress.receivedOps > received) {
                received = e.progress.receivedOps
                // Behind the lock nothing is read for a screen.
                if (isUnlocked) reread.maybe(pulled)
            }
            show(
                when (e) {
                    is SyncEvent.Progress -> when (e.progress.phase) {
                        "pushing" -> t.format(Str.SYNC_SENDING, e.progress.sentOps, e.progress.sentOps + e.progress.waiting)
                        // A long first sync says how much it brings in all, about (ADR 0025).
                        else -> t.format(
                            Str.SYNC_RECEIVING,
                            if (e.progress.expected > 0) "${e.progress.receivedOps} / ${e.progress.expected}" else e.progress.receivedOps,
                        )
                    }
                    is SyncEvent.Finished -> t.format(Str.SYNC_DONE, e.report.sentOps, e.report.receivedOps)
                },
            )
        }
        null
    } catch (e: KomoraException) {
        e
    } finally {
        syncEnded(v)
    }
    val failed = when {
        error == null -> null
        error is KomoraException.Network -> t[Str.SYNC_OFFLINE]
        // Stopped by the PIN typed behind the lock: the PIN screen said so; what waits is
        // on the sync line, and Sync now goes on from where it stopped.
        error is KomoraException.Closed -> null
        else -> failure(error)
    }
    if (isUnlocked) refreshPolicy()
    return failed
}

/**
 * How often a screen re-reads what a long sync brings. Over 2G a page comes every tens of
 * seconds and each is worth showing; over Wi-Fi pages come every few milliseconds, and a cheap
 * tablet re-reading a caseload of hundreds of cases after each would spend the sync drawing.
 * So a re-read is skipped while less time has passed since the last one ended than
 * [SPARE]-times what that one took: the screen spends at most about a fifth of the sync
 * re-reading, whatever the tablet and the link. The first page is always shown, and the
 * screens read everything again when the sync ends.
 */
class PageRereads(private val nowNs: () -> Long = System::nanoTime) {
    private var lastEnd = 0L
    private var lastCost = -1L

    /** Run [reread] unless the last one was too recent for its cost. */
    fun maybe(reread: () -> Unit) {
        val start = nowNs()
        if (lastCost >= 0 && start - lastEnd < SPARE * lastCost) return
        reread()
        lastEnd = nowNs()
        lastCost = lastEnd - start
    }

    companion object {
        const val SPARE = 4
    }
}
