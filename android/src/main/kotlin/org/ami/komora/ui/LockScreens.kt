// Enrol this tablet, then unlock it with its PIN.
package org.ami.komora.ui

import java.net.URI
import org.ami.komora.core.KomoraException
import org.ami.komora.core.enrolmentLink
import org.ami.komora.core.enroll
import org.ami.komora.core.parseEnrolmentLink

/** A PIN is digits only (the tablet shows a number pad), at least this many. */
const val MIN_PIN_DIGITS = 6

/**
 * What an enrolment QR code holds; the core reads and writes the format (`komora:enrol?...`).
 * [pins] are the server key's pins (`sha256/...`): the tablet then trusts exactly that key.
 */
data class EnrolmentLink(val server: String, val code: String, val pins: List<String> = emptyList()) : Private() {
    companion object {
        fun parse(text: String): EnrolmentLink? =
            parseEnrolmentLink(text)?.let { EnrolmentLink(it.serverUrl, it.code, it.certificatePins) }

        fun format(server: String, code: String, pins: List<String> = emptyList()): String =
            enrolmentLink(server, code, pins)
    }
}

/** A PIN being typed: kept in a char array that is wiped, never in the screen state. */
class PinBuffer {
    private var chars = CharArray(0)
    val length: Int get() = chars.size

    fun digit(d: Char) {
        if (!d.isDigit() || chars.size >= 32) return
        val longer = chars.copyOf(chars.size + 1)
        longer[chars.size] = d
        chars.fill('\u0000')
        chars = longer
    }

    fun backspace() {
        if (chars.isEmpty()) return
        val shorter = chars.copyOf(chars.size - 1)
        chars.fill('\u0000')
        chars = shorter
    }

    /** From the PIN field's own buffer: no String copy of the PIN is made here. */
    fun set(text: CharSequence) {
        clear()
        for (i in text.indices) digit(text[i])
    }

    fun sameAs(other: PinBuffer): Boolean = chars.contentEquals(other.chars)

    /** The PIN for the core, which zeroises its own copy; this buffer is wiped. */
    fun take(): String = String(chars).also { clear() }

    fun clear() {
        chars.fill('\u0000')
        chars = CharArray(0)
    }
}

data class EnrolState(
    val server: String = "",
    val code: String = "",
    /** The scanned server's pins; a server typed by hand has none (public certificates only). */
    val pins: List<String> = emptyList(),
    val pinDigits: Int = 0,
    val confirmDigits: Int = 0,
    val errors: List<FieldError> = emptyList(),
    val message: String? = null,
    val busy: Boolean = false,
) : Private()

/**
 * Enrolling the tablet: its first team (a new PIN, typed twice), or, when [joining], another
 * team beside the ones it has (the tablet's PIN, checked: one PIN opens every team).
 */
