// The app's state outside any one screen: where the vault lives, whether it is unlocked, which
// screen shows, the language, the auto-lock. Plain Kotlin: the Android activity observes
// `screen` and draws it; the JVM tests drive the very same object.
package org.ami.komora.ui

import java.io.File
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import org.ami.komora.core.Home
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.KomoraException
import org.ami.komora.core.KomoraVault
import org.ami.komora.core.PlatformKey
import org.ami.komora.core.createPracticeVault
import org.ami.komora.core.eraseVault
import org.ami.komora.core.openVault
import org.ami.komora.core.vaultExists

/** What the app shows. Screens that need a record carry its id, never its content. */
sealed interface Screen {
    data object Enrol : Screen
    data object Unlock : Screen
    data object Caseload : Screen
    data class ClientFile(val clientId: String) : Screen
    data class ClientForm(val clientId: String?) : Screen
    data class SessionForm(val caseId: String) : Screen
    data class Measure(val clientId: String, val instrument: String, val caseId: String?, val sessionId: String?) : Screen
    data object Groups : Screen
    data class Group(val groupId: String) : Screen
    data object ReviewQueue : Screen
    data class SessionReview(val sessionId: String) : Screen
    data object Requests : Screen
    data object Settings : Screen
    data object Figures : Screen
    /** Enrol this tablet in another team (with the tablet's PIN). */
    data object JoinTeam : Screen
    /** A new healing group or dialogue space: its name, facilitators and members. */
    data object NewGroup : Screen
    /** Link a relative or household member to a client. */
    data class LinkHousehold(val clientId: String) : Screen
    /** Join the practice team of made-up clients (with the tablet's PIN). */
    data object JoinPractice : Screen
    /** A client's own file, reviewed by her supervisor and given to her (Law N° 058/2021). */
    data class ClientExport(val clientId: String) : Screen
}

/** The practice team's made-up clients: the same people on every tablet (training material). */
const val PRACTICE_SEED: ULong = 2026uL

/** Wall time, so tests can move it (auto-lock, "2 h ago"). */
fun interface Clock {
    fun nowMs(): Long

    companion object {
        val SYSTEM = Clock { System.currentTimeMillis() }
    }
}

/**
 * One app: one vault directory, and in its `teams/` folder one more vault per other team this
 * tablet belongs to (ADR 0011), all opened by the tablet's one PIN. [kdf] is
 * [KdfStrength.STANDARD] on tablets (tests use the quick one); [platformKey] is the Android
 * Keystore wrapper on devices.
 */
