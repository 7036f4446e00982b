// The hand-written Kotlin over the generated bindings (org.ami.komora.core): what uniffi
// cannot express idiomatically. Screens and presenters use these and the generated API.
package org.ami.komora

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.channelFlow
import org.ami.komora.core.KomoraVault
import org.ami.komora.core.SyncListener
import org.ami.komora.core.SyncProgress
import org.ami.komora.core.SyncReport

/** What a sync shows on screen: progress while it runs, then what it did. */
sealed interface SyncEvent {
    data class Progress(val progress: SyncProgress) : SyncEvent
    data class Finished(val report: SyncReport) : SyncEvent
}

/**
 * Sync as a cold [Flow]: each collection runs one sync. Progress events may be dropped when the
 * collector is slow (only the latest counts matter); [SyncEvent.Finished] always arrives last.
 * A failure ends the flow with its exception: `KomoraException.Network`, `KomoraException.Revoked`
 * (the vault has then been erased), ...
 */
fun KomoraVault.syncFlow(): Flow<SyncEvent> = channelFlow {
    val listener = object : SyncListener {
        override fun onProgress(progress: SyncProgress) {
            trySend(SyncEvent.Progress(progress))
        }
    }
    val report = sync(listener)
    send(SyncEvent.Finished(report))
}
