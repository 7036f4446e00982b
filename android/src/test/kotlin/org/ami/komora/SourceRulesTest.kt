package org.ami.komora

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import kotlin.io.path.isDirectory
import kotlin.io.path.readLines
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * Rules on the source tree that the compiler cannot enforce here: Maven compiles src/main/kotlin
 * together with the Android layer against the framework jar, so an `android.*` import in a
 * presenter would still compile, and only fail later (on the JVM tests, or never).
 */
class SourceRulesTest {
    /** android/ (the Maven module): surefire sets `basedir` and runs in it. */
    private val module: Path = Paths.get(System.getProperty("basedir") ?: System.getProperty("user.dir"))

    private fun kotlinFiles(dir: String): List<Path> {
        val root = module.resolve(dir)
        assertTrue(root.isDirectory(), "$root is not a directory: is basedir the android/ module?")
        return Files.walk(root).use { s -> s.filter { it.toString().endsWith(".kt") }.toList() }
    }

    @Test
    fun `the API and the presenters stay plain Kotlin, with no android, androidx or platform-layer imports`() {
        val files = kotlinFiles("src/main/kotlin")
        assertTrue(files.isNotEmpty(), "no Kotlin file found under src/main/kotlin")
        val forbidden = Regex("""^\s*import\s+(android\.|androidx\.|org\.ami\.komora\.android\.)""")
        val offenders = files.flatMap { f ->
            f.readLines().withIndex()
                .filter { (_, line) -> forbidden.containsMatchIn(line) }
                .map { (i, line) -> "${module.relativize(f)}:${i + 1}: ${line.trim()}" }
        }
        assertEquals(emptyList<String>(), offenders, "Android code belongs in src/android/kotlin")
    }

    @Test
    fun `every file that declares an Activity or builds a dialog secures its window`() {
        val activity = Regex("""\bclass\s+\w+[^{]*:\s*[\w.]*Activity\s*\(""")
        val dialog = Regex("""\b[A-Z]\w*Dialog(\.Builder)?\s*\(""")
        val offenders = kotlinFiles("src/android/kotlin").filter { f ->
            val code = f.readLines().joinToString("\n") { it.substringBefore("//") }
            (activity.containsMatchIn(code) || dialog.containsMatchIn(code)) && "secureWindow()" !in code
        }.map { module.relativize(it).toString() }
        assertEquals(emptyList<String>(), offenders, "call secureWindow() (SecureWindow.kt) on every Activity and dialog")
    }

    @Test
    fun `the Android layer opens no framework window that cannot be made secure`() {
        // A Spinner's list, a PopupWindow, an auto-complete list and a Toast are windows of
        // their own that FLAG_SECURE cannot be set on (the screen tests found the Spinner's);
        // the platform's date picker fails the screen checks. Pickers, the calendar and every
        // question are the app's own dialogs (Picker.kt, DateDialog.kt, Ui.confirm).
        val unsecurable = Regex("""\b(Spinner|PopupWindow|ListPopupWindow|AutoCompleteTextView|Toast|DatePickerDialog|TimePickerDialog)\b""")
        val offenders = kotlinFiles("src/android/kotlin").flatMap { f ->
            f.readLines().withIndex()
                .filter { (_, line) -> !line.trim().startsWith("//") && !line.trim().startsWith("*") && unsecurable.containsMatchIn(line.substringBefore("//")) }
                .map { (i, line) -> "${module.relativize(f)}:${i + 1}: ${line.trim()}" }
        }
        assertEquals(emptyList<String>(), offenders, "use the app's own secure dialogs")
    }
}
