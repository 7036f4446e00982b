package org.ami.komora

import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.readBytes
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.InternalException
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.KomoraException
import org.ami.komora.core.NewClient
import org.ami.komora.core.PlatformKey
import org.ami.komora.core.createVault
import org.ami.komora.core.openVault
import org.ami.komora.core.panicForTests
import org.ami.komora.core.vaultExists
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

const val PIN = "2580 correct horse"

/** The hash of every file of a vault but the wrong-attempts counter, to prove a refusal wrote nothing. */
fun fingerprint(dir: Path): Map<String, String> =
    dir.listDirectoryEntries().filter { it.fileName.toString() != "attempts.json" }.associate { f ->
        f.fileName.toString() to MessageDigest.getInstance("SHA-256").digest(f.readBytes())
            .joinToString("") { "%02x".format(it) }
    }

class VaultTest {
    @TempDir
    lateinit var tmp: Path

    @Test
    fun `a counsellor creates a vault, records a client, locks and unlocks it`() = runBlocking {
        val dir = tmp.resolve("vault").toString()
        assertFalse(vaultExists(dir))
        val id = createVault(dir, PIN, KdfStrength.INSECURE_FOR_TESTS, null).use { v ->
            v.addClient(NewClient(name = "Mukamana Odette", sex = "F", birthYear = 1978, district = "Huye"))
        }
        assertTrue(vaultExists(dir))
        openVault(dir, PIN, null).use { v ->
            val c = v.client(id)
            assertEquals("Mukamana Odette", c.name)
            assertEquals(1978, c.birthYear)
            assertEquals("Huye", c.district)
        }
    }

    @Test
    fun `a wrong PIN is a typed exception and changes no byte of the vault`() = runBlocking {
        val dir = tmp.resolve("vault")
        createVault(dir.toString(), PIN, KdfStrength.INSECURE_FOR_TESTS, null).use { v ->
            v.addClient(NewClient(name = "Habimana Eric"))
        }
        val before = fingerprint(dir)
        val e = runCatching { openVault(dir.toString(), "9999 wrong horse", null) }.exceptionOrNull()
        assertTrue(e is KomoraException.WrongPin, "got $e")
        assertEquals(before, fingerprint(dir))
        val missing = runCatching { openVault(tmp.resolve("nothing").toString(), PIN, null) }.exceptionOrNull()
        assertTrue(missing is KomoraException.NoVault, "got $missing")
    }

    @Test
    fun `after five wrong PINs the next attempt waits, and a policy erases the vault`() = runBlocking {
        val dir = tmp.resolve("vault").toString()
        createVault(dir, PIN, KdfStrength.INSECURE_FOR_TESTS, null).use { it.setWipeAfterFailures(6) }
        repeat(5) {
            val e = runCatching { openVault(dir, "0000 guess", null) }.exceptionOrNull()
            assertTrue(e is KomoraException.WrongPin, "got $e")
        }
        val locked = runCatching { openVault(dir, PIN, null) }.exceptionOrNull()
        assertTrue(locked is KomoraException.LockedOut, "got $locked")
        locked as KomoraException.LockedOut
        assertTrue(locked.retryAfterMs in 1..30_000, "wait ${locked.retryAfterMs}")
        assertEquals(5, locked.failures)
        assertTrue(vaultExists(dir))

        // A tablet whose policy says five: the fifth wrong PIN erases it.
        val strict = tmp.resolve("strict").toString()
        createVault(strict, PIN, KdfStrength.INSECURE_FOR_TESTS, null).use { it.setWipeAfterFailures(5) }
        repeat(4) {
            val e = runCatching { openVault(strict, "0000 guess", null) }.exceptionOrNull()
            assertTrue(e is KomoraException.WrongPin, "got $e")
        }
        val erased = runCatching { openVault(strict, "0000 guess", null) }.exceptionOrNull()
        assertTrue(erased is KomoraException.ErasedAfterFailures, "got $erased")
        assertTrue(!vaultExists(strict), "the policy erased it")
    }

