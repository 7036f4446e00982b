package org.ami.komora

import java.io.InputStream
import java.io.OutputStream
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.net.URI
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.concurrent.thread

/**
 * A slow link between tablets and a server (2G in the field), for tests: a loopback TCP relay
 * to [target] that carries about [bytesPerSecond] each way on each connection.
 */
class SlowLink(target: String, private val bytesPerSecond: Int) : AutoCloseable {
    private val to = URI(target)
    private val listener = ServerSocket(0, 50, InetAddress.getLoopbackAddress())
    private val open = CopyOnWriteArrayList<Socket>()

    /** Where a tablet reaches the server through the link. */
    val url = "http://127.0.0.1:${listener.localPort}"

    init {
        thread(isDaemon = true, name = "slow-link") {
            while (!listener.isClosed) {
                val tablet = runCatching { listener.accept() }.getOrNull() ?: break
                val server = runCatching { Socket(to.host, to.port) }.getOrNull() ?: run { tablet.close(); continue }
                open += tablet
                open += server
                thread(isDaemon = true) { pump(tablet.getInputStream(), server.getOutputStream(), server) }
                thread(isDaemon = true) { pump(server.getInputStream(), tablet.getOutputStream(), tablet) }
            }
        }
    }

    private fun pump(from: InputStream, to: OutputStream, other: Socket) {
        val chunk = ByteArray(1024)
        try {
            while (true) {
                val n = from.read(chunk)
                if (n < 0) break
                to.write(chunk, 0, n)
                to.flush()
                Thread.sleep(n * 1000L / bytesPerSecond)
            }
        } catch (_: Exception) {
        } finally {
            runCatching { other.shutdownOutput() }
        }
    }

    /** The link drops: every connection open through it is cut (new ones go through again). */
    fun drop() {
        open.forEach { runCatching { it.close() } }
        open.clear()
    }

    override fun close() {
        listener.close()
        open.forEach { runCatching { it.close() } }
    }
}
