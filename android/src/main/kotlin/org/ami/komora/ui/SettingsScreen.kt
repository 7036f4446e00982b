package org.ami.komora.ui

import org.ami.komora.core.KomoraException

data class SettingsState(
    val language: Language = Language.KINYARWANDA,
    val languages: List<Choice> = emptyList(),
    val autoLockMinutes: Int = DEFAULT_AUTO_LOCK_MINUTES,
    val autoLockChoices: List<Choice> = emptyList(),
    /** "Your administrator allows at most 2 minutes", when the team has a limit. */
    val autoLockLimit: String? = null,
    val about: List<Line> = emptyList(),
    /** Third-party software in the app, with its licence. */
    val licences: List<Line> = emptyList(),
    val message: String? = null,
    /** The change-PIN form: digits typed in each field (the PINs themselves stay in buffers). */
    val currentPinDigits: Int = 0,
    val newPinDigits: Int = 0,
    val confirmPinDigits: Int = 0,
    val pinErrors: List<FieldError> = emptyList(),
    /** "Your PIN is changed", or why it was not. */
    val pinMessage: String? = null,
    val pinBusy: Boolean = false,
    /** Whether this tablet belongs to a team on a server (it can be handed back). */
    val canHandBack: Boolean = false,
    /** "Tap again to confirm": the first tap on "Hand this tablet back" asks. */
    val handBackAsked: Boolean = false,
    val handBackBusy: Boolean = false,
    /** What handing back did, or why it did not. */
    val handBackMessage: String? = null,
    /** Administrators and supervisors see the team's tablets (the server lists them to them only). */
    val canSeeTablets: Boolean = false,
    val tablets: List<TabletLine> = emptyList(),
    val tabletsBusy: Boolean = false,
    /** The server's backups as it says, or why the list could not be fetched. */
    val tabletsMessage: String? = null,
    /** The backups failed, are too old or none are scheduled: someone must act. */
    val backupNeedsAttention: Boolean = false,
) : Private()

/**
 * One tablet of the team as its administrator sees it: its role and state ("active", "no sync
 * for over 2 weeks"), and what it said of itself at its last sync. [attention]: revoke it, or
 * find out why it is silent.
 */
data class TabletLine(val id: String, val title: String, val detail: String, val attention: Boolean) : Private()

class SettingsPresenter(app: App) : AppPresenter<SettingsState>(app, SettingsState()) {
    override fun SettingsState.withMessage(message: String?) = copy(message = message)

    private val currentPin = PinBuffer()
    private val newPin = PinBuffer()
    private val confirmPin = PinBuffer()

    init {
        load()
    }

    private fun load() {
        val t = app.texts
        val about = buildList {
            add(Line(t[Str.ABOUT_VERSION], APP_VERSION))
            if (app.isUnlocked) {
                runCatching { app.vault().syncStatus() }.getOrNull()?.let { s ->
                    add(Line(t[Str.ABOUT_DEVICE], s.deviceId))
                    s.role?.let { add(Line(t[Str.ABOUT_ROLE], t.code("role-$it"))) }
                    s.teamName?.let { add(Line(t[Str.ABOUT_TEAM], it)) }
                }
            }
        }
        current = current.copy(
            language = app.preferences.language,
            languages = Language.entries.map { Choice(it.code, it.nativeName) },
            autoLockMinutes = app.autoLockMinutes,
            autoLockChoices = autoLockChoices().map { Choice(it.toString(), t.format(Str.MINUTES, it)) },
            autoLockLimit = app.teamAutoLockMax?.let { t.format(Str.AUTO_LOCK_LIMIT, it) },
            about = about,
            canHandBack = app.isUnlocked && runCatching { app.vault().abilities().handsBack }.getOrDefault(false),
            canSeeTablets = app.isUnlocked && runCatching { app.vault().abilities().seesTeamTablets }.getOrDefault(false),
            licences = LICENCES.map { (name, licence) -> Line(name, licence) },
        )
    }

    /** Every screen reads the new language from the next one it opens; this one at once. */
    fun language(code: String) {
        val l = Language.fromCode(code) ?: return
        app.setLanguage(l)
        load()
    }