class EnrolPresenter(private val app: App, val joining: Boolean = false) :
    Presenter<EnrolState>(EnrolState(message = if (joining) null else app.notice.value)) {
    private val pin = PinBuffer()
    private val confirm = PinBuffer()

    init {
        // Why she is here again (revoked, erased after wrong PINs), said once.
        if (!joining) app.noticeShown()
    }

    fun server(text: String) = update {
        // Pins belong to the scanned server: another address drops them.
        val server = text.trim()
        it.copy(server = server, pins = if (server == it.server) it.pins else emptyList(), errors = it.errors.filter { e -> e.field != "server" })
    }

    fun code(text: String) = update { it.copy(code = text, errors = it.errors.filter { e -> e.field != "code" }) }

    /** A scanned QR fills both the server and the code. */
    fun scanned(text: String) {
        val link = EnrolmentLink.parse(text)
        if (link == null) {
            update { it.copy(message = app.texts[Str.QR_UNKNOWN]) }
            return
        }
        update { it.copy(server = link.server, code = link.code, pins = link.pins, message = null, errors = emptyList()) }
    }

    fun pin(text: CharSequence) {
        pin.set(text)
        update { it.copy(pinDigits = pin.length) }
    }

    fun confirmPin(text: CharSequence) {
        confirm.set(text)
        update { it.copy(confirmDigits = confirm.length) }
    }

    /** Enrol with the server: the vault is created, keyed by the PIN; the caseload opens. */
    suspend fun submit() {
        if (current.busy) return
        val t = app.texts
        val s = current
        val errors = buildList {
            // https://, or plain http:// to this very device only (the core refuses the rest too).
            val uri = runCatching { URI(s.server) }.getOrNull()
            val plainHere = uri?.scheme == "http" && uri.host in setOf("127.0.0.1", "localhost", "[::1]")
            if (uri == null || uri.host.isNullOrEmpty() || !(uri.scheme == "https" || plainHere)) {
                add(FieldError("server", t[Str.SERVER_INVALID]))
            }
            if (s.code.isBlank()) add(FieldError("code", t[Str.CODE_MISSING]))
            if (!app.screenLockSet()) add(FieldError("pin", t[Str.SCREEN_LOCK_NEEDED]))
            if (pin.length < MIN_PIN_DIGITS) add(FieldError("pin", t.format(Str.PIN_TOO_SHORT, MIN_PIN_DIGITS)))
            else if (!joining && !pin.sameAs(confirm)) add(FieldError("confirm", t[Str.PIN_MISMATCH]))
        }
        if (errors.isNotEmpty()) {
            update { it.copy(errors = errors) }
            return
        }
        update { it.copy(busy = true, errors = emptyList(), message = null) }
        try {
            confirm.clear()
            val typed = pin.take()
            if (joining) {
                try {
                    app.vault().checkPin(typed)
                } catch (e: KomoraException.WrongPin) {
                    update { it.copy(busy = false, pinDigits = 0, errors = listOf(FieldError("pin", t[Str.WRONG_PIN]))) }
                    return
                }
                val vault = enroll(app.newTeamDir().path, typed, s.server, s.code, app.kdf, app.platformKey, s.pins)
                update { EnrolState() }
                app.joined(vault)
            } else {
                val vault = enroll(app.vaultDir.path, typed, s.server, s.code, app.kdf, app.platformKey, s.pins)
                update { EnrolState() }
                app.unlocked(vault)
            }
        } catch (e: KomoraException) {
            pin.clear()
            update { it.copy(busy = false, pinDigits = 0, confirmDigits = 0, message = app.failure(e)) }
        }
    }
}

data class UnlockState(
    val pinDigits: Int = 0,
    val message: String? = null,
    /** While too many wrong PINs make the tablet wait: when the next try is allowed. */
    val waitUntilMs: Long? = null,
    val busy: Boolean = false,
) : Private()

class UnlockPresenter(private val app: App) : Presenter<UnlockState>(UnlockState(message = app.notice.value)) {
    private val pin = PinBuffer()

    init {
        app.noticeShown()
    }

    fun digit(d: Char) {
        pin.digit(d)
        update { it.copy(pinDigits = pin.length) }
    }

    fun backspace() {
        pin.backspace()
        update { it.copy(pinDigits = pin.length) }
    }

    fun pin(text: CharSequence) {
        pin.set(text)
        update { it.copy(pinDigits = pin.length) }
    }

    /** Seconds left before another try, for the countdown; 0 when the PIN may be typed. */
    fun secondsToWait(): Long {
        val until = current.waitUntilMs ?: return 0
        return maxOf(0, (until - app.clock.nowMs() + 999) / 1000)
    }

    suspend fun submit() {
        if (secondsToWait() > 0 || current.busy) return
        if (pin.length == 0) return
        update { it.copy(busy = true, message = null) }
        try {
            app.unlockAll(pin.take())
            update { UnlockState() }
        } catch (e: KomoraException) {
            val t = app.texts
            val (message, wait) = when (e) {
                is KomoraException.WrongPin -> t[Str.WRONG_PIN] to null
                is KomoraException.LockedOut -> t.format(Str.LOCKED_OUT, (e.retryAfterMs + 999) / 1000) to
                    app.clock.nowMs() + e.retryAfterMs
                else -> app.failure(e) to null
            }
            update { it.copy(busy = false, pinDigits = 0, message = message, waitUntilMs = wait) }
        } finally {
            pin.clear()
        }
    }
}
