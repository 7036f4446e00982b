package org.ami.komora.android

import android.Manifest
import android.annotation.SuppressLint
import android.content.pm.PackageManager
import android.graphics.ImageFormat
import android.graphics.SurfaceTexture
import android.hardware.camera2.CameraCaptureSession
import android.hardware.camera2.CameraCharacteristics
import android.hardware.camera2.CameraDevice
import android.hardware.camera2.CameraManager
import android.hardware.camera2.CaptureRequest
import android.media.ImageReader
import android.os.Handler
import android.os.HandlerThread
import android.os.Looper
import android.view.Surface
import android.view.TextureView
import org.ami.komora.ui.QrCodes

/**
 * The enrol screen's camera: the back camera's picture in [preview], and each frame's
 * brightness plane read for a QR code (`QrCodes`, tested on the JVM) on a worker thread until
 * one is found. Frames stay in memory, are never saved, and the camera closes as soon as the
 * code is read or the screen goes. Needs the CAMERA permission, asked for on first use.
 */
internal class QrScanner(private val activity: MainActivity, private val onText: (String) -> Unit) {
    val preview = TextureView(activity)
    private val main = Handler(Looper.getMainLooper())
    private var thread: HandlerThread? = null
    private var camera: CameraDevice? = null
    private var session: CameraCaptureSession? = null
    private var reader: ImageReader? = null

    @Volatile
    private var found = false

    fun start() {
        if (activity.checkSelfPermission(Manifest.permission.CAMERA) != PackageManager.PERMISSION_GRANTED) {
            activity.askForCamera { granted -> if (granted) start() }
            return
        }
        found = false
        if (preview.isAvailable) {
            open()
        } else {
            preview.surfaceTextureListener = object : TextureView.SurfaceTextureListener {
                override fun onSurfaceTextureAvailable(surface: SurfaceTexture, width: Int, height: Int) = open()
                override fun onSurfaceTextureSizeChanged(surface: SurfaceTexture, width: Int, height: Int) = Unit
                override fun onSurfaceTextureDestroyed(surface: SurfaceTexture): Boolean {
                    stop()
                    return true
                }
                override fun onSurfaceTextureUpdated(surface: SurfaceTexture) = Unit
            }
        }
    }

    @SuppressLint("MissingPermission") // checked in start()
    private fun open() {
        val manager = activity.getSystemService(CameraManager::class.java) ?: return
        val id = manager.cameraIdList.firstOrNull {
            manager.getCameraCharacteristics(it).get(CameraCharacteristics.LENS_FACING) == CameraCharacteristics.LENS_FACING_BACK
        } ?: manager.cameraIdList.firstOrNull() ?: return
        val worker = HandlerThread("komora-qr").also { it.start() }
        thread = worker
        val handler = Handler(worker.looper)
        val frames = ImageReader.newInstance(WIDTH, HEIGHT, ImageFormat.YUV_420_888, 2)
        reader = frames
        frames.setOnImageAvailableListener({ r ->
            val image = r.acquireLatestImage() ?: return@setOnImageAvailableListener
            try {
                if (!found) {
                    val y = image.planes[0]
                    val bytes = ByteArray(y.buffer.remaining())
                    y.buffer.get(bytes)
                    val text = QrCodes.read(bytes, image.width, image.height, y.rowStride)
                    bytes.fill(0)
                    if (text != null) {
                        found = true
                        main.post {
                            stop()
                            onText(text)
                        }
                    }
                }
            } finally {
                image.close()
            }
        }, handler)
        manager.openCamera(id, object : CameraDevice.StateCallback() {
            override fun onOpened(device: CameraDevice) {
                camera = device
                val texture = preview.surfaceTexture ?: return stop()
                texture.setDefaultBufferSize(WIDTH, HEIGHT)
                val screen = Surface(texture)
                @Suppress("DEPRECATION") // the list form is the one API 26 has
                device.createCaptureSession(listOf(screen, frames.surface), object : CameraCaptureSession.StateCallback() {
                    override fun onConfigured(s: CameraCaptureSession) {
                        session = s
                        val request = device.createCaptureRequest(CameraDevice.TEMPLATE_PREVIEW).apply {
                            addTarget(screen)
                            addTarget(frames.surface)
                            set(CaptureRequest.CONTROL_AF_MODE, CaptureRequest.CONTROL_AF_MODE_CONTINUOUS_PICTURE)
                        }
                        runCatching { s.setRepeatingRequest(request.build(), null, handler) }
                    }

                    override fun onConfigureFailed(s: CameraCaptureSession) = stop()
                }, handler)
            }

            override fun onDisconnected(device: CameraDevice) = stop()
            override fun onError(device: CameraDevice, error: Int) = stop()
        }, handler)
    }

    /** Close the camera and its thread (read, cancelled, or the screen left). */
    fun stop() {
        runCatching { session?.close() }
        runCatching { camera?.close() }
        runCatching { reader?.close() }
        session = null
        camera = null
        reader = null
        thread?.quitSafely()
        thread = null
    }

    private companion object {
        // Enough pixels for a 20-character code held at arm's length; small enough for 2 GB tablets.
        const val WIDTH = 1280
        const val HEIGHT = 720
    }
}