    /** The usual choices, within the administrator's limit (the limit itself offered too). */
    private fun autoLockChoices(): List<Int> {
        val max = app.teamAutoLockMax ?: return AUTO_LOCK_CHOICES
        return (AUTO_LOCK_CHOICES.filter { it < max } + max).distinct()
    }

    fun autoLock(minutes: Int) {
        if (minutes !in autoLockChoices()) return
        app.preferences.autoLockMinutes = minutes
        load()
    }

    /**
     * Hand this tablet back (a counsellor leaving AMI, a tablet returned): the first call asks
     * for confirmation; the second sends everything the tablet holds, signs its last change
     * and stops it recording (ADR 0013). Nothing she wrote is refused later; an administrator
     * then revokes the tablet and it erases itself at its next connection.
     */
    suspend fun handBack() {
        if (current.handBackBusy || !current.canHandBack) return
        val t = app.texts
        if (!current.handBackAsked) {
            update { it.copy(handBackAsked = true, handBackMessage = t[Str.HAND_BACK_CONFIRM]) }
            return
        }
        update { it.copy(handBackBusy = true, handBackMessage = null) }
        val message = try {
            app.vault().handBack()
            t[Str.HAND_BACK_DONE]
        } catch (e: KomoraException) {
            if (e is KomoraException.Network) t[Str.HAND_BACK_OFFLINE] else app.failure(e)
        }
        update { it.copy(handBackBusy = false, handBackAsked = false, handBackMessage = message) }
    }

    /**
     * The team's tablets (issue 17's fleet view): for each, its role, whether it is silent for
     * over two weeks, handed back or revoked, its app, its last sync, what waits on it to be
     * sent and what it could not read; and the server's last good backup. Asked of the server.
     */
    suspend fun showTablets() {
        if (current.tabletsBusy || !current.canSeeTablets) return
        val t = app.texts
        update { it.copy(tabletsBusy = true, tabletsMessage = null) }
        val next = try {
            val vault = app.vault()
            val me = vault.syncStatus().deviceId
            val fleet = vault.fleet()
            val now = app.clock.nowMs()
            val lines = fleet.devices
                .sortedWith(compareBy({ it.revoked }, { it.role }, { it.id }))
                .map { d -> tabletLine(d, d.id == me, now) }
            val backup = when {
                !fleet.backupKnown -> t[Str.BACKUP_UNKNOWN]
                fleet.lastGoodBackupMs == null && !fleet.backupScheduled -> t[Str.BACKUP_NONE]
                else -> {
                    val last = fleet.lastGoodBackupMs?.let { t.time(it) } ?: t[Str.TABLET_NEVER]
                    t.format(
                        when {
                            fleet.backupFailed -> Str.BACKUP_FAILED
                            fleet.backupStale -> Str.BACKUP_STALE
                            else -> Str.BACKUP_LAST
                        },
                        last,
                    )
                }
            }
            val attention = !fleet.backupKnown || fleet.backupFailed || fleet.backupStale ||
                (fleet.lastGoodBackupMs == null && !fleet.backupScheduled)
            current.copy(tablets = lines, tabletsMessage = backup, backupNeedsAttention = attention)
        } catch (e: KomoraException) {
            current.copy(tabletsMessage = app.failure(e))
        }
        update { next.copy(tabletsBusy = false) }
    }

    private fun tabletLine(d: org.ami.komora.core.FleetDevice, me: Boolean, now: Long): TabletLine {
        val t = app.texts
        val silent = !d.revoked && (d.lastSeenMs?.let { now - it > SILENT_MS } ?: true)
        val state = when {
            d.revoked -> t[Str.TABLET_REVOKED]
            d.handedBack -> t[Str.TABLET_HANDED_BACK]
            silent -> t[Str.TABLET_SILENT]
            else -> t[Str.TABLET_ACTIVE]
        }
        val title = listOfNotNull(t.code("role-${d.role}"), state, if (me) t[Str.TABLET_THIS] else null)
            .joinToString(" · ")
        val detail = if (d.appVersion == null) {
            t[Str.TABLET_OLD_APP]
        } else {
            t.format(
                Str.TABLET_DETAIL,
                d.appVersion!!,
                d.lastSyncMs?.let { t.ago(it, now) } ?: t[Str.TABLET_NEVER],
                d.waiting ?: 0,
                d.notRead ?: 0,
            )
        }
        val attention = !d.revoked && (silent || d.handedBack || (d.notRead ?: 0) > 0)
        return TabletLine(d.id.take(8), title, detail, attention)
    }

