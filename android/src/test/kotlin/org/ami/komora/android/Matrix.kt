package org.ami.komora.android

import java.io.File
import org.ami.komora.ui.Language

/** A tablet the screens must work on: its size and density as Robolectric names them. */
data class TabletSize(val name: String, val qualifiers: String)

/** An 8" or 7" tablet (600 dp wide, 1280x800 at 1.5x here), and a 10" one (800 dp wide). */
val SEVEN_INCH = TabletSize("7\"", "w600dp-h960dp-hdpi")
val TEN_INCH = TabletSize("10\"", "w800dp-h1280dp-mdpi")
val TABLETS = listOf(SEVEN_INCH, TEN_INCH)

/** The font sizes checked: the default, and the large setting many counsellors use. */
val FONT_SCALES = listOf(1.0f, 1.3f)

/**
 * At each stop of the tour: the screen checked on every tablet at every font scale (the
 * activity redraws itself at each, as on a device), and, when [pictures] is set, photographed
 * on the 7" tablet at the default font for docs/screens/.
 */
class Matrix(private val d: Device, private val language: Language, private val pictures: File?, personal: () -> Collection<String>) {
    private val personal = personal
    val findings = mutableListOf<String>()
    var checked = 0
        private set
    var passed = 0
        private set

    fun at(stop: String, reopen: (() -> Unit)?) {
        for (tablet in TABLETS) for (scale in FONT_SCALES) {
            if (reopen != null) d.back()
            d.reconfigure(tablet.qualifiers, scale)
            if (reopen != null) reopen()
            d.settle()
            val checker = ScreenChecker(personal())
            val found = Pictures.whole(d.activity.window.decorView) { checker.check(d.activity, d.windows()) }
            checked++
            if (found.isEmpty()) passed++
            findings += found.map { "$stop [${language.code}, ${tablet.name}, font ${scale}x]: $it" }
            if (pictures != null && tablet == SEVEN_INCH && scale == 1.0f) {
                d.savePicture(File(File(pictures, language.code), "$stop.png"))
            }
        }
        if (reopen != null) d.back()
        d.reconfigure(SEVEN_INCH.qualifiers, 1.0f)
        if (reopen != null) reopen()
    }
}