    @Test
    fun `a locked vault refuses calls with Closed instead of crashing`() = runBlocking {
        val v = createVault(tmp.resolve("v").toString(), PIN, KdfStrength.INSECURE_FOR_TESTS, null)
        v.lock()
        assertTrue(v.isLocked())
        assertThrows(KomoraException.Closed::class.java) { v.clients() }
        v.close()
    }

    @Test
    fun `bad input names the field and the rule, never the value typed`() = runBlocking {
        createVault(tmp.resolve("v").toString(), PIN, KdfStrength.INSECURE_FOR_TESTS, null).use { v ->
            val e = assertThrows(KomoraException.Validation::class.java) {
                v.addClient(NewClient(name = "Uwase", phone = "Zz-not-a-phone"))
            }
            assertEquals("phone", e.field)
            assertFalse(e.message.orEmpty().contains("Zz"), e.message)
            assertThrows(KomoraException.Validation::class.java) {
                v.addClient(NewClient(name = "Uwase", birthYear = -5))
            }
            assertThrows(KomoraException.Validation::class.java) { v.client("not-an-id") }
            assertTrue(v.clients().isEmpty(), "nothing was saved")
        }
    }

    @Test
    fun `a panic inside Rust is an exception and the JVM and the vault carry on`() = runBlocking {
        createVault(tmp.resolve("v").toString(), PIN, KdfStrength.INSECURE_FOR_TESTS, null).use { v ->
            assertThrows(InternalException::class.java) { panicForTests() }
            v.addClient(NewClient(name = "Still Working"))
            assertEquals(1, v.clients().size)
        }
    }

    /**
     * The Android Keystore's stand-in: AES-GCM and an HMAC key held only by this object (the
     * "hardware": whoever lacks this object cannot take the PIN's hardware step).
     */
    class TestKeystore : PlatformKey {
        private val key: SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
        private val hmac: SecretKey = KeyGenerator.getInstance("HmacSHA256").generateKey()
        var available = true
        var steps = 0

        override fun pinStep(input: ByteArray): ByteArray {
            if (!available) throw KomoraException.PlatformKey("the keystore is locked")
            steps++
            return javax.crypto.Mac.getInstance("HmacSHA256").apply { init(hmac) }.doFinal(input)
        }

        override fun wrap(plaintext: ByteArray): ByteArray {
            val iv = ByteArray(12).also { SecureRandom().nextBytes(it) }
            val c = Cipher.getInstance("AES/GCM/NoPadding")
            c.init(Cipher.ENCRYPT_MODE, key, GCMParameterSpec(128, iv))
            return iv + c.doFinal(plaintext)
        }

        override fun unwrap(wrapped: ByteArray): ByteArray {
            if (!available) throw KomoraException.PlatformKey("the keystore is locked")
            val c = Cipher.getInstance("AES/GCM/NoPadding")
            c.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, wrapped.copyOfRange(0, 12)))
            return c.doFinal(wrapped.copyOfRange(12, wrapped.size))
        }
    }

    @Test
    fun `a vault bound to the platform key opens only with it`() = runBlocking {
        val dir = tmp.resolve("v").toString()
        val keystore = TestKeystore()
        createVault(dir, PIN, KdfStrength.INSECURE_FOR_TESTS, keystore).use { it.addClient(NewClient(name = "A")) }
        val without = runCatching { openVault(dir, PIN, null) }.exceptionOrNull()
        assertTrue(without is KomoraException.PlatformKeyUnavailable, "got $without")
        keystore.available = false
        val refused = runCatching { openVault(dir, PIN, keystore) }.exceptionOrNull()
        assertTrue(refused is KomoraException.PlatformKey, "got $refused")
        keystore.available = true
        openVault(dir, PIN, keystore).use { assertEquals(1, it.clients().size) }
        // A different keystore (another tablet) cannot open it either.
        val other = runCatching { openVault(dir, PIN, TestKeystore()) }.exceptionOrNull()
        assertTrue(other is KomoraException, "got $other")
        assertTrue(Files.exists(tmp.resolve("v")))
    }
}
