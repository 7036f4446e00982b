package org.ami.komora.android

import android.view.View
import android.view.WindowManager
import android.widget.Button
import android.widget.CompoundButton
import android.widget.EditText
import kotlin.random.Random
import org.ami.komora.ui.Language
import org.ami.komora.ui.Screen
import org.ami.komora.ui.Str
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * A tired counsellor at the end of a day of home visits, on her tablet: she taps whatever is
 * on the screen, types half a word and goes back, turns the tablet, changes the font, leaves
 * the app and comes back, lets it lock, syncs in the middle of it all, walks out of the
 * network. Driven at random (a
 * seed makes a run repeatable) through the real activity, views, core and a server behind a
 * slow link (her syncs overlap with the rest, locks included), for a number of steps; after
 * every step:
 * - nothing crashed (an exception anywhere in the views, presenters or core ends the run);
 * - every window is still secure (FLAG_SECURE);
 * - the app never says "something went wrong inside Komora" or "some data is damaged" (a
 *   fault of ours, not hers);
 * - and at the end her vault opens and every client she had is still there.
 *
 * The default run is short (CI); `-Dkomora.tired.steps=N -Dkomora.tired.seed=S` runs longer
 * campaigns. A failure names the seed and the last steps, to replay it.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApplication::class, qualifiers = "w600dp-h960dp-hdpi")
class TiredCounsellorTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private val words = listOf(
        "Mukamana", "a", "", "Yavuze ko asinzira neza", "0788 123 456", "1978", "1900", "99999",
        "Ééé", "   ", "Uwase Diane", "ntiyaje", "x".repeat(300), "🙂", "Huye", "-1",
    )

    @Test
    fun `a tired counsellor tapping anywhere meets no crash, no insecure window and no fault of ours`() =
        wander("counsellor", defaultSteps = 120)

    /** The same on a supervisor's tablet: her review queue, the figures, erasing a client. */
    @Test
    fun `a tired supervisor tapping anywhere meets no crash, no insecure window and no fault of ours`() =
        wander("supervisor", defaultSteps = 60)

    /**
     * The same on an administrator's tablet: the devices of the team, invitations, revoking,
     * the key rotation, as well as everything a supervisor sees.
     */
    @Test
    fun `a tired administrator tapping anywhere meets no crash, no insecure window and no fault of ours`() =
        wander("admin", defaultSteps = 60)

    /** The same on a data officer's tablet: the donors' figures, and no client she could open. */
    @Test
    fun `a tired data officer tapping anywhere meets no crash, no insecure window and no fault of ours`() =
        wander("data_officer", defaultSteps = 40)

    private fun wander(role: String, defaultSteps: Int) {
        val steps = System.getProperty("komora.tired.steps")?.toIntOrNull() ?: defaultSteps
        val seed = System.getProperty("komora.tired.seed")?.toLongOrNull() ?: 20261206L
        val rng = Random(seed)
        // Over a slow link (2G-like, 60 kB/s): her syncs overlap with everything else she does,
        // the locks included (a sync goes on behind the lock, ADR 0028).
        Team(tmp.newFolder("team")).use { team ->
          org.ami.komora.SlowLink(team.server.url, bytesPerSecond = 60_000).use { link ->
            val d = device()
            d.app.setLanguage(Language.entries[rng.nextInt(Language.entries.size)])
            d.launch().enrol(link.url, team.code(role))
            // By id: she may rename one (a deliberate edit), never lose one. A data officer
            // records no one: her tablet never holds a name.
            val people = if (role == "data_officer") emptySet() else d.app.claudinesCaseload().ids.values.toSet()
            if (role != "counsellor") {
                // Her team's work to review: Jean's sessions reach her queue when she syncs.
                d.syncNow()
            }
            d.settle()
            // What only a fault of ours (not hers) makes the app say, in the language she has
            // now (a tap in the settings may change it); the tablet's clock is right all along,
            // so a warning that its date is wrong would be a false alarm of ours too.
            fun ours() = d.app.texts.let { t -> listOf(t[Str.ERR_INTERNAL], t[Str.ERR_CORRUPT], t[Str.CLOCK_IS_RIGHT]) }
            val log = ArrayDeque<String>()
            fun note(what: String) {
                log.addLast(what)
                if (log.size > 20) log.removeFirst()
            }
            var step = 0
            // Steps after which a sync was going on behind the lock (ADR 0028's path).
            var behindLock = 0
            // The screens she reached: what a run covered, printed at its end.
            val reached = sortedSetOf<String>()
            try {
                while (step < steps) {
                    step++
                    if (d.pickerWaiting()) {
                        note("cancels the picker")
                        d.answerDocumentPicker(null)
                    }
                    when (d.app.current) {
                        // Revoked or erased: the run ends there (a tap on Settings may do it).
                        Screen.Enrol -> break
                        Screen.Unlock -> {
                            note("unlocks")
                            d.unlock()
                            continue
                        }
                        else -> Unit
                    }
                    val roll = rng.nextInt(100)
                    when {
                        roll < 55 -> {
                            val targets = d.views().filter { tappable(it) }
                            if (targets.isEmpty()) continue
                            val v = targets[rng.nextInt(targets.size)]
                            note("taps ${describe(v)}")
                            // A tap that changes nothing (a choice already chosen) is fine here.
                            v.performClick()
                            d.settle()
                        }
                        roll < 75 -> {
                            val fields = d.views().filterIsInstance<EditText>().filter { it.isShown && it.isEnabled }
                            if (fields.isEmpty()) continue
                            val f = fields[rng.nextInt(fields.size)]
                            val w = words[rng.nextInt(words.size)]
                            note("types ${w.take(20)} in ${describe(f)}")
                            f.setText(w)
                            d.settle()
                        }
                        roll < 85 -> {
                            note("goes back")
                            d.back()
                        }
                        roll < 90 -> {
                            val wide = rng.nextBoolean()
                            val font = listOf(1.0f, 1.3f)[rng.nextInt(2)]
                            note("turns the tablet (${if (wide) "wide" else "tall"}, font $font)")
                            d.reconfigure(if (wide) "w960dp-h600dp-hdpi" else "w600dp-h960dp-hdpi", font)
                        }
                        roll < 95 -> {
                            note("leaves the app and comes back")
                            d.leave()
                            d.comeBack()
                        }
                        roll < 97 -> {
                            note("walks out of the network (the link drops)")
                            link.drop()
                            d.settle()
                        }
                        else -> {
                            note("puts the tablet down for ten minutes")
                            TestApplication.testClock.nowMs += 10 * 60_000L
                            d.app.tick()
                            d.settle()
                        }
                    }
                    if (d.app.syncingBehindLock) behindLock++
                    reached += d.app.current.javaClass.simpleName
                    for ((root, params) in d.windows()) {
                        assertTrue("a window without FLAG_SECURE: $root", params.flags and WindowManager.LayoutParams.FLAG_SECURE != 0)
                    }
                    assertTrue("the app reported a fault of its own", ours().none { d.shows(it) })
                }
                // Whatever happened, her clients are all there once she unlocks.
                if (d.app.current != Screen.Enrol) {
                    d.settle()
                    if (!d.app.isUnlocked) {
                        d.back()
                        if (d.pickerWaiting()) d.answerDocumentPicker(null)
                        if (d.app.current == Screen.Unlock) d.unlock()
                    }
                    d.waitFor("a sync still running to end") { d.app.isUnlocked }
                    val ids = d.app.vault().clients().map { it.id }.toSet()
                    // A supervisor may have erased one (a confirmed, deliberate act): it is in
                    // the erasures, not lost.
                    val erased = d.app.vault().erasures().map { it.clientId }.toSet()
                    assertTrue("clients missing: ${people - ids - erased}", (people - ids - erased).isEmpty())
                }
            } catch (e: Throwable) {
                throw AssertionError("seed $seed, step $step; her last steps:\n${log.joinToString("\n")}", e)
            }
            println("tired $role: seed $seed, $step steps, $behindLock of them with a sync behind the lock; screens reached: ${reached.joinToString()}")
          }
        }
    }

    private fun tappable(v: View): Boolean =
        v.isShown && v.isEnabled && v.isClickable && (v is Button || v is CompoundButton || v.hasOnClickListeners()) && v !is EditText

    private fun describe(v: View): String =
        (v as? android.widget.TextView)?.text?.toString()?.take(30)?.ifBlank { null }
            ?: v.contentDescription?.toString()?.take(30)
            ?: v.javaClass.simpleName
}
