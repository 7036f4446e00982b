// Joining the practice team: made-up clients for training, beside the real teams, opened by
// the tablet's PIN, never synced (ADR 0017).
package org.ami.komora.ui

import org.ami.komora.core.KomoraException

data class JoinPracticeState(
    val pinDigits: Int = 0,
    val errors: List<FieldError> = emptyList(),
    val message: String? = null,
    val busy: Boolean = false,
) : Private()

class JoinPracticePresenter(private val app: App) : Presenter<JoinPracticeState>(JoinPracticeState()) {
    private val pin = PinBuffer()

    fun pin(text: CharSequence) {
        pin.set(text)
        update { it.copy(pinDigits = pin.length, errors = emptyList()) }
    }

    /** Check the tablet's PIN, make the practice team and show it. */
    suspend fun submit() {
        if (current.busy) return
        val t = app.texts
        if (pin.length == 0) {
            update { it.copy(errors = listOf(FieldError("pin", t[Str.CURRENT_PIN_MISSING]))) }
            return
        }
        update { it.copy(busy = true, errors = emptyList(), message = null) }
        try {
            app.joinPractice(pin.take())
            update { JoinPracticeState() }
        } catch (e: KomoraException) {
            val errors = if (e is KomoraException.WrongPin) listOf(FieldError("pin", t[Str.WRONG_PIN])) else emptyList()
            update { it.copy(busy = false, pinDigits = 0, errors = errors, message = if (errors.isEmpty()) app.failure(e) else null) }
        } finally {
            pin.clear()
        }
    }
}
