package org.ami.komora.android

import android.app.Dialog
import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.content.Context
import android.graphics.Color
import android.text.TextUtils
import android.util.TypedValue
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.FrameLayout
import android.widget.ImageButton
import android.widget.LinearLayout
import android.widget.TextView
import org.ami.komora.ui.Language
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * The screen checks themselves, proven on the real app: its enrol screen passes, and each
 * fault planted into it (a 40 dp button, a Kinyarwanda label cut short, a window without
 * FLAG_SECURE, and one of every other kind) makes the check fail, naming the fault.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class ScreenCheckerTest {
    private lateinit var d: Device
    private val checker = ScreenChecker(listOf("Mukamana Odette"))

    @Before
    fun launch() {
        d = device()
        d.app.setLanguage(Language.KINYARWANDA)
        d.launch()
    }

    private fun findings(): List<Finding> = checker.check(d.activity, d.windows())

    /** The first card of the screen: where the faults are planted, among real widgets. */
    private fun card(): LinearLayout = d.views().filterIsInstance<LinearLayout>().first { it.background != null && it.childCount > 1 && it !== d.activity.window.decorView }

    private fun dp(v: Int) = TypedValue.applyDimension(TypedValue.COMPLEX_UNIT_DIP, v.toFloat(), d.activity.resources.displayMetrics).toInt()

    private fun plant(v: View, lp: ViewGroup.LayoutParams = LinearLayout.LayoutParams(ViewGroup.LayoutParams.WRAP_CONTENT, ViewGroup.LayoutParams.WRAP_CONTENT)): View {
        card().addView(v, lp)
        d.settle()
        d.activity.window.decorView.let { root ->
            root.measure(View.MeasureSpec.makeMeasureSpec(root.width, View.MeasureSpec.EXACTLY), View.MeasureSpec.makeMeasureSpec(root.height, View.MeasureSpec.EXACTLY))
            root.layout(0, 0, root.width, root.height)
        }
        return v
    }

    private fun assertOnly(rule: String, about: String) {
        val found = findings()
        assertTrue("the $rule check missed the planted fault: $found", found.any { it.rule == rule && it.toString().contains(about) })
        assertEquals("only the planted fault is found: $found", emptyList<Finding>(), found.filterNot { it.toString().contains(about) })
    }

    @Test
    fun `the real enrol screen in Kinyarwanda passes every check`() {
        assertEquals(emptyList<Finding>(), findings())
    }

    @Test
    fun `a plain text field, whose menu can share what is typed, is found`() {
        plant(
            android.widget.EditText(d.activity).apply {
                hint = "Inyandiko"
                setTextColor(Palette.TEXT)
                setHintTextColor(Palette.TEXT_SECONDARY)
                minHeight = dp(52)
            },
            LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ViewGroup.LayoutParams.WRAP_CONTENT),
        )
        assertOnly("private", "Inyandiko")
    }

    @Test
    fun `a 40 dp button is too small a target`() {
        plant(Button(d.activity).apply { text = "Ohereza" }, LinearLayout.LayoutParams(dp(120), dp(40)))
        assertOnly("target", "Ohereza")
    }

    @Test
    fun `a Kinyarwanda label cut short with an ellipsis is cut off`() {
        plant(
            TextView(d.activity).apply {
                text = "Igihe cyo gukurikirana kirageze"
                setTextColor(Palette.TEXT)
                maxLines = 1
                ellipsize = TextUtils.TruncateAt.END
            },
            LinearLayout.LayoutParams(dp(120), ViewGroup.LayoutParams.WRAP_CONTENT),
        )
        assertOnly("cut", "Igihe cyo")
    }

    @Test
    fun `a Kinyarwanda label in a box too low for its lines is cut off`() {
        plant(
            TextView(d.activity).apply {
                text = "Umukiriya yakuyeho uruhushya rwo kwandika amakuru"
                setTextColor(Palette.TEXT)
                textSize = 18f
            },
            LinearLayout.LayoutParams(dp(140), dp(30)),
        )
        assertOnly("cut", "Umukiriya yakuyeho")
    }

    @Test
    fun `a label the layout left no room for is cut off, the worst way`() {
        plant(
            TextView(d.activity).apply {
                text = "Kuwa kabiri 8 Ukuboza"
                setTextColor(Palette.TEXT)
            },
            LinearLayout.LayoutParams(dp(200), 0),
        )
        assertOnly("cut", "Kuwa kabiri")
    }

    @Test
    fun `a dialog without FLAG_SECURE can be captured`() {
        Dialog(d.activity).apply {
            setContentView(TextView(d.activity).apply {
                text = "Ibanga"
                setTextColor(Palette.TEXT)
                setBackgroundColor(Color.WHITE)
                minHeight = dp(48)
            })
        }.show()
        d.settle()
        val found = findings()
        assertTrue("the unsecured dialog was missed: $found", found.any { it.rule == "secure" && it.where.contains("window") })
        assertTrue("the activity itself is secure: $found", found.none { it.rule == "secure" && it.where == "the activity" })
    }

    @Test
    fun `a button without words or description has no name for TalkBack`() {
        plant(ImageButton(d.activity).apply { setBackgroundColor(Palette.PRIMARY) }, LinearLayout.LayoutParams(dp(56), dp(56)))
        assertOnly("name", "ImageButton")
    }

    @Test
    fun `light grey text on white is too faint`() {
        plant(TextView(d.activity).apply {
            text = "Ntibyanditswe"
            setTextColor(0xFFA0A0A0.toInt())
        })
        assertOnly("contrast", "Ntibyanditswe")
    }

    @Test
    fun `two labels drawn over each other overlap`() {
        val frame = FrameLayout(d.activity).apply {
            addView(TextView(d.activity).apply { text = "Amazina"; setTextColor(Palette.TEXT) })
            addView(TextView(d.activity).apply { text = "Kode"; setTextColor(Palette.TEXT) })
        }
        plant(frame, LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ViewGroup.LayoutParams.WRAP_CONTENT))
        assertOnly("overlap", "Amazina")
    }

    @Test
    fun `a client's name in the window title or a notification is personal data shown outside`() {
        d.activity.title = "Mukamana Odette"
        assertTrue(findings().any { it.rule == "private" && it.where == "the activity's title" })
        d.activity.title = "Komora"
        assertEquals(emptyList<Finding>(), findings())

        val nm = d.activity.getSystemService(Context.NOTIFICATION_SERVICE) as NotificationManager
        nm.createNotificationChannel(NotificationChannel("c", "c", NotificationManager.IMPORTANCE_LOW))
        nm.notify(1, Notification.Builder(d.activity, "c").setContentTitle("Session with Mukamana Odette").setSmallIcon(android.R.drawable.ic_dialog_info).build())
        assertTrue(findings().any { it.rule == "private" && it.where == "a notification" })
    }

    @Test
    fun `two primary actions on one screen are one too many`() {
        plant(Ui(d.activity, { d.app.texts }).primary("Bika") {})
        assertOnly("primary", "primary actions")
    }
}
