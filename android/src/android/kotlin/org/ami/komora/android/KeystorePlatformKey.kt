package org.ami.komora.android

import android.annotation.TargetApi
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import java.security.KeyStore
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import org.ami.komora.core.KomoraException
import org.ami.komora.core.PlatformKey

/**
 * Wraps the vault's master key with an AES-256-GCM key that lives in the Android Keystore and
 * never leaves its secure hardware: StrongBox where the device has one (API 28+), the TEE
 * otherwise. The core calls [wrap] when it creates or re-keys a vault and [unwrap] when it opens
 * one; a copy of the vault files is useless on another device or after the app's data is wiped.
 *
 * Wrapped format, versioned so the scheme can change without orphaning vaults:
 * `[1 byte version = 1][12-byte IV][ciphertext + 16-byte GCM tag]`.
 *
 * It also takes the hardware step of the PIN's key derivation ([pinStep]): an HMAC-SHA256
 * under a second Keystore key, usable only while the tablet's own screen lock is open. The
 * core mixes it into the key that opens the vault, so no guess of a PIN can be checked off
 * this tablet, and on it only once its screen lock is passed (ADR 0015). The app requires a
 * screen lock before it enrols ([ScreenLock]).
 *
 * Failures are [KomoraException.PlatformKey] with a reason that names the failure, never key
 * material. Nothing here logs.
 */
class KeystorePlatformKey(private val alias: String = DEFAULT_ALIAS) : PlatformKey {