class App(
    val vaultDir: File,
    val preferences: Preferences,
    val clock: Clock = Clock.SYSTEM,
    val kdf: KdfStrength = KdfStrength.STANDARD,
    val platformKey: PlatformKey? = null,
    /** Called when the core erased the vault (revoked, too many wrong PINs): drop platform keys. */
    private val onErased: () -> Unit = {},
    /**
     * Whether the tablet has a screen lock of its own (a PIN, pattern or password): the
     * Keystore's PIN step works only behind one, so the app enrols only then (ADR 0015).
     */
    val screenLockSet: () -> Boolean = { true },
) {
    private val screens = MutableStateFlow<List<Screen>>(listOf(startScreen()))
    private val notices = MutableStateFlow<String?>(null)
    private val language = MutableStateFlow(preferences.language)
    private var unlocked: KomoraVault? = null
    /** Every team's vault while unlocked, the shown one ([unlocked]) among them. */
    private var teamVaults: List<KomoraVault> = emptyList()
    private var lastActivityMs = clock.nowMs()
    private var inForeground = true

    /**
     * The vault a sync she started is using, kept open behind a lock until the sync ends
     * (ADR 0028): nothing is shown, and the first PIN typed stops it.
     */
    @Volatile
    private var syncHold: KomoraVault? = null
    private var practice = false

    /** What the open forms have typed, kept sealed in the vault as they type (Drafts.kt). */
    val drafts = DraftKeeper(this)

    /** Whether the team shown is the practice team of made-up clients (every screen says so). */
    val isPractice: Boolean get() = unlocked != null && practice

    /** The administrator's longest idle time for this team, if any (read at unlock and sync). */
    var teamAutoLockMax: Int? = null
        private set

    /** The idle time that applies: hers, within the administrator's limit. */
    val autoLockMinutes: Int
        get() = teamAutoLockMax?.let { minOf(it, preferences.autoLockMinutes) } ?: preferences.autoLockMinutes

    /** Read the team's policy again (after a sync brought an administrator's change). */
    fun refreshPolicy() {
        teamAutoLockMax = unlocked?.let { v -> runCatching { v.teamPolicy().autoLockMinutes }.getOrNull() }
    }

    /** The screen on top; the activity redraws when it changes. */
    val screen: StateFlow<List<Screen>> get() = screens
    val current: Screen get() = screens.value.last()

    /** A message for the whole app (revoked, locked): shown once by the next screen. */
    val notice: StateFlow<String?> get() = notices

    val texts: Texts get() = Texts(language.value)

    private fun startScreen(): Screen = if (teamDirs().isNotEmpty()) Screen.Unlock else Screen.Enrol

    /** The vault folders of this tablet's teams: the first team's, then `teams/` in order. */
    fun teamDirs(): List<File> {
        val others = File(vaultDir, "teams").listFiles()?.filter { vaultExists(it.path) }?.sortedBy { it.name }.orEmpty()
        return listOf(vaultDir).filter { vaultExists(it.path) } + others
    }

    /** Where the vault of a team joined now goes. */
    fun newTeamDir(): File = File(File(vaultDir, "teams"), "team-${clock.nowMs()}")

    /**
     * Open every team's vault with the PIN: the first one decides (a wrong PIN, a lock-out),
     * the others open with it too (one that does not, its PIN changed elsewhere, stays shut).
     */
    suspend fun unlockAll(pin: String) {
        // A sync going on behind the lock stops here: one opening of a vault at a time in the
        // app (two would number her changes apart in memory, ADR 0028).
        stopHeldSync()
        val dirs = teamDirs()
        val first = openVault(dirs.first().path, pin, platformKey)
        val others = dirs.drop(1).mapNotNull { d ->
            try {
                openVault(d.path, pin, platformKey)
            } catch (e: KomoraException) {
                null
            }
        }
        unlocked(first, others)
    }

    /** The teams open now, for the switcher: the index as id, the team's name as label. */
    fun teams(): List<Choice> = teamVaults.mapIndexed { i, v ->
        val label = if (runCatching { v.isPractice() }.getOrDefault(false)) texts[Str.PRACTICE_TEAM]
        else runCatching { v.syncStatus().teamName }.getOrNull() ?: texts[Str.APP_NAME]
        Choice(i.toString(), label)
    }

    /** Where the practice team's vault goes (one per tablet). */
    fun practiceDir(): File = File(File(vaultDir, "teams"), "practice")

    val hasPractice: Boolean get() = vaultExists(practiceDir().path)

    /**
     * Join the practice team: a vault of made-up clients beside the real teams, opened by the
     * same PIN (checked first), never synced. It shows at once, marked on every screen.
     */
    suspend fun joinPractice(pin: String) {
        vault().checkPin(pin)
        val v = createPracticeVault(practiceDir().path, pin, kdf, platformKey, PRACTICE_SEED)
        joined(v)
    }

    /** The index (in [teams]) of the team shown. */
    val currentTeam: String get() = teamVaults.indexOf(unlocked).toString()

    private val switches = MutableStateFlow(0)

    /**
     * Counts the team switches: the home screen of one team is the same screen as another's
     * (the stack does not change), yet everything on it must be drawn again from that team.
     */
    val teamSwitches: StateFlow<Int> get() = switches

    /** Show another team: its home screen, its policy. */
    fun switchTeam(id: String) {
        val v = id.toIntOrNull()?.let { teamVaults.getOrNull(it) } ?: return
        touch()
        drafts.flush()
        unlocked = v
        practice = runCatching { v.isPractice() }.getOrDefault(false)
        refreshPolicy()
        screens.value = listOf(home(v))
        switches.value += 1
    }

    /** The tablet joined (or created) another team: its vault opens beside the others and shows. */
    fun joined(vault: KomoraVault) {
        if (unlocked == null || !inForeground) {
            // The enrolment finished while the tablet was locked (a screen timeout during a
            // slow join) or she had left the app: the new team opens with the others at the
            // next unlock, never without the PIN.
            close(vault)
            return
        }
        teamVaults = teamVaults + vault
        switchTeam((teamVaults.size - 1).toString())
    }

    /** A data officer's tablet opens figures only (ADR 0011): the core says which is home. */
    private fun home(v: KomoraVault): Screen =
        if (runCatching { v.abilities().home }.getOrNull() == Home.FIGURES) Screen.Figures else Screen.Caseload

    /** The unlocked vault; `KomoraException.Closed` once locked (the screen then goes away). */
    fun vault(): KomoraVault = unlocked ?: throw KomoraException.Closed()

    val isUnlocked: Boolean get() = unlocked != null

    /** The enrol or unlock screen opened the vault (and the other teams'): its home comes first. */
    fun unlocked(vault: KomoraVault, others: List<KomoraVault> = emptyList()) {
        closeAll()
        if (!inForeground) {
            // The PIN was checked (or the enrolment ended) while she left the app or the
            // screen went off: it stays locked, and asks for the PIN when she comes back.
            (listOf(vault) + others).forEach { close(it) }
            screens.value = listOf(startScreen())
            return
        }
        unlocked = vault
        teamVaults = listOf(vault) + others
        practice = runCatching { vault.isPractice() }.getOrDefault(false)
        refreshPolicy()
        lastActivityMs = clock.nowMs()
        notices.value = null
        screens.value = listOf(home(vault))
    }

    fun open(screen: Screen) {
        touch()
        screens.value = screens.value + screen
    }

    /** Replace the top screen (a form that saved opens what it saved). */
    fun replace(screen: Screen) {
        touch()
        screens.value = screens.value.dropLast(1) + screen
    }

    /** Back: `false` when there is nothing under this screen (the activity may finish). */
    fun back(): Boolean {
        touch()
        drafts.flush()
        if (screens.value.size <= 1) return false
        screens.value = screens.value.dropLast(1)
        return true
    }

    fun noticeShown() {
        notices.value = null
    }

    // ---- auto-lock ----

    /** The user touched the screen. */
    fun touch() {
        lastActivityMs = clock.nowMs()
    }

    /** Called every few seconds by the activity: keeps waiting drafts, locks after the idle time. */
    fun tick() {
        if (unlocked == null) return
        drafts.flush()
        val idleMs = clock.nowMs() - lastActivityMs
        if (idleMs >= autoLockMinutes * 60_000L) lock(texts[Str.LOCKED_IDLE])
    }

    /** The app went to the background (home button, another app): lock at once. */
    fun backgrounded() {
        inForeground = false
        if (unlocked != null) lock(null)
    }

    /** The app is on screen again. */
    fun foregrounded() {
        inForeground = true
        touch()
        // An enrolment that ended while the screen was gone (Back pressed during it, the
        // activity finished, the work went on): the tablet has its vault now. The enrol screen
        // would only say "already enrolled"; the PIN opens it.
        if (unlocked == null && current == Screen.Enrol && teamDirs().isNotEmpty()) {
            screens.value = listOf(startScreen())
        }
    }

    /**
     * Lock now: what forms hold is kept first; keys are zeroised (but those of a vault a sync she
     * started is using, until the sync ends: ADR 0028); every screen above the lock goes.
     */
    fun lock(notice: String? = null) {
        drafts.flush()
        closeAll()
        // A sync she started goes on behind the lock (ADR 0028): the PIN screen says so.
        val behind = if (syncHold != null) texts[Str.SYNC_BEHIND_LOCK] else null
        // Each on a line of its own: "Locked after a time without use" has no full stop, and
        // run together the two read as one sentence (seen in the Kinyarwanda picture).
        notices.value = listOfNotNull(notice, behind).joinToString("\n").ifEmpty { null }
        screens.value = listOf(startScreen())
    }

    /**
     * What a form says of a refusal of one of its fields: the core's reason, and, when the
     * refused field is a date and this tablet's own date is known to be wrong (a flat battery
     * set it back, a year typed wrong), that the tablet's date is the cause.
     */
    fun fieldError(e: KomoraException.Validation): String {
        val message = texts.error(e)
        return if (e.field == "date" && dateKnownWrong()) "$message ${texts[Str.CLOCK_HINT]}" else message
    }

    /** Whether the open vault says this tablet's date is wrong (ADR 0001, clocks). */
    private fun dateKnownWrong(): Boolean = runCatching {
        val v = vault()
        v.clockWentBack() != null || v.clockWentAhead() != null
    }.getOrDefault(false)

    /**
     * What every screen does with a failure: a revoked tablet (its vault is now erased) or a
     * locked vault leaves the screen; anything else is a message for the screen to show.
     */
    fun failure(e: Throwable): String {
        val message = if (e is KomoraException.Validation) fieldError(e) else texts.error(e)
        when (e) {
            is KomoraException.Revoked, is KomoraException.ErasedAfterFailures -> {
                // That team's vault is erased. After too many wrong PINs every team's goes
                // (the PIN is the same); a revoked team's alone, the others open again.
                drafts.forget()
                stopHeldSync()
                // Nothing of a revoked or erased team is to go on after the next unlock.
                stoppedSync = false
                closeAll()
                if (e is KomoraException.ErasedAfterFailures) {
                    teamDirs().forEach { d -> runCatching { eraseVault(d.path) } }
                }
                // A practice team lives only beside a real one: with none left, it goes too.
                if (teamDirs().all { it == practiceDir() }) runCatching { eraseVault(practiceDir().path) }
                if (teamDirs().isEmpty()) onErased()
                notices.value = message
                screens.value = listOf(startScreen())
            }
            is KomoraException.Closed -> {
                // A call on a vault locked since (a sync begun before a lock and ending after
                // she unlocked again) fails with Closed: the vault she has opened since stays
                // open, and what she is typing in it is not thrown away.
                val current = unlocked
                if (current == null || runCatching { current.deviceId() }.isFailure) {
                    // A draft the tablet had refused waits in memory for the next unlock
                    // (labelled with its team): the lock does not throw it away.
                    lock(texts[Str.LOCKED_IDLE])
                }
            }
            else -> Unit
        }
        return message
    }

    /**
     * Lock the vault (its keys are zeroised now, even while a sync is between two network
     * calls: the sync then stops at its next step) and let go of the handle.
     */
    private fun closeAll() {
        val held = syncHold
        (teamVaults + listOfNotNull(unlocked)).distinct().filter { it !== held }.forEach { close(it) }
        teamVaults = emptyList()
        unlocked = null
    }

    /** A sync begins on [vault]: a lock meanwhile leaves that vault open until [syncEnded]. */
    fun syncStarted(vault: KomoraVault) {
        syncHold = vault
    }

    /** The sync on [vault] ended: if the app locked meanwhile, the vault closes now. */
    fun syncEnded(vault: KomoraVault) {
        if (syncHold === vault) syncHold = null
        if (vault !== unlocked && vault !in teamVaults) close(vault)
    }

    /** Whether a sync goes on behind the lock (the PIN screen says so). */
    val syncingBehindLock: Boolean get() = syncHold != null && unlocked == null

    private fun stopHeldSync() {
        val held = syncHold ?: return
        if (held === unlocked || held in teamVaults) return
        syncHold = null
        close(held)
        stoppedSync = true
    }

    /** A sync going on behind the lock was stopped by the unlock: the home screen goes on with it. */
    private var stoppedSync = false

    /** Whether a sync was stopped by the unlock (and is now the home screen's to go on with); once. */
    fun takeStoppedSync(): Boolean = stoppedSync.also { stoppedSync = false }

    private fun close(vault: KomoraVault?) {
        if (vault == null) return
        runCatching { vault.lock() }
        vault.close()
    }

    // ---- settings ----

    fun setLanguage(l: Language) {
        preferences.language = l
        language.value = l
    }

    val languageFlow: StateFlow<Language> get() = language
}
