package org.ami.komora.ui

import java.io.File
import java.util.Properties

/**
 * The tablet's settings that are not secrets (language, auto-lock time, the sync server's
 * address). Records and keys live in the vault, never here.
 */
interface Preferences {
    var language: Language
    var autoLockMinutes: Int
}

/** Auto-lock times a counsellor can choose; five minutes unless she picks another. */
val AUTO_LOCK_CHOICES = listOf(1, 2, 5, 10, 15)
const val DEFAULT_AUTO_LOCK_MINUTES = 5

/** The longest idle time any setting allows (the core's limit for a team's policy too). */
const val MAX_AUTO_LOCK = 60

/**
 * Settings in a small properties file (on Android, in the app's private files directory). Each
 * change is written at once, through a temporary file and a rename, so a crash leaves the old
 * file or the new one.
 */
class FilePreferences(private val file: File) : Preferences {
    private val props = Properties().apply {
        if (file.exists()) runCatching { file.inputStream().use { load(it) } }
    }

    override var language: Language
        get() = Language.fromCode(props.getProperty("language")) ?: Language.KINYARWANDA
        set(v) = put("language", v.code)

    override var autoLockMinutes: Int
        get() = props.getProperty("auto_lock_minutes")?.toIntOrNull()?.takeIf { it in 1..MAX_AUTO_LOCK }
            ?: DEFAULT_AUTO_LOCK_MINUTES
        set(v) {
            require(v in 1..MAX_AUTO_LOCK) { "auto-lock must be 1 to $MAX_AUTO_LOCK minutes" }
            put("auto_lock_minutes", v.toString())
        }

    private fun put(key: String, value: String) {
        props.setProperty(key, value)
        file.parentFile?.mkdirs()
        val tmp = File(file.path + ".tmp")
        tmp.outputStream().use { props.store(it, "Komora settings (no records, no keys)") }
        if (!tmp.renameTo(file)) {
            file.delete()
            tmp.renameTo(file)
        }
    }
}