    /**
     * Encrypts [plaintext] (the vault's master key) under the Keystore key, creating that key on
     * first use. Zeroes [plaintext] afterwards: the bindings hand it a fresh copy that nothing
     * else reads, and it should not wait in the heap for the garbage collector.
     */
    override fun wrap(plaintext: ByteArray): ByteArray = guarded("wrap") {
        try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            // Randomized encryption is required: the Keystore picks the IV, never the caller.
            cipher.init(Cipher.ENCRYPT_MODE, keyOrCreate())
            val iv = cipher.iv
            if (iv == null || iv.size != IV_BYTES) fail("the Keystore returned an unexpected IV")
            val sealed = cipher.doFinal(plaintext)
            ByteArray(HEADER_BYTES + sealed.size).also { out ->
                out[0] = VERSION
                iv.copyInto(out, 1)
                sealed.copyInto(out, HEADER_BYTES)
            }
        } finally {
            plaintext.fill(0)
        }
    }

    /**
     * Decrypts what [wrap] produced. The plaintext goes straight from the cipher to the caller:
     * no intermediate copy is made. Never creates a key: a missing key means this vault cannot
     * be opened on this device (or the app's data was restored without its Keystore).
     */
    override fun unwrap(wrapped: ByteArray): ByteArray = guarded("unwrap") {
        if (wrapped.size < HEADER_BYTES + TAG_BYTES) fail("the wrapped key is too short")
        if (wrapped[0] != VERSION) fail("unknown wrapped-key version ${wrapped[0].toInt() and 0xff}")
        val key = existingKey() ?: fail("the Keystore holds no key for this vault")
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BYTES * 8, wrapped, 1, IV_BYTES))
        try {
            cipher.doFinal(wrapped, HEADER_BYTES, wrapped.size - HEADER_BYTES)
        } catch (e: AEADBadTagException) {
            fail("the wrapped key does not authenticate (tampered, or another key)")
        }
    }

    /** HMAC-SHA256 of [input] under the Keystore's PIN-step key, created on first use. */
    override fun pinStep(input: ByteArray): ByteArray = guarded("pinStep") {
        val mac = javax.crypto.Mac.getInstance(HMAC)
        mac.init(hmacKeyOrCreate())
        mac.doFinal(input)
    }

    /** Removes the Keystore keys, for when the vault itself is erased. Wrapped keys become useless. */
    fun delete() = guarded("delete") {
        synchronized(lock) {
            keyStore().deleteEntry(alias)
            keyStore().deleteEntry(hmacAlias)
            cached = null
            cachedHmac = null
        }
    }

    private val hmacAlias = "$alias.pin-step"

    @Volatile
    private var cachedHmac: SecretKey? = null

    private fun hmacKeyOrCreate(): SecretKey =
        cachedHmac ?: (keyStore().getKey(hmacAlias, null) as SecretKey?)?.also { cachedHmac = it }
        ?: synchronized(lock) {
            (keyStore().getKey(hmacAlias, null) as SecretKey?) ?: run {
                val builder = KeyGenParameterSpec.Builder(hmacAlias, KeyProperties.PURPOSE_SIGN)
                    .setDigests(KeyProperties.DIGEST_SHA256)
                if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) {
                    // Only while the tablet is unlocked: the Android lock screen, rate-limited
                    // by the hardware, stands before every PIN guess.
                    builder.setUnlockedDeviceRequired(true)
                }
                KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_HMAC_SHA256, KEYSTORE)
                    .apply { init(builder.build()) }
                    .generateKey()
            }.also { cachedHmac = it }
        }

    private val lock = Any()

    @Volatile
    private var cached: SecretKey? = null

    private fun keyStore(): KeyStore = KeyStore.getInstance(KEYSTORE).apply { load(null) }

    private fun existingKey(): SecretKey? =
        cached ?: (keyStore().getKey(alias, null) as SecretKey?)?.also { cached = it }

    private fun keyOrCreate(): SecretKey = existingKey() ?: synchronized(lock) {
        existingKey() ?: generate().also { cached = it }
    }

    private fun generate(): SecretKey {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) {
            StrongBox.generateOrNull(spec(strongBox = true))?.let { return it }
        }
        return generate(spec(strongBox = false))
    }

    private fun spec(strongBox: Boolean): KeyGenParameterSpec {
        val builder = KeyGenParameterSpec.Builder(
            alias,
            KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT,
        )
            .setKeySize(KEY_BITS)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setRandomizedEncryptionRequired(true)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) {
            // Usable only while the tablet itself is unlocked: a stolen, locked tablet cannot
            // have its vault key unwrapped even by code running on it.
            builder.setUnlockedDeviceRequired(true)
            if (strongBox) builder.setIsStrongBoxBacked(true)
        }
        return builder.build()
    }

    /**
     * The only code that names API 28's StrongBoxUnavailableException, in a class of its own so
     * that devices on API 26-27 never load (or verify) it.
     */
    @TargetApi(Build.VERSION_CODES.P)
    private object StrongBox {
        fun generateOrNull(spec: KeyGenParameterSpec): SecretKey? = try {
            generate(spec)
        } catch (e: StrongBoxUnavailableException) {
            null // no StrongBox on this device: the caller falls back to the TEE
        }
    }

    companion object {
        const val DEFAULT_ALIAS = "org.ami.komora.vault-key"
        private const val KEYSTORE = "AndroidKeyStore"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val HMAC = "HmacSHA256"
        private const val VERSION: Byte = 1
        private const val KEY_BITS = 256
        private const val IV_BYTES = 12
        private const val TAG_BYTES = 16
        private const val HEADER_BYTES = 1 + IV_BYTES

        private fun generate(spec: KeyGenParameterSpec): SecretKey =
            KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, KEYSTORE)
                .apply { init(spec) }
                .generateKey()

        private fun fail(reason: String): Nothing = throw KomoraException.PlatformKey(reason)

        /**
         * Runs [block], turning any failure into [KomoraException.PlatformKey]: the core then
         * reports it as such instead of as an unexpected callback error. The reason carries the
         * exception's class and message (the Keystore's messages hold no key material).
         */
        private inline fun <T> guarded(what: String, block: () -> T): T = try {
            block()
        } catch (e: KomoraException) {
            throw e
        } catch (e: Exception) {
            throw KomoraException.PlatformKey("$what: ${e.javaClass.simpleName}: ${e.message ?: "no detail"}")
        }
    }
}
