// The Kotlin side of the FFI benchmark (not a test): `scripts/bench-ffi.sh` runs it after the
// Rust side and passes the Rust medians as system properties, and this prints the table.
package org.ami.komora

import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.NewClient
import org.ami.komora.core.createVault

private fun median(xs: List<Long>): Long = xs.sorted()[xs.size / 2]

fun main() = runBlocking {
    val dir = Files.createTempDirectory("komora-bench")
    createVault(dir.resolve("v").toString(), "benchmark passphrase", KdfStrength.INSECURE_FOR_TESTS, null).use { v ->
        v.importClients(
            (0 until 5_000).map { i ->
                NewClient(
                    name = "Mukamana Odette $i", code = "HUY-%05d".format(i), sex = "F",
                    birthYear = 1950 + i % 60, district = "Huye", targetGroups = listOf("genocide-survivor"),
                )
            }
        )
        val calls = 20_000
        repeat(calls) { v.today() } // warm-up: JIT and JNA
        val perCall = median((0 until 7).map {
            val t = System.nanoTime()
            repeat(calls) { v.today() }
            (System.nanoTime() - t) / calls
        })
        val probes = listOf<Pair<String, () -> Unit>>(
            "foldForSearch" to { org.ami.komora.core.foldForSearch("Hélène") },
            "isLocked" to { v.isLocked() },
            "today" to { v.today() },
        )
        val probeNs = probes.map { (name, f) ->
            repeat(calls) { f() }
            val t = System.nanoTime()
            repeat(calls) { f() }
            name to (System.nanoTime() - t) / calls
        }
        repeat(5) { v.clients() }
        val list = median((0 until 21).map {
            val t = System.nanoTime()
            check(v.clients().size == 5_000)
            System.nanoTime() - t
        })
        val rustCall = System.getProperty("rust.call")?.toLong()
        val rustList = System.getProperty("rust.list")?.toLong()
        fun ratio(k: Long, r: Long?) = if (r == null || r == 0L) "-" else "%.1fx".format(k.toDouble() / r)
        println("| workload | Kotlin through the bindings | the same call in Rust | ratio |")
        println("|---|---|---|---|")
        println("| one call (`today()`, a short string back) | $perCall ns | ${rustCall ?: "-"} ns | ${ratio(perCall, rustCall)} |")
        for ((name, ns) in probeNs) println("| probe: `$name()` | $ns ns | | |")
        println("| list 5,000 clients (`clients()`) | %.2f ms | %s ms | %s |".format(
            list / 1e6, rustList?.let { "%.2f".format(it / 1e6) } ?: "-", ratio(list, rustList)))
    }
}