    /** Lock now (the button at the top of every screen does the same). */
    fun lockNow() = app.lock()

    fun currentPin(text: CharSequence) {
        currentPin.set(text)
        update { it.copy(currentPinDigits = currentPin.length, pinErrors = it.pinErrors.filter { e -> e.field != "currentPin" }) }
    }

    fun newPin(text: CharSequence) {
        newPin.set(text)
        update { it.copy(newPinDigits = newPin.length, pinErrors = it.pinErrors.filter { e -> e.field != "newPin" }) }
    }

    fun confirmNewPin(text: CharSequence) {
        confirmPin.set(text)
        update { it.copy(confirmPinDigits = confirmPin.length, pinErrors = it.pinErrors.filter { e -> e.field != "confirmPin" }) }
    }

    /**
     * Change the PIN: the current one (a wrong one counts like one typed to unlock: the same
     * waits, the same wipe), then the new one twice. The tablet stays open.
     */
    suspend fun changePin() {
        if (current.pinBusy) return
        val t = app.texts
        val errors = buildList {
            if (currentPin.length == 0) add(FieldError("currentPin", t[Str.CURRENT_PIN_MISSING]))
            if (newPin.length < MIN_PIN_DIGITS) add(FieldError("newPin", t.format(Str.PIN_TOO_SHORT, MIN_PIN_DIGITS)))
            else if (!newPin.sameAs(confirmPin)) add(FieldError("confirmPin", t[Str.PIN_MISMATCH]))
        }
        if (errors.isNotEmpty()) {
            update { it.copy(pinErrors = errors, pinMessage = null) }
            return
        }
        update { it.copy(pinBusy = true, pinErrors = emptyList(), pinMessage = null) }
        val vault = try {
            app.vault()
        } catch (e: KomoraException) {
            clearPins()
            update { it.copy(pinBusy = false, pinMessage = app.failure(e)) }
            return
        }
        confirmPin.clear()
        val outcome = try {
            vault.changePin(currentPin.take(), newPin.take())
            t[Str.PIN_CHANGED] to emptyList()
        } catch (e: KomoraException) {
            when (e) {
                is KomoraException.WrongPin -> null to listOf(FieldError("currentPin", t[Str.WRONG_PIN]))
                is KomoraException.LockedOut -> t.format(Str.LOCKED_OUT, (e.retryAfterMs + 999) / 1000) to emptyList()
                else -> app.failure(e) to emptyList()
            }
        } finally {
            clearPins()
        }
        update {
            it.copy(
                pinBusy = false, currentPinDigits = 0, newPinDigits = 0, confirmPinDigits = 0,
                pinMessage = outcome.first, pinErrors = outcome.second,
            )
        }
    }

    private fun clearPins() {
        currentPin.clear()
        newPin.clear()
        confirmPin.clear()
    }
}

const val APP_VERSION = "0.1.0"

/** A tablet with no contact for this long is flagged to its administrator. */
private const val SILENT_MS = 14L * 24 * 3600 * 1000

/** What the app ships, beside Komora's own code (its Rust crates are listed in the repository). */
val LICENCES = listOf(
    "Komora core (Rust: rusqlite/SQLite, ring, ed25519-dalek, x25519-dalek, argon2, serde)" to "MIT / Apache-2.0 / public domain (SQLite)",
    "uniffi" to "MPL-2.0",
    "JNA" to "Apache-2.0 / LGPL-2.1",
    "Kotlin standard library, kotlinx.coroutines" to "Apache-2.0",
    "PHQ-9" to "Pfizer: no permission required to reproduce, translate, display or distribute",
    "WHO-5" to "WHO Collaborating Centre in Mental Health: free use",
    "SRQ-20" to "World Health Organization (1994)",
    "PCL-5" to "U.S. National Center for PTSD: public domain",
)
