package org.ami.komora.android

import android.security.keystore.KeyGenParameterSpec
import java.io.InputStream
import java.io.OutputStream
import java.security.Key
import java.security.KeyStoreSpi
import java.security.Provider
import java.security.SecureRandom
import java.security.Security
import java.security.cert.Certificate
import java.security.spec.AlgorithmParameterSpec
import java.util.Collections
import java.util.Date
import java.util.Enumeration
import java.util.concurrent.ConcurrentHashMap
import javax.crypto.KeyGeneratorSpi
import javax.crypto.SecretKey
import javax.crypto.spec.SecretKeySpec

/**
 * A stand-in for the Android Keystore, registered under its JCA name "AndroidKeyStore", so the
 * app's real [KeystorePlatformKey] runs unchanged under Robolectric (which has no Keystore).
 * Keys live in this process's memory only: what a device's secure hardware adds (keys that
 * never leave it, StrongBox, the unlocked-device rule) cannot be checked here.
 */
class InMemoryKeystore : Provider(NAME, "1.0", "Komora's tests: an in-memory AndroidKeyStore") {
    init {
        put("KeyStore.$NAME", Store::class.java.name)
        put("KeyGenerator.AES", Generator::class.java.name)
        put("KeyGenerator.HmacSHA256", HmacGenerator::class.java.name)
    }

    /** The key store: aliases to AES keys. */
    class Store : KeyStoreSpi() {
        override fun engineGetKey(alias: String, password: CharArray?): Key? = keys[alias]
        override fun engineGetCertificateChain(alias: String?): Array<Certificate>? = null
        override fun engineGetCertificate(alias: String?): Certificate? = null
        override fun engineGetCreationDate(alias: String?): Date? = null
        override fun engineSetKeyEntry(alias: String, key: Key, password: CharArray?, chain: Array<out Certificate>?) {
            keys[alias] = key as SecretKey
        }
        override fun engineSetKeyEntry(alias: String?, key: ByteArray?, chain: Array<out Certificate>?) =
            throw UnsupportedOperationException("not in the tests' key store")
        override fun engineSetCertificateEntry(alias: String?, cert: Certificate?) =
            throw UnsupportedOperationException("not in the tests' key store")
        override fun engineDeleteEntry(alias: String) {
            keys.remove(alias)
        }
        override fun engineAliases(): Enumeration<String> = Collections.enumeration(keys.keys.toList())
        override fun engineContainsAlias(alias: String): Boolean = keys.containsKey(alias)
        override fun engineSize(): Int = keys.size
        override fun engineIsKeyEntry(alias: String): Boolean = keys.containsKey(alias)
        override fun engineIsCertificateEntry(alias: String?): Boolean = false
        override fun engineGetCertificateAlias(cert: Certificate?): String? = null
        override fun engineStore(stream: OutputStream?, password: CharArray?) = Unit
        override fun engineLoad(stream: InputStream?, password: CharArray?) = Unit
    }

    /** `KeyGenerator.getInstance("HmacSHA256", "AndroidKeyStore")`: the PIN step's key. */
    class HmacGenerator : Generator("HmacSHA256", 32)

    /** `KeyGenerator.getInstance("AES", "AndroidKeyStore")` with a [KeyGenParameterSpec]. */
    open class Generator(private val algorithm: String = "AES", private val defaultBytes: Int = 32) : KeyGeneratorSpi() {
        private var spec: KeyGenParameterSpec? = null
        private var random: SecureRandom = SecureRandom()

        override fun engineInit(random: SecureRandom?) = error("the Keystore needs a KeyGenParameterSpec")
        override fun engineInit(keysize: Int, random: SecureRandom?) = error("the Keystore needs a KeyGenParameterSpec")
        override fun engineInit(params: AlgorithmParameterSpec?, random: SecureRandom?) {
            spec = params as? KeyGenParameterSpec ?: error("the Keystore needs a KeyGenParameterSpec")
            random?.let { this.random = it }
        }

        override fun engineGenerateKey(): SecretKey {
            val s = spec ?: error("not initialised")
            generated.add(s)
            val bytes = ByteArray(if (s.keySize > 0) s.keySize / 8 else defaultBytes).also(random::nextBytes)
            return SecretKeySpec(bytes, algorithm).also { keys[s.keystoreAlias] = it }
        }
    }

    companion object {
        const val NAME = "AndroidKeyStore"
        private val keys = ConcurrentHashMap<String, SecretKey>()

        /** Every key the app asked for, with the properties it asked for (for the tests' checks). */
        val generated: MutableList<KeyGenParameterSpec> = Collections.synchronizedList(mutableListOf())

        /** Register once per sandbox; a new test starts with an empty store. */
        fun install() {
            if (Security.getProvider(NAME) == null) Security.insertProviderAt(InMemoryKeystore(), 1)
            keys.clear()
            generated.clear()
        }

        fun aliases(): Set<String> = keys.keys.toSet()
    }
}
