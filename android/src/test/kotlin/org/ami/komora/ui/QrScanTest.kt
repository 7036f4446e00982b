package org.ami.komora.ui

import com.google.zxing.BarcodeFormat
import com.google.zxing.EncodeHintType
import com.google.zxing.qrcode.QRCodeWriter
import java.nio.file.Path
import kotlin.random.Random
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** The enrol screen's scan: a camera frame with the supervisor's QR code fills server and code. */
class QrScanTest {
    @TempDir
    lateinit var tmp: Path

    private val code = "7KQ2M-4XH9P-0RT5W-JB3NC"

    /** A grey camera frame (row stride wider than the picture, as cameras pad rows) with the QR drawn in it, a little noisy. */
    private fun frame(text: String, width: Int = 640, height: Int = 480, stride: Int = 704): ByteArray {
        val matrix = QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 300, 300, mapOf(EncodeHintType.MARGIN to 2))
        val random = Random(7)
        val pixels = ByteArray(stride * height) { (170 + random.nextInt(40)).toByte() }
        val left = 170
        val top = 90
        for (y in 0 until matrix.height) for (x in 0 until matrix.width) {
            val dark = matrix[x, y]
            pixels[(top + y) * stride + left + x] = (if (dark) 20 + random.nextInt(30) else 200 + random.nextInt(40)).toByte()
        }
        return pixels
    }

    @Test
    fun `a frame with the supervisor's enrolment QR code fills the server and the code`() {
        val link = EnrolmentLink.format("https://sync.ami.rw", code)
        val text = QrCodes.read(frame(link), 640, 480, rowStride = 704)
        assertEquals(link, text)

        val tablet = Tablet(tmp.resolve("t"))
        val enrol = EnrolPresenter(tablet.app)
        enrol.scanned(text!!)
        assertEquals("https://sync.ami.rw", enrol.state.value.server)
        assertEquals("7KQ2M4XH9P0RT5WJB3NC", enrol.state.value.code, "the code in its canonical form")
        assertNull(enrol.state.value.message)
    }

    @Test
    fun `a frame without a QR code reads nothing, and another QR code is not taken for an enrolment`() {
        val empty = ByteArray(640 * 480) { 128.toByte() }
        assertNull(QrCodes.read(empty, 640, 480))
        assertNull(QrCodes.read(ByteArray(10), 640, 480), "a short buffer is refused, not read past")

        val tablet = Tablet(tmp.resolve("t"))
        val enrol = EnrolPresenter(tablet.app)
        enrol.scanned(QrCodes.read(frame("https://example.org/menu", stride = 640), 640, 480)!!)
        assertEquals("This QR code is not a Komora enrolment code", enrol.state.value.message)
        assertEquals("", enrol.state.value.code)
    }
}
