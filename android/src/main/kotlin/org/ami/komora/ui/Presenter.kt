package org.ami.komora.ui

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import org.ami.komora.core.InternalException
import org.ami.komora.core.KomoraException

/**
 * A screen's logic: state in a [StateFlow] the view draws, events as methods the view calls.
 * Quick work (a save is one SQLite transaction) runs in the call; slow work (PIN derivation,
 * sync) is a `suspend fun` the view launches in its scope. No `android.*` here.
 */
abstract class Presenter<S>(initial: S) {
    private val mutable = MutableStateFlow(initial)
    val state: StateFlow<S> get() = mutable

    protected var current: S
        get() = mutable.value
        set(value) {
            mutable.value = value
        }

    protected inline fun update(f: (S) -> S) {
        current = f(current)
    }
}

/**
 * A presenter over the app's vault. [guard] turns a refusal of the core into the screen's
 * message (and leaves the screen when the tablet was revoked or locked).
 */
abstract class AppPresenter<S>(protected val app: App, initial: S) : Presenter<S>(initial) {
    protected abstract fun S.withMessage(message: String?): S

    protected fun guard(f: () -> Unit): Boolean =
        try {
            f()
            true
        } catch (e: KomoraException) {
            val m = app.failure(e)
            update { it.withMessage(m) }
            false
        } catch (e: InternalException) {
            // A panic in a call on a vault arrives as KomoraException.Internal (the FFI's
            // `with`); one in a plain free function of the bindings as uniffi's own
            // InternalException: a message either way, never a crash.
            val m = app.failure(e)
            update { it.withMessage(m) }
            false
        }

    /** The names of these clients, in one call to the core (not one per row). */
    protected fun names(ids: Collection<String>): Map<String, String> =
        if (ids.isEmpty()) emptyMap() else app.vault().clientsById(ids.distinct()).associate { it.id to it.name }

    /** The message shown was read: the view calls this when it hides it. */
    fun dismissMessage() = update { it.withMessage(null) }
}

/**
 * What every screen state and row extends: its `toString()` names the type and nothing else, so
 * a name, a note or an enrolment code never reaches a log line, a crash report or a test
 * failure's message by accident (data classes would print every field).
 */
abstract class Private {
    final override fun toString(): String = "${javaClass.simpleName}(…)"
}

/** A labelled choice on screen: `id` is what the core stores, `label` what the user reads. */
data class Choice(val id: String, val label: String) : Private()

/** A field's error next to it (`field` as the core names it: "name", "birth_year", ...). */
data class FieldError(val field: String, val message: String) : Private()
