package org.ami.komora.ui

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
) : Private()

class SettingsPresenter(app: App) : AppPresenter<SettingsState>(app, SettingsState()) {
    override fun SettingsState.withMessage(message: String?) = copy(message = message)

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
        current = SettingsState(
            language = app.preferences.language,
            languages = Language.entries.map { Choice(it.code, it.nativeName) },
            autoLockMinutes = app.autoLockMinutes,
            autoLockChoices = autoLockChoices().map { Choice(it.toString(), t.format(Str.MINUTES, it)) },
            autoLockLimit = app.teamAutoLockMax?.let { t.format(Str.AUTO_LOCK_LIMIT, it) },
            about = about,
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

    /** Lock now (the button at the top of every screen does the same). */
    fun lockNow() = app.lock()
}

const val APP_VERSION = "0.1.0"

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
