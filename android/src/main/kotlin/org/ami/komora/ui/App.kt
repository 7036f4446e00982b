// The app's state outside any one screen: where the vault lives, whether it is unlocked, which
// screen shows, the language, the auto-lock. Plain Kotlin: the Android activity observes
// `screen` and draws it; the JVM tests drive the very same object.
package org.ami.komora.ui

import java.io.File
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.KomoraException
import org.ami.komora.core.KomoraVault
import org.ami.komora.core.PlatformKey
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
}

/** Wall time, so tests can move it (auto-lock, "2 h ago"). */
fun interface Clock {
    fun nowMs(): Long

    companion object {
        val SYSTEM = Clock { System.currentTimeMillis() }
    }
}

/**
 * One app: one vault directory. [kdf] is [KdfStrength.STANDARD] on tablets (tests use the quick
 * one); [platformKey] is the Android Keystore wrapper on devices.
 */
class App(
    val vaultDir: File,
    val preferences: Preferences,
    val clock: Clock = Clock.SYSTEM,
    val kdf: KdfStrength = KdfStrength.STANDARD,
    val platformKey: PlatformKey? = null,
    /** Called when the core erased the vault (revoked, too many wrong PINs): drop platform keys. */
    private val onErased: () -> Unit = {},
) {
    private val screens = MutableStateFlow<List<Screen>>(listOf(startScreen()))
    private val notices = MutableStateFlow<String?>(null)
    private val language = MutableStateFlow(preferences.language)
    private var unlocked: KomoraVault? = null
    private var lastActivityMs = clock.nowMs()
    private var inForeground = true

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

    private fun startScreen(): Screen = if (vaultExists(vaultDir.path)) Screen.Unlock else Screen.Enrol

    /** The unlocked vault; `KomoraException.Closed` once locked (the screen then goes away). */
    fun vault(): KomoraVault = unlocked ?: throw KomoraException.Closed()

    val isUnlocked: Boolean get() = unlocked != null

    /** The enrol or unlock screen opened the vault: the caseload comes first. */
    fun unlocked(vault: KomoraVault) {
        close(unlocked)
        if (!inForeground) {
            // The PIN was checked while she left the app: it stays locked.
            close(vault)
            return
        }
        unlocked = vault
        refreshPolicy()
        lastActivityMs = clock.nowMs()
        notices.value = null
        // A data officer's tablet opens figures only (ADR 0011): they are its home.
        val role = runCatching { vault.syncStatus().role }.getOrNull()
        screens.value = listOf(if (role == "data_officer") Screen.Figures else Screen.Caseload)
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

    /** Called every few seconds by the activity: locks after the idle time in the settings. */
    fun tick() {
        if (unlocked == null) return
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
    }

    /** Lock now: keys are zeroised in the core; every screen above the lock goes. */
    fun lock(notice: String? = null) {
        close(unlocked)
        unlocked = null
        notices.value = notice
        screens.value = listOf(startScreen())
    }

    /**
     * What every screen does with a failure: a revoked tablet (its vault is now erased) or a
     * locked vault leaves the screen; anything else is a message for the screen to show.
     */
    fun failure(e: Throwable): String {
        val message = texts.error(e)
        when (e) {
            is KomoraException.Revoked, is KomoraException.ErasedAfterFailures -> {
                close(unlocked)
                unlocked = null
                onErased()
                notices.value = message
                screens.value = listOf(startScreen())
            }
            is KomoraException.Closed -> lock(texts[Str.LOCKED_IDLE])
            else -> Unit
        }
        return message
    }

    /**
     * Lock the vault (its keys are zeroised now, even while a sync is between two network
     * calls: the sync then stops at its next step) and let go of the handle.
     */
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
